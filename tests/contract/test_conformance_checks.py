"""The contract checker (`sms_mock.contracts.conformance`), which the proxy and `sms-mock conform`
hold any endpoint to: it finds every operation of the OpenAPI document from a concrete path,
passes valid requests and every answer the emulator gives over real HTTP, and reports a wrong
type, a missing required key and an undocumented status with the exact field path.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from sms_mock.contracts.conformance import (
    ContractOperation,
    Violation,
    check_request,
    check_response,
    find_operation,
    operations,
)
from sms_mock.contracts.openapi import openapi_document
from sms_mock.mock_server.gateway.body_limits import RouteBodyLimits
from sms_mock.mock_server.serving.live import LiveServer
from tests.support import strategies
from tests.support.accounts import PROJECT_ID, USER_ID, password_body
from tests.support.helpers import create_body

JSON = "application/json"
OPERATIONS = operations()
WITH_BODY = [op for op in OPERATIONS if op.body is not None]


def _fields(violations: list[Violation]) -> list[str]:
    return [v.field for v in violations]


def test_every_operation_of_the_document_is_found_from_a_concrete_path() -> None:
    document = openapi_document()
    listed = {
        (method.upper(), path, spec["operationId"])
        for path, item in document["paths"].items()
        for method, spec in item.items()
    }
    assert {(op.method, op.path, op.operation_id) for op in OPERATIONS} == listed
    for op in OPERATIONS:
        concrete = re.sub(r"\{[^}]+\}", "id-0123", op.path)
        assert find_operation(op.method.lower(), concrete) is op, op.operation_id
        assert find_operation(op.method, concrete + "/") is op  # the service's trailing slash


def test_a_fixed_word_wins_over_a_path_parameter_and_unknown_paths_match_nothing() -> None:
    assert find_operation("GET", "/v3/sources/overview").operation_id == "show_overview"
    assert find_operation("GET", "/v3/sources/src-1").operation_id == "show_server"
    assert find_operation("POST", "/v3/tasks/delete").operation_id == "delete_tasks"
    assert find_operation("GET", "/v3/sha256/a/b").operation_id == "show_sha256"
    assert find_operation("GET", "/v3/nothing") is None
    assert find_operation("PATCH", "/v3/tasks/t1") is None


@given(
    st.sampled_from(WITH_BODY).flatmap(
        lambda op: st.tuples(st.just(op), strategies.valid(op.body.__class__))
    )
)
def test_a_valid_request_body_keeps_the_contract(case: tuple[ContractOperation, dict]) -> None:
    op, body = case
    raw = json.dumps(body).encode()
    if op.max_body_bytes is not None and len(raw) > op.max_body_bytes:
        return  # the size limit is the body's, not its shape's: see the next test
    assert check_request(op, {}, raw, JSON) == []


@given(
    st.sampled_from(WITH_BODY).flatmap(
        lambda op: st.tuples(st.just(op), strategies.invalid(op.body.__class__))
    )
)
def test_a_wrong_request_body_is_reported_at_the_field_made_wrong(
    case: tuple[ContractOperation, tuple[dict, str]],
) -> None:
    op, (body, path) = case
    found = check_request(op, {}, json.dumps(body).encode(), JSON)
    assert found, (op.operation_id, body)
    assert all(v.field == path or v.field.startswith(f"{path}.") for v in found), found
    assert {(v.operation, v.where) for v in found} == {(op.operation_id, "request")}


def test_a_request_envelope_that_breaks_the_contract_is_reported() -> None:
    create = find_operation("POST", "/v3/tasks")
    assert create is not None
    body = json.dumps(create_body()).encode()
    assert check_request(create, {}, body, "application/json; charset=utf-8") == []
    assert [v.message for v in check_request(create, {}, None, None)] == ["A body is required."]
    (wrong_type,) = check_request(create, {}, body, "text/plain")
    assert wrong_type.field == "" and "text/plain" in wrong_type.message
    (not_json,) = check_request(create, {}, b"{", JSON)
    assert not_json.field == "" and "not JSON" in not_json.message
    listing = find_operation("GET", "/v3/tasks")
    assert _fields(check_request(listing, {"limit": "x", "unknown": "1"}, None, None)) == ["limit"]
    show = find_operation("GET", "/v3/tasks/bad id!")
    assert _fields(check_request(show, {}, None, None, path="/v3/tasks/bad id!")) == ["task_id"]


# --- answers over real HTTP -------------------------------------------------------------------


def _get(session: requests.Session, url: str, path: str) -> Any:
    response = session.get(url + path, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def _path_values(session: requests.Session, url: str) -> dict[str, str]:
    """A real value for every path parameter of the document, from the emulator's fixtures."""
    return {
        "task_id": "sample-ready",
        "source_id": "src-sample-ready",
        "server_id": "src-sample-running",
        "id": "tpl-default",
        "mig_project_id": _get(session, url, "/v3/migprojects")["migprojects"][0]["id"],
        "project_id": PROJECT_ID,
        "user_id": USER_ID,
        "endpoint_id": _get(session, url, "/v3/endpoints")["endpoints"][0]["id"],
        "service_id": _get(session, url, "/v3/services")["services"][0]["id"],
        "region_id": "cn-north-4",
        "t_project_id": PROJECT_ID,
        "t_network_id": "subnet-0001",
        "key": "some text",
    }


def _checked(op: ContractOperation, response: requests.Response, body: bytes | None) -> list:
    request = response.request
    query = dict(re.findall(r"([^&=?]+)=([^&]*)", request.url.partition("?")[2]))
    return check_request(
        op, query, body, request.headers.get("Content-Type"), path=request.path_url.split("?")[0]
    ) + check_response(
        op, response.status_code, response.content, response.headers.get("Content-Type")
    )


def test_every_answer_of_the_emulator_keeps_the_contract(live: LiveServer) -> None:
    """Every GET and HEAD operation with real ids, an unknown id, a write, a refused body and
    a token: requests and answers alike pass the checker."""
    session = requests.Session()
    token = session.post(f"{live.url}/v3/auth/tokens", json=password_body(), timeout=10)
    assert token.status_code == 201
    assert find_operation("POST", "/v3/auth/tokens") is not None
    assert (
        check_response(
            find_operation("POST", "/v3/auth/tokens"),
            201,
            token.content,
            token.headers["Content-Type"],
        )
        == []
    )
    session.headers["X-Auth-Token"] = token.headers["X-Subject-Token"]
    session.headers["X-Subject-Token"] = token.headers["X-Subject-Token"]
    values = _path_values(session, live.url)
    queries = {"check_net_acl": {"region_id": "cn-north-4", "os_type": "LINUX"}}
    statuses = []
    for op in OPERATIONS:
        if op.method not in ("GET", "HEAD"):
            continue
        path = op.path.format(**values)
        response = session.request(
            op.method, live.url + path, params=queries.get(op.operation_id), timeout=10
        )
        assert _checked(op, response, None) == [], (op.operation_id, response.text)
        statuses.append(response.status_code)
        unknown = session.request(
            op.method,
            live.url + op.path.format(**dict.fromkeys(values, "no-such-0001")),
            timeout=10,
        )
        if unknown.status_code != 404:
            continue
        assert _checked(op, unknown, None) == [], (op.operation_id, unknown.text)
    assert statuses.count(200) >= 30, statuses
    create = find_operation("POST", "/v3/tasks")
    for body in (create_body("src-sample-ready"), create_body(name=5)):
        raw = json.dumps(body).encode()
        answer = session.post(f"{live.url}/v3/tasks", data=raw, headers={"Content-Type": JSON})
        assert answer.status_code in (200, 400)
        # The refused body breaks the contract (its name), and the refusal keeps it.
        assert check_response(create, answer.status_code, answer.content, JSON) == []
    assert _fields(check_request(create, {}, json.dumps(create_body(name=5)).encode(), JSON)) == [
        "name"
    ]


def test_a_broken_answer_is_reported_with_its_field_path(live: LiveServer) -> None:
    session = requests.Session()
    token = session.post(f"{live.url}/v3/auth/tokens", json=password_body(), timeout=10)
    session.headers["X-Auth-Token"] = token.headers["X-Subject-Token"]
    answer = session.get(f"{live.url}/v3/tasks/sample-running", timeout=10)
    show = find_operation("GET", "/v3/tasks/sample-running")
    assert check_response(show, 200, answer.content, JSON) == []
    document = answer.json()
    assert document["sub_tasks"]

    def broken(change: Any) -> list[Violation]:
        body = copy.deepcopy(document)
        change(body)
        return check_response(show, 200, json.dumps(body).encode(), JSON)

    wrong_type = broken(lambda b: b["sub_tasks"][1].update(progress="forty"))
    assert [(v.field, v.where, v.status) for v in wrong_type] == [
        ("sub_tasks.1.progress", "response", 200)
    ]
    assert wrong_type[0].operation == "show_task"
    missing = broken(lambda b: b.pop("state"))
    assert [(v.field, v.message) for v in missing] == [
        ("state", "Missing data for required field.")
    ]
    out_of_enum = broken(lambda b: b.update(state="SLEEPING"))
    assert _fields(out_of_enum) == ["state"]
    assert broken(lambda b: b.update(unknown_key=[1, 2])) == []  # an extra key is no violation
    (undocumented,) = check_response(show, 418, answer.content, JSON)
    assert (undocumented.field, undocumented.status) == ("", 418)
    assert "status 418 is not documented" in undocumented.message
    # An error body must be in a format documented for its status.
    wrong_format = check_response(show, 404, b'{"error": {"code": 404}}', JSON)
    assert [(v.field, v.status) for v in wrong_format] == [("error_code", 404), ("error_msg", 404)]
    not_json = check_response(show, 200, b"<html>", "text/html")
    assert [v.field for v in not_json] == ["", ""]


@pytest.mark.parametrize("status", [401, 403])
def test_an_error_status_with_two_formats_takes_either(status: int) -> None:
    op = find_operation("POST", "/v3.0/OS-CREDENTIAL/securitytokens")
    assert op is not None
    iam = b'{"error_code": "IAM.0067", "error_msg": "no"}'
    gateway = b'{"error_code": "APIGW.0301", "error_msg": "no", "request_id": "r1"}'
    if status == 401:
        assert check_response(op, 401, iam, JSON) == []
        assert check_response(op, 401, gateway, JSON) == []
    else:
        assert _fields(check_response(op, 403, gateway, JSON)) == [""]


def test_each_body_limit_of_the_document_is_the_one_the_gateway_enforces(live: LiveServer) -> None:
    """`x-max-body-bytes`, which the checker holds a request to, is written beside the schema:
    it must be the limit the gateway refuses a body over, route by route."""
    limits = RouteBodyLimits(live.app)
    for op in WITH_BODY:
        concrete = re.sub(r"\{[^}]+\}", "id-0123", op.path)
        enforced = limits.for_request(op.method, concrete).max_bytes
        assert op.max_body_bytes == enforced, (op.operation_id, op.max_body_bytes, enforced)
