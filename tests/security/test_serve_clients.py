"""Idle and slow clients against `sms-mock serve`: they never keep other clients out.

Every socket here goes to 127.0.0.1, in bounded numbers, and every wait is bounded.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import requests

from tests.support.servers import SMS_MOCK, serving

IDLE = 300
SLOW = 100
PROBES = 6


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


@contextmanager
def idle_sockets(port: int, count: int) -> Iterator[list[socket.socket]]:
    with ExitStack() as stack:
        sockets = []
        for _ in range(count):
            sock = stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=5))
            sockets.append(sock)
        yield sockets


def _probe(url: str, timeout: float = 5) -> int:
    return requests.get(f"{url}/_mock/health", timeout=timeout).status_code


def test_hundreds_of_idle_and_slow_clients_leave_others_served() -> None:
    with serving(SMS_MOCK, "serve") as (process, url):
        port = _port(url)
        stop = threading.Event()

        def trickle(sock: socket.socket) -> None:
            # Headers a byte at a time, never finished, until the test ends.
            request = b"GET /_mock/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
            for byte in request:
                if stop.wait(0.05):
                    return
                try:
                    sock.send(bytes([byte]))
                except OSError:
                    return
            while not stop.wait(0.2):
                try:
                    sock.send(b"x")
                except OSError:
                    return

        with idle_sockets(port, IDLE), idle_sockets(port, SLOW) as slow:
            threads = [threading.Thread(target=trickle, args=(s,), daemon=True) for s in slow]
            for thread in threads:
                thread.start()
            time.sleep(0.5)  # the slow ones are under way
            statuses = [_probe(url) for _ in range(PROBES)]
            stop.set()
            for thread in threads:
                thread.join(timeout=5)
        process.terminate()
    assert statuses == [200] * PROBES


def test_the_connection_limit_is_a_serve_option() -> None:
    with serving(SMS_MOCK, "serve", "--connection-limit", "20") as (process, url):
        with idle_sockets(_port(url), 25):
            time.sleep(0.3)
            try:
                _probe(url, timeout=1)
                answered = True
            except requests.RequestException:
                answered = False
        assert not answered, "a 26th connection was served beyond the limit of 20"
        assert _probe(url) == 200  # the idle ones gone, others are served again
        process.terminate()


def test_a_silent_connection_is_closed_after_the_channel_timeout() -> None:
    with serving(SMS_MOCK, "serve", "--channel-timeout", "1") as (process, url):
        with idle_sockets(_port(url), 1) as (sock,):
            sock.settimeout(8)
            began = time.monotonic()
            assert sock.recv(1) == b""  # closed by the server
            waited = time.monotonic() - began
        process.terminate()
    assert waited < 8


def test_a_burst_of_requests_leaves_no_queue_warnings_in_the_log() -> None:
    with serving(SMS_MOCK, "serve", "--threads", "1") as (process, url):

        def burst() -> None:
            with requests.Session() as session:
                for _ in range(15):
                    session.get(f"{url}/_mock/health", timeout=10)

        threads = [threading.Thread(target=burst) for _ in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        process.terminate()
        _, errors = process.communicate(timeout=10)
    assert "Task queue depth" not in errors


FRAMINGS = {
    "bad-chunk-size": b"POST /v3/tasks HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
    b"Content-Type: application/json\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
    "length-and-chunked": b"POST /v3/tasks HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    "negative-length": b"POST /v3/tasks HTTP/1.1\r\nHost: h\r\nContent-Length: -5\r\n\r\n{}",
    "two-lengths": b"POST /v3/tasks HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n"
    b"Content-Length: 3\r\n\r\n{}",
    "bare-lf": b"GET /_mock/health HTTP/1.1\nHost: h\n\n",
    "nul-in-path": b"GET /v3/tasks/\x00 HTTP/1.1\r\nHost: h\r\n\r\n",
    "huge-header": b"GET /_mock/health HTTP/1.1\r\nHost: h\r\nX-Big: "
    + b"x" * 300_000
    + b"\r\n\r\n",
}


def test_bad_framing_is_answered_by_the_gateway_and_the_server_keeps_serving() -> None:
    with serving(SMS_MOCK, "serve") as (process, url):
        port = _port(url)
        for name, raw in FRAMINGS.items():
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                sock.sendall(raw)
                sock.shutdown(socket.SHUT_WR)
                answer = b""
                try:
                    while chunk := sock.recv(65536):
                        answer += chunk
                except OSError:
                    pass
            status = answer.split(b" ", 2)[1] if answer.startswith(b"HTTP/1.") else b""
            assert status == b"" or not status.startswith(b"5"), (name, answer[:200])
            assert _probe(url) == 200, name
        process.terminate()
