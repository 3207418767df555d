"""The consistency-results export is bounded (README, "Task settings"): a task named many times is
exported once, an export past MAX_EXPORT_BYTES answers SMS.0426 instead of the file, and a
health check is answered beside exports running at once."""

from __future__ import annotations

import csv
import io
import itertools
import json
import threading
from typing import Any

import requests

from sms_mock.mock_server import Config
from sms_mock.mock_server.serving.live import LiveServer
from sms_mock.mock_server.sms.task_settings_ops import MAX_EXPORT_BYTES
from tests.support.servers import issue

EXPORT = "/v3/tasks/consistency-results/export"
BODY_LIMIT = 10_240  # the largest body SMS takes
TIMEOUT_S = 30  # a bound on a hung server, never a measure
DIRS = 75  # directories a check: as many as a body takes


def directory(name: str) -> dict[str, Any]:
    return {"dir_check": name, "num_total_files": 1, "num_different_files": 0,
            "num_target_miss_files": 0, "num_target_more_files": 0}  # fmt: skip


def record_checks(url: str, headers: dict[str, str], task_id: str, checks: int, dirs: list) -> None:
    body = {"consistency_result": dirs}
    assert len(json.dumps(body)) <= BODY_LIMIT
    path = f"{url}/v3/tasks/{task_id}/consistency-result"
    with requests.Session() as session:
        for _ in range(checks):
            answer = session.post(path, json=body, headers=headers, timeout=TIMEOUT_S)
            assert answer.status_code == 200, answer.text


def export(url: str, headers: dict[str, str], task_info: list[dict[str, str]]) -> requests.Response:
    body = {"task_info": task_info}
    assert len(json.dumps(body)) <= BODY_LIMIT
    return requests.post(f"{url}{EXPORT}", json=body, headers=headers, timeout=TIMEOUT_S)


def test_a_task_named_many_times_is_exported_once_and_the_answer_stays_bounded() -> None:
    # The adversary's request: under 5 KB naming one task 100 times, the task holding the 100
    # checks it keeps, of 75 directories each. It answered ~50 MiB of CSV.
    with LiveServer(Config(clock="manual")) as server:
        headers = {"X-Auth-Token": issue(server.url)}
        dirs = [directory(f"/d{n}") for n in range(DIRS)]
        record_checks(server.url, headers, "sample-ready", 100, dirs)
        once = export(server.url, headers, [{"task_id": "sample-ready"}])
        many = export(server.url, headers, [{"task_id": "sample-ready"}] * 100)
        assert once.status_code == many.status_code == 200, many.text
        assert len(json.dumps({"task_info": [{"task_id": "sample-ready"}] * 100})) < 5_000
        rows = list(csv.reader(io.StringIO(many.text)))
        assert len(rows) == 1 + 100 * DIRS  # the header, then each directory of each check once
        assert many.content == once.content
        assert len(many.content) <= MAX_EXPORT_BYTES


def test_an_export_past_its_limit_answers_sms_0426_naming_the_limit() -> None:
    # Distinct tasks, each within the limit, together past it: ~9 KB of directories a check.
    with LiveServer(Config(clock="manual")) as server:
        headers = {"X-Auth-Token": issue(server.url)}
        dirs = [directory(f"/{n}{'x' * 1000}") for n in range(9)]
        for task_id in ("sample-ready", "sample-running"):
            record_checks(server.url, headers, task_id, 70, dirs)
        one = export(server.url, headers, [{"task_id": "sample-ready"}])
        assert one.status_code == 200 and len(one.content) <= MAX_EXPORT_BYTES
        both = export(
            server.url, headers, [{"task_id": t} for t in ("sample-ready", "sample-running")]
        )
        assert both.status_code == 400, both.status_code
        assert both.headers["Content-Type"].startswith("application/json")
        assert both.json() == {
            "error_code": "SMS.0426",
            "error_msg": f"Response body too long. Maximum length: {MAX_EXPORT_BYTES} bytes. The "
            "consistency results of the tasks named pass it; name fewer tasks a request.",
        }


def test_a_health_check_is_answered_beside_exports_running_at_once() -> None:
    # Four clients export the largest file a request may ask for, over and over, until the
    # health check is answered; a shared sequence (not a clock) proves an export was in flight
    # while it was.
    with LiveServer(Config(clock="manual")) as server:
        headers = {"X-Auth-Token": issue(server.url)}
        record_checks(
            server.url, headers, "sample-ready", 100, [directory(f"/d{n}") for n in range(DIRS)]
        )
        ticket = itertools.count()
        answered = threading.Event()
        spans: list[tuple[int, int, int, int]] = []  # (sent, received, status, bytes)
        first_answers = threading.Semaphore(0)

        def exporter() -> None:
            for _ in range(1_000):  # bounded, and ends as soon as the health check is answered
                sent = next(ticket)
                answer = export(server.url, headers, [{"task_id": "sample-ready"}] * 100)
                spans.append((sent, next(ticket), answer.status_code, len(answer.content)))
                first_answers.release()
                if answered.is_set():
                    return

        workers = [threading.Thread(target=exporter) for _ in range(4)]
        for worker in workers:
            worker.start()
        try:
            for _ in workers:  # every client has been answered once: all are running
                assert first_answers.acquire(timeout=TIMEOUT_S)
            asked = next(ticket)
            health = requests.get(f"{server.url}/_mock/health", timeout=TIMEOUT_S)
            done = next(ticket)
        finally:
            answered.set()
            for worker in workers:
                worker.join(timeout=TIMEOUT_S)
        assert health.status_code == 200, health.text
        assert any(sent < done and received > asked for sent, received, _, _ in spans)
        assert {status for _, _, status, _ in spans} == {200}
        assert max(size for _, _, _, size in spans) <= MAX_EXPORT_BYTES
