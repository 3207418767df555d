"""The violations the proxy saw: logged a line each, and the last ones kept for
`GET /_mock/violations`."""

from __future__ import annotations

import itertools
import logging
import threading
from collections import deque
from collections.abc import Sequence
from typing import Any

from sms_mock.contracts.conformance import Violation

LOGGER = logging.getLogger("sms_mock.proxy")
# One exchange may break the contract in thousands of places (every item of a list): the
# first ones say what is wrong, and the count says how much.
MAX_PER_EXCHANGE = 50


class ViolationBook:
    """Thread-safe and bounded: the oldest violations fall out once `size` is reached."""

    def __init__(self, size: int) -> None:
        self._kept: deque[dict[str, Any]] = deque(maxlen=size)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.seen = 0  # every violation ever reported, those fallen out included

    def report(self, violations: Sequence[Violation], time_ms: int) -> list[dict[str, Any]]:
        """Log and keep `violations` (one exchange's); their JSON forms, as kept."""
        shown = violations[:MAX_PER_EXCHANGE]
        for violation in shown:
            LOGGER.warning("violation: %s", violation.line())
        if len(violations) > len(shown):
            LOGGER.warning(
                "violation: ... and %d more in the same exchange [request %s]",
                len(violations) - len(shown),
                violations[0].request_id or "-",
            )
        with self._lock:
            self.seen += len(violations)
            kept = [
                {"id": next(self._ids), "time_ms": time_ms, **violation.to_json()}
                for violation in shown
            ]
            self._kept.extend(kept)
        return kept

    def listing(self) -> tuple[list[dict[str, Any]], int]:
        """(the kept violations, oldest first; `seen`), taken together: the count never
        misses one of the listed."""
        with self._lock:
            return list(self._kept), self.seen
