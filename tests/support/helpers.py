"""Short calls against a Flask test client: SMS calls as one caller, the control plane, an
emulator on a state file; the seed example and the default create body. (Over HTTP, the
control plane is `tests/support/control.py`'s.)"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from marshmallow import Schema
from werkzeug.test import TestResponse

from sms_mock.mock_server import Config, create_app
from tests.support.accounts import PROJECT_ID
from tests.support.control import free_source_at  # noqa: F401 (tests over HTTP import it here)

REPO = Path(__file__).resolve().parents[2]
SEED_EXAMPLE = json.loads(
    (REPO / "fixtures" / "tasks" / "seed-example.json").read_text(encoding="utf-8")
)["tasks"][0]
SEED_ID = "8abda8635e09d185015e09d188dd0001xx"  # the seed example's 34-character id
DAY_S = 24 * 3600  # a token's lifetime, on the emulator's clock


# --- the control plane through a Flask test client (over HTTP: tests/support/control.py) -------


def mock_call(
    client: FlaskClient,
    method: str,
    route: str,
    body: Any = None,
    /,
    status: int = 200,
    **params: Any,
) -> Any:
    """One call of the control plane (`/_mock{route}`), as `ControlPlane.call` makes it; its
    JSON answer, once its status is `status`. `params` left None are not sent."""
    query = {key: value for key, value in params.items() if value is not None}
    # Every POST says JSON, a bodiless one too, as ControlPlane's do.
    json_type = {"Content-Type": "application/json"} if method == "POST" else None
    response = client.open(
        f"/_mock{route}", method=method, json=body, query_string=query, headers=json_type
    )
    assert response.status_code == status, response.get_json()
    return response.get_json()


def put_task(client: FlaskClient, doc: dict[str, Any], project: str | None = None) -> dict:
    """Put a task document in (into `project`, an id or a name); the task as answered."""
    return mock_call(client, "POST", "/tasks", doc, status=201, project=project)


def free_source(client: FlaskClient, project: str | None = None, **doc: Any) -> str:
    """Put a source server with no task in; its id.

    `doc` is any subset of GET /v3/sources/{id} (`id="src-x"`, `name=...`); without an id the
    emulator makes one. `project` is an id or a name (the default project without it).
    """
    return mock_call(client, "POST", "/sources", doc, status=201, project=project)["id"]


def add_fault(client: FlaskClient, spec: dict[str, Any], project: str | None = None) -> dict:
    """Add a task or HTTP fault (`/_mock/faults`); the fault as answered."""
    return mock_call(client, "POST", "/faults", spec, status=201, project=project)


def load_scenario(client: FlaskClient, name: str, project: str | None = None) -> dict[str, Any]:
    """Load a scenario; its answer (`task_ids`, `source_ids`, ...)."""
    return mock_call(client, "POST", f"/scenarios/{name}", None, status=201, project=project)


def reset(client: FlaskClient) -> None:
    """State back to the fixtures, the clock back to now, faults and journal cleared."""
    mock_call(client, "POST", "/reset")


def advance(client: FlaskClient, seconds: float) -> int:
    """Move the manual clock on; the new now, in milliseconds."""
    return mock_call(client, "POST", "/clock/advance", {"seconds": seconds})["now_ms"]


def now_ms(client: FlaskClient) -> int:
    return mock_call(client, "GET", "/clock")["now_ms"]


class Sms:
    """SMS calls as one token's caller, through a Flask test client."""

    def __init__(self, client: FlaskClient, token: str) -> None:
        self.client = client
        self.headers = {"X-Auth-Token": token}

    def show(self, task_id: str) -> TestResponse:
        return self.client.get(f"/v3/tasks/{task_id}", headers=self.headers)

    def task(self, task_id: str) -> dict[str, Any]:
        response = self.show(task_id)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def list(self, **query: Any) -> TestResponse:
        return self.client.get("/v3/tasks", query_string=query, headers=self.headers)

    def act(self, task_id: str, operation: str, **fields: Any) -> TestResponse:
        return self.client.post(
            f"/v3/tasks/{task_id}/action",
            json={"operation": operation, **fields},
            headers=self.headers,
        )

    def create(self, body: dict[str, Any]) -> TestResponse:
        return self.client.post("/v3/tasks", json=body, headers=self.headers)

    def delete(self, task_id: str) -> TestResponse:
        return self.client.delete(f"/v3/tasks/{task_id}", headers=self.headers)

    def delete_many(self, ids: list[str]) -> TestResponse:
        return self.client.post("/v3/tasks/delete", json={"ids": ids}, headers=self.headers)


def loads(schema: type[Schema], body: Any) -> dict[str, Any]:
    """Load a body through its contract schema; a ValidationError fails the test."""
    return schema().load(body)


_TARGETS = itertools.count(1)

# A well-formed source id that names no source: a create from it is refused (SMS.7602).
ABSENT_SOURCE = "src-0001"


def registration(**overrides: Any) -> dict[str, Any]:
    """A valid PostSourceServerBody, as an agent sends it; top-level keys replaced."""
    body: dict[str, Any] = {
        "name": "web-01",
        "hostname": "web-01",
        "ip": "10.0.0.5",
        "os_type": "LINUX",
        "os_version": "CENTOS_7_6_64BIT",
        "agent_version": "24.3.0",
        "cpu_quantity": 2,
        "memory": 4096,
        "networks": [{"name": "eth0", "ip": "10.0.0.5", "mac": "fa:16:3e:00:00:09"}],
        "disks": [
            {
                "name": "/dev/vda",
                "device_use": "BOOT",
                "size": 10737418240,
                "used_size": 1073741824,
                "os_disk": True,
                "physical_volumes": [
                    {
                        "name": "/dev/vda1",
                        "device_use": "OS",
                        "mount_point": "/",
                        "file_system": "ext4",
                        "index": 0,
                        "size": 10736369664,
                        "used_size": 1073741824,
                    },
                ],
            }
        ],
    }
    return {**body, **overrides}


def create_body(source_id: str = ABSENT_SOURCE, **overrides: Any) -> dict[str, Any]:
    """A valid PostTask body for the source `source_id`, top-level keys replaced by `overrides`.

    The emulator creates the task only when the source is the caller's and has no task yet:
    put one in first (`free_source`, `free_source_at`). The default names no source.
    """
    body: dict[str, Any] = {
        "name": "web-01",
        "type": "MIGRATE_FILE",
        "os_type": "LINUX",
        "source_server": {"id": source_id},
        "target_server": {
            "name": "web-01-target",
            # A target server of its own: two tasks of a project never share one (SMS.7605).
            "vm_id": f"vm-{next(_TARGETS):04d}",
            "disks": [
                {
                    "name": "/dev/vda",
                    "size": 42949672960,
                    "used_size": 2467393536,
                    "device_use": "BOOT",
                    "physical_volumes": [
                        {
                            "name": "/dev/vda1",
                            "size": 42948624384,
                            "used_size": 2467393536,
                            "mount_point": "/",
                            "file_system": "ext4",
                            "index": 0,
                        }
                    ],
                }
            ],
        },
        "region_name": "cn-north-4",
        "region_id": "cn-north-4",
        "project_name": "cn-north-4",
        "project_id": PROJECT_ID,
    }
    body.update(overrides)
    return body


def on_state_file(state_file: Path) -> FlaskClient:
    """A fresh emulator (manual clock) that keeps its state in `state_file`."""
    return create_app(Config(clock="manual", state_file=state_file)).test_client()


def restarted(client: FlaskClient) -> FlaskClient:
    """A new emulator on the same state file, the old one closed first, as a restart is: one
    emulator a file (a second would be refused)."""
    emulator = client.application.extensions["sms_mock"]
    emulator.close()
    return create_app(emulator.config).test_client()
