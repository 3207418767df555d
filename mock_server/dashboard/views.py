"""What the dashboard's pages show, worked out from the API's own documents (no Flask here).

A task here is the document GET /v3/tasks/{id} answers; what its state allows comes from the
lifecycle table the engine runs on, so a button the page shows is one the API accepts.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

from sms_mock.contracts.enums import Operation, TaskState
from sms_mock.mock_server.core.clock import iso_ms
from sms_mock.mock_server.sms.lifecycle import (
    BUSY_STATES,
    OPERATION_RULES,
    TIMED_STATES,
    UNDELETABLE_STATES,
    Effect,
)

FAILED_STATES = frozenset({TaskState.MIGRATE_FAIL, TaskState.SYNC_FAIL})
PAUSED_STATES = frozenset({TaskState.ABORT})
# The one the service sends by itself, shown last among a task's buttons.
SERVICE_OPERATIONS = frozenset({Operation.ERROR_FOR_OVERSPEED})
# A bar's least width, in percent: a sub-task that stopped shows, even when it stopped at once
# or when its end is not known.
MIN_WIDTH = {"done": 0.5, "running": 0.5, "failed": 2.0, "paused": 2.0, "interrupted": 2.0}
SHORT_MESSAGE = 60  # the overview's error column: the message's first characters


def shown_time(ms: int) -> str:
    """An epoch-ms date as ISO-8601 UTC; one no calendar holds (a task put in with any int64)
    as its number."""
    try:
        return iso_ms(ms)
    except (ValueError, OverflowError, OSError):
        return f"{ms} ms"


# --- durations ---------------------------------------------------------------------------------

# From days down: a long duration is shown in its two largest units ("377d 11h", "9h 3m").
UNITS = (("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1))


def duration_text(ms: float) -> str:
    """A duration in milliseconds as a person reads it, everywhere the dashboard shows one:
    `350 ms`, `4.5 s`, `42 s`, `3m 11s`, `9h 3m`, `377d 11h`; rounded to the last unit shown
    (so `59.6 s` is `1m`, never `60 s`)."""
    if not isinstance(ms, int | float) or isinstance(ms, bool) or not math.isfinite(ms):
        return "unknown"
    if ms < 0:
        return f"-{duration_text(-ms)}"
    whole_ms = round(ms)
    if whole_ms == 0:
        return "0 s" if ms == 0 else "<1 ms"
    if whole_ms < 1_000:
        return f"{whole_ms} ms"
    tenths = (whole_ms + 50) // 100
    if tenths < 100:  # under 10 s: a tenth of a second still tells
        return f"{tenths // 10} s" if tenths % 10 == 0 else f"{tenths / 10:.1f} s"
    seconds = (whole_ms + 500) // 1_000
    for (big, size), (small, step) in pairwise(UNITS):
        rounded = (seconds + step // 2) // step * step
        if rounded >= size:
            count, rest = divmod(rounded, size)
            return f"{count}{big} {rest // step}{small}" if rest else f"{count}{big}"
    return f"{seconds} s"


# --- operations ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OperationButton:
    """A button of a task's page: the API's `operation`, a plain label, what it does here, and
    whether it changes anything in the emulator (the API accepts some that change nothing)."""

    operation: str
    label: str
    explanation: str
    changes_nothing: bool


_ROLLBACK_S = TIMED_STATES[TaskState.SYNC_F_ROLLBACKING][1]
_ABORTING_S = TIMED_STATES[TaskState.ABORTING][1]
NOTHING = "Accepted by the API; it changes nothing in the emulator."
# What each (operation, effect) of the lifecycle table is called and does, in a line.
EXPLAINED: dict[tuple[Operation, Effect], tuple[str, str]] = {
    (Operation.START, Effect.NEW_REPLICATE): (
        "Start",
        "Begins the migration: a full copy (REPLICATE) from its first sub-task.",
    ),
    (Operation.START, Effect.RESUME): (
        "Resume",
        "Carries on the interrupted phase from its first unfinished sub-task, keeping its work.",
    ),
    (Operation.START, Effect.NEW_RESYNC): (
        "Sync again",
        "A new RESYNC phase: copies what changed on the source since the last copy.",
    ),
    (Operation.STOP, Effect.STOP): (
        "Stop",
        f"ABORTING for {_ABORTING_S:g} s of clock, then ABORT; Resume or Restart carries on.",
    ),
    (Operation.RESTART, Effect.RESTART_PHASE): (
        "Restart",
        "Runs the interrupted phase again from its first sub-task, with fresh sub-tasks.",
    ),
    (Operation.TEST, Effect.NEW_CUTOVER): (
        "Launch a test",
        "A new CUTOVER phase that starts the target server to test it.",
    ),
    (Operation.CUTOVER, Effect.NEW_CUTOVER): (
        "Cut over",
        "A new CUTOVER phase that configures and starts the target server for good.",
    ),
    (Operation.CLONE_TEST, Effect.NEW_CLONE): (
        "Clone for a test",
        "A new CLONE phase: clones the target server from the chosen template.",
    ),
    (Operation.SYNC_FAILED_ROLLBACK, Effect.ROLLBACK): (
        "Roll back the sync",
        f"SYNC_F_ROLLBACKING for {_ROLLBACK_S:g} s of clock, then SYNC_F_ROLLBACK_SUCCESS.",
    ),
    (Operation.ERROR_FOR_OVERSPEED, Effect.PAUSE): (
        "Overspeed pause",
        "What the service sends itself when the task goes over its speed limit: ABORT at once.",
    ),
    (Operation.NETWORK_CHECK, Effect.NETWORK_CHECK): (
        "Check the network",
        "Fills the task's network_check_info; its state does not change.",
    ),
    (Operation.SKIP, Effect.ACCEPT): ("Skip", NOTHING),
    (Operation.MIGRATION_TEST, Effect.ACCEPT): ("Migration test", NOTHING),
    (Operation.CLEAR, Effect.ACCEPT): ("Clear", NOTHING),
    (Operation.COLLECT_LOG, Effect.ACCEPT): ("Collect logs", NOTHING),
}


def operation_buttons(state: str) -> list[OperationButton]:
    """A button for each operation the lifecycle table allows in `state`, in the table's
    order (the service's own last), named and explained for the effect it has in `state`."""
    buttons: dict[str, OperationButton] = {}
    for rule in OPERATION_RULES:
        if state not in rule.allowed or rule.operation.value in buttons:
            continue
        label, explanation = EXPLAINED[(rule.operation, rule.effect)]
        buttons[rule.operation.value] = OperationButton(
            operation=rule.operation.value,
            label=label,
            explanation=explanation,
            changes_nothing=rule.effect is Effect.ACCEPT,
        )
    return sorted(buttons.values(), key=lambda b: Operation(b.operation) in SERVICE_OPERATIONS)


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


def _ms(value: Any) -> int | None:
    """A date or duration field the way the engine reads one: an int, else nothing."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def stopped_at(task: dict[str, Any]) -> int | None:
    """When a failed or paused task stopped, which the API does not say (the sub-task it
    stopped in keeps `end_date` null). The engine's `total_time` counts every unfinished
    sub-task up to that moment, so the moment follows from the sub-tasks' dates; None when
    they do not add up (a task put in with other figures)."""
    if task.get("state") not in FAILED_STATES | PAUSED_STATES:
        return None
    total = _ms(task.get("total_time"))
    if total is None:
        return None
    ended = 0
    open_starts: list[int] = []
    for entry in task.get("sub_tasks") or []:
        start = _ms(entry.get("start_date"))
        if start is None:
            continue
        end = _ms(entry.get("end_date"))
        if end is None:
            open_starts.append(start)
        else:
            ended += max(0, end - start)
    if not open_starts:
        return None
    at, remainder = divmod(total - ended + sum(open_starts), len(open_starts))
    return at if remainder == 0 and at >= max(open_starts) else None


# --- a task at a glance ----------------------------------------------------------------------


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
    operations: list[OperationButton]
    deletable: bool
    frozen: str  # why a task in a moving state does not move, in a few words, or ""
    frozen_detail: str  # the same in a sentence (README's "Live and frozen tasks")
    error_code: str  # its error_json's code, or ""
    error_message: str  # its error_json's message, cut to SHORT_MESSAGE characters
    error_full: str  # the whole message, for the cell's title


def frozen_reason(task: dict[str, Any], live: bool | None) -> tuple[str, str]:
    """Why a task in a moving state (RUNNING, SYNCING, ...) never moves, in a few words and in
    a sentence: it was put in at rest and the clock has nothing to run (README's "Live and
    frozen tasks"); ("", "") for any other task."""
    state = str(task.get("state") or "")
    if live is not False or state not in BUSY_STATES:
        return "", ""
    sub_tasks = task.get("sub_tasks") or []
    if state in (TaskState.RUNNING, TaskState.SYNCING, TaskState.ABORTING) and all(
        s.get("end_date") is not None for s in sub_tasks
    ):
        short = "every sub-task ended"
        why = "every sub-task has ended, so the clock has nothing to run"
    else:
        short = f"put in as {state}"
        why = f"it was put in as {state}, which the emulator moves only in a run it started"
    return short, f"Frozen: {why}; it stays as loaded until an operation acts on it."


def task_view(
    project_id: str, project_name: str, task: dict[str, Any], live: bool | None = None
) -> TaskView:
    """A task's row and facts; `live` is whether the clock moves it (None: not known)."""
    sub_tasks = list(task.get("sub_tasks") or [])
    index = current_index(sub_tasks)
    state = str(task.get("state") or "")
    if index is not None:
        current, progress = str(sub_tasks[index].get("name") or ""), sub_tasks[index]["progress"]
    else:
        current, progress = "", 100 if sub_tasks else 0
    frozen, frozen_detail = frozen_reason(task, live)
    error = readable_error(task.get("error_json")) or {"code": "", "message": ""}
    message = error["message"]
    short = message if len(message) <= SHORT_MESSAGE else message[: SHORT_MESSAGE - 1] + "…"
    return TaskView(
        project_id=project_id,
        project_name=project_name,
        id=str(task.get("id")),
        name=str(task.get("name") or ""),
        type=str(task.get("type") or ""),
        state=state,
        current=current,
        progress=int(progress or 0),
        operations=operation_buttons(state),
        deletable=state not in UNDELETABLE_STATES,
        frozen=frozen,
        frozen_detail=frozen_detail,
        error_code=error["code"],
        error_message=short,
        error_full=message,
    )


# --- the timeline --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    """One sub-task on the task's timeline: where it sits, in percent of the whole span."""

    name: str
    phase: str
    progress: int
    start: str
    end: str  # its end_date, or for the sub-task a task failed or paused in, when it stopped
    took: str  # how long it ran (so far, while it runs), or ""
    left: float
    width: float
    status: str  # done, running, failed, paused, interrupted, waiting


@dataclass(frozen=True)
class Tick:
    """A clock time on the timeline's axis, `left` percent along it."""

    left: float
    label: str
    when: str  # ISO-8601
    anchor: str  # the label's SVG text-anchor: start, middle or end


@dataclass(frozen=True)
class Timeline:
    bars: list[Bar]
    ticks: list[Tick]
    begin: str  # the axis's ends, ISO-8601; "" when nothing started
    end: str


# Tick steps, in seconds: the first that puts at most MAX_TICKS ticks on the span.
TICK_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1_800, 3_600, 7_200, 10_800,
              21_600, 43_200, 86_400, 172_800, 604_800, 2_592_000, 7_776_000,
              31_536_000)  # fmt: skip
MAX_TICKS = 5


def _utc(ms: int) -> datetime | None:
    try:
        return datetime.fromtimestamp(ms / 1000, tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None


def time_axis(begin_ms: int, finish_ms: int) -> list[Tick]:
    """Clock times (UTC) at round steps from `begin_ms` to `finish_ms`, each placed as the
    bars are: an hour-long run gets 15-minute ticks, three days get daily ones. A tick's date
    is written where the day changes (and on the first), its seconds only when steps are."""
    span = finish_ms - begin_ms
    if span <= 0:
        return []
    wanted = span / 1000 / MAX_TICKS
    step_s = next((s for s in TICK_STEPS if s >= wanted), None)
    if step_s is None:  # longer than the largest step allows: whole years
        step_s = math.ceil(wanted / TICK_STEPS[-1]) * TICK_STEPS[-1]
    step = step_s * 1000
    ticks: list[Tick] = []
    last_day = None
    at = -(-begin_ms // step) * step
    while at <= finish_ms:
        moment = _utc(at)
        if moment is None:
            break
        day = moment.date()
        if step_s >= 86_400:
            label = moment.strftime("%Y-%m-%d" if step_s >= 2_592_000 else "%b %d")
        else:
            label = moment.strftime("%H:%M:%S" if step_s < 60 else "%H:%M")
            if day != last_day:
                label = f"{moment.strftime('%b %d')} {label}"
        last_day = day
        left = round((at - begin_ms) * 100 / span, 2)
        anchor = "start" if left < 8 else "end" if left > 92 else "middle"
        ticks.append(Tick(left, label, iso_ms(at), anchor))
        at += step
    return ticks


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


def timeline(task: dict[str, Any], now_ms: int) -> Timeline:
    """A bar per sub-task, on the task's clock: from its first start to its last end (or now,
    while something still runs), under an axis of clock times."""
    sub_tasks = list(task.get("sub_tasks") or [])
    index = current_index(sub_tasks)
    state = str(task.get("state") or "")
    starts = [s["start_date"] for s in sub_tasks if s.get("start_date") is not None]
    if not starts:
        return Timeline([_waiting_bar(s) for s in sub_tasks], [], "", "")
    begin = min(starts)
    moving = state.endswith("ING")
    stopped = stopped_at(task)
    ends = [s["end_date"] for s in sub_tasks if s.get("end_date") is not None]
    ended = [] if stopped is None else [stopped]
    finish = max([*ends, *starts, *ended, now_ms if moving else begin])
    span = max(finish - begin, 1)
    bars = []
    for i, entry in enumerate(sub_tasks):
        start_ms = entry.get("start_date")
        if start_ms is None:
            bars.append(_waiting_bar(entry))
            continue
        status = _status(entry, i == index, state)
        end_ms = entry.get("end_date")
        if end_ms is None and status in ("failed", "paused"):
            end_ms = stopped
        shown_end = end_ms if end_ms is not None else (now_ms if status == "running" else start_ms)
        shown_end = min(max(shown_end, start_ms), finish)
        width = max(round((shown_end - start_ms) * 100 / span, 2), MIN_WIDTH[status])
        left = min(round((start_ms - begin) * 100 / span, 2), 100 - width)  # inside the track
        ran = end_ms if end_ms is not None else (now_ms if status == "running" else None)
        bars.append(
            Bar(
                name=str(entry.get("name") or ""),
                phase=str(entry.get("user_op") or ""),
                progress=int(entry.get("progress") or 0),
                start=shown_time(start_ms),
                end=shown_time(end_ms) if end_ms is not None else "",
                took=duration_text(ran - start_ms) if ran is not None else "",
                left=left,
                width=width,
                status=status,
            )
        )
    return Timeline(bars, time_axis(begin, finish), shown_time(begin), shown_time(finish))


def _waiting_bar(entry: dict[str, Any]) -> Bar:
    return Bar(
        name=str(entry.get("name") or ""),
        phase=str(entry.get("user_op") or ""),
        progress=int(entry.get("progress") or 0),
        start="",
        end="",
        took="",
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
