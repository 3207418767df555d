"""What the SMS backend does with a task's settings: PUT /v3/tasks/{id}, speed-limit windows,
configuration settings and the passphrase; a mixin of `SmsBackend` (backend.py).

A setting that changes how fast a task moves (its `speed_limit`, its windows) applies from the
moment it is set: the task is settled to now and its running sub-task rebased there first, so
what the clock already showed stays true.
"""

from __future__ import annotations

import copy
import hashlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sms_mock.mock_server.sms.backend import SmsBackend
    from sms_mock.mock_server.sms.task_models import Task

# PutTaskReq's fields kept on the task document as they are given.
UPDATABLE = (
    "name", "type", "region_id", "region_name", "exist_server", "migration_ip", "use_ipv6",
    "use_public_ip", "speed_limit", "priority", "project_name", "project_id",
    "vm_template_id", "image_disk_id", "target_disk_ids", "snapshot_ids",
    "cutovered_snapshot_ids",
)  # fmt: skip


class TaskSettingsOps:
    def _settled_for_change(self: SmsBackend, project_id: str, task_id: str) -> Task:
        """The task, settled and rebased to now: what changes next applies from now on."""
        task = self._task(project_id, task_id)
        self.lifecycle.rebase(task, self.clock.now_ms())
        return task

    def _changed_task(self: SmsBackend, project_id: str, task: Task) -> None:
        task.touch()
        self._changed(project_id, task.id, True)

    def update_task(self: SmsBackend, project_id: str, task_id: str, body: dict[str, Any]) -> None:
        with self._lock:
            task = self._settled_for_change(project_id, task_id)
            doc = task.doc
            for key in UPDATABLE:
                if key in body:
                    doc[key] = body[key]
            if "enterprise_project" in body:
                doc["enterprise_project_id"] = body["enterprise_project"]
            for key in ("target_server", "clone_server"):
                if key in body:
                    holder = doc.get(key) if isinstance(doc.get(key), dict) else {}
                    doc[key] = {**holder, **body[key]}
            self._changed_task(project_id, task)

    def speed_limits(self: SmsBackend, project_id: str, task_id: str) -> dict[str, Any]:
        with self._lock:
            task = self._task(project_id, task_id)
            windows = (task.settings or {}).get("speed_limit") or []
            return {"speed_limit": [{"over_speed_threshold": None, **w} for w in windows]}

    def set_speed_limits(
        self: SmsBackend, project_id: str, task_id: str, windows: list[dict[str, Any]]
    ) -> None:
        with self._lock:
            task = self._settled_for_change(project_id, task_id)
            task.settings = {**(task.settings or {}), "speed_limit": copy.deepcopy(windows)}
            self._changed_task(project_id, task)

    def config_settings(
        self: SmsBackend, project_id: str, task_id: str, config_key: str | None
    ) -> dict[str, Any]:
        with self._lock:
            task = self._task(project_id, task_id)
            configurations = (task.settings or {}).get("configurations") or []
            if config_key is not None:
                configurations = [c for c in configurations if c["config_key"] == config_key]
            return {
                "task_id": task_id,
                "migrate_type": task.peek().get("type"),
                "configurations": [
                    {"config_status": None, **c} for c in copy.deepcopy(configurations)
                ],
            }

    def set_config_settings(
        self: SmsBackend, project_id: str, task_id: str, given: list[dict[str, Any]]
    ) -> None:
        """Settings by key: a key given again replaces its value, the others stay."""
        with self._lock:
            task = self._task(project_id, task_id)
            by_key = {c["config_key"]: c for c in (task.settings or {}).get("configurations", [])}
            by_key.update({c["config_key"]: copy.deepcopy(c) for c in given})
            task.settings = {**(task.settings or {}), "configurations": list(by_key.values())}
            self._changed_task(project_id, task)

    def passphrase(self: SmsBackend, project_id: str, task_id: str) -> dict[str, Any]:
        """INFERRED: the passphrase an agent encrypts its channel with; derived from the task
        id, so that it is stable and reading it changes nothing."""
        with self._lock:
            self._task(project_id, task_id)
        digest = hashlib.sha256(f"sms-mock passphrase {task_id}".encode()).hexdigest()
        return {"task_id": task_id, "passphrase": digest[:32]}
