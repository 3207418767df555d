"""What an SMS call's body and query must be: at most 10,240 bytes (400 SMS.6014), sent as
`application/json` (400 SMS.6015 without a Content-Type, SMS.6016 with another), and read
strictly (400 SMS.6010 to 6013 for a body, SMS.9001 for a query, naming the field) for an
action, a list query and a delete-many.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from sms_mock.contracts import error_codes as codes
from sms_mock.mock_server.emulator import Emulator
from tests.support.assertions import changes_nothing, error_body, error_fields, error_message
from tests.support.calls import SMS_POSTS, act, auth, padded, post_raw

# --- 400 SMS.6014 to 6016: body size and Content-Type -------------------------------------------


@pytest.mark.parametrize("size", [10_241, 64 * 1024, 2 * 1024 * 1024])
@pytest.mark.parametrize("call", SMS_POSTS)
def test_sms_body_over_10240_bytes_is_sms_6014(
    client: FlaskClient, token: str, call: tuple[str, str], size: int
) -> None:
    method, path = call
    response = post_raw(client, path, padded(size), auth(token), method=method)

    error_body(response, 400, "SMS.6014")


def test_sms_body_of_exactly_10240_bytes_is_read(client: FlaskClient, token: str) -> None:
    body = padded(10_240, head=b'{"operation":"start","param":{"pad":"', tail=b'"}}')

    response = post_raw(client, "/v3/tasks/sample-ready/action", body, auth(token))

    assert response.status_code == 200, response.get_json()


@pytest.mark.parametrize("call", SMS_POSTS)
def test_sms_post_without_content_type_is_sms_6015(
    client: FlaskClient, token: str, call: tuple[str, str]
) -> None:
    method, path = call
    body = b'{"operation":"start"}'
    response = post_raw(client, path, body, auth(token), content_type=None, method=method)

    error_body(response, 400, "SMS.6015")


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
@pytest.mark.parametrize("call", SMS_POSTS)
def test_sms_post_with_a_non_json_content_type_is_sms_6016(
    client: FlaskClient, token: str, call: tuple[str, str], content_type: str
) -> None:
    method, path = call
    body = b'{"operation":"start"}'
    response = post_raw(client, path, body, auth(token), content_type, method=method)

    error_body(response, 400, "SMS.6016")


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


# --- 400 SMS.6010 to 6013: the action body -------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        pytest.param(b'{"operation":', "body", "SMS.6010", id="truncated-json"),
        pytest.param(b"operation=start", "body", "SMS.6010", id="not-json"),
        pytest.param(b'["start"]', "body", "SMS.6011", id="json-array"),
        pytest.param(b"null", "body", "SMS.6011", id="json-null"),
        pytest.param(b'{"operation":"start",}', "body", "SMS.6010", id="trailing-comma"),
        pytest.param(b'{"operation":"start","x":NaN}', "body", "SMS.6010", id="nan"),
        pytest.param(b"\xff\xfe{}", "body", "SMS.6010", id="not-utf8"),
        pytest.param(b'{"operation":5}', "operation", "SMS.6011", id="operation-number"),
        pytest.param(b'{"operation":null}', "operation", "SMS.6011", id="operation-null"),
        pytest.param(b'{"operation":["start"]}', "operation", "SMS.6011", id="operation-list"),
        pytest.param(b"{}", "operation", "SMS.6013", id="operation-missing"),
        pytest.param(b'{"switch_hce":true}', "operation", "SMS.6013", id="only-switch-hce"),
        pytest.param(b'{"operation":"launch"}', "operation", "SMS.6011", id="unknown-operation"),
        pytest.param(b'{"operation":"START"}', "operation", "SMS.6011", id="operation-upper-case"),
        pytest.param(b'{"operation":""}', "operation", "SMS.6011", id="operation-empty"),
        pytest.param(
            b'{"operation":"start","switch_hce":"true"}', "switch_hce", "SMS.6011", id="bool-str"
        ),
        pytest.param(
            b'{"operation":"start","switch_hce":1}', "switch_hce", "SMS.6011", id="bool-int"
        ),
        pytest.param(
            b'{"operation":"start","is_need_consistency_check":0}',
            "is_need_consistency_check",
            "SMS.6011",
            id="bool-zero",
        ),
        pytest.param(
            b'{"operation":"clone_test","template_id":5}', "template_id", "SMS.6011", id="id-int"
        ),
        # A bad entry of the map is named under its key, as marshmallow files it.
        pytest.param(
            b'{"operation":"start","param":{"k":1}}', "param.k.value", "SMS.6011",
            id="param-value-int",
        ),
        pytest.param(
            b'{"operation":"start","param":"k=v"}', "param", "SMS.6011", id="param-string"
        ),
        pytest.param(b'{"operation":"start","bogus":true}', "bogus", "SMS.6011", id="unknown-key"),
        pytest.param(
            b'{"operation":"start","Operation":"stop"}', "Operation", "SMS.6011", id="key-case"
        ),
    ],
)  # fmt: skip
def test_invalid_action_body_is_its_bad_body_code_naming_the_field_and_changes_nothing(
    client: FlaskClient, emulator: Emulator, token: str, data: bytes, field: str, code: str
) -> None:
    with changes_nothing(emulator):
        response = post_raw(client, "/v3/tasks/sample-ready/action", data, auth(token))

    assert error_fields(response, 400, code) == [field]


def test_empty_action_body_is_sms_6012_and_changes_nothing(
    client: FlaskClient, emulator: Emulator, token: str
) -> None:
    with changes_nothing(emulator):
        response = post_raw(client, "/v3/tasks/sample-ready/action", b"", auth(token))

    # No field to name: the catalogue's message, then what the call takes.
    expected = codes.BODY_EMPTY.text("This call takes a JSON object.")
    assert error_message(response, 400, "SMS.6012") == expected


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"operation": "clone_test"}, id="missing"),
        pytest.param({"operation": "clone_test", "template_id": ""}, id="empty"),
    ],
)
def test_clone_test_without_template_id_is_a_bad_body(
    client: FlaskClient, token: str, body: dict[str, Any]
) -> None:
    # On a MIGRATE_SUCCESS task, where clone_test is allowed: the body is what is wrong.
    response = act(client, token, "sample-migrate-success", body)

    assert error_fields(response, 400, "SMS.6011") == ["template_id"]


# --- 400: the list query (SMS.9001) and the delete-many body (SMS.6011, 6013) -------------


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
        pytest.param("limit=%D9%A3", "limit", id="limit-arabic-indic-digit"),
        pytest.param("id=abc%0A", "id", id="id-trailing-newline"),
    ],
)
def test_invalid_list_query_is_sms_9001_naming_the_field_and_changes_nothing(
    client: FlaskClient, emulator: Emulator, token: str, query: str, field: str
) -> None:
    with changes_nothing(emulator):
        response = client.get(f"/v3/tasks?{query}", headers=auth(token))

    assert error_fields(response, 400, "SMS.9001") == [field]


@pytest.mark.parametrize("query", ["limit=0", "limit=200", "offset=65535", "offset=0&limit=1"])
def test_list_query_at_its_bounds_is_read(client: FlaskClient, token: str, query: str) -> None:
    response = client.get(f"/v3/tasks?{query}", headers=auth(token))

    assert response.status_code == 200
    assert response.get_json()["count"] == 6


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        pytest.param({}, "ids", "SMS.6013", id="ids-missing"),
        pytest.param({"ids": []}, "ids", "SMS.6011", id="ids-empty"),
        pytest.param({"ids": "sample-ready"}, "ids", "SMS.6011", id="ids-string"),
        pytest.param({"ids": {"0": "sample-ready"}}, "ids", "SMS.6011", id="ids-object"),
        pytest.param({"ids": None}, "ids", "SMS.6011", id="ids-null"),
        pytest.param({"ids": [5]}, "ids.0", "SMS.6011", id="id-number"),
        pytest.param({"ids": ["sample-ready", "a.b"]}, "ids.1", "SMS.6011", id="id-outside-rule"),
        pytest.param({"ids": ["t"] * 101}, "ids", "SMS.6011", id="101-ids"),
        pytest.param({"ids": ["sample-ready"], "force": True}, "force", "SMS.6011",
                     id="unknown-key"),
    ],
)  # fmt: skip
def test_invalid_delete_many_body_is_a_bad_body_naming_the_field_and_changes_nothing(
    client: FlaskClient,
    emulator: Emulator,
    token: str,
    body: dict[str, Any],
    field: str,
    code: str,
) -> None:
    with changes_nothing(emulator):
        response = client.post("/v3/tasks/delete", json=body, headers=auth(token))

    assert error_fields(response, 400, code) == [field]
