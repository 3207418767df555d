"""The lifecycle engine: moves a task along the tables of `lifecycle.py`, lazily, from the clock.

No thread runs tasks forward. A task is settled when it is read or acted on: every sub-task
whose end (or whose fault) lies at or before the clock's now is finished (or fails) at that
exact instant, so identical clocks give identical answers however often a task is read.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from sms_mock.contracts.enums import CloneState, Operation, TaskState
from sms_mock.mock_server.core.ids import new_id
from sms_mock.mock_server.sms import errors
from sms_mock.mock_server.sms.faults import TaskFault, TaskFaultBook
from sms_mock.mock_server.sms.lifecycle import (
    AUTO_START_AFTER_S,
    CLONE_CREATING_FROM_PROGRESS,
    DATA_FRACTION,
    DEFAULT_SPEED_MBIT_S,
    DURATIONS_S,
    LOG_COLLECT_STEPS,
    PHASE_OUTCOMES,
    TIMED_STATES,
    Effect,
    PhaseKind,
    Rule,
    SourceEvent,
    log_pending,
    phase_kind,
    phase_plan,
    rule_for,
    source_state,
    wrong_state_row,
)
from sms_mock.mock_server.sms.speed_limits import Pace, windows_of
from sms_mock.mock_server.sms.task_models import Run, Task, Timer, data_bytes, grow, put

LIVE_ON_ADOPTION = frozenset({TaskState.RUNNING, TaskState.SYNCING, TaskState.ABORTING})


class LifecycleEngine:
    """Settles tasks and applies operations; holds no task state of its own."""

    def __init__(
        self,
        faults: TaskFaultBook,
        next_subtask_id: Callable[[], int],
        durations: dict[str, float] | None = None,
    ) -> None:
        self.faults = faults
        self.next_subtask_id = next_subtask_id
        self.durations = dict(durations or {})

    # --- time ------------------------------------------------------------------------------

    def speed_mbit_s(self, task: Task) -> float:
        limit = task.doc.get("speed_limit") or 0
        return min(limit, DEFAULT_SPEED_MBIT_S) if limit > 0 else DEFAULT_SPEED_MBIT_S

    def pace(self, task: Task, subtask: str) -> Pace | None:
        """How a data sub-task moves under the task's speed-limit windows; None: at full speed
        all along (no window, or not a data sub-task)."""
        windows = windows_of((task.settings or {}).get("speed_limit"))
        if not windows or subtask not in DATA_FRACTION:
            return None
        return Pace(windows, self.speed_mbit_s(task))

    def _when(self, task: Task, subtask: str, start: int, needed_ms: float) -> int:
        """The instant `needed_ms` of full-speed work, begun at `start`, is done."""
        pace = self.pace(task, subtask)
        return start + math.ceil(needed_ms) if pace is None else pace.when(start, needed_ms)

    def _work(self, task: Task, subtask: str, start: int, stop: int) -> float:
        """The milliseconds of full-speed work done between `start` and `stop`."""
        pace = self.pace(task, subtask)
        return stop - start if pace is None else pace.work(start, stop)

    def duration_ms(self, task: Task, subtask: str) -> int:
        seconds = task.durations.get(subtask, self.durations.get(subtask))
        if seconds is None:
            fraction = DATA_FRACTION.get(subtask)  # type: ignore[call-overload]
            if fraction is None:
                seconds = DURATIONS_S.get(subtask, 0)  # type: ignore[call-overload]
            else:
                seconds = data_bytes(task.doc) * fraction * 8 / (self.speed_mbit_s(task) * 1e6)
        return max(0, round(seconds * 1000))

    # --- settling --------------------------------------------------------------------------

    def settle(self, task: Task, now: int) -> None:
        """Bring a live task up to `now`."""
        if log_pending(task.settings):
            self._settle_log(task, now)
        timer = task.timer
        if timer is not None:
            if now < timer.until:
                return
            task.timer = None
            task.touch()
            if timer.then is TaskState.RUNNING:  # an auto_start task: its agent starts it
                self._start_phase(task, PhaseKind.REPLICATE, timer.until)
                self._advance(task, now)
            else:
                self._set_state(task, timer.then)
            return
        if task.run is not None:
            self._advance(task, now)

    @staticmethod
    def agent_driven(task: Task) -> bool:
        return bool((task.settings or {}).get("agent_driven"))

    def _advance(self, task: Task, now: int) -> None:
        run = task.run
        assert run is not None
        entries = task.doc["sub_tasks"]
        if self.agent_driven(task):
            # Its agent's progress reports move it (agent_report), never the clock.
            if run.pending:
                self._refresh(task, now)
            return
        while run.pending:
            index = run.pending[0]
            entry = entries[index]
            duration = self.duration_ms(task, entry["name"])
            end = self._when(task, entry["name"], run.t0, duration * (100 - run.p0) / 100)
            fault, fires_at = self._next_fault(task, run, index, duration)
            if fault is not None and fires_at <= now and fires_at <= end:
                self._fire(task, run, index, fault, fires_at)
                return
            if end > now:
                done = self._work(task, entry["name"], run.t0, now)
                put(task, entry, "progress", min(99, int(run.p0 + 100 * done / duration)))
                self._refresh(task, now)
                return
            put(task, entry, "progress", 100)
            put(task, entry, "end_date", end)
            put(task, entry, "migrate_speed", self._entry_speed(task, entry, end))
            run.pending.pop(0)
            run.t0, run.p0 = end, 0
            if run.pending:
                following = entries[run.pending[0]]
                if following.get("start_date") is None:
                    put(task, following, "start_date", end)
                run.p0 = following.get("progress") or 0
            task.touch()
        self._finish_phase(task, run, run.t0)

    def _next_fault(
        self, task: Task, run: Run, index: int, duration: int
    ) -> tuple[TaskFault | None, int]:
        entry = task.doc["sub_tasks"][index]
        occurrence = 1 + sum(
            1 for e in task.doc["sub_tasks"][:index] if e.get("name") == entry["name"]
        )
        best: TaskFault | None = None
        best_at = 0
        for fault in self.faults.for_task(task.project_id, task.id):
            if fault.at_progress < run.p0 or not fault.matches(
                entry["name"], run.phase, occurrence
            ):
                continue
            at = self._when(
                task, entry["name"], run.t0, duration * (fault.at_progress - run.p0) / 100
            )
            if best is None or at < best_at:
                best, best_at = fault, at
        return best, best_at

    def _fire(self, task: Task, run: Run, index: int, fault: TaskFault, at: int) -> None:
        self.faults.fire(fault)
        entry = task.doc["sub_tasks"][index]
        put(task, entry, "progress", fault.at_progress)
        put(task, entry, "end_date", None)
        doc = task.doc
        task.run = None
        if fault.pauses:
            self._set_state(task, TaskState.ABORT)
            self._set_source(task, SourceEvent.STOPPED, run.kind)
        else:
            self._set_state(task, PHASE_OUTCOMES[run.kind].failure)
            put(task, doc, "error_json", fault.error_text())
            self._set_source(task, SourceEvent.FAILED, run.kind)
            if run.kind is PhaseKind.CLONE:
                self._set_clone_state(task, CloneState.ERROR)
        self._rest_fields(task, at)
        put(task, doc, "subtask_info", f"{entry['name']}:{entry['progress']}%")  # where it stopped
        task.touch()

    def _finish_phase(self, task: Task, run: Run, at: int) -> None:
        task.run = None
        self._set_state(task, PHASE_OUTCOMES[run.kind].success)
        put(task, task.doc, "finish_date", at)
        put(task, task.doc, "estimate_complete_time", at)
        self._set_source(task, SourceEvent.SUCCEEDED, run.kind)
        if run.kind is PhaseKind.CLONE:
            self._set_clone_state(task, CloneState.FINISHED)
        self._rest_fields(task, at)
        task.touch()

    def _refresh(self, task: Task, now: int) -> None:
        """The fields that follow from a running phase's position at `now`."""
        run = task.run
        assert run is not None
        entries = task.doc["sub_tasks"]
        current = entries[run.pending[0]]
        duration = self.duration_ms(task, current["name"])
        finish = self._when(task, current["name"], run.t0, duration * (100 - run.p0) / 100)
        for following in run.pending[1:]:
            name = entries[following]["name"]
            finish = self._when(task, name, finish, self.duration_ms(task, name))
        remaining = max(0, finish - now)
        speed = self._entry_speed(task, current, now)
        put(task, current, "migrate_speed", speed)
        doc = task.doc
        put(task, doc, "remain_seconds", math.ceil(remaining / 1000))
        put(task, doc, "estimate_complete_time", now + remaining)
        put(task, doc, "migrate_speed", speed or 0)
        put(task, doc, "total_time", self._total_time(entries, now))
        put(task, doc, "subtask_info", f"{current['name']}:{current['progress']}%")
        if run.kind is PhaseKind.CLONE:
            creating = current["progress"] >= CLONE_CREATING_FROM_PROGRESS
            self._set_clone_state(task, CloneState.CREATING if creating else CloneState.PREPARING)

    def _rest_fields(self, task: Task, at: int) -> None:
        doc = task.doc
        put(task, doc, "remain_seconds", 0)
        put(task, doc, "migrate_speed", 0)
        put(task, doc, "total_time", self._total_time(doc["sub_tasks"], at))
        put(task, doc, "subtask_info", None)

    def _entry_speed(self, task: Task, entry: dict[str, Any], at: int) -> float | None:
        """A data sub-task's speed at `at`: never above the limit in force then."""
        if entry.get("name") not in DATA_FRACTION:
            return None
        pace = self.pace(task, entry["name"])
        base = self.speed_mbit_s(task)
        return base if pace is None else base * pace.rate(at)

    @staticmethod
    def _total_time(entries: list[dict[str, Any]], now: int) -> int:
        total = 0
        for entry in entries:
            start = entry.get("start_date")
            if isinstance(start, int):
                end = entry.get("end_date")
                total += max(0, (end if isinstance(end, int) else now) - start)
        return total

    # --- adoption of put-in documents --------------------------------------------------------

    def adopt(self, task: Task, now: int) -> None:
        """Make a put-in task live where README's "The lifecycle" says so; else keep it as given."""
        entries = task.doc.get("sub_tasks") or []
        if task.state not in LIVE_ON_ADOPTION:
            return
        unfinished = [i for i, e in enumerate(entries) if e.get("end_date") is None]
        if not unfinished:
            return
        if task.state == TaskState.ABORTING:
            then, seconds = TIMED_STATES[TaskState.ABORTING]
            task.timer = Timer(until=now + round(seconds * 1000), then=then)
            return
        first = entries[unfinished[0]]
        phase = first.get("user_op")
        kind = phase_kind(phase) or (
            PhaseKind.RESYNC if task.state == TaskState.SYNCING else PhaseKind.REPLICATE
        )
        self._resume_phase(task, phase or kind.value, kind, now)

    # --- operations --------------------------------------------------------------------------

    @staticmethod
    def _settle_log(task: Task, now: int) -> None:
        """A log collection moves through its statuses on the clock (LOG_COLLECT_STEPS).

        The status the document holds is kept with the setting, so that a read finds out
        whether it moved without decoding a packed task, and a finished one costs nothing.
        """
        log = task.settings["log"]  # type: ignore[index]
        status = next(
            name
            for name, after in reversed(LOG_COLLECT_STEPS)
            if now >= log["asked_ms"] + after * 1000
        )
        if log.get("status") != status:
            put(task, log, "status", status)
            put(task, task.doc, "log_collect_status", status)
            task.touch()

    def collect_log(self, task: Task, now: int, bucket: str | None) -> None:
        """Ask the agent for the task's logs: accepted in any state, moving on the clock."""
        first = LOG_COLLECT_STEPS[0][0]
        log = {"asked_ms": now, "bucket": bucket, "status": first}
        task.settings = {**(task.settings or {}), "log": log}
        put(task, task.doc, "log_collect_status", first)
        task.touch()

    def agent_report(self, task: Task, report: dict[str, Any], now: int) -> None:
        """An agent-driven task's progress report: its running sub-task moves to the reported
        progress (never back); at 100 it ends and the next starts at 0, the last ends the phase.
        A report for another sub-task, or on a task that is not running, is only recorded."""
        run = task.run
        if not self.agent_driven(task) or run is None or not run.pending:
            return
        entries = task.doc["sub_tasks"]
        entry = entries[run.pending[0]]
        if entry["name"] != report["subtask_name"]:
            return
        put(task, entry, "process_trace", report["process_trace"])
        put(task, entry, "progress", max(entry.get("progress") or 0, report["progress"]))
        task.touch()
        if entry["progress"] < 100:
            self._refresh(task, now)
            return
        put(task, entry, "end_date", now)
        put(
            task,
            entry,
            "migrate_speed",
            report.get("migrate_speed", self._entry_speed(task, entry, now)),
        )
        run.pending.pop(0)
        if not run.pending:
            self._finish_phase(task, run, now)
            return
        following = entries[run.pending[0]]
        if following.get("start_date") is None:
            put(task, following, "start_date", now)
        run.t0, run.p0 = now, following.get("progress") or 0
        self._refresh(task, now)

    def agent_stopped(self, task: Task, now: int) -> None:
        """The agent's STOP result: a stopping task is stopped now, not 2 s of clock later."""
        if task.state == TaskState.ABORTING and task.timer is not None:
            task.timer = Timer(until=now, then=task.timer.then)
            self.settle(task, now)

    def schedule_auto_start(self, task: Task, now: int) -> None:
        """A READY task that starts by itself, AUTO_START_AFTER_S of clock from now."""
        task.timer = Timer(until=now + round(AUTO_START_AFTER_S * 1000), then=TaskState.RUNNING)
        task.touch()

    @staticmethod
    def rule(task: Task, operation: Operation) -> Rule:
        """The lifecycle rule that lets `operation` act on the task now, or its wrong-state
        error; nothing is changed."""
        rule = rule_for(operation, task.state)
        if rule is None:
            raise errors.wrong_state(wrong_state_row(operation), operation.value, task.state)
        return rule

    def apply(self, task: Task, rule: Rule, fields: dict[str, Any], now: int) -> None:
        """Do what an allowed operation does (its rule, from `rule`); the task is settled."""
        self._effects[rule.effect](self, task, now, fields)
        task.touch()

    def _new_replicate(self, task: Task, now: int, fields: dict[str, Any]) -> None:
        self._start_phase(task, PhaseKind.REPLICATE, now)

    def _new_resync(self, task: Task, now: int, fields: dict[str, Any]) -> None:
        self._start_phase(task, PhaseKind.RESYNC, now)

    def _new_cutover(self, task: Task, now: int, fields: dict[str, Any]) -> None:
        self._start_phase(task, PhaseKind.CUTOVER, now)

    def _new_clone(self, task: Task, now: int, fields: dict[str, Any]) -> None:
        target = task.doc.get("target_server") or {}
        put(
            task,
            task.doc,
            "clone_server",
            {
                "vm_id": new_id(),
                "name": f"{target.get('name') or 'target'}-clone",
                "clone_error": None,
                "clone_state": CloneState.PREPARING.value,
                "error_msg": None,
            },
        )
        self._start_phase(task, PhaseKind.CLONE, now)

    def _resume(self, task: Task, now: int, fields: dict[str, Any]) -> None:
        phase, kind = self._interrupted_phase(task)
        if phase is None:
            self._start_phase(task, kind, now)
        else:
            self._resume_phase(task, phase, kind, now)

    def _restart(self, task: Task, now: int, fields: dict[str, Any]) -> None:
        phase, kind = self._interrupted_phase(task)
        self._start_phase(task, kind, now, name=phase)

    def _stop(self, task: Task, now: int, fields: dict[str, Any]) -> None:
        self._halt(task, now)
        then, seconds = TIMED_STATES[TaskState.ABORTING]
        self._set_state(task, TaskState.ABORTING)
        task.timer = Timer(until=now + round(seconds * 1000), then=then)

    def _pause(self, task: Task, now: int, fields: dict[str, Any]) -> None:
        self._halt(task, now)
        self._set_state(task, TaskState.ABORT)

    def _rollback(self, task: Task, now: int, fields: dict[str, Any]) -> None:
        then, seconds = TIMED_STATES[TaskState.SYNC_F_ROLLBACKING]
        self._set_state(task, TaskState.SYNC_F_ROLLBACKING)
        task.timer = Timer(until=now + round(seconds * 1000), then=then)

    def _network_check(self, task: Task, now: int, fields: dict[str, Any]) -> None:
        put(
            task,
            task.doc,
            "network_check_info",
            {
                "domain_connectivity": True,
                "destination_connectivity": True,
                "network_delay": 2.5,
                "network_jitter": 0.3,
                "migration_speed": float(self.speed_mbit_s(task)),
                "loss_percentage": 0.0,
                "cpu_usage": 12.5,
                "mem_usage": 31.0,
                "evaluation_result": "GOOD",
            },
        )

    def _accept(self, task: Task, now: int, fields: dict[str, Any]) -> None:
        """Accepted and journaled; the task does not change."""

    _effects: dict[Effect, Callable[[LifecycleEngine, Task, int, dict[str, Any]], None]] = {
        Effect.NEW_REPLICATE: _new_replicate,
        Effect.RESUME: _resume,
        Effect.RESTART_PHASE: _restart,
        Effect.NEW_RESYNC: _new_resync,
        Effect.NEW_CUTOVER: _new_cutover,
        Effect.NEW_CLONE: _new_clone,
        Effect.STOP: _stop,
        Effect.PAUSE: _pause,
        Effect.ROLLBACK: _rollback,
        Effect.NETWORK_CHECK: _network_check,
        Effect.ACCEPT: _accept,
    }

    # --- phases ------------------------------------------------------------------------------

    def _interrupted_phase(self, task: Task) -> tuple[str | None, PhaseKind]:
        """The phase of the last sub-task entry, which a resume or restart acts on."""
        entries = task.doc.get("sub_tasks") or []
        fallback = PhaseKind.RESYNC if task.state == TaskState.SYNC_FAIL else PhaseKind.REPLICATE
        if not entries:
            return None, fallback
        phase = entries[-1].get("user_op")
        return phase or fallback.value, phase_kind(phase) or fallback

    def _plan(self, task: Task, kind: PhaseKind) -> tuple[str, ...]:
        doc = task.doc
        return phase_plan(
            kind, doc.get("os_type"), doc.get("type"), bool(doc.get("vm_template_id"))
        )

    @staticmethod
    def _entries(task: Task) -> list[dict[str, Any]]:
        """The task's sub-task entries; an empty list put in where it has none (a task put in
        may say `"sub_tasks": null`, as the rest of the engine reads it: none yet)."""
        doc = task.doc
        if doc.get("sub_tasks") is None:
            put(task, doc, "sub_tasks", [])
        return doc["sub_tasks"]

    def _new_entry(self, task: Task, name: str, phase: str) -> dict[str, Any]:
        return {
            "id": self.next_subtask_id(),
            "name": name,
            "progress": 0,
            "start_date": None,
            "end_date": None,
            "migrate_speed": None,
            "user_op": phase,
            "process_trace": None,
        }

    def _start_phase(self, task: Task, kind: PhaseKind, now: int, name: str | None = None) -> None:
        entries = self._entries(task)
        if name is None:
            if PHASE_OUTCOMES[kind].numbered:
                seen = {e.get("user_op") for e in entries if phase_kind(e.get("user_op")) is kind}
                name = f"{kind.value}{len(seen)}"
            else:
                name = kind.value
        first = len(entries)
        grow(task, entries, [self._new_entry(task, sub, name) for sub in self._plan(task, kind)])
        self._run(task, Run(name, kind, list(range(first, len(entries))), now, 0), now)

    def _resume_phase(self, task: Task, phase: str, kind: PhaseKind, now: int) -> None:
        entries = self._entries(task)
        own = [i for i, e in enumerate(entries) if (e.get("user_op") or kind.value) == phase]
        # A document may list only the sub-tasks reached so far: add the rest of the plan.
        plan = self._plan(task, kind)
        last_name = entries[own[-1]].get("name") if own else None
        if last_name in plan:
            start = len(entries)
            rest = plan[plan.index(last_name) + 1 :]
            grow(task, entries, [self._new_entry(task, sub, phase) for sub in rest])
            own.extend(range(start, len(entries)))
        pending = [i for i in own if entries[i].get("end_date") is None]
        p0 = entries[pending[0]].get("progress") or 0 if pending else 0
        self._run(task, Run(phase, kind, pending, now, p0), now)

    def _run(self, task: Task, run: Run, now: int) -> None:
        doc = task.doc
        task.timer = None
        task.run = run
        self._set_state(task, PHASE_OUTCOMES[run.kind].running)
        put(task, doc, "error_json", "")
        if doc.get("start_date") is None:
            put(task, doc, "start_date", now)
        self._set_source(task, SourceEvent.RUNNING, run.kind)
        if run.pending:
            first = doc["sub_tasks"][run.pending[0]]
            if first.get("start_date") is None:
                put(task, first, "start_date", now)
        self._advance(task, now)

    def _halt(self, task: Task, now: int) -> None:
        """Stop a running phase where it is: entries keep their progress, unfinished."""
        self._set_source(task, SourceEvent.STOPPED, task.run.kind if task.run else None)
        task.run = None
        self._rest_fields(task, now)

    def rebase(self, task: Task, now: int) -> None:
        """Restart the running entry's clock at `now`: a fault added now never fires in the past."""
        run = task.run
        if run is None or not run.pending:
            return
        entry = task.doc["sub_tasks"][run.pending[0]]
        duration = self.duration_ms(task, entry["name"])
        if duration > 0:
            done = self._work(task, entry["name"], run.t0, now)
            run.p0 = min(100.0, run.p0 + 100 * done / duration)
        run.t0 = now

    # --- small setters ---------------------------------------------------------------------

    @staticmethod
    def _set_state(task: Task, state: TaskState) -> None:
        put(task, task.doc, "state", state.value)

    @staticmethod
    def _set_source(task: Task, event: SourceEvent, kind: PhaseKind | None) -> None:
        source = task.doc.get("source_server")
        if isinstance(source, dict):
            state, cycle = source_state(event, kind)
            put(task, source, "state", state)
            if cycle is not None:
                put(task, source, "migration_cycle", cycle)

    @staticmethod
    def _set_clone_state(task: Task, state: CloneState) -> None:
        clone = task.doc.get("clone_server")
        if isinstance(clone, dict):
            put(task, clone, "clone_state", state.value)
            if state is CloneState.ERROR:
                put(task, clone, "clone_error", "CLONE_VM failed")
