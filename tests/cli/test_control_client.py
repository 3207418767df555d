"""`sms_mock.control.ControlPlane`, the control plane's client that the command line and the
plugin share, driven over HTTP against a real server: each method, its answer as the contract
of its route has it, and its refusals as ControlError."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from sms_mock.contracts.control import (
    EverySourceSchema,
    EveryTaskSchema,
    EveryTemplateSchema,
    LifecycleSchema,
    ProjectTokenSchema,
)
from sms_mock.control import ControlError, ControlPlane
from sms_mock.mock_server import Config
from sms_mock.mock_server.serving.live import LiveServer
from tests.support.accounts import SECOND_PROJECT_ID

ADMIN = "control-client-secret"


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with LiveServer(Config(clock="manual", admin_token=ADMIN)) as live:
        yield live


@pytest.fixture
def plane(server: LiveServer) -> Iterator[ControlPlane]:
    server.emulator.reset()
    with ControlPlane(server.url, admin_token=ADMIN) as control:
        yield control


def test_without_the_admin_token_every_call_is_refused(server: LiveServer) -> None:
    with ControlPlane(server.url) as control, pytest.raises(ControlError) as caught:
        control.health()
    assert (caught.value.status, caught.value.code) == (401, "MOCK.0401")


def test_the_clock_the_state_and_reset(plane: ControlPlane) -> None:
    assert plane.health()["status"] == "ok"
    before = plane.clock()["now_ms"]
    assert plane.advance(60)["now_ms"] == before + 60_000
    with pytest.raises(ControlError, match="speed"):
        plane.set_speed(2)  # a manual clock has none
    saved = plane.snapshot()
    plane.put_task({"id": "put-one", "state": "READY"})
    assert plane.restore(saved)["status"] == "restored"
    ids = {t["task"]["id"] for t in plane.every_task()["tasks"]}
    assert "put-one" not in ids
    assert plane.reset()["status"] == "reset"


def test_what_is_put_in_is_read_across_projects(plane: ControlPlane) -> None:
    task = plane.put_task({"id": "elsewhere", "state": "ABORT"}, project=SECOND_PROJECT_ID)
    source = plane.put_source({"id": "src-elsewhere"}, project=SECOND_PROJECT_ID)
    template = plane.put_template({"id": "tpl-elsewhere"}, project=SECOND_PROJECT_ID)
    assert (task["id"], source["id"], template["id"]) == (
        "elsewhere", "src-elsewhere", "tpl-elsewhere"
    )  # fmt: skip
    tasks = EveryTaskSchema().load(plane.every_task())["tasks"]
    sources = EverySourceSchema().load(plane.every_source())["sources"]
    templates = EveryTemplateSchema().load(plane.every_template())["templates"]
    assert {"project_id": SECOND_PROJECT_ID, "id": "elsewhere"} in [
        {"project_id": t["project_id"], "id": t["task"]["id"]} for t in tasks
    ]
    assert ("src-elsewhere", SECOND_PROJECT_ID) in [
        (s["source"]["id"], s["project_id"]) for s in sources
    ]
    assert ("tpl-elsewhere", SECOND_PROJECT_ID) in [
        (t["template"]["id"], t["project_id"]) for t in templates
    ]


def test_scenarios_faults_and_the_journal(plane: ControlPlane) -> None:
    names = {s["name"] for s in plane.scenarios()["scenarios"]}
    assert "fault-at-migrate-40" in names
    loaded = plane.load_scenario("fault-at-migrate-40", project="ap-southeast-3")
    assert loaded["project_id"] == SECOND_PROJECT_ID and len(loaded["task_ids"]) == 2
    fault = plane.add_fault({"match": {"path": "/v3/nowhere"}, "status": 503})
    assert [f["id"] for f in plane.faults()["faults"] if f["kind"] == "http"] == [fault["id"]]
    plane.delete_fault(fault["id"])
    plane.add_fault({"task_id": "sample-ready", "subtask": "SSL_CONFIG"})
    assert plane.clear_faults() == {"faults": []}
    assert plane.journal(method="POST")["requests"]
    assert plane.clear_journal() == {"requests": []}
    with pytest.raises(ControlError) as caught:
        plane.load_scenario("no-such-scenario")
    assert (caught.value.status, caught.value.code) == (404, "MOCK.0405")


def test_a_project_token_drives_the_public_api(server: LiveServer, plane: ControlPlane) -> None:
    issued = ProjectTokenSchema().load(plane.project_token("ap-southeast-3"))
    assert issued["project_id"] == SECOND_PROJECT_ID
    answer = requests.get(
        f"{server.url}/v3/tasks", headers={"X-Auth-Token": issued["token"]}, timeout=5
    )
    assert answer.status_code == 200
    assert plane.project_token()["project_name"] == "cn-north-4"
    with pytest.raises(ControlError, match="project"):
        plane.project_token("no-such-project")


def test_the_lifecycle_table(plane: ControlPlane) -> None:
    table = LifecycleSchema().load(plane.lifecycle())
    restart = [r for r in table["operations"] if r["operation"] == "restart"]
    assert restart and set(restart[0]["allowed_states"]) == {"MIGRATE_FAIL", "SYNC_FAIL", "ABORT"}
    assert "RUNNING" in table["undeletable_states"]
