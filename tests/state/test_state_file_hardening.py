"""The state file under hostile conditions (README, "Snapshots and persistence").

Specified here: one server a file (a second exits 2 in one line, naming the holder's pid); the
file and its companions owner-only; a damaged or hand-edited file stops the start in one line
naming it, or is read as its older layout; a request that changes nothing writes nothing, and a
change writes its own rows; a change the disk refuses is undone and answered 500 `SMS.6301`
(`MOCK.0501` on the control plane), so that memory is always what the file holds; the clock's
position survives a clean stop; and without a state file nothing keeps what only a file drains.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import stat
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient

from sms_mock.mock_server import Config, create_app
from sms_mock.mock_server.emulator import Emulator
from tests.support.accounts import password_body
from tests.support.assertions import error_message
from tests.support.servers import SMS_MOCK, serving, stop

# A change the state file could not take, in each service's words (the catalogue's message,
# then the reason SQLite gave).
SMS_NOT_SAVED = "Database read or write error. The change was not saved, and was undone: {}"
MOCK_NOT_SAVED = "The change could not be saved to the state file, and was undone. {}"
DISK_FULL = "database or disk is full"
WAIT_S = 10  # a bound for what happens within milliseconds on an idle machine


def _disk_full(**kwargs: Any) -> None:
    raise sqlite3.OperationalError(DISK_FULL)


def serve_on(state_file: Path, *more: str) -> subprocess.CompletedProcess[str]:
    """`sms-mock serve` on the file, expected to refuse to start."""
    return subprocess.run(
        [SMS_MOCK, "serve", "--port", "0", "--state-file", str(state_file), *more],
        capture_output=True,
        text=True,
        timeout=30,
    )


# --- one server a file, owner-only, damage named ------------------------------------------------


def test_a_second_server_on_one_state_file_exits_2_in_one_line(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    with serving(SMS_MOCK, "serve", "--state-file", str(db)) as (process, url):
        second = serve_on(db)
        assert requests.get(f"{url}/_mock/health", timeout=5).status_code == 200
        holder = process.pid
        stop(process, signal.SIGTERM)
    assert second.returncode == 2
    # One line, naming the file and the pid of the server that holds it.
    assert second.stderr == (
        f"sms-mock: --state-file {db}: in use by another sms-mock (pid {holder})\n"
    )
    assert second.stdout == ""


@pytest.mark.parametrize("second_path", ["symlink", "hard-link", "lock-file-deleted"])
def test_the_lock_is_on_the_database_whatever_path_names_it(
    tmp_path: Path, second_path: str
) -> None:
    # A lock keyed by the path let a second server start through another name for the same
    # database, and the two undid each other's writes (issue 22, M7).
    db = tmp_path / "state.db"
    other = tmp_path / "other.db"
    with serving(SMS_MOCK, "serve", "--state-file", str(db)) as (process, url):
        if second_path == "symlink":
            other.symlink_to(db)
        elif second_path == "hard-link":
            os.link(db, other)
        else:  # whatever lies beside the database but its own files, deleted
            for path in tmp_path.iterdir():
                if path.name not in ("state.db", "state.db-wal", "state.db-shm"):
                    path.unlink()
            other = db
        second = serve_on(other)
        assert requests.get(f"{url}/_mock/health", timeout=5).status_code == 200
        holder = process.pid
        stop(process, signal.SIGTERM)
    assert second.returncode == 2
    assert second.stderr == (
        f"sms-mock: --state-file {other}: in use by another sms-mock (pid {holder})\n"
    )


def test_a_directory_as_the_state_file_stops_the_start_naming_it(tmp_path: Path) -> None:
    result = serve_on(tmp_path)
    assert result.returncode == 2
    assert result.stderr == f"sms-mock: --state-file {tmp_path}: is a directory, not a file\n"
    assert list(tmp_path.iterdir()) == []  # nothing made beside it either


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
        assert names == ["state.db", "state.db-shm", "state.db-wal"]  # the lock is on state.db
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
    ("damage", "problem"),
    [
        # The parenthesis is the JSON parser's own account of where the row goes wrong.
        pytest.param(
            "UPDATE meta SET value = '{not json' WHERE key = 'clock'",
            r"a row is not JSON \(Expecting property name enclosed in double quotes: .+\)",
            id="meta-not-json",
        ),
        pytest.param("DROP TABLE tasks", r"its tasks table is missing", id="tasks-table-dropped"),
        pytest.param(
            "DROP TABLE resources", r"its resources table is missing", id="resources-dropped"
        ),
        pytest.param(
            "UPDATE tasks SET data = '[' WHERE id = 'sample-ready'",
            r"a row is not JSON \(Expecting value: .+\)",
            id="task-row-not-json",
        ),
    ],
)
def test_a_damaged_state_file_stops_the_start_naming_the_file(
    tmp_path: Path, damage: str, problem: str
) -> None:
    db = tmp_path / "state.db"
    create_app(Config(clock="manual", state_file=db)).extensions["sms_mock"].close()
    with sqlite3.connect(db) as connection:
        connection.execute(damage)
    result = serve_on(db)
    assert result.returncode == 2
    assert re.fullmatch(rf"sms-mock: --state-file {re.escape(str(db))}: {problem}\n", result.stderr)
    assert result.stdout == ""


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


# --- what the state file writes, and when it cannot -----------------------------------------------


@pytest.fixture
def stateful(tmp_path: Path) -> Iterator[Flask]:
    app = create_app(Config(clock="manual", state_file=tmp_path / "state.db"))
    yield app
    app.extensions["sms_mock"].close()


def _saved_rows(app: Flask) -> int:
    """How many rows the state file's connection has written, inserted or deleted so far."""
    return app.extensions["sms_mock"].state_file._db.total_changes


def test_a_request_that_changes_nothing_writes_nothing(stateful: Flask) -> None:
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


def test_deleting_a_fault_that_is_not_there_writes_nothing(stateful: Flask) -> None:
    client = stateful.test_client()
    before = _saved_rows(stateful)
    for index in range(20):
        response = client.delete(f"/_mock/faults/nothing-{index}")
        assert error_message(response, 404, "MOCK.0404") == (
            f"The fault does not exist. No fault nothing-{index}."
        )
    assert _saved_rows(stateful) == before


def test_a_fault_add_writes_that_fault_not_every_fault(stateful: Flask) -> None:
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
    stateful: Flask, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
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
    written = client.post("/_mock/clock/advance", json={"seconds": 0}).get_json()["now_ms"]
    # A minute of clock (60 ms of wall time at this speed) that no write saved.
    deadline = time.monotonic() + WAIT_S
    before = written
    while before < written + 60_000:
        assert time.monotonic() < deadline, "the real clock did not run"
        time.sleep(0.01)
        before = client.get("/_mock/clock").get_json()["now_ms"]
    monkeypatch.setattr(app.extensions["sms_mock"].state_file, "save_changes", _disk_full)
    fault = {"task_id": "sample-ready", "subtask": "SSL_CONFIG"}
    refused = client.post("/_mock/faults", json=fault)
    assert error_message(refused, 500, "MOCK.0501") == MOCK_NOT_SAVED.format(DISK_FULL)
    assert client.get("/_mock/clock").get_json()["now_ms"] >= before
    app.extensions["sms_mock"].close()


def test_a_change_that_cannot_be_saved_is_undone_and_answered_500(
    stateful: Flask, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    client = stateful.test_client()
    token = client.post("/v3/auth/tokens", json=password_body()).headers["X-Subject-Token"]
    auth = {"X-Auth-Token": token}
    state_file = stateful.extensions["sms_mock"].state_file
    save_changes = state_file.save_changes

    listed = client.get("/v3/tasks", headers=auth).get_json()
    monkeypatch.setattr(state_file, "save_changes", _disk_full)
    response = client.post(
        "/v3/tasks/sample-ready/action", json={"operation": "start"}, headers=auth
    )
    assert error_message(response, 500, "SMS.6301") == SMS_NOT_SAVED.format(DISK_FULL)
    deleted = client.delete("/v3/tasks/sample-abort", headers=auth)
    assert error_message(deleted, 500, "SMS.6301") == SMS_NOT_SAVED.format(DISK_FULL)
    put = client.post("/_mock/tasks", json={"id": "not-saved"})
    assert error_message(put, 500, "MOCK.0501") == MOCK_NOT_SAVED.format(DISK_FULL)
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
    assert again.get("/v3/tasks/not-saved", headers=auth).status_code == 404
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
                assert error_message(response, 500, "MOCK.0501") == MOCK_NOT_SAVED.format(DISK_FULL)
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


# --- the clock's position ----------------------------------------------------------------------


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


# --- without a state file, nothing keeps what only a file drains ----------------------------------


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


def test_without_a_state_file_nothing_keeps_what_was_issued_for_one(emulator: Emulator) -> None:
    iam = emulator.iam
    user = next(iter(iam.account.users.values()))
    for _ in range(500):
        iam.issue(user, ["password"], None, None)
        iam.issue_credential(user, 900)
    # Only a state file drains these lists: without one they must not fill at all.
    assert iam.drain_changes().tokens == [] and iam.drain_changes().credentials == []
    assert len(iam._new_tokens) == len(iam._new_credentials) == 0
