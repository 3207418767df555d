"""IAM's rows of the error table: Keystone bodies, `{"error": {"code", "message", "title"}}`,
for a malformed token request (400, naming the field) and for credentials refused (401; a user
locked out: test_lockout.py)."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.support.accounts import password_body
from tests.support.assertions import error_fields, error_message
from tests.support.calls import post_raw


@pytest.mark.parametrize(
    ("data", "field"),
    [
        pytest.param(b"{}", "auth", id="missing-auth"),
        pytest.param(
            b'{"auth":{"identity":{"methods":"password"}}}', "auth.identity.methods",
            id="methods-not-list",
        ),
        pytest.param(
            b'{"auth":{"identity":{"methods":["x509"]}}}', "auth.identity.methods.0",
            id="unknown-method",
        ),
        pytest.param(
            b'{"auth":{"identity":{"methods":["password"]}}}', "auth.identity.password",
            id="password-missing",
        ),
        pytest.param(b'{"auth":', "body", id="malformed-json"),
        pytest.param(b"[]", "body", id="json-array"),
    ],
)  # fmt: skip
def test_malformed_token_request_is_a_keystone_400_naming_the_field(
    client: FlaskClient, data: bytes, field: str
) -> None:
    response = post_raw(client, "/v3/auth/tokens", data, {})

    assert error_fields(response, 400, "Bad Request") == [field]


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
