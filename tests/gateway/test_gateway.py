"""What the API gateway answers before any service sees a request: 404 APIGW.0101 for an unknown
route, 401 APIGW.0301 without a usable token, 403 APIGW.0302 for a token without a project; and
the `X-Request-Id` every answer carries, which a gateway body repeats as `request_id`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from sms_mock.mock_server.emulator import Emulator
from tests.support.accounts import domain_token, issue_token, password_body
from tests.support.assertions import (
    AUTH_FAILED,
    changes_nothing,
    error_body,
    error_message,
)
from tests.support.calls import SMS_CALLS, Call, Headers, act, auth, padded, post_raw, send
from tests.support.helpers import DAY_S, advance, create_body, free_source

# --- 404 APIGW.0101: unknown routes ----------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param("POST", "/", id="post-root"),  # GET / lists the API versions
        pytest.param("GET", "/v3/nothing", id="unknown-path"),
        pytest.param("GET", "/v2/tasks", id="other-version"),
        pytest.param("POST", "/v3/tasks/sample-ready/actions", id="unknown-subpath"),
        pytest.param("PUT", "/v3/tasks/x/action", id="put-action"),
        pytest.param("PATCH", "/v3/tasks/sample-ready", id="patch-task"),
        pytest.param("GET", "/v3/tasks/x/action", id="get-action"),
        pytest.param("DELETE", "/v3/tasks", id="delete-list"),
        pytest.param("OPTIONS", "/v3/tasks", id="options-list"),
        pytest.param("OPTIONS", "/v3/tasks/sample-ready", id="options-task"),
        pytest.param("PUT", "/v3/auth/tokens", id="put-tokens"),
        pytest.param("DELETE", "/v3/auth/tokens", id="delete-tokens"),
        pytest.param("POST", "/v3/projects", id="post-projects"),
    ],
)
def test_unknown_route_or_unserved_method_is_apigw_0101_and_changes_nothing(
    client: FlaskClient, emulator: Emulator, token: str, method: str, path: str
) -> None:
    with changes_nothing(emulator):
        response = client.open(path, method=method, headers=auth(token))

    error_body(response, 404, "APIGW.0101")


def test_unknown_route_is_apigw_0101_before_authentication(client: FlaskClient) -> None:
    error_body(client.put("/v3/tasks/x/action"), 404, "APIGW.0101")


# --- 401 APIGW.0301: no usable token ---------------------------------------------------------


# Each: the headers sent, and the reason the gateway gives after AUTH_FAILED (README, "Errors").
BadToken = tuple[Headers, str]
NOT_FOUND = "x-auth-token not found"
UNKNOWN = "decrypt token fail"


def _no_token(client: FlaskClient) -> BadToken:
    return {}, NOT_FOUND


def _empty_token(client: FlaskClient) -> BadToken:
    return {"X-Auth-Token": ""}, NOT_FOUND


def _unknown_token(client: FlaskClient) -> BadToken:
    return {"X-Auth-Token": "MII" + "Q" * 128}, UNKNOWN


def _malformed_token(client: FlaskClient) -> BadToken:
    return {"X-Auth-Token": "not a token; {}"}, UNKNOWN


def _expired_token(client: FlaskClient) -> BadToken:
    issued = client.post("/v3/auth/tokens", json=password_body())
    assert issued.status_code == 201, issued.get_json()
    advance(client, DAY_S)
    expires_at = issued.get_json()["token"]["expires_at"]
    token = issued.headers["X-Subject-Token"]
    return {"X-Auth-Token": token}, f"token expires, expires_at: {expires_at}"


def _bearer_token(client: FlaskClient) -> BadToken:
    # A valid token in the wrong header is no token at all.
    return {"Authorization": f"Bearer {issue_token(client)}"}, NOT_FOUND


BAD_TOKENS = [
    pytest.param(_no_token, id="no-token"),
    pytest.param(_empty_token, id="empty-token"),
    pytest.param(_unknown_token, id="unknown-token"),
    pytest.param(_malformed_token, id="malformed-token"),
    pytest.param(_expired_token, id="expired-token"),
    pytest.param(_bearer_token, id="bearer-header"),
]


@pytest.mark.parametrize("call", SMS_CALLS)
@pytest.mark.parametrize("bad_token", BAD_TOKENS)
def test_sms_call_without_a_usable_token_is_apigw_0301_and_changes_nothing(
    client: FlaskClient,
    emulator: Emulator,
    bad_token: Callable[[FlaskClient], BadToken],
    call: Call,
) -> None:
    headers, reason = bad_token(client)

    with changes_nothing(emulator):
        response = send(client, call, headers)

    assert error_message(response, 401, "APIGW.0301") == AUTH_FAILED + reason


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/v3/tasks/" + "a" * 37, id="bad-task-id"),
        pytest.param("/v3/tasks/nope", id="absent-task"),
    ],
)
def test_authentication_comes_before_the_task_id(client: FlaskClient, path: str) -> None:
    error_body(client.get(path), 401, "APIGW.0301")


def test_authentication_comes_before_the_body(client: FlaskClient) -> None:
    response = post_raw(client, "/v3/tasks/sample-ready/action", b"{", {}, content_type=None)

    error_body(response, 401, "APIGW.0301")


# --- 403 APIGW.0302: a token not scoped to a project -----------------------------------------


@pytest.mark.parametrize("call", SMS_CALLS)
@pytest.mark.parametrize(
    "scope",
    [
        pytest.param({"domain": {"name": "mock-domain"}}, id="domain-scoped"),
        # An unscoped token is no better than a domain-scoped one for a regional service.
        pytest.param(None, id="unscoped"),
    ],
)
def test_token_not_scoped_to_a_project_is_apigw_0302(
    client: FlaskClient, scope: dict[str, Any] | None, call: Call
) -> None:
    body = password_body(scope=scope)
    if scope is None:
        del body["auth"]["scope"]
    token = issue_token(client, body)

    response = send(client, call, auth(token))

    error_body(response, 403, "APIGW.0302")


# --- X-Request-Id on every answer ------------------------------------------------------------


def own_token(token: str) -> dict[str, str]:
    """Headers that validate one's own token: IAM asks for the caller's token beside it."""
    return {"X-Auth-Token": token, "X-Subject-Token": token}


def _each_answer(client: FlaskClient, token: str) -> dict[str, TestResponse]:
    """One answer of every kind: successes and each error family, on every service."""
    headers = auth(token)
    return {
        "token-201": client.post("/v3/auth/tokens", json=password_body()),
        "validate-200": client.get("/v3/auth/tokens", headers=own_token(token)),
        "validate-head": client.head("/v3/auth/tokens", headers=own_token(token)),
        "projects-200": client.get("/v3/projects?name=cn-north-4", headers=headers),
        "domains-200": client.get("/v3/auth/domains", headers=headers),
        "show-200": client.get("/v3/tasks/sample-ready", headers=headers),
        "show-head": client.head("/v3/tasks/sample-ready", headers=headers),
        "list-200": client.get("/v3/tasks", headers=headers),
        "create-200": client.post(
            "/v3/tasks", json=create_body(free_source(client)), headers=headers
        ),
        "action-200": act(client, token, "sample-ready", {"operation": "network_check"}),
        "delete-200": client.delete("/v3/tasks/sample-abort", headers=headers),
        "control-200": client.get("/_mock/health"),
        "control-201": client.post("/_mock/tasks", json={"id": "t-rid"}),
        "apigw-404": client.get("/nowhere"),
        "apigw-401": client.get("/v3/tasks"),
        "apigw-413": post_raw(client, "/v3/auth/tokens", padded(2 * 1024 * 1024), {}),
        "sms-400": act(client, token, "sample-ready", {"operation": "bogus"}),
        "sms-404": client.get("/v3/tasks/nope", headers=headers),
        "keystone-400": client.post("/v3/auth/tokens", json={}),
        "keystone-401": client.post("/v3/auth/tokens", json=password_body(password="x")),
        "keystone-404": client.get("/v3/auth/tokens", headers={**headers, "X-Subject-Token": "x"}),
    }


def test_every_answer_carries_a_request_id(client: FlaskClient, token: str) -> None:
    answers = _each_answer(client, token)

    missing = [
        name for name, response in answers.items() if not response.headers.get("X-Request-Id")
    ]
    assert missing == []
    assert all(response.status_code < 500 for response in answers.values())


def test_request_ids_differ_between_answers(client: FlaskClient, token: str) -> None:
    answers = _each_answer(client, token)

    ids = [response.headers["X-Request-Id"] for response in answers.values()]
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize(
    ("make", "status", "code"),
    [
        pytest.param(lambda c: c.get("/nowhere"), 404, "APIGW.0101", id="0101"),
        pytest.param(lambda c: c.get("/v3/tasks"), 401, "APIGW.0301", id="0301"),
        pytest.param(
            lambda c: c.get("/v3/tasks", headers=auth(domain_token(c))),
            403,
            "APIGW.0302",
            id="0302",
        ),
        pytest.param(
            lambda c: post_raw(c, "/v3/auth/tokens", padded(2 * 1024 * 1024), {}),
            413,
            "APIGW.0201",
            id="0201",
        ),
    ],
)
def test_apigw_body_request_id_is_the_header(
    client: FlaskClient, make: Callable[[FlaskClient], TestResponse], status: int, code: str
) -> None:
    # error_body checks that a gateway body's request_id is the X-Request-Id header.
    error_body(make(client), status, code)
