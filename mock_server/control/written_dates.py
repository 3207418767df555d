"""Dates a file wrote against one instant (its `clock.now_ms`), moved onto the emulator's clock
when it is loaded: a scenario's, and a fixture file's at every start and reset.

Every date moves by the same amount, so a running sub-task's start still agrees with its
progress, a finished one took as long as written, and a failure is as old as it was.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from sms_mock.contracts.fields import INT64_MAX, INT64_MIN

# The date fields (epoch ms) of a task, at the top and in each sub-task, and of a source.
TASK_DATES = ("create_date", "start_date", "finish_date", "estimate_complete_time")
SUBTASK_DATES = ("start_date", "end_date")
SOURCE_DATES = ("add_date", "last_visit_time", "stage_action_time", "state_action_time")


def shift_to(written_ms: int | None, now_ms: int) -> int:
    """How far a file's dates move: none without a `clock.now_ms`, they stay as written."""
    return 0 if written_ms is None else now_ms - written_ms


def _move(holder: dict[str, Any], keys: tuple[str, ...], shift: int) -> None:
    for key in keys:
        value = holder.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            # Within int64 still: a date near its end, shifted, would make every later read of
            # the document fail its contract.
            holder[key] = min(max(value + shift, INT64_MIN), INT64_MAX)


def move_task_dates(doc: dict[str, Any], shift: int) -> None:
    """Move a task document's dates, its sub-tasks' too, in place."""
    _move(doc, TASK_DATES, shift)
    for entry in doc.get("sub_tasks") or []:
        if isinstance(entry, dict):
            _move(entry, SUBTASK_DATES, shift)


def move_source_dates(doc: dict[str, Any], shift: int) -> None:
    """Move a source document's dates in place."""
    _move(doc, SOURCE_DATES, shift)


def on_clock(
    doc: dict[str, Any],
    written_ms: int | None,
    now_ms: int,
    move: Callable[[dict[str, Any], int], None],
) -> dict[str, Any]:
    """`doc` with its dates on the clock by `move` (`move_task_dates`, `move_source_dates`): a
    moved copy, or the document itself when nothing moves (a fixture's own stays as read)."""
    shift = shift_to(written_ms, now_ms)
    if not shift:
        return doc
    moved = copy.deepcopy(doc)
    move(moved, shift)
    return moved
