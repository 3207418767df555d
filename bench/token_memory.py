"""The memory a token takes: tokens issued in a fresh process against the emulator's IAM.

`python -m bench.token_memory` builds an emulator as `serve` does without a state file, issues
tokens through its IamBackend as `POST /v3/auth/tokens` does (the default user, scoped to the
default project), and prints one JSON line: the resident memory the tokens beyond the first
took, tracemalloc's count and where it was allocated. With `--churn`, it issues tokens over ten
days of clock instead, and nothing drains the backend's lists of what a state file would take,
as in `serve` without `--state-file`: resident memory after ten days over after five.
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import tracemalloc
from typing import Any

from bench.common import ENV, PROJECT_ID, ROOT, log, rss_bytes
from bench.profiling import Profile, short_path
from bench.report import Figure, Report

TOKENS = 100_000
TRACED_TOKENS = 10_000
TOKEN_BYTES_TARGET = 1024
TOKEN_FIGURE = "memory a token beyond the first (RSS)"
CHURN_ISSUES = 200_000
CHURN_DAYS = 10
WHERE_ROWS = 6


def _iam() -> tuple[Any, Any, Any]:
    """A fresh emulator's IAM with the manual clock, its default user and project."""
    from sms_mock.mock_server.config import Config
    from sms_mock.mock_server.emulator import Emulator

    emulator = Emulator(Config(clock="manual"))
    account = emulator.iam.account
    user = next(u for u in account.users.values() if u.name == "mock-user")
    return emulator, user, account.projects[PROJECT_ID]


def per_token() -> dict[str, Any]:
    emulator, user, project = _iam()
    iam = emulator.iam
    # What a token held costs: the limits on tokens held (README, "IAM") lifted for the count.
    iam.tokens.per_user = iam.tokens.total = TOKENS + TRACED_TOKENS
    iam.issue(user, ["password"], project, None)
    before = rss_bytes()
    for _ in range(TOKENS - 1):
        iam.issue(user, ["password"], project, None)
    after = rss_bytes()
    gc.collect()
    tracemalloc.start()
    try:
        first_snapshot = tracemalloc.take_snapshot()
        first = tracemalloc.get_traced_memory()[0]
        for _ in range(TRACED_TOKENS):
            iam.issue(user, ["password"], project, None)
        gc.collect()
        last = tracemalloc.get_traced_memory()[0]
        last_snapshot = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    where = [
        (
            f"{short_path(s.traceback[0].filename)}:{s.traceback[0].lineno}",
            s.size_diff / TRACED_TOKENS,
        )
        for s in last_snapshot.compare_to(first_snapshot, "lineno")
        if s.size_diff > 0 and "tracemalloc" not in s.traceback[0].filename
    ]
    return {
        "rss_before": before,
        "rss_after": after,
        "rss_per_token": (after - before) / (TOKENS - 1),
        "traced_per_token": (last - first) / TRACED_TOKENS,
        "where": where[:WHERE_ROWS],
        "held": len(iam.tokens),
    }


def churn() -> dict[str, Any]:
    """Tokens over ten days, nothing drained: what `serve` without a state file does."""
    emulator, user, project = _iam()
    iam, clock = emulator.iam, emulator.clock
    step_ms = CHURN_DAYS * 86_400_000 / CHURN_ISSUES
    held = {}
    for issued in range(1, CHURN_ISSUES + 1):
        iam.issue(user, ["password"], project, None)
        clock.advance(step_ms / 1000)
        if issued in (CHURN_ISSUES // 2, CHURN_ISSUES):
            pending = sum(len(p) for p in iam._pending())  # what only a state file drains
            held[issued] = {"rss": rss_bytes(), "tokens": len(iam.tokens), "pending": pending}
    return {"half": held[CHURN_ISSUES // 2], "full": held[CHURN_ISSUES]}


def _run(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.token_memory", *args],
        capture_output=True,
        check=True,
        cwd=ROOT,
        env=ENV,
        timeout=300,
    )
    return json.loads(done.stdout.decode().strip().splitlines()[-1])


def measure_token_memory(report: Report) -> None:
    log(f"memory of {TOKENS:,} tokens, in a process of its own")
    got = _run()
    per = got["rss_per_token"]
    report.methods.append(
        f"Token memory: `python -m bench.token_memory`, a fresh process: an emulator as "
        f"`serve` builds it without a state file issues {TOKENS:,} project-scoped tokens "
        f"through its IamBackend (what `POST /v3/auth/tokens` calls), the clock standing "
        f"still so none expires; resident memory (/proc/self/statm, after gc.collect()) after "
        f"them over after the first, per token, and tracemalloc's count over {TRACED_TOKENS:,} "
        f"more, by source line. `--churn` issues {CHURN_ISSUES:,} over {CHURN_DAYS} days with "
        f"nothing drained, as `serve` without --state-file runs."
    )
    report.figures.append(
        Figure(
            TOKEN_FIGURE, f"{per:,.0f} B", f"< {TOKEN_BYTES_TARGET:,} B", per < TOKEN_BYTES_TARGET
        )
    )
    report.figures.append(
        Figure(
            f"memory a token, tracemalloc ({TRACED_TOKENS:,} tokens)",
            f"{got['traced_per_token']:,.0f} B",
            "(cross-check)",
            None,
        )
    )
    report.note(
        f'Token memory: a fresh emulator (`Emulator(Config(clock="manual"))`, no state file) '
        f"issued {TOKENS:,} project-scoped tokens through its IamBackend, as "
        f"`POST /v3/auth/tokens` does, none expiring; its resident set went from "
        f"{got['rss_before'] / 2**20:.1f} MiB after the first to "
        f"{got['rss_after'] / 2**20:.1f} MiB: {per:,.0f} bytes a token. tracemalloc over "
        f"{TRACED_TOKENS:,} more: {got['traced_per_token']:,.0f} bytes a token.",
        TOKEN_FIGURE,
    )
    report.profile(
        Profile(
            f"Where a token's bytes are allocated: tracemalloc over {TRACED_TOKENS:,} tokens, by "
            f"source line:",
            [[f"`{where}`", f"{size:,.0f}"] for where, size in got["where"]],
            ["allocated at", "bytes a token"],
        ),
        TOKEN_FIGURE,
    )
    log(f"{CHURN_ISSUES:,} tokens over {CHURN_DAYS} days, nothing drained")
    churned = _run("--churn")
    half, full = churned["half"], churned["full"]
    report.figures.append(
        Figure(
            f"IAM memory, {CHURN_ISSUES:,} tokens over {CHURN_DAYS} days, no state file: "
            f"day {CHURN_DAYS} / day {CHURN_DAYS // 2}",
            f"{full['rss'] / half['rss']:.2f} ({full['rss'] / 2**20:.0f} / "
            f"{half['rss'] / 2**20:.0f} MiB; {full['tokens']:,} / {half['tokens']:,} tokens "
            f"held)",
            "(cross-check)",
            None,
        )
    )
    report.note(
        f"Token churn without a state file: the same churn as the figure above it, "
        f"{CHURN_ISSUES:,} tokens over {CHURN_DAYS} days, but nothing drains the IamBackend's "
        f"lists of issued and dropped token ids, which only a state file's save empties (the "
        f"churn figure drains them every 1,000 issues, as a state file would): they held "
        f"{half['pending']:,} ids after {CHURN_DAYS // 2} days and {full['pending']:,} after "
        f"{CHURN_DAYS}, while the book itself held {half['tokens']:,} and {full['tokens']:,} "
        f"tokens."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.token_memory", description=__doc__)
    parser.add_argument("--churn", action="store_true", help="ten days of tokens, undrained")
    args = parser.parse_args(argv)
    print(json.dumps(churn() if args.churn else per_token()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
