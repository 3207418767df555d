"""A page of `GET /v3/tasks` with 100,000 tasks stored, against one task's GET on that server.

Two pages: filtered by state (a fifth of the tasks are in it) and unfiltered at a deep offset.
Each is loaded on one connection, in alternation with the task's GET, so that each p50 is the
call's own latency and the ratio is what a page of 100 costs over one task.
"""

from __future__ import annotations

import json

from bench import shared
from bench.calls import Call, Load, load, token_for
from bench.common import BIG, BIG_ROUNDS, WARMUP_SECONDS, log, median
from bench.procs import request
from bench.profiling import Profile
from bench.report import Figure, Report

LIST_TARGET = 3.0
LIST_SECONDS = 1.0  # per load: at 4 ms a page, still some 250 pages for a p50
PAGES = {
    "state": "`GET /v3/tasks?limit=100` by state",
    "deep": "`GET /v3/tasks?limit=100` at offset 65,000",
}


def figure_name(page: str) -> str:
    return f"{PAGES[page]}, {BIG:,} tasks: p50 / GET task p50"


def measure_big_lists(report: Report) -> None:
    # Imported here, not on top: bench.stocked imports the emulator (see bench.big_state).
    from bench.stocked import list_paths, task_id

    stocked = shared.stocked(BIG)
    server = stocked.served
    auth = {"X-Auth-Token": token_for(server.port)[0]}
    paths = {"get": f"/v3/tasks/{task_id(BIG // 2)}", **list_paths()}
    calls = {name: Call(name, "GET", path, auth, None, 200) for name, path in paths.items()}
    sizes = {}
    for name, call in calls.items():
        status, _, body = request(server.port, "GET", call.path, None, auth)
        if status != 200:
            raise RuntimeError(f"{call.path}: {status}")
        doc = json.loads(body)
        sizes[name] = (len(body), doc.get("count"), len(doc.get("tasks", [])))
        load(server.url, call, WARMUP_SECONDS, connections=1)
    runs: dict[str, list[Load]] = {name: [] for name in calls}
    for round_no in range(BIG_ROUNDS):
        log(f"{BIG:,} tasks, list pages: round {round_no + 1} of {BIG_ROUNDS}")
        order = list(calls) if round_no % 2 == 0 else list(reversed(calls))
        for name in order:
            runs[name].append(load(server.url, calls[name], LIST_SECONDS, connections=1))
    report.methods.append(
        f"List pages with {BIG:,} tasks: on the server holding {BIG:,} (five resting states in "
        f"turn), `{paths['state']}` and `{paths['deep']}` are loaded on one connection in "
        f"alternation with `GET {paths['get']}` ({BIG_ROUNDS} rounds, each load bounded by "
        f"{LIST_SECONDS} s); each figure is the median of the rounds' page p50 / GET p50. The "
        f"pages and the GET are also profiled in the stocked process before it serves."
    )
    get_p50 = median([r.p50_ms for r in runs["get"]])
    for page in PAGES:
        ratios = [p.p50_ms / g.p50_ms for p, g in zip(runs[page], runs["get"], strict=True)]
        ratio = median(ratios)
        name = figure_name(page)
        page_p50 = median([r.p50_ms for r in runs[page]])
        report.figures.append(
            Figure(
                name,
                f"{ratio:.2f} ({page_p50:.2f} / {get_p50:.2f} ms)",
                f"<= {LIST_TARGET:g}",
                ratio <= LIST_TARGET,
            )
        )
        size, count, listed = sizes[page]
        profiled = stocked.info["profiles"]
        report.note(
            f"{PAGES[page]} (`{paths[page]}`) with {BIG:,} tasks answers {listed} tasks of "
            f"{count:,} matching in {size:,} bytes, against {sizes['get'][0]:,} bytes for one "
            f"task's GET; in process (no server) the page costs {profiled[page]['us']:.0f} us, "
            f"the task's GET {profiled['get']['us']:.0f} us "
            f"({profiled[page]['us'] / profiled['get']['us']:.1f} times).",
            name,
        )
        report.profile(Profile.from_dict(profiled[page]["profile"]), name)
        report.profile(Profile.from_dict(profiled["get"]["profile"]), name)
