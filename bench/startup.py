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
from bench.profiling import Profile
from bench.report import Figure, Report

START_FIGURE = "`sms-mock serve` start to first answer"
START_TARGET_S = 0.3
IMPORT_ROWS = 12
# What `sms_mock.cli.main` loads before `serve` runs, the way it loads it.
SERVE_IMPORTS = (
    "from sms_mock.mock_server.serving import collector, deferred_patterns; collector.hold(); "
    "deferred_patterns.import_marshmallow(); import sms_mock.cli.app, sms_mock.mock_server.app"
)
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


def import_profile() -> Profile:
    """`python -X importtime` of what `sms-mock serve` imports, as it imports it (the collector
    held off, marshmallow's e-mail patterns deferred): the slowest imports."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", SERVE_IMPORTS],
        capture_output=True,
        check=True,
        cwd=ROOT,
        env=ENV,
    )
    found = []
    for line in done.stderr.decode().splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        own, cumulative, name = (part.strip() for part in line[len("import time:") :].split("|"))
        found.append((int(cumulative), int(own), name))
    whole = sum(own for _, own, _ in found) or 1
    seen: set[str] = set()
    top = []
    for cumulative, own, name in sorted(found, reverse=True):
        # A package imported from inside its own submodule's import shows twice: once is enough.
        if name not in seen:
            seen.add(name)
            top.append((cumulative, own, name))
    top = top[:IMPORT_ROWS]
    return Profile(
        f"`python -X importtime` of what `sms-mock serve` imports, as it imports it (the "
        f"garbage collector held off, marshmallow's e-mail patterns deferred), one fresh "
        f"process ({whole / 1000:.0f} ms of imports in all, a cold start's import time): the "
        f"top {IMPORT_ROWS} modules by cumulative import time (a package's time includes the "
        f"modules it imports):",
        [
            [
                f"`{name.strip()}`",
                f"{cumulative / 1000:.1f}",
                f"{own / 1000:.1f}",
                f"{cumulative / whole:.0%}",
            ]
            for cumulative, own, name in top
        ],
        ["module", "cumulative ms", "own ms", "share"],
    )


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
    flask_ms, ours_ms, fixtures_ms, app_ms, server_ms = (
        median([p[key] for p in parts])
        for key in ("flask_ms", "ours_ms", "fixtures_ms", "app_ms", "server_ms")
    )
    report.note(
        f"Start, median of {START_RUNS}: {seconds * 1000:.0f} ms (runs from "
        f"{min(runs['emulator']) * 1000:.0f} to {max(runs['emulator']) * 1000:.0f} ms); the "
        f"floor (a bare Flask app under waitress, also a subprocess) "
        f"{floor_seconds * 1000:.0f} ms. Inside a fresh process started as `sms-mock serve` "
        f"starts (the garbage collector held off until the server is made, marshmallow's "
        f"e-mail patterns deferred; median of {PARTS_RUNS}): importing Flask and waitress "
        f"{flask_ms:.0f} ms, then the emulator's own modules and the command line's "
        f"(marshmallow, the contracts, the app) {ours_ms:.0f} ms, then the first `create_app` "
        f"{fixtures_ms + app_ms:.0f} ms: reading and checking the fixtures folder (account, "
        f"tasks and every scenario file, read once a process) {fixtures_ms:.0f} ms, the Flask "
        f"app, its routes and the emulator's state {app_ms:.0f} ms; then the listeners and "
        f"the pool {server_ms:.0f} ms. The rest of a start is the interpreter's own, parsing "
        f"the command line and the first request.",
        START_FIGURE,
    )
    report.profile(import_profile(), START_FIGURE)
    report.methods.append(
        f"Start: from spawning `sms-mock serve --port 0 --clock manual` to the first 200 of "
        f"`GET /_mock/health` (the URL is read from its first line; the IAM listener's line "
        f"follows it), median of {START_RUNS} runs after one unmeasured, alternating with the "
        f"floor's start (to its first 200). The servers may write bytecode caches, as a user's "
        f"Python does, even where PYTHONDONTWRITEBYTECODE is set. Where the time goes: "
        f"`bench.start_parts` times the phases inside {PARTS_RUNS} fresh processes, and "
        f"`python -X importtime` lists the slowest imports."
    )
