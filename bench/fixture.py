"""The pytest `sms_mock` fixture: its start with the first reset, and its stop."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.common import FIXTURE_RUNS, log, median
from bench.report import Figure, Report

FIXTURE_FIGURE = "pytest `sms_mock`: start + first reset"
FIXTURE_TARGET_MS = 30.0
STOP_FIGURE = "pytest `sms_mock`: stop"
PROFILED_RUNS = 5


def _timed(action: Callable[[], object]) -> float:
    """Milliseconds `action` takes."""
    began = time.perf_counter()
    action()
    return (time.perf_counter() - began) * 1000


def measure_fixture(report: Report) -> None:
    log("pytest fixture start and stop")
    # Imported here, not on top: the first run's figure is a fresh process's, imports and all.
    from sms_mock.mock_server.config import Config
    from sms_mock.mock_server.serving.live import LiveServer
    from sms_mock.pytest_plugin import SmsMock

    starts: list[float] = []
    stops: list[float] = []
    first_ms = 0.0
    for run in range(FIXTURE_RUNS + 1):
        began = time.perf_counter()
        server = LiveServer(Config(clock="manual")).start()
        try:
            mock = SmsMock(server)
            mock.reset()
            started = time.perf_counter() - began
            began = time.perf_counter()
            mock.close()
            server.stop()
            stopped = time.perf_counter() - began
        finally:
            server.stop()
        if run:  # the first run pays for one-time imports and caches; not counted
            starts.append(started)
            stops.append(stopped)
        else:
            first_ms = started * 1000
    start_ms, stop_ms = median(starts) * 1000, median(stops) * 1000
    # Where the start goes: building the app, and within it reading the fixtures folder.
    from sms_mock.mock_server.app import create_app
    from sms_mock.mock_server.control.fixtures import load_fixture_set
    from sms_mock.mock_server.emulator import Emulator

    app_ms = median([_timed(lambda: create_app(Config(clock="manual"))) for _ in range(5)])
    emulator_ms = median([_timed(lambda: Emulator(Config(clock="manual"))) for _ in range(5)])
    folders = Config().fixture_folders()
    fixtures_ms = median([_timed(lambda: load_fixture_set(folders)) for _ in range(5)])
    with tempfile.TemporaryDirectory() as tmp:
        # The same folder without its scenarios: what checking the scenario files costs.
        bare = Path(tmp, "fixtures")
        shutil.copytree(folders[0], bare, ignore=shutil.ignore_patterns("scenarios"))
        bare_ms = median([_timed(lambda: load_fixture_set([bare])) for _ in range(5)])
    report.note(
        f"pytest fixture start, median of {FIXTURE_RUNS}: {start_ms:.1f} ms (runs from "
        f"{min(starts) * 1000:.1f} to {max(starts) * 1000:.1f} ms; the first, in a fresh "
        f"process, {first_ms:.1f} ms). Of it: `create_app` {app_ms:.1f} ms: the Flask "
        f"app and its routes {app_ms - emulator_ms:.1f} ms, the emulator {emulator_ms:.1f} ms, "
        f"most of it reading and checking the default fixtures folder ({fixtures_ms:.1f} ms, "
        f"{fixtures_ms - bare_ms:.1f} ms of it for the scenario files); the rest, "
        f"{start_ms - app_ms:.1f} ms, is the server thread and the first reset over HTTP.",
        FIXTURE_FIGURE,
    )
    # cProfile sees only this thread: the app's build and the wait for the reset's answer (the
    # reset itself runs on the server's worker thread).
    from bench.profiling import profile_function

    def start_and_reset() -> None:
        server = LiveServer(Config(clock="manual")).start()
        try:
            SmsMock(server).reset()
        finally:
            server.stop()

    report.profile(
        profile_function(
            start_and_reset, PROFILED_RUNS, "The fixture's start, first reset and stop"
        ),
        FIXTURE_FIGURE,
        STOP_FIGURE,
    )
    report.methods.append(
        f"pytest fixture: what `sms_mock` does, in this process: "
        f'`LiveServer(Config(clock="manual")).start()` and the first `POST /_mock/reset` over '
        f"HTTP; then `.stop()`. Median of {FIXTURE_RUNS} runs after one unmeasured; then "
        f"{PROFILED_RUNS} runs under cProfile (which sees the calling thread only: the app's "
        f"build, the server's start and the wait for the reset)."
    )
    report.figures.append(
        Figure(
            FIXTURE_FIGURE,
            f"{start_ms:.1f} ms",
            f"< {FIXTURE_TARGET_MS:.0f} ms",
            start_ms < FIXTURE_TARGET_MS,
        )
    )
    report.figures.append(
        Figure(
            STOP_FIGURE,
            f"{stop_ms:.1f} ms",
            f"< {FIXTURE_TARGET_MS:.0f} ms",
            stop_ms < FIXTURE_TARGET_MS,
        )
    )
