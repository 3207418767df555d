"""The gateway's signature check and `--auth` modes, request by request (Flask test client).

Requests are signed here with `sms_mock.contracts.signing`; that it signs as the SDK does is
`test_signing.py`'s job, and the SDK itself drives the emulator in `tests/sdk/`. The lock-out
after repeated bad signatures is `tests/iam/test_lockout.py`'s.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from sms_mock.contracts import signing
from sms_mock.mock_server import Config, create_app
from sms_mock.mock_server.emulator import Emulator
from tests.support.accounts import (
    AK,
    DOMAIN_ID,
    OTHER_PROJECT_ID,
    PROJECT_ID,
    SECOND_PROJECT_ID,
    SK,
    issue_token,
    password_body,
)
from tests.support.assertions import AUTH_FAILED, error_body, error_message
from tests.support.signed import send, sign

SIGNATURE_FAIL = AUTH_FAILED + "verify aksk signature fail"


def refused(response: TestResponse, message: str) -> None:
    """A 401 APIGW.0301 whose message starts with `message`."""
    error_msg = error_message(response, 401, "APIGW.0301")
    assert error_msg.startswith(message), error_msg


def app_with(auth: str) -> Flask:
    return create_app(Config(clock="manual", auth=auth))


# --- signed SMS calls that work ---------------------------------------------------------------


def test_signed_show_acts_in_the_x_project_id_project(client: FlaskClient) -> None:
    response = send(client, "GET", "/v3/tasks/sample-abort")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["state"] == "ABORT"


def test_signed_call_sees_only_its_own_project(client: FlaskClient) -> None:
    response = send(client, "GET", "/v3/tasks/sample-abort", project_id=SECOND_PROJECT_ID)
    error_body(response, 404, "SMS.7703")


def test_signed_list_with_a_query_works(client: FlaskClient) -> None:
    response = send(
        client, "GET", "/v3/tasks", query={"state": "ABORT", "limit": "5", "offset": "0"}
    )
    assert response.status_code == 200, response.get_json()
    assert [t["id"] for t in response.get_json()["tasks"]] == ["sample-abort"]


def test_signed_action_with_a_body_works(client: FlaskClient) -> None:
    response = send(client, "POST", "/v3/tasks/sample-abort/action", body={"operation": "start"})
    assert response.status_code == 200, response.get_json()
    assert send(client, "GET", "/v3/tasks/sample-abort").get_json()["state"] == "RUNNING"


def test_unsigned_payload_is_accepted(client: FlaskClient) -> None:
    response = send(
        client,
        "POST",
        "/v3/tasks/sample-abort/action",
        body={"operation": "start"},
        headers={signing.CONTENT_SHA256_HEADER: signing.UNSIGNED_PAYLOAD},
    )
    assert response.status_code == 200, response.get_json()


def test_a_declared_payload_hash_that_is_the_body_hash_is_accepted(client: FlaskClient) -> None:
    body = {"operation": "start"}
    digest = signing.hashlib.sha256(json.dumps(body).encode()).hexdigest()
    response = send(
        client,
        "POST",
        "/v3/tasks/sample-abort/action",
        body=body,
        headers={signing.CONTENT_SHA256_HEADER: digest},
    )
    assert response.status_code == 200, response.get_json()


@pytest.mark.parametrize("minutes", [-14, 14])
def test_date_within_15_minutes_of_the_wall_clock_is_accepted(
    client: FlaskClient, minutes: int
) -> None:
    at = datetime.now(UTC) + timedelta(minutes=minutes)
    assert send(client, "GET", "/v3/tasks/sample-ready", at=at).status_code == 200


def test_the_window_follows_the_wall_clock_not_the_emulator_clock(
    client: FlaskClient, emulator: Emulator
) -> None:
    emulator.clock.advance(6 * 3600)
    assert send(client, "GET", "/v3/tasks/sample-ready").status_code == 200


def test_a_non_sdk_authorization_header_is_not_a_signature(client: FlaskClient, token: str) -> None:
    # A proxy's Basic or Bearer header beside the token does not make it a signed request.
    headers = {"X-Auth-Token": token, "Authorization": "Basic dXNlcjpwYXNz"}
    assert client.get("/v3/tasks/sample-ready", headers=headers).status_code == 200


# --- signatures that are refused --------------------------------------------------------------


def test_wrong_sk_is_refused(client: FlaskClient) -> None:
    refused(send(client, "GET", "/v3/tasks/sample-ready", sk=SK + "x"), SIGNATURE_FAIL)


def test_unknown_ak_is_refused(client: FlaskClient) -> None:
    response = send(client, "GET", "/v3/tasks/sample-ready", ak="NOSUCHAK")
    refused(response, AUTH_FAILED + "Get secretKey failed,ak:NOSUCHAK,err:ak not exist")


@pytest.mark.parametrize("minutes", [-20, 20])
def test_date_more_than_15_minutes_off_is_expired(client: FlaskClient, minutes: int) -> None:
    at = datetime.now(UTC) + timedelta(minutes=minutes)
    response = send(client, "GET", "/v3/tasks/sample-ready", at=at)
    refused(response, AUTH_FAILED + "calc ak sk signature fail:signature expired")


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda url, h, d: (url, h, b'{"operation": "stop"}'), id="body"),
        pytest.param(lambda url, h, d: (url.replace("abort", "ready"), h, d), id="path"),
        pytest.param(lambda url, h, d: (url + "?limit=1", h, d), id="query"),
        pytest.param(lambda url, h, d: (url, {**h, "User-Agent": "evil"}, d), id="signed-header"),
        pytest.param(
            lambda url, h, d: (url, {**h, "X-Sdk-Date": signing.format_date(datetime.now(UTC))}, d),
            id="date",
        ),
    ],
)
def test_tampered_request_is_refused(client: FlaskClient, tamper: Any) -> None:
    url, headers, data = sign(
        "POST",
        "/v3/tasks/sample-abort/action",
        body={"operation": "start"},
        headers={"User-Agent": "sdk"},
        at=datetime.now(UTC) - timedelta(minutes=1),
    )
    url, headers, data = tamper(url, headers, data)
    refused(client.post(url, headers=headers, data=data), SIGNATURE_FAIL)


def test_declared_payload_hash_that_is_not_the_body_hash_is_refused(client: FlaskClient) -> None:
    response = send(
        client,
        "POST",
        "/v3/tasks/sample-abort/action",
        body={"operation": "start"},
        headers={signing.CONTENT_SHA256_HEADER: "0" * 64},
    )
    refused(response, SIGNATURE_FAIL)


def test_project_of_another_domain_is_refused(client: FlaskClient) -> None:
    response = send(client, "GET", "/v3/tasks", project_id=OTHER_PROJECT_ID)
    refused(response, AUTH_FAILED + f"x-project-id {OTHER_PROJECT_ID} is not a project of ak")


def test_unknown_project_is_refused(client: FlaskClient) -> None:
    refused(send(client, "GET", "/v3/tasks", project_id="f" * 32), AUTH_FAILED + "x-project-id")


def test_signed_sms_call_without_a_project_is_refused(client: FlaskClient) -> None:
    refused(
        send(client, "GET", "/v3/tasks", project_id=None), AUTH_FAILED + "x-project-id not found"
    )


def test_x_project_id_outside_the_signature_is_accepted(client: FlaskClient) -> None:
    # golangsdk (Terraform's SDK) sets X-Project-Id after signing.
    response = send(
        client,
        "GET",
        "/v3/tasks/sample-ready",
        project_id=None,
        unsigned={"X-Project-Id": PROJECT_ID},
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["project_id"] == PROJECT_ID


def test_x_project_id_outside_the_signature_is_still_held_to_the_ak(client: FlaskClient) -> None:
    unsigned = {"X-Project-Id": OTHER_PROJECT_ID}
    response = send(client, "GET", "/v3/tasks", project_id=None, unsigned=unsigned)
    refused(response, AUTH_FAILED + f"x-project-id {OTHER_PROJECT_ID} is not a project of ak {AK}")


def test_x_domain_id_outside_the_signature_is_still_held_to_the_ak(client: FlaskClient) -> None:
    own = send(
        client, "GET", "/v3/auth/domains", project_id=None, unsigned={"X-Domain-Id": DOMAIN_ID}
    )
    assert own.status_code == 200, own.get_json()
    other = send(
        client, "GET", "/v3/auth/domains", project_id=None, unsigned={"X-Domain-Id": "f" * 32}
    )
    refused(other, AUTH_FAILED + f"x-domain-id {'f' * 32} is not the domain of ak {AK}")


def test_an_unsigned_host_is_not_compared(client: FlaskClient) -> None:
    # The Go SDKs never sign Host: the request reaches the gateway under any name.
    url, headers, _ = sign("GET", "/v3/tasks/sample-ready", host=None)
    response = client.get(url, headers={**headers, "Host": "sms.elsewhere.example"})
    assert response.status_code == 200, response.get_json()


def test_a_signed_host_is_compared(client: FlaskClient) -> None:
    url, headers, _ = sign("GET", "/v3/tasks/sample-ready", host="sms.example")
    response = client.get(url, headers={**headers, "Host": "sms.elsewhere.example"})
    refused(response, SIGNATURE_FAIL)


def test_an_unsigned_date_is_refused(client: FlaskClient) -> None:
    url, headers, _ = sign("GET", "/v3/tasks", unsigned_date=True)
    refused(client.get(url, headers=headers), SIGNATURE_FAIL + ", x-sdk-date is not signed")


def test_signed_header_missing_from_the_request_is_refused(client: FlaskClient) -> None:
    url, headers, _ = sign("GET", "/v3/tasks", headers={"X-Extra": "1"})
    del headers["X-Extra"]
    refused(client.get(url, headers=headers), SIGNATURE_FAIL + ", signed header x-extra not found")


def test_missing_date_is_refused(client: FlaskClient) -> None:
    url, headers, _ = sign("GET", "/v3/tasks")
    del headers[signing.DATE_HEADER]
    refused(client.get(url, headers=headers), SIGNATURE_FAIL + ", x-sdk-date not found")


@pytest.mark.parametrize(
    ("authorization", "message"),
    [
        ("SDK-HMAC-SHA256 Access=x", SIGNATURE_FAIL + ", malformed Authorization header"),
        (
            f"SDK-HMAC-SM3 Access={AK}, SignedHeaders=host, Signature={'a' * 64}",
            SIGNATURE_FAIL + ", unsupported algorithm SDK-HMAC-SM3",
        ),
    ],
)
def test_malformed_or_unsupported_authorization_is_refused(
    client: FlaskClient, authorization: str, message: str
) -> None:
    url, headers, _ = sign("GET", "/v3/tasks")
    headers["Authorization"] = authorization
    refused(client.get(url, headers=headers), message)


# --- IAM calls, signed --------------------------------------------------------------------------


def test_signed_token_request_works(client: FlaskClient) -> None:
    response = send(client, "POST", "/v3/auth/tokens", body=password_body(), project_id=None)
    assert response.status_code == 201, response.get_json()
    assert response.headers["X-Subject-Token"]


def test_badly_signed_token_request_is_refused(client: FlaskClient) -> None:
    response = send(
        client, "POST", "/v3/auth/tokens", body=password_body(), project_id=None, sk="wrong"
    )
    refused(response, SIGNATURE_FAIL)


def test_signed_validation_with_only_the_subject_token_works(client: FlaskClient) -> None:
    subject = issue_token(client)
    response = send(
        client,
        "GET",
        "/v3/auth/tokens",
        query={"nocatalog": "true"},
        project_id=None,
        headers={"X-Subject-Token": subject},
    )
    assert response.status_code == 200, response.get_json()
    assert response.headers["X-Subject-Token"] == subject


def test_signed_project_lookup_by_region_name_finds_the_project(client: FlaskClient) -> None:
    response = send(
        client, "GET", "/v3/projects", query={"name": "ap-southeast-3"}, project_id=None
    )
    assert response.status_code == 200, response.get_json()
    assert [p["id"] for p in response.get_json()["projects"]] == [SECOND_PROJECT_ID]


def test_signed_project_lookup_sees_only_the_ak_domain(client: FlaskClient) -> None:
    response = send(client, "GET", "/v3/projects", query={"name": "eu-west-101"}, project_id=None)
    assert response.get_json()["projects"] == []


def test_signed_domain_lookup_gives_the_ak_domain(client: FlaskClient) -> None:
    response = send(client, "GET", "/v3/auth/domains", project_id=None)
    assert response.status_code == 200, response.get_json()
    assert [d["id"] for d in response.get_json()["domains"]] == [DOMAIN_ID]


def test_x_domain_id_of_another_domain_is_refused(client: FlaskClient) -> None:
    response = send(
        client, "GET", "/v3/auth/domains", project_id=None, headers={"X-Domain-Id": "f" * 32}
    )
    refused(response, AUTH_FAILED + "x-domain-id")


def test_badly_signed_project_lookup_is_refused(client: FlaskClient) -> None:
    response = send(client, "GET", "/v3/projects", project_id=None, sk="wrong")
    refused(response, SIGNATURE_FAIL)


# --- --auth modes -----------------------------------------------------------------------------

TOKEN, SIGNATURE, NOTHING = "token", "signature", "nothing"


def call_with(client: FlaskClient, credential: str) -> TestResponse:
    if credential == SIGNATURE:
        return send(client, "GET", "/v3/tasks/sample-ready")
    headers = {}
    if credential == TOKEN:
        headers["X-Auth-Token"] = issue_token(client)
    return client.get("/v3/tasks/sample-ready", headers=headers)


@pytest.mark.parametrize(
    ("mode", "credential", "status"),
    [
        ("any", TOKEN, 200),
        ("any", SIGNATURE, 200),
        ("any", NOTHING, 401),
        ("token", TOKEN, 200),
        ("token", SIGNATURE, 401),
        ("token", NOTHING, 401),
        ("aksk", TOKEN, 401),
        ("aksk", SIGNATURE, 200),
        ("aksk", NOTHING, 401),
        ("off", TOKEN, 200),
        ("off", SIGNATURE, 200),
        ("off", NOTHING, 200),
    ],
)
def test_auth_mode_decides_what_sms_calls_accept(mode: str, credential: str, status: int) -> None:
    client = app_with(mode).test_client()
    response = call_with(client, credential)
    if status == 401:
        error_body(response, 401, "APIGW.0301")
    else:
        assert response.status_code == status, response.get_json()


def test_token_mode_does_not_look_at_signatures() -> None:
    response = send(app_with("token").test_client(), "GET", "/v3/tasks", sk="wrong")
    refused(response, AUTH_FAILED + "x-auth-token not found")


def test_aksk_mode_names_what_it_wants() -> None:
    refused(app_with("aksk").test_client().get("/v3/tasks"), AUTH_FAILED + "an SDK-HMAC-SHA256")


def test_off_mode_acts_in_the_default_project_without_credentials() -> None:
    client = app_with("off").test_client()
    assert client.get("/v3/tasks/sample-ready").get_json()["project_id"] == PROJECT_ID


@pytest.mark.parametrize("ref", [SECOND_PROJECT_ID, "ap-southeast-3"])
def test_off_mode_acts_in_the_x_project_id_given(ref: str) -> None:
    client = app_with("off").test_client()
    assert client.get("/v3/tasks", headers={"X-Project-Id": ref}).get_json()["count"] == 0


def test_off_mode_refuses_an_unknown_project() -> None:
    response = app_with("off").test_client().get("/v3/tasks", headers={"X-Project-Id": "nope"})
    refused(response, AUTH_FAILED + "x-project-id nope not exist")


@pytest.mark.parametrize("mode", ["token", "aksk", "off"])
def test_iam_accepts_a_token_or_a_signature_in_every_mode(mode: str) -> None:
    client = app_with(mode).test_client()
    token = issue_token(client)
    assert client.get("/v3/auth/domains", headers={"X-Auth-Token": token}).status_code == 200
    assert send(client, "GET", "/v3/auth/domains", project_id=None).status_code == 200


def test_unknown_auth_mode_is_refused_when_the_app_is_built() -> None:
    with pytest.raises(ValueError, match="bogus"):
        Config(auth="bogus")
