"""The error catalogue: every code the emulator answers, with its status and its message.

`SMS.xxxx` codes come only from the API Reference's current table (`sms_error_codes.tsv` beside
this file, loaded by `reference_table()`), and their messages are the table's words; the cases
the emulator models map to them as the design's section 13 says. The table prints 400 on every
row: a row whose status differs (404 for an absent resource, 500 for the state file) says so
with `status_inferred`. The emulator's own answers (control plane, dashboard, admin token, an
HTTP fault's default body) use `MOCK.xxxx`, so that nobody takes them for the service's.

The server builds its answers from these rows (`mock_server/sms/errors.py`), the client reads
its typed errors from them (`client/errors.py`), and the documentation site's error table is
made from them when it is built (`docs/gen_pages.py`).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

REFERENCE_FILE = "sms_error_codes.tsv"


@dataclass(frozen=True)
class ErrorCode:
    """One case the emulator answers: its code, HTTP status and message, and when it applies.

    `message` is the reference table's text for an `SMS.` code; the answer's `error_msg` is
    it, then a detail naming the value (`Task does not exist. No task t1 in this project.`).
    """

    name: str
    code: str
    status: int
    message: str
    case: str
    status_inferred: bool = False
    in_error_json: bool = False  # written into a failed task's `error_json`, never answered

    def text(self, detail: str = "", value: str = "") -> str:
        """The message, its `%s` (where the table's words have one) filled with `value`, then
        the detail."""
        message = self.message.replace("%s", value) if value else self.message
        return f"{message} {detail}" if detail else message


def _sms(name: str, code: str, message: str, case: str, status: int = 400) -> ErrorCode:
    # Every row of the reference table prints 400; any other status is the emulator's choice.
    return ErrorCode(name, code, status, message, case, status_inferred=status != 400)


def _mock(name: str, code: str, status: int, message: str, case: str) -> ErrorCode:
    return ErrorCode(name, code, status, message, case)


# --- the service's codes --------------------------------------------------------------------

# A request's envelope and body, checked in this order.
BODY_TOO_LONG = _sms(
    "BODY_TOO_LONG", "SMS.6014", "The parameter part in the request body is too long.",
    "a body over 10,240 bytes",
)  # fmt: skip
HEADER_MISSING = _sms(
    "HEADER_MISSING", "SMS.6015", "The request header is missing.",
    "a body without a Content-Type header",
)  # fmt: skip
NOT_JSON_CONTENT_TYPE = _sms(
    "NOT_JSON_CONTENT_TYPE", "SMS.6016", "The header type must be application/json.",
    "a body whose Content-Type is not application/json",
)  # fmt: skip
BODY_EMPTY = _sms(
    "BODY_EMPTY", "SMS.6012", "Empty request body.",
    "no body (or only white space) where the call takes one",
)  # fmt: skip
BODY_NOT_JSON = _sms(
    "BODY_NOT_JSON", "SMS.6010", "The request body is not in the JSON format.",
    "a body that is not JSON, or not UTF-8",
)  # fmt: skip
BODY_INCOMPLETE = _sms(
    "BODY_INCOMPLETE", "SMS.6013", "Incomplete request parameters.",
    "a body that lacks required fields (and has no other fault); every one is named",
)  # fmt: skip
BODY_NOT_TO_SPEC = _sms(
    "BODY_NOT_TO_SPEC", "SMS.6011", "The JSON request body does not meet the specifications.",
    "a body with a wrong type, an unknown key, a value out of its range or enum, nesting past "
    "32 levels, an integer past int64; every wrong field is named",
)  # fmt: skip
INVALID_PARAMETERS = _sms(
    "INVALID_PARAMETERS", "SMS.9001", "Invalid parameters.",
    "a malformed id in a path, a query value out of range, a body on a call that takes none",
)  # fmt: skip

# Tasks.
TASK_NOT_FOUND = _sms(
    "TASK_NOT_FOUND", "SMS.7703", "Task does not exist.",
    "no task of that id in the caller's project (another project's task alike)", status=404,
)  # fmt: skip
INVALID_TASK_NAME = _sms(
    "INVALID_TASK_NAME", "SMS.7711", "Invalid task name.",
    "a task name (create or update) that is not 1 to 255 Chinese characters, letters, digits, "
    "`_` or `-` (the characters are the SDK's rule, the length INFERRED), and no other fault",
)  # fmt: skip
TASK_UPDATE_FAILED = _sms(
    "TASK_UPDATE_FAILED", "SMS.7706", "Task update failed.",
    "a change of a task's type once it has left READY",
)  # fmt: skip
START_WRONG_STATE = _sms(
    "START_WRONG_STATE", "SMS.7713",
    "Only tasks in the Ready for next, Paused, or Error state can be started.",
    "`start` in a state that cannot start (a busy one)",
)  # fmt: skip
PAUSE_WRONG_STATE = _sms(
    "PAUSE_WRONG_STATE", "SMS.7714", "Only running tasks can be paused.",
    "`stop` (pause) of a task that is not RUNNING or SYNCING",
)  # fmt: skip
ROLLBACK_WRONG_STATE = _sms(
    "ROLLBACK_WRONG_STATE", "SMS.7718",
    "Only tasks in the Synchronization failed state can be rolled back.",
    "`sync_failed_rollback` of a task that is not SYNC_FAIL",
)  # fmt: skip
DELETE_WRONG_STATE = _sms(
    "DELETE_WRONG_STATE", "SMS.7719", "Tasks in current state cannot be deleted.",
    "a delete of a RUNNING, SYNCING or ABORTING task",
)  # fmt: skip
TARGET_WRONG_STATE = _sms(
    "TARGET_WRONG_STATE", "SMS.7721",
    "Only target servers in tasks in the Continuous synchronization state can be cloned or "
    "started.",
    "`test`, `cutover` or `clone_test` before the migration succeeded",
)  # fmt: skip
RESTART_WRONG_STATE = _sms(
    "RESTART_WRONG_STATE", "SMS.7722",
    "Only tasks where the target servers have successfully started can be restarted.",
    "`restart` of a task that is not MIGRATE_FAIL, SYNC_FAIL or ABORT",
)  # fmt: skip
OTHER_WRONG_STATE = _sms(
    "OTHER_WRONG_STATE", "SMS.9001", "Invalid parameters.",
    "any other operation in a state that does not take it (the table has no nearer row)",
)  # fmt: skip

EXPORT_TOO_LONG = _sms(
    "EXPORT_TOO_LONG", "SMS.0426", "Response body too long. Maximum length: %s",
    "an export of consistency results whose CSV would pass 1,048,576 bytes (INFERRED limit; "
    "`%s` is it)",
)  # fmt: skip

# Templates.
TEMPLATE_NOT_FOUND = _sms(
    "TEMPLATE_NOT_FOUND", "SMS.7101", "Template does not exist.",
    "no template of that id in the caller's project", status=404,
)  # fmt: skip
TASK_TEMPLATE_NOT_FOUND = _sms(
    "TASK_TEMPLATE_NOT_FOUND", "SMS.7101", "Template does not exist.",
    "a task created with a `vm_template_id` that does not exist",
)  # fmt: skip
TEMPLATE_IN_USE = _sms(
    "TEMPLATE_IN_USE", "SMS.7111", "All tasks associated with this template must be deleted first.",
    "a delete of a template a task was created from",
)  # fmt: skip
TEMPLATE_NAME_TAKEN = _sms(
    "TEMPLATE_NAME_TAKEN", "SMS.7112", "Duplicate template name.",
    "a template created or renamed with the name of another in the project",
)  # fmt: skip

# Migration projects. 7301's text says "template": sic, the table's words.
MIGPROJECT_NOT_FOUND = _sms(
    "MIGPROJECT_NOT_FOUND", "SMS.7301", "The specified migration template does not exist.",
    "no migration project of that id in the caller's project", status=404,
)  # fmt: skip
MIGPROJECT_DEFAULT = _sms(
    "MIGPROJECT_DEFAULT", "SMS.7303", "The default migration template cannot be deleted.",
    "a delete of the default migration project",
)  # fmt: skip
MIGPROJECT_NOT_EMPTY = _sms(
    "MIGPROJECT_NOT_EMPTY", "SMS.7311",
    "All source servers associated with the migration project must be deleted first.",
    "a delete of a migration project that still holds sources",
)  # fmt: skip
MIGPROJECT_NAME_TAKEN = _sms(
    "MIGPROJECT_NAME_TAKEN", "SMS.7312", "Duplicate migration project name.",
    "a migration project created or renamed with the name of another in the project",
)  # fmt: skip

# Source servers.
SOURCE_NOT_FOUND = _sms(
    "SOURCE_NOT_FOUND", "SMS.7602", "The specified source server does not exist.",
    "no source of that id in the caller's project", status=404,
)  # fmt: skip
TASK_SOURCE_NOT_FOUND = _sms(
    "TASK_SOURCE_NOT_FOUND", "SMS.7602", "The specified source server does not exist.",
    "a task created for a `source_server.id` that does not exist",
)  # fmt: skip
SOURCE_BUSY = _sms(
    "SOURCE_BUSY", "SMS.7601",
    "Failed to delete the source server because a migration task is running on it.",
    "a delete of a source whose task is busy",
)  # fmt: skip
SOURCE_HAS_TASK = _sms(
    "SOURCE_HAS_TASK", "SMS.6005", "The status of the sourceServer does not meet the requirements.",
    "a second task created for a source that has one (the table has no nearer row)",
)  # fmt: skip
TARGET_SERVER_TAKEN = _sms(
    "TARGET_SERVER_TAKEN", "SMS.7605",
    "The server has been set as the target server of another migration task. Select another "
    "server or delete the task associated with the server.",
    "a task created or changed to use the target server (`target_server.vm_id`) of another",
)  # fmt: skip
SOURCE_HAS_NO_TASK = _sms(
    "SOURCE_HAS_NO_TASK", "SMS.7606", "No migration task running on the source server.",
    "an agent's command call for a source that has no task", status=404,
)  # fmt: skip

# The service itself.
STATE_FILE = _sms(
    "STATE_FILE", "SMS.6301", "Database read or write error.",
    "a change the state file could not take (a full disk): undone", status=500,
)  # fmt: skip
SERVICE_ERROR = _sms(
    "SERVICE_ERROR", "SMS.6000", "Service error.",
    "an error the emulator did not foresee (logged; never a stack trace)", status=500,
)  # fmt: skip

# In a failed task's `error_json`, never an HTTP answer: a fault's default error.
TASK_FAILED = ErrorCode(
    "TASK_FAILED", "SMS.1801", 400, "Migration or synchronization task failed.",
    "a task fault's `error_json` when the fault gives none", in_error_json=True,
)  # fmt: skip

SMS_CODES: tuple[ErrorCode, ...] = (
    BODY_TOO_LONG, HEADER_MISSING, NOT_JSON_CONTENT_TYPE, BODY_EMPTY, BODY_NOT_JSON,
    BODY_INCOMPLETE, BODY_NOT_TO_SPEC, INVALID_PARAMETERS,
    TASK_NOT_FOUND, INVALID_TASK_NAME, TASK_UPDATE_FAILED, START_WRONG_STATE, PAUSE_WRONG_STATE,
    ROLLBACK_WRONG_STATE, DELETE_WRONG_STATE, TARGET_WRONG_STATE, RESTART_WRONG_STATE,
    OTHER_WRONG_STATE, EXPORT_TOO_LONG,
    TEMPLATE_NOT_FOUND, TASK_TEMPLATE_NOT_FOUND, TEMPLATE_IN_USE, TEMPLATE_NAME_TAKEN,
    MIGPROJECT_NOT_FOUND, MIGPROJECT_DEFAULT, MIGPROJECT_NOT_EMPTY, MIGPROJECT_NAME_TAKEN,
    SOURCE_NOT_FOUND, TASK_SOURCE_NOT_FOUND, SOURCE_BUSY, SOURCE_HAS_TASK, TARGET_SERVER_TAKEN,
    SOURCE_HAS_NO_TASK,
    STATE_FILE, SERVICE_ERROR, TASK_FAILED,
)  # fmt: skip

# The codes of "not in this state": the client raises WrongState for them.
WRONG_STATE_CODES = frozenset(
    row.code
    for row in (
        START_WRONG_STATE, PAUSE_WRONG_STATE, ROLLBACK_WRONG_STATE, DELETE_WRONG_STATE,
        TARGET_WRONG_STATE, RESTART_WRONG_STATE, TASK_UPDATE_FAILED,
    )
)  # fmt: skip

# --- the emulator's own codes ---------------------------------------------------------------

MOCK_BAD_REQUEST = _mock(
    "MOCK_BAD_REQUEST", "MOCK.0400", 400, "Invalid request.",
    "a control-plane or dashboard request with a bad body or query, naming the field",
)  # fmt: skip
MOCK_ADMIN_TOKEN = _mock(
    "MOCK_ADMIN_TOKEN", "MOCK.0401", 401, "The control plane needs the X-Mock-Admin-Token header.",
    "the control plane or dashboard, bound beyond loopback, without the admin token",
)  # fmt: skip
MOCK_CROSS_SITE = _mock(
    "MOCK_CROSS_SITE", "MOCK.0403", 403,
    "The control plane answers its own pages and clients only, not another site's.",
    "a control-plane, dashboard or `/openapi.json` request sent by another site's page "
    "(`Sec-Fetch-Site: cross-site` or `same-site`, or an `Origin` not the emulator's own), or "
    "a dashboard sign-in or sign-out that does not show it comes from the dashboard's page",
)  # fmt: skip
MOCK_FAULT_NOT_FOUND = _mock(
    "MOCK_FAULT_NOT_FOUND", "MOCK.0404", 404, "The fault does not exist.",
    "`DELETE /_mock/faults/{id}` of an unknown fault",
)  # fmt: skip
MOCK_SCENARIO_NOT_FOUND = _mock(
    "MOCK_SCENARIO_NOT_FOUND", "MOCK.0405", 404, "The scenario does not exist.",
    "`POST /_mock/scenarios/{name}` of an unknown scenario",
)  # fmt: skip
MOCK_TASK_NOT_FOUND = _mock(
    "MOCK_TASK_NOT_FOUND", "MOCK.0406", 404, "The task does not exist.",
    "the dashboard's live part of an unknown task",
)  # fmt: skip
MOCK_BODY_TOO_LARGE = _mock(
    "MOCK_BODY_TOO_LARGE", "MOCK.0410", 413, "The request body is too large.",
    "a control-plane or dashboard body over its route's limit (1 MiB; `POST /_mock/snapshot`: "
    "its own, in \"Snapshots and persistence\"), refused from its `Content-Length` before it "
    "is read",
)  # fmt: skip
MOCK_HTTP_FAULT = _mock(
    "MOCK_HTTP_FAULT", "MOCK.0500", 500, "Injected by an HTTP fault.",
    "an HTTP fault's answer when the fault gives no body",
)  # fmt: skip
MOCK_STATE_FILE = _mock(
    "MOCK_STATE_FILE", "MOCK.0501", 500,
    "The change could not be saved to the state file, and was undone.",
    "a control-plane change the state file could not take (a full disk): undone",
)  # fmt: skip
MOCK_INTERNAL = _mock(
    "MOCK_INTERNAL", "MOCK.0502", 500, "Internal error of the emulator.",
    "a control-plane error the emulator did not foresee (logged; never a stack trace)",
)  # fmt: skip

MOCK_NOT_JSON = _mock(
    "MOCK_NOT_JSON", "MOCK.0420", 415, "A control-plane POST needs Content-Type: application/json.",
    "a `POST` to `/_mock/...` without `Content-Type: application/json`, with a body or without "
    "(the dashboard's sign-in and sign-out forms excepted)",
)  # fmt: skip
MOCK_UNKNOWN_HOST = _mock(
    "MOCK_UNKNOWN_HOST", "MOCK.0421", 421, "The control plane does not answer to this host name.",
    "a control-plane, dashboard or `/openapi.json` request whose `Host` is not an IP address, "
    "`localhost`, the bound address or an `--allowed-host`",
)  # fmt: skip
MOCK_TOO_MANY_GUESSES = _mock(
    "MOCK_TOO_MANY_GUESSES", "MOCK.0429", 429,
    "Too many wrong admin tokens: try again after Retry-After seconds.",
    "an admin token from a client address after 5 wrong ones in a row, read again only once "
    "its wait is over (1 s, doubled at each further wrong one, at most 60 s)",
)  # fmt: skip

MOCK_SNAPSHOT_TOO_COSTLY = _mock(
    "MOCK_SNAPSHOT_TOO_COSTLY", "MOCK.0430", 413,
    "The snapshot would take too much memory to read.",
    "`POST /_mock/snapshot` of a body whose parse would take more than 6 times its size "
    "(`[{},{},...]` takes 24), estimated from its bytes before it is parsed",
)  # fmt: skip

# `sms-mock proxy`'s own answers, in front of an upstream (README, "Proxy and recording").
MOCK_UPSTREAM_BROKE_CONTRACT = _mock(
    "MOCK_UPSTREAM_BROKE_CONTRACT", "MOCK.0503", 502, "The upstream's answer breaks the contract.",
    "`sms-mock proxy --strict`: the upstream answered a status or a body the contract does not "
    "document, named with its field (the request reached the upstream all the same)",
)  # fmt: skip
MOCK_UPSTREAM_UNREACHABLE = _mock(
    "MOCK_UPSTREAM_UNREACHABLE", "MOCK.0504", 502, "The upstream could not be reached.",
    "`sms-mock proxy`: the upstream refused the connection, did not answer within the timeout, "
    "or its name does not resolve",
)  # fmt: skip

MOCK_CODES: tuple[ErrorCode, ...] = (
    MOCK_BAD_REQUEST, MOCK_ADMIN_TOKEN, MOCK_FAULT_NOT_FOUND, MOCK_SCENARIO_NOT_FOUND,
    MOCK_TASK_NOT_FOUND, MOCK_BODY_TOO_LARGE, MOCK_SNAPSHOT_TOO_COSTLY, MOCK_HTTP_FAULT,
    MOCK_STATE_FILE, MOCK_INTERNAL, MOCK_UPSTREAM_BROKE_CONTRACT, MOCK_UPSTREAM_UNREACHABLE,
    MOCK_CROSS_SITE, MOCK_NOT_JSON, MOCK_UNKNOWN_HOST, MOCK_TOO_MANY_GUESSES,
)  # fmt: skip

CATALOGUE: tuple[ErrorCode, ...] = SMS_CODES + MOCK_CODES


@cache
def reference_table() -> dict[str, str]:
    """The API Reference's current SMS codes: code -> message, as the table words them."""
    text = resources.files(__package__).joinpath(REFERENCE_FILE).read_text(encoding="utf-8")
    lines = (line for line in text.splitlines() if not line.startswith("#"))
    rows = csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    next(rows)  # the header: status, code, message
    return {code: message for _status, code, message in rows}


def is_reference_code(code: str) -> bool:
    """Whether an `SMS.xxxx` code is one of the current table's."""
    return code in reference_table()


def markdown_table(rows: tuple[ErrorCode, ...] = CATALOGUE) -> str:
    """The catalogue as a Markdown table: code, status, message, when the emulator answers it.

    The site's HTTP API page prints it, made at build time (`docs/gen_pages.py`).
    """
    lines = [
        "| code | status | message | answered for |",
        "|---|---|---|---|",
    ]
    for row in rows:
        status = f"{row.status} (INFERRED)" if row.status_inferred else str(row.status)
        if row.in_error_json:
            status = "in `error_json`"
        message = row.message.replace("|", "\\|")
        lines.append(f"| `{row.code}` | {status} | {message} | {row.case} |")
    return "\n".join(lines) + "\n"
