"""SMS error answers, each from a row of the error catalogue (`contracts/error_codes.py`).

The catalogue holds the code, the status and the reference table's message; a function here
adds the detail that names the value, so that a client sees what was wrong and where.
"""

from __future__ import annotations

from marshmallow import ValidationError, fields

from sms_mock.contracts import error_codes as codes
from sms_mock.contracts.base import problems
from sms_mock.contracts.error_codes import ErrorCode
from sms_mock.contracts.sms import TASK_NAME_RULE
from sms_mock.mock_server.core.errors import ApiError
from sms_mock.mock_server.core.errors import catalogued as answer

# marshmallow's message for a required field that is absent: such a body is incomplete (6013).
MISSING_MESSAGE = fields.Field.default_error_messages["required"]


# --- a request's envelope and body ------------------------------------------------------------


def body_too_large() -> ApiError:
    return answer(codes.BODY_TOO_LONG, "A body is at most 10,240 bytes.")


def content_type_missing() -> ApiError:
    return answer(codes.HEADER_MISSING, "Content-Type is not given.")


def content_type_not_json() -> ApiError:
    return answer(codes.NOT_JSON_CONTENT_TYPE)


def body_empty() -> ApiError:
    return answer(codes.BODY_EMPTY, "This call takes a JSON object.")


def body_not_json(field: str, problem: str) -> ApiError:
    return answer(codes.BODY_NOT_JSON, f"{field}: {problem}")


def invalid_body(field: str, problem: str) -> ApiError:
    """A body that parses but does not meet its contract, naming the field."""
    return answer(codes.BODY_NOT_TO_SPEC, f"{field}: {problem}")


def body_fault(exc: ValidationError) -> ApiError:
    """A body its schema refused: incomplete when its only faults are missing fields, else not
    to spec; the detail names every field (`a: ...; b: ...`), so one round trip fixes it."""
    found = problems(exc)
    row = codes.BODY_INCOMPLETE
    if any(message != MISSING_MESSAGE for _field, message in found):
        row = codes.BODY_NOT_TO_SPEC
    return answer(row, "; ".join(f"{field}: {message}" for field, message in found))


def task_body_fault(exc: ValidationError) -> ApiError:
    """A task's create or update body: a name that breaks the naming rule, and nothing else
    wrong, is SMS.7711; any other fault is the body's (`body_fault`)."""
    found = problems(exc)
    if found == [("name", TASK_NAME_RULE)]:
        name = exc.data.get("name") if isinstance(exc.data, dict) else None
        return invalid_task_name(str(name))
    return body_fault(exc)


def invalid_parameter(field: str, problem: str) -> ApiError:
    """A query value or a path part out of its range: SMS.9001, naming it."""
    return answer(codes.INVALID_PARAMETERS, f"{field}: {problem}")


def invalid_task_id() -> ApiError:
    return invalid_parameter("task_id", "It must be 1 to 36 characters of A-Z, a-z, 0-9, _ or -.")


def invalid_id(kind: str) -> ApiError:
    return invalid_parameter(
        f"{kind} id", "It must be 1 to 64 characters of A-Z, a-z, 0-9, _ or -."
    )


def invalid_task_name(name: str) -> ApiError:
    return answer(codes.INVALID_TASK_NAME, f"name {name!r}: {TASK_NAME_RULE}")


# --- tasks ------------------------------------------------------------------------------------


def task_not_found(task_id: str) -> ApiError:
    return answer(codes.TASK_NOT_FOUND, f"No task {task_id} in this project.")


def wrong_state(row: ErrorCode, operation: str, state: str) -> ApiError:
    """An action the task's state does not allow, answered with the lifecycle's row for it."""
    return answer(row, f"The operation {operation} is not allowed in task state {state}.")


def type_change_refused(state: str) -> ApiError:
    return answer(
        codes.TASK_UPDATE_FAILED,
        f"A task's type changes only while it is READY; this task is {state}.",
    )


def cannot_delete_running(task_id: str, state: str) -> ApiError:
    return answer(codes.DELETE_WRONG_STATE, f"The task {task_id} is {state}.")


def export_too_long(limit: int) -> ApiError:
    return answer(
        codes.EXPORT_TOO_LONG,
        "The consistency results of the tasks named pass it; name fewer tasks a request.",
        f"{limit} bytes.",
    )


def task_source_not_found(source_id: str) -> ApiError:
    return answer(codes.TASK_SOURCE_NOT_FOUND, f"source_server.id {source_id} is no source here.")


def source_has_task(source_id: str, task_id: str) -> ApiError:
    return answer(
        codes.SOURCE_HAS_TASK, f"The source server {source_id} already has the task {task_id}."
    )


def target_server_taken(vm_id: str, task_id: str) -> ApiError:
    return answer(
        codes.TARGET_SERVER_TAKEN, f"target_server.vm_id {vm_id} is the target of task {task_id}."
    )


def task_template_not_found(template_id: str) -> ApiError:
    return answer(
        codes.TASK_TEMPLATE_NOT_FOUND, f"vm_template_id {template_id} is no template here."
    )


# --- source servers, templates, migration projects -------------------------------------------


def source_not_found(source_id: str) -> ApiError:
    return answer(codes.SOURCE_NOT_FOUND, f"No source server {source_id} in this project.")


def source_busy(source_id: str, state: str) -> ApiError:
    return answer(codes.SOURCE_BUSY, f"The task of source server {source_id} is {state}.")


def source_has_no_task(source_id: str) -> ApiError:
    return answer(codes.SOURCE_HAS_NO_TASK, f"The source server {source_id} has no task.")


def template_not_found(template_id: str) -> ApiError:
    return answer(codes.TEMPLATE_NOT_FOUND, f"No template {template_id} in this project.")


def template_in_use(template_id: str, task_id: str) -> ApiError:
    return answer(
        codes.TEMPLATE_IN_USE, f"The task {task_id} was created from template {template_id}."
    )


def template_name_taken(name: str) -> ApiError:
    return answer(codes.TEMPLATE_NAME_TAKEN, f"A template named {name!r} exists in this project.")


def migproject_not_found(migproject_id: str) -> ApiError:
    return answer(
        codes.MIGPROJECT_NOT_FOUND, f"No migration project {migproject_id} in this project."
    )


def default_migproject_undeletable(migproject_id: str) -> ApiError:
    return answer(codes.MIGPROJECT_DEFAULT, f"{migproject_id} is the default migration project.")


def migproject_not_empty(migproject_id: str, count: int) -> ApiError:
    return answer(
        codes.MIGPROJECT_NOT_EMPTY,
        f"The migration project {migproject_id} still holds {count} source server(s).",
    )


def migproject_name_taken(name: str) -> ApiError:
    return answer(
        codes.MIGPROJECT_NAME_TAKEN, f"A migration project named {name!r} exists in this project."
    )
