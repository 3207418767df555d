"""Clients that hold connections open and never finish a request: `python -m bench.holder`.

`python -m bench.holder URL --sockets 200 --mode idle|drip --seconds S` opens that many
connections to a 127.0.0.1 server and prints `holding N` once all are open. `idle` then sends
nothing; `drip` sends a request's headers a byte a second on each, headers that never end. It
stops by itself after S seconds, or at SIGTERM, and prints one JSON line: the connections opened,
those the server closed meanwhile, and the bytes sent.
"""

from __future__ import annotations

import argparse
import json
import signal
import socket
import sys
import time
from types import FrameType
from urllib.parse import urlsplit

# A request line and a header that never ends: the server never has a whole request.
DRIP = b"GET /v3/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 100_000
STEP_S = 0.05


def hold(host: str, port: int, sockets: int, mode: str, seconds: float) -> dict[str, int]:
    stopping = [False]

    def stop(signum: int, frame: FrameType | None) -> None:
        stopping[0] = True

    signal.signal(signal.SIGTERM, stop)
    deadline = time.monotonic() + seconds
    held: list[socket.socket] = []
    try:
        for _ in range(sockets):
            held.append(socket.create_connection((host, port), timeout=10))
        for each in held:
            each.setblocking(False)
        print(f"holding {len(held)}", flush=True)
        open_ = set(range(len(held)))
        sent = position = 0  # bytes sent in all; the next byte of DRIP each socket sends
        next_byte = time.monotonic()
        while not stopping[0] and time.monotonic() < deadline:
            now = time.monotonic()
            for index in list(open_):
                try:
                    if held[index].recv(1, socket.MSG_PEEK) == b"":
                        open_.discard(index)  # the server closed it
                        continue
                except BlockingIOError:
                    pass  # open, nothing to read: as it should be
                except OSError:
                    open_.discard(index)
                    continue
                if mode == "drip" and now >= next_byte and position < len(DRIP):
                    try:
                        sent += held[index].send(DRIP[position : position + 1])
                    except OSError:
                        open_.discard(index)
            if mode == "drip" and now >= next_byte:
                next_byte, position = now + 1.0, position + 1
            time.sleep(STEP_S)
        return {"opened": len(held), "closed_by_server": len(held) - len(open_), "sent": sent}
    finally:
        for each in held:
            each.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.holder", description=__doc__)
    parser.add_argument("url", help="the server, e.g. http://127.0.0.1:8080")
    parser.add_argument("--sockets", type=int, default=200)
    parser.add_argument("--mode", choices=["idle", "drip"], default="idle")
    parser.add_argument("--seconds", type=float, default=10.0, help="stop after this long")
    args = parser.parse_args(argv)
    if not args.url.startswith("http://127.0.0.1:"):
        parser.error("the url must be http://127.0.0.1:PORT")  # loopback only
    parts = urlsplit(args.url)
    result = hold(
        parts.hostname or "127.0.0.1", parts.port or 80, args.sockets, args.mode, args.seconds
    )
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
