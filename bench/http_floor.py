"""HTTP req/s and latency of `sms-mock serve` beside the floor, in alternating rounds.

Named http_floor, not http: a bench/http.py would shadow the standard library's `http` for any
script run from inside bench/.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from bench.calls import Call, Load, load, token_for
from bench.common import (
    ACTION_BODY,
    ACTION_TASK,
    GET_CALL,
    JSON_TYPE,
    ROUNDS,
    SEED_TASK,
    TOKEN_BODY,
    WARMUP_SECONDS,
    log,
    median,
)
from bench.procs import Served, floor_command, request, serve_command, serving
from bench.report import Report


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
        with serving(floor_command(task_file, token_file)) as floor:
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
