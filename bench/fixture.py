"""The pytest `sms_mock` fixture: its start with the first reset, its stop, and a test's reset."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.common import ENV, FIXTURE_RUNS, log, median
from bench.profiling import Profile
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
    first_run_ms = 0.0
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
            first_run_ms = started * 1000
    start_ms, stop_ms = median(starts) * 1000, median(stops) * 1000
    # Where the start goes: building the app, and within it reading the fixtures folder.
    from sms_mock.mock_server.app import create_app
    from sms_mock.mock_server.control import fixtures
    from sms_mock.mock_server.emulator import Emulator

    app_ms = median([_timed(lambda: create_app(Config(clock="manual"))) for _ in range(5)])
    emulator_ms = median([_timed(lambda: Emulator(Config(clock="manual"))) for _ in range(5)])
    folders = Config().fixture_folders()
    kept_ms = median([_timed(lambda: fixtures.load_fixture_set(folders)) for _ in range(5)])

    def first_read(folder: list[Path]) -> float:
        """A folder's load as the process's first (what it keeps forgotten first)."""
        fixtures._kept_folders.clear()
        return _timed(lambda: fixtures.load_fixture_set(folder))

    first_ms = median([first_read(folders) for _ in range(5)])
    with tempfile.TemporaryDirectory() as tmp:
        # The same folder without its scenarios: what checking the scenario files costs.
        bare = Path(tmp, "fixtures")
        shutil.copytree(folders[0], bare, ignore=shutil.ignore_patterns("scenarios"))
        bare_ms = median([first_read([bare]) for _ in range(5)])
    report.note(
        f"pytest fixture start, median of {FIXTURE_RUNS}: {start_ms:.1f} ms (runs from "
        f"{min(starts) * 1000:.1f} to {max(starts) * 1000:.1f} ms; the first, in a fresh "
        f"process, {first_run_ms:.1f} ms). Of it: `create_app` {app_ms:.1f} ms: the Flask "
        f"app and its routes (their URL builders compiled when first used) "
        f"{app_ms - emulator_ms:.1f} ms, the emulator {emulator_ms:.1f} ms, of which "
        f"{kept_ms:.1f} ms reading the default fixtures folder, which this process read and "
        f"checked before (its first read and check takes {first_ms:.1f} ms, "
        f"{first_ms - bare_ms:.1f} ms of it for the scenario files); the rest, "
        f"{start_ms - app_ms:.1f} ms, is the server thread and the first reset.",
        FIXTURE_FIGURE,
    )
    # cProfile sees only this thread: the app's build, the server's start and the reset (run
    # in this thread, as the fixture runs it).
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
        f'`LiveServer(Config(clock="manual")).start()` and the first reset (`SmsMock.reset()`, '
        f"in process); then `.stop()`. Median of {FIXTURE_RUNS} runs after one unmeasured; "
        f"then {PROFILED_RUNS} runs under cProfile (which sees the calling thread only: the "
        f"app's build, the server's start and the reset)."
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


# --- a test's reset, in a pytest run of its own ---------------------------------------------------

RESET_FIGURE = "pytest `sms_mock`: a test's reset (a test with the fixture, less one without)"
RESET_TARGET_MS = 2.0
RESET_TESTS = 200  # tests of each kind in a run
RESET_RUNS = 5  # child pytest runs; each figure is the median of theirs
RESET_CALLS = 500  # resets timed in process, and over HTTP

# The child run's own conftest: when each test's report started and ended.
TIMING_CONFTEST = """
import json, os, time

_SPANS = {}


def pytest_runtest_logstart(nodeid, location):
    _SPANS[nodeid] = [time.perf_counter(), None]


def pytest_runtest_logfinish(nodeid, location):
    _SPANS[nodeid][1] = time.perf_counter()


def pytest_sessionfinish(session):
    with open(os.environ["SMS_MOCK_BENCH_SPANS"], "w") as out:
        json.dump(_SPANS, out)
"""

TIMED_TESTS = f"""
import pytest


def test_a_first_test_starts_the_session_server(sms_mock):
    pass


@pytest.mark.parametrize("n", range({RESET_TESTS}))
def test_with_the_fixture(sms_mock, n):
    pass


@pytest.mark.parametrize("n", range({RESET_TESTS}))
def test_with_none(n):
    pass
"""


def _per_test_ms(spans: dict[str, list[float]], name: str) -> float:
    """Milliseconds a test of the group took, from its first test's start to its last's end."""
    group = [span for nodeid, span in spans.items() if f"::{name}[" in nodeid]
    assert len(group) == RESET_TESTS, f"{name}: {len(group)} tests ran"
    return (group[-1][1] - group[0][0]) * 1000 / len(group)


def child_run(folder: Path) -> tuple[float, float]:
    """One pytest run of the timed tests: ms a test with `sms_mock`, and with no fixture."""
    spans_file = folder / "spans.json"
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_timed.py"],
        cwd=folder,
        env={**ENV, "SMS_MOCK_BENCH_SPANS": str(spans_file)},
        capture_output=True,
        check=True,
        timeout=300,
    )
    spans = json.loads(spans_file.read_text())
    return _per_test_ms(spans, "test_with_the_fixture"), _per_test_ms(spans, "test_with_none")


def _reset_parts() -> tuple[float, float, Profile]:
    """Microseconds a reset takes: the fixture's (`SmsMock.reset`, in process), and the same
    reset as `POST /_mock/reset` over HTTP on a kept-open session (median of RESET_CALLS
    each, after as many unmeasured); and the fixture's under cProfile."""
    from bench.profiling import profile_function
    from sms_mock.control import ControlPlane
    from sms_mock.mock_server.config import Config
    from sms_mock.mock_server.serving.live import LiveServer
    from sms_mock.pytest_plugin import SmsMock

    with LiveServer(Config(clock="manual")) as server:
        mock = SmsMock(server)
        plane = ControlPlane(server.url)
        try:
            parts = []
            for action in (mock.reset, plane.reset):
                for _ in range(RESET_CALLS):
                    action()
                parts.append(median([_timed(action) for _ in range(RESET_CALLS)]) * 1000)
            profile = profile_function(mock.reset, RESET_CALLS, "The fixture's reset")
        finally:
            plane.close()
            mock.close()
    return parts[0], parts[1], profile


def measure_reset(report: Report) -> None:
    log("pytest: a test's reset, in child pytest runs")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "conftest.py").write_text(TIMING_CONFTEST)
        (folder / "test_timed.py").write_text(TIMED_TESTS)
        runs = [child_run(folder) for _ in range(RESET_RUNS)]
    with_ms = median([run[0] for run in runs])
    none_ms = median([run[1] for run in runs])
    reset_ms = median([fixture - bare for fixture, bare in runs])
    fixture_us, http_us, profile = _reset_parts()
    report.note(
        f"A test's reset, median of {RESET_RUNS} pytest runs of {RESET_TESTS} tests with the "
        f"`sms_mock` fixture and {RESET_TESTS} with none: {with_ms:.2f} ms a test with it, "
        f"{none_ms:.2f} ms with none (runs' resets from "
        f"{min(f - b for f, b in runs):.2f} to {max(f - b for f, b in runs):.2f} ms). The "
        f"fixture's reset alone, in process: {fixture_us:.0f} us; the same reset as `POST "
        f"/_mock/reset` over HTTP: {http_us:.0f} us (medians of {RESET_CALLS}), the rest of "
        f"it the round trip through the server's threads.",
        RESET_FIGURE,
    )
    report.profile(profile, RESET_FIGURE)
    report.methods.append(
        f"A test's reset: a pytest run in a folder of its own (its conftest notes when each "
        f"test's report starts and ends), with a first test that starts the session's server, "
        f"then {RESET_TESTS} empty tests taking `sms_mock` and {RESET_TESTS} taking no "
        f"fixture; each kind's cost a test is the span from its first test's start to its "
        f"last's end over {RESET_TESTS}, and the reset is the difference. {RESET_RUNS} runs, "
        f"medians. Then in this process, {RESET_CALLS} resets timed after as many unmeasured: "
        f"the fixture's `SmsMock.reset()`, and `POST /_mock/reset` over HTTP."
    )
    report.figures.append(
        Figure(
            RESET_FIGURE,
            f"{reset_ms:.2f} ms ({with_ms:.2f} ms a test with it / {none_ms:.2f} ms without)",
            f"< {RESET_TARGET_MS:.0f} ms",
            reset_ms < RESET_TARGET_MS,
        )
    )
