# The hostile table reads one request a line, however long the line.
# ruff: noqa: E501
"""Hostile input: a table of bad requests, each answered as README's error table says ("The HTTP
API", "Errors"), with its exact error body, never a 5xx, and never a change of state; then fuzz:
any request to any route, any action body, any bytes on an SMS call, any token request, any task
id or query, and nothing ever answers 5xx.

The requests of the other `tests/sms/` modules are not repeated here: a request there that is
refused is also checked to change nothing.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any
from urllib.parse import quote

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import event, given, settings
from hypothesis import strategies as st
from werkzeug.test import TestResponse

from sms_mock.contracts.enums import Operation
from sms_mock.contracts.errors import (
    KeystoneErrorSchema,
    SmsErrorSchema,
)
from sms_mock.contracts.iam import TokenResponseSchema
from sms_mock.mock_server import Config, create_app
from sms_mock.mock_server.emulator import Emulator
from sms_mock.mock_server.serving.live import LiveServer
from tests.support import calls
from tests.support.accounts import PROJECT_ID, USER_ID, issue_token
from tests.support.assertions import any_error_code, changes_nothing, error_body, has_request_id
from tests.support.helpers import SEED_ID, loads
from tests.support.operations import operations

# --- the table: one bad request a row ----------------------------------------------------------

TOKEN = "<token>"  # replaced by a valid project-scoped token
JSON = {"Content-Type": "application/json"}
BIG = "x" * 10_300


def row(name: str, method: str, path: str, status: int, code: str, *, body: Any = None,
        headers: dict[str, str] | None = None, auth: bool = True) -> Any:  # fmt: skip
    return pytest.param(method, path, body, headers or {}, auth, status, code, id=name)


HOSTILE = [
    # malformed bodies
    row("action-not-json", "POST", "/v3/tasks/sample-ready/action", 400, "SMS.6010", body=b"{op", headers=JSON),
    row("action-not-utf8", "POST", "/v3/tasks/sample-ready/action", 400, "SMS.6010", body=b'{"operation": "\xff\xfe"}', headers=JSON),
    row("action-nan", "POST", "/v3/tasks/sample-ready/action", 400, "SMS.6010", body=b'{"operation": NaN}', headers=JSON),
    row("action-array", "POST", "/v3/tasks/sample-ready/action", 400, "SMS.6011", body=b"[]", headers=JSON),
    row("action-string", "POST", "/v3/tasks/sample-ready/action", 400, "SMS.6011", body=b'"start"', headers=JSON),
    row("action-deep", "POST", "/v3/tasks/sample-ready/action", 400, "SMS.6011", body=b"[" * 5000, headers=JSON),
    row("delete-many-deep", "POST", "/v3/tasks/delete", 400, "SMS.6011", body=b'{"ids":' * 1400, headers=JSON),
    row("create-not-json", "POST", "/v3/tasks", 400, "SMS.6010", body=b"nope", headers=JSON),
    row("delete-many-not-json", "POST", "/v3/tasks/delete", 400, "SMS.6010", body=b"{", headers=JSON),
    # content type
    row("action-no-content-type", "POST", "/v3/tasks/sample-ready/action", 400, "SMS.6015", body=b'{"operation": "start"}'),
    row("action-text-plain", "POST", "/v3/tasks/sample-ready/action", 400, "SMS.6016", body=b'{"operation": "start"}', headers={"Content-Type": "text/plain"}),
    row("action-form", "POST", "/v3/tasks/sample-ready/action", 400, "SMS.6016", body=b"operation=start", headers={"Content-Type": "application/x-www-form-urlencoded"}),
    row("create-xml", "POST", "/v3/tasks", 400, "SMS.6016", body=b"<task/>", headers={"Content-Type": "application/xml"}),
    row("delete-many-no-content-type", "POST", "/v3/tasks/delete", 400, "SMS.6015", body=b'{"ids": ["a"]}'),
    # size
    row("action-over-10240", "POST", "/v3/tasks/sample-ready/action", 400, "SMS.6014", body={"operation": "start", "template_id": BIG}, headers=JSON),
    row("create-over-10240", "POST", "/v3/tasks", 400, "SMS.6014", body={"name": BIG}, headers=JSON),
    row("delete-many-over-10240", "POST", "/v3/tasks/delete", 400, "SMS.6014", body={"ids": [BIG]}, headers=JSON),
    row("token-over-1mib", "POST", "/v3/auth/tokens", 413, "APIGW.0201", body=b"{" + b" " * (1024 * 1024 + 10) + b"}", headers=JSON, auth=False),
    # wrong types and nulls
    row("operation-number", "POST", "/v3/tasks/sample-ready/action", 400, "SMS.6011", body={"operation": 1}, headers=JSON),
    row("switch-hce-string", "POST", "/v3/tasks/sample-ready/action", 400, "SMS.6011", body={"operation": "start", "switch_hce": "false"}, headers=JSON),
    row("switch-hce-null", "POST", "/v3/tasks/sample-ready/action", 400, "SMS.6011", body={"operation": "start", "switch_hce": None}, headers=JSON),
    row("param-not-strings", "POST", "/v3/tasks/sample-ready/action", 400, "SMS.6011", body={"operation": "start", "param": {"a": 1}}, headers=JSON),
    row("ids-numbers", "POST", "/v3/tasks/delete", 400, "SMS.6011", body={"ids": [1, 2]}, headers=JSON),
    row("create-priority-string", "POST", "/v3/tasks", 400, "SMS.6011", body={"priority": "1"}, headers=JSON),
    # unknown operations
    row("operation-unknown", "POST", "/v3/tasks/sample-ready/action", 400, "SMS.6011", body={"operation": "explode"}, headers=JSON),
    row("operation-padded", "POST", "/v3/tasks/sample-ready/action", 400, "SMS.6011", body={"operation": " start"}, headers=JSON),
    # ids
    row("id-unicode", "GET", "/v3/tasks/%C3%A9t%C3%A9", 400, "SMS.9001"),
    row("id-quote", "POST", "/v3/tasks/a'b/action", 400, "SMS.9001", body={"operation": "start"}, headers=JSON),
    row("id-absent", "GET", "/v3/tasks/absent-task", 404, "SMS.7703"),
    # path traversal and unknown paths
    row("traversal", "GET", "/v3/tasks/../../etc/passwd", 404, "APIGW.0101"),
    row("encoded-traversal", "GET", "/v3/tasks/..%2F..%2Fetc%2Fpasswd", 404, "APIGW.0101"),
    row("unknown-path", "GET", "/v3/servers", 404, "APIGW.0101"),
    row("unknown-version", "GET", "/v4/tasks", 404, "APIGW.0101"),
    row("unknown-under-control", "GET", "/_mock/nothing", 404, "APIGW.0101", auth=False),
    # wrong methods
    row("put-action", "PUT", "/v3/tasks/sample-ready/action", 404, "APIGW.0101", body={}, headers=JSON),
    row("get-action", "GET", "/v3/tasks/sample-ready/action", 404, "APIGW.0101"),
    # query numbers out of range
    row("limit-huge", "GET", "/v3/tasks?limit=99999999999999999999999", 400, "SMS.9001"),
    row("state-unknown", "GET", "/v3/tasks?state=PAUSED", 400, "SMS.9001"),
    # authentication
    row("garbage-token", "GET", "/v3/tasks/sample-ready", 401, "APIGW.0301", headers={"X-Auth-Token": "\x01\x02"}, auth=False),
    row("huge-token", "GET", "/v3/tasks/sample-ready", 401, "APIGW.0301", headers={"X-Auth-Token": "M" * 16000}, auth=False),
    # IAM
    row("token-not-json", "POST", "/v3/auth/tokens", 400, "Bad Request", body=b"{", headers=JSON, auth=False),
    row("token-methods-null", "POST", "/v3/auth/tokens", 400, "Bad Request", body={"auth": {"identity": {"methods": None}}}, headers=JSON, auth=False),
    row("token-deep", "POST", "/v3/auth/tokens", 400, "Bad Request", body=b'{"auth":' * 10_000, headers=JSON),
]  # fmt: skip


def send(client: FlaskClient, token: str, method: str, path: str, body: Any,
         headers: dict[str, str], auth: bool) -> Any:  # fmt: skip
    headers = dict(headers)
    if auth:
        headers["X-Auth-Token"] = token
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    return client.open(path, method=method, data=data, headers=headers)


def test_the_hostile_table_has_at_least_40_rows() -> None:
    assert len(HOSTILE) >= 40


@pytest.mark.parametrize(("method", "path", "body", "headers", "auth", "status", "code"), HOSTILE)
def test_a_hostile_request_gets_its_documented_error_and_changes_nothing(
    client: FlaskClient, emulator: Emulator, token: str, method: str, path: str, body: Any,
    headers: dict[str, str], auth: bool, status: int, code: str,
) -> None:  # fmt: skip
    with changes_nothing(emulator):
        response = send(client, token, method, path, body, headers, auth)
    error_body(response, status, code)


@pytest.mark.parametrize("limit", [1000, 100_000])
def test_a_deep_unterminated_body_is_too_deep_whatever_the_recursion_limit(
    client: FlaskClient, token: str, limit: int
) -> None:
    # Test runners (hypothesis among them) raise the limit; the answer must not depend on it.
    before = sys.getrecursionlimit()
    sys.setrecursionlimit(limit)
    try:
        response = send(
            client, token, "POST", "/v3/tasks/sample-ready/action", b"[" * 5000, JSON, True
        )
    finally:
        sys.setrecursionlimit(before)
    assert "Nested deeper than 32 levels" in error_body(response, 400, "SMS.6011")["error_msg"]


def test_headers_too_large_for_the_server_get_the_gateways_json_body(live: LiveServer) -> None:
    answer = requests.get(
        f"{live.url}/v3/tasks/sample-ready", headers={"X-Auth-Token": "M" * 300_000}, timeout=5
    )
    error_body(answer, 431, "APIGW.0201")
    # The server goes on answering.
    assert requests.get(f"{live.url}/_mock/health", timeout=5).status_code == 200


# --- fuzz: any request to each route ------------------------------------------------------------


def _every_route() -> list[tuple[str, str]]:
    """Every route the app serves and each method it serves it for, placeholders as `{name}`."""
    app = create_app(Config(clock="manual"))
    routes = {
        (method, re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule))
        for rule in app.url_map.iter_rules()
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }
    return sorted(routes)


ROUTES = _every_route()
DOCUMENTED = {(op.method, op.path): op for op in operations()}
# Values that name what the fixtures hold, by placeholder: hostile requests reach existing
# resources as well as absent and malformed ones.
KNOWN = {
    "task_id": ["sample-ready", "sample-running", "sample-abort", SEED_ID],
    "source_id": ["src-linux-file", "src-sample-running"],
    "server_id": ["src-linux-file", "src-sample-running"],
    "id": ["tpl-default"],
    "project_id": [PROJECT_ID],
    "t_project_id": [PROJECT_ID],
    "user_id": [USER_ID],
    "name": ["ready", "failed-at-migrate-40"],
    "filename": ["dashboard.js", "dashboard.css"],
}
HEADER_NAMES = ["Content-Type", "X-Auth-Token", "X-Subject-Token", "X-Project-Id", "Authorization",
                "X-Sdk-Date", "Content-Length", "Accept", "X-Mock-Admin-Token", "Origin"]  # fmt: skip
printable = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40)
any_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=10,
)
# One path segment: a `/` (even as %2F, which WSGI decodes) or a dot segment makes another path,
# which the gateway answers for as an unknown one (the table above has those).
segments = st.text(min_size=1, max_size=40).filter(lambda s: "/" not in s and s not in (".", ".."))
DASHBOARD_TYPES = {"text/html", "text/css", "text/javascript"}


@pytest.fixture(scope="module")
def one_app() -> Flask:
    """One app for the properties below; each example resets it (one emulator per example)."""
    return create_app(Config(clock="manual"))


def fresh(app: Flask) -> tuple[FlaskClient, str]:
    """The app reset to its fixtures, and a token of the default project."""
    app.extensions["sms_mock"].reset()
    client = app.test_client()
    return client, issue_token(client)


@pytest.mark.parametrize(("method", "route"), ROUTES, ids=[f"{m} {r}" for m, r in ROUTES])
# A third of the profile's examples for each pair: every route is reached whatever is drawn.
@settings(max_examples=max(5, settings.default.max_examples // 3))
@given(data=st.data())
def test_any_request_to_each_route_gets_a_documented_answer(
    one_app: Flask, method: str, route: str, data: st.DataObject
) -> None:
    client, token = fresh(one_app)
    path = route
    for name in re.findall(r"{(\w+)}", route):
        value = data.draw(st.sampled_from(KNOWN.get(name, ["x"])) | segments, label=name)
        path = path.replace(f"{{{name}}}", quote(value, safe=""))
    query = data.draw(st.dictionaries(printable, printable, max_size=4), label="query")
    headers = data.draw(st.dictionaries(st.sampled_from(HEADER_NAMES), printable, max_size=4))
    if data.draw(st.booleans(), label="authenticated"):
        headers["X-Auth-Token"] = token
    headers.pop("Content-Length", None)  # the test client sets the true length
    body = data.draw(st.binary(max_size=300) | any_json.map(lambda v: json.dumps(v).encode()))
    response = client.open(path, method=method, query_string=query, data=body, headers=headers)

    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    has_request_id(response)
    if path.startswith("/_mock/ui") and not path.startswith("/_mock/ui/parts/"):
        # The dashboard's pages answer HTML (a form's POST, a redirect) and its static files;
        # a form without its page's own Origin, or with another, is refused (403).
        assert response.status_code in (200, 303, 400, 401, 403, 404), response.status_code
        assert response.is_json or response.mimetype in DASHBOARD_TYPES, response.mimetype
        event(f"{response.status_code}")
        return
    assert response.is_json, response.mimetype
    code = any_error_code(response.get_json()) if response.status_code >= 400 else ""
    event(f"{response.status_code} {code}".strip())
    op = DOCUMENTED.get((method, route))
    if op is not None and response.status_code >= 400:
        # An operation of the OpenAPI document answers only what the document says it may.
        documented = op.answers.get(response.status_code)
        assert documented is not None, f"{op}: {response.status_code} {code} is not documented"
        assert "error" in response.get_json() or code in documented.codes or not documented.codes, (
            f"{op}: {code} is not among the {response.status_code} codes {sorted(documented.codes)}"
        )


# --- fuzz: shaped bodies, bytes, task ids and queries --------------------------------------------

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=12,
)
action_bodies = json_values | st.fixed_dictionaries(
    {},
    optional={
        "operation": st.sampled_from([op.value for op in Operation]) | json_values,
        "template_id": st.text(max_size=300) | json_values,
        "switch_hce": st.booleans() | json_values,
        "is_need_consistency_check": st.booleans() | json_values,
        "param": st.dictionaries(st.text(max_size=8), st.text(max_size=8)) | json_values,
        "unknown": json_values,
    },
)
names = st.sampled_from(["mock-user", "other-user", "nobody"]) | json_values
token_bodies = json_values | st.fixed_dictionaries(
    {
        "auth": st.fixed_dictionaries(
            {},
            optional={
                "identity": st.fixed_dictionaries(
                    {},
                    optional={
                        "methods": st.lists(st.sampled_from(["password", "token"]), max_size=2)
                        | json_values,
                        "password": st.fixed_dictionaries(
                            {
                                "user": st.fixed_dictionaries(
                                    {},
                                    optional={
                                        "id": json_values,
                                        "name": names,
                                        "password": st.sampled_from(["mock-password", "x"])
                                        | json_values,
                                        "domain": st.fixed_dictionaries(
                                            {},
                                            optional={
                                                "id": json_values,
                                                "name": st.just("mock-domain") | json_values,
                                            },
                                        )
                                        | json_values,
                                    },
                                )
                                | json_values
                            }
                        )
                        | json_values,
                        "token": st.fixed_dictionaries({"id": json_values}) | json_values,
                    },
                ),
                "scope": st.fixed_dictionaries(
                    {},
                    optional={
                        "project": st.fixed_dictionaries(
                            {},
                            optional={
                                "id": json_values,
                                "name": st.just("cn-north-4") | json_values,
                                "domain": json_values,
                            },
                        ),
                        "domain": json_values,
                    },
                )
                | json_values,
            },
        )
    }
)
task_ids = st.sampled_from(["sample-ready", "sample-running", "sample-abort", SEED_ID]) | st.text(
    max_size=40
)


def check_no_5xx(response: TestResponse) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)
    has_request_id(response)


@given(
    task_id=st.sampled_from(["sample-ready", "sample-abort", "sample-migrate-success"]),
    body=action_bodies,
)
def test_any_json_action_body_gets_no_5xx(one_app: Flask, task_id: str, body: Any) -> None:
    client, token = fresh(one_app)
    response = calls.act(client, token, task_id, body)

    check_no_5xx(response)
    if response.status_code >= 400:
        loads(SmsErrorSchema, response.get_json())


@given(
    path=st.sampled_from(["/v3/tasks/sample-ready/action", "/v3/tasks", "/v3/tasks/delete"]),
    data=st.binary(max_size=300),
    content_type=st.sampled_from(
        [None, calls.JSON, "text/plain", "application/json; charset=latin-1"]
    ),
)
def test_any_bytes_on_an_sms_post_get_no_5xx(
    one_app: Flask, path: str, data: bytes, content_type: str | None
) -> None:
    client, token = fresh(one_app)
    check_no_5xx(calls.post_raw(client, path, data, calls.auth(token), content_type))


@given(body=token_bodies, nocatalog=st.sampled_from(["", "?nocatalog=true"]))
def test_any_token_request_gets_no_5xx(one_app: Flask, body: Any, nocatalog: str) -> None:
    client, _ = fresh(one_app)  # failed logins count towards a lock-out: none carried over
    response = client.post(f"/v3/auth/tokens{nocatalog}", json=body)

    check_no_5xx(response)
    if response.status_code == 201:
        loads(TokenResponseSchema, response.get_json())
    else:
        loads(KeystoneErrorSchema, response.get_json())


@given(
    task_id=task_ids,
    method=st.sampled_from(["GET", "DELETE", "POST", "PUT", "HEAD"]),
    query=st.dictionaries(
        st.sampled_from(["limit", "offset", "state", "name", "id", "source_server_id", "x"]),
        st.text(max_size=12),
        max_size=3,
    ),
)
def test_any_task_id_or_query_gets_no_5xx(
    one_app: Flask, task_id: str, method: str, query: dict[str, str]
) -> None:
    client, token = fresh(one_app)
    response = client.open(
        f"/v3/tasks/{quote(task_id, safe='')}",
        method=method,
        query_string=query,
        headers=calls.auth(token),
    )

    check_no_5xx(response)
