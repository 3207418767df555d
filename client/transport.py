"""HTTP with bounded retries: what is retried, how often, and how long to wait between tries."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import requests

RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """Retries of idempotent calls (reads, and token requests) on connection errors, 429 and
    5xx: `attempts` tries in all, waiting `backoff`, then twice as long each time, up to
    `max_backoff` (a 429's Retry-After is honoured within that bound). Task actions, creates and
    deletes are never retried: a lost answer does not mean the change did not happen."""

    attempts: int = 3
    backoff: float = 0.2
    max_backoff: float = 2.0
    statuses: frozenset[int] = field(default=RETRIED_STATUSES)

    def delay(self, attempt: int, response: requests.Response | None) -> float:
        wait = self.backoff * (2 ** (attempt - 1))
        if response is not None and response.status_code == 429:
            retry_after = response.headers.get("Retry-After", "")
            if retry_after.isdigit():
                wait = float(retry_after)
        return min(wait, self.max_backoff)


NO_RETRY = RetryPolicy(attempts=1)


@dataclass
class Transport:
    """A requests session with a timeout and a retry policy."""

    session: requests.Session
    timeout: float
    retry: RetryPolicy
    sleep: Callable[[float], None] = time.sleep

    def send(
        self, method: str, url: str, *, idempotent: bool, **kwargs: object
    ) -> requests.Response:
        policy = self.retry if idempotent else NO_RETRY
        for attempt in range(1, policy.attempts + 1):
            last = attempt == policy.attempts
            try:
                response = self.session.request(method, url, timeout=self.timeout, **kwargs)
            except (requests.ConnectionError, requests.Timeout):
                if last:
                    raise
                self.sleep(policy.delay(attempt, None))
                continue
            if response.status_code in policy.statuses and not last:
                self.sleep(policy.delay(attempt, response))
                continue
            return response
        raise AssertionError("unreachable: the last attempt returns or raises")
