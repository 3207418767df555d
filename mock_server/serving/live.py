"""A real emulator server in a background thread, for tests and the pytest plugin.

waitress's `close()` called from another thread can hang while channels are open, and closing
from a trigger thunk deadlocks on the trigger's own lock. So the thread runs waitress's loop
one poll at a time; `stop()` raises a flag and pulls the trigger to wake the poll, and the
loop's own thread closes the server.
"""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask
from waitress import wasyncore

from sms_mock.mock_server.app import create_app
from sms_mock.mock_server.config import Config
from sms_mock.mock_server.emulator import Emulator
from sms_mock.mock_server.serving.waitress_server import make_server

STOP_TIMEOUT_S = 5  # how long a stop waits for a request still being served


class LiveServer:
    """`with LiveServer(config) as server:` serves on 127.0.0.1, on a free port, until the end."""

    def __init__(
        self,
        config: Config | dict[str, Any] | None = None,
        *,
        app: Flask | None = None,
        threads: int = 4,
    ) -> None:
        self.app = app or create_app(config)
        self._server = make_server(self.app, host="127.0.0.1", port=0, threads=threads)
        self.port: int = self._server.effective_port
        self.url = f"http://127.0.0.1:{self.port}"
        # IAM's own listener (Keystone's `GET /`); every IAM route is on `url` too.
        self.iam_port: int = self._server.iam_port or self.port
        self.iam_url = f"http://127.0.0.1:{self.iam_port}"
        self._stopping = False
        # stop() raises the flag and pulls the trigger under this lock, and the loop's thread
        # closes the server under it: the loop can see the flag before the pull (any event
        # wakes its poll), and must not close the trigger while it is being pulled.
        self._closing = threading.Lock()
        self._closed = False
        self._thread = threading.Thread(target=self._serve, name="sms-mock", daemon=True)

    @property
    def emulator(self) -> Emulator:
        return self.app.extensions["sms_mock"]

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def _serve(self) -> None:
        server = self._server
        timeout = server.adj.asyncore_loop_timeout
        try:
            while not self._stopping:
                wasyncore.loop(
                    timeout=timeout, map=server.map, use_poll=server.adj.asyncore_use_poll, count=1
                )
        finally:
            with self._closing:
                self._closed = True
                # The worker threads first: one still finishing an answer pulls the trigger,
                # which must not be closed under it; and they would outlive the server otherwise.
                server.task_dispatcher.shutdown(timeout=STOP_TIMEOUT_S)
                server.close()

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        with self._closing:
            self._stopping = True
            if not self._closed:
                self._server.trigger.pull_trigger()
        self._thread.join(timeout=10)
        self.emulator.close()  # its state file, if any, free for the next server

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
