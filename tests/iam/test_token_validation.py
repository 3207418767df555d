"""Who may validate a token (`GET` and `HEAD /v3/auth/tokens`), as README's IAM section states it.

- IAM asks for the caller's credential beside `X-Subject-Token`: a valid `X-Auth-Token` (the
  subject token itself will do) or an SDK signature. Without one, or with a token that is not
  valid, Keystone's 401 "The request you have made requires authentication.", before the
  subject token is looked at.
- A user validates its own tokens; an administrator of an account validates the tokens of its
  account's users; anyone else, another account's administrator included, gets Keystone's 403
  "You are not authorized to perform the requested action.".

Flask test client (the fixtures' users: mock-user, an administrator; mock-viewer, not one, in
the same account; other-user, another account's), and one check over real HTTP.
"""

from __future__ import annotations

import pytest
import requests
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from sms_mock.mock_server.serving.live import LiveServer
from tests.support.accounts import (
    OTHER_AK,
    OTHER_PROJECT_ID,
    OTHER_SK,
    issue_token,
    other_user_token,
    password_body,
)
from tests.support.assertions import error_body, error_message
from tests.support.servers import issue
from tests.support.signed import send

TOKENS = "/v3/auth/tokens"
AUTH_REQUIRED = "The request you have made requires authentication."
FORBIDDEN = "You are not authorized to perform the requested action."


def viewer_token(client: FlaskClient) -> str:
    """A token of mock-viewer: the default account's user that is no administrator."""
    return issue_token(client, password_body("mock-viewer", "viewer-password"))


def validate(client: FlaskClient, subject: str, caller: str | None) -> TestResponse:
    headers = {"X-Subject-Token": subject}
    if caller is not None:
        headers["X-Auth-Token"] = caller
    return client.get(TOKENS, headers=headers)


# --- a caller is required ------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_a_validation_without_a_caller_credential_is_unauthorized(
    client: FlaskClient, token: str, method: str
) -> None:
    response = client.open(TOKENS, method=method, headers={"X-Subject-Token": token})

    assert response.status_code == 401
    if method == "GET":
        assert error_message(response, 401, "Unauthorized") == AUTH_REQUIRED
    else:
        assert response.get_data() == b""
    assert "X-Subject-Token" not in response.headers  # nothing of the token is told


def test_without_a_caller_even_an_unknown_subject_is_unauthorized(client: FlaskClient) -> None:
    # Who asks is checked first: the answer says nothing of the subject token.
    response = client.get(TOKENS, headers={"X-Subject-Token": "MII" + "E" * 64})

    assert error_message(response, 401, "Unauthorized") == AUTH_REQUIRED


def test_a_caller_without_a_subject_is_a_bad_request_not_unauthorized(
    client: FlaskClient, token: str
) -> None:
    response = client.get(TOKENS, headers={"X-Auth-Token": token})

    error_body(response, 400, "Bad Request")


# --- whose tokens a caller validates -------------------------------------------------------------


def test_a_user_validates_its_own_token(client: FlaskClient) -> None:
    mine = viewer_token(client)

    assert validate(client, mine, mine).status_code == 200


def test_a_user_validates_another_of_its_own_tokens(client: FlaskClient) -> None:
    subject, caller = viewer_token(client), viewer_token(client)

    assert validate(client, subject, caller).status_code == 200


def test_an_administrator_validates_a_token_of_its_accounts_user(
    client: FlaskClient, token: str
) -> None:
    response = validate(client, viewer_token(client), token)

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["token"]["user"]["name"] == "mock-viewer"


def test_a_user_that_is_no_administrator_cannot_validate_another_users_token(
    client: FlaskClient, token: str
) -> None:
    response = validate(client, token, viewer_token(client))

    assert error_message(response, 403, "Forbidden") == FORBIDDEN


@pytest.mark.parametrize(
    "direction", ["other-account-validates-ours", "our-admin-validates-theirs"]
)
def test_another_accounts_token_is_refused_either_way(
    client: FlaskClient, token: str, direction: str
) -> None:
    other = other_user_token(client)
    subject, caller = (
        (token, other) if direction == "other-account-validates-ours" else (other, token)
    )

    response = validate(client, subject, caller)

    assert error_message(response, 403, "Forbidden") == FORBIDDEN
    assert "X-Subject-Token" not in response.headers


def test_a_signature_of_another_account_is_refused(client: FlaskClient, token: str) -> None:
    response = send(
        client,
        "GET",
        TOKENS,
        ak=OTHER_AK,
        sk=OTHER_SK,
        project_id=OTHER_PROJECT_ID,
        headers={"X-Subject-Token": token},
    )

    assert error_message(response, 403, "Forbidden") == FORBIDDEN


def test_a_signature_of_the_tokens_account_administrator_validates_it(
    client: FlaskClient, token: str
) -> None:
    response = send(client, "GET", TOKENS, project_id=None, headers={"X-Subject-Token": token})

    assert response.status_code == 200, response.get_json()
    assert response.headers["X-Subject-Token"] == token


# --- over HTTP ---------------------------------------------------------------------------------


def test_over_http_a_validation_needs_the_callers_token(live: LiveServer) -> None:
    token = issue(live.iam_url)
    url = f"{live.iam_url}{TOKENS}"

    refused = requests.get(url, headers={"X-Subject-Token": token}, timeout=5)
    served = requests.get(url, headers={"X-Subject-Token": token, "X-Auth-Token": token}, timeout=5)

    assert error_message(refused, 401, "Unauthorized") == AUTH_REQUIRED
    assert served.status_code == 200
    assert served.headers["X-Subject-Token"] == token
