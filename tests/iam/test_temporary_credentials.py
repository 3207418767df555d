"""Temporary credentials (`POST /v3.0/OS-CREDENTIAL/securitytokens`) and what the gateway makes of
them; the IAM books' bounded memory; token re-scoping and the methods IAM has that the emulator
refuses (Flask test client, manual clock)."""

from __future__ import annotations

from collections import deque
from datetime import UTC, datetime
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from sms_mock.contracts.credentials import CredentialResponseSchema
from sms_mock.mock_server.emulator import Emulator
from tests.support.accounts import (
    AK,
    PROJECT_ID,
    SECOND_PROJECT_ID,
    SK,
    USER_ID,
    issue_token,
    password_body,
)
from tests.support.assertions import AUTH_FAILED, error_message
from tests.support.helpers import DAY_S, Sms, advance, loads, now_ms
from tests.support.signed import sign

CREDENTIALS = "/v3.0/OS-CREDENTIAL/securitytokens"
TOKENS = "/v3/auth/tokens"
ISO = "%Y-%m-%dT%H:%M:%S.%fZ"
AUTH_REQUIRED = "The request you have made requires authentication."
UNSUPPORTED = "Attempted to authenticate with an unsupported method"


def ms_of(iso: str) -> int:
    return round(datetime.strptime(iso, ISO).replace(tzinfo=UTC).timestamp() * 1000)


def token_request(**section: Any) -> dict[str, Any]:
    return {"auth": {"identity": {"methods": ["token"], "token": section}}}


def ask(client: FlaskClient, token: str | None, body: Any = None, **section: Any) -> TestResponse:
    """Ask for temporary credentials with `token` in X-Auth-Token (none when None)."""
    headers = {"X-Auth-Token": token} if token else {}
    return client.post(CREDENTIALS, json=body or token_request(**section), headers=headers)


def credential_of(response: TestResponse) -> dict[str, Any]:
    assert response.status_code == 201, response.get_json()
    return loads(CredentialResponseSchema, response.get_json())["credential"]


def iam_error(response: TestResponse, status: int, code: str) -> str:
    """The message of an IAM-format error body."""
    return error_message(response, status, code)


def refused(response: TestResponse) -> str:
    """A 401 APIGW.0301; its message without the common prefix."""
    message = error_message(response, 401, "APIGW.0301")
    assert message.startswith(AUTH_FAILED), message
    return message[len(AUTH_FAILED) :]


def signed(method: str, path: str, **kwargs: Any) -> dict[str, Any]:
    """Test-client keyword arguments of a request signed as the SDK signs it
    (`tests/support/signed.sign`'s keywords)."""
    url, headers, data = sign(method, path, **kwargs)
    return {"method": method, "path": url, "headers": headers, "data": data}


def with_credential(
    credential: dict[str, Any], method: str, path: str, **kwargs: Any
) -> dict[str, Any]:
    return signed(
        method,
        path,
        ak=credential["access"],
        sk=credential["secret"],
        security_token=kwargs.pop("security_token", credential["securitytoken"]),
        **kwargs,
    )


def list_tasks(client: FlaskClient, credential: dict[str, Any], **kwargs: Any) -> TestResponse:
    return client.open(**with_credential(credential, "GET", "/v3/tasks", **kwargs))


@pytest.fixture
def credential(client: FlaskClient, token: str) -> dict[str, Any]:
    return credential_of(ask(client, token, duration_seconds=900))


# --- issuing --------------------------------------------------------------------------------------


def test_credentials_for_900_seconds_expire_15_minutes_from_now(
    client: FlaskClient, token: str
) -> None:
    advance(client, 1234.5)
    now = now_ms(client)

    issued = credential_of(ask(client, token, duration_seconds=900))

    assert issued["access"] and issued["secret"] and issued["securitytoken"]
    assert issued["access"] != AK
    assert ms_of(issued["expires_at"]) == now + 900_000


def test_credentials_without_a_duration_last_900_seconds(client: FlaskClient, token: str) -> None:
    now = now_ms(client)

    issued = credential_of(ask(client, token))

    assert ms_of(issued["expires_at"]) == now + 900_000


def test_credentials_for_a_day_last_a_day(client: FlaskClient, token: str) -> None:
    now = now_ms(client)

    issued = credential_of(ask(client, token, duration_seconds=86400))

    assert ms_of(issued["expires_at"]) == now + 86_400_000


def test_two_requests_give_different_credentials(client: FlaskClient, token: str) -> None:
    first, second = (credential_of(ask(client, token)) for _ in range(2))

    assert first["access"] != second["access"]
    assert first["secret"] != second["secret"]
    assert first["securitytoken"] != second["securitytoken"]


@pytest.mark.parametrize("duration", [899, 86401, 0, -900, "900", True, 900.5], ids=repr)
def test_a_duration_out_of_range_or_not_an_integer_is_invalid(
    client: FlaskClient, token: str, duration: Any
) -> None:
    message = iam_error(ask(client, token, duration_seconds=duration), 400, "IAM.0007")

    assert "duration_seconds" in message


def test_the_token_id_in_the_body_stands_for_the_header(client: FlaskClient, token: str) -> None:
    now = now_ms(client)

    issued = credential_of(ask(client, None, id=token, duration_seconds=1800))

    assert ms_of(issued["expires_at"]) == now + 1_800_000


def test_an_invalid_token_id_in_the_body_is_an_invalid_token(client: FlaskClient) -> None:
    iam_error(ask(client, None, id="MIInot-a-token"), 401, "IAM.0067")


def test_an_expired_token_id_in_the_body_is_an_invalid_token(
    client: FlaskClient, token: str
) -> None:
    advance(client, DAY_S)

    iam_error(ask(client, None, id=token), 401, "IAM.0067")


def test_no_credential_at_all_is_unauthorized(client: FlaskClient) -> None:
    iam_error(ask(client, None), 401, "IAM.0067")


def test_an_expired_header_token_is_refused_by_the_gateway(client: FlaskClient, token: str) -> None:
    advance(client, DAY_S)

    assert "expires" in refused(ask(client, token))


def test_assume_role_is_refused_as_invalid_naming_it(client: FlaskClient, token: str) -> None:
    body = {
        "auth": {
            "identity": {
                "methods": ["assume_role"],
                "assume_role": {"agency_name": "ops", "domain_name": "mock-domain"},
            }
        }
    }

    message = iam_error(ask(client, token, body), 400, "IAM.0007")

    assert "assume_role" in message


def test_credentials_never_outlive_the_token_they_are_asked_with(client: FlaskClient) -> None:
    issued = client.post(TOKENS, json=password_body())
    token = issued.headers["X-Subject-Token"]
    token_expires_at = issued.get_json()["token"]["expires_at"]
    advance(client, 23.9 * 3600)

    credential = credential_of(ask(client, token, duration_seconds=86400))

    assert credential["expires_at"] == token_expires_at


def test_credentials_asked_with_credentials_expire_no_later(
    client: FlaskClient, token: str
) -> None:
    first = credential_of(ask(client, token, duration_seconds=3600))
    advance(client, 600)
    body = token_request(duration_seconds=86400)

    second = credential_of(
        client.open(**with_credential(first, "POST", CREDENTIALS, body=body, project_id=None))
    )
    advance(client, 600)
    third = credential_of(
        client.open(**with_credential(second, "POST", CREDENTIALS, body=body, project_id=None))
    )

    assert second["expires_at"] == first["expires_at"]
    assert third["expires_at"] == first["expires_at"]


def test_credentials_asked_with_a_permanent_ak_last_what_is_asked(client: FlaskClient) -> None:
    now = now_ms(client)
    body = token_request(duration_seconds=86400)

    issued = credential_of(client.open(**signed("POST", CREDENTIALS, ak=AK, sk=SK, body=body)))

    assert ms_of(issued["expires_at"]) == now + 86_400_000


# --- signing SMS calls with them -----------------------------------------------------------------


def test_sms_call_signed_with_temporary_credentials_is_served(
    client: FlaskClient, credential: dict[str, Any]
) -> None:
    response = list_tasks(client, credential)

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["count"] > 0  # the samples of cn-north-4


def test_sms_call_with_temporary_credentials_acts_in_the_x_project_id(
    client: FlaskClient, credential: dict[str, Any]
) -> None:
    response = list_tasks(client, credential, project_id=SECOND_PROJECT_ID)

    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"count": 0, "tasks": []}


def test_temporary_credentials_act_as_their_user(
    client: FlaskClient, token: str, credential: dict[str, Any]
) -> None:
    signed_list = list_tasks(client, credential).get_json()

    assert signed_list == Sms(client, token).list().get_json()


def test_temporary_ak_without_its_security_token_is_refused(
    client: FlaskClient, credential: dict[str, Any]
) -> None:
    response = client.open(
        **signed("GET", "/v3/tasks", ak=credential["access"], sk=credential["secret"])
    )

    assert "x-security-token not found" in refused(response)


def test_temporary_ak_with_a_wrong_security_token_is_refused(
    client: FlaskClient, token: str, credential: dict[str, Any]
) -> None:
    another = credential_of(ask(client, token))

    response = list_tasks(client, credential, security_token=another["securitytoken"])

    assert refused(response) == "verify x-security-token fail"


def test_security_token_outside_the_signed_headers_is_accepted(
    client: FlaskClient, credential: dict[str, Any]
) -> None:
    # golangsdk (Terraform's SDK) sets X-Security-Token after signing.
    request = signed(
        "GET",
        "/v3/tasks",
        ak=credential["access"],
        sk=credential["secret"],
        unsigned={"X-Security-Token": credential["securitytoken"]},
    )

    assert client.open(**request).status_code == 200


def test_security_token_outside_the_signed_headers_is_still_checked(
    client: FlaskClient, token: str, credential: dict[str, Any]
) -> None:
    another = credential_of(ask(client, token))
    request = signed(
        "GET",
        "/v3/tasks",
        ak=credential["access"],
        sk=credential["secret"],
        unsigned={"X-Security-Token": another["securitytoken"]},
    )

    assert refused(client.open(**request)) == "verify x-security-token fail"


def test_security_token_outside_the_signed_headers_still_expires(
    client: FlaskClient, credential: dict[str, Any]
) -> None:
    advance(client, 900)
    request = signed(
        "GET",
        "/v3/tasks",
        ak=credential["access"],
        sk=credential["secret"],
        unsigned={"X-Security-Token": credential["securitytoken"]},
    )

    message = refused(client.open(**request))

    assert message == f"x-security-token expires, expires_at: {credential['expires_at']}"


def test_permanent_ak_with_an_unsigned_security_token_is_refused(
    client: FlaskClient, credential: dict[str, Any]
) -> None:
    request = signed(
        "GET", "/v3/tasks", ak=AK, sk=SK, unsigned={"X-Security-Token": credential["securitytoken"]}
    )

    assert (
        refused(client.open(**request)) == f"x-security-token is given with the permanent ak {AK}"
    )


def test_permanent_ak_with_a_security_token_is_refused(
    client: FlaskClient, credential: dict[str, Any]
) -> None:
    request = signed("GET", "/v3/tasks", ak=AK, sk=SK, security_token=credential["securitytoken"])

    assert "x-security-token is given with the permanent ak" in refused(client.open(**request))


def test_temporary_credentials_stop_signing_when_they_expire(
    client: FlaskClient, credential: dict[str, Any]
) -> None:
    advance(client, 900 - 0.001)
    assert list_tasks(client, credential).status_code == 200

    advance(client, 0.001)
    message = refused(list_tasks(client, credential))

    assert "expires" in message
    assert credential["expires_at"] in message


def test_expired_credentials_cannot_ask_for_new_ones(
    client: FlaskClient, credential: dict[str, Any]
) -> None:
    advance(client, 900)
    body = token_request()

    response = client.open(**with_credential(credential, "POST", CREDENTIALS, body=body))

    assert "expires" in refused(response)


# --- bounded memory ------------------------------------------------------------------------------

ISSUES = 20_000
SPAN_S = 10 * DAY_S
STEP_S = SPAN_S / ISSUES
WINDOW_MS = 2 * DAY_S * 1000  # a day's life, then a day kept as "expired"


def test_token_book_holds_only_the_last_two_days_of_tokens(emulator: Emulator) -> None:
    iam = emulator.iam
    user = iam.account.users[USER_ID]
    project = iam.account.projects[PROJECT_ID]
    recent: deque[int] = deque()
    largest = 0

    for _ in range(ISSUES):
        now = emulator.clock.advance(STEP_S)
        iam.issue(user, ["password"], project, None)
        recent.append(now)
        while recent[0] <= now - WINDOW_MS:
            recent.popleft()
        assert len(iam.tokens) <= len(recent), (len(iam.tokens), len(recent))
        largest = max(largest, len(iam.tokens))

    assert largest < ISSUES // 4, largest


def test_credential_book_holds_only_the_last_two_days_of_credentials(emulator: Emulator) -> None:
    iam = emulator.iam
    user = iam.account.users[USER_ID]
    recent: deque[int] = deque()
    largest = 0

    for _ in range(ISSUES):
        now = emulator.clock.advance(STEP_S)
        iam.issue_credential(user, 86400)
        recent.append(now)
        while recent[0] <= now - WINDOW_MS:
            recent.popleft()
        assert len(iam.credentials) <= len(recent), (len(iam.credentials), len(recent))
        largest = max(largest, len(iam.credentials))

    assert largest < ISSUES // 4, largest


def test_an_expired_token_is_still_told_expired_for_a_day(client: FlaskClient, token: str) -> None:
    advance(client, DAY_S)
    assert "token expires" in refused(Sms(client, token).list())

    advance(client, DAY_S)
    issue_token(client)  # a new issue sweeps the book

    assert "decrypt token fail" in refused(Sms(client, token).list())


# --- tokens from tokens ---------------------------------------------------------------------------


def rescope(client: FlaskClient, token: str, project: str) -> TestResponse:
    body = {
        "auth": {
            "identity": {"methods": ["token"], "token": {"id": token}},
            "scope": {"project": {"name": project}},
        }
    }
    return client.post(TOKENS, json=body)


def test_token_from_a_token_keeps_the_sources_expiry(client: FlaskClient) -> None:
    source = client.post(TOKENS, json=password_body())
    expires_at = source.get_json()["token"]["expires_at"]
    advance(client, 10 * 3600)

    again = rescope(client, source.headers["X-Subject-Token"], "ap-southeast-3")

    assert again.status_code == 201, again.get_json()
    assert again.get_json()["token"]["expires_at"] == expires_at
    assert again.get_json()["token"]["project"]["id"] == SECOND_PROJECT_ID


def test_a_chain_of_rescopes_cannot_extend_a_token(client: FlaskClient) -> None:
    source = client.post(TOKENS, json=password_body())
    expires_at = source.get_json()["token"]["expires_at"]
    token = source.headers["X-Subject-Token"]

    for project in ["ap-southeast-3", "cn-north-4", "ap-southeast-3", "cn-north-4"]:
        advance(client, 5 * 3600)
        answer = rescope(client, token, project)
        assert answer.status_code == 201, answer.get_json()
        assert answer.get_json()["token"]["expires_at"] == expires_at
        token = answer.headers["X-Subject-Token"]

    advance(client, 4 * 3600)  # 24 hours since the first token
    assert "token expires" in refused(Sms(client, token).list())
    refused_rescope = rescope(client, token, "cn-north-4")
    assert error_message(refused_rescope, 401, "Unauthorized") == AUTH_REQUIRED


# --- methods the emulator does not serve ---------------------------------------------------------

MFA_BODY = {
    "auth": {
        "identity": {
            "methods": ["password", "totp"],
            "password": password_body()["auth"]["identity"]["password"],
            "totp": {"user": {"id": USER_ID, "passcode": "123456"}},
        },
        "scope": {"project": {"name": "cn-north-4"}},
    }
}
AGENCY_BODY = {
    "auth": {
        "identity": {
            "methods": ["assume_role"],
            "assume_role": {"domain_name": "mock-domain", "agency_name": "ops"},
        },
        "scope": {"project": {"name": "cn-north-4"}},
    }
}


@pytest.mark.parametrize("body", [MFA_BODY, AGENCY_BODY], ids=["mfa", "agency"])
def test_unserved_methods_are_refused_as_unsupported(
    client: FlaskClient, body: dict[str, Any]
) -> None:
    response = client.post(TOKENS, json=body)

    assert error_message(response, 401, "Unauthorized").startswith(UNSUPPORTED)
    assert "X-Subject-Token" not in response.headers


def test_another_authorization_scheme_beside_a_body_token_id_is_no_credential(
    client: FlaskClient, token: str
) -> None:
    # The body's token id is asked with; a Basic header is not the gateway's credential.
    body = {"auth": {"identity": {"methods": ["token"], "token": {"id": token}}}}
    answer = client.post(
        "/v3.0/OS-CREDENTIAL/securitytokens", json=body, headers={"Authorization": "Basic eDp5"}
    )
    assert answer.status_code == 201, answer.get_json()
