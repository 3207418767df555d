"""The server's worker threads: a list page never holds up a task's GET (README, "Performance").

waitress hands each request to its thread pool in arrival order. A page of a list (100 tasks
of 100,000, a snapshot, the dashboard's overview) costs several times a single task's read in
Python, and a pool whose threads are all computing pages makes a GET wait first for a thread,
then for the interpreter lock, behind every page in flight. So this pool runs every other
request first, and at most `paged_limit` paged requests at a time: the other threads stay free
for the rest, and only that many pages compete with them for the interpreter lock. The answers
are the same; only the order in which waiting requests start changes.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from flask import Flask
from waitress.task import ThreadedTaskDispatcher

# The routes whose work grows with what the emulator holds: the lists, the control plane's
# dumps, the dashboard's overview. Their GET paths are looked up in the app's own url map.
PAGED_ENDPOINTS = frozenset(
    {
        "sms.list_tasks",
        "sms_sources.list_sources",
        "sms_templates.list_templates",
        "sms_migprojects.list_migprojects",
        "control.all_tasks",
        "control.all_sources",
        "control.all_templates",
        "control.list_requests",
        "control.get_snapshot",
        "dashboard.overview",
        "dashboard.overview_parts",
    }
)


def paged_paths(app: Any) -> frozenset[str]:
    """The GET paths of the app's PAGED_ENDPOINTS (none of them takes a path parameter)."""
    if not isinstance(app, Flask):
        return frozenset()
    return frozenset(
        rule.rule.rstrip("/")
        for rule in app.url_map.iter_rules()
        if rule.endpoint in PAGED_ENDPOINTS and "GET" in (rule.methods or ()) and not rule.arguments
    )


class PagingDispatcher(ThreadedTaskDispatcher):
    """waitress's ThreadedTaskDispatcher with two queues: every other request's, served first,
    and the paged requests', of which at most `paged_limit` run at once.

    A task is a waitress channel with a request to serve (`channel.requests[0]`), classed when
    it is queued: a GET of one of `paged` (paths without a trailing slash).
    """

    def __init__(self, paged: frozenset[str], paged_limit: int = 1) -> None:
        super().__init__()
        self.paged = paged
        self.paged_limit = max(1, paged_limit)
        self.paged_queue: deque[Any] = deque()
        self.paged_running = 0

    def is_paged(self, task: Any) -> bool:
        requests = getattr(task, "requests", None)
        if not requests:
            return False
        request = requests[0]
        path = getattr(request, "path", None)  # a request waitress refused may have none
        return request.command == "GET" and isinstance(path, str) and path.rstrip("/") in self.paged

    def add_task(self, task: Any) -> None:
        paged = self.is_paged(task)
        with self.lock:
            (self.paged_queue if paged else self.queue).append(task)
            self.queue_cv.notify()

    def _has_work(self) -> bool:
        return bool(self.queue) or (
            bool(self.paged_queue) and self.paged_running < self.paged_limit
        )

    def handler_thread(self, thread_no: int) -> None:
        # waitress's own loop, but for which task a free thread takes.
        while True:
            with self.lock:
                while not self._has_work() and self.stop_count == 0:
                    self.active_count -= 1
                    self.queue_cv.wait()
                    self.active_count += 1
                if self.stop_count > 0:
                    self.active_count -= 1
                    self.stop_count -= 1
                    self.threads.discard(thread_no)
                    self.thread_exit_cv.notify()
                    break
                paged = not self.queue
                if paged:
                    task = self.paged_queue.popleft()
                    self.paged_running += 1
                else:
                    task = self.queue.popleft()
            try:
                task.service()
            except BaseException:
                self.logger.exception("Exception when servicing %r", task)
            finally:
                if paged:
                    with self.lock:
                        self.paged_running -= 1
                        if self.paged_queue:  # a paged task may be waiting for this one's room
                            self.queue_cv.notify()

    def shutdown(self, cancel_pending: bool = True, timeout: int = 5) -> bool:
        stopped: bool = super().shutdown(cancel_pending, timeout)
        if cancel_pending:
            with self.lock:
                while self.paged_queue:
                    self.paged_queue.popleft().cancel()
        return stopped
