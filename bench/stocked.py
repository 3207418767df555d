"""An emulator stocked with many tasks, put in through its backend, then served like `serve`.

`python -m bench.stocked --tasks N` builds `create_app(Config(clock="manual"))`, puts N tasks
into the default project with `sms.put` (POST /_mock/tasks would take minutes for 100,000),
measures the resident memory that took, and serves on 127.0.0.1, a free port, under waitress
with 4 threads, as `sms-mock serve` does. Its first line is `stocked listening on URL {json}`.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
import tracemalloc

from sms_mock.mock_server.app import create_app
from sms_mock.mock_server.config import Config
from sms_mock.mock_server.emulator import Emulator
from sms_mock.mock_server.serving.waitress_server import make_server, run_until_stopped

PAGE = os.sysconf("SC_PAGE_SIZE")


def task_id(index: int) -> str:
    return f"bench-{index:06d}"


def rss_bytes() -> int:
    """This process's resident set now (not its peak), after a full collection."""
    gc.collect()
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE


def put_tasks(emulator: Emulator, first: int, count: int) -> None:
    """Tasks as `POST /_mock/tasks {"id"}` makes them: READY, every other field defaulted."""
    project_id, project_name = emulator.project_ref(None)
    put = emulator.sms.put
    for index in range(first, first + count):
        put(project_id, project_name, {"id": task_id(index)})


def stock(emulator: Emulator, tasks: int) -> dict[str, float]:
    """Put `tasks` tasks in; the resident memory the ones beyond the first took."""
    put_tasks(emulator, 0, 1)
    before = rss_bytes()
    began = time.perf_counter()
    put_tasks(emulator, 1, tasks - 1)
    seconds = time.perf_counter() - began
    after = rss_bytes()
    return {
        "tasks": tasks,
        "put_seconds": seconds,
        "rss_before": before,
        "rss_after": after,
        "rss_per_task": (after - before) / max(1, tasks - 1),
    }


def traced_bytes_per_task(count: int) -> float:
    """tracemalloc's count of the bytes `count` more tasks hold, per task: no allocator slack."""
    emulator: Emulator = create_app(Config(clock="manual")).extensions["sms_mock"]
    put_tasks(emulator, 0, 1)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        put_tasks(emulator, 1, count)
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return (after - before) / count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.stocked", description=__doc__)
    parser.add_argument("--tasks", type=int, required=True)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args(argv)
    app = create_app(Config(clock="manual"))
    info = stock(app.extensions["sms_mock"], args.tasks)
    server = make_server(app, host="127.0.0.1", port=0, threads=args.threads)
    url = f"http://127.0.0.1:{server.effective_port}"  # type: ignore[union-attr]
    print(f"stocked listening on {url} {json.dumps(info)}", flush=True)
    run_until_stopped(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
