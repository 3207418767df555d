"""Task faults: a sub-task fails or pauses when it reaches a given progress."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from sms_mock.contracts import error_codes as codes
from sms_mock.contracts.enums import FaultEffect
from sms_mock.mock_server.core.fault_registry import FaultRegistry
from sms_mock.mock_server.core.ids import new_id
from sms_mock.mock_server.gateway.journal import note_fired
from sms_mock.mock_server.sms.lifecycle import phase_kind


@dataclass
class TaskFault:
    id: str
    task_id: str
    subtask: str
    at_progress: int
    effect: str
    error_json: Any  # an object or a string, as given
    times: int
    remaining: int
    fired: int = 0
    # The project of its task: a fault for `t1` fires for that project's `t1` only. Empty in
    # a fault of a snapshot made before faults had projects: it then matches by id alone.
    project_id: str = ""
    phase: str | None = None  # REPLICATE, CUTOVER, RESYNC, CLONE, or an exact name (CUTOVER1)
    occurrence: int | None = None  # the n-th time this sub-task runs in the task (from 1)
    kind: str = "task"

    def matches(self, subtask: str, phase: str | None, occurrence: int) -> bool:
        if self.remaining <= 0 or self.subtask != subtask:
            return False
        if self.occurrence is not None and self.occurrence != occurrence:
            return False
        if self.phase is None:
            return True
        # A bare kind (`RESYNC`) narrows to every phase of that kind; a numbered name to one.
        if self.phase == phase:
            return True
        return self.phase.isalpha() and phase_kind(phase) == self.phase

    def error_text(self) -> str:
        """What the failed task's `error_json` field holds: the JSON text of the error."""
        if isinstance(self.error_json, str):
            return self.error_json
        if self.error_json is None:
            # A real engine code of the reference table, as a failed task reports it.
            failed = codes.TASK_FAILED
            detail = f"Injected in {self.subtask} at {self.at_progress}%."
            return json.dumps({"error_code": failed.code, "error_msg": failed.text(detail)})
        return json.dumps(self.error_json, separators=(",", ":"))

    @property
    def pauses(self) -> bool:
        return self.effect == FaultEffect.PAUSE

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class TaskFaultBook(FaultRegistry[TaskFault]):
    """The task faults of one emulator, by task id; thread-safe."""

    def add(self, spec: dict[str, Any]) -> TaskFault:
        return self._store(TaskFault(id=new_id(), remaining=spec["times"], **spec))

    def _from_json(self, data: dict[str, Any]) -> TaskFault:
        return TaskFault(**{key: value for key, value in data.items() if key != "kind"})

    def fire(self, fault: TaskFault) -> None:
        """Count one firing of a fault."""
        with self._lock:
            fault.remaining -= 1
            fault.fired += 1
            self._touch(fault.id)
        note_fired(fault.id)

    def for_task(self, project_id: str, task_id: str) -> list[TaskFault]:
        with self._lock:
            return [
                f
                for f in self._faults.values()
                if f.task_id == task_id and f.remaining > 0 and f.project_id in (project_id, "")
            ]
