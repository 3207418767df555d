"""An action that fails leaves its task exactly as it was: every field of its document, its run,
its timer and its version, so that one failed call cannot break every later one.

Two failures: the lifecycle engine failing half-way through an operation (a bug; forced here by
an effect that raises once it has done all its changes, in every state each operation is
allowed in), which the backend takes back from what the engine noted as it went; and a change
the state file cannot take (a full disk, forced as `tests/state` forces it), which the emulator
takes back from the file.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sms_mock.mock_server import Config, create_app
from sms_mock.mock_server.emulator import Emulator
from sms_mock.mock_server.sms.engine import LifecycleEngine
from tests.sms.test_lifecycle import SETTLE, operation_fields, put_in_state
from tests.support import lifecycle_table as table
from tests.support.accounts import issue_token
from tests.support.assertions import error_message
from tests.support.helpers import Sms, advance

ALLOWED = [
    (operation, state)
    for operation in table.OPERATIONS
    for state in table.STATES
    if table.expected_answer(operation, state)[1] is not None
]


class Broken(RuntimeError):
    """The failure forced into an operation."""


@pytest.fixture(scope="module")
def module_app() -> Flask:
    return create_app(Config(clock="manual"))


@pytest.fixture
def module_client(module_app: Flask) -> Iterator[FlaskClient]:
    module_app.extensions["sms_mock"].reset()
    yield module_app.test_client()


def task_state(emulator: Emulator, task_id: str) -> str:
    """Everything that makes the task (its document, run, timer, version, settings), as JSON
    with its keys in their order."""
    [task] = [t for t in emulator.sms.export()["tasks"] if t["id"] == task_id]
    return json.dumps(task)


def failing_after(effect: Callable[..., None]) -> Callable[..., None]:
    def broken(*args: Any) -> None:
        effect(*args)
        raise Broken("after every change of the operation")

    return broken


@pytest.mark.parametrize(("operation", "state"), ALLOWED, ids=[f"{o}-{s}" for o, s in ALLOWED])
def test_an_operation_that_fails_half_way_leaves_the_task_exactly_as_it_was(
    module_app: Flask,
    module_client: FlaskClient,
    monkeypatch: pytest.MonkeyPatch,
    operation: str,
    state: str,
) -> None:
    emulator = module_app.extensions["sms_mock"]
    sms = Sms(module_client, issue_token(module_client))
    put_in_state(module_client, state)
    shown = sms.show("t1").data  # settled to now: the action finds it so
    before = task_state(emulator, "t1")
    listed = sms.client.get("/v3/tasks", headers=sms.headers).data
    broken = {effect: failing_after(run) for effect, run in LifecycleEngine._effects.items()}
    monkeypatch.setattr(LifecycleEngine, "_effects", broken)
    monkeypatch.setattr(module_app.logger, "disabled", True)  # the trace it logs, expected

    failed = sms.act("t1", operation, **operation_fields(operation))

    assert error_message(failed, 500, "SMS.6000") == "Service error."
    assert task_state(emulator, "t1") == before
    assert sms.show("t1").data == shown
    assert sms.client.get("/v3/tasks", headers=sms.headers).data == listed
    monkeypatch.undo()
    # Nothing is left broken: the same operation then does what the table says.
    _, row = table.expected_answer(operation, state)
    assert row is not None
    assert sms.act("t1", operation, **operation_fields(operation)).status_code == 200
    assert sms.task("t1")["state"] == (row.then or state)
    advance(module_client, SETTLE)
    assert sms.task("t1")["state"] == (row.settles_to or state)


def test_a_started_task_that_fails_half_way_keeps_none_of_the_new_sub_tasks(
    module_app: Flask, module_client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Part of the way only: the sub-tasks are added, then the first one's start fails.
    emulator = module_app.extensions["sms_mock"]
    sms = Sms(module_client, issue_token(module_client))
    put_in_state(module_client, "READY")
    sms.show("t1")
    before = task_state(emulator, "t1")

    def advance_fails(self: LifecycleEngine, task: Any, now: int) -> None:
        assert task.doc["sub_tasks"] and task.doc["state"] == "RUNNING"  # changed so far
        raise Broken("half-way")

    monkeypatch.setattr(LifecycleEngine, "_advance", advance_fails)
    monkeypatch.setattr(module_app.logger, "disabled", True)
    assert sms.act("t1", "start").status_code == 500
    assert task_state(emulator, "t1") == before
    assert sms.task("t1")["sub_tasks"] == []


def _disk_full(**kwargs: Any) -> None:
    raise sqlite3.OperationalError("database or disk is full")


def test_an_action_the_state_file_cannot_take_leaves_the_task_exactly_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(Config(clock="manual", state_file=tmp_path / "state.db"))
    emulator = app.extensions["sms_mock"]
    client = app.test_client()
    sms = Sms(client, issue_token(client))
    put_in_state(client, "MIGRATE_FAIL")
    shown = sms.show("t1").data
    before = task_state(emulator, "t1")
    monkeypatch.setattr(emulator.state_file, "save_changes", _disk_full)
    try:
        for operation in ("start", "restart", "network_check"):
            failed = sms.act("t1", operation)
            assert error_message(failed, 500, "SMS.6301").endswith("database or disk is full")
            assert task_state(emulator, "t1") == before
            assert sms.show("t1").data == shown
    finally:
        emulator.close()
