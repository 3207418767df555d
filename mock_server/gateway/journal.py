"""The request journal: the last requests the emulator answered, in a bounded ring."""

from __future__ import annotations

import fnmatch
import itertools
import threading
from collections import deque
from contextvars import ContextVar
from typing import Any

# The faults that fired while the current request was served (task faults fire deep inside
# the lifecycle engine, HTTP faults in the middleware); the journal entry lists them.
FIRED: ContextVar[list[str] | None] = ContextVar("sms_mock_fired_faults", default=None)


def note_fired(fault_id: str) -> None:
    fired = FIRED.get()
    if fired is not None:
        fired.append(fault_id)


MAX_TEXT = 2048


class Journal:
    """Thread-safe; the oldest entries fall out once `size` is reached."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: deque[dict[str, Any]] = deque(maxlen=size)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def record(self, entry: dict[str, Any]) -> None:
        # A path, a query, the task id in a path or an action's operation may be as long as
        # the request allows (hundreds of KiB): kept to its start, so that a full journal
        # stays within `size` times a few KiB.
        for key, value in entry.items():
            if isinstance(value, str) and len(value) > MAX_TEXT:
                entry[key] = value[:MAX_TEXT] + "..."
        with self._lock:
            self._entries.append({"id": next(self._ids), **entry})

    def query(
        self,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
        since: int | None = None,
    ) -> list[dict[str, Any]]:
        with self._lock:
            entries = list(self._entries)
        return [
            e
            for e in entries
            if (method is None or e["method"] == method)
            and (path is None or fnmatch.fnmatchcase(e["path"], path))
            and (status is None or e["status"] == status)
            and (since is None or e["time_ms"] >= since)
        ]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
