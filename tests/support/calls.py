"""Requests of the error tests, through a Flask test client: raw bodies, and the SMS calls as
data, so that one rule can be checked on every route it applies to."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.support.helpers import create_body

JSON = "application/json"

Headers = dict[str, str]
Call = tuple[str, str, Any]  # method, path, JSON body (None for no body)


def auth(token: str) -> Headers:
    return {"X-Auth-Token": token}


def send(client: FlaskClient, call: Call, headers: Headers) -> TestResponse:
    method, path, body = call
    if body is None:
        return client.open(path, method=method, headers=headers)
    return client.open(path, method=method, json=body, headers=headers)


def post_raw(
    client: FlaskClient,
    path: str,
    data: bytes,
    headers: Headers,
    content_type: str | None = JSON,
    method: str = "POST",
) -> TestResponse:
    """Send `data` as it is, with `content_type` (None: no Content-Type header at all)."""
    if content_type is not None:
        headers = {**headers, "Content-Type": content_type}
    return client.open(path, method=method, data=data, headers=headers)


def act(client: FlaskClient, token: str, task_id: str, body: Any) -> TestResponse:
    return client.post(f"/v3/tasks/{task_id}/action", json=body, headers=auth(token))


def padded(size: int, head: bytes = b'{"pad":"', tail: bytes = b'"}') -> bytes:
    """A JSON object body of exactly `size` bytes."""
    return head + b"x" * (size - len(head) - len(tail)) + tail


# Every SMS call, each on a task of the fixtures where it names one.
SMS_CALLS = [
    pytest.param(("GET", "/v3/tasks/sample-ready", None), id="show"),
    pytest.param(("GET", "/v3/tasks", None), id="list"),
    pytest.param(("POST", "/v3/tasks", create_body()), id="create"),
    pytest.param(("POST", "/v3/tasks/sample-ready/action", {"operation": "start"}), id="action"),
    pytest.param(("DELETE", "/v3/tasks/sample-ready", None), id="delete"),
    pytest.param(("POST", "/v3/tasks/delete", {"ids": ["sample-ready"]}), id="delete-many"),
    pytest.param(("GET", "/v3/sources", None), id="list-sources"),
    pytest.param(("GET", "/v3/sources/src-linux-file", None), id="show-source"),
    pytest.param(("PUT", "/v3/sources/src-linux-file", {"name": "x"}), id="update-source"),
    pytest.param(("DELETE", "/v3/sources/src-linux-file", None), id="delete-source"),
    pytest.param(("GET", "/v3/sources/overview", None), id="overview"),
    pytest.param(("GET", "/v3/errors", None), id="errors"),
    pytest.param(("GET", "/v3/vm/templates/tpl-default", None), id="show-template"),
    pytest.param(("POST", "/v3/vm/templates", {"template": {"name": "t"}}), id="create-template"),
    pytest.param(("GET", "/v3/migprojects", None), id="list-migprojects"),
    pytest.param(("GET", "/v3/config", None), id="config"),
    pytest.param(("POST", "/v3/privacy-agreements", None), id="agree-privacy"),
]
# The SMS calls with a body: (method, path).
SMS_POSTS = [
    pytest.param(("POST", "/v3/tasks/sample-ready/action"), id="action"),
    pytest.param(("POST", "/v3/tasks"), id="create"),
    pytest.param(("POST", "/v3/tasks/delete"), id="delete-many"),
    pytest.param(("POST", "/v3/sources"), id="register-source"),
    pytest.param(("PUT", "/v3/sources/src-linux-file"), id="update-source"),
    pytest.param(("PUT", "/v3/sources/src-linux-file/changestate"), id="changestate"),
    pytest.param(("PUT", "/v3/sources/src-linux-file/diskinfo"), id="diskinfo"),
    pytest.param(("POST", "/v3/sources/delete"), id="delete-sources"),
    pytest.param(("POST", "/v3/vm/templates"), id="create-template"),
    pytest.param(("PUT", "/v3/vm/templates/tpl-default"), id="update-template"),
    pytest.param(("POST", "/v3/vm/templates/delete"), id="delete-templates"),
    pytest.param(("POST", "/v3/migprojects"), id="create-migproject"),
]
# The routes with a task id in the path; `on_task` fills it in.
TASK_ROUTES = [
    pytest.param(("GET", "/v3/tasks/{}", None), id="show"),
    pytest.param(("POST", "/v3/tasks/{}/action", {"operation": "start"}), id="action"),
    pytest.param(("DELETE", "/v3/tasks/{}", None), id="delete"),
]


def on_task(route: Call, task_id: str) -> Call:
    method, path, body = route
    return method, path.format(task_id), body
