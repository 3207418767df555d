"""The SMS backend: tasks partitioned by project, moved by the lifecycle engine; thread-safe."""

from __future__ import annotations

import copy
import threading
from typing import Any

from sms_mock.contracts.enums import Operation
from sms_mock.contracts.shape import shape_of, with_shape_keys
from sms_mock.contracts.sms import TaskBriefSchema
from sms_mock.mock_server.core.clock import Clock
from sms_mock.mock_server.core.ids import new_id
from sms_mock.mock_server.sms import errors
from sms_mock.mock_server.sms.engine import LifecycleEngine
from sms_mock.mock_server.sms.faults import TaskFault, TaskFaultBook
from sms_mock.mock_server.sms.lifecycle import UNDELETABLE_STATES
from sms_mock.mock_server.sms.task_models import (
    Task,
    complete_document,
    created_document,
    default_document,
)

BRIEF_SHAPE = shape_of(TaskBriefSchema)


class SmsBackend:
    def __init__(
        self, clock: Clock, faults: TaskFaultBook, durations: dict[str, float] | None = None
    ) -> None:
        self.clock = clock
        self.faults = faults
        # One lock for every task: an answer is always a consistent instant of one task.
        self._lock = threading.RLock()
        self._tasks: dict[str, dict[str, Task]] = {}
        self._last_int_id = 0
        # What changed since the state file last saw it: (project, task id) -> kept or deleted.
        self._changes: dict[tuple[str, str], bool] = {}
        self.track_changes = False  # the emulator sets it when it keeps a state file
        self.lifecycle = LifecycleEngine(faults, self._next_int_id, durations)

    def _changed(self, project_id: str, task_id: str, alive: bool) -> None:
        # Remembered only for a state file: without one nothing drains it, and it would grow.
        if self.track_changes:
            self._changes[(project_id, task_id)] = alive

    def _next_int_id(self) -> int:
        self._last_int_id += 1
        return self._last_int_id

    def _task(self, project_id: str, task_id: str) -> Task:
        task = self._tasks.get(project_id, {}).get(task_id)
        if task is None:
            # Another project's task answers exactly like an absent one.
            raise errors.task_not_found(task_id)
        self._settle(project_id, task, self.clock.now_ms())
        return task

    def _settle(self, project_id: str, task: Task, now: int) -> None:
        version = task.version
        self.lifecycle.settle(task, now)
        if task.version != version:
            self._changed(project_id, task.id, True)

    # --- reads ------------------------------------------------------------------------------

    def show(self, project_id: str, task_id: str) -> bytes:
        with self._lock:
            return self._task(project_id, task_id).render()

    def list(self, project_id: str, query: dict[str, Any]) -> dict[str, Any]:
        now = self.clock.now_ms()
        with self._lock:
            tasks = list(self._tasks.get(project_id, {}).values())
            for task in tasks:
                self._settle(project_id, task, now)
            matching = [task for task in tasks if _matches(task.listed, query)]
            matching.sort(key=lambda t: (-(t.listed.get("create_date") or 0), t.id))
            offset, limit = query["offset"], query["limit"]
            page = [
                with_shape_keys(t.peek(), BRIEF_SHAPE) for t in matching[offset : offset + limit]
            ]
        return {"count": len(matching), "tasks": page}

    # --- writes -----------------------------------------------------------------------------

    def create(self, project_id: str, body: dict[str, Any]) -> str:
        now = self.clock.now_ms()
        task_id = new_id()
        with self._lock:
            task = Task(task_id, created_document(task_id, body, now, self._next_int_id))
            self._tasks.setdefault(project_id, {})[task_id] = task
            if body.get("auto_start"):
                self.lifecycle.act(task, Operation.START, {}, now)
            self._changed(project_id, task_id, True)
        return task_id

    def put(
        self,
        project_id: str,
        project_name: str,
        given: dict[str, Any],
        durations: dict[str, float] | None = None,
    ) -> dict[str, Any]:
        """Put a task in exactly as given (upsert by id); the rest of its fields defaulted."""
        now = self.clock.now_ms()
        task_id = given.get("id") or new_id()
        doc = default_document(
            task_id, project_id, project_name, now, given.get("os_type", "LINUX")
        )
        doc.update(copy.deepcopy(given))
        doc["id"] = task_id
        complete_document(doc)
        task = Task(task_id, doc, durations=dict(durations or {}))
        with self._lock:
            ids = [e.get("id") for e in doc.get("sub_tasks") or []]
            self._last_int_id = max([self._last_int_id, *(i for i in ids if isinstance(i, int))])
            self.lifecycle.adopt(task, now)
            self._tasks.setdefault(project_id, {})[task_id] = task
            self._changed(project_id, task_id, True)
            if task.pack():
                return doc  # the task keeps only its packed copy: this dict is the caller's
            return copy.deepcopy(task.doc)

    def act(
        self, project_id: str, task_id: str, operation: Operation, fields: dict[str, Any]
    ) -> None:
        with self._lock:
            task = self._task(project_id, task_id)
            self.lifecycle.act(task, operation, fields, self.clock.now_ms())
            self._changed(project_id, task_id, True)

    def delete(self, project_id: str, task_id: str) -> None:
        self.delete_many(project_id, [task_id])

    def delete_many(self, project_id: str, task_ids: list[str]) -> None:
        """All or nothing: every id must be a deletable task of the project."""
        with self._lock:
            tasks = [self._task(project_id, task_id) for task_id in dict.fromkeys(task_ids)]
            for task in tasks:
                if task.state in UNDELETABLE_STATES:
                    raise errors.cannot_delete_running(task.id, task.state)
            for task in tasks:
                del self._tasks[project_id][task.id]
                self._changed(project_id, task.id, False)

    # --- faults -----------------------------------------------------------------------------

    def add_fault(self, spec: dict[str, Any]) -> TaskFault:
        """Register a task fault; a running task is first settled to now, so it never fires
        in the past."""
        now = self.clock.now_ms()
        with self._lock:
            for project_id, tasks in self._tasks.items():
                task = tasks.get(spec["task_id"])
                if task is not None:
                    self.lifecycle.settle(task, now)
                    self.lifecycle.rebase(task, now)
                    self._changed(project_id, task.id, True)
            return self.faults.add(spec)

    # --- state ------------------------------------------------------------------------------

    def export(self) -> dict[str, Any]:
        """Every task, by project, and the sub-task id counter: JSON-ready."""
        with self._lock:
            return {
                "last_int_id": self._last_int_id,
                "tasks": [
                    {"project_id": project_id, **task.export()}
                    for project_id, tasks in self._tasks.items()
                    for task in tasks.values()
                ],
            }

    def restore(self, data: dict[str, Any]) -> None:
        with self._lock:
            self._tasks = {}
            for item in data["tasks"]:
                self._tasks.setdefault(item["project_id"], {})[item["id"]] = Task.restore(item)
            self._last_int_id = int(data.get("last_int_id", 0))
            self._changes.clear()

    def drain_changes(self) -> tuple[list[dict[str, Any]], list[tuple[str, str]], int]:
        """(tasks changed, (project, id) of tasks deleted, the id counter) since the last call."""
        with self._lock:
            changes, self._changes = self._changes, {}
            kept = [
                {"project_id": project_id, **self._tasks[project_id][task_id].export()}
                for (project_id, task_id), alive in changes.items()
                if alive and task_id in self._tasks.get(project_id, {})
            ]
            gone = [key for key, alive in changes.items() if not alive]
            return copy.deepcopy(kept), gone, self._last_int_id


def _matches(doc: dict[str, Any], query: dict[str, Any]) -> bool:
    if "state" in query and doc.get("state") != query["state"]:
        return False
    if "name" in query and doc.get("name") != query["name"]:
        return False
    if "id" in query and doc.get("id") != query["id"]:
        return False
    if "enterprise_project_id" in query and (
        doc.get("enterprise_project_id") != query["enterprise_project_id"]
    ):
        return False
    if "source_server_id" in query:
        source = doc.get("source_server") or {}
        if source.get("id") != query["source_server_id"]:
            return False
    return True
