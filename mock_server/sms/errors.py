"""SMS error answers: the documented codes where the reference has one, SMS.9xxx where not.

The documented statuses are kept even where they look odd (a too-large body is a 401, as the
SMS error-code page says), so that a client handles what the real service sends.
"""

from __future__ import annotations

from sms_mock.mock_server.core.errors import ApiError, sms_error


def body_too_large() -> ApiError:
    return sms_error(401, "SMS.2004", "The requested content contains more than 10,240 bytes.")


def content_type_missing() -> ApiError:
    return sms_error(401, "SMS.2005", "The request type Content-Type is not specified.")


def content_type_not_json() -> ApiError:
    # Sic: the documented English text says "application or json".
    return sms_error(401, "SMS.2006", "The request type must be application or json.")


def task_not_found(task_id: str) -> ApiError:
    return sms_error(404, "SMS.9001", f"The task {task_id} does not exist.")


def invalid_body(field: str, problem: str) -> ApiError:
    return sms_error(400, "SMS.9002", f"Invalid request: {field}: {problem}")


def invalid_task_id() -> ApiError:
    return sms_error(
        400, "SMS.9004", "Invalid task id: it must be 1 to 36 characters of A-Z, a-z, 0-9, _ or -."
    )


# Wrong-state answers of the legacy codes, with their documented texts.
WRONG_STATE_MESSAGES = {
    "SMS.1038": "Only the tasks that are created or monitored can be paused.",
    "SMS.1039": "Only paused tasks can be resumed.",
    "SMS.1040": "Only migration tasks that fail to be created or migrated can be restarted.",
}


def wrong_state(code: str, operation: str, state: str) -> ApiError:
    if code in WRONG_STATE_MESSAGES:
        message = f"{WRONG_STATE_MESSAGES[code]} (task state {state})"
    else:
        message = f"The operation {operation} is not allowed in task state {state}."
    return sms_error(400, code, message)


def cannot_delete_running(task_id: str, state: str) -> ApiError:
    return sms_error(
        400, "SMS.2015", f"Running and stopping tasks cannot be deleted: {task_id} is {state}."
    )


def internal_error() -> ApiError:
    return sms_error(500, "SMS.2007", "Background exception")


# --- source servers, templates, migration projects -------------------------------------------
# Huawei documents SMS.2216 (a task for a source that does not exist); for the rest it
# documents no code, so these are the emulator's own SMS.9xxx (README, "Errors").


def invalid_id(kind: str) -> ApiError:
    return sms_error(
        400,
        "SMS.9004",
        f"Invalid {kind} id: it must be 1 to 64 characters of A-Z, a-z, 0-9, _ or -.",
    )


def source_not_found(source_id: str) -> ApiError:
    return sms_error(404, "SMS.9010", f"The source server {source_id} does not exist.")


def template_not_found(template_id: str) -> ApiError:
    return sms_error(404, "SMS.9011", f"The template {template_id} does not exist.")


def migproject_not_found(migproject_id: str) -> ApiError:
    return sms_error(404, "SMS.9012", f"The migration project {migproject_id} does not exist.")


def task_source_not_found(source_id: str) -> ApiError:
    return sms_error(
        400,
        "SMS.2216",
        "Failed to create the migration task because the specified source server "
        f"{source_id} does not exist.",
    )


def source_has_task(source_id: str, task_id: str) -> ApiError:
    return sms_error(
        400, "SMS.9013", f"The source server {source_id} already has the migration task {task_id}."
    )


def task_template_not_found(template_id: str) -> ApiError:
    return sms_error(400, "SMS.9011", f"The template {template_id} does not exist.")


def source_busy(source_id: str, state: str) -> ApiError:
    return sms_error(
        400,
        "SMS.9014",
        f"The source server {source_id} cannot be deleted while its task is {state}.",
    )


def default_migproject_undeletable(migproject_id: str) -> ApiError:
    return sms_error(
        400,
        "SMS.9015",
        f"The migration project {migproject_id} is the default: it cannot be deleted.",
    )


def migproject_not_empty(migproject_id: str, count: int) -> ApiError:
    return sms_error(
        400,
        "SMS.9016",
        f"The migration project {migproject_id} still holds {count} source server(s).",
    )


def source_has_no_task(source_id: str) -> ApiError:
    # Documented: SMS.2252, "No migration task is associated with the specified source server."
    return sms_error(
        404, "SMS.2252", f"No migration task is associated with the source server {source_id}."
    )
