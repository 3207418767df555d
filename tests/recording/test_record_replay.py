"""Record, turn into a scenario, replay (issue 24, item 4): a whole migration driven through
`sms-mock proxy --record` by the official SDK (AK/SK) and by the reference client (a password
token), against a second emulator on a manual clock: a source registered, a task created,
started and polled to MIGRATE_SUCCESS, another failed by a task fault, the lists read. The
recording, turned into a scenario by `sms-mock record to-scenario` and loaded into a third
emulator by `sms-mock scenario load`, gives the same task documents (`GET /v3/tasks/{id}`) as
the upstream and as the recording: no field differs, since both tasks rest in a settled state
and the scenario keeps their ids, dates and sub-tasks as recorded. Their source's document is
the upstream's too, but for `migprojectid`: a loaded source joins the default migration
project of the emulator it is loaded into."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from huaweicloudsdkcore.auth.credentials import BasicCredentials, Credentials
from huaweicloudsdksms.v3 import (
    CreateTaskRequest,
    ListTasksRequest,
    PostTask,
    ShowTaskRequest,
    UpdateTaskStatusReq,
    UpdateTaskStatusRequest,
)
from huaweicloudsdksms.v3 import SmsClient as SdkSmsClient

from sms_mock import cli
from sms_mock.client import SmsClient
from sms_mock.control import ControlPlane
from sms_mock.credentials import Credentials as ProxyCredentials
from sms_mock.mock_server.config import Config
from sms_mock.mock_server.proxy import ProxySettings, create_proxy_app
from sms_mock.mock_server.serving.live import LiveServer
from tests.support.accounts import ACCOUNT, AK, PROJECT_ID, SK
from tests.support.helpers import create_body, registration
from tests.support.sdk import sdk_model

ERROR = {"error_code": "SMS.6531", "error_msg": "The boot partition does not exist."}
POLL_S = 60  # clock seconds between two polls, as a client polls every minute
MAX_POLLS = 200


@dataclass
class Session:
    har: Path
    upstream: LiveServer
    succeeded: str  # the task the SDK created and ran to MIGRATE_SUCCESS
    failed: str  # the task the reference client started into a task fault
    source: str


def until(read: Any, state: str, upstream: LiveServer) -> Any:
    """Poll as a client does, the upstream's clock moving a minute between polls."""
    with ControlPlane(upstream.url) as plane:
        for _ in range(MAX_POLLS):
            shown = read()
            if shown.state == state:
                return shown
            plane.advance(POLL_S)
    raise AssertionError(f"not {state} after {MAX_POLLS} polls: {shown.state}")


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    """The recorded session; the upstream stays up for the comparison."""
    har = tmp_path_factory.mktemp("recording") / "session.har"
    with pytest.MonkeyPatch.context() as patch, LiveServer(Config(clock="manual")) as upstream:
        patch.setattr(Credentials, "_CACHE", {})  # the SDK's ids looked up per AK
        settings = ProxySettings(
            upstream.url, credentials=ProxyCredentials(ak=AK, sk=SK), record=har
        )
        app = create_proxy_app(settings)
        with LiveServer(app=app) as proxy:
            sdk = (
                SdkSmsClient.new_builder()
                .with_credentials(BasicCredentials(AK, SK, PROJECT_ID))
                .with_endpoint(proxy.url)
                .build()
            )
            with SmsClient(proxy.url, project="cn-north-4", **ACCOUNT) as client:
                source = client.register_source(
                    registration(name="recorded-web-01", hostname="recorded-web-01")
                )
                body = create_body(source, name="recorded-web-01", auto_start=False)
                created = sdk.create_task(CreateTaskRequest(body=sdk_model(PostTask, body))).id
                start = UpdateTaskStatusReq(operation="start")
                sdk.update_task_status(UpdateTaskStatusRequest(task_id=created, body=start))
                until(
                    lambda: sdk.show_task(ShowTaskRequest(task_id=created)),
                    "MIGRATE_SUCCESS",
                    upstream,
                )
                with ControlPlane(upstream.url) as plane:
                    plane.add_fault(
                        {
                            "task_id": "sample-ready",
                            "subtask": "MIGRATE_LINUX_FILE",
                            "at_progress": 40,
                            "error_json": ERROR,
                        }
                    )
                client.start_task("sample-ready")
                until(lambda: client.get_task("sample-ready"), "MIGRATE_FAIL", upstream)
                sdk.list_tasks(ListTasksRequest())
                list(client.list_sources())
                list(client.list_templates())
                client.get_source(source)
        app.extensions["sms_mock.proxy"].close()
        yield Session(har, upstream, created, "sample-ready", source)


def shown(url: str, path: str) -> Any:
    token = requests.post(f"{url}/_mock/tokens", json={}, timeout=10).json()["token"]
    answer = requests.get(url + path, headers={"X-Auth-Token": token}, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def task_documents(url: str, *task_ids: str) -> dict[str, Any]:
    return {task_id: shown(url, f"/v3/tasks/{task_id}") for task_id in task_ids}


def recorded_documents(har: Path, *task_ids: str) -> dict[str, Any]:
    """Each task's last GET /v3/tasks/{id} answer in the recording."""
    found = {}
    for entry in json.loads(har.read_text(encoding="utf-8"))["log"]["entries"]:
        request = entry["request"]
        for task_id in task_ids:
            if request["method"] == "GET" and request["url"].endswith(f"/v3/tasks/{task_id}"):
                found[task_id] = json.loads(entry["response"]["content"]["text"])
    return found


def run(*argv: str) -> str:
    out = io.StringIO()
    assert cli.main(list(argv), out=out) == 0, out.getvalue()
    return out.getvalue()


def test_a_recorded_migration_replays_with_the_same_task_documents(
    session: Session, tmp_path: Path
) -> None:
    fixtures = tmp_path / "qa"
    (fixtures / "scenarios").mkdir(parents=True)
    folder = str(fixtures / "scenarios")
    run("record", "to-scenario", str(session.har), "-o", folder, "--name", "ticket-4711")
    scenario = json.loads((fixtures / "scenarios" / "ticket-4711.json").read_text())
    ids = (session.succeeded, session.failed)
    assert {t["id"] for t in scenario["tasks"]} >= set(ids)
    assert session.source in {s["id"] for s in scenario["sources"]}
    recorded = recorded_documents(session.har, *ids)
    assert recorded[session.succeeded]["state"] == "MIGRATE_SUCCESS"
    assert recorded[session.failed]["state"] == "MIGRATE_FAIL"
    assert json.loads(recorded[session.failed]["error_json"]) == ERROR
    with LiveServer(Config(clock="manual", fixtures=[fixtures])) as replay:
        loaded = json.loads(run("scenario", "load", "ticket-4711", "--url", replay.url, "--json"))
        assert set(ids) <= set(loaded["task_ids"])
        replayed = task_documents(replay.url, *ids)
        replayed_source = shown(replay.url, f"/v3/sources/{session.source}")
        default_migproject = next(
            p["id"] for p in shown(replay.url, "/v3/migprojects")["migprojects"] if p["isdefault"]
        )
    assert replayed == recorded == task_documents(session.upstream.url, *ids)
    assert replayed[session.failed]["sub_tasks"][-1]["progress"] == 40
    # The source too, but for the one field that differs by nature: it joins the default
    # migration project of the emulator it is loaded into, whose id is that emulator's own.
    upstream_source = shown(session.upstream.url, f"/v3/sources/{session.source}")
    assert replayed_source["migprojectid"] == default_migproject
    assert {**replayed_source, "migprojectid": None} == {**upstream_source, "migprojectid": None}


def test_a_recording_cut_by_a_kill_is_read_up_to_its_last_whole_entry(
    session: Session, tmp_path: Path
) -> None:
    # The proxy writes an entry a line, over the closing `]}}`: a kill in the middle of that
    # write leaves the file ending in half an entry.
    whole = session.har.read_text(encoding="utf-8")
    last = whole.rstrip("\n").rsplit("\n", 2)[-2]  # the last entry's line, before `]}}`
    cut = tmp_path / "cut.har"
    cut.write_text(whole[: whole.rindex(last) + len(last) // 2], encoding="utf-8")
    with pytest.raises(ValueError):
        json.loads(cut.read_text(encoding="utf-8"))
    scenario = json.loads(run("record", "to-scenario", str(cut)))
    entries = len(json.loads(whole)["log"]["entries"])
    assert scenario["notes"][0].startswith(f"Read from cut.har: {entries - 1} entries,")
    assert (
        "The recording was cut in its last entry (its writer was killed): read without it"
        in scenario["notes"]
    )
    assert {session.succeeded, session.failed} <= {t["id"] for t in scenario["tasks"]}
