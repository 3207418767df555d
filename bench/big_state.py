"""A GET's latency with 100,000 tasks stored against 10, and the memory a task takes."""

from __future__ import annotations

from bench import shared
from bench.calls import Call, Load, load, token_for
from bench.common import BIG, BIG_ROUNDS, SMALL, WARMUP_SECONDS, log, median
from bench.procs import request
from bench.profiling import Profile
from bench.report import Figure, Report

BIG_FIGURE = f"GET p50 with {BIG:,} tasks / with {SMALL}"
MEMORY_FIGURE = "memory a task beyond the first (RSS)"
BIG_LATENCY_TARGET = 1.1
TASK_BYTES_TARGET = 2048
TRACED_TASKS = 5_000
WHERE_ROWS = 8


def measure_big(report: Report) -> None:
    small_stocked, big_stocked = shared.stocked(SMALL), shared.stocked(BIG)
    small, big, info = small_stocked.served, big_stocked.served, big_stocked.info
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
    for stocked in (small_stocked, big_stocked):
        get = stocked.info["profiles"]["get"]
        profile = Profile.from_dict(get["profile"])
        profile.caption = f"With {stocked.info['tasks']:,} tasks: {profile.caption}"
        report.profile(profile, BIG_FIGURE)
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
    report.methods.append(
        f"{BIG:,} tasks: two servers built as `serve` builds its app (`bench.stocked`, started "
        f"once a run by `bench.shared`), one holding {SMALL} put tasks and one {BIG:,}, loaded "
        f"in alternation ({BIG_ROUNDS} rounds, on one connection, so that p50 is the GET's own "
        f"latency and not a queue's) on `GET /v3/tasks/{{id}}` of a put task; the figure is the "
        f"median of the rounds' p50 ratios. Memory: the stocked server's resident set after "
        f"its {BIG:,} puts over after its first, per task; tracemalloc over {TRACED_TASKS:,} "
        f"puts in this process, by allocating source file, as a cross-check."
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
    # Imported here, not on top: bench.stocked imports the emulator, which the fixture's first
    # run must import itself to measure a fresh process.
    from bench.stocked import traced_bytes_per_task

    traced, where = traced_bytes_per_task(TRACED_TASKS)
    rows = [[f"`{name}`", f"{size:,.0f}"] for name, size in where[:WHERE_ROWS]]
    rest = sum(size for _, size in where[WHERE_ROWS:])
    rows.append(["everything else", f"{rest:,.0f}"])
    report.profile(
        Profile(
            f"Where a task's bytes are allocated: tracemalloc over {TRACED_TASKS:,} put tasks, "
            f"grouped by the source file that allocated them ({traced:,.0f} bytes a task "
            f"in all):",
            rows,
            ["allocated in", "bytes a task"],
        ),
        MEMORY_FIGURE,
    )
    report.figures.append(
        Figure(
            f"memory a task, tracemalloc ({TRACED_TASKS:,} tasks)",
            f"{traced:,.0f} B",
            "(cross-check)",
            None,
        )
    )
    report.note(
        f'Memory: a server put {BIG:,} tasks (`{{"id", "state"}}` only, five resting states in '
        f"turn, every other field defaulted, as `POST /_mock/tasks` makes them) into its "
        f"backend with `sms.put`, in "
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
