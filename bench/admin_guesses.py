"""How fast the admin token can be guessed: wrong tokens sent back to back over one keep-alive
connection, for a few seconds, to a server with an admin token, without the limit on wrong
tokens and with it.

The figure is the guesses the server read (answered 401) a second; while an address waits, its
tokens are refused unread (429) and are not guesses. `python -m bench.admin_guesses` prints the
two figures alone.
"""

from __future__ import annotations

import time

import requests

from bench.common import log
from bench.report import Figure, Report

DURATION_S = 3.0
TOKEN = "bench-admin-token"
TARGET_PER_S = 5.0  # with the limit: the free tries and the first waits, over DURATION_S


def guesses_per_second(limited: bool) -> tuple[float, int, int]:
    """(token checks a second, answers 401, answers 429) over DURATION_S of wrong tokens."""
    from sms_mock.mock_server import Config, create_app
    from sms_mock.mock_server.gateway.admin import EXTENSION_KEY
    from sms_mock.mock_server.gateway.guess_limit import GuessLimiter
    from sms_mock.mock_server.serving.live import LiveServer

    app = create_app(Config(clock="manual", admin_token=TOKEN))
    if not limited:
        app.extensions[EXTENSION_KEY].limiter = GuessLimiter(free=10**12)
    statuses: dict[int, int] = {}
    with LiveServer(app=app) as server, requests.Session() as session:
        url = f"{server.url}/_mock/clock"
        started = time.perf_counter()
        guess = 0
        while (elapsed := time.perf_counter() - started) < DURATION_S:
            guess += 1
            answer = session.get(url, headers={"X-Mock-Admin-Token": f"guess-{guess}"}, timeout=5)
            statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1
    read, waited = statuses.get(401, 0), statuses.get(429, 0)
    return read / elapsed, read, waited


def measure_admin_guesses(report: Report) -> None:
    log(f"admin-token guesses for {DURATION_S:g} s, without the limit and with it")
    before, before_read, _ = guesses_per_second(limited=False)
    after, after_read, after_waited = guesses_per_second(limited=True)
    report.methods.append(
        f"Admin-token guesses: one client sends wrong X-Mock-Admin-Token headers back to back "
        f"over one keep-alive connection for {DURATION_S:g} s to an in-process server; the "
        f"figure counts the tokens the server read (401), not those it refused unread (429)."
    )
    report.figures.append(
        Figure(
            "admin-token guesses read a second, without the limit",
            f"{before:.0f} ({before_read:,} in {DURATION_S:g} s)",
            "",
            None,
        )
    )
    report.figures.append(
        Figure(
            "admin-token guesses read a second, with the limit",
            f"{after:.1f} ({after_read} read, {after_waited:,} refused unread)",
            f"<= {TARGET_PER_S:g}",
            after <= TARGET_PER_S,
        )
    )


if __name__ == "__main__":
    for limited in (False, True):
        rate, read, waited = guesses_per_second(limited)
        label = "with the limit" if limited else "without the limit"
        print(f"{label}: {rate:.1f} guesses read a second ({read} read, {waited} refused unread)")
