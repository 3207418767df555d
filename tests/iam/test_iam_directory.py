"""IAM's read-only directory: projects by id, a user's projects, the catalog, endpoints, services
and regions (Flask test client), and the IAM listener beside the main port (live server)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from sms_mock.contracts.iam import (
    ProjectListSchema,
    ProjectShowSchema,
    TokenResponseSchema,
    UserListSchema,
)
from sms_mock.contracts.iam_catalog import (
    CatalogSchema,
    EndpointListSchema,
    EndpointShowSchema,
    RegionListSchema,
    RegionShowSchema,
    ServiceListSchema,
    ServiceShowSchema,
)
from sms_mock.contracts.versions import KeystoneVersionListSchema, KeystoneVersionShowSchema
from sms_mock.mock_server import Config, create_app
from sms_mock.mock_server.serving.live import LiveServer
from tests.support.accounts import (
    AK,
    DOMAIN_ID,
    OTHER_PROJECT_ID,
    PROJECT_ID,
    SECOND_PROJECT_ID,
    SK,
    USER_ID,
    domain_token,
    issue_token,
    other_user_token,
    password_body,
    project_token,
)
from tests.support.assertions import error_body, error_message
from tests.support.helpers import DAY_S, advance, loads
from tests.support.signed import send

VIEWER_ID = "5d1e3f0b7c9a4e2d8b6f1a3c5e7d9b20"
OTHER_USER_ID = "b27e201b988ceee57c6c2cdda407a1b0"
OTHER_DOMAIN_ID = "a6da4843b2fa3567fe0c0c84d59bbe57"
VIEWER_AK, VIEWER_SK = "VIEWERACCESSKEYEXAMPLE", "viewer-secret-key-example-00000000000000"
ACCOUNT_USERS = {USER_ID: "mock-user", VIEWER_ID: "mock-viewer"}
UNKNOWN_ID = "0" * 32
FORBIDDEN = "You are not authorized to perform the requested action."
ACCOUNT_PROJECTS = {PROJECT_ID, SECOND_PROJECT_ID}
# Every region of the fixtures' projects, over both accounts: the directory is the same for all.
REGIONS = ["ap-southeast-3", "cn-north-4", "eu-west-101"]


def auth(token: str) -> dict[str, str]:
    return {"X-Auth-Token": token}


def get(client: FlaskClient, path: str, token: str, **query: str) -> TestResponse:
    return client.get(path, query_string=query, headers=auth(token))


def ok(response: TestResponse) -> Any:
    assert response.status_code == 200, f"{response.status_code}: {response.get_data(as_text=True)}"
    return response.get_json()


def signed_get(
    client: FlaskClient, path: str, project_id: str | None = None, ak: str = AK, sk: str = SK
) -> TestResponse:
    """GET `path` signed as the SDK signs it (no token), in `project_id` when given."""
    return send(client, "GET", path, project_id=project_id, ak=ak, sk=sk)


def viewer_token(client: FlaskClient) -> str:
    return issue_token(client, password_body("mock-viewer", "viewer-password"))


def by_type(catalog: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {entry["type"]: entry for entry in catalog}


def not_found(response: TestResponse, target: str, target_id: str) -> None:
    message = error_message(response, 404, "Not Found")
    assert message == f"Could not find {target}: {target_id}.", message


# --- projects -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("project_id", "name"),
    [(PROJECT_ID, "cn-north-4"), (SECOND_PROJECT_ID, "ap-southeast-3")],
    ids=["default", "second"],
)
def test_show_project_of_the_own_account(
    client: FlaskClient, token: str, project_id: str, name: str
) -> None:
    body = loads(ProjectShowSchema, ok(get(client, f"/v3/projects/{project_id}", token)))

    project = body["project"]
    assert (project["id"], project["name"], project["domain_id"]) == (project_id, name, DOMAIN_ID)
    assert project["links"]["self"].endswith(f"/v3/projects/{project_id}")


@pytest.mark.parametrize(
    "project_id", [OTHER_PROJECT_ID, UNKNOWN_ID], ids=["another-account", "unknown"]
)
def test_show_project_of_another_account_is_not_found_like_an_unknown_one(
    client: FlaskClient, token: str, project_id: str
) -> None:
    not_found(get(client, f"/v3/projects/{project_id}", token), "project", project_id)


def test_another_account_cannot_see_the_default_project(client: FlaskClient) -> None:
    response = get(client, f"/v3/projects/{PROJECT_ID}", other_user_token(client))

    not_found(response, "project", PROJECT_ID)


def test_show_project_needs_a_caller(client: FlaskClient) -> None:
    error_body(client.get(f"/v3/projects/{PROJECT_ID}"), 401, "APIGW.0301")


# --- a user's projects --------------------------------------------------------------------------


def project_ids(response: TestResponse) -> set[str]:
    return {p["id"] for p in loads(ProjectListSchema, ok(response))["projects"]}


def test_users_own_projects_are_the_accounts(client: FlaskClient, token: str) -> None:
    assert project_ids(get(client, f"/v3/users/{USER_ID}/projects", token)) == ACCOUNT_PROJECTS


def test_non_admin_sees_its_own_projects(client: FlaskClient) -> None:
    response = get(client, f"/v3/users/{VIEWER_ID}/projects", viewer_token(client))

    assert project_ids(response) == ACCOUNT_PROJECTS


@pytest.mark.parametrize(
    "user_id", [USER_ID, UNKNOWN_ID, OTHER_USER_ID], ids=["admin", "unknown", "another-account"]
)
def test_non_admin_asking_for_another_users_projects_is_forbidden(
    client: FlaskClient, user_id: str
) -> None:
    # The same 403 whether the user exists or not: a non-admin cannot probe user ids.
    response = get(client, f"/v3/users/{user_id}/projects", viewer_token(client))

    assert error_message(response, 403, "Forbidden") == FORBIDDEN


def test_admin_sees_another_users_projects(client: FlaskClient, token: str) -> None:
    response = get(client, f"/v3/users/{VIEWER_ID}/projects", token)

    assert project_ids(response) == ACCOUNT_PROJECTS


@pytest.mark.parametrize("user_id", [UNKNOWN_ID, OTHER_USER_ID], ids=["unknown", "another-account"])
def test_admin_asking_for_a_user_outside_its_account_is_not_found(
    client: FlaskClient, token: str, user_id: str
) -> None:
    not_found(get(client, f"/v3/users/{user_id}/projects", token), "user", user_id)


def test_users_projects_of_another_account_are_its_own(client: FlaskClient) -> None:
    token = other_user_token(client)

    response = get(client, f"/v3/users/{OTHER_USER_ID}/projects", token)

    assert project_ids(response) == {OTHER_PROJECT_ID}


# --- the account's users --------------------------------------------------------------------------


def users(response: TestResponse) -> dict[str, str]:
    """The users listed, id to name, once the answer is checked against its contract."""
    return {u["id"]: u["name"] for u in loads(UserListSchema, ok(response))["users"]}


def test_an_admin_lists_its_accounts_users_and_no_others(client: FlaskClient, token: str) -> None:
    response = get(client, "/v3/users", token)

    assert users(response) == ACCOUNT_USERS
    body = response.get_json()
    assert body["links"] == {"self": "http://localhost/v3/users", "previous": None, "next": None}
    mine = next(u for u in body["users"] if u["id"] == USER_ID)
    assert mine == {
        "id": USER_ID,
        "name": "mock-user",
        "domain_id": DOMAIN_ID,
        "enabled": True,
        "description": "",
        "password_expires_at": None,
        "pwd_status": False,
        "pwd_strength": "mid",  # lower case and '-': two kinds of character
        "last_project_id": PROJECT_ID,
        "access_mode": "default",
        "links": {"self": f"http://localhost/v3/users/{USER_ID}", "previous": None, "next": None},
    }


USER_QUERIES = [
    ({"name": "mock-viewer"}, {VIEWER_ID: "mock-viewer"}),
    ({"name": "mock-user"}, {USER_ID: "mock-user"}),
    ({"name": "nobody"}, {}),
    ({"name": "other-user"}, {}),  # another account's user, by its exact name
    ({"name": "MOCK-USER"}, {}),
    ({"domain_id": DOMAIN_ID}, ACCOUNT_USERS),
    ({"domain_id": OTHER_DOMAIN_ID}, {}),
    ({"domain_id": OTHER_DOMAIN_ID, "name": "other-user"}, {}),
    ({"enabled": "true"}, ACCOUNT_USERS),
    ({"enabled": "True"}, ACCOUNT_USERS),  # as the SDK sends a Python True
    ({"enabled": "false"}, {}),
    (
        {"name": "mock-viewer", "enabled": "true", "domain_id": DOMAIN_ID},
        {VIEWER_ID: "mock-viewer"},
    ),
    # Every password of the emulator never expires: no expiry filter matches it.
    ({"password_expires_at": "lt:2016-12-08T22:02:00Z"}, {}),
    ({"password_expires_at": "gte:2016-12-08T22:02:00Z"}, {}),
    ({"password_expires_at": "2016-12-08T22:02:00Z"}, {}),
    ({"colour": "red"}, ACCOUNT_USERS),  # a query key IAM does not take is ignored
]


@pytest.mark.parametrize(
    ("query", "expected"),
    USER_QUERIES,
    ids=["&".join(f"{k}={v}" for k, v in q.items()) or "all" for q, _ in USER_QUERIES],
)
def test_users_are_filtered_by_the_query(
    client: FlaskClient, token: str, query: dict[str, str], expected: dict[str, str]
) -> None:
    assert users(get(client, "/v3/users", token, **query)) == expected


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", ""),
        ("enabled", "yes"),
        ("password_expires_at", "soon"),
        ("password_expires_at", "before:2016-12-08T22:02:00Z"),
        ("password_expires_at", "lt:2016-02-30T22:02:00Z"),
    ],
)
def test_a_bad_user_query_is_a_keystone_400_naming_the_field(
    client: FlaskClient, token: str, field: str, value: str
) -> None:
    message = error_message(get(client, "/v3/users", token, **{field: value}), 400, "Bad Request")

    assert message.startswith(f"Invalid input for field '{field}': "), message


@pytest.mark.parametrize("who", ["viewer", "another-account"])
def test_a_non_admin_may_not_list_users(client: FlaskClient, who: str) -> None:
    caller = viewer_token(client) if who == "viewer" else other_user_token(client)

    for query in ({}, {"name": "mock-user"}, {"enabled": "yes"}):
        assert error_message(get(client, "/v3/users", caller, **query), 403, "Forbidden") == (
            FORBIDDEN
        )


def test_an_admin_of_another_account_lists_only_that_accounts_users(tmp_path: Path) -> None:
    other_admin = {
        "id": "c0ffee00c0ffee00c0ffee00c0ffee00",
        "name": "other-admin",
        "password": "Other-admin-1",
        "admin": True,
    }
    account = {"domains": [{"id": OTHER_DOMAIN_ID, "name": "other-domain", "users": [other_admin]}]}
    (tmp_path / "account.json").write_text(json.dumps(account), encoding="utf-8")
    client = create_app(Config(clock="manual", fixtures=[tmp_path])).test_client()
    scope = {"project": {"name": "eu-west-101"}}
    token = issue_token(
        client, password_body("other-admin", "Other-admin-1", "other-domain", scope)
    )

    listed = ok(get(client, "/v3/users", token))["users"]

    assert {u["id"]: u["name"] for u in listed} == {
        OTHER_USER_ID: "other-user",
        other_admin["id"]: "other-admin",
    }
    assert {u["domain_id"] for u in listed} == {OTHER_DOMAIN_ID}
    assert {u["last_project_id"] for u in listed} == {OTHER_PROJECT_ID}
    assert next(u for u in listed if u["name"] == "other-admin")["pwd_strength"] == "high"
    assert users(get(client, "/v3/users", token, name="mock-user")) == {}
    assert users(get(client, "/v3/users", token, domain_id=DOMAIN_ID)) == {}
    # And the default account's administrator still sees only its own.
    assert users(get(client, "/v3/users", issue_token(client))) == ACCOUNT_USERS


def test_users_listed_with_a_signature_are_the_signers_accounts(client: FlaskClient) -> None:
    assert users(signed_get(client, "/v3/users")) == ACCOUNT_USERS
    by_name = send(client, "GET", "/v3/users", query={"name": "mock-viewer"}, project_id=None)
    assert users(by_name) == {VIEWER_ID: "mock-viewer"}
    viewer = send(client, "GET", "/v3/users", ak=VIEWER_AK, sk=VIEWER_SK)
    assert error_message(viewer, 403, "Forbidden") == FORBIDDEN


# --- the catalog ----------------------------------------------------------------------------------


def catalog_of(client: FlaskClient, token: str) -> list[dict[str, Any]]:
    return loads(CatalogSchema, ok(get(client, "/v3/auth/catalog", token)))["catalog"]


def test_project_token_catalog_has_iam_and_the_projects_sms(
    client: FlaskClient, token: str
) -> None:
    catalog = by_type(catalog_of(client, token))

    assert set(catalog) == {"iam", "sms"}
    [iam] = catalog["iam"]["endpoints"]
    assert iam["region"] == "*"
    assert iam["url"].endswith("/v3")
    [sms] = catalog["sms"]["endpoints"]
    assert (sms["region"], sms["region_id"], sms["interface"]) == (
        "cn-north-4",
        "cn-north-4",
        "public",
    )


def test_catalog_of_a_second_project_token_is_in_its_region(client: FlaskClient) -> None:
    catalog = by_type(catalog_of(client, project_token(client, "ap-southeast-3")))

    [sms] = catalog["sms"]["endpoints"]
    assert sms["region"] == "ap-southeast-3"


def test_domain_token_catalog_has_iam_only(client: FlaskClient) -> None:
    catalog = by_type(catalog_of(client, domain_token(client)))

    assert set(catalog) == {"iam"}


@pytest.mark.parametrize(
    "scope",
    [None, {"project": {"name": "ap-southeast-3"}}, {"domain": {"name": "mock-domain"}}],
    ids=["cn-north-4", "ap-southeast-3", "domain"],
)
def test_token_body_catalog_is_the_catalog_call(
    client: FlaskClient, scope: dict[str, Any] | None
) -> None:
    issued = client.post("/v3/auth/tokens", json=password_body(scope=scope))
    assert issued.status_code == 201, issued.get_json()
    token = issued.headers["X-Subject-Token"]

    in_token = loads(TokenResponseSchema, issued.get_json())["token"]["catalog"]

    assert catalog_of(client, token) == in_token


def test_signed_catalog_follows_the_x_project_id(client: FlaskClient) -> None:
    in_project = by_type(ok(signed_get(client, "/v3/auth/catalog", SECOND_PROJECT_ID))["catalog"])
    without = by_type(ok(signed_get(client, "/v3/auth/catalog"))["catalog"])

    assert [e["region"] for e in in_project["sms"]["endpoints"]] == ["ap-southeast-3"]
    assert set(without) == {"iam"}


def test_catalog_needs_a_caller(client: FlaskClient) -> None:
    error_body(client.get("/v3/auth/catalog"), 401, "APIGW.0301")


# --- endpoints, services, regions -------------------------------------------------------------


def endpoints(client: FlaskClient, token: str, **query: str) -> list[dict[str, Any]]:
    return loads(EndpointListSchema, ok(get(client, "/v3/endpoints", token, **query)))["endpoints"]


def services(client: FlaskClient, token: str, **query: str) -> list[dict[str, Any]]:
    return loads(ServiceListSchema, ok(get(client, "/v3/services", token, **query)))["services"]


def service_id(client: FlaskClient, token: str, service_type: str) -> str:
    [service] = services(client, token, type=service_type)
    return service["id"]


def test_endpoints_list_iam_once_and_sms_in_every_region(client: FlaskClient, token: str) -> None:
    listed = endpoints(client, token)

    assert len({e["id"] for e in listed}) == len(listed)
    iam_id, sms_id = service_id(client, token, "iam"), service_id(client, token, "sms")
    assert [e["region"] for e in listed if e["service_id"] == iam_id] == ["*"]
    assert sorted(e["region"] for e in listed if e["service_id"] == sms_id) == REGIONS
    assert {e["interface"] for e in listed} == {"public"}


@pytest.mark.parametrize("service_type", ["iam", "sms"])
def test_endpoints_filtered_by_service_id(
    client: FlaskClient, token: str, service_type: str
) -> None:
    wanted = service_id(client, token, service_type)

    filtered = endpoints(client, token, service_id=wanted)

    assert filtered
    assert filtered == [e for e in endpoints(client, token) if e["service_id"] == wanted]


def test_endpoints_of_an_unknown_service_id_are_none(client: FlaskClient, token: str) -> None:
    assert endpoints(client, token, service_id=UNKNOWN_ID) == []


def test_endpoints_filtered_by_interface(client: FlaskClient, token: str) -> None:
    assert endpoints(client, token, interface="public") == endpoints(client, token)
    assert endpoints(client, token, interface="internal") == []
    assert endpoints(client, token, interface="admin") == []


def test_endpoints_with_a_bad_interface_is_a_bad_request(client: FlaskClient, token: str) -> None:
    message = error_message(
        get(client, "/v3/endpoints", token, interface="bogus"), 400, "Bad Request"
    )

    assert "interface" in message


def test_each_listed_endpoint_shows_the_same_body(client: FlaskClient, token: str) -> None:
    for listed in endpoints(client, token):
        response = get(client, f"/v3/endpoints/{listed['id']}", token)
        assert loads(EndpointShowSchema, ok(response)) == {"endpoint": listed}


def test_endpoint_catalog_entries_are_listed_endpoints(client: FlaskClient, token: str) -> None:
    listed = {e["id"]: e for e in endpoints(client, token)}

    for entry in catalog_of(client, token):
        for endpoint in entry["endpoints"]:
            assert listed[endpoint["id"]]["url"] == endpoint["url"]
            assert listed[endpoint["id"]]["region"] == endpoint["region"]


def test_show_unknown_endpoint_is_not_found(client: FlaskClient, token: str) -> None:
    not_found(get(client, f"/v3/endpoints/{UNKNOWN_ID}", token), "endpoint", UNKNOWN_ID)


def test_services_are_iam_and_sms(client: FlaskClient, token: str) -> None:
    assert sorted(s["type"] for s in services(client, token)) == ["iam", "sms"]


def test_services_filtered_by_type(client: FlaskClient, token: str) -> None:
    [sms] = services(client, token, type="sms")

    assert sms["type"] == sms["name"] == "sms"
    assert services(client, token, type="ecs") == []


def test_each_listed_service_shows_the_same_body(client: FlaskClient, token: str) -> None:
    for listed in services(client, token):
        response = get(client, f"/v3/services/{listed['id']}", token)
        assert loads(ServiceShowSchema, ok(response)) == {"service": listed}


def test_show_unknown_service_is_not_found(client: FlaskClient, token: str) -> None:
    not_found(get(client, f"/v3/services/{UNKNOWN_ID}", token), "service", UNKNOWN_ID)


def test_regions_are_every_project_region_sorted(client: FlaskClient, token: str) -> None:
    regions = loads(RegionListSchema, ok(get(client, "/v3/regions", token)))["regions"]

    assert [r["id"] for r in regions] == REGIONS


def test_regions_are_the_same_for_another_account(client: FlaskClient, token: str) -> None:
    other = other_user_token(client)

    assert ok(get(client, "/v3/regions", other)) == ok(get(client, "/v3/regions", token))


def test_each_listed_region_shows_the_same_body(client: FlaskClient, token: str) -> None:
    for listed in ok(get(client, "/v3/regions", token))["regions"]:
        response = get(client, f"/v3/regions/{listed['id']}", token)
        assert loads(RegionShowSchema, ok(response))["region"]["id"] == listed["id"]
        assert response.get_json() == {"region": listed}


def test_show_unknown_region_is_not_found(client: FlaskClient, token: str) -> None:
    not_found(get(client, "/v3/regions/mars-north-1", token), "region", "mars-north-1")


DIRECTORY_PATHS = [
    "/v3/endpoints",
    "/v3/endpoints/{endpoint}",
    "/v3/services",
    "/v3/services/{service}",
    "/v3/regions",
    "/v3/regions/cn-north-4",
    "/v3/auth/catalog",
    f"/v3/projects/{PROJECT_ID}",
    f"/v3/users/{USER_ID}/projects",
    "/v3/users",
]


def _fill(client: FlaskClient, token: str, path: str) -> str:
    return path.format(
        endpoint=endpoints(client, token)[0]["id"], service=service_id(client, token, "sms")
    )


@pytest.mark.parametrize("path", DIRECTORY_PATHS)
def test_directory_call_without_a_caller_is_refused_by_the_gateway(
    client: FlaskClient, token: str, path: str
) -> None:
    error_body(client.get(_fill(client, token, path)), 401, "APIGW.0301")


@pytest.mark.parametrize("path", DIRECTORY_PATHS)
def test_directory_call_signed_with_an_ak_is_served(
    client: FlaskClient, token: str, path: str
) -> None:
    filled = _fill(client, token, path)

    signed = ok(signed_get(client, filled, PROJECT_ID))

    assert signed == ok(get(client, filled, token))


@pytest.mark.parametrize("path", DIRECTORY_PATHS)
def test_directory_call_with_an_expired_token_is_refused(
    client: FlaskClient, token: str, path: str
) -> None:
    filled = _fill(client, token, path)
    advance(client, DAY_S)

    error_body(get(client, filled, token), 401, "APIGW.0301")


# --- the IAM listener beside the main port (live) -----------------------------------------------


def live_token(url: str, scope: dict[str, Any] | None = None) -> str:
    response = requests.post(f"{url}/v3/auth/tokens", json=password_body(scope=scope), timeout=10)
    assert response.status_code == 201, response.text
    return response.headers["X-Subject-Token"]


def test_iam_listener_root_answers_keystones_version_list(live: LiveServer) -> None:
    response = requests.get(f"{live.iam_url}/", timeout=10)

    assert response.status_code == 200
    body = response.json()
    loads(KeystoneVersionListSchema, body)
    [version] = body["versions"]["values"]
    assert version["id"].startswith("v3")
    assert version["links"] == [{"href": f"{live.iam_url}/v3/", "rel": "self"}]


def test_iam_listener_v3_answers_keystones_version(live: LiveServer) -> None:
    response = requests.get(f"{live.iam_url}/v3", timeout=10)

    assert response.status_code == 200
    body = KeystoneVersionShowSchema().load(response.json())  # its contract, whole
    assert set(body) == {"version"}
    assert body["version"]["id"].startswith("v3")
    assert body["version"]["status"] == "stable"


def test_main_port_root_still_answers_smss_version_list(live: LiveServer) -> None:
    body = requests.get(f"{live.url}/", timeout=10).json()

    assert isinstance(body["versions"], list)
    assert [v["id"] for v in body["versions"]] == ["v3"]


def test_sms_route_on_the_iam_listener_does_not_exist(live: LiveServer) -> None:
    token = live_token(live.url)

    on_iam = requests.get(f"{live.iam_url}/v3/tasks", headers=auth(token), timeout=10)

    error_body(on_iam, 404, "APIGW.0101")
    assert requests.get(f"{live.url}/v3/tasks", headers=auth(token), timeout=10).status_code == 200


def test_control_plane_on_the_iam_listener_does_not_exist(live: LiveServer) -> None:
    error_body(requests.get(f"{live.iam_url}/_mock/health", timeout=10), 404, "APIGW.0101")
    assert requests.get(f"{live.url}/_mock/health", timeout=10).status_code == 200


LIVE_IAM_CALLS = [
    ("GET", "/v3/projects"),
    ("GET", f"/v3/projects/{PROJECT_ID}"),
    ("GET", f"/v3/users/{USER_ID}/projects"),
    ("GET", "/v3/users"),
    ("GET", "/v3/auth/projects"),
    ("GET", "/v3/auth/domains"),
    ("GET", "/v3/auth/catalog"),
    ("GET", "/v3/auth/tokens"),
    ("GET", "/v3/endpoints"),
    ("GET", "/v3/services"),
    ("GET", "/v3/regions"),
    ("GET", "/v3/regions/cn-north-4"),
]


def _without_list_links(body: dict[str, Any]) -> dict[str, Any]:
    # A list's `links.self` is the URL it was asked at, which differs between the listeners.
    return {k: v for k, v in body.items() if k != "links"}


@pytest.mark.parametrize(("method", "path"), LIVE_IAM_CALLS, ids=[p for _, p in LIVE_IAM_CALLS])
def test_every_iam_route_answers_alike_on_both_listeners(
    live: LiveServer, method: str, path: str
) -> None:
    token = live_token(live.url)
    headers = {**auth(token), "X-Subject-Token": token}

    answers = [
        requests.request(method, f"{base}{path}", headers=headers, timeout=10)
        for base in (live.url, live.iam_url)
    ]

    assert [a.status_code for a in answers] == [200, 200], [a.text[:300] for a in answers]
    main, iam = (_without_list_links(a.json()) for a in answers)
    assert main == iam


def test_each_endpoint_and_service_shows_on_both_listeners(live: LiveServer) -> None:
    token = live_token(live.url)
    listed = requests.get(f"{live.iam_url}/v3/endpoints", headers=auth(token), timeout=10).json()
    kinds = requests.get(f"{live.iam_url}/v3/services", headers=auth(token), timeout=10).json()
    paths = [f"/v3/endpoints/{e['id']}" for e in listed["endpoints"]]
    paths += [f"/v3/services/{s['id']}" for s in kinds["services"]]

    for path in paths:
        bodies = [
            requests.get(f"{base}{path}", headers=auth(token), timeout=10)
            for base in (live.url, live.iam_url)
        ]
        assert [b.status_code for b in bodies] == [200, 200], path
        assert bodies[0].json() == bodies[1].json(), path


@pytest.mark.parametrize("listener", ["main", "iam"])
def test_token_and_credentials_are_issued_on_both_listeners(
    live: LiveServer, listener: str
) -> None:
    base = live.url if listener == "main" else live.iam_url

    issued = requests.post(f"{base}/v3/auth/tokens", json=password_body(), timeout=10)
    assert issued.status_code == 201, issued.text
    token = issued.headers["X-Subject-Token"]
    credential = requests.post(
        f"{base}/v3.0/OS-CREDENTIAL/securitytokens",
        json={"auth": {"identity": {"methods": ["token"], "token": {}}}},
        headers=auth(token),
        timeout=10,
    )
    assert credential.status_code == 201, credential.text
    # The token issued on either listener serves SMS on the main port.
    assert requests.get(f"{live.url}/v3/tasks", headers=auth(token), timeout=10).status_code == 200


@pytest.mark.parametrize("listener", ["main", "iam"])
def test_catalog_names_the_iam_listener_and_the_main_port(live: LiveServer, listener: str) -> None:
    base = live.url if listener == "main" else live.iam_url
    token = live_token(base)

    fetched = requests.get(f"{base}/v3/auth/catalog", headers=auth(token), timeout=10)
    issued = requests.post(f"{base}/v3/auth/tokens", json=password_body(), timeout=10)

    for catalog in (fetched.json()["catalog"], issued.json()["token"]["catalog"]):
        entries = by_type(catalog)
        assert [e["url"] for e in entries["iam"]["endpoints"]] == [f"{live.iam_url}/v3"]
        assert [e["url"] for e in entries["sms"]["endpoints"]] == [live.url]
