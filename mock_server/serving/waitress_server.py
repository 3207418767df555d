"""The emulator's waitress server, and the loop `sms-mock serve` runs until it is stopped."""

from __future__ import annotations

import signal
from types import FrameType
from typing import Any

from waitress.server import create_server

from sms_mock.mock_server.gateway.waitress_errors import GatewayChannel


def make_server(app: Any, *, host: str, port: int, threads: int) -> Any:
    """A waitress server for the app whose own error answers are gateway JSON."""
    server = create_server(app, host=host, port=port, threads=threads)
    server.channel_class = GatewayChannel  # type: ignore[union-attr]
    return server


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run_until_stopped(server: Any) -> None:
    """Serve until Ctrl-C or SIGTERM (in the main thread), then close the server."""
    # Both signals leave waitress's loop alike. SIGINT is set too: a shell that starts the
    # server in the background makes it ignore SIGINT, and Ctrl-C must still stop it.
    signal.signal(signal.SIGTERM, _raise_stop)
    signal.signal(signal.SIGINT, _raise_stop)
    try:
        server.run()  # closes itself on KeyboardInterrupt
    except KeyboardInterrupt:
        server.close()
