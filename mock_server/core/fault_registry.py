"""What task faults and HTTP faults share: a thread-safe registry of faults by id, versioned."""

from __future__ import annotations

import threading
from typing import Any, Generic, Protocol, TypeVar


class Fault(Protocol):
    id: str

    def to_json(self) -> dict[str, Any]: ...


F = TypeVar("F", bound=Fault)


class FaultRegistry(Generic[F]):
    """Faults by id; `version` moves on every change, so the state file knows when to save."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: dict[str, F] = {}
        self.version = 0

    def _store(self, fault: F) -> F:
        with self._lock:
            self._faults[fault.id] = fault
            self.version += 1
        return fault

    def _from_json(self, data: dict[str, Any]) -> F:
        raise NotImplementedError

    def all(self) -> list[F]:
        with self._lock:
            return list(self._faults.values())

    def delete(self, fault_id: str) -> bool:
        with self._lock:
            self.version += 1
            return self._faults.pop(fault_id, None) is not None

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
            self.version += 1

    def export(self) -> list[dict[str, Any]]:
        with self._lock:
            return [fault.to_json() for fault in self._faults.values()]

    def restore(self, data: list[dict[str, Any]]) -> None:
        faults = {item["id"]: self._from_json(item) for item in data}
        with self._lock:
            self._faults = faults
            self.version += 1
