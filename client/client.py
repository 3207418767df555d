"""`SmsClient`: the reference client of the SMS v3 API, held to the contract both ways.

Tasks, login and the HTTP plumbing are here; source servers, templates, migration projects, the
project's settings, a task's settings and the history APIs are mixins of their own modules
(sources, templates, migprojects, settings, task_settings, history)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from marshmallow import ValidationError

from sms_mock.client import models
from sms_mock.client.calls import PAGE_SIZE, check_request, every_item
from sms_mock.client.errors import (
    ContractViolation,
    ServerError,
    SmsClientError,
    TaskFailed,
    TaskSettledElsewhere,
    WaitTimeout,
    api_error,
)
from sms_mock.client.history import HistoryMixin
from sms_mock.client.migprojects import MigprojectsMixin
from sms_mock.client.settings import SettingsMixin
from sms_mock.client.sources import SourcesMixin
from sms_mock.client.task_settings import TaskSettingsMixin
from sms_mock.client.templates import TemplatesMixin
from sms_mock.client.transport import RetryPolicy, Transport
from sms_mock.contracts import signing
from sms_mock.contracts.credentials import (
    DEFAULT_DURATION_S,
    CredentialRequestSchema,
    CredentialResponseSchema,
)
from sms_mock.contracts.errors import (
    ApigwErrorSchema,
    IamErrorSchema,
    KeystoneErrorSchema,
    SmsErrorSchema,
)
from sms_mock.contracts.iam import TokenRequestSchema, TokenResponseSchema
from sms_mock.contracts.sms import (
    CreateTaskRequestSchema,
    CreateTaskResponseSchema,
    DeleteTasksRequestSchema,
    TaskActionRequestSchema,
    TaskListQuerySchema,
    TaskListSchema,
    TaskSchema,
)

DEFAULT_FAIL_STATES = ("MIGRATE_FAIL", "SYNC_FAIL")
# States a task rests in until someone acts: waiting on beyond them would only time out.
# READY is not among them: a task created with auto_start leaves it by itself.
DEFAULT_SETTLED_STATES = ("MIGRATE_SUCCESS", "SYNC_SUCCESS", "ABORT", "SYNC_F_ROLLBACK_SUCCESS")
TOKEN_MARGIN_S = 300  # fetch a new token this long before the old one expires
CREDENTIALS_PATH = "/v3.0/OS-CREDENTIAL/securitytokens"


@dataclass
class _CachedToken:
    value: str
    expires_at: float  # epoch seconds
    answer: Any = None  # IAM's JSON body, as it came


@dataclass(frozen=True)
class _AccessKey:
    """An AK/SK pair and the project it acts in: every request is signed as the SDK signs.

    Temporary credentials add their security token, sent (and signed) in `X-Security-Token`.
    """

    ak: str
    sk: str
    project_id: str
    security_token: str | None = None

    def sign(
        self, method: str, url: str, params: dict[str, str] | None, body: bytes | None
    ) -> tuple[str, dict[str, str]]:
        """The URL to send (its query in canonical order, as the SDK sends it) and the headers."""
        parts = urlsplit(url)
        query = sorted((params or {}).items())
        headers = {"Host": parts.netloc, "X-Project-Id": self.project_id}
        if self.security_token is not None:
            headers["X-Security-Token"] = self.security_token
        if body is not None:
            headers["Content-Type"] = "application/json"
        signed = signing.sign(
            method,
            parts.path,
            query,
            headers,
            body or b"",
            ak=self.ak,
            sk=self.sk,
            now=datetime.now(UTC),
        )
        if query:
            url = f"{url}?{signing.canonical_query(query)}"
        return url, signed


CREDENTIALS_HELP = (
    "give either username=, password=, domain= and project= (or project_id=), "
    "or ak=, sk= and project_id= (and security_token= for temporary credentials)"
)


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def password_login_body(
    username: str,
    password: str,
    domain: str,
    project: str | None = None,
    project_id: str | None = None,
) -> dict[str, Any]:
    """The body of IAM's password token request, scoped to the project by id or by name."""
    scope = {"id": project_id} if project_id else {"name": project}
    return {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {"name": username, "password": password, "domain": {"name": domain}}
                },
            },
            "scope": {"project": scope},
        }
    }


class SmsClient(
    SourcesMixin, TemplatesMixin, MigprojectsMixin, SettingsMixin, TaskSettingsMixin, HistoryMixin
):
    """A client of SMS v3 (tasks and their settings, source servers, templates, migration
    projects, settings, the history APIs), logging in to IAM with a password, or signing with
    an AK/SK.

    `endpoint` is the SMS endpoint (`http://127.0.0.1:8080` for the emulator); `iam_endpoint`
    defaults to it. With a password, `project` names the project to scope to (or give
    `project_id`); with `ak=` and `sk=`, every request is signed as the official SDK signs it
    (SDK-HMAC-SHA256) and acts in `project_id`. Temporary credentials (from
    `create_temporary_credential`) also give `security_token=`.
    """

    def __init__(
        self,
        endpoint: str,
        *,
        username: str | None = None,
        password: str | None = None,
        domain: str | None = None,
        project: str | None = None,
        project_id: str | None = None,
        ak: str | None = None,
        sk: str | None = None,
        security_token: str | None = None,
        iam_endpoint: str | None = None,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.iam_endpoint = (iam_endpoint or endpoint).rstrip("/")
        self._access_key: _AccessKey | None = None
        self._login: dict[str, Any] | None = None
        password_given = any(v is not None for v in (username, password, domain))
        if ak is not None or sk is not None:
            if password_given or project:
                raise ValueError(f"AK/SK and a password do not mix: {CREDENTIALS_HELP}")
            if not (ak and sk and project_id):
                raise ValueError(
                    f"AK/SK signing needs ak=, sk= and project_id=: {CREDENTIALS_HELP}"
                )
            self._access_key = _AccessKey(ak, sk, project_id, security_token)
        elif security_token is not None:
            raise ValueError(
                f"security_token= goes with a temporary ak= and sk=: {CREDENTIALS_HELP}"
            )
        elif username is None or password is None or domain is None:
            raise ValueError(f"missing credentials: {CREDENTIALS_HELP}")
        elif not (project or project_id):
            raise ValueError("give the project's name (project=) or its id (project_id=)")
        else:
            self._login = password_login_body(username, password, domain, project, project_id)
        self._token: _CachedToken | None = None
        self._sleep = sleep
        self._transport = Transport(
            session or requests.Session(), timeout, retry or RetryPolicy(), sleep
        )

    def close(self) -> None:
        """Close the HTTP connections this client keeps open."""
        self._transport.session.close()

    def __enter__(self) -> SmsClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- IAM ----------------------------------------------------------------------------------

    def token(self) -> str:
        """A valid token: the cached one, or a new one shortly before that expires."""
        if self._login is None:
            raise SmsClientError("this client signs with an AK/SK: it has no password to log in")
        cached = self._token
        if cached is None or time.time() >= cached.expires_at - TOKEN_MARGIN_S:
            cached = self._token = self._issue_token()
        return cached.value

    def _issue_token(self) -> _CachedToken:
        assert self._login is not None
        check_request(TokenRequestSchema, self._login, "token request")
        response = self._transport.send(
            "POST", f"{self.iam_endpoint}/v3/auth/tokens", json=self._login, idempotent=True
        )
        if response.status_code != 201:
            raise self._error(response)
        answer = self._json(response, "token")
        body = models.load(TokenResponseSchema, answer, "token")
        value = response.headers.get("X-Subject-Token")
        if not value:
            raise ContractViolation("token", "X-Subject-Token", "missing header")
        try:
            expires_at = _epoch(body.token.expires_at)
        except ValueError as exc:  # matches the pattern, but no such day (February 30)
            raise ContractViolation("token", "token.expires_at", "not a real time") from exc
        return _CachedToken(value, expires_at, answer)

    def token_answer(self) -> Any:
        """IAM's JSON answer to the call that issued `token()`'s token, as it came (the token
        itself is its X-Subject-Token header, not in the body)."""
        self.token()
        assert self._token is not None
        return self._token.answer

    def create_temporary_credential(self, duration_seconds: int = DEFAULT_DURATION_S) -> Any:
        """Temporary credentials for this client's user, valid `duration_seconds` (900 to 86400)
        on the server's clock: `.access`, `.secret`, `.securitytoken`, `.expires_at`. Use them
        as `SmsClient(url, ak=c.access, sk=c.secret, security_token=c.securitytoken,
        project_id=...)`."""
        body = {
            "auth": {
                "identity": {"methods": ["token"], "token": {"duration_seconds": duration_seconds}}
            }
        }
        check_request(CredentialRequestSchema, body, "temporary credential request")
        answer = self._call(
            "POST", CREDENTIALS_PATH, idempotent=False, body=body, base=self.iam_endpoint
        )
        return models.load(CredentialResponseSchema, answer, "temporary credential").credential

    # --- SMS ----------------------------------------------------------------------------------

    def get_task(self, task_id: str) -> models.Task:
        """The task (`client.models.Task`)."""
        body = self._call("GET", f"/v3/tasks/{task_id}", idempotent=True)
        return models.load(TaskSchema, body, "task")

    def list_tasks(
        self,
        *,
        state: str | None = None,
        name: str | None = None,
        id: str | None = None,
        source_server_id: str | None = None,
        enterprise_project_id: str | None = None,
        page_size: int = PAGE_SIZE,
    ) -> Iterator[models.TaskSummary]:
        """Every matching task (`client.models.TaskSummary`), page after page."""
        query = {
            key: value
            for key, value in {
                "state": state,
                "name": name,
                "id": id,
                "source_server_id": source_server_id,
                "enterprise_project_id": enterprise_project_id,
            }.items()
            if value is not None
        }
        yield from every_item(
            lambda limit, offset: self.list_tasks_page(limit=limit, offset=offset, **query),
            "tasks",
            page_size,
        )

    def list_tasks_page(
        self, *, limit: int = PAGE_SIZE, offset: int = 0, **query: str
    ) -> models.TaskPage:
        """One page (`client.models.TaskPage`: `count` of all matches, `tasks` of this page)."""
        params = {**query, "limit": str(limit), "offset": str(offset)}
        check_request(TaskListQuerySchema, params, "task list query")
        body = self._call("GET", "/v3/tasks", params=params, idempotent=True)
        return models.load(TaskListSchema, body, "task list")

    def create_task(self, body: dict[str, Any]) -> str:
        """Create a task from a PostTask body; its id."""
        check_request(CreateTaskRequestSchema, body, "create task request")
        answer = self._call("POST", "/v3/tasks", body=body, idempotent=False)
        return models.load(CreateTaskResponseSchema, answer, "create task response").id

    def delete_task(self, task_id: str) -> None:
        self._call("DELETE", f"/v3/tasks/{task_id}", idempotent=False)

    def delete_tasks(self, task_ids: Iterable[str]) -> None:
        """Delete several tasks, all or none."""
        body = {"ids": list(task_ids)}
        check_request(DeleteTasksRequestSchema, body, "delete tasks request")
        self._call("POST", "/v3/tasks/delete", body=body, idempotent=False)

    def task_action(self, task_id: str, operation: str, **fields: Any) -> None:
        """POST /v3/tasks/{id}/action with `{"operation": ..., **fields}`."""
        body = {"operation": operation, **fields}
        check_request(TaskActionRequestSchema, body, "task action request")
        self._call("POST", f"/v3/tasks/{task_id}/action", body=body, idempotent=False)

    def start_task(self, task_id: str) -> None:
        self.task_action(task_id, "start")

    def stop_task(self, task_id: str) -> None:
        self.task_action(task_id, "stop")

    def restart_task(self, task_id: str) -> None:
        self.task_action(task_id, "restart")

    def wait_for_state(
        self,
        task_id: str,
        states: str | Iterable[str],
        *,
        timeout: float = 3600.0,
        interval: float = 5.0,
        fail_states: Iterable[str] = DEFAULT_FAIL_STATES,
        settled_states: Iterable[str] = DEFAULT_SETTLED_STATES,
        on_poll: Callable[[Any], None] | None = None,
    ) -> Any:
        """Poll until the task is in one of `states`; TaskFailed on a fail state,
        TaskSettledElsewhere on another state it rests in (`settled_states`), WaitTimeout
        after `timeout` seconds. `on_poll(task)` sees every task read."""
        wanted = (states,) if isinstance(states, str) else tuple(states)
        failing = frozenset(fail_states) - set(wanted)
        resting = frozenset(settled_states) - set(wanted) - failing
        deadline = time.monotonic() + timeout
        while True:
            task = self.get_task(task_id)
            if on_poll is not None:
                on_poll(task)
            if task.state in wanted:
                return task
            if task.state in failing:
                raise TaskFailed(task)
            if task.state in resting:
                raise TaskSettledElsewhere(task, wanted)
            left = deadline - time.monotonic()
            if left <= 0:
                raise WaitTimeout(task, wanted, timeout)
            self._sleep(min(interval, left))

    # --- plumbing -----------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        *,
        idempotent: bool,
        body: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
        text: bool = False,
        base: str | None = None,
    ) -> Any:
        """One call with the cached token, to SMS (or to `base`, IAM's endpoint); a 401
        APIGW.0301 fetches a new token once. Its JSON answer, or with `text` the answer's text
        as it came."""
        base = self.endpoint if base is None else base
        if self._access_key is not None:
            response = self._signed_call(method, base + path, idempotent, body, params)
            if response.status_code >= 400:
                raise self._error(response)
            return response.text if text else self._json(response, f"{method} {path}")
        for attempt in (1, 2):
            headers = {"X-Auth-Token": self.token()}
            response = self._transport.send(
                method,
                f"{base}{path}",
                json=body,
                params=params,
                headers=headers,
                idempotent=idempotent,
            )
            if response.status_code == 401 and attempt == 1 and _is_gateway_401(response):
                self._token = None  # expired or revoked on the server's clock: log in again
                continue
            break
        if response.status_code >= 400:
            raise self._error(response)
        return response.text if text else self._json(response, f"{method} {path}")

    def _signed_call(
        self,
        method: str,
        url: str,
        idempotent: bool,
        body: dict[str, Any] | None,
        params: dict[str, str] | None,
    ) -> requests.Response:
        """One call signed with the AK/SK: no token, so nothing to fetch again on a 401."""
        assert self._access_key is not None
        data = None if body is None else json.dumps(body).encode("utf-8")
        url, headers = self._access_key.sign(method, url, params, data)
        return self._transport.send(method, url, data=data, headers=headers, idempotent=idempotent)

    @staticmethod
    def _json(response: requests.Response, what: str) -> Any:
        if not response.content:
            return {}
        try:
            return response.json()
        except ValueError as exc:
            raise ContractViolation(what, "body", "not JSON", body=response.text[:200]) from exc

    @staticmethod
    def _error(response: requests.Response) -> Exception:
        """The typed exception of an error answer, from whichever error format it carries."""
        request_id = response.headers.get("X-Request-Id")
        try:
            body = response.json()
        except ValueError:
            body = None
        status = response.status_code
        for schema in (ApigwErrorSchema, SmsErrorSchema, IamErrorSchema):
            try:
                loaded = schema().load(body)
            except ValidationError:
                continue
            return api_error(status, loaded["error_code"], loaded["error_msg"], request_id, body)
        try:
            error = KeystoneErrorSchema().load(body)["error"]
        except ValidationError:
            if status >= 500:
                return ServerError(status, None, response.text[:200], request_id, body)
            return ContractViolation(
                f"{status} error", "body", "not an SMS, gateway, IAM or Keystone error", body=body
            )
        return api_error(status, str(error["code"]), error["message"], request_id, body)


def _is_gateway_401(response: requests.Response) -> bool:
    try:
        return response.json().get("error_code") == "APIGW.0301"
    except (ValueError, AttributeError):
        return False
