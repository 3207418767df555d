"""`sms-mock serve` start to first answer, beside the floor's, and where a start's time goes."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ENV, ROOT, START_RUNS, log, median
from bench.procs import floor_command, read_line, request, serve_command, spawn, stop
from bench.report import Figure, Report

START_FIGURE = "`sms-mock serve` start to first answer"
START_TARGET_S = 0.5
PARTS_RUNS = 3


def start_to_first_answer(command: list[str], path: str) -> float:
    """Seconds from spawning a server to its first 200 on `path`."""
    began = time.perf_counter()
    process = spawn(command)
    try:
        line = read_line(process, 30)
        port = int(line.rsplit(b":", 1)[1])
        while True:
            try:
                if request(port, "GET", path)[0] == 200:
                    return time.perf_counter() - began
            except ConnectionError:
                pass
            time.sleep(0.002)
    finally:
        stop(process)


def start_parts() -> dict[str, float]:
    """The phases of a start, timed inside one fresh interpreter by `bench.start_parts`."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.start_parts"],
        capture_output=True,
        check=True,
        cwd=ROOT,
        env=ENV,
    )
    return json.loads(done.stdout)


def measure_start(report: Report) -> None:
    log("start to first answer")
    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp, "empty.json")
        empty.write_text("{}")
        emulator = (serve_command(), "/_mock/health")
        floor = (floor_command(empty, empty), "/v3/tasks/x")
        for command, path in (emulator, floor):
            start_to_first_answer(command, path)  # pays for a cold disk cache; not counted
        runs: dict[str, list[float]] = {"emulator": [], "floor": []}
        for _ in range(START_RUNS):
            runs["emulator"].append(start_to_first_answer(*emulator))
            runs["floor"].append(start_to_first_answer(*floor))
    seconds, floor_seconds = median(runs["emulator"]), median(runs["floor"])
    report.figures.append(
        Figure(
            START_FIGURE,
            f"{seconds * 1000:.0f} ms",
            f"< {START_TARGET_S * 1000:.0f} ms",
            seconds < START_TARGET_S,
        )
    )
    report.figures.append(
        Figure("the floor's start to first answer", f"{floor_seconds * 1000:.0f} ms", "", None)
    )
    # Where the time goes, to name the obstacle: timed inside one fresh process at a time.
    parts = [start_parts() for _ in range(PARTS_RUNS)]
    flask_ms, ours_ms, app_ms, fixtures_ms = (
        median([p[key] for p in parts]) for key in ("flask_ms", "ours_ms", "app_ms", "fixtures_ms")
    )
    report.note(
        f"Start, median of {START_RUNS}: {seconds * 1000:.0f} ms (runs from "
        f"{min(runs['emulator']) * 1000:.0f} to {max(runs['emulator']) * 1000:.0f} ms); the "
        f"floor (a bare Flask app under waitress, also a subprocess) "
        f"{floor_seconds * 1000:.0f} ms. Inside a fresh `sms-mock serve` process (median of "
        f"{PARTS_RUNS}): importing Flask and waitress {flask_ms:.0f} ms, then the emulator's own "
        f"modules (marshmallow, the contracts, the app) {ours_ms:.0f} ms, then the first "
        f"`create_app` {app_ms:.0f} ms, which reads and checks the fixtures folder (account, "
        f"tasks and every scenario file); a separate load of that folder after it (not the one "
        f"inside `create_app`, which is not timed apart) took {fixtures_ms:.0f} ms.",
        START_FIGURE,
    )
