"""What one run measured, and its table: printed, and written to results.md."""

from __future__ import annotations

import datetime as dt
import os
import platform
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import (
    ACTION_TASK,
    BIG,
    BIG_ROUNDS,
    CONNECTIONS,
    FIXTURE_RUNS,
    GET_CALL,
    LIFECYCLE_RUNS,
    MAX_REQUESTS,
    ROUNDS,
    SECONDS,
    SEED_TASK,
    SMALL,
    START_RUNS,
    THREADS,
)

RESULTS = Path(__file__).resolve().parent / "results.md"

# The one HTTP target; the HTTP rows are judged as the table is written.
GET_RATIO_TARGET = 0.7

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


def figure_rows(report: Report) -> list[list[str]]:
    return [[f.name, f.measured, f.target, mark(f.met)] for f in report.figures]


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


def print_summary(report: Report) -> None:
    """The tables and notes on standard output, and any answer other than expected."""
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
