"""Many threads at once over real HTTP: no 5xx, only allowed state sequences, no lost update.

Bounded: a fixed number of threads and requests each, on 127.0.0.1, stopping by themselves.
"""

from __future__ import annotations

import itertools
import random
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from sms_mock.mock_server import Config
from sms_mock.mock_server.serving.live import LiveServer
from tests.support import lifecycle_table as table
from tests.support.accounts import password_body

THREADS = 8
ROUNDS = 40
TASKS = ["sample-ready", "sample-running", "sample-abort", "sample-migrate-fail"]
OPERATIONS = ["start", "stop", "restart", "network_check"]

# What a reader may see a task become between two reads: itself, what an allowed operation
# makes at once, what time makes (faults none here), or, when both happened meanwhile, any
# chain of those. Built from the table the lifecycle tests check.
BY_TIME = {
    "RUNNING": {"MIGRATE_SUCCESS", "MIGRATE_FAIL", "ABORT"},
    "SYNCING": {"SYNC_SUCCESS", "SYNC_FAIL", "ABORT"},
    "ABORTING": {"ABORT"},
    "SYNC_F_ROLLBACKING": {"SYNC_F_ROLLBACK_SUCCESS"},
}


def _reachable() -> dict[str, set[str]]:
    step: dict[str, set[str]] = {
        state: {state} | BY_TIME.get(state, set()) for state in table.STATES
    }
    for row in table.ROWS:
        for state in row.allowed:
            step[state].add(row.then or state)
    closure = {state: set(targets) for state, targets in step.items()}
    changed = True
    while changed:
        changed = False
        for targets in closure.values():
            more = set().union(*(closure[t] for t in targets)) - targets
            if more:
                targets |= more
                changed = True
    return closure


REACHABLE = _reachable()


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
    assert not errors, errors[0]
    return results


def test_actions_clock_moves_and_reads_at_once_keep_every_sequence_allowed(
    server: LiveServer,
) -> None:
    server.emulator.reset()
    url = server.url

    def work(index: int) -> dict[str, list[str]]:
        rng = random.Random(index)
        http = requests.Session()
        headers = {"X-Auth-Token": token(url, http)}
        seen: dict[str, list[str]] = {task: [] for task in TASKS}
        for _ in range(ROUNDS):
            task = rng.choice(TASKS)
            kind = rng.random()
            if kind < 0.4:
                body = {"operation": rng.choice(OPERATIONS)}
                answer = http.post(
                    f"{url}/v3/tasks/{task}/action", headers=headers, json=body, timeout=10
                )
                assert answer.status_code in (200, 400), answer.text
            elif kind < 0.55:
                answer = http.post(f"{url}/_mock/clock/advance", json={"seconds": 7}, timeout=10)
                assert answer.status_code == 200
            else:
                answer = http.get(f"{url}/v3/tasks/{task}", headers=headers, timeout=10)
                assert answer.status_code == 200, answer.text
                seen[task].append(answer.json()["state"])
        http.close()
        return seen

    for seen in run_threads(work):
        for task, states in seen.items():
            for before, after in itertools.pairwise(states):
                assert after in REACHABLE[before], f"{task}: {before} -> {after}"


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
        answer = http.get(f"{url}/v3/auth/tokens", headers={"X-Subject-Token": value}, timeout=10)
        assert answer.status_code == 200
