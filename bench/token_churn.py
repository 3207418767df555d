"""IAM's memory under token churn: a million tokens issued over ten days of clock.

Expired tokens are dropped a day after they expire, so the book should plateau at two days'
issues: the figure is the process's resident memory after ten days over what it was after five,
which stays near 1 when nothing leaks. It runs in the bench's own process: what earlier sections
left there is in both readings, and the ratio is of the growth between them.
"""

from __future__ import annotations

import gc

from bench.common import log, rss_bytes
from bench.report import Figure, Report

ISSUES = 1_000_000
DAYS = 10
CHURN_TARGET = 1.2


def measure_token_churn(report: Report) -> None:
    log(f"{ISSUES:,} tokens issued over {DAYS} days of clock")
    from sms_mock.mock_server.core.clock import ManualClock
    from sms_mock.mock_server.iam.backend import IamBackend
    from sms_mock.mock_server.iam.models import Account, User

    clock = ManualClock()
    user = User("u", "user", "secret", "d")
    iam = IamBackend(clock, Account(users={user.id: user}))
    step_s = DAYS * 86400 / ISSUES
    held: dict[int, tuple[int, int]] = {}
    for issued in range(1, ISSUES + 1):
        iam.issue(user, ["password"], None, None)
        clock.advance(step_s)
        if issued % 1000 == 0:
            iam.drain_changes()  # what the state file would take, after every request
        if issued in (ISSUES // 2, ISSUES):
            gc.collect()
            held[issued] = (rss_bytes(), len(iam.tokens))
    (half_bytes, half_tokens), (full_bytes, full_tokens) = held[ISSUES // 2], held[ISSUES]
    ratio = full_bytes / half_bytes
    report.methods.append(
        f"Token churn: an IamBackend on the manual clock issues {ISSUES:,} tokens over {DAYS} "
        f"days of clock, draining its changes every 1,000 issues as a state file's save would; "
        f"the figure is this process's resident memory after {DAYS} days over after "
        f"{DAYS // 2}, which stays near 1 when expired tokens are dropped."
    )
    report.figures.append(
        Figure(
            f"IAM memory after {DAYS} days of token churn / after {DAYS // 2}",
            f"{ratio:.2f} ({full_bytes / 2**20:.0f} / {half_bytes / 2**20:.0f} MiB; "
            f"{full_tokens:,} / {half_tokens:,} tokens held)",
            f"<= {CHURN_TARGET}",
            ratio <= CHURN_TARGET,
        )
    )
