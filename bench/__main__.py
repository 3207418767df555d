"""`python -m bench` (`make bench`): every figure README's Performance section lists, in one run.

The HTTP figures load real servers (subprocesses on 127.0.0.1) from a separate load-generator
process; each is bounded in requests and seconds. Emulator and floor are measured in
alternation, round after round, so that a noisy neighbour on this shared machine hits both
alike, and each figure is the median of the rounds.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable

from bench import shared
from bench.admin_guesses import measure_admin_guesses
from bench.big_lists import measure_big_lists
from bench.big_state import measure_big
from bench.busy_lists import measure_busy_lists
from bench.common import ROOT, log
from bench.fixture import measure_fixture, measure_reset
from bench.http_floor import measure_http
from bench.lifecycle import measure_lifecycle
from bench.report import RESULTS, Report, print_summary, write_results
from bench.slow_clients import measure_slow_clients
from bench.startup import measure_start
from bench.token_churn import measure_token_churn
from bench.token_memory import measure_token_memory
from bench.wsgi import measure_wsgi

# Quiet, short figures first; the heavy loads last. "big", "lists" and "busy" share the
# stocked servers (bench.shared): started by the first of them that runs.
SECTIONS: dict[str, Callable[[Report], None]] = {
    "start": measure_start,
    "fixture": measure_fixture,
    "reset": measure_reset,
    "lifecycle": measure_lifecycle,
    "tokens": measure_token_churn,
    "guesses": measure_admin_guesses,
    "token-memory": measure_token_memory,
    "wsgi": measure_wsgi,
    "http": measure_http,
    "slow": measure_slow_clients,
    "big": measure_big,
    "lists": measure_big_lists,
    "busy": measure_busy_lists,
}


def parse(argv: list[str]) -> list[str]:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Measure the emulator's figures; a whole run writes bench/results.md.",
    )
    # No `choices`: with nargs="*", Python 3.11 checks the empty default against them too.
    parser.add_argument(
        "sections",
        nargs="*",
        metavar="SECTION",
        help=f"run only these ({', '.join(SECTIONS)}); results.md is then left as it was",
    )
    names: list[str] = parser.parse_args(argv).sections
    unknown = sorted(set(names) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown section {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    return names


def main(argv: list[str] | None = None) -> int:
    names = parse(sys.argv[1:] if argv is None else argv)
    began = time.perf_counter()
    report = Report(load_at_start=os.getloadavg()[0])
    try:
        for name, measure in SECTIONS.items():
            if not names or name in names:
                section_began = time.perf_counter()
                measure(report)
                log(f"{name}: {time.perf_counter() - section_began:.0f} s")
    finally:
        shared.close()
    seconds = time.perf_counter() - began
    print_summary(report)
    if names:
        # A partial run is for working on one figure; results.md holds whole runs only.
        print(f"\n{seconds:.0f} s; results.md not written (a partial run)")
        return 0
    write_results(report, seconds)
    print(f"\nwrote {RESULTS.relative_to(ROOT)} ({seconds:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
