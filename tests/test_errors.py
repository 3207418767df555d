"""The error table of design 3.3, row by row, plus the rules every answer keeps.

Every error is checked for its status, its exact code and the contract schema of its body;
every answer carries `X-Request-Id`, and an APIGW body repeats it as `request_id`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import TestResponse

from sms_mock.contracts.enums import Operation
from sms_mock.contracts.errors import ApigwErrorSchema, KeystoneErrorSchema, SmsErrorSchema
from sms_mock.contracts.iam import TokenResponseSchema
from tests.support.helpers import (
    SEED_EXAMPLE,
    advance,
    create_body,
    issue_token,
    loads,
    other_user_token,
    password_body,
    put_task,
)

DAY_S = 24 * 3600
SEED_ID = "8abda8635e09d185015e09d188dd0001xx"
JSON = "application/json"
AUTH_FAILED = "Incorrect IAM authentication information: "

Headers = dict[str, str]
Call = tuple[str, str, Any]  # method, path, JSON body (None for no body)


# --- checks ----------------------------------------------------------------------------------


def has_request_id(response: TestResponse) -> str:
    request_id = response.headers.get("X-Request-Id", "")
    assert request_id, f"no X-Request-Id on a {response.status_code} answer"
    return request_id


def sms_error(response: TestResponse, status: int, code: str) -> str:
    """The error_msg of an SMS error body, after checking status, code and schema."""
    assert response.status_code == status, response.get_data(as_text=True)
    has_request_id(response)
    body = response.get_json()
    loads(SmsErrorSchema, body)
    assert set(body) == {"error_code", "error_msg"}
    assert body["error_code"] == code
    return body["error_msg"]


def apigw_error(response: TestResponse, status: int, code: str) -> str:
    """The error_msg of a gateway error body; its request_id must be the header's."""
    assert response.status_code == status, response.get_data(as_text=True)
    request_id = has_request_id(response)
    body = response.get_json()
    loads(ApigwErrorSchema, body)
    assert set(body) == {"error_code", "error_msg", "request_id"}
    assert body["error_code"] == code
    assert body["request_id"] == request_id
    return body["error_msg"]


def keystone_error(response: TestResponse, status: int, title: str) -> str:
    """The message of a Keystone error body, after checking status, code, title and schema."""
    assert response.status_code == status, response.get_data(as_text=True)
    has_request_id(response)
    body = response.get_json()
    loads(KeystoneErrorSchema, body)
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "title"}
    assert body["error"]["code"] == status
    assert body["error"]["title"] == title
    return body["error"]["message"]


# --- requests --------------------------------------------------------------------------------


def auth(token: str) -> Headers:
    return {"X-Auth-Token": token}


def send(client: FlaskClient, call: Call, headers: Headers) -> TestResponse:
    method, path, body = call
    if body is None:
        return client.open(path, method=method, headers=headers)
    return client.open(path, method=method, json=body, headers=headers)


def post_raw(
    client: FlaskClient, path: str, data: bytes, headers: Headers, content_type: str | None = JSON
) -> TestResponse:
    if content_type is not None:
        headers = {**headers, "Content-Type": content_type}
    return client.post(path, data=data, headers=headers)


def act(client: FlaskClient, token: str, task_id: str, body: Any) -> TestResponse:
    return client.post(f"/v3/tasks/{task_id}/action", json=body, headers=auth(token))


def padded(size: int, head: bytes = b'{"pad":"', tail: bytes = b'"}') -> bytes:
    """A JSON object body of exactly `size` bytes."""
    return head + b"x" * (size - len(head) - len(tail)) + tail


def domain_token(client: FlaskClient) -> str:
    return issue_token(client, password_body(scope={"domain": {"name": "mock-domain"}}))


def project_token(client: FlaskClient, project: str) -> str:
    return issue_token(client, password_body(scope={"project": {"name": project}}))


SMS_CALLS = [
    pytest.param(("GET", "/v3/tasks/sample-ready", None), id="show"),
    pytest.param(("GET", "/v3/tasks", None), id="list"),
    pytest.param(("POST", "/v3/tasks", create_body()), id="create"),
    pytest.param(("POST", "/v3/tasks/sample-ready/action", {"operation": "start"}), id="action"),
    pytest.param(("DELETE", "/v3/tasks/sample-ready", None), id="delete"),
    pytest.param(("POST", "/v3/tasks/delete", {"ids": ["sample-ready"]}), id="delete-many"),
]
SMS_POSTS = [
    pytest.param("/v3/tasks/sample-ready/action", id="action"),
    pytest.param("/v3/tasks", id="create"),
    pytest.param("/v3/tasks/delete", id="delete-many"),
]
TASK_ROUTES = [
    pytest.param(("GET", "/v3/tasks/{}", None), id="show"),
    pytest.param(("POST", "/v3/tasks/{}/action", {"operation": "start"}), id="action"),
    pytest.param(("DELETE", "/v3/tasks/{}", None), id="delete"),
]


def on_task(route: Call, task_id: str) -> Call:
    method, path, body = route
    return method, path.format(task_id), body


# --- 404 APIGW.0101: unknown routes ----------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param("POST", "/", id="post-root"),  # GET / lists the API versions
        pytest.param("GET", "/v3/nothing", id="unknown-path"),
        pytest.param("GET", "/v2/tasks", id="other-version"),
        pytest.param("POST", "/v3/tasks/sample-ready/actions", id="unknown-subpath"),
        pytest.param("PUT", "/v3/tasks/x", id="put-task"),
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
def test_unknown_route_or_unserved_method_is_apigw_0101(
    client: FlaskClient, token: str, method: str, path: str
) -> None:
    response = client.open(path, method=method, headers=auth(token))

    apigw_error(response, 404, "APIGW.0101")


def test_unknown_route_is_apigw_0101_before_authentication(client: FlaskClient) -> None:
    apigw_error(client.put("/v3/tasks/x"), 404, "APIGW.0101")


# --- 401 APIGW.0301: no usable token ---------------------------------------------------------


def _no_token(client: FlaskClient) -> Headers:
    return {}


def _empty_token(client: FlaskClient) -> Headers:
    return {"X-Auth-Token": ""}


def _unknown_token(client: FlaskClient) -> Headers:
    return {"X-Auth-Token": "MII" + "Q" * 128}


def _malformed_token(client: FlaskClient) -> Headers:
    return {"X-Auth-Token": "not a token; {}"}


def _expired_token(client: FlaskClient) -> Headers:
    token = issue_token(client)
    advance(client, DAY_S)
    return {"X-Auth-Token": token}


def _bearer_token(client: FlaskClient) -> Headers:
    # A valid token in the wrong header is no token at all.
    return {"Authorization": f"Bearer {issue_token(client)}"}


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
def test_sms_call_without_a_usable_token_is_apigw_0301(
    client: FlaskClient, bad_token: Callable[[FlaskClient], Headers], call: Call
) -> None:
    response = send(client, call, bad_token(client))

    assert apigw_error(response, 401, "APIGW.0301").startswith(AUTH_FAILED)


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/v3/tasks/" + "a" * 37, id="bad-task-id"),
        pytest.param("/v3/tasks/nope", id="absent-task"),
    ],
)
def test_authentication_comes_before_the_task_id(client: FlaskClient, path: str) -> None:
    apigw_error(client.get(path), 401, "APIGW.0301")


def test_authentication_comes_before_the_body(client: FlaskClient) -> None:
    response = post_raw(client, "/v3/tasks/sample-ready/action", b"{", {}, content_type=None)

    apigw_error(response, 401, "APIGW.0301")


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

    apigw_error(response, 403, "APIGW.0302")


# --- 401 SMS.2004-2006: body size and Content-Type -------------------------------------------


@pytest.mark.parametrize("size", [10_241, 64 * 1024, 2 * 1024 * 1024])
@pytest.mark.parametrize("path", SMS_POSTS)
def test_sms_body_over_10240_bytes_is_sms_2004(
    client: FlaskClient, token: str, path: str, size: int
) -> None:
    response = post_raw(client, path, padded(size), auth(token))

    sms_error(response, 401, "SMS.2004")


def test_sms_body_of_exactly_10240_bytes_is_read(client: FlaskClient, token: str) -> None:
    body = padded(10_240, head=b'{"operation":"start","param":{"pad":"', tail=b'"}}')

    response = post_raw(client, "/v3/tasks/sample-ready/action", body, auth(token))

    assert response.status_code == 200, response.get_json()


@pytest.mark.parametrize("path", SMS_POSTS)
def test_sms_post_without_content_type_is_sms_2005(
    client: FlaskClient, token: str, path: str
) -> None:
    response = post_raw(client, path, b'{"operation":"start"}', auth(token), content_type=None)

    sms_error(response, 401, "SMS.2005")


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/xml",
        "application/jsonp",
        "text/json",
    ],
)
@pytest.mark.parametrize("path", SMS_POSTS)
def test_sms_post_with_a_non_json_content_type_is_sms_2006(
    client: FlaskClient, token: str, path: str, content_type: str
) -> None:
    response = post_raw(client, path, b'{"operation":"start"}', auth(token), content_type)

    sms_error(response, 401, "SMS.2006")


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json;charset=utf-8", "Application/JSON"]
)
def test_sms_post_with_a_json_content_type_is_read(
    client: FlaskClient, token: str, content_type: str
) -> None:
    response = post_raw(
        client, "/v3/tasks/sample-ready/action", b'{"operation":"start"}', auth(token), content_type
    )

    assert response.status_code == 200, response.get_json()


# --- 400 SMS.9002: the action body -----------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field"),
    [
        pytest.param(b'{"operation":', "body", id="truncated-json"),
        pytest.param(b"operation=start", "body", id="not-json"),
        pytest.param(b"", "body", id="empty-body"),
        pytest.param(b'["start"]', "body", id="json-array"),
        pytest.param(b"null", "body", id="json-null"),
        pytest.param(b'{"operation":"start",}', "body", id="trailing-comma"),
        pytest.param(b'{"operation":"start","x":NaN}', "body", id="nan"),
        pytest.param(b"\xff\xfe{}", "body", id="not-utf8"),
        pytest.param(b'{"operation":5}', "operation", id="operation-number"),
        pytest.param(b'{"operation":null}', "operation", id="operation-null"),
        pytest.param(b'{"operation":["start"]}', "operation", id="operation-list"),
        pytest.param(b"{}", "operation", id="operation-missing"),
        pytest.param(b'{"switch_hce":true}', "operation", id="only-switch-hce"),
        pytest.param(b'{"operation":"launch"}', "operation", id="unknown-operation"),
        pytest.param(b'{"operation":"START"}', "operation", id="operation-upper-case"),
        pytest.param(b'{"operation":""}', "operation", id="operation-empty"),
        pytest.param(b'{"operation":"start","switch_hce":"true"}', "switch_hce", id="bool-str"),
        pytest.param(b'{"operation":"start","switch_hce":1}', "switch_hce", id="bool-int"),
        pytest.param(
            b'{"operation":"start","is_need_consistency_check":0}',
            "is_need_consistency_check",
            id="bool-zero",
        ),
        pytest.param(b'{"operation":"clone_test","template_id":5}', "template_id", id="id-int"),
        pytest.param(b'{"operation":"start","param":{"k":1}}', "param", id="param-value-int"),
        pytest.param(b'{"operation":"start","param":"k=v"}', "param", id="param-string"),
        pytest.param(b'{"operation":"start","bogus":true}', "bogus", id="unknown-key"),
        pytest.param(b'{"operation":"start","Operation":"stop"}', "Operation", id="key-case"),
    ],
)
def test_invalid_action_body_is_sms_9002_naming_the_field(
    client: FlaskClient, token: str, data: bytes, field: str
) -> None:
    response = post_raw(client, "/v3/tasks/sample-ready/action", data, auth(token))

    assert field in sms_error(response, 400, "SMS.9002")


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"operation": "clone_test"}, id="missing"),
        pytest.param({"operation": "clone_test", "template_id": ""}, id="empty"),
    ],
)
def test_clone_test_without_template_id_is_sms_9002(
    client: FlaskClient, token: str, body: dict[str, Any]
) -> None:
    # On a MIGRATE_SUCCESS task, where clone_test is allowed: the body is what is wrong.
    response = act(client, token, "sample-migrate-success", body)

    assert "template_id" in sms_error(response, 400, "SMS.9002")


# --- 400 SMS.9004 and 404 SMS.9001: task ids -------------------------------------------------


@pytest.mark.parametrize("route", TASK_ROUTES)
@pytest.mark.parametrize(
    "task_id",
    [
        pytest.param("a" * 37, id="37-chars"),
        pytest.param(SEED_ID + "abc", id="seed-plus-3"),
        pytest.param("a.b", id="dot"),
        pytest.param("a%20b", id="space"),
        pytest.param("a~b", id="tilde"),
        pytest.param("a@b", id="at"),
        pytest.param("a+b", id="plus"),
        pytest.param("a%00b", id="nul"),
        pytest.param("caf%C3%A9", id="non-ascii"),
        pytest.param("..", id="dot-dot"),
    ],
)
def test_task_id_outside_the_rule_is_sms_9004(
    client: FlaskClient, token: str, task_id: str, route: Call
) -> None:
    response = send(client, on_task(route, task_id), auth(token))

    sms_error(response, 400, "SMS.9004")


@pytest.mark.parametrize("route", TASK_ROUTES)
@pytest.mark.parametrize(
    "task_id",
    [
        pytest.param("sample-ready%0A", id="trailing-newline"),
        pytest.param("a" * 36 + "%0A", id="37"),
    ],
)
def test_task_id_with_a_trailing_newline_is_sms_9004(
    client: FlaskClient, token: str, task_id: str, route: Call
) -> None:
    response = send(client, on_task(route, task_id), auth(token))

    sms_error(response, 400, "SMS.9004")


@pytest.mark.parametrize("route", TASK_ROUTES)
@pytest.mark.parametrize(
    "task_id",
    [
        pytest.param("x", id="1-char"),
        pytest.param("A_b-9", id="all-classes"),
        pytest.param("f" * 36, id="36-chars"),
        pytest.param("0" * 32, id="hex-32"),
        pytest.param(SEED_ID[:-1] + "y", id="34-chars-like-the-seed"),
    ],
)
def test_absent_task_within_the_id_rule_is_sms_9001(
    client: FlaskClient, token: str, task_id: str, route: Call
) -> None:
    response = send(client, on_task(route, task_id), auth(token))

    assert task_id in sms_error(response, 404, "SMS.9001")


def test_seed_task_with_its_34_character_id_is_found(client: FlaskClient, token: str) -> None:
    response = client.get(f"/v3/tasks/{SEED_ID}", headers=auth(token))

    assert response.status_code == 200
    assert len(SEED_ID) == 34
    assert response.get_json()["id"] == SEED_EXAMPLE["id"] == SEED_ID


@pytest.mark.parametrize(
    ("project", "owner_token"),
    [
        pytest.param("eu-west-101", other_user_token, id="other-domain"),
        pytest.param(
            "ap-southeast-3",
            lambda client: project_token(client, "ap-southeast-3"),
            id="same-domain-other-project",
        ),
    ],
)
@pytest.mark.parametrize("route", TASK_ROUTES)
def test_another_projects_task_is_sms_9001_as_if_absent(
    client: FlaskClient,
    token: str,
    route: Call,
    project: str,
    owner_token: Callable[[FlaskClient], str],
) -> None:
    put_task(client, {"id": "t-elsewhere", "state": "READY"}, project=project)

    elsewhere = send(client, on_task(route, "t-elsewhere"), auth(token))
    absent = send(client, on_task(route, "t-nowhere"), auth(token))

    message = sms_error(elsewhere, 404, "SMS.9001")
    assert message == sms_error(absent, 404, "SMS.9001").replace("t-nowhere", "t-elsewhere")
    owner = client.get("/v3/tasks/t-elsewhere", headers=auth(owner_token(client)))
    assert owner.status_code == 200
    assert owner.get_json()["state"] == "READY"


def test_another_domains_user_cannot_see_a_default_task(client: FlaskClient) -> None:
    response = client.get("/v3/tasks/sample-ready", headers=auth(other_user_token(client)))

    sms_error(response, 404, "SMS.9001")


def test_another_projects_task_is_not_listed(client: FlaskClient, token: str) -> None:
    put_task(client, {"id": "t-elsewhere", "state": "READY"}, project="ap-southeast-3")

    response = client.get("/v3/tasks", query_string={"id": "t-elsewhere"}, headers=auth(token))

    assert response.get_json() == {"count": 0, "tasks": []}


# --- 400 SMS.9002: the list query and the delete-many body -----------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        pytest.param("limit=201", "limit", id="limit-201"),
        pytest.param("limit=-1", "limit", id="limit-negative"),
        pytest.param("limit=abc", "limit", id="limit-abc"),
        pytest.param("limit=", "limit", id="limit-empty"),
        pytest.param("limit=1.5", "limit", id="limit-decimal"),
        pytest.param("limit=%2B5", "limit", id="limit-plus-sign"),
        pytest.param("limit=%205", "limit", id="limit-space"),
        pytest.param("offset=65536", "offset", id="offset-65536"),
        pytest.param("offset=-1", "offset", id="offset-negative"),
        pytest.param("offset=x", "offset", id="offset-x"),
        pytest.param("state=BOGUS", "state", id="state-bogus"),
        pytest.param("state=ready", "state", id="state-lower-case"),
        pytest.param("id=a.b", "id", id="id-dot"),
        pytest.param("id=" + "a" * 37, "id", id="id-37-chars"),
        pytest.param(
            "limit=%D9%A3",
            "limit",
            id="limit-arabic-indic-digit",
        ),
        pytest.param(
            "id=abc%0A",
            "id",
            id="id-trailing-newline",
        ),
    ],
)
def test_invalid_list_query_is_sms_9002_naming_the_field(
    client: FlaskClient, token: str, query: str, field: str
) -> None:
    response = client.get(f"/v3/tasks?{query}", headers=auth(token))

    assert field in sms_error(response, 400, "SMS.9002")


@pytest.mark.parametrize("query", ["limit=0", "limit=200", "offset=65535", "offset=0&limit=1"])
def test_list_query_at_its_bounds_is_read(client: FlaskClient, token: str, query: str) -> None:
    response = client.get(f"/v3/tasks?{query}", headers=auth(token))

    assert response.status_code == 200
    assert response.get_json()["count"] == 6


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({}, "ids", id="ids-missing"),
        pytest.param({"ids": []}, "ids", id="ids-empty"),
        pytest.param({"ids": "sample-ready"}, "ids", id="ids-string"),
        pytest.param({"ids": {"0": "sample-ready"}}, "ids", id="ids-object"),
        pytest.param({"ids": None}, "ids", id="ids-null"),
        pytest.param({"ids": [5]}, "ids", id="id-number"),
        pytest.param({"ids": ["a.b"]}, "ids", id="id-outside-rule"),
        pytest.param({"ids": ["t"] * 101}, "ids", id="101-ids"),
        pytest.param({"ids": ["sample-ready"], "force": True}, "force", id="unknown-key"),
    ],
)
def test_invalid_delete_many_body_is_sms_9002_naming_the_field(
    client: FlaskClient, token: str, body: dict[str, Any], field: str
) -> None:
    response = client.post("/v3/tasks/delete", json=body, headers=auth(token))

    assert field in sms_error(response, 400, "SMS.9002")


# --- 400 wrong state: SMS.1038 / 1039 / 1040 / 9003 / 2015 ----------------------------------


WRONG_STATES = [
    ("sample-ready", {"operation": "stop"}, "SMS.1038", "Only the tasks that are created"),
    ("sample-abort", {"operation": "stop"}, "SMS.1038", "Only the tasks that are created"),
    ("sample-migrate-success", {"operation": "stop"}, "SMS.1038", "Only the tasks that"),
    ("sample-migrate-fail", {"operation": "stop"}, "SMS.1038", "Only the tasks that"),
    ("sample-running", {"operation": "start"}, "SMS.1039", "Only paused tasks can be resumed"),
    (SEED_ID, {"operation": "start"}, "SMS.1039", "Only paused tasks can be resumed"),
    ("sample-ready", {"operation": "restart"}, "SMS.1040", "Only migration tasks that fail"),
    ("sample-running", {"operation": "restart"}, "SMS.1040", "Only migration tasks that"),
    ("sample-migrate-success", {"operation": "restart"}, "SMS.1040", "Only migration tasks"),
    ("sample-ready", {"operation": "test"}, "SMS.9003", "test"),
    ("sample-ready", {"operation": "cutover"}, "SMS.9003", "cutover"),
    ("sample-running", {"operation": "test"}, "SMS.9003", "test"),
    ("sample-ready", {"operation": "clone_test", "template_id": "tpl-1"}, "SMS.9003", "clone"),
    ("sample-ready", {"operation": "sync_failed_rollback"}, "SMS.9003", "sync_failed"),
    ("sample-running", {"operation": "network_check"}, "SMS.9003", "network_check"),
    ("sample-running", {"operation": "clear"}, "SMS.9003", "clear"),
]


@pytest.mark.parametrize(
    ("task_id", "body", "code", "message"),
    [
        pytest.param(*row, id=f"{row[2]}-{row[1]['operation']}-{row[0].removeprefix('sample-')}")
        for row in WRONG_STATES
    ],
)
def test_operation_in_a_state_that_does_not_allow_it_is_refused_with_its_code(
    client: FlaskClient, token: str, task_id: str, body: dict[str, Any], code: str, message: str
) -> None:
    response = act(client, token, task_id, body)

    assert message in sms_error(response, 400, code)


@pytest.mark.parametrize(
    ("doc", "how"),
    [
        pytest.param({"id": "t-busy", "state": "RUNNING"}, "delete", id="running-delete"),
        pytest.param({"id": "t-busy", "state": "SYNCING"}, "delete", id="syncing-delete"),
        pytest.param({"id": "t-busy", "state": "ABORTING"}, "delete", id="aborting-delete"),
        pytest.param({"id": "t-busy", "state": "RUNNING"}, "delete-many", id="running-many"),
        pytest.param({"id": "t-busy", "state": "SYNCING"}, "delete-many", id="syncing-many"),
        pytest.param({"id": "t-busy", "state": "ABORTING"}, "delete-many", id="aborting-many"),
    ],
)
def test_deleting_a_busy_task_is_sms_2015(
    client: FlaskClient, token: str, doc: dict[str, Any], how: str
) -> None:
    put_task(client, doc)

    if how == "delete":
        response = client.delete("/v3/tasks/t-busy", headers=auth(token))
    else:
        response = client.post(
            "/v3/tasks/delete", json={"ids": ["sample-ready", "t-busy"]}, headers=auth(token)
        )

    assert "t-busy" in sms_error(response, 400, "SMS.2015")
    assert client.get("/v3/tasks/t-busy", headers=auth(token)).get_json()["state"] == doc["state"]


@pytest.mark.parametrize("task_id", ["sample-running", SEED_ID])
def test_deleting_a_fixture_running_task_is_sms_2015(
    client: FlaskClient, token: str, task_id: str
) -> None:
    sms_error(client.delete(f"/v3/tasks/{task_id}", headers=auth(token)), 400, "SMS.2015")


# --- IAM rows --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"{}", id="missing-auth"),
        pytest.param(b'{"auth":{"identity":{"methods":"password"}}}', id="methods-not-list"),
        pytest.param(b'{"auth":{"identity":{"methods":["totp"]}}}', id="unknown-method"),
        pytest.param(b'{"auth":{"identity":{"methods":["password"]}}}', id="password-missing"),
        pytest.param(b'{"auth":', id="malformed-json"),
        pytest.param(b"[]", id="json-array"),
    ],
)
def test_malformed_token_request_is_a_keystone_400(client: FlaskClient, data: bytes) -> None:
    response = post_raw(client, "/v3/auth/tokens", data, {})

    keystone_error(response, 400, "Bad Request")


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(password_body(password="wrong"), id="wrong-password"),
        pytest.param(password_body(user="nobody"), id="unknown-user"),
        pytest.param(password_body(domain="nowhere"), id="unknown-domain"),
        pytest.param(password_body(scope={"project": {"name": "nowhere"}}), id="unknown-project"),
        pytest.param(
            password_body(scope={"project": {"name": "eu-west-101"}}), id="other-domain-project"
        ),
    ],
)
def test_refused_credentials_are_a_keystone_401(client: FlaskClient, body: dict[str, Any]) -> None:
    response = client.post("/v3/auth/tokens", json=body)

    assert keystone_error(response, 401, "Unauthorized") == "The username or password is wrong."


def test_locked_user_is_a_keystone_401(client: FlaskClient) -> None:
    for _ in range(5):
        client.post("/v3/auth/tokens", json=password_body(password="wrong"))

    response = client.post("/v3/auth/tokens", json=password_body())

    assert keystone_error(response, 401, "Unauthorized") == "The account is locked."


# --- X-Request-Id on every answer ------------------------------------------------------------


def _each_answer(client: FlaskClient, token: str) -> dict[str, TestResponse]:
    """One answer of every kind: successes and each error family, on every service."""
    headers = auth(token)
    return {
        "token-201": client.post("/v3/auth/tokens", json=password_body()),
        "validate-200": client.get("/v3/auth/tokens", headers={"X-Subject-Token": token}),
        "validate-head": client.head("/v3/auth/tokens", headers={"X-Subject-Token": token}),
        "projects-200": client.get("/v3/projects?name=cn-north-4", headers=headers),
        "domains-200": client.get("/v3/auth/domains", headers=headers),
        "show-200": client.get("/v3/tasks/sample-ready", headers=headers),
        "show-head": client.head("/v3/tasks/sample-ready", headers=headers),
        "list-200": client.get("/v3/tasks", headers=headers),
        "create-200": client.post("/v3/tasks", json=create_body(), headers=headers),
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
        "keystone-404": client.get("/v3/auth/tokens", headers={"X-Subject-Token": "x"}),
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
    apigw_error(make(client), status, code)


# --- a refused request changes nothing -------------------------------------------------------

Refusal = Callable[[FlaskClient, str], TestResponse]


def _action(task_id: str, body: Any) -> Refusal:
    return lambda client, token: act(client, token, task_id, body)


def _raw_action(task_id: str, data: bytes, content_type: str | None = JSON) -> Refusal:
    path = f"/v3/tasks/{task_id}/action"
    return lambda client, token: post_raw(client, path, data, auth(token), content_type)


def _as(make_token: Callable[[FlaskClient], str], task_id: str, body: Any) -> Refusal:
    return lambda client, token: act(client, make_token(client), task_id, body)


def _expired_then_start(client: FlaskClient, token: str) -> TestResponse:
    stale = issue_token(client)
    advance(client, DAY_S)
    return act(client, stale, "sample-ready", {"operation": "start"})


REFUSALS = [
    pytest.param("sample-ready", _action("sample-ready", {"operation": "stop"}), id="1038"),
    pytest.param("sample-running", _action("sample-running", {"operation": "start"}), id="1039"),
    pytest.param(SEED_ID, _action(SEED_ID, {"operation": "start"}), id="1039-seed"),
    pytest.param(SEED_ID, _action(SEED_ID, {"operation": "restart"}), id="1040-seed"),
    pytest.param("sample-ready", _action("sample-ready", {"operation": "test"}), id="9003"),
    pytest.param(
        "sample-migrate-success",
        _action("sample-migrate-success", {"operation": "clone_test"}),
        id="9002-no-template",
    ),
    pytest.param(
        "sample-ready",
        _action("sample-ready", {"operation": "start", "switch_hce": "true"}),
        id="9002-bad-type",
    ),
    pytest.param(
        "sample-ready",
        _action("sample-ready", {"operation": "start", "extra": 1}),
        id="9002-unknown-key",
    ),
    pytest.param(
        "sample-ready",
        _raw_action("sample-ready", padded(10_241, b'{"operation":"start","param":{"p":"', b'"}}')),
        id="2004",
    ),
    pytest.param(
        "sample-ready",
        _raw_action("sample-ready", b'{"operation":"start"}', content_type=None),
        id="2005",
    ),
    pytest.param(
        "sample-ready",
        _raw_action("sample-ready", b'{"operation":"start"}', content_type="text/plain"),
        id="2006",
    ),
    pytest.param(
        "sample-ready",
        _as(lambda c: "MII" + "Z" * 64, "sample-ready", {"operation": "start"}),
        id="0301-unknown-token",
    ),
    pytest.param("sample-ready", _expired_then_start, id="0301-expired-token"),
    pytest.param(
        "sample-ready",
        _as(domain_token, "sample-ready", {"operation": "start"}),
        id="0302",
    ),
    pytest.param(
        "sample-ready",
        _as(other_user_token, "sample-ready", {"operation": "start"}),
        id="9001-other-project",
    ),
    pytest.param(
        "sample-running",
        lambda c, t: c.delete("/v3/tasks/sample-running", headers=auth(t)),
        id="2015",
    ),
    pytest.param(
        "sample-ready",
        lambda c, t: c.post(
            "/v3/tasks/delete", json={"ids": ["sample-ready", "sample-running"]}, headers=auth(t)
        ),
        id="2015-many-all-or-nothing",
    ),
    pytest.param(
        "sample-ready",
        lambda c, t: c.post(
            "/v3/tasks/delete", json={"ids": ["sample-ready", "t-nowhere"]}, headers=auth(t)
        ),
        id="9001-many-all-or-nothing",
    ),
    pytest.param(
        "sample-ready",
        lambda c, t: c.delete("/v3/tasks/sample-ready", headers=auth(other_user_token(c))),
        id="9001-other-project-delete",
    ),
]


@pytest.mark.parametrize(("task_id", "refuse"), REFUSALS)
def test_refused_request_leaves_the_task_byte_identical(
    client: FlaskClient, token: str, task_id: str, refuse: Refusal
) -> None:
    before = client.get(f"/v3/tasks/{task_id}", headers=auth(token))
    assert before.status_code == 200

    response = refuse(client, token)

    assert 400 <= response.status_code < 500, response.get_data(as_text=True)
    # A fresh token: one refusal expires the test's own.
    after = client.get(f"/v3/tasks/{task_id}", headers=auth(issue_token(client)))
    assert after.get_data() == before.get_data()


# --- never a 5xx -----------------------------------------------------------------------------

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
FUZZ = settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def check_no_5xx(response: TestResponse) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)
    has_request_id(response)


@FUZZ
@given(
    task_id=st.sampled_from(["sample-ready", "sample-abort", "sample-migrate-success"]),
    body=action_bodies,
)
def test_any_json_action_body_gets_no_5xx(
    client: FlaskClient, token: str, task_id: str, body: Any
) -> None:
    response = act(client, token, task_id, body)

    check_no_5xx(response)
    if response.status_code >= 400:
        loads(SmsErrorSchema, response.get_json())


@FUZZ
@given(
    path=st.sampled_from(["/v3/tasks/sample-ready/action", "/v3/tasks", "/v3/tasks/delete"]),
    data=st.binary(max_size=300),
    content_type=st.sampled_from([None, JSON, "text/plain", "application/json; charset=latin-1"]),
)
def test_any_bytes_on_an_sms_post_get_no_5xx(
    client: FlaskClient, token: str, path: str, data: bytes, content_type: str | None
) -> None:
    check_no_5xx(post_raw(client, path, data, auth(token), content_type))


@FUZZ
@given(body=token_bodies, nocatalog=st.sampled_from(["", "?nocatalog=true"]))
def test_any_token_request_gets_no_5xx(client: FlaskClient, body: Any, nocatalog: str) -> None:
    response = client.post(f"/v3/auth/tokens{nocatalog}", json=body)

    check_no_5xx(response)
    if response.status_code == 201:
        loads(TokenResponseSchema, response.get_json())
    else:
        loads(KeystoneErrorSchema, response.get_json())


@FUZZ
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
    client: FlaskClient, token: str, task_id: str, method: str, query: dict[str, str]
) -> None:
    response = client.open(
        f"/v3/tasks/{quote(task_id, safe='')}",
        method=method,
        query_string=query,
        headers=auth(token),
    )

    check_no_5xx(response)


@pytest.mark.parametrize(
    ("path", "data"),
    [
        pytest.param("/v3/tasks/sample-ready/action", b"[" * 5_000, id="sms-action"),
        pytest.param("/v3/tasks/delete", b'{"ids":' * 1_400, id="sms-delete-many"),
        pytest.param("/v3/auth/tokens", b'{"auth":' * 10_000, id="iam-token"),
    ],
)
def test_deeply_nested_json_is_a_400_not_a_500(
    client: FlaskClient, token: str, path: str, data: bytes
) -> None:
    response = post_raw(client, path, data, auth(token))

    assert response.status_code == 400, response.get_data(as_text=True)
