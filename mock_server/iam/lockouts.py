"""Password lock-outs: wrong passwords in a row, and the locks they set, by name.

Users and names that are no user share one table, bounded at LOCKOUTS_KEPT names, and are
counted, locked, dropped and saved by the same rules: nothing a client can observe (the answer,
when a lock ends, whether it survives a restart or a flood of failures on other names) tells a
user from a name that is no user.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LOCK_AFTER_FAILURES = 5
LOCK_MS = 15 * 60 * 1000
# The names the table holds. Anyone may add one without a credential, so it is bounded; when
# it is full, the name whose count is oldest goes first, then the oldest lock: flooding the
# table to lift a lock takes this many locks of other names, LOCK_AFTER_FAILURES failures each.
LOCKOUTS_KEPT = 10_000


@dataclass
class LockoutChanges:
    """The names whose row changed since the last drain: (failures, locked_until) to write (0
    where unset), and the names to delete."""

    written: dict[str, tuple[int, int]] = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.written or self.deleted)


class PasswordLockouts:
    """Failures in a row and locks by name; not thread-safe (IamBackend locks around it)."""

    def __init__(self, capacity: int = LOCKOUTS_KEPT) -> None:
        self.capacity = capacity
        self._failures: dict[str, int] = {}  # names counting, the least recent failure first
        self._locked_until: dict[str, int] = {}  # names locked, the earliest lock first
        self.track_changes = False  # set when a state file takes the changes
        self._changed: set[str] = set()

    def __len__(self) -> int:
        return len(self._failures) + len(self._locked_until)

    def is_locked(self, key: str, now_ms: int) -> bool:
        return self._locked_until.get(key, 0) > now_ms

    def failed(self, key: str, now_ms: int) -> None:
        """Count a wrong password; the LOCK_AFTER_FAILURES-th in a row locks the name."""
        self._drop_ended_locks(now_ms)
        self._locked_until.pop(key, None)  # a lock that ended: counting starts again
        failures = self._failures.pop(key, 0) + 1  # popped, so that it goes to the end
        if failures >= LOCK_AFTER_FAILURES:
            self._locked_until[key] = now_ms + LOCK_MS
        else:
            self._failures[key] = failures
        self._touch(key)
        while len(self) > self.capacity:
            # The oldest count, unless it is this one (it was just made newest): then the
            # oldest lock. A full table of locks still counts new failures.
            oldest = next(iter(self._failures), key)
            table = self._failures if oldest != key else self._locked_until
            oldest = next(iter(table))
            del table[oldest]
            self._touch(oldest)

    def passed(self, key: str) -> None:
        """A right password: its count starts again (a lock that ended goes too)."""
        if self._failures.pop(key, None) is not None:
            self._touch(key)
        if self._locked_until.pop(key, None) is not None:
            self._touch(key)

    def _drop_ended_locks(self, now_ms: int) -> None:
        table = self._locked_until
        while table:
            key, until = next(iter(table.items()))
            if until > now_ms:
                return
            del table[key]
            self._touch(key)

    def _touch(self, key: str) -> None:
        if self.track_changes:
            self._changed.add(key)

    # --- state -------------------------------------------------------------------------------

    def export(self) -> dict[str, dict[str, int]]:
        return {"failures": dict(self._failures), "locked_until": dict(self._locked_until)}

    def restore(self, failures: dict[str, int], locked_until: dict[str, int]) -> None:
        """The table of a snapshot, its newest `capacity` names if it holds more."""
        locks = sorted(locked_until.items(), key=lambda item: item[1])
        counts = [(k, n) for k, n in failures.items() if k not in locked_until]
        room = self.capacity
        self._locked_until = dict(locks[-room:] if room else [])
        room -= len(self._locked_until)
        self._failures = dict(counts[-room:] if room else [])
        self._changed.clear()

    def drain_changes(self) -> LockoutChanges:
        changes = LockoutChanges()
        for key in self._changed:
            if key in self._locked_until:
                changes.written[key] = (0, self._locked_until[key])
            elif key in self._failures:
                changes.written[key] = (self._failures[key], 0)
            else:
                changes.deleted.append(key)
        self._changed.clear()
        return changes
