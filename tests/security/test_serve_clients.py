"""Idle and slow clients against `sms-mock serve` (README, "Many clients at once").

Specified here: hundreds of idle and slow connections leave other clients answered as usual;
more connections than `select()` can watch (past descriptor 1023) are held and served; past
`--connection-limit` the server stops accepting (its own log says so) and a client beyond
the limit is answered once room is made; `--channel-timeout` closes a silent connection and
`--head-timeout` one whose request head trickles in, never silent, while a connection idle
between requests stays; a burst is answered whole, each reply a 200, with no queue warnings
in the log; and bad framing is answered by the server as README's error table says, without
ending it.

Every socket goes to 127.0.0.1, in bounded numbers. Every wait is bounded and ends as soon as
what it waits for happens; what was or was not served is read from the server's journal and
log, not from a wait running out.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import queue
import resource
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import pytest
import requests

from sms_mock import __version__
from tests.support.servers import SMS_MOCK, serving

IDLE = 300
SLOW = 100
PROBES = 6
WAIT_S = 30  # a bound for what takes well under a second on an idle machine
HEALTH = {"status": "ok", "version": __version__}
# waitress's warning when it stops accepting connections (README: --connection-limit).
AT_LIMIT = (
    "total open connections reached the connection limit, no longer accepting new connections"
)


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


def _probe(url: str, query: str = "") -> requests.Response:
    return requests.get(f"{url}/_mock/health{query}", timeout=WAIT_S)


def _journal(url: str, path: str) -> list[dict[str, Any]]:
    """The server's own record of the requests it served on `path` (reading it is not one)."""
    response = requests.get(f"{url}/_mock/requests", params={"path": path}, timeout=WAIT_S)
    assert response.status_code == 200, response.text
    return response.json()["requests"]


def _unanswered_and_open(sock: socket.socket) -> bool:
    """Whether the server has neither answered nor closed the connection, as of now."""
    timeout = sock.gettimeout()
    sock.settimeout(0)  # look, without waiting
    try:
        sock.recv(1, socket.MSG_PEEK)  # an answer, or the end of stream
    except BlockingIOError:
        return True  # nothing to read, and no end of stream
    except OSError:
        return False  # reset
    finally:
        sock.settimeout(timeout)
    return False


def _ask(sock: socket.socket, target: str) -> tuple[int, Any]:
    """A GET on a connection already open: the status and JSON body of its answer."""
    sock.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    response = http.client.HTTPResponse(sock)
    response.begin()
    return response.status, json.loads(response.read())


class StderrLines:
    """The server's log, line by line, read by a thread of its own (it ends with the process)."""

    def __init__(self, process: subprocess.Popen) -> None:
        self._lines: queue.Queue[str] = queue.Queue()
        assert process.stderr is not None
        self._stream = process.stderr
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self._stream:
            self._lines.put(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float = WAIT_S) -> str:
        """The first line (from here on) that holds `text`; fails after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._lines.get(timeout=left)
            except queue.Empty:
                break
            if text in line:
                return line
        raise AssertionError(f"the server never logged {text!r}")


def test_hundreds_of_idle_and_slow_clients_leave_others_served() -> None:
    # The head deadline is not what is under test: set past anything this test takes.
    with serving(SMS_MOCK, "serve", "--head-timeout", "600") as (_, url):
        port = _port(url)
        stop = threading.Event()
        request = b"GET /_mock/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
        under_way = [threading.Event() for _ in range(SLOW)]
        cut_off: list[int] = []  # the slow clients whose connection the server ended

        def trickle(index: int, sock: socket.socket) -> None:
            # Headers a byte at a time, never finished, until the test ends: slow is the point
            # of this client, and nothing waits on its pace.
            try:
                for sent, byte in enumerate(request):
                    sock.send(bytes([byte]))
                    if sent == 4:
                        under_way[index].set()
                    if stop.wait(0.05):
                        return
                while not stop.wait(0.2):
                    sock.send(b"x")
            except OSError:
                cut_off.append(index)
                under_way[index].set()

        with idle_sockets(port, IDLE), idle_sockets(port, SLOW) as slow:
            threads = [
                threading.Thread(target=trickle, args=(i, s), daemon=True)
                for i, s in enumerate(slow)
            ]
            for thread in threads:
                thread.start()
            deadline = time.monotonic() + WAIT_S
            for event in under_way:  # every slow client has begun its request
                assert event.wait(max(0.0, deadline - time.monotonic())), "a slow client stalled"
            replies = [_probe(url, f"?probe={i}") for i in range(PROBES)]
            # The probes were answered while every slow client was still connected, mid-request.
            assert all(_unanswered_and_open(s) for s in slow)
            stop.set()
            for thread in threads:
                thread.join(timeout=WAIT_S)
            assert not any(thread.is_alive() for thread in threads)
        served = _journal(url, "/_mock/health")
    assert [(r.status_code, r.json()) for r in replies] == [(200, HEALTH)] * PROBES
    assert cut_off == []
    # Only the probes were served: no slow client ever finished its request.
    assert [(e["query"], e["status"]) for e in served] == [
        (f"probe={i}", 200) for i in range(PROBES)
    ]


def test_the_connection_limit_holds_a_client_beyond_it_until_room_is_made() -> None:
    with serving(SMS_MOCK, "serve", "--connection-limit", "20") as (process, url):
        log = StderrLines(process)
        port = _port(url)
        with idle_sockets(port, 25) as idle:
            log.wait_for(AT_LIMIT)  # the server's own word: it accepts no more
            beyond = socket.create_connection(("127.0.0.1", port), timeout=WAIT_S)
            beyond.sendall(b"GET /_mock/health?beyond=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            # A connection that holds a place is still served: the journal it reads shows the
            # client beyond the limit unserved, and its connection unanswered.
            status, journal = _ask(idle[0], "/_mock/requests?path=/_mock/health")
            assert (status, journal["requests"]) == (200, [])
            assert _unanswered_and_open(beyond)
            for sock in idle:
                sock.close()
        # Room made: the client beyond the limit gets its answer, without asking again.
        with beyond, beyond.makefile("rb") as reply:
            assert reply.readline() == b"HTTP/1.1 200 OK\r\n"
        served = _journal(url, "/_mock/health")
        assert [(e["query"], e["status"]) for e in served] == [("beyond=1", 200)]
        assert _probe(url).status_code == 200


def test_a_silent_connection_is_closed_after_the_channel_timeout() -> None:
    with serving(SMS_MOCK, "serve", "--channel-timeout", "1") as (_, url):
        with idle_sockets(_port(url), 1) as (sock,):
            # Bounded well below the default timeout (60 s): an end of stream within it is
            # the option at work; a wait that runs out raises, and fails the test.
            sock.settimeout(WAIT_S)
            assert sock.recv(1) == b""  # closed by the server, with nothing sent
        assert _probe(url).status_code == 200  # and the server goes on serving


# Connections held at once in the test below: their descriptors pass 1023 in the server, where
# select() fails (waitress's loop used it, and the process ended).
BEYOND_SELECT = 1100


@contextmanager
def descriptors_for(count: int) -> Iterator[None]:
    """This process (and the servers it starts) may open `count` descriptors while the block
    runs: the soft limit raised to fit, then put back; skipped where the hard limit is lower."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < count:
        pytest.skip(f"a process may open {hard} descriptors here, fewer than {count}")
    raised = soft != resource.RLIM_INFINITY and soft < count
    if raised:
        resource.setrlimit(resource.RLIMIT_NOFILE, (count, hard))
    try:
        yield
    finally:
        if raised:
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_more_connections_than_select_can_watch_are_held_and_served() -> None:
    limit = BEYOND_SELECT + 100
    with (
        descriptors_for(limit + 200),
        serving(SMS_MOCK, "serve", "--connection-limit", str(limit)) as (process, url),
        idle_sockets(_port(url), BEYOND_SELECT) as idle,
    ):
        # The last connection opened is served: the server accepted every one before it.
        assert _ask(idle[-1], "/_mock/health") == (200, HEALTH)
        fds = f"/proc/{process.pid}/fd"
        if os.path.isdir(fds):  # Linux: the server's own count of its open descriptors
            assert len(os.listdir(fds)) > BEYOND_SELECT > 1024
        assert _ask(idle[0], "/_mock/health") == (200, HEALTH)
        assert _probe(url).json() == HEALTH  # a new client too
        assert process.poll() is None


TRICKLERS = 20
TICK_S = 0.1  # the trickle's pace: far shorter than any timeout in play


def _closed_unanswered(sock: socket.socket) -> bool:
    """Whether the server closed `sock` with no answer at all (False: it is still open)."""
    if _unanswered_and_open(sock):
        return False
    try:
        return sock.recv(65536) == b""
    except ConnectionResetError:
        return True  # closed with the trickle's last bytes unread


@pytest.mark.parametrize(
    ("opening", "line"),
    [
        pytest.param(
            b"GET /_mock/health HTTP/1.1\r\nHost: 127.0.0.1\r\n", b"X-Trickle: 1\r\n", id="headers"
        ),
        # Blank lines before a request are skipped by the server: they never start a request,
        # but they do start the head's clock, or a client could hold a connection with them.
        pytest.param(b"", b"\r\n", id="blank-lines"),
    ],
)
def test_a_head_that_trickles_in_is_closed_at_the_head_timeout(opening: bytes, line: bytes) -> None:
    command = ("serve", "--head-timeout", "1", "--channel-timeout", "600")
    with serving(SMS_MOCK, *command) as (_, url):
        port = _port(url)
        with socket.create_connection(("127.0.0.1", port), timeout=WAIT_S) as between:
            # A keep-alive connection, idle between requests from before the trickle began.
            assert _ask(between, "/_mock/health?between=1") == (200, HEALTH)
            with idle_sockets(port, TRICKLERS) as tricklers:
                for sock in tricklers:
                    sock.sendall(opening + line)
                still_open = list(tricklers)
                deadline = time.monotonic() + WAIT_S
                while still_open and time.monotonic() < deadline:
                    time.sleep(TICK_S)  # the trickle's pace, never silent for the channel timeout
                    for sock in list(still_open):
                        with contextlib.suppress(OSError):  # closed: seen just below
                            sock.send(line)
                        if _closed_unanswered(sock):
                            still_open.remove(sock)
                assert still_open == [], f"{len(still_open)} trickled heads were never closed"
            # The connection idle between requests is not a head: it is served again.
            assert _ask(between, "/_mock/health?between=2") == (200, HEALTH)
        served = _journal(url, "/_mock/health")
    assert [entry["query"] for entry in served] == ["between=1", "between=2"]


def test_a_burst_of_requests_is_answered_whole_with_no_queue_warnings_in_the_log() -> None:
    threads_count, each = 12, 15
    with serving(SMS_MOCK, "serve", "--threads", "1") as (process, url):
        replies: list[list[tuple[int, Any]]] = [[] for _ in range(threads_count)]
        failures: list[BaseException] = []

        def burst(index: int) -> None:
            try:
                with requests.Session() as session:
                    for _ in range(each):
                        answer = session.get(f"{url}/_mock/health", timeout=WAIT_S)
                        replies[index].append((answer.status_code, answer.json()))
            except BaseException as exc:  # reported by the test, not lost
                failures.append(exc)

        threads = [threading.Thread(target=burst, args=(i,)) for i in range(threads_count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=WAIT_S * 2)
        assert not any(thread.is_alive() for thread in threads)
        served = _journal(url, "/_mock/health")
        process.terminate()
        _, errors = process.communicate(timeout=10)
    assert failures == []
    assert replies == [[(200, HEALTH)] * each] * threads_count
    assert len(served) == threads_count * each
    assert {e["status"] for e in served} == {200}
    assert "Task queue depth" not in errors


NO_TOKEN = (401, "APIGW.0301", "Incorrect IAM authentication information: x-auth-token not found")
BAD_REQUEST = (400, "APIGW.0201", "API request error: Bad Request.")


# Each framing and the answer README's error table gives it: a request line or framing the
# server cannot parse is the gateway's 400 (headers past 256 KiB its 431) before any route; a
# request it can read goes on to the gateway's token check; a request whose headers never end
# (LF alone ends no header line) is never answered, and its connection is closed with it.
FRAMINGS = [
    pytest.param(
        b"POST /v3/tasks HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
        b"Content-Type: application/json\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
        BAD_REQUEST,
        id="bad-chunk-size",
    ),
    # Transfer-Encoding wins over Content-Length: a well-framed request, without a token.
    pytest.param(
        b"POST /v3/tasks HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
        NO_TOKEN,
        id="length-and-chunked",
    ),
    pytest.param(
        b"POST /v3/tasks HTTP/1.1\r\nHost: h\r\nContent-Length: -5\r\n\r\n{}",
        BAD_REQUEST,
        id="negative-length",
    ),
    pytest.param(
        b"POST /v3/tasks HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
        BAD_REQUEST,
        id="two-lengths",
    ),
    pytest.param(b"GET /_mock/health HTTP/1.1\nHost: h\n\n", None, id="bare-lf"),
    pytest.param(b"GET /v3/tasks/\x00 HTTP/1.1\r\nHost: h\r\n\r\n", NO_TOKEN, id="nul-in-path"),
    pytest.param(
        b"GET /_mock/health HTTP/1.1\r\nHost: h\r\nX-Big: " + b"x" * 300_000 + b"\r\n\r\n",
        (431, "APIGW.0201", "API request error: Request Header Fields Too Large."),
        id="huge-header",
    ),
]


def _exchange(port: int, raw: bytes) -> bytes:
    """Send `raw`, end the sending side, and read until the server closes (or resets)."""
    answer = b""
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT_S) as sock:
        try:
            sock.sendall(raw)
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # closed early (a header too large): its answer is already on its way
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except ConnectionResetError:
            pass  # what it left unread resets the connection, after the answer
    return answer


@pytest.fixture(scope="module")
def served_url() -> Iterator[str]:
    with serving(SMS_MOCK, "serve") as (_, url):
        yield url


@pytest.mark.parametrize(("raw", "expected"), FRAMINGS)
def test_bad_framing_is_answered_by_the_gateway_and_the_server_keeps_serving(
    served_url: str, raw: bytes, expected: tuple[int, str, str] | None
) -> None:
    answer = _exchange(_port(served_url), raw)
    if expected is None:
        assert answer == b""
    else:
        status, code, message = expected
        head, _, body = answer.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        assert status_line.split(" ", 2)[1] == str(status), answer[:300]
        headers = dict(line.split(": ", 1) for line in header_lines)
        assert json.loads(body) == {
            "error_code": code,
            "error_msg": message,
            "request_id": headers["X-Request-Id"],
        }
    assert _probe(served_url).json() == HEALTH
