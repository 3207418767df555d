"""The client's exceptions: API errors by kind, contract violations, failed tasks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# A 400 with one of these codes means "not in this state", as opposed to "bad request".
from sms_mock.contracts.error_codes import WRONG_STATE_CODES

if TYPE_CHECKING:
    from sms_mock.client.models import Task


class SmsClientError(Exception):
    """Base of every exception this client raises."""


class ApiError(SmsClientError):
    """The service answered an error: its HTTP status, code, message and request id."""

    def __init__(
        self,
        status: int,
        error_code: str | None,
        error_msg: str | None,
        request_id: str | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(f"{status} {error_code}: {error_msg} (request id {request_id})")
        self.status = status
        self.error_code = error_code
        self.error_msg = error_msg
        self.request_id = request_id
        self.body = body


class BadRequest(ApiError):
    """400: the request itself is wrong (SMS.6010-6016 for a body, SMS.9001, a Keystone 400,
    a refusal such as SMS.7112 for a duplicate template name, ...)."""


class WrongState(BadRequest):
    """400: the task is not in a state that allows the operation (SMS.7713, 7714, 7718, 7719,
    7721, 7722, 7706: the catalogue's WRONG_STATE_CODES). SMS.9001 for an operation the table
    has no row for stays a BadRequest: the same code means a bad parameter too."""


class Unauthorized(ApiError):
    """401: no valid credentials (APIGW.0301, wrong password, locked account)."""


class Forbidden(ApiError):
    """403: authenticated, but not allowed (a domain-scoped token on SMS: APIGW.0302)."""


class NotFound(ApiError):
    """404: no such task (SMS.7703), source (7602), template (7101) or migration project (7301)
    in this project, or no such API (APIGW.0101)."""


class ServerError(ApiError):
    """5xx: the service failed; idempotent calls were already retried."""


def api_error(status: int, code: str | None, message: str | None, request_id: str | None,
              body: Any) -> ApiError:  # fmt: skip
    """The most specific ApiError subclass for an answer."""
    cls: type[ApiError]
    if status >= 500:
        cls = ServerError
    elif status == 400:
        cls = WrongState if code in WRONG_STATE_CODES else BadRequest
    else:
        cls = {401: Unauthorized, 403: Forbidden, 404: NotFound}.get(status, ApiError)
    return cls(status, code, message, request_id, body)


class ContractViolation(SmsClientError):
    """A body broke the contract: a wrong type, a missing required field, a value outside its
    enum. `direction` is "response" for what the server sent, "request" for what we would send."""

    def __init__(self, what: str, field: str, problem: str, direction: str = "response",
                 body: Any = None) -> None:  # fmt: skip
        super().__init__(f"{direction} {what}: field {field!r}: {problem}")
        self.what = what
        self.field = field
        self.problem = problem
        self.direction = direction
        self.body = body


class TaskFailed(SmsClientError):
    """A task waited on reached a failure state; `error_json` is what the service said."""

    def __init__(self, task: Task) -> None:
        super().__init__(f"task {task.id} is {task.state}: {task.error_json or 'no error_json'}")
        self.task = task
        self.state = task.state
        self.error_json = task.error_json


class TaskSettledElsewhere(SmsClientError):
    """A task waited on came to rest in a state it was not waited for (SYNC_SUCCESS when
    waiting for MIGRATE_SUCCESS, ABORT): it would not move again by itself."""

    def __init__(self, task: Task, states: tuple[str, ...]) -> None:
        wanted = ", ".join(states)
        super().__init__(f"task {task.id} settled in {task.state} (wanted {wanted})")
        self.task = task
        self.state = task.state
        self.wanted = states


class WaitTimeout(SmsClientError, TimeoutError):
    """A task did not reach the states waited for in time; `task` is the last one seen."""

    def __init__(self, task: Task, states: tuple[str, ...], timeout: float) -> None:
        wanted = ", ".join(states)
        super().__init__(f"task {task.id} still {task.state} after {timeout:g} s (wanted {wanted})")
        self.task = task
