"""An emulator stocked with many tasks, put in through its backend, then served like `serve`.

`python -m bench.stocked --tasks N` builds `create_app(Config(clock="manual"))`, puts N tasks
into the default project with `sms.put` (POST /_mock/tasks would take minutes for 100,000),
measures the resident memory that took, and serves on 127.0.0.1, a free port, under waitress
with 4 threads, as `sms-mock serve` does. Its first line is `stocked listening on URL {json}`.

The tasks take five resting states in turn (README's lifecycle moves none of them on the clock),
so that a list filtered by state picks a fifth of them. With `--profile`, before it serves, it
profiles the list pages and a task's GET in process (`bench.profiling`) and adds them to the
JSON: what a missed list figure's note shows.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
import tracemalloc
from typing import Any

from bench.common import rss_bytes
from bench.profiling import short_path
from sms_mock.mock_server.app import create_app
from sms_mock.mock_server.config import Config
from sms_mock.mock_server.emulator import Emulator
from sms_mock.mock_server.serving.waitress_server import make_server, run_until_stopped

# Resting states: a put task in one of these stays as it is, so the list index has no task to
# settle (a RUNNING one with open sub-tasks would move on the clock).
STATES = ("READY", "MIGRATE_SUCCESS", "MIGRATE_FAIL", "ABORT", "SYNC_SUCCESS")
LISTED_STATE = "MIGRATE_SUCCESS"  # what the state-filtered list asks for: a fifth of the tasks
DEEP_OFFSET = 65_000  # the unfiltered list's deep page (the query allows up to 65,535)
FIRST_PAGE = "/v3/tasks?limit=100"  # what the listing clients of bench.busy_lists read
PROFILED_CALLS = 200


def task_id(index: int) -> str:
    return f"bench-{index:06d}"


def state_of(index: int) -> str:
    return STATES[index % len(STATES)]


def list_paths() -> dict[str, str]:
    """The two list pages the bench reads, by name."""
    return {
        "state": f"/v3/tasks?limit=100&state={LISTED_STATE}",
        "deep": f"/v3/tasks?limit=100&offset={DEEP_OFFSET}",
    }


def put_tasks(emulator: Emulator, first: int, count: int) -> None:
    """Tasks as `POST /_mock/tasks {"id", "state"}` makes them: every other field defaulted."""
    project_id, project_name = emulator.project_ref(None)
    put = emulator.sms.put
    for index in range(first, first + count):
        put(project_id, project_name, {"id": task_id(index), "state": state_of(index)})


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


def traced_bytes_per_task(count: int) -> tuple[float, list[tuple[str, float]]]:
    """tracemalloc's count of the bytes `count` more tasks hold, per task (no allocator slack),
    and where they were allocated: (source file, bytes a task), largest first."""
    emulator: Emulator = create_app(Config(clock="manual")).extensions["sms_mock"]
    put_tasks(emulator, 0, 1)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        first = tracemalloc.take_snapshot()
        put_tasks(emulator, 1, count)
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
        last = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    where = [
        (short_path(stat.traceback[0].filename), stat.size_diff / count)
        for stat in last.compare_to(first, "filename")
        if stat.size_diff > 0 and "tracemalloc" not in stat.traceback[0].filename
    ]
    return (after - before) / count, where


def profiles(app: Any, tasks: int) -> dict[str, Any]:
    """The list pages and a task's GET, profiled in process (bench.profiling)."""
    from bench.common import JSON_TYPE, TOKEN_BODY
    from bench.profiling import environ_for, profile_call

    client = app.test_client()
    answer = client.post("/v3/auth/tokens", data=TOKEN_BODY, headers=JSON_TYPE)
    auth = {"X-Auth-Token": answer.headers["X-Subject-Token"]}
    paths = {**list_paths(), "first": FIRST_PAGE, "get": f"/v3/tasks/{task_id(tasks // 2)}"}
    found: dict[str, Any] = {}
    for name, path in paths.items():
        us, profile = profile_call(
            app, environ_for("GET", path, auth, None), PROFILED_CALLS, f"`GET {path}`"
        )
        found[name] = {"us": us, "profile": profile.as_dict()}
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.stocked", description=__doc__)
    parser.add_argument("--tasks", type=int, required=True)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--profile", action="store_true", help="profile the list pages first")
    args = parser.parse_args(argv)
    app = create_app(Config(clock="manual"))
    info: dict[str, Any] = stock(app.extensions["sms_mock"], args.tasks)
    if args.profile:
        info["profiles"] = profiles(app, args.tasks)
    server = make_server(app, host="127.0.0.1", port=0, threads=args.threads)
    url = f"http://127.0.0.1:{server.effective_port}"  # type: ignore[union-attr]
    print(f"stocked listening on {url} {json.dumps(info)}", flush=True)
    run_until_stopped(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
