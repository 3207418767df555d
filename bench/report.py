"""What one run measured, and its table: printed, and written to results.md."""

from __future__ import annotations

import datetime as dt
import os
import platform
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import (
    MAX_REQUESTS,
    SECONDS,
)
from bench.profiling import Profile

RESULTS = Path(__file__).resolve().parent / "results.md"

HTTP_HEAD = [
    "call",
    "req/s",
    "p50 ms",
    "p99 ms",
    "baseline",
    "req/s",
    "p50 ms",
    "p99 ms",
    "ratio",
    "target",
    "",
    "peer",
    "req/s",
    "/ peer",
]
FIGURE_HEAD = ["figure", "measured", "target", ""]


@dataclass
class Figure:
    """A line of the summary: what, measured, target, met (None: no target, or not measured)."""

    name: str
    measured: str
    target: str
    met: bool | None


@dataclass
class HttpRow:
    """One HTTP ratio: a server's req/s over a baseline's, measured in alternation."""

    name: str  # the call, and which emulator when it is not plain `sms-mock serve`
    baseline: str  # what it is divided by: "floor", "moto_server DescribeTable"
    measured: dict[str, float] | None = None  # bench.http_floor's summary of the rounds
    base: dict[str, float] | None = None
    ratio: float | None = None
    target: float | None = None
    not_measured: str = ""  # why, when it could not be
    rounds: list[float] = field(default_factory=list)  # each round's ratio
    # The peer's call beside this one, where one exists (no target: what a user compares with):
    # its name, its summary, and this side's req/s over the peer's, a median of the rounds.
    peer: str = ""
    peer_side: dict[str, float] | None = None
    peer_ratio: float | None = None

    @property
    def key(self) -> str:
        return f"{self.name} / {self.baseline}"

    @property
    def met(self) -> bool | None:
        if self.ratio is None or self.target is None:
            return None
        return self.ratio >= self.target


@dataclass
class Report:
    """Everything one run measured, for the table and results.md."""

    http: list[HttpRow] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    why: dict[str, str] = field(default_factory=dict)  # figure name -> the note that explains it
    profiles: dict[str, list[Profile]] = field(default_factory=dict)  # figure name -> profiles
    methods: list[str] = field(default_factory=list)  # how each figure is measured
    http_method: str = ""  # how the HTTP table is measured
    load_at_start: float = 0.0  # the machine's 1-minute load average: how noisy the run was

    def note(self, text: str, *explains: str) -> None:
        """A note for results.md, and what it explains should those figures miss."""
        self.notes.append(text)
        for name in explains:
            self.why[name] = f"{self.why[name]} {text}" if name in self.why else text

    def profile(self, profile: Profile, *explains: str) -> None:
        """A profile that results.md shows under each of these figures, should it miss."""
        for name in explains:
            self.profiles.setdefault(name, []).append(profile)


def mark(met: bool | None) -> str:
    return "" if met is None else ("met" if met else "MISSED")


def _side(summary: dict[str, float] | None) -> list[str]:
    if summary is None:
        return ["", "", ""]
    return [f"{summary['rps']:,.0f}", f"{summary['p50_ms']:.2f}", f"{summary['p99_ms']:.2f}"]


def _peer(row: HttpRow) -> list[str]:
    if not row.peer or row.peer_side is None or row.peer_ratio is None:
        return ["", "", ""]
    return [row.peer, f"{row.peer_side['rps']:,.0f}", f"{row.peer_ratio:.2f}"]


def http_rows(report: Report) -> list[list[str]]:
    rows = []
    for row in report.http:
        target = f">= {row.target:g}" if row.target is not None else ""
        if row.not_measured:
            cells = [f"not measured: {row.not_measured}", "", ""]
            rows.append(
                [
                    row.name,
                    *cells,
                    row.baseline,
                    "",
                    "",
                    "",
                    "",
                    target,
                    "not measured",
                    *_peer(row),
                ]
            )
            continue
        ratio = f"{row.ratio:.2f}" if row.ratio is not None else ""
        rows.append(
            [
                row.name,
                *_side(row.measured),
                row.baseline,
                *_side(row.base),
                ratio,
                target,
                mark(row.met),
                *_peer(row),
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


def _missed(report: Report) -> list[tuple[str, str, str, str]]:
    """(name, measured, target, key of its note) of every target missed."""
    missed = [(f.name, f.measured, f.target, f.name) for f in report.figures if f.met is False]
    for row in report.http:
        if row.met is False:
            measured = f"{row.ratio:.2f}"
            missed.append((row.key, measured, f">= {row.target:g}", row.key))
    return missed


def _not_measured(report: Report) -> list[str]:
    found = [f"{r.key}: not measured: {r.not_measured}" for r in report.http if r.not_measured]
    found += [f"{f.name}: {f.measured}" for f in report.figures if f.measured.startswith("not ")]
    return found


def missed_section(report: Report, markdown: bool = True) -> str:
    """Each target missed, with the note that names what stands in its way and its profiles."""
    missed = _missed(report)
    parts = []
    if not missed:
        parts.append("None: every target was met in this run.")
    for name, measured, target, key in missed:
        why = report.why.get(key, "No breakdown was measured for it.")
        parts.append(f"### {name}\n\nMeasured {measured}, target {target}. {why}")
        for profile in report.profiles.get(key, []):
            table = (md_table if markdown else text_table)(profile.head, profile.rows)
            parts.append(f"{profile.caption}\n\n{table}")
    absent = _not_measured(report)
    if absent:
        parts.append("Not measured:\n\n" + "\n".join(f"- {line}" for line in absent))
    return "\n\n".join(parts)


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
    if report.http:
        print(f"- {rounds_text(report)}")
    for row in report.http:
        sides = (("measured", row.measured), (row.baseline, row.base), (row.peer, row.peer_side))
        for side, summary in sides:
            if summary is not None and summary["failures"]:
                print(
                    f"! {row.key}, {side} side: {summary['failures']:.0f} answers "
                    "other than expected"
                )
    print("\nTargets missed:\n")
    print(missed_section(report, markdown=False).replace("### ", "* "))


def rounds_text(report: Report) -> str:
    """Each HTTP ratio's rounds, lowest to highest: how far the noise reached."""
    lines = [
        f"{row.key}: " + ", ".join(f"{r:.2f}" for r in sorted(row.rounds))
        for row in report.http
        if row.rounds
    ]
    return "Each HTTP ratio's rounds, lowest to highest: " + "; ".join(lines) + "."


def write_results(report: Report, seconds: float) -> None:
    info = machine()
    # A side two rows share (the emulator's GET runs, against the floor and against moto) once.
    every = [s for r in report.http for s in (r.measured, r.base, r.peer_side) if s is not None]
    summaries = list({id(s): s for s in every}.values())
    failures = sum(s["failures"] for s in summaries)
    requests = sum(s["requests"] for s in summaries)
    methods = "".join(f"- {method}\n" for method in report.methods)
    notes = "".join(f"- {note}\n" for note in report.notes)
    if report.http:
        notes += f"- {rounds_text(report)}\n"
    text = f"""# Benchmark results

Generated by `make bench` (`python -m bench`); do not edit by hand.

- date: {info["date"]}
- machine: {info["cores"]} cores ({info["cpu"]}), {info["platform"]}
- Python {info["python"]}
- whole run: {seconds:.0f} s; the machine's load average (1 min) was {report.load_at_start:.2f}
  as it began

## HTTP: `sms-mock serve` beside its baselines

{report.http_method}
{requests:,} requests in all; {failures} answered other than expected.

{md_table(HTTP_HEAD, http_rows(report))}

## Figures

{md_table(FIGURE_HEAD, figure_rows(report))}

## Targets missed

{missed_section(report)}

## Method

Every HTTP figure is a ratio against a baseline measured in alternation with it, in the same
run, round after round (A B, then B A), so that a noisy neighbour on this shared machine hits
both alike; each ratio is the median of the rounds' ratios. Load goes to 127.0.0.1 only, from
load generators that are processes of their own (`bench.load`: http.client, keep-alive
connections), each measurement bounded by {MAX_REQUESTS:,} requests or {SECONDS} s.

{methods}
## Notes

{notes}"""
    RESULTS.write_text(text)
