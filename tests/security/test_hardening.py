"""Hardening: inputs that once made the emulator answer 500, or keep a state that broke it.

Each section reproduces one finding of an adversarial run against the API, with a body that is
valid but for the one hostile thing, and checks the documented refusal (README, "Errors": the
catalogue's message, then the field and what is wrong with it, compared whole) and that nothing
changed. Then every writing route is held to its answer for five hostile bodies (README: SMS
bodies, IAM's, the control plane's, and the DELETEs, whose body is not read), and the journal,
the fixtures and what the emulator keeps in memory to their bounds. The state file's own cases
are in `tests/state/test_state_file_hardening.py`.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from sms_mock.mock_server import Config, create_app
from sms_mock.mock_server.emulator import Emulator
from tests.support.accounts import PROJECT_ID, password_body
from tests.support.assertions import changes_nothing, error_body, error_message
from tests.support.helpers import Sms, create_body, free_source

HUGE = 10**400  # 401 digits: no float holds it
JSON = {"Content-Type": "application/json"}

# How each service names what it refuses, after its catalogue message (README, "Errors").
SMS_NOT_TO_SPEC = "The JSON request body does not meet the specifications. {field}: {reason}"
MOCK_INVALID = "Invalid request. {field}: {reason}"
KEYSTONE_INVALID = "Invalid input for field '{field}': {reason}"
IAM_INVALID = "Request parameter {field} is invalid: {reason}"

# Why a value no answer could carry is refused, in the emulator's words.
INT64 = "Out of range: an integer within int64."
DOUBLE = "Out of range: a number a double can hold."
SURROGATE = "Not valid Unicode: a lone surrogate cannot be encoded."
SURROGATE_KEY = "A key is not valid Unicode."
TOO_DEEP = "Nested deeper than 32 levels."  # every body (README: SMS.6011, past 32 levels)
SNAPSHOT_TOO_DEEP = "Nested deeper than 40 levels."  # a snapshot's documents sit lower in it
# {"id", "unknown": {"k": {"k": ...}}}: the body is level 1 and `unknown` level 2, so the first
# object too deep, level 33 (41 in a snapshot), is reached through 31 (39) keys below `unknown`.
DEEP_UNKNOWN = "unknown" + ".k" * 31
DEEP_UNKNOWN_IN_SNAPSHOT = "unknown" + ".k" * 39
# Deeper than the JSON parser can recurse by default: refused while it is read, and named as a
# body the parser reads whole is named, whatever the process's recursion limit.
PAST_THE_PARSER = sys.getrecursionlimit() + 50


def sms_refusal(field: str, reason: str) -> str:
    return SMS_NOT_TO_SPEC.format(field=field, reason=reason)


def mock_refusal(field: str, reason: str) -> str:
    return MOCK_INVALID.format(field=field, reason=reason)


def raw_post(client: FlaskClient, path: str, text: str, **kwargs: Any) -> Any:
    return client.post(path, data=text.encode(), headers={**JSON, **kwargs.pop("headers", {})})


def _nested(depth: int) -> dict[str, Any]:
    inner: dict[str, Any] = {}
    for _ in range(depth):
        inner = {"k": inner}
    return inner


def _with_unknown_nested(body: dict[str, Any], depth: int) -> str:
    """`body` as JSON text with `"unknown": {"k": {"k": ...}}`, `depth` objects deep, written
    as text: deeper than json.dumps itself could recurse."""
    deep = '{"k": ' * depth + "{}" + "}" * depth
    return json.dumps({**body, "unknown": "DEEP"}).replace('"DEEP"', deep)


# --- 1. numbers too large for any float ---------------------------------------------------------


def test_a_huge_integer_in_a_create_is_a_400_naming_the_field(
    client: FlaskClient, emulator: Emulator, token: str
) -> None:
    body = create_body(free_source(client), over_speed_threshold=HUGE)
    with changes_nothing(emulator):
        response = raw_post(client, "/v3/tasks", json.dumps(body), headers={"X-Auth-Token": token})
    assert error_message(response, 400, "SMS.6011") == sms_refusal("over_speed_threshold", INT64)


@pytest.mark.parametrize(
    ("path", "body", "field", "reason"),
    [
        pytest.param(
            "/_mock/clock/advance", {"seconds": HUGE}, "seconds", INT64, id="clock-advance"
        ),
        pytest.param(
            "/_mock/faults",
            {"match": {"path": "*"}, "status": 503, "probability": HUGE},
            "probability",
            INT64,
            id="http-fault-probability",
        ),
        pytest.param(
            "/_mock/tasks",
            {"id": "huge", "durations": {"MIGRATE_LINUX_FILE": HUGE}},
            "durations.MIGRATE_LINUX_FILE",
            INT64,
            id="task-put-durations",
        ),
        pytest.param(
            "/_mock/tasks",
            {"id": "huge", "migrate_speed": HUGE},
            "migrate_speed",
            INT64,
            id="task-put-migrate-speed",
        ),
        # 1e400 is valid JSON that Python reads as infinity, which no answer could carry.
        pytest.param(
            "/_mock/tasks",
            {"id": "huge", "total_cpu_usage": "1e400"},
            "total_cpu_usage",
            DOUBLE,
            id="task-put-float-beyond-double",
        ),
        pytest.param(
            "/_mock/tasks",
            {"id": "huge", "kept": {"n": "1e400"}},
            "kept.n",
            DOUBLE,
            id="task-put-unknown-key-beyond-double",
        ),
    ],
)
def test_a_huge_number_on_the_control_plane_is_a_400_naming_the_field(
    client: FlaskClient,
    emulator: Emulator,
    path: str,
    body: dict[str, Any],
    field: str,
    reason: str,
) -> None:
    before = client.get("/_mock/clock").get_json()["now_ms"]
    text = json.dumps(body).replace('"1e400"', "1e400")
    with changes_nothing(emulator):
        response = raw_post(client, path, text)
    assert error_message(response, 400, "MOCK.0400") == mock_refusal(field, reason)
    assert client.get("/_mock/clock").get_json()["now_ms"] == before
    assert client.get("/_mock/faults").get_json() == {"faults": []}


# --- 3. a put that stores what a later call cannot handle -------------------------------------


def test_a_put_with_a_used_size_beyond_int64_is_refused_and_later_calls_work(
    client: FlaskClient, emulator: Emulator, token: str
) -> None:
    volume = {"name": "/dev/sda1", "size": 10, "used_size": 10**310}
    doc = {
        "id": "big-volume",
        "state": "READY",
        "target_server": {
            "disks": [{"name": "/dev/sda", "size": 10, "physical_volumes": [volume]}]
        },
    }
    with changes_nothing(emulator):
        response = client.post("/_mock/tasks", json=doc)
    field = "target_server.disks.0.physical_volumes.0.used_size"
    assert error_message(response, 400, "MOCK.0400") == mock_refusal(field, INT64)
    auth = {"X-Auth-Token": token}
    assert client.get("/v3/tasks", headers=auth).status_code == 200
    error_body(client.get("/v3/tasks/big-volume", headers=auth), 404, "SMS.7703")


def test_an_operation_that_fails_half_way_changes_nothing(
    client: FlaskClient, emulator: Emulator, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = emulator.sms.lifecycle
    start_phase = engine._start_phase

    def fails_after_changing(task: Any, *args: Any, **kwargs: Any) -> None:
        start_phase(task, *args, **kwargs)
        raise OverflowError("half-way through")  # what an unforeseen value once did

    monkeypatch.setattr(engine, "_start_phase", fails_after_changing)
    auth = {"X-Auth-Token": token}
    before = client.get("/v3/tasks/sample-ready", headers=auth).get_json()
    response = client.post(
        "/v3/tasks/sample-ready/action", json={"operation": "start"}, headers=auth
    )
    # The catalogue's message alone: nothing of the exception reaches the caller.
    assert error_message(response, 500, "SMS.6000") == "Service error."
    assert client.get("/v3/tasks/sample-ready", headers=auth).get_json() == before
    assert client.get("/v3/tasks", headers=auth).status_code == 200
    monkeypatch.undo()
    started = client.post(
        "/v3/tasks/sample-ready/action", json={"operation": "start"}, headers=auth
    )
    assert started.status_code == 200
    assert client.get("/v3/tasks/sample-ready", headers=auth).get_json()["state"] == "RUNNING"


# --- 7. a fault body that cannot be encoded ------------------------------------------------------


def test_an_http_fault_body_with_a_lone_surrogate_is_refused(
    client: FlaskClient, token: str
) -> None:
    text = '{"match": {"path": "/v3/tasks"}, "status": 418, "body": "\\ud800"}'
    response = raw_post(client, "/_mock/faults", text)
    # `body` is the fault's key: the answer it would have sent.
    assert error_message(response, 400, "MOCK.0400") == mock_refusal("body", SURROGATE)
    assert client.get("/_mock/faults").get_json() == {"faults": []}
    assert client.get("/v3/tasks", headers={"X-Auth-Token": token}).status_code == 200


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        pytest.param("/_mock/tasks", {"id": "bad-name", "name": "\ud800"}, "name", id="task-name"),
        pytest.param(
            "/_mock/faults",
            {
                "task_id": "sample-ready",
                "subtask": "MIGRATE_LINUX_FILE",
                "error_json": {"error_msg": "\udfff"},
            },
            "error_json.error_msg",
            id="task-fault-error-json",
        ),
    ],
)
def test_a_lone_surrogate_anywhere_on_the_control_plane_is_a_400_naming_it(
    client: FlaskClient, emulator: Emulator, path: str, body: dict[str, Any], field: str
) -> None:
    text = json.dumps(body)  # json.dumps writes the lone surrogate as an escape
    with changes_nothing(emulator):
        response = raw_post(client, path, text)
    assert error_message(response, 400, "MOCK.0400") == mock_refusal(field, SURROGATE)
    assert client.get("/_mock/faults").get_json() == {"faults": []}


# --- 9. nesting -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "depth",
    [
        pytest.param(40, id="40"),
        pytest.param(500, id="500"),
        pytest.param(PAST_THE_PARSER, id="past-the-parser"),
    ],
)
@pytest.mark.parametrize(
    ("path", "field", "reason"),
    [
        pytest.param("/_mock/tasks", DEEP_UNKNOWN, TOO_DEEP, id="tasks"),
        pytest.param("/_mock/sources", DEEP_UNKNOWN, TOO_DEEP, id="sources"),
        pytest.param("/_mock/templates", DEEP_UNKNOWN, TOO_DEEP, id="templates"),
        pytest.param("/_mock/faults", DEEP_UNKNOWN, TOO_DEEP, id="faults"),
        pytest.param("/_mock/snapshot", DEEP_UNKNOWN_IN_SNAPSHOT, SNAPSHOT_TOO_DEEP, id="snapshot"),
    ],
)
def test_an_unknown_key_nested_deep_is_a_400_on_every_control_route(
    client: FlaskClient,
    emulator: Emulator,
    path: str,
    field: str,
    reason: str,
    depth: int,
) -> None:
    with changes_nothing(emulator):
        response = raw_post(client, path, _with_unknown_nested({"id": "deep"}, depth))
    # Refused for its depth, not for what a shallow body of that route would lack: where it
    # goes too deep, even when the parser could not read that far.
    assert error_message(response, 400, "MOCK.0400") == mock_refusal(field, reason)


@pytest.mark.parametrize(
    ("depth", "field"),
    [
        pytest.param(40, DEEP_UNKNOWN, id="40"),
        pytest.param(PAST_THE_PARSER, DEEP_UNKNOWN, id="past-the-parser"),
    ],
)
def test_nesting_beyond_the_limit_is_a_400_on_sms_routes(
    client: FlaskClient, emulator: Emulator, token: str, depth: int, field: str
) -> None:
    text = _with_unknown_nested(create_body(free_source(client)), depth)
    with changes_nothing(emulator):
        response = raw_post(client, "/v3/tasks", text, headers={"X-Auth-Token": token})
    assert error_message(response, 400, "SMS.6011") == sms_refusal(field, TOO_DEEP)


# --- 14. smaller ones -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/_mock/tasks", "/_mock/sources", "/_mock/templates"])
def test_an_empty_project_query_is_a_400_not_the_default_project(
    client: FlaskClient, emulator: Emulator, path: str
) -> None:
    with changes_nothing(emulator):
        response = client.post(f"{path}?project=", json={"id": "empty-project"})
    assert error_message(response, 400, "MOCK.0400") == mock_refusal("project", "no project ''")


# --- 10. task faults belong to a project ----------------------------------------------------------


def test_a_task_fault_fires_in_its_own_project_only(client: FlaskClient) -> None:
    for project in ("cn-north-4", "ap-southeast-3"):
        put = client.post(f"/_mock/tasks?project={project}", json={"id": "same-id"})
        assert put.status_code == 201
    fault = client.post(
        "/_mock/faults?project=ap-southeast-3",
        json={"task_id": "same-id", "subtask": "SSL_CONFIG", "at_progress": 0},
    ).get_json()
    assert fault["project_id"] == "dc9b435eda28e5664759cb6ea9488a33"
    tokens = {
        project: client.post(
            "/v3/auth/tokens", json=password_body(scope={"project": {"name": project}})
        ).headers["X-Subject-Token"]
        for project in ("cn-north-4", "ap-southeast-3")
    }
    for token in tokens.values():
        started = client.post(
            "/v3/tasks/same-id/action",
            json={"operation": "start"},
            headers={"X-Auth-Token": token},
        )
        assert started.status_code == 200
    client.post("/_mock/clock/advance", json={"seconds": 30})
    states = {
        project: client.get("/v3/tasks/same-id", headers={"X-Auth-Token": token}).get_json()[
            "state"
        ]
        for project, token in tokens.items()
    }
    assert states == {"cn-north-4": "RUNNING", "ap-southeast-3": "MIGRATE_FAIL"}


def test_a_task_fault_without_a_project_is_the_default_projects(client: FlaskClient) -> None:
    fault = client.post(
        "/_mock/faults", json={"task_id": "sample-ready", "subtask": "SSL_CONFIG"}
    ).get_json()
    assert fault["project_id"] == "aa672d6a0df5c7904ce88d2f516d242d"
    unknown = client.post(
        "/_mock/faults?project=nowhere", json={"task_id": "sample-ready", "subtask": "SSL_CONFIG"}
    )
    assert error_message(unknown, 400, "MOCK.0400") == mock_refusal(
        "project", "no project 'nowhere'"
    )
    assert [f["id"] for f in client.get("/_mock/faults").get_json()["faults"]] == [fault["id"]]


def test_a_fault_for_a_task_that_does_not_exist_is_refused(client: FlaskClient) -> None:
    # The task is looked up as every task call looks it up: its 404 (README, "Errors").
    response = client.post(
        "/_mock/faults", json={"task_id": "sample-redy", "subtask": "SSL_CONFIG"}
    )
    assert error_message(response, 404, "SMS.7703") == (
        "Task does not exist. No task sample-redy in this project."
    )
    other = client.post(
        "/_mock/faults?project=ap-southeast-3",
        json={"task_id": "sample-ready", "subtask": "SSL_CONFIG"},
    )
    # It is the default project's task, not this one's.
    assert error_message(other, 404, "SMS.7703") == (
        "Task does not exist. No task sample-ready in this project."
    )
    assert client.get("/_mock/faults").get_json() == {"faults": []}


# --- 6. snapshots that once broke the server, and the clock's rules ------------------------------


def _snapshot(client: FlaskClient) -> dict[str, Any]:
    client.post("/_mock/faults", json={"match": {"path": "/nowhere"}, "status": 418})
    client.post("/_mock/faults", json={"task_id": "sample-ready", "subtask": "SSL_CONFIG"})
    return client.get("/_mock/snapshot").get_json()


def _task_row(snapshot: dict[str, Any], task_id: str) -> dict[str, Any]:
    return next(t for t in snapshot["sms"]["tasks"] if t["id"] == task_id)


def _source_row(snapshot: dict[str, Any]) -> dict[str, Any]:
    return next(r for r in snapshot["sms"]["resources"] if r["kind"] == "source")


def _poison(name: str, snapshot: dict[str, Any]) -> None:
    """Poison a good snapshot one way."""
    if name == "http-fault-path-not-a-string":
        snapshot["http_faults"][0]["match"]["path"] = 123
    elif name == "task-doc-not-an-object":
        _task_row(snapshot, "sample-ready")["doc"] = "not a document"
    elif name == "task-fault-progress-not-a-number":
        snapshot["faults"][0]["at_progress"] = "x"
    elif name == "run-starting-in-the-future":
        run = _task_row(snapshot, "sample-running")["run"]
        run["t0"] = snapshot["clock"]["now_ms"] + 3_600_000
    elif name == "clock-beyond-any-date":
        snapshot["clock"]["now_ms"] = 10**30
    elif name == "clock-at-1970":
        snapshot["clock"]["now_ms"] = 0
    elif name == "task-doc-with-a-bad-state":
        _task_row(snapshot, "sample-ready")["doc"]["state"] = "PAUSED"
    elif name == "run-indexing-no-sub-task":
        _task_row(snapshot, "sample-running")["run"]["pending"] = [99]
    elif name == "token-of-no-user":
        snapshot["tokens"].append(
            {
                "id": "MIIx",
                "user_id": "ghost",
                "methods": ["password"],
                "issued_ms": snapshot["clock"]["now_ms"],
                "expires_ms": snapshot["clock"]["now_ms"] + 1,
            }
        )
    elif name == "task-settings-log-not-an-object":
        _task_row(snapshot, "sample-ready")["settings"] = {"log": "x"}  # every read settles it
    elif name == "task-settings-bad-window":
        _task_row(snapshot, "sample-ready")["settings"] = {"speed_limit": [{"start": "25:00"}]}
    elif name == "source-doc-with-a-bad-disk":
        _source_row(snapshot)["doc"]["disks"] = "none"
    elif name.startswith("source-own-key"):
        key, value = {
            "source-own-key-command-results-not-a-list": ("_command_results", {"a": 1}),
            "source-own-key-migproject-not-a-string": ("_migproject", 5),
            "source-own-key-unknown": ("_anything", 1),
        }[name]
        _source_row(snapshot)["doc"][key] = value  # each made a later call of that source fail
    else:
        raise AssertionError(name)


STATES = (
    "READY, RUNNING, SYNCING, MIGRATE_SUCCESS, MIGRATE_FAIL, SYNC_SUCCESS, SYNC_FAIL, ABORTING, "
    "ABORT, SKIPPING, DELETING, RESETING, SYNC_F_ROLLBACKING, SYNC_F_ROLLBACK_SUCCESS"
)
# Each poison and the refusal's detail: a snapshot's check names the field by its path in the
# snapshot (the fixtures' order: sample-ready is task 0, sample-running task 1); a number no
# snapshot could hold is refused while the body is read, before it is a snapshot.
POISONS = [
    pytest.param(
        "http-fault-path-not-a-string",
        "snapshot: http_faults.0.match.path: Not a valid string.",
        id="http-fault-path-not-a-string",
    ),
    pytest.param(
        "task-doc-not-an-object",
        "snapshot: sms.tasks.0.doc: Not a valid mapping type.",
        id="task-doc-not-an-object",
    ),
    pytest.param(
        "task-fault-progress-not-a-number",
        "snapshot: faults.0.at_progress: Not a valid integer: a JSON integer.",
        id="task-fault-progress-not-a-number",
    ),
    pytest.param(
        "run-starting-in-the-future",
        "snapshot: sms.tasks.1.run.t0: A run cannot start after the clock's now.",
        id="run-starting-in-the-future",
    ),
    pytest.param("clock-beyond-any-date", f"clock.now_ms: {INT64}", id="clock-beyond-any-date"),
    pytest.param(
        "clock-at-1970",
        "snapshot: clock.now_ms: Must be greater than or equal to 1577836800000 and less than "
        "or equal to 221845392000000.",  # 2020-01-01 to 9000-01-01
        id="clock-at-1970",
    ),
    pytest.param(
        "task-doc-with-a-bad-state",
        f"snapshot: sms.tasks.0.doc.state: Must be one of: {STATES}.",
        id="task-doc-with-a-bad-state",
    ),
    pytest.param(
        "run-indexing-no-sub-task",
        "snapshot: sms.tasks.1.run.pending: Indexes a sub-task the document does not have.",
        id="run-indexing-no-sub-task",
    ),
    pytest.param(
        "token-of-no-user", "snapshot: tokens.0.user_id: No such user.", id="token-of-no-user"
    ),
    pytest.param(
        "source-doc-with-a-bad-disk",
        "snapshot: sms.resources.0.doc.disks: Not a valid list.",
        id="source-doc-with-a-bad-disk",
    ),
    pytest.param(
        "task-settings-log-not-an-object",
        "snapshot: sms.tasks.0.settings.log: Invalid input type.",
        id="task-settings-log-not-an-object",
    ),
    pytest.param(
        "task-settings-bad-window",
        "snapshot: sms.tasks.0.settings.speed_limit.0.start: Must be HH:MM, 00:00 to 23:59.",
        id="task-settings-bad-window",
    ),
    pytest.param(
        "source-own-key-command-results-not-a-list",
        "snapshot: sms.resources.0.doc._command_results: Not a valid list.",
        id="source-own-key-command-results-not-a-list",
    ),
    pytest.param(
        "source-own-key-migproject-not-a-string",
        "snapshot: sms.resources.0.doc._migproject: Not a valid string.",
        id="source-own-key-migproject-not-a-string",
    ),
    pytest.param(
        "source-own-key-unknown",
        "snapshot: sms.resources.0.doc._anything: The emulator's own key: a document cannot "
        "set it.",
        id="source-own-key-unknown",
    ),
]


@pytest.mark.parametrize("key", ["_command_results", "_migproject", "_task_id", "_agent_driven"])
def test_a_put_source_cannot_set_the_emulators_own_keys(client: FlaskClient, key: str) -> None:
    # {"_command_results": {"a": 1}} was taken, and every later command result of it was a 500.
    answer = client.post("/_mock/sources", json={"id": "srcx", key: {"a": 1}})
    assert error_message(answer, 400, "MOCK.0400") == mock_refusal(
        key, "The emulator's own key: a document cannot set it."
    )
    assert client.post("/_mock/sources", json={"id": "srcx"}).status_code == 201


def test_the_agents_answers_round_trip_in_a_snapshot(client: FlaskClient, token: str) -> None:
    auth = {"X-Auth-Token": token}
    result = {"command_name": "START", "result": "success", "result_detail": {}}
    answer = client.post("/v3/sources/src-sample-ready/command_result", json=result, headers=auth)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    snapshot = client.get("/_mock/snapshot").get_json()
    assert client.post("/_mock/snapshot", json=snapshot).status_code == 200
    assert client.get("/_mock/snapshot").get_json()["sms"] == snapshot["sms"]


def _in_any_order(sms: dict[str, Any]) -> dict[str, Any]:
    """The SMS part of a snapshot with its lists sorted: a restart reads rows in its own order."""
    return {
        key: sorted(value, key=lambda row: json.dumps(row, sort_keys=True))
        if isinstance(value, list)
        else value
        for key, value in sms.items()
    }


@pytest.mark.parametrize(("poison", "detail"), POISONS)
def test_a_poisoned_snapshot_is_refused_naming_the_field_and_changes_nothing(
    tmp_path: Path, poison: str, detail: str
) -> None:
    db = tmp_path / "state.db"
    app = create_app(Config(clock="manual", state_file=db))
    client = app.test_client()
    snapshot = _snapshot(client)
    _poison(poison, snapshot)
    before = client.get("/_mock/snapshot").get_json()
    response = client.post("/_mock/snapshot", json=snapshot)
    assert error_message(response, 400, "MOCK.0400") == f"Invalid request. {detail}"
    assert client.get("/_mock/snapshot").get_json() == before
    token = client.post("/v3/auth/tokens", json=password_body()).headers["X-Subject-Token"]
    assert client.get("/v3/tasks", headers={"X-Auth-Token": token}).status_code == 200
    app.extensions["sms_mock"].close()
    # ... and the file was not written: a restart serves as before.
    again = create_app(Config(clock="manual", state_file=db)).test_client()
    token = again.post("/v3/auth/tokens", json=password_body()).headers["X-Subject-Token"]
    assert again.get("/v3/tasks", headers={"X-Auth-Token": token}).status_code == 200
    assert _in_any_order(again.get("/_mock/snapshot").get_json()["sms"]) == _in_any_order(
        before["sms"]
    )
    again.application.extensions["sms_mock"].close()


def test_a_snapshot_round_trips_every_kind_of_task_setting(client: FlaskClient, token: str) -> None:
    auth = {"X-Auth-Token": token}
    base = "/v3/tasks/sample-migrate-success"
    window = {"start": "00:00", "end": "23:59", "speed": 10}
    directory = {
        "dir_check": "/etc",
        "num_total_files": 1,
        "num_different_files": 0,
        "num_target_miss_files": 0,
        "num_target_more_files": 0,
    }
    calls = [
        (f"{base}/speed-limit", {"speed_limit": [window]}),
        (
            f"{base}/configuration-setting",
            {"configurations": [{"config_key": "EXCLUDE_MIGRATE_PATH", "config_value": "/tmp"}]},
        ),
        (f"{base}/log", {"log_bucket": "logs"}),
        (f"{base}/consistency-result", {"consistency_result": [directory]}),
    ]
    for path, body in calls:
        assert client.post(path, json=body, headers=auth).status_code == 200, path
    snapshot = client.get("/_mock/snapshot").get_json()
    settings = _task_row(snapshot, "sample-migrate-success")["settings"]
    assert set(settings) == {"speed_limit", "configurations", "log", "consistency"}
    restored = client.post("/_mock/snapshot", json=snapshot)
    assert restored.status_code == 200, restored.get_json()
    assert client.get("/_mock/snapshot").get_json()["sms"] == snapshot["sms"]


def test_a_snapshot_round_trips_a_task_nested_as_deep_as_a_put_allows(
    client: FlaskClient,
) -> None:
    deep = _nested(30)  # the put's body: {"id", "kept": 30 levels} is within 32
    assert client.post("/_mock/tasks", json={"id": "deep", "kept": deep}).status_code == 201
    snapshot = client.get("/_mock/snapshot").get_json()
    assert client.post("/_mock/snapshot", json=snapshot).status_code == 200
    assert client.get("/_mock/snapshot").get_json()["sms"] == snapshot["sms"]


def test_the_clock_will_not_be_advanced_past_year_9000(client: FlaskClient) -> None:
    before = client.get("/_mock/clock").get_json()["now_ms"]
    for _ in range(3):
        moved = client.post("/_mock/clock/advance", json={"seconds": 10 * 365 * 86400})
        assert moved.status_code == 200
    far = client.post("/_mock/clock/advance", json={"seconds": 10 * 365 * 86400})
    for _ in range(800):
        if far.status_code != 200:
            break
        far = client.post("/_mock/clock/advance", json={"seconds": 10 * 365 * 86400})
    stopped = client.get("/_mock/clock").get_json()["now_ms"]
    assert error_message(far, 400, "MOCK.0400") == mock_refusal(
        "seconds", "The clock would pass 9000-01-01."
    )
    assert client.get("/_mock/clock").get_json()["now_ms"] == stopped  # the refusal moved nothing
    assert client.post("/v3/auth/tokens", json=password_body()).status_code == 201
    assert stopped > before


def test_no_way_round_the_advance_check_takes_the_clock_past_year_9000(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A scenario loaded again and again advances the clock each time, and a real clock at a
    # high speed runs by itself: both stop at 9000-01-01, where every snapshot still loads.
    from sms_mock.contracts.snapshot import CLOCK_MAX_MS
    from sms_mock.mock_server.core import clock as clocks

    app = create_app(Config(clock="manual"))
    client = app.test_client()
    client.post("/_mock/clock/advance", json={"seconds": 10 * 365 * 86400})
    app.extensions["sms_mock"].clock.advance(7000 * 365 * 86400)
    assert client.get("/_mock/clock").get_json()["now_ms"] == CLOCK_MAX_MS
    snapshot = client.get("/_mock/snapshot").get_json()
    assert client.post("/_mock/snapshot", json=snapshot).status_code == 200

    real = clocks.RealClock(speed=1_000_000)
    started = clocks.monotonic_ms()
    monkeypatch.setattr(clocks, "monotonic_ms", lambda: started + 400 * 86_400_000)  # 400 days
    assert real.now_ms() == CLOCK_MAX_MS
    real.set_speed(2)
    assert real.now_ms() == CLOCK_MAX_MS


@pytest.mark.parametrize("speed", [0, -1, 2e6, float("inf"), float("nan")])
def test_a_speed_no_snapshot_could_hold_is_refused_at_start(speed: float) -> None:
    with pytest.raises(ValueError, match=r"^--speed must be from 0\.001 to 1e\+06"):
        Config(clock="real", speed=speed)


def test_the_real_clock_does_not_go_back_with_the_wall(monkeypatch: pytest.MonkeyPatch) -> None:
    from sms_mock.mock_server.core import clock as clocks

    real = clocks.RealClock()
    first = real.now_ms()
    wall = clocks.wall_ms()
    monkeypatch.setattr(clocks, "wall_ms", lambda: wall - 3_600_000)  # set back an hour
    monkeypatch.setattr(clocks.time, "time_ns", lambda: (wall - 3_600_000) * 1_000_000)
    assert real.now_ms() >= first


# --- every writing route: five hostile bodies, each answered as documented ---------------------

# A path parameter of each name, filled in: a task, source and template of the fixtures, and ids
# that name nothing (a migration project, a fault).
_PATH_VALUES = {
    "task_id": "sample-ready",
    "source_id": "src-linux-file",
    "server_id": "src-sample-ready",
    "id": "tpl-default",
    "mig_project_id": "x",
    "fault_id": "x",
    "name": "failed-at-migrate-40",
}


@dataclass(frozen=True)
class Hostile:
    """A body valid JSON but for one thing, and where and why a route that reads it refuses it."""

    text: str
    field: str
    reason: str
    # In a snapshot, which may nest deeper: where and why, when that differs.
    snapshot_field: str | None = None
    snapshot_reason: str | None = None


HOSTILE_BODIES = {
    "huge-integer": Hostile('{"k": %s}' % ("9" * 400), "k", INT64),
    "beyond-double": Hostile('{"k": 1e400}', "k", DOUBLE),
    # 41 levels: past every limit, a snapshot's too. The first object too deep is level 33
    # (41), reached through 32 (40) keys.
    "deep": Hostile(
        '{"k": ' * 41 + "1" + "}" * 41,
        ".".join(["k"] * 32),
        TOO_DEEP,
        ".".join(["k"] * 40),
        SNAPSHOT_TOO_DEEP,
    ),
    "lone-surrogate": Hostile('{"k": "\\ud800"}', "k", SURROGATE),
    "surrogate-key": Hostile('{"\\udfff": 1}', "body", SURROGATE_KEY),
}


@dataclass(frozen=True)
class Refused:
    """The route reads its body and refuses the hostile one: `status` and `code`, the message
    `template` naming the field; nothing changes."""

    status: int
    code: str
    template: str


@dataclass(frozen=True)
class Unread:
    """The route does not read a body (README: a DELETE's body is not read; the control plane's
    reset and the dashboard's sign-in forms take none): it answers as it would without one."""

    status: int
    code: str | None = None  # the error an answer without a body is, and its whole message
    message: str | None = None
    body: Any = None  # the whole JSON answer, when it is fixed
    location: str | None = None  # a redirect's target
    gone: tuple[str, str] | None = None  # (path, code): what the call deleted answers 404 after


SMS_BODY = Refused(400, "SMS.6011", SMS_NOT_TO_SPEC)
MOCK_BODY = Refused(400, "MOCK.0400", MOCK_INVALID)
KEYSTONE_BODY = Refused(400, "Bad Request", KEYSTONE_INVALID)
IAM_BODY = Refused(400, "IAM.0007", IAM_INVALID)

WRITING_ROUTES = [
    # IAM (README: a malformed token request is Keystone's 400, a malformed temporary
    # credentials request IAM.0007, each naming the field).
    ("POST", "/v3/auth/tokens", KEYSTONE_BODY),
    ("POST", "/v3.0/OS-CREDENTIAL/securitytokens", IAM_BODY),
    # SMS: every body through the service's checks (SMS.6011 names the field).
    ("POST", "/v3/tasks", SMS_BODY),
    ("PUT", "/v3/tasks/sample-ready", SMS_BODY),
    ("POST", "/v3/tasks/sample-ready/action", SMS_BODY),
    ("POST", "/v3/tasks/delete", SMS_BODY),
    ("POST", "/v3/tasks/sample-ready/speed-limit", SMS_BODY),
    ("POST", "/v3/tasks/sample-ready/configuration-setting", SMS_BODY),
    ("POST", "/v3/tasks/sample-ready/log", SMS_BODY),
    ("POST", "/v3/tasks/sample-ready/consistency-result", SMS_BODY),
    ("POST", "/v3/tasks/consistency-results/export", SMS_BODY),
    ("POST", "/v3/sample-ready/update-network-check-info", SMS_BODY),
    ("PUT", "/v3/tasks/sample-ready/progress", SMS_BODY),
    ("POST", "/v3/tasks/sample-ready/unlock", SMS_BODY),  # no body or `{}`, read to tell
    ("POST", "/v3/sources", SMS_BODY),
    ("PUT", "/v3/sources/src-linux-file", SMS_BODY),
    ("PUT", "/v3/sources/src-linux-file/changestate", SMS_BODY),
    ("PUT", "/v3/sources/src-linux-file/diskinfo", SMS_BODY),
    ("POST", "/v3/sources/delete", SMS_BODY),
    ("POST", "/v3/sources/src-sample-ready/command_result", SMS_BODY),
    ("POST", "/v3/vm/templates", SMS_BODY),
    ("PUT", "/v3/vm/templates/tpl-default", SMS_BODY),
    ("POST", "/v3/vm/templates/delete", SMS_BODY),
    ("POST", "/v3/migprojects", SMS_BODY),
    ("PUT", "/v3/migprojects/x", SMS_BODY),  # the body is read before the project is looked up
    ("PUT", "/v3/migprojects/x/default", SMS_BODY),  # no body or `{}`, read to tell
    ("POST", "/v3/privacy-agreements", SMS_BODY),  # no body or `{}`, read to tell
    # SMS deletes: the body is not read.
    (
        "DELETE",
        "/v3/tasks/sample-ready",
        Unread(200, body={}, gone=("/v3/tasks/sample-ready", "SMS.7703")),
    ),
    (
        "DELETE",
        "/v3/sources/src-linux-file",
        Unread(200, body={}, gone=("/v3/sources/src-linux-file", "SMS.7602")),
    ),
    (
        "DELETE",
        "/v3/vm/templates/tpl-default",
        Unread(200, body={}, gone=("/v3/vm/templates/tpl-default", "SMS.7101")),
    ),
    (
        "DELETE",
        "/v3/migprojects/x",
        Unread(
            404,
            code="SMS.7301",
            message="The specified migration template does not exist. "
            "No migration project x in this project.",
        ),
    ),
    # The control plane: what takes a body refuses it (MOCK.0400 naming the field).
    ("POST", "/_mock/clock/advance", MOCK_BODY),
    ("POST", "/_mock/clock/speed", MOCK_BODY),
    ("POST", "/_mock/tasks", MOCK_BODY),
    ("POST", "/_mock/sources", MOCK_BODY),
    ("POST", "/_mock/templates", MOCK_BODY),
    ("POST", "/_mock/faults", MOCK_BODY),
    ("POST", "/_mock/snapshot", MOCK_BODY),
    ("POST", "/_mock/scenarios/failed-at-migrate-40", MOCK_BODY),
    ("POST", "/_mock/tokens", MOCK_BODY),
    # ... and what takes none answers as without one.
    ("POST", "/_mock/reset", Unread(200)),
    ("DELETE", "/_mock/faults", Unread(200, body={"faults": []})),
    (
        "DELETE",
        "/_mock/faults/x",
        Unread(404, code="MOCK.0404", message="The fault does not exist. No fault x."),
    ),
    ("DELETE", "/_mock/requests", Unread(200, body={"requests": []})),
    # The dashboard's forms: without an admin token, back to the page.
    ("POST", "/_mock/ui/login", Unread(303, location="/_mock/ui")),
    ("POST", "/_mock/ui/logout", Unread(303, location="/_mock/ui")),
]


def _writing_routes_of_the_app() -> set[tuple[str, str]]:
    """Every route of the app that takes a POST, PUT or DELETE, its parameters filled in."""
    app = create_app(Config(clock="manual", default_fixtures=False))
    found = set()
    for rule in app.url_map.iter_rules():
        assert isinstance(rule, Rule)
        for method in (rule.methods or set()) & {"POST", "PUT", "DELETE"}:
            path = rule.rule
            for name in rule.arguments:
                path = path.replace(f"<{name}>", _PATH_VALUES[name])
            found.add((method, path))
    return found


def test_the_hostile_table_holds_every_writing_route_once() -> None:
    listed = [(method, path) for method, path, _ in WRITING_ROUTES]
    assert len(listed) == len(set(listed))
    assert set(listed) == _writing_routes_of_the_app()


def _expected_message(answer: Refused, hostile: Hostile, path: str) -> str:
    field, reason = hostile.field, hostile.reason
    if path == "/_mock/snapshot" and hostile.snapshot_field is not None:
        field, reason = hostile.snapshot_field, hostile.snapshot_reason or reason
    return answer.template.format(field=field, reason=reason)


@pytest.mark.parametrize("hostile", list(HOSTILE_BODIES.values()), ids=list(HOSTILE_BODIES))
@pytest.mark.parametrize(
    ("method", "path", "answer"),
    [pytest.param(*row, id=f"{row[0]}-{row[1]}") for row in WRITING_ROUTES],
)
def test_a_hostile_body_on_any_route_is_answered_as_documented(
    client: FlaskClient,
    token: str,
    method: str,
    path: str,
    answer: Refused | Unread,
    hostile: Hostile,
) -> None:
    before = client.get("/_mock/snapshot").get_json()
    response = client.open(
        path,
        method=method,
        data=hostile.text.encode(),
        # The emulator's own Origin, as its dashboard's forms carry it (others are refused).
        headers={**JSON, "X-Auth-Token": token, "Origin": "http://localhost"},
    )
    if isinstance(answer, Refused):
        message = error_message(response, answer.status, answer.code)
        assert message == _expected_message(answer, hostile, path)
        assert client.get("/_mock/snapshot").get_json() == before, "a refusal changed the state"
    else:
        assert response.status_code == answer.status, response.get_data(as_text=True)
        if answer.code is not None:
            assert error_message(response, answer.status, answer.code) == answer.message
        if answer.body is not None:
            assert response.get_json() == answer.body
        if answer.location is not None:
            assert response.headers["Location"] == answer.location
        if answer.gone is not None:
            gone, code = answer.gone
            error_body(client.get(gone, headers={"X-Auth-Token": token}), 404, code)
        # What was accepted is kept in a state that still reads, dumps and restores whole.
        snapshot = client.get("/_mock/snapshot")
        assert snapshot.status_code == 200
        assert client.post("/_mock/snapshot", json=snapshot.get_json()).status_code == 200
        assert client.get("/_mock/snapshot").get_json() == snapshot.get_json()
    # And a later call still works, with a token issued after it.
    fresh = client.post("/v3/auth/tokens", json=password_body()).headers["X-Subject-Token"]
    assert client.get("/v3/tasks", headers={"X-Auth-Token": fresh}).status_code == 200


# --- 13. what grows under load --------------------------------------------------------------------


def test_the_journal_keeps_a_long_path_to_its_start(client: FlaskClient) -> None:
    long_path = "/v3/" + "x" * 100_000
    assert client.get(long_path).status_code == 404
    entry = client.get("/_mock/requests").get_json()["requests"][-1]
    assert entry["path"].startswith("/v3/xxx") and len(entry["path"]) <= 2051


def test_the_journal_keeps_a_long_task_id_and_operation_to_their_start(
    client: FlaskClient, token: str
) -> None:
    # The task id from the path and the operation from the body were kept whole: 1,000 such
    # entries could hold a gigabyte.
    task_id = "t" * 200_000
    body = {"operation": "o" * 9_000}
    client.post(f"/v3/tasks/{task_id}/action", json=body, headers={"X-Auth-Token": token})
    entry = client.get("/_mock/requests").get_json()["requests"][-1]
    assert len(entry["task_id"]) <= 2051 and len(entry["operation"]) <= 2051
    assert entry["task_id"].startswith("ttt") and entry["operation"].startswith("ooo")


# --- scenario and fixture poisoning ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("task_text", "detail"),
    [
        pytest.param(
            '{"id": "p", "name": "\\ud800"}', f"tasks.0.name: {SURROGATE}", id="lone-surrogate"
        ),
        pytest.param(
            '{"id": "p", "migrate_speed": 1' + "0" * 400 + "}",
            f"tasks.0.migrate_speed: {INT64}",
            id="huge-number",
        ),
        # The file is level 1, `tasks` 2, the task 3, `kept` 4: level 33 is 29 keys below it.
        pytest.param(
            '{"id": "p", "kept": ' + '{"k": ' * 40 + "1" + "}" * 40 + "}",
            "tasks.0.kept" + ".k" * 29 + f": {TOO_DEEP}",
            id="deep",
        ),
        pytest.param(
            '{"id": "p", "create_date": "yesterday"}',
            "tasks.0.create_date: Not a valid integer: a JSON integer.",
            id="wrong-type",
        ),
    ],
)
def test_a_poisoned_scenario_file_stops_the_start_naming_it(
    tmp_path: Path, task_text: str, detail: str
) -> None:
    from sms_mock.mock_server.control.fixtures import FixtureError

    (tmp_path / "scenarios").mkdir()
    scenario = tmp_path / "scenarios" / "poisoned.json"
    text = '{"description": "poisoned", "tasks": [' + task_text + "]}"
    scenario.write_text(text, encoding="utf-8")
    with pytest.raises(FixtureError) as caught:
        create_app(Config(clock="manual", fixtures=[tmp_path]))
    assert str(caught.value) == f"{scenario}: {detail}"


def test_a_scenarios_dates_shifted_to_now_stay_within_int64(tmp_path: Path) -> None:
    # Written against 1970 with a date at int64's end: the shift to now took it past, and
    # every later read of the task, and every snapshot, failed.
    (tmp_path / "scenarios").mkdir()
    scenario = {"description": "far", "clock": {"now_ms": 0},
                "tasks": [{"id": "far", "create_date": 2**63 - 1}]}  # fmt: skip
    (tmp_path / "scenarios" / "far.json").write_text(json.dumps(scenario), encoding="utf-8")
    client = create_app(Config(clock="manual", fixtures=[tmp_path])).test_client()
    assert client.post("/_mock/scenarios/far", content_type="application/json").status_code == 201
    snapshot = client.get("/_mock/snapshot").get_json()
    assert client.post("/_mock/snapshot", json=snapshot).status_code == 200


# --- memory: what is kept, and how much -----------------------------------------------------------


def test_password_failures_are_kept_for_the_newest_names_a_users_or_not(
    emulator: Emulator,
) -> None:
    # One bounded table for every name: a user's count goes as an unknown name's would (the
    # lock-outs' own rules are tests/iam/test_lockout.py's).
    from sms_mock.mock_server.core.errors import ApiError

    iam = emulator.iam
    iam.lockouts.capacity = 3
    spec = {"name": "mock-user", "password": "wrong", "domain": {"name": "mock-domain"}}
    with pytest.raises(ApiError):
        iam.check_password(spec)
    for index in range(6):
        with pytest.raises(ApiError):
            iam.check_password({**spec, "name": f"nobody-{index}"})
    failures = iam.export()["lockouts"]["failures"]
    domain_id = iam.account.domain_named("mock-domain").id
    assert sorted(failures) == sorted(f"?{domain_id}/nobody-{i}" for i in (3, 4, 5))


def test_a_refused_action_leaves_the_task_as_it_was_stored(emulator: Emulator, sms: Sms) -> None:
    # It used to be swapped for an unpacked copy: about 9.5 KB more a task, every time.
    backend = emulator.sms
    before = backend._tasks[PROJECT_ID]["sample-ready"]
    refused = sms.act("sample-ready", "stop")
    assert error_message(refused, 400, "SMS.7714") == (
        "Only running tasks can be paused. The operation stop is not allowed in task state READY."
    )
    assert backend._tasks[PROJECT_ID]["sample-ready"] is before


def test_a_snapshot_over_a_mebibyte_posts_back(client: FlaskClient) -> None:
    # Every other body is held to 1 MiB; a snapshot grows with the state, past it.
    document = client.get("/_mock/tasks").get_json()["tasks"][1]["task"]
    for index in range(600):
        client.post("/_mock/tasks", json={**document, "id": f"bulk-{index}"})
    snapshot = client.get("/_mock/snapshot")
    assert len(snapshot.data) > 1024 * 1024
    answer = client.post("/_mock/snapshot", data=snapshot.data, content_type="application/json")
    assert answer.status_code == 200
    big_put = b'{"id": "x", "name": "' + b"a" * (1024 * 1024) + b'"}'
    too_large = client.post("/_mock/tasks", data=big_put, content_type="application/json")
    assert error_message(too_large, 413, "MOCK.0410") == (
        "The request body is too large. A body here is at most 1,048,576 bytes."
    )
