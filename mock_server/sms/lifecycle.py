"""The task lifecycle as data: phases, their sub-tasks, the operations table, durations.

The real service does not publish its state machine. This is the emulator's model (README,
"The lifecycle"), built from Huawei's page on starting a migration task, the documented state
and sub-task names, the wrong-state rows of the current error table and the `user_op` sequence of
that page's example (REPLICATE, CUTOVER0, RESYNC0, CUTOVER1, RESYNC1). The engine
(`engine.py`) only reads these tables; README prints them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sms_mock.contracts import error_codes as codes
from sms_mock.contracts.enums import Operation, OsType, SubtaskName, TaskState, TaskType
from sms_mock.contracts.error_codes import ErrorCode
from sms_mock.contracts.snapshot import LOG_STATUSES


class PhaseKind(StrEnum):
    """A phase's kind; its name is the kind, numbered from 0 per task except REPLICATE."""

    REPLICATE = "REPLICATE"
    CUTOVER = "CUTOVER"
    RESYNC = "RESYNC"
    CLONE = "CLONE"


@dataclass(frozen=True)
class PhaseOutcome:
    running: TaskState
    success: TaskState
    failure: TaskState
    numbered: bool


PHASE_OUTCOMES: dict[PhaseKind, PhaseOutcome] = {
    PhaseKind.REPLICATE: PhaseOutcome(
        TaskState.RUNNING, TaskState.MIGRATE_SUCCESS, TaskState.MIGRATE_FAIL, False
    ),
    PhaseKind.CUTOVER: PhaseOutcome(
        TaskState.RUNNING, TaskState.MIGRATE_SUCCESS, TaskState.MIGRATE_FAIL, True
    ),
    PhaseKind.RESYNC: PhaseOutcome(
        TaskState.SYNCING, TaskState.SYNC_SUCCESS, TaskState.SYNC_FAIL, True
    ),
    PhaseKind.CLONE: PhaseOutcome(
        TaskState.RUNNING, TaskState.MIGRATE_SUCCESS, TaskState.MIGRATE_FAIL, True
    ),
}


class Flavour(StrEnum):
    """Which family of sub-task names a task uses: by OS, and for Linux by task type."""

    LINUX_FILE = "LINUX_FILE"
    LINUX_BLOCK = "LINUX_BLOCK"
    WINDOWS_BLOCK = "WINDOWS_BLOCK"


def flavour_of(os_type: str | None, task_type: str | None) -> Flavour:
    # Windows is always migrated block by block, whatever the task type says.
    if os_type == OsType.WINDOWS:
        return Flavour.WINDOWS_BLOCK
    return Flavour.LINUX_BLOCK if task_type == TaskType.MIGRATE_BLOCK else Flavour.LINUX_FILE


PHASE_PLANS: dict[tuple[PhaseKind, Flavour], tuple[SubtaskName, ...]] = {
    (PhaseKind.REPLICATE, Flavour.LINUX_FILE): (
        SubtaskName.SSL_CONFIG,
        SubtaskName.ATTACH_AGENT_IMAGE,
        SubtaskName.FORMAT_DISK_LINUX_FILE,
        SubtaskName.MIGRATE_LINUX_FILE,
    ),
    (PhaseKind.REPLICATE, Flavour.LINUX_BLOCK): (
        SubtaskName.SSL_CONFIG,
        SubtaskName.ATTACH_AGENT_IMAGE,
        SubtaskName.FORMAT_DISK_LINUX_BLOCK,
        SubtaskName.MIGRATE_LINUX_BLOCK,
    ),
    (PhaseKind.REPLICATE, Flavour.WINDOWS_BLOCK): (
        SubtaskName.SSL_CONFIG,
        SubtaskName.ATTACH_AGENT_IMAGE,
        SubtaskName.FORMAT_DISK_WINDOWS,
        SubtaskName.MIGRATE_WINDOWS_BLOCK,
    ),
    (PhaseKind.CUTOVER, Flavour.LINUX_FILE): (
        SubtaskName.CONFIGURE_LINUX_FILE,
        SubtaskName.DETTACH_AGENT_IMAGE,
    ),
    (PhaseKind.CUTOVER, Flavour.LINUX_BLOCK): (
        SubtaskName.CONFIGURE_LINUX_BLOCK,
        SubtaskName.DETTACH_AGENT_IMAGE,
    ),
    (PhaseKind.CUTOVER, Flavour.WINDOWS_BLOCK): (
        SubtaskName.CONFIGURE_WINDOWS,
        SubtaskName.DETTACH_AGENT_IMAGE,
    ),
    (PhaseKind.RESYNC, Flavour.LINUX_FILE): (
        SubtaskName.SSL_CONFIG,
        SubtaskName.ATTACH_AGENT_IMAGE,
        SubtaskName.SYNC_LINUX_FILE,
    ),
    (PhaseKind.RESYNC, Flavour.LINUX_BLOCK): (
        SubtaskName.SSL_CONFIG,
        SubtaskName.ATTACH_AGENT_IMAGE,
        SubtaskName.SYNC_LINUX_BLOCK,
    ),
    (PhaseKind.RESYNC, Flavour.WINDOWS_BLOCK): (
        SubtaskName.SSL_CONFIG,
        SubtaskName.ATTACH_AGENT_IMAGE,
        SubtaskName.SYNC_WINDOWS_BLOCK,
    ),
    (PhaseKind.CLONE, Flavour.LINUX_FILE): (SubtaskName.CLONE_VM,),
    (PhaseKind.CLONE, Flavour.LINUX_BLOCK): (SubtaskName.CLONE_VM,),
    (PhaseKind.CLONE, Flavour.WINDOWS_BLOCK): (SubtaskName.CLONE_VM,),
}

# CREATE_CLOUD_SERVER comes first in REPLICATE when the target is made from a template.
TEMPLATE_FIRST_SUBTASK = SubtaskName.CREATE_CLOUD_SERVER

# --- Time -------------------------------------------------------------------------------------

# Seconds per sub-task, from the seed's example; overridable per scenario and per task.
DURATIONS_S: dict[SubtaskName, float] = {
    SubtaskName.CREATE_CLOUD_SERVER: 60,
    SubtaskName.SSL_CONFIG: 4,
    SubtaskName.ATTACH_AGENT_IMAGE: 176,
    SubtaskName.FORMAT_DISK_LINUX: 3,
    SubtaskName.FORMAT_DISK_LINUX_FILE: 3,
    SubtaskName.FORMAT_DISK_LINUX_BLOCK: 3,
    SubtaskName.FORMAT_DISK_WINDOWS: 3,
    SubtaskName.CONFIGURE_LINUX: 111,
    SubtaskName.CONFIGURE_LINUX_FILE: 111,
    SubtaskName.CONFIGURE_LINUX_BLOCK: 111,
    SubtaskName.CONFIGURE_WINDOWS: 111,
    SubtaskName.DETTACH_AGENT_IMAGE: 74,
    SubtaskName.CLONE_VM: 120,
}

# Data sub-tasks take the target disks' used bytes divided by the speed; a sync moves a tenth.
DATA_FRACTION: dict[SubtaskName, float] = {
    SubtaskName.MIGRATE_LINUX_FILE: 1.0,
    SubtaskName.MIGRATE_LINUX_BLOCK: 1.0,
    SubtaskName.MIGRATE_WINDOWS_BLOCK: 1.0,
    SubtaskName.SYNC_LINUX_FILE: 0.1,
    SubtaskName.SYNC_LINUX_BLOCK: 0.1,
    SubtaskName.SYNC_WINDOWS_BLOCK: 0.1,
}

DEFAULT_SPEED_MBIT_S = 2500  # when the task's speed_limit is 0 (no limit)

# States that end by themselves after a while: (the state they become, seconds).
# INFERRED: a log collection (POST /v3/tasks/{id}/log) is INIT when asked for, UPLOADING from
# this many seconds of clock later, UPLOADED from the next: (status, from seconds after the ask).
LOG_COLLECT_STEPS = tuple(zip(LOG_STATUSES, (0, 1, 10), strict=True))


def log_pending(settings: dict[str, Any] | None) -> bool:
    """Whether a log collection was asked for and has not reached its last status yet."""
    log = (settings or {}).get("log")
    return log is not None and log.get("status") != LOG_COLLECT_STEPS[-1][0]


# INFERRED: a task created with `auto_start` is READY in the create's answer (Terraform's
# acceptance test reads it so) and starts at the agent's next poll, this much clock later.
AUTO_START_AFTER_S = 5

TIMED_STATES: dict[TaskState, tuple[TaskState, float]] = {
    TaskState.ABORTING: (TaskState.ABORT, 2),
    TaskState.SYNC_F_ROLLBACKING: (TaskState.SYNC_F_ROLLBACK_SUCCESS, 30),
}

# --- Operations -------------------------------------------------------------------------------


class Effect(StrEnum):
    """What an allowed operation does; `engine.py` implements each one."""

    NEW_REPLICATE = "a new REPLICATE from its first sub-task"
    RESUME = "the interrupted phase resumes from its first unfinished sub-task, same entries"
    RESTART_PHASE = "the interrupted phase again from its first sub-task, fresh entries"
    NEW_RESYNC = "a new RESYNCn"
    NEW_CUTOVER = "a new CUTOVERn"
    NEW_CLONE = "a new CLONEn running CLONE_VM"
    STOP = "ABORTING, then ABORT"
    PAUSE = "ABORT at once"
    ROLLBACK = "SYNC_F_ROLLBACKING, then SYNC_F_ROLLBACK_SUCCESS"
    NETWORK_CHECK = "accepted; fills network_check_info"
    ACCEPT = "accepted, no change"


# The states that are still moving (their names end in -ING).
BUSY_STATES = frozenset(state for state in TaskState if state.endswith("ING"))
NOT_BUSY = frozenset(TaskState) - BUSY_STATES
AFTER_SUCCESS = frozenset({TaskState.MIGRATE_SUCCESS, TaskState.SYNC_SUCCESS})


@dataclass(frozen=True)
class Rule:
    operation: Operation
    allowed: frozenset[TaskState]
    effect: Effect


OPERATION_RULES: tuple[Rule, ...] = (
    Rule(Operation.START, frozenset({TaskState.READY}), Effect.NEW_REPLICATE),
    Rule(
        Operation.START,
        frozenset({TaskState.ABORT, TaskState.MIGRATE_FAIL, TaskState.SYNC_FAIL}),
        Effect.RESUME,
    ),
    Rule(
        Operation.START,
        frozenset(
            {TaskState.MIGRATE_SUCCESS, TaskState.SYNC_SUCCESS, TaskState.SYNC_F_ROLLBACK_SUCCESS}
        ),
        Effect.NEW_RESYNC,
    ),
    Rule(Operation.STOP, frozenset({TaskState.RUNNING, TaskState.SYNCING}), Effect.STOP),
    Rule(
        Operation.RESTART,
        frozenset({TaskState.MIGRATE_FAIL, TaskState.SYNC_FAIL, TaskState.ABORT}),
        Effect.RESTART_PHASE,
    ),
    Rule(Operation.TEST, AFTER_SUCCESS, Effect.NEW_CUTOVER),
    Rule(Operation.CUTOVER, AFTER_SUCCESS, Effect.NEW_CUTOVER),
    Rule(Operation.CLONE_TEST, AFTER_SUCCESS, Effect.NEW_CLONE),
    Rule(Operation.SYNC_FAILED_ROLLBACK, frozenset({TaskState.SYNC_FAIL}), Effect.ROLLBACK),
    # The service sends this one itself when a task goes over its speed threshold: it pauses.
    Rule(
        Operation.ERROR_FOR_OVERSPEED,
        frozenset({TaskState.RUNNING, TaskState.SYNCING}),
        Effect.PAUSE,
    ),
    Rule(Operation.NETWORK_CHECK, NOT_BUSY, Effect.NETWORK_CHECK),
    Rule(Operation.SKIP, NOT_BUSY, Effect.ACCEPT),
    Rule(Operation.MIGRATION_TEST, NOT_BUSY, Effect.ACCEPT),
    Rule(Operation.CLEAR, NOT_BUSY, Effect.ACCEPT),
    Rule(Operation.COLLECT_LOG, NOT_BUSY, Effect.ACCEPT),
)

# The error catalogue's row for each operation refused in a task's state (design 13): the
# reference table's row for the operation, SMS.9001 where it has none.
WRONG_STATE_ROWS: dict[Operation, ErrorCode] = {
    Operation.START: codes.START_WRONG_STATE,
    Operation.STOP: codes.PAUSE_WRONG_STATE,
    Operation.RESTART: codes.RESTART_WRONG_STATE,
    Operation.SYNC_FAILED_ROLLBACK: codes.ROLLBACK_WRONG_STATE,
    Operation.TEST: codes.TARGET_WRONG_STATE,
    Operation.CUTOVER: codes.TARGET_WRONG_STATE,
    Operation.CLONE_TEST: codes.TARGET_WRONG_STATE,
}

UNDELETABLE_STATES = frozenset({TaskState.RUNNING, TaskState.SYNCING, TaskState.ABORTING})


def rule_for(operation: Operation, state: str) -> Rule | None:
    for rule in OPERATION_RULES:
        if rule.operation == operation and state in rule.allowed:
            return rule
    return None


def wrong_state_row(operation: Operation) -> ErrorCode:
    return WRONG_STATE_ROWS.get(operation, codes.OTHER_WRONG_STATE)


# --- What the source server says as its task moves ----------------------------------------------


class SourceEvent(StrEnum):
    """What happened to a source's task; with the phase's kind, it decides the source's state."""

    CREATED = "task created"  # POST /v3/tasks named the source
    RUNNING = "phase running"  # a phase started, resumed or restarted
    SUCCEEDED = "phase succeeded"
    FAILED = "phase failed"
    STOPPED = "phase stopped"  # a stop, or a pause fault


# (source state, migration_cycle) after each event, by the kind of the phase it concerns; None
# for the cycle keeps the one the source had. A source without a task keeps its own state
# (registered, or set by changestate); a deleted task leaves its source as the task left it.
# INFERRED: SMS documents the state and cycle names, not when each applies. README prints it.
SOURCE_STATES: dict[tuple[SourceEvent, PhaseKind | None], tuple[str, str | None]] = {
    (SourceEvent.CREATED, None): ("waiting", "setting"),
    (SourceEvent.RUNNING, PhaseKind.REPLICATE): ("replicate", "replicating"),
    (SourceEvent.RUNNING, PhaseKind.CUTOVER): ("cutovering", "cutovering"),
    (SourceEvent.RUNNING, PhaseKind.RESYNC): ("syncing", "syncing"),
    (SourceEvent.RUNNING, PhaseKind.CLONE): ("cloning", None),
    (SourceEvent.SUCCEEDED, PhaseKind.REPLICATE): ("finished", "replicating"),
    (SourceEvent.SUCCEEDED, PhaseKind.CUTOVER): ("finished", "cutovered"),
    (SourceEvent.SUCCEEDED, PhaseKind.RESYNC): ("finished", "syncing"),
    (SourceEvent.SUCCEEDED, PhaseKind.CLONE): ("finished", None),
    # A failure and a stop say the same of every phase: one row each, for any kind.
    (SourceEvent.FAILED, None): ("error", None),
    (SourceEvent.STOPPED, None): ("stopped", None),
}


def source_state(event: SourceEvent, kind: PhaseKind | None) -> tuple[str, str | None]:
    """The table's row for the event and the phase's kind, else its row for any kind."""
    return SOURCE_STATES.get((event, kind)) or SOURCE_STATES[(event, None)]


# clone_server.clone_state while CLONE_VM runs: PREPARING below this progress, CREATING from it.
CLONE_CREATING_FROM_PROGRESS = 34

# --- Phase names ------------------------------------------------------------------------------

_PHASE_NAME = re.compile(r"^(REPLICATE|CUTOVER|RESYNC|CLONE)(\d*)$")


def phase_kind(user_op: str | None) -> PhaseKind | None:
    """The kind of a phase name (`CUTOVER1` is a CUTOVER); None for a name outside the model."""
    match = _PHASE_NAME.match(user_op or "")
    return PhaseKind(match.group(1)) if match else None


def phase_plan(
    kind: PhaseKind, os_type: str | None, task_type: str | None, from_template: bool = False
) -> tuple[SubtaskName, ...]:
    plan = PHASE_PLANS[(kind, flavour_of(os_type, task_type))]
    if kind is PhaseKind.REPLICATE and from_template:
        return (TEMPLATE_FIRST_SUBTASK, *plan)
    return plan
