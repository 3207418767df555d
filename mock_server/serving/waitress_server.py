"""The emulator's waitress server: the main listener and the IAM listener, one loop, one pool.

The IAM listener exists because SMS and IAM both answer `GET /`, in shapes that differ: on it,
`GET /` and `GET /v3` are Keystone's, and only IAM's routes are served (README, "IAM"). Both
listeners share waitress's socket map, so the connection limit counts both, and one thread
pool, so a slow client on either is served by the same workers.
"""

from __future__ import annotations

import contextlib
import logging
import resource
import signal
import time
from collections.abc import Callable, Iterable
from types import FrameType
from typing import Any

from flask import Flask
from waitress import wasyncore
from waitress.server import BaseWSGIServer, create_server

from sms_mock.mock_server.app import IAM_LISTENER_BLUEPRINTS
from sms_mock.mock_server.core.http import IAM_LISTENER, LISTENER_KEY
from sms_mock.mock_server.gateway.body_limits import LARGEST_BODY_BYTES, RouteBodyLimits
from sms_mock.mock_server.gateway.waitress_errors import GatewayChannel
from sms_mock.mock_server.serving.pool import PagingDispatcher, paged_paths


class ListenerError(OSError):
    """A listener's port could not be bound: `listener` ("SMS" or "IAM") and its `port`."""

    def __init__(self, listener: str, port: int, cause: OSError) -> None:
        super().__init__(cause.errno, cause.strerror or str(cause))
        self.listener = listener
        self.port = port


class IamListenerApp:
    """The app as the IAM listener serves it: each request marked as received there."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        environ[LISTENER_KEY] = IAM_LISTENER
        return self.app(environ, start_response)


class EmulatorServer:
    """The two listeners; `run()` serves both until stopped, `close()` closes both."""

    def __init__(self, main: Any, iam: Any | None) -> None:
        self.main = main
        self.iam = iam
        self.effective_host: str = main.effective_host
        self.effective_port: int = main.effective_port
        self.iam_port: int | None = iam.effective_port if iam is not None else None

    # What LiveServer drives one poll at a time: the shared map, pool and wake-up trigger.
    @property
    def map(self) -> dict[int, Any]:
        return self.main._map

    @property
    def task_dispatcher(self) -> Any:
        return self.main.task_dispatcher

    @property
    def trigger(self) -> Any:
        return self.main.trigger

    @property
    def adj(self) -> Any:
        return self.main.adj

    def run(self) -> None:
        self.main.run()  # the loop serves every socket of the shared map

    def close(self) -> None:
        self.task_dispatcher.shutdown()
        wasyncore.close_all(self.map)


# A shared QA bench: hundreds of idle keep-alive or slow clients must not shut others out
# (waitress's own defaults, 100 connections and 120 s, let 98 idle sockets do that).
DEFAULT_CONNECTION_LIMIT = 1000
DEFAULT_CHANNEL_TIMEOUT_S = 60
# A request's whole head (request line and headers) must arrive within this: a client that
# trickles a header line now and then is never silent, so the channel timeout never ends it.
DEFAULT_HEAD_TIMEOUT_S = 10
# Descriptors kept free beyond the connection limit: the listeners, the state file, logs.
SPARE_DESCRIPTORS = 64

# waitress warns "Task queue depth is N" on every request that waits for a worker: under load
# that is thousands of lines a minute and says nothing a client does not see.
logging.getLogger("waitress.queue").setLevel(logging.ERROR)


def _descriptors_for(connection_limit: int) -> int:
    """The connection limit the process can hold: its descriptor limit raised as far as it
    may go, and the connection limit lowered under it if it must."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = connection_limit + SPARE_DESCRIPTORS
    if soft != resource.RLIM_INFINITY and soft < wanted:
        raised = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
            soft = raised
    if soft == resource.RLIM_INFINITY:
        return connection_limit
    return max(1, min(connection_limit, soft - SPARE_DESCRIPTORS))


def _enforce_head_deadline(listener: BaseWSGIServer, head_timeout: int) -> None:
    """Run waitress's upkeep of `listener`'s connections, then close each connection whose
    current request head began more than `head_timeout` seconds ago."""
    close_silent = listener.maintenance

    def maintenance(now: float) -> None:
        close_silent(now)  # the channel timeout: connections that send nothing
        started_before = time.monotonic() - head_timeout
        for channel in list(listener.active_channels.values()):
            # A head queued behind requests being served waits for them, not for its sender.
            if not channel.requests and channel.head_overdue(started_before):
                channel.will_close = True  # closed by the loop, at once, with no answer

    listener.maintenance = maintenance  # type: ignore[method-assign]


def _gateway_listener(listener: Any, app: Any, restricted: frozenset[str] | None) -> None:
    """`listener`'s connections answer as the gateway does, bodies refused by their route."""
    listener.channel_class = GatewayChannel
    if isinstance(app, Flask):
        listener.body_limits = RouteBodyLimits(app, restricted)


def make_server(
    app: Any,
    *,
    host: str,
    port: int,
    threads: int,
    iam_port: int | None = 0,
    connection_limit: int = DEFAULT_CONNECTION_LIMIT,
    channel_timeout: int = DEFAULT_CHANNEL_TIMEOUT_S,
    head_timeout: int = DEFAULT_HEAD_TIMEOUT_S,
) -> EmulatorServer:
    """Both listeners for the app, their own error answers gateway JSON.

    `iam_port` 0 picks a free port; None serves no IAM listener. Both listeners count
    against one `connection_limit`; a connection silent for `channel_timeout` seconds, or
    whose request head is still arriving after `head_timeout` seconds, is closed. Raises
    ListenerError (an OSError) naming the listener whose port cannot be bound (nothing is
    left listening then).
    """
    limits = {
        "threads": threads,
        "connection_limit": _descriptors_for(connection_limit),
        "channel_timeout": channel_timeout,
        # How often idle and slow channels are looked for: a tenth of the shorter timeout, at
        # least a second.
        "cleanup_interval": max(1, min(channel_timeout, head_timeout) // 10),
        # A body over its route's limit is refused from its head (GatewayChannel); none is
        # received past the largest route's, whatever the route (waitress refuses from this on).
        "max_request_body_size": LARGEST_BODY_BYTES + 1,
        # poll(), not select(): select() ends the process once a descriptor passes 1023,
        # which a connection limit above about 1,000 reaches.
        "asyncore_use_poll": True,
    }
    # The pool made here, so that a port that cannot be bound leaves no worker thread behind;
    # a page at a time for every 4 threads (serving/pool.py).
    dispatcher = PagingDispatcher(paged_paths(app), paged_limit=threads // 4)
    dispatcher.set_thread_count(threads)
    try:
        main = create_server(app, _dispatcher=dispatcher, host=host, port=port, **limits)
    except OSError as exc:
        dispatcher.shutdown()
        raise ListenerError("SMS", port, exc) from exc
    _gateway_listener(main, app, None)
    _enforce_head_deadline(main, head_timeout)  # type: ignore[arg-type]
    iam = None
    if iam_port is not None:
        try:
            iam = create_server(
                IamListenerApp(app),
                map=main._map,  # type: ignore[union-attr]
                _dispatcher=dispatcher,
                host=host,
                port=iam_port,
                **limits,
            )
        except OSError as exc:
            main.close()  # type: ignore[union-attr]
            dispatcher.shutdown()
            raise ListenerError("IAM", iam_port, exc) from exc
        _gateway_listener(iam, app, IAM_LISTENER_BLUEPRINTS)
        _enforce_head_deadline(iam, head_timeout)  # type: ignore[arg-type]
    server = EmulatorServer(main, iam)
    emulator = getattr(app, "extensions", {}).get("sms_mock")
    if emulator is not None:
        emulator.listen_ports = {"sms": server.effective_port}
        if server.iam_port is not None:
            emulator.listen_ports["iam"] = server.iam_port
    return server


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run_until_stopped(server: EmulatorServer, announce: Callable[[], None] | None = None) -> None:
    """Serve until Ctrl-C or SIGTERM (in the main thread), then close the server.

    `announce` (the lines that say where it listens) runs once those signals stop it cleanly:
    a client that reads them may stop it at once, and that stop must close it as any other.
    """
    # Both signals leave waitress's loop alike. SIGINT is set too: a shell that starts the
    # server in the background makes it ignore SIGINT, and Ctrl-C must still stop it.
    signal.signal(signal.SIGTERM, _raise_stop)
    signal.signal(signal.SIGINT, _raise_stop)
    with contextlib.suppress(KeyboardInterrupt):
        if announce is not None:
            announce()
        server.run()  # waitress's own loop stops its workers on KeyboardInterrupt
    server.close()
