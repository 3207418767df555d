"""The lifecycle as the tests expect it: written here independently of `mock_server`.

`test_lifecycle.py` drives every row through the emulator; `test_readme.py` checks that
README prints exactly these tables. Change the model here, in the engine and in README together.
"""

from __future__ import annotations

from dataclasses import dataclass

STATES = (
    "READY", "RUNNING", "SYNCING", "MIGRATE_SUCCESS", "MIGRATE_FAIL", "SYNC_SUCCESS", "SYNC_FAIL",
    "ABORTING", "ABORT", "SKIPPING", "DELETING", "RESETING", "SYNC_F_ROLLBACKING",
    "SYNC_F_ROLLBACK_SUCCESS",
)  # fmt: skip
BUSY = tuple(s for s in STATES if s.endswith("ING"))
NOT_BUSY = tuple(s for s in STATES if s not in BUSY)
OPERATIONS = (
    "start", "stop", "test", "cutover", "clone_test", "restart", "collect_log",
    "sync_failed_rollback", "network_check", "skip", "clear", "migration_test",
    "error_for_overspeed",
)  # fmt: skip


@dataclass(frozen=True)
class Row:
    operations: tuple[str, ...]
    allowed: tuple[str, ...]
    then: str | None  # the state right after the answer; None: unchanged
    settles_to: str | None  # the state once the clock has moved on; None: unchanged
    effect: str


ROWS: tuple[Row, ...] = (
    Row(("start",), ("READY",), "RUNNING", "MIGRATE_SUCCESS",
        "a new REPLICATE from its first sub-task"),
    Row(("start",), ("ABORT", "MIGRATE_FAIL"), "RUNNING", "MIGRATE_SUCCESS",
        "the interrupted REPLICATE or CUTOVER resumes: same entries (same ids, progress kept), "
        "from the first unfinished one"),
    Row(("start",), ("SYNC_FAIL",), "SYNCING", "SYNC_SUCCESS",
        "the interrupted RESYNC resumes the same way"),
    Row(("start",), ("MIGRATE_SUCCESS", "SYNC_SUCCESS", "SYNC_F_ROLLBACK_SUCCESS"), "SYNCING",
        "SYNC_SUCCESS", "a new RESYNCn"),
    Row(("stop",), ("RUNNING", "SYNCING"), "ABORTING", "ABORT",
        "ABORT 2 s later; the running sub-task keeps its progress"),
    Row(("restart",), ("MIGRATE_FAIL", "ABORT"), "RUNNING", "MIGRATE_SUCCESS",
        "the interrupted phase again from its first sub-task: fresh entries with new ids are "
        "appended, the old ones stay"),
    Row(("restart",), ("SYNC_FAIL",), "SYNCING", "SYNC_SUCCESS",
        "the interrupted RESYNC again, fresh entries"),
    Row(("test", "cutover"), ("MIGRATE_SUCCESS", "SYNC_SUCCESS"), "RUNNING", "MIGRATE_SUCCESS",
        "a new CUTOVERn"),
    Row(("clone_test",), ("MIGRATE_SUCCESS", "SYNC_SUCCESS"), "RUNNING", "MIGRATE_SUCCESS",
        "a new CLONEn running CLONE_VM (needs template_id); clone_server PREPARING, CREATING, "
        "FINISHED"),
    Row(("sync_failed_rollback",), ("SYNC_FAIL",), "SYNC_F_ROLLBACKING", "SYNC_F_ROLLBACK_SUCCESS",
        "SYNC_F_ROLLBACK_SUCCESS 30 s later"),
    Row(("error_for_overspeed",), ("RUNNING", "SYNCING"), "ABORT", "ABORT",
        "paused at once, as when the service sees a task over its speed threshold"),
    Row(("network_check",), NOT_BUSY, None, None, "accepted; fills network_check_info"),
    Row(("skip", "migration_test", "clear", "collect_log"), NOT_BUSY, None, None,
        "accepted, the task does not change"),
)  # fmt: skip

# The API Reference's current rows for each refusal (its error table, Issue 37).
WRONG_STATE_CODES = {
    "start": "SMS.7713",
    "stop": "SMS.7714",
    "restart": "SMS.7722",
    "sync_failed_rollback": "SMS.7718",
    "test": "SMS.7721",
    "cutover": "SMS.7721",
    "clone_test": "SMS.7721",
}
OTHER_WRONG_STATE_CODE = "SMS.9001"
DELETE_WRONG_STATE_CODE = "SMS.7719"
UNDELETABLE = ("RUNNING", "SYNCING", "ABORTING")

# Seconds per sub-task of a default task (the seed's one disk, 2,467,393,536 bytes used,
# at 2,500 Mbit/s: 7.896 s to migrate, a tenth of it to sync).
DURATIONS_S = {
    "CREATE_CLOUD_SERVER": 60,
    "SSL_CONFIG": 4,
    "ATTACH_AGENT_IMAGE": 176,
    "FORMAT_DISK_LINUX_FILE": 3,
    "MIGRATE_LINUX_FILE": 7.896,
    "CONFIGURE_LINUX_FILE": 111,
    "DETTACH_AGENT_IMAGE": 74,
    "SYNC_LINUX_FILE": 0.790,
    "CLONE_VM": 120,
}

PHASES = {
    "REPLICATE": (
        "SSL_CONFIG",
        "ATTACH_AGENT_IMAGE",
        "FORMAT_DISK_LINUX_FILE",
        "MIGRATE_LINUX_FILE",
    ),
    "CUTOVERn": ("CONFIGURE_LINUX_FILE", "DETTACH_AGENT_IMAGE"),
    "RESYNCn": ("SSL_CONFIG", "ATTACH_AGENT_IMAGE", "SYNC_LINUX_FILE"),
    "CLONEn": ("CLONE_VM",),
}


def expected_answer(operation: str, state: str) -> tuple[str, Row | None]:
    """("200", row) when the operation is allowed in the state, else (wrong-state code, None)."""
    for row in ROWS:
        if operation in row.operations and state in row.allowed:
            return "200", row
    return WRONG_STATE_CODES.get(operation, OTHER_WRONG_STATE_CODE), None


def _states(states: tuple[str, ...]) -> str:
    if states == NOT_BUSY:
        return "any state but the -ING ones"
    return ", ".join(states)


def operations_markdown() -> str:
    lines = [
        "| operation | allowed in | state at once | state later | effect |",
        "|---|---|---|---|---|",
    ]
    for row in ROWS:
        lines.append(
            f"| {', '.join(row.operations)} | {_states(row.allowed)} | {row.then or 'unchanged'} "
            f"| {row.settles_to or 'unchanged'} | {row.effect} |"
        )
    lines.append(
        f"| DELETE | any state but {', '.join(UNDELETABLE)} | gone at once (404 after) | | "
        f"{DELETE_WRONG_STATE_CODE} in those states |"
    )
    return "\n".join(lines)


def wrong_state_markdown() -> str:
    lines = [
        "| operation in a state that does not allow it | status | error_code |",
        "|---|---|---|",
    ]
    for operation, code in WRONG_STATE_CODES.items():
        lines.append(f"| {operation} | 400 | {code} |")
    lines.append(f"| any other operation | 400 | {OTHER_WRONG_STATE_CODE} |")
    return "\n".join(lines)


def phases_markdown() -> str:
    ends = {"REPLICATE": "MIGRATE_SUCCESS", "CUTOVERn": "MIGRATE_SUCCESS",
            "RESYNCn": "SYNC_SUCCESS", "CLONEn": "MIGRATE_SUCCESS"}  # fmt: skip
    lines = ["| phase (user_op) | sub-tasks, Linux file-level | ends in |", "|---|---|---|"]
    for phase, subtasks in PHASES.items():
        lines.append(f"| {phase} | {', '.join(subtasks)} | {ends[phase]} |")
    return "\n".join(lines)


def durations_markdown() -> str:
    lines = ["| sub-task | seconds (default task) |", "|---|---|"]
    for name, seconds in DURATIONS_S.items():
        lines.append(f"| {name} | {seconds:g} |")
    return "\n".join(lines)


def sources_markdown() -> str:
    """The source-state table of the lifecycle module, as README prints it."""
    from sms_mock.mock_server.sms.lifecycle import SOURCE_STATES

    head = "| the source's task | phase | source `state` | `migration_cycle` |"
    lines = [head, "|---|---|---|---|"]
    for (event, kind), (state, cycle) in SOURCE_STATES.items():
        lines.append(f"| {event} | {kind or 'any'} | {state} | {cycle or 'unchanged'} |")
    return "\n".join(lines)
