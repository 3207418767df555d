"""What the dashboard's pages show, worked out from the API's own documents (no Flask here).

A task here is the document GET /v3/tasks/{id} answers; what its state allows comes from the
lifecycle table the engine runs on, so a button the page shows is one the API accepts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sms_mock.contracts.enums import Operation, TaskState
from sms_mock.mock_server.core.clock import iso_ms
from sms_mock.mock_server.sms.lifecycle import OPERATION_RULES, UNDELETABLE_STATES

FAILED_STATES = frozenset({TaskState.MIGRATE_FAIL, TaskState.SYNC_FAIL})
PAUSED_STATES = frozenset({TaskState.ABORT})
# The one the service sends by itself, shown last among a task's buttons.
SERVICE_OPERATIONS = frozenset({Operation.ERROR_FOR_OVERSPEED})
# A bar's least width, in percent: a sub-task that failed or stopped shows, though the API
# gives no time it stopped at.
MIN_WIDTH = {"done": 0.5, "running": 0.5, "failed": 2.0, "paused": 2.0, "interrupted": 2.0}


def shown_time(ms: int) -> str:
    """An epoch-ms date as ISO-8601 UTC; one no calendar holds (a task put in with any int64)
    as its number."""
    try:
        return iso_ms(ms)
    except (ValueError, OverflowError, OSError):
        return f"{ms} ms"


def allowed_operations(state: str) -> list[str]:
    """Every operation the lifecycle table allows in `state`, in the table's order."""
    seen: list[str] = []
    for rule in OPERATION_RULES:
        if state in rule.allowed and rule.operation.value not in seen:
            seen.append(rule.operation.value)
    return sorted(seen, key=lambda op: Operation(op) in SERVICE_OPERATIONS)


def current_index(sub_tasks: list[dict[str, Any]]) -> int | None:
    """The index of the latest run's sub-task that is moving, failed or paused: the last one
    that started and has not ended (a restart keeps the failed run's entries in front of the
    new run's), or between two sub-tasks the next not yet started; None when the run is over."""
    started = [i for i, s in enumerate(sub_tasks) if s.get("start_date") is not None]
    last = started[-1] if started else -1
    if last >= 0 and sub_tasks[last].get("end_date") is None:
        return last
    return next(
        (i for i in range(last + 1, len(sub_tasks)) if sub_tasks[i].get("start_date") is None),
        None,
    )


@dataclass(frozen=True)
class Bar:
    """One sub-task on the task's timeline: where it sits, in percent of the whole span."""

    name: str
    phase: str
    progress: int
    start: str
    end: str
    seconds: float | None
    left: float
    width: float
    status: str  # done, running, failed, paused, interrupted, waiting


@dataclass(frozen=True)
class TaskView:
    project_id: str
    project_name: str
    id: str
    name: str
    type: str
    state: str
    current: str  # the current sub-task's name, or ""
    progress: int  # the current sub-task's progress, 100 after a success
    operations: list[str]
    deletable: bool


def task_view(project_id: str, project_name: str, task: dict[str, Any]) -> TaskView:
    sub_tasks = list(task.get("sub_tasks") or [])
    index = current_index(sub_tasks)
    state = str(task.get("state") or "")
    if index is not None:
        current, progress = str(sub_tasks[index].get("name") or ""), sub_tasks[index]["progress"]
    else:
        current, progress = "", 100 if sub_tasks else 0
    return TaskView(
        project_id=project_id,
        project_name=project_name,
        id=str(task.get("id")),
        name=str(task.get("name") or ""),
        type=str(task.get("type") or ""),
        state=state,
        current=current,
        progress=int(progress or 0),
        operations=allowed_operations(state),
        deletable=state not in UNDELETABLE_STATES,
    )


def _status(entry: dict[str, Any], is_current: bool, state: str) -> str:
    if entry.get("end_date") is not None:
        return "done"
    if entry.get("start_date") is None:
        return "waiting"
    if not is_current:
        return "interrupted"  # a run that failed or stopped before a restart
    if state in FAILED_STATES:
        return "failed"
    if state in PAUSED_STATES:
        return "paused"
    return "running"


def timeline(task: dict[str, Any], now_ms: int) -> list[Bar]:
    """A bar per sub-task, on the task's clock: from its first start to its last end (or now,
    while something still runs)."""
    sub_tasks = list(task.get("sub_tasks") or [])
    index = current_index(sub_tasks)
    state = str(task.get("state") or "")
    starts = [s["start_date"] for s in sub_tasks if s.get("start_date") is not None]
    if not starts:
        return [_waiting_bar(s) for s in sub_tasks]
    begin = min(starts)
    moving = state.endswith("ING")
    ends = [s["end_date"] for s in sub_tasks if s.get("end_date") is not None]
    finish = max([*ends, *starts, now_ms if moving else begin])
    span = max(finish - begin, 1)
    bars = []
    for i, entry in enumerate(sub_tasks):
        start_ms = entry.get("start_date")
        if start_ms is None:
            bars.append(_waiting_bar(entry))
            continue
        status = _status(entry, i == index, state)
        end_ms = entry.get("end_date")
        shown_end = end_ms if end_ms is not None else (now_ms if status == "running" else start_ms)
        shown_end = min(max(shown_end, start_ms), finish)
        width = max(round((shown_end - start_ms) * 100 / span, 2), MIN_WIDTH[status])
        left = min(round((start_ms - begin) * 100 / span, 2), 100 - width)  # inside the track
        bars.append(
            Bar(
                name=str(entry.get("name") or ""),
                phase=str(entry.get("user_op") or ""),
                progress=int(entry.get("progress") or 0),
                start=shown_time(start_ms),
                end=shown_time(end_ms) if end_ms is not None else "",
                seconds=(end_ms - start_ms) / 1000 if end_ms is not None else None,
                left=left,
                width=width,
                status=status,
            )
        )
    return bars


def _waiting_bar(entry: dict[str, Any]) -> Bar:
    return Bar(
        name=str(entry.get("name") or ""),
        phase=str(entry.get("user_op") or ""),
        progress=int(entry.get("progress") or 0),
        start="",
        end="",
        seconds=None,
        left=0,
        width=0,
        status="waiting",
    )


def readable_error(error_json: Any) -> dict[str, Any] | None:
    """A task's `error_json` (the JSON text of an error): its code, message and the whole of it
    indented; text that is not JSON is shown as it is."""
    if not error_json:
        return None
    if isinstance(error_json, str):
        try:
            parsed = json.loads(error_json)
        except ValueError:
            return {"code": "", "message": error_json, "pretty": error_json}
    else:
        parsed = error_json
    if not isinstance(parsed, dict):
        return {"code": "", "message": str(parsed), "pretty": json.dumps(parsed, indent=2)}
    return {
        "code": str(parsed.get("error_code") or ""),
        "message": str(parsed.get("error_msg") or ""),
        "pretty": json.dumps(parsed, indent=2, ensure_ascii=False),
    }
