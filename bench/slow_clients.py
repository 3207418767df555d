"""Idle and slow clients: 200 connections that send nothing, or headers a byte a second,
while other clients GET a task; their p99 against the same server's with no such connections.

The held connections come from bench.holder, a process of its own, opened before each
measurement and closed after it. `sms-mock serve` runs with its defaults for these
(`--connection-limit 1000`, `--channel-timeout 60`): no held connection is timed out within a
measurement, so the server must serve the others beside all of them.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

from bench.calls import Call, Load, load, token_for
from bench.common import CONNECTIONS, ENV, ROOT, SECONDS, SEED_TASK, WARMUP_SECONDS, log, median
from bench.procs import read_line, serve_command, serving
from bench.report import Figure, Report

HELD = 200
SLOW_ROUNDS = 3
SLOW_TARGET = 2.0
DRIP_LEAD_S = 1.5  # the slow clients drip this long before the measurement starts
CONDITIONS = {
    "idle": f"{HELD} idle connections",
    "drip": f"{HELD} connections sending headers a byte a second",
}


def figure_name(condition: str) -> str:
    return f"GET p99 beside {CONDITIONS[condition]} / idle server"


def _held_load(url: str, call: Call, mode: str) -> tuple[Load, dict[str, int]]:
    """The load, with HELD connections held open by another process meanwhile."""
    command = [sys.executable, "-m", "bench.holder", url, "--sockets", str(HELD)]
    command += ["--mode", mode, "--seconds", str(SECONDS + DRIP_LEAD_S + 30)]
    holder = subprocess.Popen(command, stdout=subprocess.PIPE, cwd=ROOT, env=ENV)
    try:
        line = read_line(holder, 30)  # type: ignore[arg-type]
        if not line.startswith(b"holding"):
            raise RuntimeError(f"holder: {line!r}")
        if mode == "drip":
            time.sleep(DRIP_LEAD_S)
        result = load(url, call)
    finally:
        holder.terminate()
        out, _ = holder.communicate(timeout=30)
    return result, json.loads(out.decode().strip().splitlines()[-1])


def measure_slow_clients(report: Report) -> None:
    with serving(serve_command()) as server:
        auth = {"X-Auth-Token": token_for(server.port)[0]}
        call = Call("GET", "GET", f"/v3/tasks/{SEED_TASK}", auth, None, 200)
        load(server.url, call, WARMUP_SECONDS)
        runs: dict[str, list[Load]] = {"none": [], "idle": [], "drip": []}
        held: dict[str, list[dict[str, int]]] = {"idle": [], "drip": []}
        for round_no in range(SLOW_ROUNDS):
            log(f"idle and slow clients: round {round_no + 1} of {SLOW_ROUNDS}")
            order = ["none", "idle", "drip"]
            for condition in order if round_no % 2 == 0 else list(reversed(order)):
                if condition == "none":
                    runs["none"].append(load(server.url, call))
                    continue
                result, holding = _held_load(server.url, call, condition)
                runs[condition].append(result)
                held[condition].append(holding)
    report.methods.append(
        f"Idle and slow clients: a fresh `sms-mock serve` (default --connection-limit and "
        f"--channel-timeout); {SLOW_ROUNDS} rounds, each loading its task GET ({CONNECTIONS} "
        f"connections, {SECONDS} s) three ways in turn: alone; beside {HELD} connections that "
        f"another process (`bench.holder`) opened and sends nothing on; beside {HELD} "
        f"connections that send a request's headers a byte a second (for {DRIP_LEAD_S} s "
        f"before the load and through it), headers that never end. A figure is the median of "
        f"the rounds' p99 / the idle server's p99, and is met only when, besides, every other "
        f"request was answered 200."
    )
    base_p99 = median([r.p99_ms for r in runs["none"]])
    for condition in CONDITIONS:
        ratios = [c.p99_ms / n.p99_ms for c, n in zip(runs[condition], runs["none"], strict=True)]
        ratio = median(ratios)
        failures = sum(r.failures for r in runs[condition])
        answered = all(r.requests > 0 for r in runs[condition])
        p99 = median([r.p99_ms for r in runs[condition]])
        closed = sum(h["closed_by_server"] for h in held[condition])
        name = figure_name(condition)
        report.figures.append(
            Figure(
                name,
                f"{ratio:.2f} ({p99:.2f} / {base_p99:.2f} ms; {failures} failed)",
                f"<= {SLOW_TARGET:g}, none failed",
                ratio <= SLOW_TARGET and failures == 0 and answered,
            )
        )
        rps = median([r.rps for r in runs[condition]])
        report.note(
            f"Beside {CONDITIONS[condition]} (bench.holder, another process; opened before "
            f"each measurement, {closed} of {HELD * SLOW_ROUNDS} closed by the server during "
            f"it): {CONNECTIONS} other connections got {rps:,.0f} GETs a second (idle server: "
            f"{median([r.rps for r in runs['none']]):,.0f}), p50 "
            f"{median([r.p50_ms for r in runs[condition]]):.2f} ms, p99 {p99:.2f} ms; "
            f"{failures} answers other than 200.",
            name,
        )
