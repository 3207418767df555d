"""A whole task lifecycle in process: start, advance the clock, read MIGRATE_SUCCESS."""

from __future__ import annotations

import cProfile
import time

from bench.common import ACTION_TASK, JSON_TYPE, LIFECYCLE_RUNS, TOKEN_BODY, log, median
from bench.profiling import rows_of, run_profile
from bench.report import Figure, Report

LIFECYCLE_TARGET_MS = 2.0
PROFILED_RUNS = 10
LIFECYCLE_FIGURE = "a lifecycle in process (start, advance, read)"


def measure_lifecycle(report: Report) -> None:
    log("a whole lifecycle in process")
    # Imported here, not on top: the fixture's first run must import the emulator itself.
    from sms_mock.mock_server.app import create_app
    from sms_mock.mock_server.config import Config

    app = create_app(Config(clock="manual"))
    emulator = app.extensions["sms_mock"]
    client = app.test_client()
    runs: list[float] = []
    profiler = cProfile.Profile()
    for run in range(LIFECYCLE_RUNS + PROFILED_RUNS + 1):
        profiled = run > LIFECYCLE_RUNS  # after the measured runs, a few under cProfile
        emulator.reset()
        answer = client.post("/v3/auth/tokens", data=TOKEN_BODY, headers=JSON_TYPE)
        auth = {"X-Auth-Token": answer.headers["X-Subject-Token"]}
        if profiled:
            profiler.enable()
        began = time.perf_counter()
        started = client.post(
            f"/v3/tasks/{ACTION_TASK}/action", json={"operation": "start"}, headers=auth
        )
        # Six hours: well past the replication (minutes), well before the token ends (a day).
        moved = client.post("/_mock/clock/advance", json={"seconds": 6 * 3600})
        state = client.get(f"/v3/tasks/{ACTION_TASK}", headers=auth).get_json()["state"]
        elapsed = time.perf_counter() - began
        if profiled:
            profiler.disable()
        if (started.status_code, moved.status_code, state) != (200, 200, "MIGRATE_SUCCESS"):
            raise RuntimeError(f"lifecycle: {started.status_code} {moved.status_code} {state}")
        if run and not profiled:  # the first run fills lazy caches; not counted
            runs.append(elapsed)
    ms = median(runs) * 1000
    report.methods.append(
        f'Lifecycle: `create_app(Config(clock="manual"))` and its test client; `start` on '
        f"`{ACTION_TASK}`, `POST /_mock/clock/advance` six hours, `GET` the task "
        f"(MIGRATE_SUCCESS). Median of {LIFECYCLE_RUNS} runs after one unmeasured; the reset "
        f"and token issue between runs are not counted; {PROFILED_RUNS} more runs under cProfile."
    )
    rows, profiled_us = rows_of(profiler, PROFILED_RUNS, "ms")
    report.profile(
        run_profile(rows, profiled_us, PROFILED_RUNS, "The lifecycle (start, advance, read)"),
        LIFECYCLE_FIGURE,
    )
    report.figures.append(
        Figure(
            LIFECYCLE_FIGURE,
            f"{ms:.2f} ms",
            f"< {LIFECYCLE_TARGET_MS:.0f} ms",
            ms < LIFECYCLE_TARGET_MS,
        )
    )
