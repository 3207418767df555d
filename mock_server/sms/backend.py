"""The SMS backend: tasks partitioned by project, moved by the lifecycle engine; thread-safe."""

from __future__ import annotations

import copy
import threading
from typing import Any

from contracts.enums import Operation
from contracts.shape import project, shape_of
from contracts.sms import TaskBriefSchema
from mock_server.clock import Clock
from mock_server.ids import new_id
from mock_server.sms import errors
from mock_server.sms.engine import Lifecycle
from mock_server.sms.faults import FaultBook, TaskFault
from mock_server.sms.lifecycle import UNDELETABLE_STATES
from mock_server.sms.models import Task, complete_document, created_document, default_document

BRIEF_SHAPE = shape_of(TaskBriefSchema)


class SmsBackend:
    def __init__(
        self, clock: Clock, faults: FaultBook, durations: dict[str, float] | None = None
    ) -> None:
        self.clock = clock
        self.faults = faults
        # One lock for every task: an answer is always a consistent instant of one task.
        self._lock = threading.RLock()
        self._tasks: dict[str, dict[str, Task]] = {}
        self._last_int_id = 0
        self.lifecycle = Lifecycle(faults, self._next_int_id, durations)

    def _next_int_id(self) -> int:
        self._last_int_id += 1
        return self._last_int_id

    def _task(self, project_id: str, task_id: str) -> Task:
        task = self._tasks.get(project_id, {}).get(task_id)
        if task is None:
            # Another project's task answers exactly like an absent one.
            raise errors.task_not_found(task_id)
        self.lifecycle.settle(task, self.clock.now_ms())
        return task

    # --- reads ------------------------------------------------------------------------------

    def show(self, project_id: str, task_id: str) -> bytes:
        with self._lock:
            return self._task(project_id, task_id).render()

    def document(self, project_id: str, task_id: str) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._task(project_id, task_id).doc)

    def list(self, project_id: str, query: dict[str, Any]) -> dict[str, Any]:
        now = self.clock.now_ms()
        with self._lock:
            tasks = list(self._tasks.get(project_id, {}).values())
            for task in tasks:
                self.lifecycle.settle(task, now)
            matching = [task for task in tasks if _matches(task.doc, query)]
            matching.sort(key=lambda t: (-(t.doc.get("create_date") or 0), t.id))
            offset, limit = query["offset"], query["limit"]
            page = [project(t.doc, BRIEF_SHAPE) for t in matching[offset : offset + limit]]
        return {"count": len(matching), "tasks": page}

    def count(self) -> int:
        with self._lock:
            return sum(len(tasks) for tasks in self._tasks.values())

    # --- writes -----------------------------------------------------------------------------

    def create(self, project_id: str, body: dict[str, Any]) -> str:
        now = self.clock.now_ms()
        task_id = new_id()
        with self._lock:
            task = Task(task_id, created_document(task_id, body, now, self._next_int_id))
            self._tasks.setdefault(project_id, {})[task_id] = task
            if body.get("auto_start"):
                self.lifecycle.act(task, Operation.START, {}, now)
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
            return copy.deepcopy(task.doc)

    def act(
        self, project_id: str, task_id: str, operation: Operation, fields: dict[str, Any]
    ) -> None:
        with self._lock:
            task = self._task(project_id, task_id)
            self.lifecycle.act(task, operation, fields, self.clock.now_ms())

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

    # --- faults -----------------------------------------------------------------------------

    def add_fault(self, spec: dict[str, Any]) -> TaskFault:
        """Register a task fault; a running task is first settled to now, so it never fires
        in the past."""
        now = self.clock.now_ms()
        with self._lock:
            for tasks in self._tasks.values():
                task = tasks.get(spec["task_id"])
                if task is not None:
                    self.lifecycle.settle(task, now)
                    self.lifecycle.rebase(task, now)
            return self.faults.add(spec)


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
