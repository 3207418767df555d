"""IAM's rows of the error table: Keystone bodies, `{"error": {"code", "message", "title"}}`,
for a malformed token request (400) and for credentials refused (401; a user locked out:
test_lockout.py)."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.support.accounts import password_body
from tests.support.assertions import error_body, error_message
from tests.support.calls import post_raw


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"{}", id="missing-auth"),
        pytest.param(b'{"auth":{"identity":{"methods":"password"}}}', id="methods-not-list"),
        pytest.param(b'{"auth":{"identity":{"methods":["x509"]}}}', id="unknown-method"),
        pytest.param(b'{"auth":{"identity":{"methods":["password"]}}}', id="password-missing"),
        pytest.param(b'{"auth":', id="malformed-json"),
        pytest.param(b"[]", id="json-array"),
    ],
)
def test_malformed_token_request_is_a_keystone_400(client: FlaskClient, data: bytes) -> None:
    response = post_raw(client, "/v3/auth/tokens", data, {})

    error_body(response, 400, "Bad Request")


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

    assert error_message(response, 401, "Unauthorized") == "The username or password is wrong."
