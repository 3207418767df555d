"""The emulator's waitress server: errors waitress answers itself get the gateway's body too.

A request waitress refuses before the app sees it (headers over 256 KiB, a malformed request
line) would otherwise get waitress's plain-text page; a client of the real service gets a JSON
`APIGW.0201` answer from the gateway, so the emulator answers that, with waitress's status.
"""

from __future__ import annotations

import json
import os
import signal
from types import FrameType
from typing import Any

from waitress.channel import HTTPChannel
from waitress.server import create_server
from waitress.task import ErrorTask


class GatewayErrorTask(ErrorTask):
    def execute(self) -> None:
        error = self.request.error
        request_id = os.urandom(16).hex()
        body = json.dumps(
            {
                "error_code": "APIGW.0201",
                "error_msg": f"API request error: {error.reason}.",
                "request_id": request_id,
            }
        ).encode()
        self.status = f"{error.code} {error.reason}"
        self.response_headers.extend(
            [
                ("Content-Type", "application/json"),
                ("X-Request-Id", request_id),
                ("Connection", "close"),
            ]
        )
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class GatewayChannel(HTTPChannel):
    error_task_class = GatewayErrorTask


def make_server(app: Any, *, host: str, port: int, threads: int) -> Any:
    """A waitress server for the app whose own error answers are gateway JSON."""
    server = create_server(app, host=host, port=port, threads=threads)
    server.channel_class = GatewayChannel  # type: ignore[union-attr]
    return server


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    # SIGTERM leaves waitress's loop exactly as Ctrl-C does.
    raise KeyboardInterrupt


def run_until_stopped(server: Any) -> None:
    """Serve until Ctrl-C or SIGTERM (in the main thread), then close the server."""
    signal.signal(signal.SIGTERM, _raise_stop)
    try:
        server.run()  # closes itself on KeyboardInterrupt
    except KeyboardInterrupt:
        server.close()
