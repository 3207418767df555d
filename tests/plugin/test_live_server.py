"""`LiveServer`, the in-process server of the plugin and `sms_mock.serve`: stopping it never
writes to a trigger its loop has already closed, whatever the order the two threads run in."""

from __future__ import annotations

import socket
import threading
from typing import Any

from sms_mock.mock_server import Config
from sms_mock.mock_server.serving.live import LiveServer


class _WatchedLock:
    """The server's `_closing` lock, remembering which thread holds it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.owner: threading.Thread | None = None

    def __enter__(self) -> _WatchedLock:
        self._lock.acquire()
        self.owner = threading.current_thread()
        return self

    def __exit__(self, *exc: object) -> None:
        self.owner = None
        self._lock.release()


def test_stop_pulls_the_trigger_before_the_loop_can_close_it() -> None:
    """The interleaving that broke a run in two: the loop sees the stop flag and closes the
    server (and the trigger's pipe) before `stop()` pulls the trigger. The pull below forces
    it: unless `stop()` holds the lock the loop closes under, it wakes the loop and waits for
    the loop's thread to end before the real pull, which then writes to a closed descriptor
    (`OSError: [Errno 9] Bad file descriptor`, or a byte into whatever reused the number)."""
    server = LiveServer(Config(clock="manual")).start()
    watched = _WatchedLock()
    server._closing = watched  # type: ignore[assignment]
    trigger = server._server.trigger
    real_pull = trigger.pull_trigger
    seen: dict[str, Any] = {}

    def pull_after_the_loop_had_its_chance(*args: Any) -> None:
        seen["stopper_held_the_lock"] = watched.owner is threading.current_thread()
        if not seen["stopper_held_the_lock"]:
            socket.create_connection(("127.0.0.1", server.port)).close()  # wakes the poll
            server._thread.join(timeout=10)  # the loop saw the flag and closed everything
        seen["trigger_open_at_pull"] = not trigger._closed
        real_pull(*args)

    trigger.pull_trigger = pull_after_the_loop_had_its_chance  # type: ignore[method-assign]
    server.stop()

    assert seen == {"stopper_held_the_lock": True, "trigger_open_at_pull": True}
    assert not server._thread.is_alive()
