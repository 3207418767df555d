"""IAM over the Flask test client: token issue, validation, expiry, refused credentials,
projects, domains (lock-outs are test_lockout.py's)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from sms_mock.contracts.iam import DomainListSchema, ProjectListSchema, TokenResponseSchema
from sms_mock.mock_server import Config, create_app
from tests.support.accounts import (
    DOMAIN_ID,
    OTHER_PROJECT_ID,
    PROJECT_ID,
    SECOND_PROJECT_ID,
    USER_ID,
    issue_token,
    other_user_token,
    password_body,
)
from tests.support.assertions import AUTH_FAILED, error_body, error_message
from tests.support.helpers import DAY_S, advance, loads

TOKENS = "/v3/auth/tokens"
WRONG_CREDENTIALS = "The username or password is wrong."
OTHER_DOMAIN_ID = "a6da4843b2fa3567fe0c0c84d59bbe57"
MOCK_DOMAIN = {"id": DOMAIN_ID, "name": "mock-domain"}
CN_NORTH_4 = {"id": PROJECT_ID, "name": "cn-north-4", "domain": MOCK_DOMAIN}
AP_SOUTHEAST_3 = {"id": SECOND_PROJECT_ID, "name": "ap-southeast-3", "domain": MOCK_DOMAIN}


def post_token(client: FlaskClient, body: Any, query: str = "") -> TestResponse:
    return client.post(TOKENS + query, json=body)


def user_id_body(password: str = "mock-password", user_id: str = USER_ID) -> dict[str, Any]:
    return {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"id": user_id, "password": password}},
            },
            "scope": {"project": {"name": "cn-north-4"}},
        }
    }


def unscoped_body() -> dict[str, Any]:
    body = password_body()
    del body["auth"]["scope"]
    return body


def token_method_body(token_id: str, scope: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "auth": {
            "identity": {"methods": ["token"], "token": {"id": token_id}},
            "scope": scope if scope is not None else {"project": {"id": PROJECT_ID}},
        }
    }


def wrong_password_body() -> dict[str, Any]:
    return password_body(password="not-the-password")


def token_of(response: TestResponse) -> dict[str, Any]:
    """The `token` object of a successful token answer, loaded through its contract."""
    body = response.get_json()
    loads(TokenResponseSchema, body)
    return body["token"]


def parse_iso(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def sms_get(client: FlaskClient, token: str) -> TestResponse:
    return client.get("/v3/tasks/sample-ready", headers={"X-Auth-Token": token})


# --- issuing tokens --------------------------------------------------------------------------


def test_password_by_user_and_domain_name_issues_a_project_token(client: FlaskClient) -> None:
    response = post_token(client, password_body())

    assert response.status_code == 201
    assert response.headers["X-Subject-Token"]
    token = token_of(response)
    assert token["methods"] == ["password"]
    assert token["user"]["id"] == USER_ID
    assert token["user"]["name"] == "mock-user"
    assert token["project"] == CN_NORTH_4


def test_password_by_user_id_issues_a_token(client: FlaskClient) -> None:
    response = post_token(client, user_id_body())

    assert response.status_code == 201
    token = token_of(response)
    assert token["user"]["id"] == USER_ID
    assert token["user"]["domain"] == MOCK_DOMAIN
    assert token["project"] == CN_NORTH_4


def test_password_without_scope_issues_an_unscoped_token(client: FlaskClient) -> None:
    response = post_token(client, unscoped_body())

    assert response.status_code == 201
    token = token_of(response)
    assert token["project"] is None
    assert token["domain"] is None


def test_token_method_exchanges_an_unscoped_token_for_a_project_one(client: FlaskClient) -> None:
    unscoped = issue_token(client, unscoped_body())

    response = post_token(client, token_method_body(unscoped, {"project": {"id": PROJECT_ID}}))

    assert response.status_code == 201
    scoped = response.headers["X-Subject-Token"]
    assert scoped != unscoped
    token = token_of(response)
    assert token["methods"] == ["token"]
    assert token["project"] == CN_NORTH_4
    assert token["domain"] is None
    assert sms_get(client, scoped).status_code == 200


@pytest.mark.parametrize("kind", ["unknown", "expired"])
def test_token_method_with_an_unusable_token_is_unauthorized(
    client: FlaskClient, kind: str
) -> None:
    if kind == "unknown":
        token_id = "MII" + "A" * 128
    else:
        token_id = issue_token(client, unscoped_body())
        advance(client, DAY_S)

    response = post_token(client, token_method_body(token_id))

    message = error_message(response, 401, "Unauthorized")
    assert message == "The request you have made requires authentication."


@pytest.mark.parametrize(
    ("scope", "project", "domain"),
    [
        pytest.param({"project": {"id": PROJECT_ID}}, CN_NORTH_4, None, id="project-id"),
        pytest.param(
            {"project": {"id": SECOND_PROJECT_ID}}, AP_SOUTHEAST_3, None, id="second-project-id"
        ),
        pytest.param({"project": {"name": "cn-north-4"}}, CN_NORTH_4, None, id="project-name"),
        pytest.param(
            {"project": {"name": "ap-southeast-3", "domain": {"name": "mock-domain"}}},
            AP_SOUTHEAST_3,
            None,
            id="project-name-in-domain-name",
        ),
        pytest.param(
            {"project": {"name": "cn-north-4", "domain": {"id": DOMAIN_ID}}},
            CN_NORTH_4,
            None,
            id="project-name-in-domain-id",
        ),
        pytest.param({"domain": {"id": DOMAIN_ID}}, None, MOCK_DOMAIN, id="domain-id"),
        pytest.param({"domain": {"name": "mock-domain"}}, None, MOCK_DOMAIN, id="domain-name"),
        # IAM documents that a project scope wins when both are given.
        pytest.param(
            {"project": {"name": "cn-north-4"}, "domain": {"name": "mock-domain"}},
            CN_NORTH_4,
            None,
            id="project-wins-over-domain",
        ),
    ],
)
def test_scope_sets_either_project_or_domain(
    client: FlaskClient,
    scope: dict[str, Any],
    project: dict[str, Any] | None,
    domain: dict[str, Any] | None,
) -> None:
    response = post_token(client, password_body(scope=scope))

    assert response.status_code == 201, response.get_json()
    token = token_of(response)
    assert token["project"] == project
    assert token["domain"] == domain


def test_token_answer_has_every_key_of_the_sdk_token_result(client: FlaskClient) -> None:
    token = post_token(client, password_body()).get_json()["token"]

    assert set(token) >= {
        "catalog",
        "domain",
        "expires_at",
        "issued_at",
        "methods",
        "project",
        "roles",
        "user",
    }
    assert set(token["user"]) >= {"id", "name", "password_expires_at", "domain", "OS-FEDERATION"}
    assert token["user"]["password_expires_at"] == ""  # "" means never, as IAM writes it
    assert token["user"]["OS-FEDERATION"] is None
    assert token["roles"]
    assert all(role["id"] == "0" for role in token["roles"])


def test_token_expires_24_hours_after_it_is_issued(client: FlaskClient) -> None:
    token = token_of(post_token(client, password_body()))

    assert parse_iso(token["expires_at"]) - parse_iso(token["issued_at"]) == timedelta(hours=24)


def test_token_is_issued_at_the_emulator_clock_now(client: FlaskClient) -> None:
    now = advance(client, 3 * 3600)

    token = token_of(post_token(client, password_body()))

    assert parse_iso(token["issued_at"]) == datetime.fromtimestamp(now / 1000, tz=UTC)


def test_nocatalog_gives_an_empty_catalog_key(client: FlaskClient) -> None:
    response = post_token(client, password_body(), "?nocatalog=true")

    assert response.status_code == 201
    body = response.get_json()
    loads(TokenResponseSchema, body)
    assert body["token"]["catalog"] == []


def test_catalog_lists_this_emulator_for_sms_and_iam(client: FlaskClient) -> None:
    catalog = token_of(post_token(client, password_body()))["catalog"]

    by_type = {entry["type"]: entry for entry in catalog}
    assert set(by_type) == {"sms", "iam"}
    [sms] = by_type["sms"]["endpoints"]
    [iam] = by_type["iam"]["endpoints"]
    assert sms["url"] == "http://localhost"
    assert sms["region"] == "cn-north-4"
    assert iam["url"] == "http://localhost/v3"
    assert {sms["interface"], iam["interface"]} == {"public"}


def test_catalog_follows_the_url_the_caller_reached() -> None:
    # A name the emulator answers to (`--allowed-host`); one it does not answer to is never
    # named (tests/security/test_browser_attacker.py).
    client = create_app(Config(clock="manual", allowed_hosts=["sms-mock.internal"])).test_client()
    response = client.post(
        TOKENS,
        json=password_body(scope={"project": {"name": "ap-southeast-3"}}),
        base_url="http://sms-mock.internal:9090",
    )

    catalog = {entry["type"]: entry for entry in token_of(response)["catalog"]}
    assert catalog["sms"]["endpoints"][0]["url"] == "http://sms-mock.internal:9090"
    assert catalog["sms"]["endpoints"][0]["region"] == "ap-southeast-3"
    assert catalog["iam"]["endpoints"][0]["url"] == "http://sms-mock.internal:9090/v3"


def test_each_answer_names_its_own_host_scope_and_times_whatever_was_asked_before() -> None:
    # One server, asked in turn by other hosts, for other scopes, with and without a catalog:
    # each answer is its own call's, however much of the last one's it shares.
    client = create_app(Config(clock="manual", allowed_hosts=["sms-mock.internal"])).test_client()
    calls = [
        ("http://sms-mock.internal:9090", {"project": {"name": "cn-north-4"}}, ""),
        ("http://localhost", {"project": {"name": "cn-north-4"}}, ""),
        ("http://sms-mock.internal:9090", {"project": {"name": "ap-southeast-3"}}, ""),
        ("http://127.0.0.1:8080", {"domain": {"name": "mock-domain"}}, ""),
        ("http://sms-mock.internal:9090", {"project": {"name": "cn-north-4"}}, "?nocatalog=1"),
        ("http://sms-mock.internal:9090", {"project": {"name": "cn-north-4"}}, ""),
    ]
    for step, (base_url, scope, query) in enumerate(calls):
        now = advance(client, 61)  # a minute later each time: other times
        response = client.post(TOKENS + query, json=password_body(scope=scope), base_url=base_url)
        token = token_of(response)
        # Compact JSON, keys in the SDK's order, as every answer of the emulator.
        assert response.data == json.dumps(response.get_json(), separators=(",", ":")).encode()
        assert parse_iso(token["issued_at"]) == datetime.fromtimestamp(now / 1000, tz=UTC)
        project = scope.get("project", {}).get("name")
        assert (token["project"] or {}).get("name") == project, step
        assert token["domain"] == (None if project else MOCK_DOMAIN), step
        catalog = {entry["type"]: entry["endpoints"] for entry in token["catalog"]}
        if query:
            assert catalog == {}, step
            continue
        assert [e["url"] for e in catalog["iam"]] == [f"{base_url}/v3"], step
        sms = [(e["url"], e["region"]) for e in catalog.get("sms", [])]
        assert sms == ([(base_url, project)] if project else []), step


def test_two_tokens_for_the_same_user_differ(client: FlaskClient) -> None:
    assert issue_token(client) != issue_token(client)


def test_token_does_not_contain_the_user_id_name_or_password(client: FlaskClient) -> None:
    token = issue_token(client)

    for secret in (USER_ID, "mock-user", "mock-password", "mock-domain", PROJECT_ID):
        assert secret not in token


# --- validating tokens -----------------------------------------------------------------------
# Who may validate which token, and the answers without a caller, are test_token_validation.py's.


def own(token: str) -> dict[str, str]:
    """Headers that validate one's own token: it is the caller's credential too."""
    return {"X-Auth-Token": token, "X-Subject-Token": token}


def test_get_validates_a_token_echoing_it_with_the_same_body(client: FlaskClient) -> None:
    issued = post_token(client, password_body())
    token = issued.headers["X-Subject-Token"]

    response = client.get(TOKENS, headers=own(token))

    assert response.status_code == 200
    assert response.headers["X-Subject-Token"] == token
    loads(TokenResponseSchema, response.get_json())
    assert response.get_json() == issued.get_json()


def test_get_validates_with_a_valid_caller_token(client: FlaskClient, token: str) -> None:
    subject = issue_token(client, password_body(scope={"domain": {"name": "mock-domain"}}))

    response = client.get(TOKENS, headers={"X-Subject-Token": subject, "X-Auth-Token": token})

    assert response.status_code == 200
    assert token_of(response)["domain"] == MOCK_DOMAIN


def test_get_validate_with_nocatalog_gives_an_empty_catalog(
    client: FlaskClient, token: str
) -> None:
    response = client.get(TOKENS + "?nocatalog=1", headers=own(token))

    assert response.status_code == 200
    assert token_of(response)["catalog"] == []


def test_head_validates_a_token_without_a_body(client: FlaskClient, token: str) -> None:
    response = client.head(TOKENS, headers=own(token))

    assert response.status_code == 200
    assert response.headers["X-Subject-Token"] == token
    assert response.get_data() == b""


@pytest.mark.parametrize("kind", ["unknown", "expired"])
def test_validate_of_an_unknown_or_expired_token_is_not_found(
    client: FlaskClient, kind: str
) -> None:
    subject = "MII" + "B" * 128 if kind == "unknown" else issue_token(client)
    if kind == "expired":
        advance(client, DAY_S)
    caller = issue_token(client)  # issued after the clock moved: valid

    response = client.get(TOKENS, headers={"X-Subject-Token": subject, "X-Auth-Token": caller})

    error_body(response, 404, "Not Found")


def test_head_of_an_unknown_token_is_not_found(client: FlaskClient, token: str) -> None:
    response = client.head(
        TOKENS, headers={"X-Subject-Token": "MII" + "C" * 64, "X-Auth-Token": token}
    )

    assert response.status_code == 404
    assert response.get_data() == b""


def test_validate_without_a_subject_token_is_a_bad_request(client: FlaskClient, token: str) -> None:
    response = client.get(TOKENS, headers={"X-Auth-Token": token})

    assert "X-Subject-Token" in error_message(response, 400, "Bad Request")


@pytest.mark.parametrize("kind", ["unknown", "expired"])
def test_validate_with_an_invalid_caller_token_is_unauthorized(
    client: FlaskClient, kind: str
) -> None:
    caller = "MII" + "D" * 128
    if kind == "expired":
        caller = issue_token(client)
        advance(client, DAY_S)
    subject = issue_token(client)

    response = client.get(TOKENS, headers={"X-Subject-Token": subject, "X-Auth-Token": caller})

    error_body(response, 401, "Unauthorized")


# --- expiry on the emulator clock ------------------------------------------------------------


def test_token_is_refused_once_24_hours_have_passed(client: FlaskClient, token: str) -> None:
    advance(client, DAY_S)

    response = sms_get(client, token)

    assert error_message(response, 401, "APIGW.0301").startswith(AUTH_FAILED + "token expires")


def test_token_still_works_a_millisecond_before_24_hours(client: FlaskClient, token: str) -> None:
    advance(client, DAY_S - 0.001)

    assert sms_get(client, token).status_code == 200


# --- refused credentials (their lock-out: test_lockout.py) ----------------------------------


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(wrong_password_body(), id="wrong-password"),
        pytest.param(password_body(user="nobody"), id="unknown-user"),
        pytest.param(
            password_body(user="other-user", password="other-password"), id="user-of-another-domain"
        ),
        pytest.param(user_id_body(user_id="0" * 32), id="unknown-user-id"),
        pytest.param(user_id_body(password="nope"), id="wrong-password-by-id"),
        pytest.param(password_body(domain="no-such-domain"), id="unknown-domain"),
        pytest.param(
            password_body(scope={"project": {"name": "no-such-project"}}), id="unknown-project"
        ),
        pytest.param(password_body(scope={"project": {"id": "f" * 32}}), id="unknown-project-id"),
        pytest.param(
            password_body(scope={"project": {"name": "eu-west-101"}}),
            id="project-name-of-another-domain",
        ),
        pytest.param(
            password_body(scope={"project": {"id": OTHER_PROJECT_ID}}),
            id="project-id-of-another-domain",
        ),
        pytest.param(
            password_body(
                scope={"project": {"name": "eu-west-101", "domain": {"name": "other-domain"}}}
            ),
            id="project-in-another-named-domain",
        ),
        pytest.param(
            password_body(scope={"project": {"name": "cn-north-4", "domain": {"name": "nope"}}}),
            id="project-in-unknown-domain",
        ),
        pytest.param(
            password_body(scope={"domain": {"name": "no-such-domain"}}), id="unknown-domain-scope"
        ),
        pytest.param(
            password_body(scope={"domain": {"id": OTHER_DOMAIN_ID}}), id="another-domain-scope"
        ),
    ],
)
def test_refused_credentials_answer_username_or_password_is_wrong(
    client: FlaskClient, body: dict[str, Any]
) -> None:
    response = post_token(client, body)

    assert error_message(response, 401, "Unauthorized") == WRONG_CREDENTIALS


# --- malformed requests ----------------------------------------------------------------------


def _without(path: list[str]) -> Callable[[], dict[str, Any]]:
    def build() -> dict[str, Any]:
        body = password_body()
        node: Any = body
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]
        return body

    return build


def _with(path: list[str], value: Any) -> Callable[[], dict[str, Any]]:
    def build() -> dict[str, Any]:
        body = password_body()
        node: Any = body
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        return body

    return build


IDENTITY = ["auth", "identity"]
USER = [*IDENTITY, "password", "user"]


@pytest.mark.parametrize(
    ("build", "field"),
    [
        pytest.param(lambda: {}, "auth", id="missing-auth"),
        pytest.param(lambda: {"auth": None}, "auth", id="null-auth"),
        pytest.param(_without(IDENTITY), "auth.identity", id="missing-identity"),
        pytest.param(_without([*IDENTITY, "methods"]), "auth.identity.methods", id="no-methods"),
        pytest.param(
            _with([*IDENTITY, "methods"], "password"), "auth.identity.methods", id="methods-str"
        ),
        pytest.param(
            _with([*IDENTITY, "methods"], ["x509"]), "auth.identity.methods", id="unknown-method"
        ),
        pytest.param(
            _without([*IDENTITY, "password"]), "auth.identity.password", id="password-no-object"
        ),
        pytest.param(
            lambda: {"auth": {"identity": {"methods": ["token"]}}},
            "auth.identity.token",
            id="token-no-object",
        ),
        pytest.param(_with([*USER, "password"], 12345), "user.password", id="password-number"),
        pytest.param(_with([*USER, "name"], ["mock-user"]), "user.name", id="name-list"),
        pytest.param(_with([*USER, "domain"], "mock-domain"), "user.domain", id="domain-string"),
        pytest.param(_without([*USER, "domain"]), "user.domain", id="name-without-domain"),
        pytest.param(_with(["auth", "scope"], {}), "auth.scope", id="empty-scope"),
        pytest.param(_with(["auth", "scope"], {"project": {}}), "scope.project", id="bare-project"),
    ],
)
def test_malformed_token_request_is_a_bad_request_naming_the_field(
    client: FlaskClient, build: Callable[[], dict[str, Any]], field: str
) -> None:
    response = post_token(client, build())

    assert field in error_message(response, 400, "Bad Request")


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b'{"auth": {', id="truncated-json"),
        pytest.param(b"auth=yes", id="not-json"),
        pytest.param(b"", id="empty"),
        pytest.param(b'[{"auth": {}}]', id="json-array"),
        pytest.param(b'"auth"', id="json-string"),
        pytest.param(b"\xff\xfe{}", id="not-utf8"),
    ],
)
def test_token_request_that_is_not_a_json_object_is_a_bad_request(
    client: FlaskClient, data: bytes
) -> None:
    response = client.post(TOKENS, data=data, content_type="application/json")

    assert "body" in error_message(response, 400, "Bad Request")


# --- projects and domains --------------------------------------------------------------------


def test_projects_by_name_finds_the_project(client: FlaskClient, token: str) -> None:
    response = client.get("/v3/projects?name=cn-north-4", headers={"X-Auth-Token": token})

    assert response.status_code == 200
    body = response.get_json()
    loads(ProjectListSchema, body)
    [project] = body["projects"]
    assert project["id"] == PROJECT_ID
    assert project["name"] == "cn-north-4"
    assert project["domain_id"] == DOMAIN_ID


def test_projects_by_unknown_name_is_empty(client: FlaskClient, token: str) -> None:
    response = client.get("/v3/projects?name=unknown", headers={"X-Auth-Token": token})

    assert response.status_code == 200
    assert loads(ProjectListSchema, response.get_json())["projects"] == []


def test_projects_without_a_name_lists_the_user_domain_only(
    client: FlaskClient, token: str
) -> None:
    response = client.get("/v3/projects", headers={"X-Auth-Token": token})

    projects = loads(ProjectListSchema, response.get_json())["projects"]
    assert {p["id"] for p in projects} == {PROJECT_ID, SECOND_PROJECT_ID}


def test_projects_of_another_domain_are_not_found_by_name(client: FlaskClient) -> None:
    token = other_user_token(client)

    response = client.get("/v3/projects?name=cn-north-4", headers={"X-Auth-Token": token})

    assert loads(ProjectListSchema, response.get_json())["projects"] == []


def test_projects_without_a_token_is_refused_by_the_gateway(client: FlaskClient) -> None:
    response = client.get("/v3/projects?name=cn-north-4")

    error_body(response, 401, "APIGW.0301")


def test_auth_domains_gives_the_user_domain(client: FlaskClient, token: str) -> None:
    response = client.get("/v3/auth/domains", headers={"X-Auth-Token": token})

    assert response.status_code == 200
    body = response.get_json()
    loads(DomainListSchema, body)
    assert [(d["id"], d["name"]) for d in body["domains"]] == [(DOMAIN_ID, "mock-domain")]
