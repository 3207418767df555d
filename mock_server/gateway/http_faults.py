"""HTTP faults: a request that matches answers a given status, waits, or loses its connection."""

from __future__ import annotations

import fnmatch
import random
from dataclasses import asdict, dataclass, field
from typing import Any

from sms_mock.mock_server.core.fault_registry import FaultRegistry
from sms_mock.mock_server.core.ids import new_id


@dataclass
class HttpFault:
    id: str
    match: dict[str, Any]  # method, path (a glob), task_id, operation: all given must match
    status: int | None
    body: Any
    delay_ms: int
    drop: bool
    times: int
    remaining: int
    probability: float
    seed: int
    fired: int = 0
    kind: str = "http"
    _random: random.Random = field(default_factory=random.Random, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Seeded: the same requests in the same order fire the same faults, run after run.
        self._random = random.Random(self.seed)

    def matches(self, method: str, path: str, task_id: str | None, operation: str | None) -> bool:
        match = self.match
        return (
            self.remaining > 0
            and match.get("method", method) == method
            and fnmatch.fnmatchcase(path, match.get("path", "*"))
            and ("task_id" not in match or match["task_id"] == task_id)
            and ("operation" not in match or match["operation"] == operation)
        )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("_random")
        return data


class HttpFaultBook(FaultRegistry[HttpFault]):
    """The HTTP faults of one emulator; thread-safe."""

    def add(self, spec: dict[str, Any]) -> HttpFault:
        return self._store(
            HttpFault(
                id=new_id(),
                match=spec["match"],
                status=spec.get("status"),
                body=spec.get("body"),
                delay_ms=spec["delay_ms"],
                drop=spec["drop"],
                times=spec["times"],
                remaining=spec["times"],
                probability=spec["probability"],
                seed=spec["seed"],
            )
        )

    def _from_json(self, data: dict[str, Any]) -> HttpFault:
        # The dice start again from the seed: a restored fault repeats its run from the start.
        return HttpFault(**{key: value for key, value in data.items() if key != "kind"})

    def fire(
        self, method: str, path: str, task_id: str | None, operation: str | None
    ) -> HttpFault | None:
        """The first matching fault whose dice say yes, counted as fired; None otherwise."""
        with self._lock:
            if not self._faults:
                return None
            for fault in self._faults.values():
                if not fault.matches(method, path, task_id, operation):
                    continue
                if fault.probability < 1 and fault._random.random() >= fault.probability:
                    continue
                fault.remaining -= 1
                fault.fired += 1
                self._touch(fault.id)
                return fault
        return None
