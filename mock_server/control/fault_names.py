"""Faults as the control plane and the dashboard show them: each naming its task."""

from __future__ import annotations

from typing import Any

from sms_mock.mock_server.emulator import Emulator


def with_task_names(em: Emulator, faults: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each fault's JSON with `task_name`: its task's name, "" when it names no task or the
    task is gone; the names read in one look at the tasks, not a list of every task."""
    keys = {key for key in map(_fault_task, faults) if key is not None}
    glances = em.sms.glance(keys)
    for fault in faults:
        key = _fault_task(fault)
        fault["task_name"] = glances[key].name if key in glances else ""
    return faults


def _fault_task(fault: dict[str, Any]) -> tuple[str, str] | None:
    """The (project, task id) a fault is for: a task fault's own, an HTTP fault's matched id
    in any project; None for an HTTP fault of no task."""
    if fault.get("kind") == "http":
        task_id = (fault.get("match") or {}).get("task_id")
        return ("", task_id) if task_id else None
    return (fault.get("project_id") or "", fault["task_id"])
