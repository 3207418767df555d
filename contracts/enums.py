"""Every enumerated value on the wire, in one place."""

from __future__ import annotations

from enum import StrEnum


class TaskState(StrEnum):
    """Task states: the union of the ShowTask docstring and the ListTasks filter (14 values)."""

    READY = "READY"
    RUNNING = "RUNNING"
    SYNCING = "SYNCING"
    MIGRATE_SUCCESS = "MIGRATE_SUCCESS"
    MIGRATE_FAIL = "MIGRATE_FAIL"
    SYNC_SUCCESS = "SYNC_SUCCESS"
    SYNC_FAIL = "SYNC_FAIL"
    ABORTING = "ABORTING"
    ABORT = "ABORT"
    SKIPPING = "SKIPPING"
    DELETING = "DELETING"
    RESETING = "RESETING"  # sic: the service spells it with one T
    SYNC_F_ROLLBACKING = "SYNC_F_ROLLBACKING"
    SYNC_F_ROLLBACK_SUCCESS = "SYNC_F_ROLLBACK_SUCCESS"


class Operation(StrEnum):
    """`operation` of POST /v3/tasks/{id}/action: the union of every SDK and documented value."""

    START = "start"
    STOP = "stop"
    TEST = "test"
    CUTOVER = "cutover"
    CLONE_TEST = "clone_test"
    RESTART = "restart"
    COLLECT_LOG = "collect_log"
    SYNC_FAILED_ROLLBACK = "sync_failed_rollback"
    NETWORK_CHECK = "network_check"
    SKIP = "skip"
    CLEAR = "clear"
    MIGRATION_TEST = "migration_test"
    ERROR_FOR_OVERSPEED = "error_for_overspeed"


class SubtaskName(StrEnum):
    """Sub-task names, as the agent reports them."""

    CREATE_CLOUD_SERVER = "CREATE_CLOUD_SERVER"
    SSL_CONFIG = "SSL_CONFIG"
    ATTACH_AGENT_IMAGE = "ATTACH_AGENT_IMAGE"
    FORMAT_DISK_LINUX = "FORMAT_DISK_LINUX"
    FORMAT_DISK_LINUX_FILE = "FORMAT_DISK_LINUX_FILE"
    FORMAT_DISK_LINUX_BLOCK = "FORMAT_DISK_LINUX_BLOCK"
    FORMAT_DISK_WINDOWS = "FORMAT_DISK_WINDOWS"
    MIGRATE_LINUX_FILE = "MIGRATE_LINUX_FILE"
    MIGRATE_LINUX_BLOCK = "MIGRATE_LINUX_BLOCK"
    MIGRATE_WINDOWS_BLOCK = "MIGRATE_WINDOWS_BLOCK"
    CONFIGURE_LINUX = "CONFIGURE_LINUX"
    CONFIGURE_LINUX_BLOCK = "CONFIGURE_LINUX_BLOCK"
    CONFIGURE_LINUX_FILE = "CONFIGURE_LINUX_FILE"
    CONFIGURE_WINDOWS = "CONFIGURE_WINDOWS"
    # The service really spells it with two Ts; clients match on the exact string.
    DETTACH_AGENT_IMAGE = "DETTACH_AGENT_IMAGE"
    SYNC_LINUX_FILE = "SYNC_LINUX_FILE"
    SYNC_LINUX_BLOCK = "SYNC_LINUX_BLOCK"
    SYNC_WINDOWS_BLOCK = "SYNC_WINDOWS_BLOCK"
    CLONE_VM = "CLONE_VM"


class TaskType(StrEnum):
    MIGRATE_FILE = "MIGRATE_FILE"
    MIGRATE_BLOCK = "MIGRATE_BLOCK"


class OsType(StrEnum):
    WINDOWS = "WINDOWS"
    LINUX = "LINUX"


class CloneState(StrEnum):
    NOT_READY = "NOT_READY"
    READY = "READY"
    PREPARING = "PREPARING"
    CREATING = "CREATING"
    ERROR = "ERROR"
    FINISHED = "FINISHED"


class SourceServerState(StrEnum):
    UNAVAILABLE = "unavailable"
    WAITING = "waiting"
    INITIALIZE = "initialize"
    REPLICATE = "replicate"
    SYNCING = "syncing"
    STOPPING = "stopping"
    STOPPED = "stopped"
    SKIPPING = "skipping"
    DELETING = "deleting"
    CLEARING = "clearing"
    CLEARED = "cleared"
    CLEARFAILED = "clearfailed"
    PREMIGREADY = "premigready"
    PREMIGING = "premiging"  # changestate may set it; the SDK's answer models omit it
    PREMIGED = "premiged"
    PREMIGFAILED = "premigfailed"
    CLONING = "cloning"
    CUTOVERING = "cutovering"
    FINISHED = "finished"
    ERROR = "error"


class MigrationCycle(StrEnum):
    CUTOVERING = "cutovering"
    CUTOVERED = "cutovered"
    CHECKING = "checking"
    SETTING = "setting"
    REPLICATING = "replicating"
    SYNCING = "syncing"


# The states PUT /v3/sources/{id}/changestate sets: a source's, with `init` for `initialize`.
SourceCopyState = StrEnum(
    "SourceCopyState",
    {
        **{s.name: s.value for s in SourceServerState if s is not SourceServerState.INITIALIZE},
        "INIT": "init",
    },
)

# The cycles changestate sets: a source's, and the four of a migration test.
SourceMigrationCycle = StrEnum(
    "SourceMigrationCycle",
    {
        **{c.name: c.value for c in MigrationCycle},
        "NO_READY": "no_ready",
        "READY_FOR_TEST": "ready_for_test",
        "TESTING": "testing",
        "TESTED": "tested",
    },
)


class LogCollectStatus(StrEnum):
    INIT = "INIT"
    UPLOADING = "UPLOADING"
    UPLOAD_FAIL = "UPLOAD_FAIL"
    UPLOADED = "UPLOADED"


class DeviceUse(StrEnum):
    BOOT = "BOOT"
    OS = "OS"
    NORMAL = "NORMAL"


class PartitionStyle(StrEnum):
    MBR = "MBR"
    GPT = "GPT"


class AuthMethod(StrEnum):
    """IAM identity methods the emulator accepts."""

    PASSWORD = "password"
    TOKEN = "token"


# Methods Huawei IAM has and the emulator refuses with Keystone's "unsupported method" (401):
# MFA's `totp` and the agency token's `assume_role` (README, "IAM").
UNSERVED_AUTH_METHODS = ("totp", "assume_role")


class FaultEffect(StrEnum):
    FAIL = "fail"
    PAUSE = "pause"


class ClockMode(StrEnum):
    REAL = "real"
    MANUAL = "manual"


class AuthMode(StrEnum):
    """What SMS calls accept (`sms-mock serve --auth`)."""

    ANY = "any"  # a token or an SDK signature
    TOKEN = "token"  # X-Auth-Token only
    AKSK = "aksk"  # SDK-HMAC-SHA256 signatures only
    OFF = "off"  # nothing checked: the X-Project-Id given, or the default project


def values(enum: type[StrEnum]) -> list[str]:
    """The wire values of an enum, in declaration order."""
    return [member.value for member in enum]
