"""A real emulator server in a background thread, for tests and the pytest plugin.

waitress's `close()` called from another thread can hang until its poll times out; closing
from inside the server's own loop (through its trigger) stops it at once.
"""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask
from waitress.server import create_server

from mock_server.app import create_app
from mock_server.emulator import Config, Emulator


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
        self._server = create_server(self.app, host="127.0.0.1", port=0, threads=threads)
        self.port: int = self._server.effective_port  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.run, name="sms-mock", daemon=True)

    @property
    def emulator(self) -> Emulator:
        return self.app.extensions["sms_mock"]

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        server = self._server
        server.trigger.pull_trigger(server.close)  # type: ignore[union-attr]
        self._thread.join(timeout=10)

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
