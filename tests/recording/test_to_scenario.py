"""`sms-mock record to-scenario FILE.har`: the tasks, sources and templates a recording shows,
each as last seen (by entry time), with its sub-tasks and error_json, written as a scenario that
`serve --scenario` and `scenario load` take; what the recording cannot tell in its notes; a file
that is not HAR refused naming the entry (README, "Record, turn into a scenario, replay")."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

from sms_mock import cli
from sms_mock.mock_server import Config
from sms_mock.mock_server.serving.live import LiveServer
from tests.recording.hars import entry, har, write
from tests.support.accounts import PROJECT_ID


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = cli.main(list(argv), out=out)
    return code, out.getvalue()


def convert(tmp_path: Path, *entries: dict[str, Any], options: tuple[str, ...] = ()) -> Any:
    """The scenario `record to-scenario` prints for a HAR file of these entries."""
    code, out = run("record", "to-scenario", str(write(tmp_path / "s.har", *entries)), *options)
    assert code == 0, out
    return json.loads(out)


def sub(sub_id: int, name: str, progress: int, start: int, end: int | None, **more: Any) -> dict:
    return {
        "id": sub_id,
        "name": name,
        "progress": progress,
        "start_date": start,
        "end_date": end,
        "user_op": "REPLICATE",
        "migrate_speed": None,
        "process_trace": None,
        **more,
    }


T0 = 1763625600000  # the recorded service's dates: epoch ms


def task(task_id: str = "web-01", state: str = "READY", **fields: Any) -> dict[str, Any]:
    """A task document as GET /v3/tasks/{id} answers it (the fields a test looks at)."""
    return {
        "id": task_id,
        "name": task_id,
        "type": "MIGRATE_FILE",
        "os_type": "LINUX",
        "state": state,
        "priority": 1,
        "create_date": T0,
        "error_json": "",
        "project_id": PROJECT_ID,
        "project_name": "cn-north-4",
        "sub_tasks": [],
        "source_server": {
            "id": "src-web-01",
            "name": "web-01",
            "ip": "192.168.0.21",
            "os_type": "LINUX",
            "os_version": "CENTOS_7_9_64BIT",
            "oem_system": False,
            "state": "waiting",
            "migration_cycle": "setting",
        },
        **fields,
    }


FAILED = task(
    state="MIGRATE_FAIL",
    start_date=T0 + 60_000,
    finish_date=T0 + 250_000,
    error_json='{"error_code":"SMS.6531","error_msg":"The boot partition does not exist."}',
    subtask_info="MIGRATE_LINUX_FILE:40%",
    sub_tasks=[
        sub(11, "SSL_CONFIG", 100, T0 + 60_000, T0 + 64_000),
        sub(12, "ATTACH_AGENT_IMAGE", 100, T0 + 64_000, T0 + 240_000),
        sub(13, "FORMAT_DISK_LINUX_FILE", 100, T0 + 240_000, T0 + 243_000),
        sub(14, "MIGRATE_LINUX_FILE", 40, T0 + 243_000, None, migrate_speed=2500),
    ],
)


@contextmanager
def serving(tmp_path: Path, scenario: Any, name: str, **config: Any) -> Iterator[LiveServer]:
    """An emulator with the scenario in a fixtures folder, as `serve --fixtures DIR` has it."""
    folder = tmp_path / "fixtures"
    (folder / "scenarios").mkdir(parents=True, exist_ok=True)
    (folder / "scenarios" / f"{name}.json").write_text(json.dumps(scenario), encoding="utf-8")
    with LiveServer(Config(clock="manual", fixtures=[folder], **config)) as server:
        yield server


def api(server: LiveServer) -> requests.Session:
    token = requests.post(f"{server.url}/_mock/tokens", json={}, timeout=10).json()["token"]
    session = requests.Session()
    session.headers["X-Auth-Token"] = token
    return session


def shows(server: LiveServer, path: str) -> Any:
    with api(server) as session:
        answer = session.get(server.url + path, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


# --- as last seen ---------------------------------------------------------------------------


def test_a_task_is_its_last_read_by_entry_time_with_sub_tasks_and_error_json(
    tmp_path: Path,
) -> None:
    running = task(state="RUNNING", sub_tasks=FAILED["sub_tasks"][:1])
    # The file's order is not the time order: the failure was read last, and wins.
    scenario = convert(
        tmp_path,
        entry("GET", "/v3/tasks/web-01", answer=FAILED, second=300),
        entry("GET", "/v3/tasks/web-01", answer=running, second=0),
        entry("GET", "/v3/tasks", answer={"count": 1, "tasks": [running]}, second=30),
    )
    assert scenario["keep_ids"] is True
    (written,) = scenario["tasks"]
    assert written["state"] == "MIGRATE_FAIL" and written["sub_tasks"] == FAILED["sub_tasks"]
    with serving(tmp_path, scenario, "ticket-4711", scenarios=["ticket-4711"]) as server:
        replayed = shows(server, "/v3/tasks/web-01")
    assert {key: replayed[key] for key in FAILED} == FAILED


def test_a_list_item_updates_what_it_shows_and_the_rest_stays_as_read_before(
    tmp_path: Path,
) -> None:
    disks = [{"id": 1, "name": "/dev/sda", "size": 42949672960, "physical_volumes": []}]
    read = task(
        state="RUNNING",
        finish_date=None,
        target_server={"id": "t-1", "vm_id": "vm-1", "name": "web-01-target", "disks": disks},
        sub_tasks=[sub(11, "SSL_CONFIG", 50, T0, None)],
    )
    listed = {key: read[key] for key in ("id", "name", "type", "os_type", "priority")}
    listed.update(
        state="MIGRATE_SUCCESS",
        sub_tasks=[
            {
                "id": 11,
                "name": "SSL_CONFIG",
                "progress": 100,
                "start_date": T0,
                "end_date": T0 + 4000,
                "process_trace": None,
            }
        ],
        target_server={"id": "t-1", "vm_id": "vm-1", "name": "web-01-target", "ip": "10.0.0.9"},
        log_collect_status=None,  # the list's own: not a key of the task's document
        special_config=None,
    )
    scenario = convert(
        tmp_path,
        entry("GET", "/v3/tasks/web-01", answer=read, second=0),
        entry("GET", "/v3/tasks", answer={"count": 1, "tasks": [listed]}, second=60),
    )
    (written,) = scenario["tasks"]
    assert written["state"] == "MIGRATE_SUCCESS"
    assert written["sub_tasks"] == [{**read["sub_tasks"][0], **listed["sub_tasks"][0]}]
    assert written["target_server"] == {**read["target_server"], "ip": "10.0.0.9"}
    assert "log_collect_status" not in written and "special_config" not in written
    notes = "\n".join(scenario["notes"])
    assert "task web-01 (web-01): MIGRATE_SUCCESS, last seen at 2025-11-20T08:01:00Z" in notes
    assert "a list's item" in notes
    assert "finish_date" in next(n for n in scenario["notes"] if "as of earlier entries" in n)


def test_created_resources_are_what_was_sent_with_the_ids_answered(tmp_path: Path) -> None:
    registration = {
        "name": "db-01",
        "hostname": "db-01",
        "ip": "192.168.0.40",
        "os_type": "LINUX",
        "os_version": "CENTOS_7_9_64BIT",
        "firmware": "BIOS",
        "cpu_quantity": 4,
        "memory": 8192,
        "agent_version": "24.3.0",
        "account_rights": True,
    }
    template = {
        "name": "db-template",
        "target_server_name": "db-01-target",
        "availability_zone": "cn-north-4a",
        "flavor": "s6.large.2",
        "volumetype": "SAS",
    }
    created = {
        "name": "db-01",
        "type": "MIGRATE_FILE",
        "os_type": "LINUX",
        "source_server": {"id": "src-db-01"},
        "vm_template_id": "tpl-db",
        "auto_start": False,
        "exist_server": False,
    }
    scenario = convert(
        tmp_path,
        entry("POST", "/v3/sources", answer={"id": "src-db-01"}, sent=registration, second=0),
        entry("POST", "/v3/vm/templates", answer={"id": "tpl-db"}, sent={"template": template}),
        entry("POST", "/v3/tasks", answer={"id": "task-db-01"}, sent=created, second=2),
        # Refused creates show nothing.
        entry("POST", "/v3/tasks", 400, {"error_code": "SMS.7711", "error_msg": "x"}, created),
    )
    (written,) = scenario["tasks"]
    request_only = ("auto_start", "exist_server")
    assert written == {"id": "task-db-01"} | {
        k: v for k, v in created.items() if k not in request_only
    }
    assert scenario["sources"] == [
        {"id": "src-db-01", **{k: v for k, v in registration.items() if k != "account_rights"}}
    ]
    assert scenario["templates"] == [{"id": "tpl-db", **template}]
    assert any("only what the client sent; no answer showed it" in n for n in scenario["notes"])
    with serving(tmp_path, scenario, "created", scenarios=["created"]) as server:
        replayed = shows(server, "/v3/tasks/task-db-01")
        source = shows(server, "/v3/sources/src-db-01")
    assert replayed["state"] == "READY"  # what a create makes, as the notes' defaults say
    assert replayed["vm_template_id"] == "tpl-db"
    assert source["current_task"]["id"] == "task-db-01"


def test_what_was_deleted_is_left_out_and_what_a_delete_refused_is_kept(tmp_path: Path) -> None:
    tasks = [task(f"t{n}") for n in range(1, 6)]
    scenario = convert(
        tmp_path,
        entry("GET", "/v3/tasks", answer={"count": 5, "tasks": tasks}, second=0),
        entry("DELETE", "/v3/tasks/t1", 204, second=1),
        entry("POST", "/v3/tasks/delete", 204, sent={"ids": ["t2"]}, second=2),
        entry("GET", "/v3/tasks/t3", 404, {"error_code": "SMS.9004", "error_msg": "x"}, second=3),
        entry("DELETE", "/v3/tasks/t4", 403, {"error_code": "SMS.9016", "error_msg": "x"}),
    )
    assert [t["id"] for t in scenario["tasks"]] == ["t4", "t5"]
    assert "Deleted in the recording, so left out: task t1, task t2, task t3" in scenario["notes"]


def test_renew_ids_gives_each_load_fresh_ids_that_still_name_each_other(tmp_path: Path) -> None:
    source = {
        "id": "src-9",
        "name": "app-09",
        "ip": "192.168.0.9",
        "os_type": "LINUX",
        "migprojectid": "mp-of-the-recording",
        "current_task": {"id": "t-9"},
    }
    made = task(
        "t-9",
        state="MIGRATE_SUCCESS",
        vm_template_id="tpl-9",
        source_server={"id": "src-9", "name": "app-09"},
        project_id="project-of-the-recording",
        project_name="la-north-2",
    )
    recorded = (
        entry("GET", "/v3/sources/src-9", answer=source, second=0),
        entry(
            "GET",
            "/v3/vm/templates/tpl-9",
            answer={
                "template": {"id": "tpl-9", "name": "tpl", "projectid": "project-of-the-recording"}
            },
            second=1,
        ),
        entry("GET", "/v3/tasks/t-9", answer=made, second=2),
    )
    kept = convert(tmp_path, *recorded)
    renewed = convert(tmp_path, *recorded, options=("--renew-ids",))
    assert "keep_ids" not in renewed
    assert {key: value for key, value in renewed.items() if key != "notes"} == {
        key: value for key, value in kept.items() if key not in ("notes", "keep_ids")
    }
    # Where a resource lives is the load's, not the recording's.
    assert "migprojectid" not in renewed["sources"][0]
    assert "projectid" not in renewed["templates"][0]
    assert "project_id" not in renewed["tasks"][0]
    assert any(n.startswith("Recorded in project la-north-2") for n in renewed["notes"])
    with serving(tmp_path, renewed, "renewed") as server:
        control = f"{server.url}/_mock/scenarios/renewed"
        loads = [requests.post(control, json={}, timeout=10).json() for _ in range(2)]
        for load in loads:
            ((task_id,), (source_id,), (template_id,)) = (
                load["task_ids"],
                load["source_ids"],
                load["template_ids"],
            )
            assert (task_id, source_id, template_id) != ("t-9", "src-9", "tpl-9")
            shown = shows(server, f"/v3/tasks/{task_id}")
            assert shown["source_server"]["id"] == source_id
            assert shown["vm_template_id"] == template_id
            assert shown["project_id"] == PROJECT_ID
            assert shows(server, f"/v3/sources/{source_id}")["current_task"]["id"] == task_id
        assert loads[0]["task_ids"] != loads[1]["task_ids"]


# --- what the recording cannot tell -----------------------------------------------------------


def test_the_notes_say_what_the_recording_cannot_tell(tmp_path: Path) -> None:
    running = task(
        "db-02",
        state="RUNNING",
        sub_tasks=[
            sub(1, "SSL_CONFIG", 100, T0, T0 + 4000),
            sub(2, "ATTACH_AGENT_IMAGE", 30, T0 + 4000, None),
        ],
        source_server={"id": "src-gone", "name": "db-02"},
    )
    listed = {key: value for key, value in task("web-03", state="READY").items()}
    template = {"id": "tpl-1", "name": "tpl", "target_password": "REDACTED"}
    scenario = convert(
        tmp_path,
        entry("GET", "/v3/tasks", answer={"count": 1, "tasks": [listed]}, second=0),
        entry("GET", "/v3/tasks/db-02", answer=running, second=10),
        entry("POST", "/v3/tasks/db-02/action", 200, {}, {"operation": "stop"}, second=20),
        entry("GET", "/v3/vm/templates", answer={"count": 1, "templates": [template]}, second=30),
        entry(
            "GET",
            "/v3/migprojects",
            answer={
                "count": 2,
                "migprojects": [
                    {"id": "mp-default", "name": "SystemProject", "isdefault": True},
                    {"id": "mp-dc-2", "name": "dc-2", "isdefault": False},
                ],
            },
            second=40,
        ),
    )
    notes = scenario["notes"]
    assert notes[0] == (
        "Read from s.har: 5 entries, 3 answers showing a resource, "
        "from 2025-11-20T08:00:00Z to 2025-11-20T08:00:40Z"
    )
    assert "Dates are as recorded: a load does not move them to the emulator's clock" in notes
    expected = [
        "task db-02 (db-02): RUNNING, last seen at 2025-11-20T08:00:10Z (log.entries.1, its own "
        "read)",
        "task db-02 (db-02): ATTACH_AGENT_IMAGE was at 30% then; what its sub-tasks did after "
        "that is not recorded: a load carries it on from there at the emulator's sub-task "
        "durations",
        "task db-02 (db-02): stop was accepted after that (log.entries.2); what it did is not "
        "recorded",
        "task db-02 (db-02): its source src-gone is not in the recording",
        "template tpl-1 (tpl): target_password was redacted in the recording and reads REDACTED",
        "Migration projects other than the default (mp-dc-2) are not part of a scenario: its "
        "sources join the project's default one",
    ]
    for line in expected:
        assert line in notes
    never = next(n for n in notes if n.startswith("task web-03 (web-03): never seen"))
    assert "start_date" in never and "sub_tasks" not in never  # it had an (empty) list
    assert all("\n" not in note and len(note) <= 1000 for note in notes)
    assert scenario["description"] == (
        "Recorded from s.har: 2 tasks, 0 sources, 1 template as last seen by "
        "2025-11-20T08:00:40Z; notes say what it cannot tell."
    )


def test_a_field_the_contract_refuses_is_left_out_with_a_note_and_the_rest_loads(
    tmp_path: Path,
) -> None:
    odd = task("odd-01", state="MIGRATE_SUCCESS", priority=7, speed_limit="fast")
    scenario = convert(tmp_path, entry("GET", "/v3/tasks/odd-01", answer=odd))
    (written,) = scenario["tasks"]
    assert "priority" not in written and "speed_limit" not in written
    assert written["state"] == "MIGRATE_SUCCESS"
    assert any(n.startswith("task odd-01 (odd-01): priority left out (") for n in scenario["notes"])
    assert any(
        n.startswith("task odd-01 (odd-01): speed_limit left out (") for n in scenario["notes"]
    )


# --- HAR as other tools write it, and files that are not HAR ---------------------------------


def test_a_browsers_har_without_optional_fields_is_read(tmp_path: Path) -> None:
    shown = base64.b64encode(json.dumps(FAILED).encode()).decode()
    lean = entry("GET", "/v3/tasks/web-01", answer=FAILED, second=5, full=False)
    lean["response"]["content"] = {"text": shown, "encoding": "base64"}
    untimed = entry("GET", "/v3/tasks/web-02", answer=task("web-02"), full=False)
    del untimed["startedDateTime"]
    document = har(
        entry("GET", "/console/index.html", answer=None, full=False),  # not an API call
        entry("POST", "/v3/auth/tokens", 201, {"token": {"id": "REDACTED"}}, full=False),
        {**entry("GET", "/v3/tasks/web-09", full=False), "response": {"status": 0}},  # aborted
        lean,
        untimed,
    )
    del document["log"]["version"], document["log"]["creator"]
    path = tmp_path / "browser.har"
    path.write_text(json.dumps(document), encoding="utf-8")
    code, out = run("record", "to-scenario", str(path))
    assert code == 0, out
    scenario = json.loads(out)
    assert [t["id"] for t in scenario["tasks"]] == ["web-01", "web-02"]
    assert scenario["tasks"][0]["error_json"] == FAILED["error_json"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not JSON (Expecting value: line 1 column 1 (char 0)): not a HAR file"),
        ("[]", 'log: missing: not a HAR file (expected {"log": {"entries": [...]}})'),
        ('{"log": {}}', "log.entries: expected a list of entries"),
        (
            json.dumps(har(entry("GET", "/v3/tasks"), {"request": {"method": "GET"}})),
            "log.entries.1.response: expected a JSON object",
        ),
        (
            json.dumps(
                har(
                    entry("GET", "/v3/tasks"),
                    {"request": {"method": "GET"}, "response": {"status": 200}},
                )
            ),
            "log.entries.1.request.url: expected a URL",
        ),
        (
            json.dumps(har({**entry("GET", "/v3/tasks"), "response": {"status": "200"}})),
            "log.entries.0.response.status: expected an integer",
        ),
        (
            json.dumps(
                har({**entry("GET", "/v3/x"), "response": {"status": 200, "content": {"text": 5}}})
            ),
            "log.entries.0.response.content.text: expected a string",
        ),
        (
            json.dumps(har(entry("GET", "/v3/sources", answer={"count": 0, "source_servers": []}))),
            "no answer in it shows a task (GET /v3/tasks or /v3/tasks/{id}, or a create's): "
            "a scenario holds one task at least",
        ),
    ],
)
def test_a_file_that_is_not_a_har_or_shows_no_task_is_refused_naming_where(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    path = tmp_path / "x.har"
    path.write_text(content, encoding="utf-8")
    code, out = run("record", "to-scenario", str(path))
    assert (code, out) == (2, "")
    assert capsys.readouterr().err.splitlines() == [f"sms-mock: {path}: {message}"]


def test_output_goes_to_a_file_or_a_folder_under_the_scenarios_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recording = write(tmp_path / "ticket 4711.har", entry("GET", "/v3/tasks/web-01", answer=FAILED))
    printed = run("record", "to-scenario", str(recording))[1]
    folder = tmp_path / "scenarios"
    folder.mkdir()
    summary = "scenario ticket-4711, 1 task, 0 sources, 0 templates"
    wrote = f"wrote {folder / 'ticket-4711.json'}: {summary}\n"
    assert run("record", "to-scenario", str(recording), "-o", str(folder)) == (0, wrote)
    assert json.loads((folder / "ticket-4711.json").read_text()) == json.loads(printed)
    code, _ = run("record", "to-scenario", str(recording), "-o", str(folder), "--name", "case-2")
    assert code == 0 and (folder / "case-2.json").is_file()
    named = folder / "case-3.json"
    assert run("record", "to-scenario", str(recording), "-o", str(named))[0] == 0
    assert run("record", "to-scenario", str(recording), "-o", str(named), "--name", "other")[0] == 2
    assert run("record", "to-scenario", str(recording), "--name", "no/slash")[0] == 2
    assert "--name: 'no/slash' is not a scenario name" in capsys.readouterr().err
    # A file's name is the scenario's: one that is not a scenario name is refused too.
    bad_file = folder / "-bad.json"
    assert run("record", "to-scenario", str(recording), "-o", str(bad_file)) == (2, "")
    assert f"-o {bad_file}: '-bad' is not a scenario name" in capsys.readouterr().err
    assert not bad_file.exists()
    written = sorted(p.name for p in folder.iterdir())
    assert written == ["case-2.json", "case-3.json", "ticket-4711.json"]
