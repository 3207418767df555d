"""A list never holds up another request (README, "Performance").

Specified here: the server runs every other request before a waiting list page, and one page
at a time for every four worker threads, so that a task's GET is answered while pages are
being made on every thread it could take; the pages waiting are answered after, in turn. A page
does not start while another request is being served, but waits for a slow one only a moment:
a list is answered while a read is held up. The routes counted as pages are routes of the
emulator's app.

Every wait is bounded and ends as soon as what it waits for happens.
"""

from __future__ import annotations

import queue
import threading
import time
from typing import Any

import requests

from sms_mock.mock_server import Config, create_app
from sms_mock.mock_server.serving.live import LiveServer
from sms_mock.mock_server.serving.pool import PAGED_ENDPOINTS, paged_paths
from tests.support.servers import issue

WAIT_S = 30  # a bound for what takes well under a second on an idle machine


def test_every_paged_endpoint_is_a_get_route_of_the_app() -> None:
    app = create_app(Config(clock="manual"))
    found = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.rule.rstrip("/") in paged_paths(app) and "GET" in (rule.methods or ())
    }
    assert found == PAGED_ENDPOINTS
    assert "/v3/tasks" in paged_paths(app)


def test_a_task_read_is_answered_while_pages_are_being_made() -> None:
    """Two worker threads, and two clients listing whose pages are held until released: the
    first page holds a thread, the second waits for it, and a task's GET takes the other
    thread at once. (Served in arrival order, both pages would hold both threads and the GET
    would wait for them.)"""
    server = LiveServer(Config(clock="manual"), threads=2).start()
    release = threading.Event()
    started: queue.Queue[None] = queue.Queue()
    answers: queue.Queue[int] = queue.Queue()
    try:
        app = server.app
        make_page = app.view_functions["sms.list_tasks"]

        def held_page(**kwargs: Any) -> Any:
            started.put(None)
            assert release.wait(WAIT_S)
            return make_page(**kwargs)

        app.view_functions["sms.list_tasks"] = held_page
        auth = {"X-Auth-Token": issue(server.url)}

        def list_tasks() -> None:
            answers.put(
                requests.get(f"{server.url}/v3/tasks", headers=auth, timeout=WAIT_S).status_code
            )

        listers = [threading.Thread(target=list_tasks, daemon=True) for _ in range(2)]
        listers[0].start()
        started.get(timeout=WAIT_S)  # the first page holds a thread
        listers[1].start()
        pool = server._server.task_dispatcher
        deadline = time.monotonic() + WAIT_S
        while not pool.paged_queue:  # the second page is waiting for a thread
            assert time.monotonic() < deadline, "the second list never reached the server"
            time.sleep(0.005)

        read = requests.get(f"{server.url}/v3/tasks/sample-ready", headers=auth, timeout=WAIT_S)
        assert read.status_code == 200
        assert read.json()["id"] == "sample-ready"
        assert started.empty()  # the second page has not begun: one at a time

        release.set()
        for lister in listers:
            lister.join(WAIT_S)
        assert [answers.get(timeout=WAIT_S) for _ in listers] == [200, 200]
        assert started.qsize() == 1  # the second page was made once the first was done
    finally:
        release.set()
        server.stop()


def test_a_page_waits_for_a_slow_read_only_so_long() -> None:
    """A page starts while no other request is being served, or once it has waited a moment:
    a read held up (a slow call, a delay fault) never holds a list up with it."""
    server = LiveServer(Config(clock="manual"), threads=2).start()
    release = threading.Event()
    reading: queue.Queue[None] = queue.Queue()
    answers: queue.Queue[int] = queue.Queue()
    try:
        app = server.app
        show_task = app.view_functions["sms.show_task"]

        def held_read(**kwargs: Any) -> Any:
            reading.put(None)
            assert release.wait(WAIT_S)
            return show_task(**kwargs)

        app.view_functions["sms.show_task"] = held_read
        auth = {"X-Auth-Token": issue(server.url)}

        def read() -> None:
            url = f"{server.url}/v3/tasks/sample-ready"
            answers.put(requests.get(url, headers=auth, timeout=WAIT_S).status_code)

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reading.get(timeout=WAIT_S)  # the read holds a thread, and is being served
        listed = requests.get(f"{server.url}/v3/tasks", headers=auth, timeout=WAIT_S)
        assert listed.status_code == 200
        assert listed.json()["count"] >= 1
        assert answers.empty()  # the read is still held
        release.set()
        reader.join(WAIT_S)
        assert answers.get(timeout=WAIT_S) == 200
    finally:
        release.set()
        server.stop()
