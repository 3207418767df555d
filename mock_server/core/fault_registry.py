"""What task faults and HTTP faults share: a thread-safe registry of faults by id, which
knows which faults changed since the state file last took them."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar


class Fault(Protocol):
    id: str

    def to_json(self) -> dict[str, Any]: ...


F = TypeVar("F", bound=Fault)


@dataclass
class FaultChanges:
    """What changed since the last drain: faults to write whole, ids to delete, or all gone."""

    written: list[dict[str, Any]] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    cleared: bool = False

    def __bool__(self) -> bool:
        return bool(self.written or self.deleted or self.cleared)


class FaultRegistry(Generic[F]):
    """Faults by id; each change marks its fault, so the state file writes only those.

    Callers that change a fault in place (firing counts) hold `_lock` and call `_touch`.
    """

    def __init__(self, track_changes: bool = False) -> None:
        self._lock = threading.Lock()
        self._faults: dict[str, F] = {}
        # The changes a state file drains; without one nothing drains them, and they'd grow.
        self.track_changes = track_changes
        self._touched: set[str] = set()
        self._cleared = False

    def _touch(self, fault_id: str) -> None:
        if self.track_changes:
            self._touched.add(fault_id)

    def _store(self, fault: F) -> F:
        with self._lock:
            self._faults[fault.id] = fault
            self._touch(fault.id)
        return fault

    def drain_changes(self) -> FaultChanges:
        """The changes since the last call, taken atomically: a fault added meanwhile is in
        this drain or the next, never lost between them."""
        with self._lock:
            changes = FaultChanges(cleared=self._cleared)
            for fault_id in self._touched:
                fault = self._faults.get(fault_id)
                if fault is not None:
                    changes.written.append(fault.to_json())
                elif not self._cleared:
                    changes.deleted.append(fault_id)
            self._touched.clear()
            self._cleared = False
            return changes

    def _from_json(self, data: dict[str, Any]) -> F:
        raise NotImplementedError

    def all(self) -> list[F]:
        with self._lock:
            return list(self._faults.values())

    def delete(self, fault_id: str) -> bool:
        with self._lock:
            if self._faults.pop(fault_id, None) is None:
                return False  # nothing changed: nothing to write
            self._touch(fault_id)
            return True

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
            self._touched.clear()
            self._cleared = True

    def export(self) -> list[dict[str, Any]]:
        with self._lock:
            return [fault.to_json() for fault in self._faults.values()]

    def restore(self, data: list[dict[str, Any]]) -> None:
        """The faults of a snapshot; the state file is then written whole, so none is marked."""
        faults = {item["id"]: self._from_json(item) for item in data}
        with self._lock:
            self._faults = faults
            self._touched.clear()
            self._cleared = False
