"""Sockets held before another client waits: `python -m bench.held_sockets`.

Two figures for `sms-mock serve` (README, "Many clients at once"):

- held: idle connections are opened a hundred at a time, and after each hundred a new client
  asks `GET /_mock/health` and must be answered within PROMPT_S; then, on a fresh server, one
  at a time from the last hundred that passed. The figure is the most connections held while
  a new client still was answered, at the default `--connection-limit` and at a larger one
  (past the 1,023 descriptors `select()` could watch).
- trickled: the connection limit and 50 more connections each trickle a header line every
  TRICKLE_S (never silent, so the channel timeout never ends them); the figure is how long a
  new client then waits for its answer: the head deadline (`--head-timeout`) frees the places.

Everything runs on 127.0.0.1 and is bounded: at most LIMITS' largest + STEP sockets, and
WAIT_S for any one wait.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import resource
import socket
import threading
import time
from collections.abc import Iterator

from bench.procs import Served, serve_command, serving

STEP = 100
PROMPT_S = 1.0  # an answer within this is prompt; a client beyond the limit waits far longer
WAIT_S = 60.0
TRICKLE_S = 1.0
LIMITS = (1000, 3000)
HEAD = b"GET /_mock/health HTTP/1.1\r\nHost: 127.0.0.1\r\n"


def _raise_descriptor_limit(count: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = count if hard == resource.RLIM_INFINITY else min(count, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def answered_within(port: int, seconds: float) -> bool:
    """Whether a new client's GET /_mock/health is answered 200 within `seconds`."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=seconds)
    try:
        connection.request("GET", "/_mock/health")
        return connection.getresponse().status == 200
    except OSError:  # a timeout included
        return False
    finally:
        connection.close()


@contextlib.contextmanager
def sockets() -> Iterator[list[socket.socket]]:
    held: list[socket.socket] = []
    try:
        yield held
    finally:
        for sock in held:
            sock.close()


def _held_until_waiting(server: Served, start: int, step: int, stop: int) -> int:
    """Open `start` idle connections, then `step` more at a time up to `stop`: the most held
    while a new client was still answered promptly after them."""
    best = 0
    with sockets() as held:
        for _ in range(start):
            held.append(socket.create_connection(("127.0.0.1", server.port), timeout=10))
        # Opened at once, they wait in the listen queue: the first answer says all are taken.
        if start and not answered_within(server.port, WAIT_S):
            return 0
        while len(held) < stop:
            for _ in range(step):
                held.append(socket.create_connection(("127.0.0.1", server.port), timeout=10))
            if not answered_within(server.port, PROMPT_S):
                break
            best = len(held)
        if server.process.poll() is not None:
            raise RuntimeError(f"the server exited with {server.process.returncode}")
    return best


def most_held(limit: int) -> int:
    """The most idle connections held while a new client was still answered promptly: found
    STEP at a time, then one at a time on a fresh server."""
    command = serve_command("--connection-limit", str(limit))
    with serving(command) as server:
        coarse = _held_until_waiting(server, 0, STEP, limit + STEP)
    with serving(command) as server:
        return _held_until_waiting(server, coarse, 1, coarse + STEP) or coarse


def trickled_wait(server: Served, count: int) -> float:
    """Seconds a new client waits while `count` connections trickle their heads."""
    stop = threading.Event()
    with sockets() as held:
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            sock.sendall(HEAD)
            held.append(sock)

        def trickle() -> None:
            while not stop.wait(TRICKLE_S):
                for sock in held:
                    with contextlib.suppress(OSError):
                        sock.send(b"X-Trickle: 1\r\n")

        thread = threading.Thread(target=trickle, daemon=True)
        thread.start()
        started = time.monotonic()
        try:
            while not answered_within(server.port, WAIT_S):
                if time.monotonic() - started > WAIT_S:
                    return float("inf")
            return time.monotonic() - started
        finally:
            stop.set()
            thread.join(timeout=10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.held_sockets", description=__doc__)
    parser.parse_args(argv)
    _raise_descriptor_limit(max(LIMITS) + STEP + 200)
    for limit in LIMITS:
        held = most_held(limit)
        print(f"held: --connection-limit {limit}: {held} idle connections held, a new client "
              f"still answered within {PROMPT_S:g} s", flush=True)  # fmt: skip
    limit = LIMITS[0]
    with serving(serve_command("--connection-limit", str(limit))) as server:
        waited = trickled_wait(server, limit + 50)
    print(f"trickled: {limit + 50} connections trickling a header line every {TRICKLE_S:g} s "
          f"(--connection-limit {limit}, default --head-timeout): a new client answered after "
          f"{waited:.1f} s", flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
