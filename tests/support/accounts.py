"""The default account and the second one (README, "The default account"), and their tokens."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

DOMAIN_ID = "71a1b3e7d637f23bdf0aef1a39f48345"
PROJECT_ID = "aa672d6a0df5c7904ce88d2f516d242d"  # cn-north-4, the default project
SECOND_PROJECT_ID = "dc9b435eda28e5664759cb6ea9488a33"  # ap-southeast-3
USER_ID = "4c66936102f182adc4f5f7a832370527"
OTHER_PROJECT_ID = "39cce7b82b8742f16e2d0d601a945c6b"  # eu-west-101 of other-domain

# The default user, as `SmsClient(url, project=..., **ACCOUNT)` takes it.
ACCOUNT = {"username": "mock-user", "password": "mock-password", "domain": "mock-domain"}
AK = "MOCKACCESSKEYEXAMPLE"
SK = "mock-secret-key-example-0000000000000000"
OTHER_AK = "OTHERACCESSKEYEXAMPLE"
OTHER_SK = "other-secret-key-example-000000000000000"


def password_body(
    user: str = "mock-user",
    password: str = "mock-password",
    domain: str = "mock-domain",
    scope: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A password token request; scoped to cn-north-4 unless `scope` says otherwise."""
    auth: dict[str, Any] = {
        "identity": {
            "methods": ["password"],
            "password": {"user": {"name": user, "password": password, "domain": {"name": domain}}},
        }
    }
    auth["scope"] = scope if scope is not None else {"project": {"name": "cn-north-4"}}
    return {"auth": auth}


def issue_token(client: FlaskClient, body: dict[str, Any] | None = None) -> str:
    response = client.post("/v3/auth/tokens", json=body or password_body())
    assert response.status_code == 201, response.get_json()
    return response.headers["X-Subject-Token"]


def other_user_token(client: FlaskClient) -> str:
    """A token of the second account, scoped to its project eu-west-101."""
    return issue_token(
        client,
        password_body(
            "other-user", "other-password", "other-domain", {"project": {"name": "eu-west-101"}}
        ),
    )


def domain_token(client: FlaskClient) -> str:
    """A token of the default user scoped to its domain: no project, so no SMS."""
    return issue_token(client, password_body(scope={"domain": {"name": "mock-domain"}}))


def project_token(client: FlaskClient, project: str) -> str:
    """A token of the default user scoped to `project` (by name)."""
    return issue_token(client, password_body(scope={"project": {"name": project}}))
