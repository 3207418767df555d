"""`python -m bench` (`make bench`): every figure of design 6 in one run; a table and results.md.

The HTTP figures load real servers (subprocesses on 127.0.0.1) from a separate load-generator
process; each is bounded in requests and seconds. Emulator and floor are measured in
alternation, round after round, so that a noisy neighbour on this shared machine hits both
alike, and each figure is the median of the rounds.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.procs import ENV, ROOT, SMS_MOCK, Served, read_line, request, serving, spawn, stop

RESULTS = Path(__file__).resolve().parent / "results.md"

PROJECT_ID = "aa672d6a0df5c7904ce88d2f516d242d"  # cn-north-4, the default project
SEED_TASK = "8abda8635e09d185015e09d188dd0001xx"  # the seed page's example: a frozen RUNNING task
ACTION_TASK = "sample-ready"  # READY: network_check is accepted every time, a 200 each time
TOKEN_BODY = json.dumps(
    {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {
                        "name": "mock-user",
                        "password": "mock-password",
                        "domain": {"name": "mock-domain"},
                    }
                },
            },
            "scope": {"project": {"id": PROJECT_ID}},
        }
    }
)
ACTION_BODY = '{"operation": "network_check"}'
JSON_TYPE = {"Content-Type": "application/json"}

THREADS = 4  # waitress threads, both sides: `sms-mock serve`'s default
CONNECTIONS = 4  # keep-alive connections the load generator keeps busy
ROUNDS = 5  # emulator and floor each, alternating
SECONDS = 2.0  # per measurement, at most ...
MAX_REQUESTS = 20_000  # ... and at most this many requests
WARMUP_SECONDS = 0.5
START_RUNS = 7
FIXTURE_RUNS = 15
LIFECYCLE_RUNS = 31
BIG, SMALL = 100_000, 10
BIG_ROUNDS = 5
TRACED_TASKS = 5_000

# The figures a note may explain.
START_FIGURE = "`sms-mock serve` start to first answer"
FIXTURE_FIGURE = "pytest `sms_mock`: start + first reset"
BIG_FIGURE = f"GET p50 with {BIG:,} tasks / with {SMALL}"
MEMORY_FIGURE = "memory a task beyond the first (RSS)"
GET_CALL = "GET /v3/tasks/{id}"

# Design 6's targets.
GET_RATIO_TARGET = 0.7
START_TARGET_S = 0.5
FIXTURE_TARGET_MS = 50.0
BIG_LATENCY_TARGET = 1.2
TASK_BYTES_TARGET = 2048
LIFECYCLE_TARGET_MS = 5.0


@dataclass
class Call:
    """One request the load generator repeats, and the status every answer must have."""

    name: str
    method: str
    path: str
    headers: dict[str, str]
    body: str | None
    expect: int


@dataclass
class Load:
    """One bounded load run's result, as `bench.load` prints it."""

    requests: int
    failures: int
    rps: float
    p50_ms: float
    p99_ms: float
    statuses: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass
class Figure:
    """A line of the summary: what, measured, target, met (None: no target)."""

    name: str
    measured: str
    target: str
    met: bool | None


@dataclass
class Report:
    """Everything one run measured, for the table and results.md."""

    http: list[dict[str, Any]] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    why: dict[str, str] = field(default_factory=dict)  # figure name -> the note that explains it
    load_at_start: float = 0.0  # the machine's 1-minute load average: how noisy the run was

    def note(self, text: str, *explains: str) -> None:
        """A note for results.md, and what it explains should those figures miss."""
        self.notes.append(text)
        for name in explains:
            self.why[name] = text


def median(values: list[float]) -> float:
    return statistics.median(values)


def log(message: str) -> None:
    print(f"  .. {message}", file=sys.stderr, flush=True)


# --- load -------------------------------------------------------------------------------------


def load(
    url: str,
    call: Call,
    seconds: float = SECONDS,
    max_requests: int = MAX_REQUESTS,
    connections: int = CONNECTIONS,
) -> Load:
    """Run the load generator as its own process against one server, bounded both ways."""
    command = [sys.executable, "-m", "bench.load", url, call.method, call.path]
    for name, value in call.headers.items():
        command += ["--header", f"{name}: {value}"]
    if call.body is not None:
        command += ["--body", call.body]
    command += ["--connections", str(connections), "--requests", str(max_requests)]
    command += ["--seconds", str(seconds), "--expect", str(call.expect)]
    done = subprocess.run(
        command, capture_output=True, cwd=ROOT, env=ENV, timeout=seconds + 60, check=True
    )
    return Load(**json.loads(done.stdout.decode().strip().splitlines()[-1]))


def token_for(port: int) -> tuple[str, dict[str, Any]]:
    """A project-scoped token from the emulator on `port`, and the answer's body."""
    status, headers, body = request(port, "POST", "/v3/auth/tokens", TOKEN_BODY.encode(), JSON_TYPE)
    if status != 201:
        raise RuntimeError(f"token: {status} {body[:200]!r}")
    return headers["X-Subject-Token"], json.loads(body)


# --- 1. HTTP beside the floor -----------------------------------------------------------------


def serve_command(*extra: str) -> list[str]:
    """`sms-mock serve` as the bench runs it: 127.0.0.1, a free port, the manual clock."""
    return [
        SMS_MOCK,
        "serve",
        "--port",
        "0",
        "--clock",
        "manual",
        "--threads",
        str(THREADS),
        *extra,
    ]


def measure_http(report: Report) -> None:
    with serving(serve_command()) as emulator, tempfile.TemporaryDirectory() as tmp:
        token, token_doc = token_for(emulator.port)
        auth = {"X-Auth-Token": token}
        status, _, task_bytes = request(emulator.port, "GET", f"/v3/tasks/{SEED_TASK}", None, auth)
        if status != 200:
            raise RuntimeError(f"GET task: {status}")
        task_file, token_file = Path(tmp, "task.json"), Path(tmp, "token.json")
        task_file.write_bytes(task_bytes)
        token_file.write_text(json.dumps(token_doc))
        floor_command = [
            sys.executable,
            "-m",
            "bench.floor",
            "--task",
            str(task_file),
            "--token",
            str(token_file),
            "--threads",
            str(THREADS),
        ]
        with serving(floor_command) as floor:
            _, _, floor_bytes = request(floor.port, "GET", f"/v3/tasks/{SEED_TASK}")
            same = floor_bytes == task_bytes
            report.notes.append(
                f"The floor's task answer is {'the same' if same else 'NOT the same'} "
                f"{len(task_bytes):,} bytes as the emulator's."
            )
            calls = [
                Call(GET_CALL, "GET", f"/v3/tasks/{SEED_TASK}", auth, None, 200),
                Call("POST /v3/auth/tokens", "POST", "/v3/auth/tokens", JSON_TYPE, TOKEN_BODY, 201),
                Call(
                    "POST /v3/tasks/{id}/action",
                    "POST",
                    f"/v3/tasks/{ACTION_TASK}/action",
                    {**JSON_TYPE, **auth},
                    ACTION_BODY,
                    200,
                ),
            ]
            _http_rounds(report, emulator, floor, calls)


def _http_rounds(report: Report, emulator: Served, floor: Served, calls: list[Call]) -> None:
    log("HTTP: warming up")
    for call in calls:
        for server in (emulator, floor):
            load(server.url, call, WARMUP_SECONDS)
    runs: dict[tuple[str, str], list[Load]] = {}
    for round_no in range(ROUNDS):
        log(f"HTTP: round {round_no + 1} of {ROUNDS}")
        for call in calls:
            # A B, then B A: neither side always runs just after the other's warm caches.
            sides = [("emulator", emulator), ("floor", floor)]
            for side, server in sides if round_no % 2 == 0 else reversed(sides):
                runs.setdefault((call.name, side), []).append(load(server.url, call))
    for call in calls:
        emu, flo = runs[(call.name, "emulator")], runs[(call.name, "floor")]
        ratios = [e.rps / f.rps for e, f in zip(emu, flo, strict=True)]
        report.http.append(
            {
                "call": call.name,
                "emulator": _summary(emu),
                "floor": _summary(flo),
                "ratio": median(ratios),
            }
        )


def _summary(runs: list[Load]) -> dict[str, float]:
    return {
        "rps": median([r.rps for r in runs]),
        "p50_ms": median([r.p50_ms for r in runs]),
        "p99_ms": median([r.p99_ms for r in runs]),
        "requests": sum(r.requests for r in runs),
        "failures": sum(r.failures for r in runs),
    }


# --- 2. start to first answer -----------------------------------------------------------------


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


def measure_start(report: Report) -> None:
    log("start to first answer")
    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp, "empty.json")
        empty.write_text("{}")
        floor_command = [
            sys.executable,
            "-m",
            "bench.floor",
            "--task",
            str(empty),
            "--token",
            str(empty),
            "--threads",
            str(THREADS),
        ]
        emulator = (serve_command(), "/_mock/health")
        floor = (floor_command, "/v3/tasks/x")
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
    parts = [_start_parts() for _ in range(3)]
    flask_ms, ours_ms, app_ms, fixtures_ms = (
        median([p[key] for p in parts]) for key in ("flask_ms", "ours_ms", "app_ms", "fixtures_ms")
    )
    report.note(
        f"Start, median of {START_RUNS}: {seconds * 1000:.0f} ms (runs from "
        f"{min(runs['emulator']) * 1000:.0f} to {max(runs['emulator']) * 1000:.0f} ms); the "
        f"floor (a bare Flask app under waitress, also a subprocess) "
        f"{floor_seconds * 1000:.0f} ms. Inside a fresh `sms-mock serve` process (median of 3): "
        f"importing Flask and waitress {flask_ms:.0f} ms, then the emulator's own modules "
        f"(marshmallow, the contracts, the app) {ours_ms:.0f} ms, then the first `create_app` "
        f"{app_ms:.0f} ms, of which reading and checking the fixtures folder (account, tasks "
        f"and every scenario file) {fixtures_ms:.0f} ms.",
        START_FIGURE,
    )


START_PARTS = """
import json, time
began = time.perf_counter()
import flask, waitress.server
flask_done = time.perf_counter()
import sms_mock.mock_server.emulator, sms_mock.cli
from sms_mock.mock_server.app import create_app
ours_done = time.perf_counter()
load, spent = mock_server.emulator.load_fixture_set, []
def timed_load(folders):
    began = time.perf_counter()
    try:
        return load(folders)
    finally:
        spent.append(time.perf_counter() - began)
mock_server.emulator.load_fixture_set = timed_load
create_app(mock_server.emulator.Config(clock="manual"))
app_done = time.perf_counter()
print(json.dumps({"flask_ms": (flask_done - began) * 1000,
                  "ours_ms": (ours_done - flask_done) * 1000,
                  "app_ms": (app_done - ours_done) * 1000, "fixtures_ms": sum(spent) * 1000}))
"""


def _start_parts() -> dict[str, float]:
    """The phases of a start, timed inside one fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", START_PARTS], capture_output=True, check=True, cwd=ROOT, env=ENV
    )
    return json.loads(done.stdout)


# --- 3. the pytest fixture --------------------------------------------------------------------


def measure_fixture(report: Report) -> None:
    log("pytest fixture start and stop")
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
            "pytest `sms_mock`: stop",
            f"{stop_ms:.1f} ms",
            f"< {FIXTURE_TARGET_MS:.0f} ms",
            stop_ms < FIXTURE_TARGET_MS,
        )
    )


def _timed(action: Callable[[], object]) -> float:
    """Milliseconds `action` takes."""
    began = time.perf_counter()
    action()
    return (time.perf_counter() - began) * 1000


# --- 4. 100,000 tasks -------------------------------------------------------------------------


def measure_big(report: Report) -> None:
    log(f"stocking {BIG:,} tasks (and {SMALL}) in two servers")
    stocked = [sys.executable, "-m", "bench.stocked", "--threads", str(THREADS), "--tasks"]
    with serving([*stocked, str(SMALL)]) as small, serving([*stocked, str(BIG)]) as big:
        info = json.loads(big.line.split(" ", 4)[4])
        answer_bytes = 0
        runs: dict[str, list[Load]] = {"small": [], "big": []}
        calls = {}
        for side, server, task in (("small", small, SMALL // 2), ("big", big, BIG // 2)):
            token, _ = token_for(server.port)
            calls[side] = Call(
                "GET", "GET", f"/v3/tasks/bench-{task:06d}", {"X-Auth-Token": token}, None, 200
            )
            load(server.url, calls[side], WARMUP_SECONDS, connections=1)
            answer_bytes = len(
                request(server.port, "GET", calls[side].path, None, calls[side].headers)[2]
            )
        for round_no in range(BIG_ROUNDS):
            log(f"{BIG:,} tasks: round {round_no + 1} of {BIG_ROUNDS}")
            sides = [("small", small), ("big", big)]
            for side, server in sides if round_no % 2 == 0 else reversed(sides):
                # One connection: the latency of a GET itself, not of a queue behind others.
                runs[side].append(load(server.url, calls[side], connections=1))
    ratios = [b.p50_ms / s.p50_ms for b, s in zip(runs["big"], runs["small"], strict=True)]
    ratio = median(ratios)
    big_p50 = median([r.p50_ms for r in runs["big"]])
    small_p50 = median([r.p50_ms for r in runs["small"]])
    report.figures.append(
        Figure(
            BIG_FIGURE,
            f"{ratio:.2f} ({big_p50:.2f} / {small_p50:.2f} ms)",
            f"<= {BIG_LATENCY_TARGET}",
            ratio <= BIG_LATENCY_TARGET,
        )
    )
    per_task = info["rss_per_task"]
    report.figures.append(
        Figure(
            MEMORY_FIGURE,
            f"{per_task:,.0f} B",
            f"< {TASK_BYTES_TARGET:,} B",
            per_task < TASK_BYTES_TARGET,
        )
    )
    log(f"tracemalloc over {TRACED_TASKS:,} tasks")
    from bench.stocked import traced_bytes_per_task

    traced = traced_bytes_per_task(TRACED_TASKS)
    report.figures.append(
        Figure(
            f"memory a task, tracemalloc ({TRACED_TASKS:,} tasks)",
            f"{traced:,.0f} B",
            "(cross-check)",
            None,
        )
    )
    report.note(
        f'Memory: a server put {BIG:,} READY tasks (`{{"id"}}` only, every other field '
        f"defaulted, as `POST /_mock/tasks` makes them) into its backend with `sms.put`, in "
        f"{info['put_seconds']:.1f} s; its resident set (/proc/self/statm, after gc.collect()) "
        f"went from {info['rss_before'] / 2**20:.1f} MiB after the first task to "
        f"{info['rss_after'] / 2**20:.1f} MiB: {per_task:,.0f} bytes a task. tracemalloc, "
        f"counting only live Python allocations (no allocator slack), says {traced:,.0f} bytes "
        f"a task over {TRACED_TASKS:,}. A task that has been read also keeps its answer, "
        f"encoded ({answer_bytes:,} bytes for these), until it changes; the GETs above read one "
        f"task again and again.",
        MEMORY_FIGURE,
        BIG_FIGURE,
    )


# --- 5. a lifecycle in process ----------------------------------------------------------------


def measure_lifecycle(report: Report) -> None:
    log("a whole lifecycle in process")
    from sms_mock.mock_server.app import create_app
    from sms_mock.mock_server.config import Config

    app = create_app(Config(clock="manual"))
    emulator = app.extensions["sms_mock"]
    client = app.test_client()
    runs: list[float] = []
    for run in range(LIFECYCLE_RUNS + 1):
        emulator.reset()
        answer = client.post("/v3/auth/tokens", data=TOKEN_BODY, headers=JSON_TYPE)
        auth = {"X-Auth-Token": answer.headers["X-Subject-Token"]}
        began = time.perf_counter()
        started = client.post(
            f"/v3/tasks/{ACTION_TASK}/action", json={"operation": "start"}, headers=auth
        )
        # Six hours: well past the replication (minutes), well before the token ends (a day).
        moved = client.post("/_mock/clock/advance", json={"seconds": 6 * 3600})
        state = client.get(f"/v3/tasks/{ACTION_TASK}", headers=auth).get_json()["state"]
        elapsed = time.perf_counter() - began
        if (started.status_code, moved.status_code, state) != (200, 200, "MIGRATE_SUCCESS"):
            raise RuntimeError(f"lifecycle: {started.status_code} {moved.status_code} {state}")
        if run:  # the first run fills lazy caches; not counted
            runs.append(elapsed)
    ms = median(runs) * 1000
    report.figures.append(
        Figure(
            "a lifecycle in process (start, advance, read)",
            f"{ms:.2f} ms",
            f"< {LIFECYCLE_TARGET_MS:.0f} ms",
            ms < LIFECYCLE_TARGET_MS,
        )
    )


# --- in-process cost of one GET, emulator and floor: where the HTTP ratio comes from ----------


def measure_wsgi(report: Report) -> None:
    log("in-process cost of one GET")
    from werkzeug.test import EnvironBuilder

    from bench.floor import create_floor
    from sms_mock.mock_server.app import create_app
    from sms_mock.mock_server.config import Config

    app = create_app(Config(clock="manual"))
    client = app.test_client()
    answer = client.post("/v3/auth/tokens", data=TOKEN_BODY, headers=JSON_TYPE)
    auth = {"X-Auth-Token": answer.headers["X-Subject-Token"]}
    path = f"/v3/tasks/{SEED_TASK}"
    task = client.get(path, headers=auth).get_json()
    floor = create_floor(task, answer.get_json(), "floor-token")
    environ = EnvironBuilder(path=path, headers=auth).get_environ()

    def per_call(wsgi: Callable[..., Any]) -> float:
        def start_response(status: str, headers: list[Any], *args: Any) -> None:
            pass

        best = []
        for _ in range(5):
            began = time.perf_counter()
            for _ in range(2000):
                result = wsgi(dict(environ), start_response)
                b"".join(result)
                getattr(result, "close", lambda: None)()
            best.append((time.perf_counter() - began) / 2000)
        return median(best)

    emu_us, floor_us = per_call(app) * 1e6, per_call(floor) * 1e6
    report.note(
        f"One GET of the task called in process as WSGI (no server, no network), median of 5 "
        f"x 2,000: the emulator {emu_us:.0f} us, the floor {floor_us:.0f} us "
        f"(the emulator's rate {floor_us / emu_us:.2f} of the floor's).",
        GET_CALL,
    )


# --- output -----------------------------------------------------------------------------------


def mark(met: bool | None) -> str:
    return "" if met is None else ("met" if met else "MISSED")


def http_rows(report: Report) -> list[list[str]]:
    rows = []
    for entry in report.http:
        emu, flo = entry["emulator"], entry["floor"]
        target = f">= {GET_RATIO_TARGET}" if entry["call"].startswith("GET") else ""
        met = entry["ratio"] >= GET_RATIO_TARGET if target else None
        rows.append(
            [
                entry["call"],
                f"{emu['rps']:,.0f}",
                f"{emu['p50_ms']:.2f}",
                f"{emu['p99_ms']:.2f}",
                f"{flo['rps']:,.0f}",
                f"{flo['p50_ms']:.2f}",
                f"{flo['p99_ms']:.2f}",
                f"{entry['ratio']:.2f}",
                target,
                mark(met),
            ]
        )
    return rows


HTTP_HEAD = [
    "call",
    "emulator req/s",
    "p50 ms",
    "p99 ms",
    "floor req/s",
    "p50 ms",
    "p99 ms",
    "ratio",
    "target",
    "",
]
FIGURE_HEAD = ["figure", "measured", "target", ""]


def text_table(head: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in [head, *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def md_table(head: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def figure_rows(report: Report) -> list[list[str]]:
    return [[f.name, f.measured, f.target, mark(f.met)] for f in report.figures]


def machine() -> dict[str, str]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": str(os.cpu_count()),
        "cpu": model,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def missed_section(report: Report) -> str:
    """Each target missed, with the note that names what stands in its way."""
    missed = [(f.name, f.measured, f.target) for f in report.figures if f.met is False]
    for entry in report.http:
        if entry["call"] == GET_CALL and entry["ratio"] < GET_RATIO_TARGET:
            missed.append(
                (f"{GET_CALL} against the floor", f"{entry['ratio']:.2f}", f">= {GET_RATIO_TARGET}")
            )
    if not missed:
        return "None: every target was met in this run."
    lines = []
    for name, measured, target in missed:
        key = GET_CALL if name.startswith(GET_CALL) else name
        why = report.why.get(key, "No breakdown was measured for it.")
        lines.append(f"- {name}: {measured}, target {target}. {why}")
    return "\n".join(lines)


def write_results(report: Report, seconds: float) -> None:
    info = machine()
    failures = sum(e["emulator"]["failures"] + e["floor"]["failures"] for e in report.http)
    requests = sum(e["emulator"]["requests"] + e["floor"]["requests"] for e in report.http)
    text = f"""# Benchmark results

Generated by `make bench` (`python -m bench`); do not edit by hand.

- date: {info["date"]}
- machine: {info["cores"]} cores ({info["cpu"]}), {info["platform"]}
- Python {info["python"]}
- whole run: {seconds:.0f} s; the machine's load average (1 min) was {report.load_at_start:.2f}
  as it began

## HTTP: `sms-mock serve` beside the floor

Both servers are subprocesses on 127.0.0.1 under waitress with {THREADS} threads; the emulator
runs `sms-mock serve --clock manual --threads {THREADS}`, the floor is a bare Flask app whose
one route per call builds the emulator's own answer (the same bytes) with `json.dumps` of a
dict per request. The load is `python -m bench.load`, its own process: {CONNECTIONS} keep-alive
connections (http.client), each measurement bounded by {MAX_REQUESTS:,} requests or {SECONDS} s.
After a warm-up, {ROUNDS} rounds alternate emulator and floor (A B, then B A); each figure is
the median of the rounds, the ratio the median of the rounds' emulator/floor req/s. Latency is
measured by the load generator, request written to answer read. The GET reads the seed page's
task (`{SEED_TASK}`); the action is `network_check` on the READY `{ACTION_TASK}`,
accepted every time. {requests:,} requests in all; {failures} answered other than expected.

{md_table(HTTP_HEAD, http_rows(report))}

## Figures

{md_table(FIGURE_HEAD, figure_rows(report))}

## Targets missed

{missed_section(report)}

## Method and notes

- Start: from spawning `sms-mock serve --port 0 --clock manual` to the first 200 of
  `GET /_mock/health` (the URL is read from its first line), median of {START_RUNS} runs after
  one unmeasured, alternating with the floor's start (to its first 200). The servers may write
  bytecode caches, as a user's Python does, even where PYTHONDONTWRITEBYTECODE is set.
- pytest fixture: what `sms_mock` does, in this process: `LiveServer(Config(clock="manual"))`
  `.start()` and the first `POST /_mock/reset` over HTTP; then `.stop()`. Median of
  {FIXTURE_RUNS} runs after one unmeasured.
- {BIG:,} tasks: two servers built as `serve` builds its app (`bench.stocked`), one holding
  {SMALL} put tasks and one {BIG:,}, loaded in alternation ({BIG_ROUNDS} rounds, bounded as
  above, but on one connection, so that p50 is the GET's own latency and not a queue's) on
  `GET /v3/tasks/{{id}}` of a put task; the figure is the median of the rounds' p50 ratios.
- Lifecycle: `create_app(Config(clock="manual"))` and its test client; `start` on
  `{ACTION_TASK}`, `POST /_mock/clock/advance` six hours, `GET` the task (MIGRATE_SUCCESS).
  Median of {LIFECYCLE_RUNS} runs; the reset and token issue between runs are not counted.
"""
    text += "".join(f"- {note}\n" for note in report.notes)
    RESULTS.write_text(text)


# Quiet, short figures first; the heavy loads last.
SECTIONS: dict[str, Callable[[Report], None]] = {
    "start": measure_start,
    "fixture": measure_fixture,
    "lifecycle": measure_lifecycle,
    "wsgi": measure_wsgi,
    "http": measure_http,
    "big": measure_big,
}


def main(argv: list[str] | None = None) -> int:
    names = sys.argv[1:] if argv is None else argv
    unknown = set(names) - set(SECTIONS)
    if unknown:
        print(f"python -m bench [{' '.join(SECTIONS)}]...: unknown {sorted(unknown)}")
        return 2
    began = time.perf_counter()
    report = Report(load_at_start=os.getloadavg()[0])
    for name, measure in SECTIONS.items():
        if not names or name in names:
            measure(report)
    seconds = time.perf_counter() - began
    info = machine()
    print(
        f"\nsms-mock bench, {info['date']}, {info['cores']} cores, Python {info['python']}, "
        f"load average {report.load_at_start:.2f}\n"
    )
    print(text_table(HTTP_HEAD, http_rows(report)))
    print()
    print(text_table(FIGURE_HEAD, figure_rows(report)))
    print()
    for note in report.notes:
        print(f"- {note}")
    for entry in report.http:
        for side in ("emulator", "floor"):
            if entry[side]["failures"]:
                print(
                    f"! {entry['call']} on the {side}: {entry[side]['failures']} answers "
                    "other than expected"
                )
    if names:
        # A partial run is for working on one figure; results.md holds whole runs only.
        print(f"\n{seconds:.0f} s; results.md not written (a partial run)")
        return 0
    write_results(report, seconds)
    print(f"\nwrote {RESULTS.relative_to(ROOT)} ({seconds:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
