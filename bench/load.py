"""A bounded load generator, run as its own process: `python -m bench.load URL METHOD PATH ...`.

It stays apart from the server it loads so that the two do not share a GIL; it uses only
http.client, whose per-request cost is a fraction of requests', so the generator is not the
bottleneck it measures. It stops by itself after `--requests` answers or `--seconds`, whichever
comes first, and prints one JSON line: the count, req/s and latency percentiles.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import sys
import threading
import time
from collections import Counter
from urllib.parse import urlsplit


def percentile(sorted_values: list[float], share: float) -> float:
    """The nearest-rank percentile of an already sorted list (0.0 when it is empty)."""
    if not sorted_values:
        return 0.0
    rank = max(0, min(len(sorted_values) - 1, round(share * len(sorted_values)) - 1))
    return sorted_values[rank]


def run(
    url: str,
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes | None,
    *,
    connections: int,
    max_requests: int,
    max_seconds: float,
    expect: int,
) -> dict[str, object]:
    """Keep `connections` keep-alive connections busy until either bound is reached."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    tickets = itertools.count()  # next() on a count is atomic under the GIL: a shared budget
    latencies: list[list[float]] = [[] for _ in range(connections)]
    failures = [0] * connections
    unexpected: list[Counter[int]] = [Counter() for _ in range(connections)]  # status -> count
    start = threading.Barrier(connections + 1)
    deadline = [0.0]

    def worker(slot: int) -> None:
        connection = http.client.HTTPConnection(host, port, timeout=10)
        mine = latencies[slot]
        clock = time.perf_counter
        start.wait()
        try:
            while next(tickets) < max_requests and clock() < deadline[0]:
                began = clock()
                try:
                    connection.request(method, path, body=body, headers=headers)
                    response = connection.getresponse()
                    response.read()
                except (OSError, http.client.HTTPException):
                    # A dropped connection counts as a failure and is opened again.
                    failures[slot] += 1
                    connection.close()
                    connection = http.client.HTTPConnection(host, port, timeout=10)
                    continue
                mine.append(clock() - began)
                if response.status != expect:
                    failures[slot] += 1
                    unexpected[slot][response.status] += 1
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(connections)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline[0] = began + max_seconds
    start.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    every = sorted(itertools.chain.from_iterable(latencies))
    return {
        "requests": len(every),
        "failures": sum(failures),
        "statuses": {str(k): v for k, v in sum(unexpected, Counter()).items()},
        "seconds": elapsed,
        "rps": len(every) / elapsed if elapsed > 0 else 0.0,
        "p50_ms": percentile(every, 0.50) * 1000,
        "p99_ms": percentile(every, 0.99) * 1000,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("url", help="the server, e.g. http://127.0.0.1:8080")
    parser.add_argument("method")
    parser.add_argument("path")
    parser.add_argument("--header", action="append", default=[], metavar="NAME:VALUE")
    parser.add_argument("--body", help="the request body, sent as UTF-8")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--requests", type=int, default=20000, help="stop after this many")
    parser.add_argument("--seconds", type=float, default=2.0, help="or after this long")
    parser.add_argument("--expect", type=int, default=200, help="the status every answer has")
    args = parser.parse_args(argv)
    if not args.url.startswith("http://127.0.0.1:"):
        # Load only this machine's loopback: the bench must never hammer anything else.
        parser.error("the url must be http://127.0.0.1:PORT")
    headers = dict(h.split(":", 1) for h in args.header)
    headers = {k.strip(): v.strip() for k, v in headers.items()}
    body = args.body.encode() if args.body is not None else None
    result = run(
        args.url,
        args.method,
        args.path,
        headers,
        body,
        connections=args.connections,
        max_requests=args.requests,
        max_seconds=args.seconds,
        expect=args.expect,
    )
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
