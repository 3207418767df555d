"""Many threads at once over real HTTP: no 5xx, every change of a task one the lifecycle allows,
no lost update.

Bounded: a fixed number of threads and requests each, on 127.0.0.1, stopping by themselves.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest
import requests

from sms_mock.mock_server import Config
from sms_mock.mock_server.serving.live import LiveServer
from tests.support import lifecycle_table as table
from tests.support.accounts import password_body

THREADS = 8
ROUNDS = 40
# The fixtures' tasks, and two put in, in states the fixtures have no task in.
PUT_IN = {"t-syncing": "SYNCING", "t-sync-fail": "SYNC_FAIL"}
TASKS = [
    "sample-ready",
    "sample-running",
    "sample-abort",
    "sample-migrate-fail",
    "sample-migrate-success",
    *PUT_IN,
]
ADVANCES_S = (2, 7, 30, 120)

# The moves a task may make, from the lifecycle's table (tests/support/lifecycle_table.py):
# an operation allowed in a state leads to the row's `then` (the state itself when unchanged),
# and the clock takes that state on to the row's `settles_to`. README's lifecycle diagram also
# has a fault's moves (a sub-task failing, a pause); no task here carries a fault, so they are
# not allowed here.
# README, "The lifecycle": start and restart take up "the interrupted phase", the phase of the
# task's last sub-task entry, and a RESYNCn runs SYNCING (the table's rows for SYNC_FAIL and for a
# new RESYNCn). So a task paused in a RESYNC (stop or error_for_overspeed while SYNCING) resumes
# or restarts SYNCING, where the table's ABORT rows print RUNNING, which they say of a paused
# REPLICATE or CUTOVER.
RESUMED_RESYNC = frozenset({("ABORT", "SYNCING")})
ACTION_EDGES = (
    frozenset((s, row.then or s) for row in table.ROWS for s in row.allowed) | RESUMED_RESYNC
)
CLOCK_EDGES = frozenset(
    (row.then, row.settles_to)
    for row in table.ROWS
    if row.then and row.settles_to and row.then != row.settles_to
)
EDGES = ACTION_EDGES | CLOCK_EDGES


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with LiveServer(Config(clock="manual"), threads=4) as live:
        yield live


def token(url: str, http: requests.Session) -> str:
    response = http.post(f"{url}/v3/auth/tokens", json=password_body(), timeout=10)
    assert response.status_code == 201
    return response.headers["X-Subject-Token"]


def run_threads(work: Callable[[int], Any]) -> list[Any]:
    results: list[Any] = [None] * THREADS
    errors: list[BaseException] = []

    def target(index: int) -> None:
        try:
            results[index] = work(index)
        except BaseException as exc:  # reported below, in the test's own thread
            errors.append(exc)

    threads = [threading.Thread(target=target, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread did not stop in time"
    assert not errors, errors[0]
    return results


def body_of(operation: str) -> dict[str, str]:
    return {
        "operation": operation,
        **({"template_id": "tpl-default"} if operation == "clone_test" else {}),
    }


def state_after(operation: str, task: dict[str, Any], row: table.Row) -> str:
    """The state an allowed operation leaves `task` in at once."""
    sub_tasks = task.get("sub_tasks") or []
    interrupted = sub_tasks[-1]["user_op"] if sub_tasks else ""
    resumed = task["state"] == "ABORT" and operation in ("start", "restart")
    if resumed and interrupted.startswith("RESYNC"):  # RESUMED_RESYNC
        return "SYNCING"
    return row.then or task["state"]


def read_along(history: list[str], seen: list[str]) -> bool:
    """Whether `seen` is `history` read in order: each state at or after the previous one."""
    at = 0
    for state in seen:
        while at < len(history) and history[at] != state:
            at += 1
        if at == len(history):
            return False
    return True


def test_actions_clock_moves_and_reads_at_once_change_tasks_only_by_the_lifecycle(
    server: LiveServer,
) -> None:
    """Every change of a task is recorded: an action holds its task's lock, a clock move holds
    every task's, and each reads the task before and after, so that the recorded states are the
    task's whole history, each step an edge of the lifecycle. Reads run freely beside them and
    must see that history in order."""
    server.emulator.reset()
    url = server.url
    setup = requests.Session()
    for task_id, state in PUT_IN.items():
        answer = setup.post(f"{url}/_mock/tasks", json={"id": task_id, "state": state}, timeout=10)
        assert answer.status_code == 201, answer.text
    headers = {"X-Auth-Token": token(url, setup)}

    def task_of(http: requests.Session, task_id: str, auth: dict[str, str]) -> dict[str, Any]:
        answer = http.get(f"{url}/v3/tasks/{task_id}", headers=auth, timeout=10)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def state_of(http: requests.Session, task_id: str, auth: dict[str, str]) -> str:
        return task_of(http, task_id, auth)["state"]

    locks = {task_id: threading.Lock() for task_id in TASKS}
    # Each task's recorded steps, (before, after, what moved it), in the order they happened.
    steps: dict[str, list[tuple[str, str, str]]] = {task_id: [] for task_id in TASKS}
    first = {task_id: state_of(setup, task_id, headers) for task_id in TASKS}

    def work(index: int) -> dict[str, list[str]]:
        rng = random.Random(index)
        http = requests.Session()
        auth = {"X-Auth-Token": token(url, http)}
        seen: dict[str, list[str]] = {task_id: [] for task_id in TASKS}
        for _ in range(ROUNDS):
            task_id = rng.choice(TASKS)
            kind = rng.random()
            if kind < 0.4:
                operation = rng.choice(table.OPERATIONS)
                with locks[task_id]:
                    task = task_of(http, task_id, auth)
                    before = task["state"]
                    answer = http.post(f"{url}/v3/tasks/{task_id}/action", headers=auth,
                                       json=body_of(operation), timeout=10)  # fmt: skip
                    after = state_of(http, task_id, auth)
                    steps[task_id].append((before, after, operation))
                code, row = table.expected_answer(operation, before)
                if row is not None:
                    assert answer.status_code == 200, (task_id, operation, before, answer.text)
                    expected = state_after(operation, task, row)
                    assert after == expected, (task_id, operation, before, after)
                else:
                    assert answer.status_code == 400, (task_id, operation, before, answer.text)
                    assert answer.json()["error_code"] == code, answer.text
                    assert after == before, (task_id, operation, before, after)
            elif kind < 0.55:
                seconds = rng.choice(ADVANCES_S)
                with ExitStack() as stack:
                    for lock in locks.values():  # always in the same order: no deadlock
                        stack.enter_context(lock)
                    befores = {t: state_of(http, t, auth) for t in TASKS}
                    answer = http.post(f"{url}/_mock/clock/advance", json={"seconds": seconds},
                                       timeout=10)  # fmt: skip
                    assert answer.status_code == 200, answer.text
                    for t in TASKS:
                        steps[t].append((befores[t], state_of(http, t, auth), f"{seconds} s"))
            else:
                seen[task_id].append(state_of(http, task_id, auth))
        http.close()
        return seen

    readers = run_threads(work)

    for task_id in TASKS:
        history = [first[task_id]]
        for before, after, moved_by in steps[task_id]:
            # Nothing moved the task between two recorded steps: no change went unrecorded.
            assert before == history[-1], f"{task_id}: {history[-1]} then {before} unrecorded"
            # Each step is an edge: an action's, or the clock's.
            allowed = CLOCK_EDGES if moved_by.endswith(" s") else ACTION_EDGES
            assert before == after or (before, after) in allowed, (
                f"{task_id}: {before} -> {after} by {moved_by}"
            )
            history.append(after)
        for seen in readers:
            assert read_along(history, seen[task_id]), f"{task_id}: read {seen[task_id]}"
    assert all(
        before == after or (before, after) in EDGES
        for task_steps in steps.values()
        for before, after, _ in task_steps
    )
    moved = {(b, a) for task_steps in steps.values() for b, a, _ in task_steps if b != a}
    assert moved & ACTION_EDGES and moved & CLOCK_EDGES, moved  # both kinds of move ran


def test_concurrent_creates_lose_no_task(server: LiveServer) -> None:
    server.emulator.reset()
    url = server.url

    def work(index: int) -> list[str]:
        http = requests.Session()
        made = []
        for i in range(10):
            answer = http.post(f"{url}/_mock/tasks", json={"id": f"c{index}-{i}"}, timeout=10)
            assert answer.status_code == 201
            made.append(answer.json()["id"])
        http.close()
        return made

    made = [task_id for ids in run_threads(work) for task_id in ids]
    http = requests.Session()
    listed = http.get(f"{url}/v3/tasks", params={"limit": 200},
                      headers={"X-Auth-Token": token(url, http)}, timeout=10).json()  # fmt: skip
    assert listed["count"] == len(made) + 6
    assert set(made) <= {task["id"] for task in listed["tasks"]}


def test_concurrent_starts_of_one_task_succeed_exactly_once(server: LiveServer) -> None:
    server.emulator.reset()
    url = server.url

    def work(index: int) -> int:
        http = requests.Session()
        answer = http.post(f"{url}/v3/tasks/sample-ready/action", json={"operation": "start"},
                           headers={"X-Auth-Token": token(url, http)}, timeout=10)  # fmt: skip
        http.close()
        return answer.status_code

    codes = run_threads(work)
    assert sorted(codes) == [200] + [400] * (THREADS - 1)


def test_tokens_issued_under_load_are_all_distinct_and_valid(server: LiveServer) -> None:
    server.emulator.reset()
    url = server.url

    def work(index: int) -> list[str]:
        http = requests.Session()
        issued = [token(url, http) for _ in range(15)]
        http.close()
        return issued

    issued = [t for batch in run_threads(work) for t in batch]
    assert len(set(issued)) == len(issued) == THREADS * 15
    http = requests.Session()
    for value in issued[::7]:
        own = {"X-Subject-Token": value, "X-Auth-Token": value}
        answer = http.get(f"{url}/v3/auth/tokens", headers=own, timeout=10)
        assert answer.status_code == 200
