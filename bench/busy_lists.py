"""A task's GET while four other clients list 100,000 tasks, against the same GET idle.

The listing clients are a load generator of their own (another process, four keep-alive
connections, `GET /v3/tasks?limit=100` in a loop), started before the GET's measurement and
stopping by itself after it; the GET is loaded on one connection, as in bench.big_state.
"""

from __future__ import annotations

import os
import time

from bench import shared
from bench.calls import Background, Call, Load, load, token_for
from bench.common import (
    BIG,
    BIG_ROUNDS,
    CONNECTIONS,
    MAX_REQUESTS,
    SECONDS,
    THREADS,
    WARMUP_SECONDS,
    log,
    median,
)
from bench.profiling import Profile
from bench.report import Figure, Report

BUSY_TARGET = 2.0
BUSY_FIGURE = f"GET task p50 while {CONNECTIONS} clients list {BIG:,} tasks / idle"
LEAD_SECONDS = 0.5  # the listing clients start this long before the GET's measurement


def measure_busy_lists(report: Report) -> None:
    # Imported here, not on top: bench.stocked imports the emulator (see bench.big_state).
    from bench.stocked import FIRST_PAGE, task_id
    from sms_mock.mock_server.serving.pool import MAX_REST_S, PAGE_PATIENCE_S

    stocked = shared.stocked(BIG)
    server = stocked.served
    auth = {"X-Auth-Token": token_for(server.port)[0]}
    get = Call("GET", "GET", f"/v3/tasks/{task_id(BIG // 2)}", auth, None, 200)
    lists = Call("list", "GET", FIRST_PAGE, auth, None, 200)
    load(server.url, get, WARMUP_SECONDS, connections=1)
    load(server.url, lists, WARMUP_SECONDS)
    runs: dict[str, list[Load]] = {"idle": [], "busy": [], "lists": []}
    for round_no in range(BIG_ROUNDS):
        log(f"GET while listing: round {round_no + 1} of {BIG_ROUNDS}")
        order = ["idle", "busy"] if round_no % 2 == 0 else ["busy", "idle"]
        for side in order:
            if side == "idle":
                runs["idle"].append(load(server.url, get, connections=1))
                continue
            listing = Background(
                server.url, lists, SECONDS + 2 * LEAD_SECONDS, MAX_REQUESTS, CONNECTIONS
            )
            try:
                time.sleep(LEAD_SECONDS)
                runs["busy"].append(load(server.url, get, connections=1))
            finally:
                runs["lists"].append(listing.result())
    report.methods.append(
        f"GET while listing: on the server holding {BIG:,} tasks, a task's GET on one "
        f"connection ({SECONDS} s) either alone or while another load generator, started "
        f"{LEAD_SECONDS} s before and stopping {LEAD_SECONDS} s after, keeps {CONNECTIONS} "
        f"connections listing `{FIRST_PAGE}`; {BIG_ROUNDS} rounds alternate idle and busy, "
        f"and the figure is the median of the rounds' busy p50 / idle p50."
    )
    ratios = [b.p50_ms / i.p50_ms for b, i in zip(runs["busy"], runs["idle"], strict=True)]
    ratio = median(ratios)
    busy_p50, idle_p50 = (median([r.p50_ms for r in runs[k]]) for k in ("busy", "idle"))
    report.figures.append(
        Figure(
            BUSY_FIGURE,
            f"{ratio:.2f} ({busy_p50:.2f} / {idle_p50:.2f} ms)",
            f"<= {BUSY_TARGET:g}",
            ratio <= BUSY_TARGET,
        )
    )
    list_rps = median([r.rps for r in runs["lists"]])
    list_p50 = median([r.p50_ms for r in runs["lists"]])
    failures = sum(r.failures for runs_of in runs.values() for r in runs_of)
    profiled = stocked.info["profiles"]
    report.note(
        f"GET while listing: the listing clients answered {list_rps:,.0f} pages a second "
        f"(p50 {list_p50:.2f} ms) beside the GET; the GET's p99 was "
        f"{median([r.p99_ms for r in runs['busy']]):.2f} ms busy, "
        f"{median([r.p99_ms for r in runs['idle']]):.2f} ms idle; {failures} answers other than "
        f"expected. A page (`{FIRST_PAGE}`, read again: kept whole) costs "
        f"{profiled['first']['us']:.0f} us of Python in process, the task's GET "
        f"{profiled['get']['us']:.0f} us. The server's pool (serving/pool.py) runs a waiting "
        f"GET before any waiting page, at most {max(1, THREADS // 4)} page at a time on its "
        f"{THREADS} threads and none while another request is being served (unless it has "
        f"waited {PAGE_PATIENCE_S * 1000:g} ms), and rests a page's thread as long as the page "
        f"took (at most {MAX_REST_S * 1000:g} ms) while other requests come: the GET finds a "
        f"thread free, and the interpreter lock held by a page at most as long as the page "
        f"in progress, at each handoff of the GET between waitress's loop (which also reads "
        f"every listing client's request and wakes at every page's end) and a worker; this "
        f"machine has {os.cpu_count()} cores for the server, the listing clients, the GET's "
        f"client and anything else running.",
        BUSY_FIGURE,
    )
    report.profile(Profile.from_dict(profiled["first"]["profile"]), BUSY_FIGURE)
