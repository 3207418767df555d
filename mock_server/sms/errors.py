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
