"""Stateful contract test: random operations, faults and clock moves through the client against
the emulator, checked after every step against a reference model of the operations table (README,
"The lifecycle"; written out in `tests/support/lifecycle_table.py`).

Invariants: an operation is answered as the table says; a task only ever moves along the
table's transitions (by an operation, or by time); progress of a sub-task never goes back; a
finished sub-task never changes; another project never sees the tasks.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from sms_mock.client import ApiError, NotFound
from sms_mock.client.models import to_dict
from tests.support import lifecycle_table as table
from tests.support.helpers import create_body, free_source_at
from tests.support.servers import Target

# Moves the clock alone may make (faults included): from a state to the states it may become.
BY_TIME: dict[str, set[str]] = {
    "RUNNING": {"MIGRATE_SUCCESS", "MIGRATE_FAIL", "ABORT"},
    "SYNCING": {"SYNC_SUCCESS", "SYNC_FAIL", "ABORT"},
    "ABORTING": {"ABORT"},
    "SYNC_F_ROLLBACKING": {"SYNC_F_ROLLBACK_SUCCESS"},
}
SUBTASKS = ("SSL_CONFIG", "ATTACH_AGENT_IMAGE", "MIGRATE_LINUX_FILE", "SYNC_LINUX_FILE",
            "CONFIGURE_LINUX_FILE", "CLONE_VM")  # fmt: skip


class TaskLifecycle(RuleBasedStateMachine):
    target: Target

    tasks = Bundle("tasks")

    def __init__(self) -> None:
        super().__init__()
        self.emulator = self.target.emulator
        self.emulator.reset()
        self.sms = self.target.client()
        self.neighbour = self.target.client("ap-southeast-3")
        self.http = requests.Session()
        self.states: dict[str, str] = {}  # the reference model: the state each task must be in
        self.progress: dict[int, int] = {}
        self.finished: dict[int, dict[str, Any]] = {}

    def teardown(self) -> None:
        self.sms.close()
        self.neighbour.close()
        self.http.close()

    # --- rules ----------------------------------------------------------------------------------

    @initialize(target=tasks)
    def first_task(self) -> str:
        return self._create()

    @rule(target=tasks)
    def create(self) -> str:
        return self._create()

    def _create(self) -> str:
        # A source takes one task: each create is for a source put in just before.
        task_id = self.sms.create_task(create_body(free_source_at(self.target.url)))
        self.states[task_id] = "READY"
        return task_id

    @rule(task_id=tasks, operation=st.sampled_from(table.OPERATIONS))
    def act(self, task_id: str, operation: str) -> None:
        state = self._observe(task_id)
        if state is None:
            return
        code, row = table.expected_answer(operation, state)
        fields = {"template_id": "tpl-1"} if operation == "clone_test" else {}
        try:
            self.sms.task_action(task_id, operation, **fields)
        except ApiError as exc:
            assert (exc.status, exc.error_code) == (400, code), f"{operation} in {state}"
            return
        assert row is not None, f"{operation} in {state} was accepted; expected {code}"
        self.states[task_id] = row.then or state
        assert self.sms.get_task(task_id).state == self.states[task_id]

    @rule(task_id=tasks)
    def delete(self, task_id: str) -> None:
        state = self._observe(task_id)
        if state is None:
            return
        try:
            self.sms.delete_task(task_id)
        except ApiError as exc:
            assert state in table.UNDELETABLE and exc.error_code == "SMS.7719"
            return
        assert state not in table.UNDELETABLE
        self.states[task_id] = "GONE"

    @rule(seconds=st.sampled_from([0.5, 2, 5, 30, 120, 400]))
    def advance(self, seconds: float) -> None:
        self.emulator.clock.advance(seconds)

    @rule(
        task_id=tasks,
        subtask=st.sampled_from(SUBTASKS),
        at_progress=st.integers(0, 100),
        effect=st.sampled_from(["fail", "pause"]),
    )
    def fault(self, task_id: str, subtask: str, at_progress: int, effect: str) -> None:
        spec = {"task_id": task_id, "subtask": subtask, "at_progress": at_progress,
                "effect": effect}  # fmt: skip
        response = self.http.post(f"{self.target.url}/_mock/faults", json=spec, timeout=5)
        # A fault for a deleted task is refused: it would never fire.
        assert response.status_code == (404 if self.states[task_id] == "GONE" else 201)

    # --- invariants -----------------------------------------------------------------------------

    def _observe(self, task_id: str) -> str | None:
        """Read a task, check what the clock may have done to it, update the model."""
        expected = self.states[task_id]
        try:
            task = self.sms.get_task(task_id)
        except NotFound:
            assert expected == "GONE"
            return None
        assert expected != "GONE"
        if task.state != expected:
            assert task.state in BY_TIME.get(expected, set()), f"{expected} -> {task.state}"
        self.states[task_id] = task.state
        for sub in task.sub_tasks or []:
            assert sub.progress >= self.progress.get(sub.id, 0), f"sub-task {sub.id} went back"
            self.progress[sub.id] = sub.progress
            if sub.id in self.finished:
                assert to_dict(sub) == self.finished[sub.id], f"finished sub-task {sub.id} changed"
            elif sub.end_date is not None:
                self.finished[sub.id] = to_dict(sub)
        return task.state

    @invariant()
    def every_task_moves_only_as_the_table_allows(self) -> None:
        for task_id in list(self.states):
            self._observe(task_id)

    @invariant()
    def another_project_sees_none_of_them(self) -> None:
        assert self.neighbour.list_tasks_page(limit=0).count == 0


@pytest.fixture
def machine(target: Target) -> type[TaskLifecycle]:
    target.emulator  # noqa: B018 - skips against an outside server: clock moves need /_mock
    TaskLifecycle.target = target
    return TaskLifecycle


def test_random_operations_and_clock_moves_keep_the_lifecycle_invariants(
    machine: type[TaskLifecycle],
) -> None:
    # Half the profile's runs, of 25 steps each (so `make fuzz` runs many more).
    runs = max(5, settings.default.max_examples // 2)
    run_state_machine_as_test(
        machine, settings=settings(max_examples=runs, stateful_step_count=25, deadline=None)
    )
