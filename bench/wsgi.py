"""One GET called in process as WSGI, emulator and floor: where the HTTP ratio comes from."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from bench.common import GET_CALL, JSON_TYPE, SEED_TASK, TOKEN_BODY, log, median
from bench.report import Report

CALLS, REPEATS = 2000, 5


def measure_wsgi(report: Report) -> None:
    log("in-process cost of one GET")
    # Imported here, not on top: the fixture's first run must import Flask and the emulator
    # itself.
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
        for _ in range(REPEATS):
            began = time.perf_counter()
            for _ in range(CALLS):
                result = wsgi(dict(environ), start_response)
                b"".join(result)
                getattr(result, "close", lambda: None)()
            best.append((time.perf_counter() - began) / CALLS)
        return median(best)

    emu_us, floor_us = per_call(app) * 1e6, per_call(floor) * 1e6
    report.note(
        f"One GET of the task called in process as WSGI (no server, no network), median of "
        f"{REPEATS} x {CALLS:,}: the emulator {emu_us:.0f} us, the floor {floor_us:.0f} us "
        f"(the emulator's rate {floor_us / emu_us:.2f} of the floor's).",
        f"{GET_CALL} / floor",
    )
