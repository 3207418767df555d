"""Hardening: inputs that once made the emulator answer 500, or persist a state that broke it.

Each section reproduces one finding of an adversarial run against the API as it stands, with
a body that is valid but for the one hostile thing, and checks the documented 400 (naming the
field) and that nothing changed.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import stat
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from flask.testing import FlaskClient

from sms_mock.mock_server import Config, create_app
from sms_mock.mock_server.emulator import Emulator
from tests.support.accounts import PROJECT_ID, password_body
from tests.support.assertions import changes_nothing, error_message
from tests.support.helpers import Sms, create_body, free_source
from tests.support.servers import SMS_MOCK, serving, stop

HUGE = 10**400  # 401 digits: no float holds it
JSON = {"Content-Type": "application/json"}


def raw_post(client: FlaskClient, path: str, text: str, **kwargs: Any) -> Any:
    return client.post(path, data=text.encode(), headers={**JSON, **kwargs.pop("headers", {})})


# --- 1. numbers too large for any float ---------------------------------------------------------


def test_a_huge_integer_in_a_create_is_a_400_naming_the_field(
    client: FlaskClient, emulator: Emulator, token: str
) -> None:
    body = create_body(free_source(client), over_speed_threshold=HUGE)
    with changes_nothing(emulator):
        response = raw_post(client, "/v3/tasks", json.dumps(body), headers={"X-Auth-Token": token})
    assert "over_speed_threshold" in error_message(response, 400, "SMS.6011")


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        pytest.param("/_mock/clock/advance", {"seconds": HUGE}, "seconds", id="clock-advance"),
        pytest.param(
            "/_mock/faults",
            {"match": {"path": "*"}, "status": 503, "probability": HUGE},
            "probability",
            id="http-fault-probability",
        ),
        pytest.param(
            "/_mock/tasks",
            {"id": "huge", "durations": {"MIGRATE_LINUX_FILE": HUGE}},
            "durations",
            id="task-put-durations",
        ),
        pytest.param(
            "/_mock/tasks",
            {"id": "huge", "migrate_speed": HUGE},
            "migrate_speed",
            id="task-put-migrate-speed",
        ),
        # 1e400 is valid JSON that Python reads as infinity, which no answer could carry.
        pytest.param(
            "/_mock/tasks",
            {"id": "huge", "total_cpu_usage": "1e400"},
            "total_cpu_usage",
            id="task-put-float-beyond-double",
        ),
        pytest.param(
            "/_mock/tasks",
            {"id": "huge", "kept": {"n": "1e400"}},
            "kept.n",
            id="task-put-unknown-key-beyond-double",
        ),
    ],
)
def test_a_huge_number_on_the_control_plane_is_a_400_naming_the_field(
    client: FlaskClient, emulator: Emulator, path: str, body: dict[str, Any], field: str
) -> None:
    before = client.get("/_mock/clock").get_json()["now_ms"]
    text = json.dumps(body).replace('"1e400"', "1e400")
    with changes_nothing(emulator):
        response = raw_post(client, path, text)
    assert field in error_message(response, 400, "MOCK.0400")
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
    assert "used_size" in error_message(response, 400, "MOCK.0400")
    auth = {"X-Auth-Token": token}
    assert client.get("/v3/tasks", headers=auth).status_code == 200
    assert client.get("/v3/tasks/big-volume", headers=auth).status_code == 404


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
    error_message(response, 500, "SMS.6000")
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
    assert "body" in error_message(response, 400, "MOCK.0400")
    assert client.get("/_mock/faults").get_json() == {"faults": []}
    assert client.get("/v3/tasks", headers={"X-Auth-Token": token}).status_code == 200


@pytest.mark.parametrize(
    ("path", "body"),
    [
        pytest.param("/_mock/tasks", {"id": "bad-name", "name": "\ud800"}, id="task-name"),
        pytest.param(
            "/_mock/faults",
            {
                "task_id": "sample-ready",
                "subtask": "MIGRATE_LINUX_FILE",
                "error_json": {"error_msg": "\udfff"},
            },
            id="task-fault-error-json",
        ),
    ],
)
def test_a_lone_surrogate_anywhere_on_the_control_plane_is_a_400(
    client: FlaskClient, emulator: Emulator, path: str, body: dict[str, Any]
) -> None:
    text = json.dumps(body)  # json.dumps writes the lone surrogate as an escape
    with changes_nothing(emulator):
        response = raw_post(client, path, text)
    error_message(response, 400, "MOCK.0400")


# --- 9. nesting -----------------------------------------------------------------------------------


def _nested(depth: int) -> dict[str, Any]:
    inner: dict[str, Any] = {}
    for _ in range(depth):
        inner = {"k": inner}
    return inner


@pytest.mark.parametrize("depth", [40, 500, 950])
@pytest.mark.parametrize(
    "path",
    ["/_mock/tasks", "/_mock/sources", "/_mock/templates", "/_mock/faults", "/_mock/snapshot"],
)
def test_an_unknown_key_nested_deep_is_a_400_on_every_control_route(
    client: FlaskClient, emulator: Emulator, path: str, depth: int
) -> None:
    body = {"id": "deep", "unknown": _nested(depth)}
    with changes_nothing(emulator):
        response = raw_post(client, path, json.dumps(body))
    # Refused for its depth, not for what a shallow body of that route would lack.
    assert "Nested deeper than" in error_message(response, 400, "MOCK.0400")


@pytest.mark.parametrize("depth", [40, 950])
def test_nesting_beyond_the_limit_is_a_400_on_sms_routes(
    client: FlaskClient, emulator: Emulator, token: str, depth: int
) -> None:
    body = create_body(free_source(client), unknown=_nested(depth))
    with changes_nothing(emulator):
        response = raw_post(client, "/v3/tasks", json.dumps(body), headers={"X-Auth-Token": token})
    assert "Nested deeper than" in error_message(response, 400, "SMS.6011")


# --- 14. smaller ones -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/_mock/tasks", "/_mock/sources", "/_mock/templates"])
def test_an_empty_project_query_is_a_400_not_the_default_project(
    client: FlaskClient, emulator: Emulator, path: str
) -> None:
    with changes_nothing(emulator):
        response = client.post(f"{path}?project=", json={"id": "empty-project"})
    assert "project" in error_message(response, 400, "MOCK.0400")


# --- 4, 13, 14. the state file: one server a file, owner-only, damage named ----------------------


def serve_on(state_file: Path, *more: str) -> subprocess.CompletedProcess[str]:
    """`sms-mock serve` on the file, expected to refuse to start."""
    return subprocess.run(
        [SMS_MOCK, "serve", "--port", "0", "--state-file", str(state_file), *more],
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_a_second_server_on_one_state_file_exits_2_in_one_line(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    with serving(SMS_MOCK, "serve", "--state-file", str(db)) as (process, url):
        second = serve_on(db)
        assert requests.get(f"{url}/_mock/health", timeout=5).status_code == 200
        stop(process, signal.SIGTERM)
    assert second.returncode == 2
    assert second.stderr.startswith(f"sms-mock: --state-file {db}: in use by another sms-mock")
    assert len(second.stderr.strip().splitlines()) == 1
    assert second.stdout == ""


def test_a_state_file_is_released_when_its_server_stops(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    create_app(Config(clock="manual", state_file=db)).extensions["sms_mock"].close()
    with serving(SMS_MOCK, "serve", "--state-file", str(db)) as (process, _):
        code, _ = stop(process, signal.SIGTERM)
    assert code == 0
    create_app(Config(clock="manual", state_file=db)).extensions["sms_mock"].close()


def test_the_state_file_and_its_companions_are_owner_only(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    previous = os.umask(0o022)  # what most shells have: files 0644 unless asked otherwise
    try:
        app = create_app(Config(clock="manual", state_file=db))
        client = app.test_client()
        assert client.post("/v3/auth/tokens", json=password_body()).status_code == 201
        names = sorted(p.name for p in tmp_path.iterdir())
        assert names == ["state.db", "state.db-shm", "state.db-wal", "state.db.lock"]
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir()}
        assert modes == dict.fromkeys(names, 0o600)
        app.extensions["sms_mock"].close()
    finally:
        os.umask(previous)


def test_an_existing_readable_state_file_is_made_owner_only(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    create_app(Config(clock="manual", state_file=db)).extensions["sms_mock"].close()
    db.chmod(0o644)
    create_app(Config(clock="manual", state_file=db)).extensions["sms_mock"].close()
    assert stat.S_IMODE(db.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("damage", "named"),
    [
        pytest.param(
            "UPDATE meta SET value = '{not json' WHERE key = 'clock'",
            "not JSON",
            id="meta-not-json",
        ),
        pytest.param("DROP TABLE tasks", "tasks table is missing", id="tasks-table-dropped"),
        pytest.param(
            "UPDATE tasks SET data = '[' WHERE id = 'sample-ready'",
            "not JSON",
            id="task-row-not-json",
        ),
    ],
)
def test_a_damaged_state_file_stops_the_start_naming_the_file(
    tmp_path: Path, damage: str, named: str
) -> None:
    db = tmp_path / "state.db"
    create_app(Config(clock="manual", state_file=db)).extensions["sms_mock"].close()
    with sqlite3.connect(db) as connection:
        connection.execute(damage)
    result = serve_on(db)
    assert result.returncode == 2
    assert result.stderr.startswith(f"sms-mock: --state-file {db}: "), result.stderr
    assert named in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# --- 5, 8, 12. what the state file writes, and when it cannot ------------------------------------


@pytest.fixture
def stateful(tmp_path: Path) -> Any:
    app = create_app(Config(clock="manual", state_file=tmp_path / "state.db"))
    yield app
    app.extensions["sms_mock"].close()


def _saved_rows(app: Any) -> int:
    """How many rows the state file's connection has written, inserted or deleted so far."""
    return app.extensions["sms_mock"].state_file._db.total_changes


def test_a_request_that_changes_nothing_writes_nothing(stateful: Any) -> None:
    client = stateful.test_client()
    token = client.post("/v3/auth/tokens", json=password_body()).headers["X-Subject-Token"]
    auth = {"X-Auth-Token": token}
    before = _saved_rows(stateful)
    for _ in range(5):
        assert client.get("/v3/tasks/sample-ready", headers=auth).status_code == 200
        assert client.get("/v3/tasks", headers=auth).status_code == 200
        assert client.get("/_mock/health").status_code == 200
        assert client.get("/_mock/faults").status_code == 200
    assert _saved_rows(stateful) == before
    client.post("/_mock/clock/advance", json={"seconds": 1})  # a change: it is written
    assert _saved_rows(stateful) > before


def test_deleting_a_fault_that_is_not_there_writes_nothing(stateful: Any) -> None:
    client = stateful.test_client()
    before = _saved_rows(stateful)
    for index in range(20):
        assert client.delete(f"/_mock/faults/nothing-{index}").status_code == 404
    assert _saved_rows(stateful) == before


def test_without_a_state_file_the_fault_books_keep_no_changes(
    client: FlaskClient, emulator: Emulator
) -> None:
    # Nothing drains them then: 2,000 deletes of random ids left 2,000 ids in each book.
    fault = client.post("/_mock/faults", json={"match": {"path": "/x"}, "status": 503})
    client.delete(f"/_mock/faults/{fault.get_json()['id']}")
    for index in range(50):
        client.delete(f"/_mock/faults/nothing-{index}")
    client.post("/_mock/faults", json={"task_id": "sample-ready", "subtask": "SSL_CONFIG"})
    assert not emulator.faults._touched and not emulator.http_faults._touched


def test_a_fault_add_writes_that_fault_not_every_fault(stateful: Any) -> None:
    client = stateful.test_client()
    spec = {"task_id": "sample-ready", "subtask": "MIGRATE_LINUX_FILE", "times": 1}
    written = []
    for count in range(200):
        before = _saved_rows(stateful)
        assert client.post("/_mock/faults", json=spec).status_code == 201
        if count in (0, 199):
            written.append(_saved_rows(stateful) - before)
    assert written[0] == written[1] <= 5, written  # the fault's row and two meta rows


def test_a_fault_added_while_a_save_is_under_way_is_on_disk(
    stateful: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    client = stateful.test_client()
    emulator = stateful.extensions["sms_mock"]
    state_file = emulator.state_file
    save_changes = state_file.save_changes
    added: list[str] = []

    def slow_save(**kwargs: Any) -> None:
        if not added:  # meanwhile, another request adds a fault (to the book, as its route does)
            added.append(
                emulator.faults.add(
                    {
                        "task_id": "sample-ready",
                        "subtask": "SSL_CONFIG",
                        "at_progress": 0,
                        "effect": "fail",
                        "error_json": None,
                        "times": 1,
                        "phase": None,
                        "occurrence": None,
                    }
                ).id
            )
        save_changes(**kwargs)

    monkeypatch.setattr(state_file, "save_changes", slow_save)
    client.post("/_mock/clock/advance", json={"seconds": 1})
    client.post("/_mock/clock/advance", json={"seconds": 1})  # the next save takes it
    with sqlite3.connect(tmp_path / "state.db") as connection:
        ids = [i for (i,) in connection.execute("SELECT id FROM faults WHERE kind = 'task'")]
    assert ids == added


def test_undoing_a_change_that_could_not_be_saved_does_not_set_a_real_clock_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Reads write nothing, so the file's clock is its last write's: the undo took it back.
    app = create_app(Config(clock="real", speed=1000, state_file=tmp_path / "state.db"))
    client = app.test_client()
    client.post("/_mock/clock/advance", json={"seconds": 0})
    time.sleep(0.2)  # 200 s of clock, not written
    before = client.get("/_mock/clock").get_json()["now_ms"]
    state_file = app.extensions["sms_mock"].state_file

    def disk_full(**kwargs: Any) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(state_file, "save_changes", disk_full)
    fault = {"task_id": "sample-ready", "subtask": "SSL_CONFIG"}
    error_message(client.post("/_mock/faults", json=fault), 500, "MOCK.0501")
    assert client.get("/_mock/clock").get_json()["now_ms"] >= before
    app.extensions["sms_mock"].close()


def test_a_change_that_cannot_be_saved_is_undone_and_answered_500(
    stateful: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    client = stateful.test_client()
    token = client.post("/v3/auth/tokens", json=password_body()).headers["X-Subject-Token"]
    auth = {"X-Auth-Token": token}
    state_file = stateful.extensions["sms_mock"].state_file
    save_changes = state_file.save_changes

    def disk_full(**kwargs: Any) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    listed = client.get("/v3/tasks", headers=auth).get_json()
    monkeypatch.setattr(state_file, "save_changes", disk_full)
    response = client.post(
        "/v3/tasks/sample-ready/action", json={"operation": "start"}, headers=auth
    )
    assert "disk is full" in error_message(response, 500, "SMS.6301")
    deleted = client.delete("/v3/tasks/sample-abort", headers=auth)
    error_message(deleted, 500, "SMS.6301")
    assert client.get("/v3/tasks", headers=auth).get_json() == listed  # memory: as on disk
    monkeypatch.setattr(state_file, "save_changes", save_changes)
    assert (
        client.post(
            "/v3/tasks/sample-ready/action", json={"operation": "start"}, headers=auth
        ).status_code
        == 200
    )
    stateful.extensions["sms_mock"].close()
    again = create_app(Config(clock="manual", state_file=tmp_path / "state.db")).test_client()
    revived = again.get("/v3/tasks/sample-abort", headers=auth)
    assert revived.status_code == 200  # the refused delete never reached the disk either
    assert again.get("/v3/tasks/sample-ready", headers=auth).get_json()["state"] == "RUNNING"
    again.application.extensions["sms_mock"].close()


def _mount_tmpfs(where: Path, size: str) -> bool:
    where.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True,
        timeout=10,
    )
    return done.returncode == 0


def test_on_a_really_full_disk_acknowledged_writes_are_exactly_what_remains(
    tmp_path: Path,
) -> None:
    disk = tmp_path / "small"
    if os.geteuid() != 0 or not _mount_tmpfs(disk, "512k"):
        pytest.skip("needs root and permission to mount a small tmpfs (a container may not)")
    try:
        db = disk / "state.db"
        app = create_app(Config(clock="manual", state_file=db, default_fixtures=True))
        client = app.test_client()
        token = client.post("/v3/auth/tokens", json=password_body()).headers["X-Subject-Token"]
        auth = {"X-Auth-Token": token}
        acknowledged, refused = [], 0
        for index in range(400):
            doc = {"id": f"fill-{index:03d}", "name": "x" * 2000}
            response = client.post("/_mock/tasks", json=doc)
            if response.status_code == 201:
                acknowledged.append(doc["id"])
            else:
                error_message(response, 500, "MOCK.0501")
                refused += 1
        assert refused, "the disk never filled: make it smaller"
        in_memory = {
            t["id"] for t in client.get("/v3/tasks?limit=200", headers=auth).get_json()["tasks"]
        } | {t["task"]["id"] for t in client.get("/_mock/tasks").get_json()["tasks"]}
        assert {i for i in in_memory if i.startswith("fill-")} == set(acknowledged)
        app.extensions["sms_mock"].close()
        again = create_app(Config(clock="manual", state_file=db)).test_client()
        on_disk = {t["task"]["id"] for t in again.get("/_mock/tasks").get_json()["tasks"]}
        assert {i for i in on_disk if i.startswith("fill-")} == set(acknowledged)
        again.application.extensions["sms_mock"].close()
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True, timeout=10)


def test_a_clean_stop_keeps_the_clock_where_it_stopped(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    app = create_app(Config(clock="manual", state_file=db))
    emulator = app.extensions["sms_mock"]
    emulator.clock.advance(3600)  # not through a request: nothing saves it but the stop
    stopped_at = emulator.clock.now_ms()
    emulator.close()
    again = create_app(Config(clock="manual", state_file=db))
    assert again.extensions["sms_mock"].clock.now_ms() == stopped_at
    again.extensions["sms_mock"].close()


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
    assert "project" in error_message(unknown, 400, "MOCK.0400")


# --- 6. snapshots that once broke the server, and the clock's rules ------------------------------


def _snapshot(client: FlaskClient) -> dict[str, Any]:
    client.post("/_mock/faults", json={"match": {"path": "/nowhere"}, "status": 418})
    client.post("/_mock/faults", json={"task_id": "sample-ready", "subtask": "SSL_CONFIG"})
    return client.get("/_mock/snapshot").get_json()


def _task_row(snapshot: dict[str, Any], task_id: str) -> dict[str, Any]:
    return next(t for t in snapshot["sms"]["tasks"] if t["id"] == task_id)


def _poison(name: str, snapshot: dict[str, Any]) -> str:
    """Poison a good snapshot one way; the field the refusal must name."""
    if name == "http-fault-path-not-a-string":
        snapshot["http_faults"][0]["match"]["path"] = 123
        return "http_faults.0.match.path"
    if name == "task-doc-not-an-object":
        _task_row(snapshot, "sample-ready")["doc"] = "not a document"
        return "doc"
    if name == "task-fault-progress-not-a-number":
        snapshot["faults"][0]["at_progress"] = "x"
        return "faults.0.at_progress"
    if name == "run-starting-in-the-future":
        run = _task_row(snapshot, "sample-running")["run"]
        run["t0"] = snapshot["clock"]["now_ms"] + 3_600_000
        return "run.t0"
    if name == "clock-beyond-any-date":
        snapshot["clock"]["now_ms"] = 10**30
        return "clock.now_ms"
    if name == "clock-at-1970":
        snapshot["clock"]["now_ms"] = 0
        return "clock.now_ms"
    if name == "task-doc-with-a-bad-state":
        _task_row(snapshot, "sample-ready")["doc"]["state"] = "PAUSED"
        return "state"
    if name == "run-indexing-no-sub-task":
        _task_row(snapshot, "sample-running")["run"]["pending"] = [99]
        return "run.pending"
    if name == "token-of-no-user":
        snapshot["tokens"].append(
            {
                "id": "MIIx",
                "user_id": "ghost",
                "methods": ["password"],
                "issued_ms": snapshot["clock"]["now_ms"],
                "expires_ms": snapshot["clock"]["now_ms"] + 1,
            }
        )
        return "tokens.0.user_id"
    if name == "task-settings-log-not-an-object":
        _task_row(snapshot, "sample-ready")["settings"] = {"log": "x"}  # every read settles it
        return "settings.log"
    if name == "task-settings-unknown-key":
        _task_row(snapshot, "sample-ready")["settings"] = {"speed_limit": [{"start": "25:00"}]}
        return "settings.speed_limit.0"
    if name == "source-doc-with-a-bad-disk":
        row = next(r for r in snapshot["sms"]["resources"] if r["kind"] == "source")
        row["doc"]["disks"] = "none"
        return "disks"
    if name.startswith("source-own-key"):
        row = next(r for r in snapshot["sms"]["resources"] if r["kind"] == "source")
        key, value = {
            "source-own-key-command-results-not-a-list": ("_command_results", {"a": 1}),
            "source-own-key-migproject-not-a-string": ("_migproject", 5),
            "source-own-key-unknown": ("_anything", 1),
        }[name]
        row["doc"][key] = value  # each made a later call of that source fail
        return key
    raise AssertionError(name)


POISONS = [
    "http-fault-path-not-a-string",
    "task-doc-not-an-object",
    "task-fault-progress-not-a-number",
    "run-starting-in-the-future",
    "clock-beyond-any-date",
    "clock-at-1970",
    "task-doc-with-a-bad-state",
    "run-indexing-no-sub-task",
    "token-of-no-user",
    "source-doc-with-a-bad-disk",
    "task-settings-log-not-an-object",
    "task-settings-unknown-key",
    "source-own-key-command-results-not-a-list",
    "source-own-key-migproject-not-a-string",
    "source-own-key-unknown",
]


@pytest.mark.parametrize("key", ["_command_results", "_migproject", "_task_id", "_agent_driven"])
def test_a_put_source_cannot_set_the_emulators_own_keys(client: FlaskClient, key: str) -> None:
    # {"_command_results": {"a": 1}} was taken, and every later command result of it was a 500.
    answer = client.post("/_mock/sources", json={"id": "srcx", key: {"a": 1}})
    assert key in error_message(answer, 400, "MOCK.0400")
    assert client.post("/_mock/sources", json={"id": "srcx"}).status_code == 201


def test_the_agents_answers_round_trip_in_a_snapshot(client: FlaskClient, token: str) -> None:
    auth = {"X-Auth-Token": token}
    result = {"command_name": "START", "result": "success", "result_detail": {}}
    answer = client.post("/v3/sources/src-sample-ready/command_result", json=result, headers=auth)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    snapshot = client.get("/_mock/snapshot").get_json()
    assert client.post("/_mock/snapshot", json=snapshot).status_code == 200
    assert client.get("/_mock/snapshot").get_json()["sms"] == snapshot["sms"]


@pytest.mark.parametrize("poison", POISONS)
def test_a_poisoned_snapshot_is_refused_naming_the_field_and_changes_nothing(
    tmp_path: Path, poison: str
) -> None:
    db = tmp_path / "state.db"
    app = create_app(Config(clock="manual", state_file=db))
    client = app.test_client()
    snapshot = _snapshot(client)
    field = _poison(poison, snapshot)
    before = client.get("/_mock/snapshot").get_json()
    response = client.post("/_mock/snapshot", json=snapshot)
    assert field in error_message(response, 400, "MOCK.0400")
    assert client.get("/_mock/snapshot").get_json() == before
    token = client.post("/v3/auth/tokens", json=password_body()).headers["X-Subject-Token"]
    assert client.get("/v3/tasks", headers={"X-Auth-Token": token}).status_code == 200
    app.extensions["sms_mock"].close()
    # ... and the file was not written: a restart serves as before.
    again = create_app(Config(clock="manual", state_file=db)).test_client()
    token = again.post("/v3/auth/tokens", json=password_body()).headers["X-Subject-Token"]
    assert again.get("/v3/tasks", headers={"X-Auth-Token": token}).status_code == 200
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
    assert "9000" in error_message(far, 400, "MOCK.0400")
    assert client.post("/v3/auth/tokens", json=password_body()).status_code == 201
    assert client.get("/_mock/clock").get_json()["now_ms"] > before


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


def test_at_the_clocks_end_what_lies_ahead_of_it_still_loads(tmp_path: Path) -> None:
    # A token's expiry and a stopping task's timer lie ahead of a clock stopped at 9000-01-01:
    # the snapshot and the state file take them, and a restart serves.
    db = tmp_path / "state.db"
    app = create_app(Config(clock="manual", state_file=db))
    client = app.test_client()
    app.extensions["sms_mock"].clock.advance(7000 * 365 * 86400)
    client.post("/_mock/clock/advance", json={"seconds": 0})  # saved with the clock at its end
    token = client.post("/v3/auth/tokens", json=password_body()).headers["X-Subject-Token"]
    auth = {"X-Auth-Token": token}
    action = "/v3/tasks/sample-ready/action"
    for operation in ("start", "stop"):  # stopping: ABORT two seconds of clock from now
        assert client.post(action, json={"operation": operation}, headers=auth).status_code == 200
    snapshot = client.get("/_mock/snapshot").get_json()
    assert client.post("/_mock/snapshot", json=snapshot).status_code == 200
    app.extensions["sms_mock"].close()
    again = create_app(Config(clock="manual", state_file=db)).test_client()
    assert again.get("/v3/tasks/sample-ready", headers=auth).get_json()["state"] == "ABORTING"
    again.application.extensions["sms_mock"].close()


@pytest.mark.parametrize("speed", [0, -1, 2e6, float("inf"), float("nan")])
def test_a_speed_no_snapshot_could_hold_is_refused_at_start(speed: float) -> None:
    with pytest.raises(ValueError, match=r"--speed must be from 0\.001 to 1e\+06"):
        Config(clock="real", speed=speed)


def test_the_real_clock_does_not_go_back_with_the_wall(monkeypatch: pytest.MonkeyPatch) -> None:
    from sms_mock.mock_server.core import clock as clocks

    real = clocks.RealClock()
    first = real.now_ms()
    wall = clocks.wall_ms()
    monkeypatch.setattr(clocks, "wall_ms", lambda: wall - 3_600_000)  # set back an hour
    monkeypatch.setattr(clocks.time, "time_ns", lambda: (wall - 3_600_000) * 1_000_000)
    assert real.now_ms() >= first


# --- every route: hostile bodies never answer 5xx, and nothing accepted breaks later calls -------

_PATH_VALUES = {
    "task_id": "sample-ready",
    "source_id": "src-linux-file",
    "server_id": "src-sample-ready",
    "id": "tpl-default",
    "mig_project_id": "x",
    "fault_id": "x",
    "name": "failed-at-migrate-40",
}
HOSTILE_BODIES = {
    "huge-integer": '{"k": %s}' % ("9" * 400),
    "beyond-double": '{"k": 1e400}',
    "deep": '{"k": ' * 40 + "1" + "}" * 40,
    "lone-surrogate": '{"k": "\\ud800"}',
    "surrogate-key": '{"\\udfff": 1}',
}


def _writing_routes() -> list[Any]:
    from werkzeug.routing import Rule

    app = create_app(Config(clock="manual", default_fixtures=False))
    params = []
    for rule in app.url_map.iter_rules():
        assert isinstance(rule, Rule)
        for method in sorted((rule.methods or set()) & {"POST", "PUT", "DELETE"}):
            path = rule.rule
            for name in rule.arguments:
                path = path.replace(f"<{name}>", _PATH_VALUES[name])
            params.append(pytest.param(method, path, id=f"{method}-{path}"))
    return params


@pytest.mark.parametrize("body", list(HOSTILE_BODIES.values()), ids=list(HOSTILE_BODIES))
@pytest.mark.parametrize(("method", "path"), _writing_routes())
def test_a_hostile_body_on_any_route_is_refused_or_harmless(
    client: FlaskClient, token: str, method: str, path: str, body: str
) -> None:
    response = client.open(
        path,
        method=method,
        data=body.encode(),
        headers={**JSON, "X-Auth-Token": token},
    )
    assert response.status_code < 500, response.get_data(as_text=True)
    # Whatever was accepted, the whole state still reads, dumps and restores.
    snapshot = client.get("/_mock/snapshot")
    assert snapshot.status_code == 200
    assert client.post("/_mock/snapshot", json=snapshot.get_json()).status_code == 200
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
    ("task_text", "problem"),
    [
        ('{"id": "p", "name": "\\ud800"}', "Unicode"),
        ('{"id": "p", "migrate_speed": 1' + "0" * 400 + "}", "int64"),
        ('{"id": "p", "kept": ' + '{"k": ' * 40 + "1" + "}" * 40 + "}", "Nested"),
        ('{"id": "p", "create_date": "yesterday"}', "create_date"),
    ],
    ids=["lone-surrogate", "huge-number", "deep", "wrong-type"],
)
def test_a_poisoned_scenario_file_stops_the_start_naming_it(
    tmp_path: Path, task_text: str, problem: str
) -> None:
    from sms_mock.mock_server.control.fixtures import FixtureError

    (tmp_path / "scenarios").mkdir()
    scenario = tmp_path / "scenarios" / "poisoned.json"
    text = '{"description": "poisoned", "tasks": [' + task_text + "]}"
    scenario.write_text(text, encoding="utf-8")
    with pytest.raises(FixtureError) as caught:
        create_app(Config(clock="manual", fixtures=[tmp_path]))
    assert str(scenario) in str(caught.value)
    assert problem in str(caught.value)


def test_a_scenarios_dates_shifted_to_now_stay_within_int64(tmp_path: Path) -> None:
    # Written against 1970 with a date at int64's end: the shift to now took it past, and
    # every later read of the task, and every snapshot, failed.
    (tmp_path / "scenarios").mkdir()
    scenario = {"description": "far", "clock": {"now_ms": 0},
                "tasks": [{"id": "far", "create_date": 2**63 - 1}]}  # fmt: skip
    (tmp_path / "scenarios" / "far.json").write_text(json.dumps(scenario), encoding="utf-8")
    client = create_app(Config(clock="manual", fixtures=[tmp_path])).test_client()
    assert client.post("/_mock/scenarios/far").status_code == 201
    snapshot = client.get("/_mock/snapshot").get_json()
    assert client.post("/_mock/snapshot", json=snapshot).status_code == 200


def test_a_fault_for_a_task_that_does_not_exist_is_refused(client: FlaskClient) -> None:
    response = client.post(
        "/_mock/faults", json={"task_id": "sample-redy", "subtask": "SSL_CONFIG"}
    )
    assert "sample-redy" in error_message(response, 404, "SMS.7703")
    other = client.post(
        "/_mock/faults?project=ap-southeast-3",
        json={"task_id": "sample-ready", "subtask": "SSL_CONFIG"},
    )
    error_message(other, 404, "SMS.7703")  # it is the default project's task, not this one's
    assert client.get("/_mock/faults").get_json() == {"faults": []}


def test_without_a_state_file_nothing_keeps_what_was_issued_for_one(emulator: Emulator) -> None:
    iam = emulator.iam
    user = next(iter(iam.account.users.values()))
    for _ in range(500):
        iam.issue(user, ["password"], None, None)
        iam.issue_credential(user, 900)
    # Only a state file drains these lists: without one they must not fill at all.
    assert iam.drain_changes().tokens == [] and iam.drain_changes().credentials == []
    assert len(iam._new_tokens) == len(iam._new_credentials) == 0


def test_a_state_file_with_its_faults_in_meta_is_moved_to_rows_once(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    app = create_app(Config(clock="manual", state_file=db))
    client = app.test_client()
    fault = client.post(
        "/_mock/faults", json={"task_id": "sample-ready", "subtask": "SSL_CONFIG"}
    ).get_json()
    app.extensions["sms_mock"].close()
    with sqlite3.connect(db) as connection:  # the layout of files before 0.3
        rows = [json.loads(d) for (d,) in connection.execute("SELECT data FROM faults")]
        connection.execute("DELETE FROM faults")
        connection.execute("INSERT INTO meta VALUES ('faults', ?)", (json.dumps(rows),))
        connection.execute("INSERT INTO meta VALUES ('http_faults', '[]')")
    again = create_app(Config(clock="manual", state_file=db))
    listed = again.test_client().get("/_mock/faults").get_json()["faults"]
    assert [f["id"] for f in listed] == [fault["id"]]
    again.extensions["sms_mock"].close()
    with sqlite3.connect(db) as connection:
        assert (
            connection.execute("SELECT count(*) FROM meta WHERE key LIKE '%faults'").fetchone()[0]
            == 0
        )
        assert connection.execute("SELECT count(*) FROM faults").fetchone()[0] == 1


def test_failures_of_names_that_are_no_user_are_kept_for_the_newest_only(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sms_mock.mock_server.core.errors import ApiError
    from sms_mock.mock_server.iam import backend

    monkeypatch.setattr(backend, "UNKNOWN_NAMES_KEPT", 3)
    iam = emulator.iam
    spec = {"name": "mock-user", "password": "wrong", "domain": {"name": "mock-domain"}}
    with pytest.raises(ApiError):
        iam.check_password(spec)  # a real user's failure is kept whatever happens to names
    for index in range(6):
        with pytest.raises(ApiError):
            iam.check_password({**spec, "name": f"nobody-{index}"})
    failures = iam.export()["lockouts"]["failures"]
    assert sorted(failures) == sorted(
        [next(iter(iam.account.users)), *(f"?mock-domain/nobody-{i}" for i in (3, 4, 5))]
    )


def test_a_refused_action_leaves_the_task_as_it_was_stored(emulator: Emulator, sms: Sms) -> None:
    # It used to be swapped for an unpacked copy: about 9.5 KB more a task, every time.
    backend = emulator.sms
    before = backend._tasks[PROJECT_ID]["sample-ready"]
    assert sms.act("sample-ready", "stop").status_code == 400
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
    assert (
        client.post("/_mock/tasks", data=big_put, content_type="application/json").status_code
        == 413
    )
