"""The server's worker threads: a list page never holds up a task's GET (README, "Performance").

waitress hands each request to its thread pool in arrival order. A page of a list (100 tasks
of 100,000, a snapshot, the dashboard's overview) costs more than a single task's read, and a
pool whose threads are all making pages makes a GET wait first for a thread, then for the
interpreter lock, behind every page in flight. So this pool:

- runs every other request before a waiting page, and at most `paged_limit` pages at a time:
  the other threads stay free for the rest, and only that many pages compete with them for the
  interpreter lock;
- starts no page while another request is being served, unless the page has waited
  PAGE_PATIENCE_S (a slow request, a delay fault, never holds lists up for longer);
- while other requests come (one was served in the last RECENT_READS_S), rests a page's thread,
  its page slot held, as long as the page took (at most MAX_REST_S) before the next page may
  start: pages then take about half the interpreter at most, the rest is left to the others.

The answers are the same; only when waiting requests start changes.
"""

from __future__ import annotations

import time
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
PAGE_PATIENCE_S = 0.02
RECENT_READS_S = 0.01
MAX_REST_S = 0.005


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
    and the paged requests', started as the module's docstring says.

    A task is a waitress channel with a request to serve (`channel.requests[0]`), classed when
    it is queued: a GET of one of `paged` (paths without a trailing slash).
    """

    def __init__(self, paged: frozenset[str], paged_limit: int = 1) -> None:
        super().__init__()
        self.paged = paged
        self.paged_limit = max(1, paged_limit)
        self.paged_queue: deque[tuple[Any, float]] = deque()  # (task, when it was queued)
        self.paged_running = 0  # pages being made or resting after
        self.others_running = 0
        self.last_other_done = -RECENT_READS_S  # time.monotonic() of the last other's end

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
            if paged:
                self.paged_queue.append((task, time.monotonic()))
            else:
                self.queue.append(task)
            self.queue_cv.notify()

    def _page_wait(self) -> float | None:
        """0 when a page may start now; else how long before the first waiting page may start
        whatever else runs (a page of a full slot or none waiting: None, until notified)."""
        if not self.paged_queue or self.paged_running >= self.paged_limit:
            return None
        if not self.others_running:
            return 0.0
        return max(0.0, self.paged_queue[0][1] + PAGE_PATIENCE_S - time.monotonic())

    def handler_thread(self, thread_no: int) -> None:
        # waitress's own loop, but for which task a free thread takes, and when.
        while True:
            with self.lock:
                while self.stop_count == 0 and not self.queue:
                    wait = self._page_wait()
                    if wait == 0.0:
                        break
                    self.active_count -= 1
                    self.queue_cv.wait(wait)
                    self.active_count += 1
                if self.stop_count > 0:
                    self.active_count -= 1
                    self.stop_count -= 1
                    self.threads.discard(thread_no)
                    self.thread_exit_cv.notify()
                    break
                paged = not self.queue
                if paged:
                    task = self.paged_queue.popleft()[0]
                    self.paged_running += 1
                else:
                    task = self.queue.popleft()
                    self.others_running += 1
            began = time.monotonic()
            try:
                task.service()
            except BaseException:
                self.logger.exception("Exception when servicing %r", task)
            finally:
                self._done(paged, began)

    def _done(self, paged: bool, began: float) -> None:
        if paged:
            ended = time.monotonic()
            with self.lock:
                others = bool(self.queue or self.others_running)
                others = others or ended - self.last_other_done < RECENT_READS_S
                # With one thread, resting would hold up the very requests it makes room for.
                rest = others and len(self.threads) > self.paged_limit
            if rest:
                time.sleep(min(ended - began, MAX_REST_S))  # its page slot still held
        with self.lock:
            if paged:
                self.paged_running -= 1
            else:
                self.others_running -= 1
                self.last_other_done = time.monotonic()
            if self.paged_queue:  # a page may be waiting for this one's end
                self.queue_cv.notify()

    def shutdown(self, cancel_pending: bool = True, timeout: int = 5) -> bool:
        stopped: bool = super().shutdown(cancel_pending, timeout)
        if cancel_pending:
            with self.lock:
                while self.paged_queue:
                    self.paged_queue.popleft()[0].cancel()
        return stopped
