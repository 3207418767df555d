"""Every IAM call the emulator serves, through the official `huaweicloudsdkiam` 3.1.219, unmodified.

The IAM client talks to the IAM listener (`live.iam_url`), as a user's client would to IAM's own
host; what its models hold must be the raw JSON of the same call made with a token, key for
key. Temporary credentials are then asked for and used to sign SMS calls (`huaweicloudsdksms`)
and IAM calls, until the manual clock moves past their end. The token calls already covered in
`test_sdk_compat.py` are not repeated here.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import huaweicloudsdkiam.v3 as iam_sdk
import pytest
import requests
from huaweicloudsdkcore.auth.credentials import BasicCredentials, Credentials, GlobalCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkcore.http.http_handler import HttpHandler
from huaweicloudsdkiam.v3 import (
    AgencyAuth,
    AgencyAuthIdentity,
    AgencyTokenAssumerole,
    AgencyTokenAuth,
    AgencyTokenIdentity,
    AgencyTokenScope,
    AgencyTokenScopeProject,
    AuthScope,
    AuthScopeProject,
    CreateTemporaryAccessKeyByAgencyRequest,
    CreateTemporaryAccessKeyByAgencyRequestBody,
    CreateTemporaryAccessKeyByTokenRequest,
    CreateTemporaryAccessKeyByTokenRequestBody,
    IamClient,
    IdentityAssumerole,
    IdentityToken,
    KeystoneCreateAgencyTokenRequest,
    KeystoneCreateAgencyTokenRequestBody,
    KeystoneCreateUserTokenByPasswordAndMfaRequest,
    KeystoneCreateUserTokenByPasswordAndMfaRequestBody,
    KeystoneListEndpointsRequest,
    KeystoneListProjectsForUserRequest,
    KeystoneListRegionsRequest,
    KeystoneListServicesRequest,
    KeystoneListUsersRequest,
    KeystoneListVersionsRequest,
    KeystoneShowCatalogRequest,
    KeystoneShowEndpointRequest,
    KeystoneShowProjectRequest,
    KeystoneShowRegionRequest,
    KeystoneShowServiceRequest,
    KeystoneShowVersionRequest,
    MfaAuth,
    MfaIdentity,
    MfaTotp,
    MfaTotpUser,
    PwdPassword,
    PwdPasswordUser,
    PwdPasswordUserDomain,
    TokenAuth,
    TokenAuthIdentity,
)
from huaweicloudsdksms.v3 import ListTasksRequest
from huaweicloudsdksms.v3 import SmsClient as SdkSmsClient

from sms_mock.mock_server.serving.live import LiveServer
from tests.support.accounts import (
    AK,
    DOMAIN_ID,
    OTHER_AK,
    OTHER_PROJECT_ID,
    OTHER_SK,
    PROJECT_ID,
    SECOND_PROJECT_ID,
    SK,
    USER_ID,
    password_body,
)
from tests.support.assertions import AUTH_FAILED

# The SDK deprecated to_dict() in favour of raw JSON; the models are what users read, though.
pytestmark = pytest.mark.filterwarnings("ignore:.*to_dict.*deprecated:DeprecationWarning")

# The default account's second user, not an administrator (fixtures/account.json).
VIEWER_ID = "5d1e3f0b7c9a4e2d8b6f1a3c5e7d9b20"
VIEWER_AK = "VIEWERACCESSKEYEXAMPLE"
VIEWER_SK = "viewer-secret-key-example-00000000000000"
OTHER_USER_ID = "b27e201b988ceee57c6c2cdda407a1b0"  # other-user, of other-domain
OTHER_DOMAIN_ID = "a6da4843b2fa3567fe0c0c84d59bbe57"
UNKNOWN_ID = "0123456789abcdef0123456789abcdef"
REGIONS = {PROJECT_ID: "cn-north-4", SECOND_PROJECT_ID: "ap-southeast-3"}
ISO = "%Y-%m-%dT%H:%M:%S.%fZ"
HOUR_S = 3600

# Every IAM call the emulator serves beyond the token calls of test_sdk_compat.py: the SDK's
# method and the route it calls. `test_the_module_drives_every_served_iam_call` reads this
# module's source for the IamClient methods it calls and checks the SDK's own routes.
SERVED = {
    "keystone_list_versions": ("GET", "/"),
    "keystone_show_version": ("GET", "/v3"),
    "keystone_show_project": ("GET", "/v3/projects/{project_id}"),
    "keystone_list_projects_for_user": ("GET", "/v3/users/{user_id}/projects"),
    "keystone_list_users": ("GET", "/v3/users"),
    "keystone_show_catalog": ("GET", "/v3/auth/catalog"),
    "keystone_list_endpoints": ("GET", "/v3/endpoints"),
    "keystone_show_endpoint": ("GET", "/v3/endpoints/{endpoint_id}"),
    "keystone_list_services": ("GET", "/v3/services"),
    "keystone_show_service": ("GET", "/v3/services/{service_id}"),
    "keystone_list_regions": ("GET", "/v3/regions"),
    "keystone_show_region": ("GET", "/v3/regions/{region_id}"),
    "create_temporary_access_key_by_token": ("POST", "/v3.0/OS-CREDENTIAL/securitytokens"),
    "create_temporary_access_key_by_agency": ("POST", "/v3.0/OS-CREDENTIAL/securitytokens"),
    "keystone_create_user_token_by_password_and_mfa": ("POST", "/v3/auth/tokens"),
    "keystone_create_agency_token": ("POST", "/v3/auth/tokens"),
}


# --- clients, raw answers and the comparison of the two --------------------------------------


def iam_client(
    live: LiveServer,
    credentials: Credentials | None = None,
    *,
    endpoint: str | None = None,
    handler: HttpHandler | None = None,
) -> IamClient:
    """An IamClient on the IAM listener; the default user's domain-scoped AK/SK unless told."""
    builder = (
        IamClient.new_builder()
        .with_credentials(credentials or GlobalCredentials(AK, SK, DOMAIN_ID))
        .with_endpoint(endpoint or live.iam_url)
    )
    if handler is not None:
        builder = builder.with_http_handler(handler)
    return builder.build()


def token_instead_of_signature(token: str | None) -> HttpHandler:
    """A handler that sends the SDK's request without its signature, with `token` (if any) in
    `X-Auth-Token`: the SDK's models, the caller a token, as a token-only client calls."""

    def swap(request: Any, **kwargs: Any) -> None:
        request.header_params.pop("Authorization", None)
        if token is not None:
            request.header_params["X-Auth-Token"] = token

    return HttpHandler().add_request_handler(swap)


def issue_token(live: LiveServer, body: dict[str, Any] | None = None) -> str:
    answer = requests.post(f"{live.url}/v3/auth/tokens", json=body or password_body(), timeout=10)
    assert answer.status_code == 201, answer.text
    return answer.headers["X-Subject-Token"]


def project_token(live: LiveServer, project_id: str) -> str:
    return issue_token(live, password_body(scope={"project": {"id": project_id}}))


def domain_token(live: LiveServer) -> str:
    return issue_token(live, password_body(scope={"domain": {"name": "mock-domain"}}))


def raw(
    live: LiveServer, path: str, token: str | None = None, *, base: str | None = None, **query: Any
) -> Any:
    """The JSON of GET `path` on the IAM listener (or `base`), with `token` or else a token of
    the default user."""
    response = requests.get(
        (base or live.iam_url) + path,
        params=query,
        headers={"X-Auth-Token": token or issue_token(live)},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()


def token_expires_ms(live: LiveServer, token: str) -> int:
    answer = requests.get(
        f"{live.url}/v3/auth/tokens",
        headers={"X-Subject-Token": token, "X-Auth-Token": token},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return iso_to_ms(answer.json()["token"]["expires_at"])


def iso_to_ms(text: str) -> int:
    moment = datetime.strptime(text, ISO).replace(tzinfo=UTC)
    return round(moment.timestamp() * 1000)


def assert_answers(model: Any, plain: Any, where: str = "$") -> None:
    """The SDK's model holds exactly the JSON: every attribute the value of the key it is read
    from (absent or null: None), and no key of the JSON is one the SDK does not read."""
    assert isinstance(plain, dict), f"{where}: {plain!r} is not an object"
    known = set(model.attribute_map.values())
    assert set(plain) <= known, f"{where}: keys the SDK does not read: {set(plain) - known}"
    for attr in model.openapi_types:
        key = model.attribute_map[attr]
        value, wire, here = getattr(model, attr), plain.get(key), f"{where}.{key}"
        if wire is None:
            assert value is None, f"{here}: {value!r} for null"
        elif isinstance(wire, list):
            assert isinstance(value, list) and len(value) == len(wire), f"{here}: {value!r}"
            for index, (item, wire_item) in enumerate(zip(value, wire, strict=True)):
                if hasattr(item, "openapi_types"):
                    assert_answers(item, wire_item, f"{here}[{index}]")
                else:
                    assert item == wire_item, f"{here}[{index}]: {item!r} != {wire_item!r}"
        elif isinstance(wire, dict):
            assert hasattr(value, "openapi_types"), f"{here}: {value!r} for an object"
            assert_answers(value, wire, here)
        else:
            assert value == wire and type(value) is type(wire), f"{here}: {value!r} != {wire!r}"


def refused(call: Callable[[], Any], status: int, code: Any) -> ClientRequestException:
    with pytest.raises(ClientRequestException) as caught:
        call()
    error = caught.value
    assert (error.status_code, error.error_code) == (status, code), error.error_msg
    return error


# --- versions: the IAM listener answers Keystone's documents ---------------------------------


def test_list_versions_loads_keystone_versions(live: LiveServer) -> None:
    listed = iam_client(live).keystone_list_versions(KeystoneListVersionsRequest())
    [version] = listed.versions.values
    assert (version.id, version.status) == ("v3.6", "stable")
    assert [(link.rel, link.href) for link in version.links] == [("self", f"{live.iam_url}/v3/")]
    assert version.media_types[0].type == "application/vnd.openstack.identity-v3+json"
    assert_answers(listed, requests.get(f"{live.iam_url}/", timeout=10).json())


def test_show_version_is_the_listed_version(live: LiveServer) -> None:
    client = iam_client(live)
    shown = client.keystone_show_version(KeystoneShowVersionRequest())
    listed = client.keystone_list_versions(KeystoneListVersionsRequest())
    assert shown.version.to_dict() == listed.versions.values[0].to_dict()
    assert shown.version.id == "v3.6"
    assert_answers(shown, requests.get(f"{live.iam_url}/v3", timeout=10).json())


def test_sms_calls_are_not_served_on_the_iam_listener(live: LiveServer) -> None:
    misdirected = (
        SdkSmsClient.new_builder()
        .with_credentials(BasicCredentials(AK, SK, PROJECT_ID))
        .with_endpoint(live.iam_url)
        .build()
    )
    error = refused(lambda: misdirected.list_tasks(ListTasksRequest()), 404, "APIGW.0101")
    assert "does not exist" in error.error_msg


# --- projects -------------------------------------------------------------------------------


@pytest.mark.parametrize("project_id", [PROJECT_ID, SECOND_PROJECT_ID])
def test_show_project_is_the_project_iam_lists(live: LiveServer, project_id: str) -> None:
    shown = iam_client(live).keystone_show_project(KeystoneShowProjectRequest(project_id))
    project = shown.project
    assert (project.id, project.name) == (project_id, REGIONS[project_id])
    assert (project.domain_id, project.enabled, project.is_domain) == (DOMAIN_ID, True, False)
    assert project.links._self == f"{live.iam_url}/v3/projects/{project_id}"
    assert_answers(shown, raw(live, f"/v3/projects/{project_id}"))


@pytest.mark.parametrize("project_id", [OTHER_PROJECT_ID, UNKNOWN_ID], ids=["other", "unknown"])
def test_show_project_outside_the_account_is_not_found(live: LiveServer, project_id: str) -> None:
    client = iam_client(live)
    error = refused(
        lambda: client.keystone_show_project(KeystoneShowProjectRequest(project_id)), 404, 404
    )
    assert error.error_msg == f"Could not find project: {project_id}."


ADMIN = (AK, SK, password_body())
VIEWER = (VIEWER_AK, VIEWER_SK, password_body("mock-viewer", "viewer-password"))


@pytest.mark.parametrize(
    ("caller", "user_id"),
    [(ADMIN, USER_ID), (VIEWER, VIEWER_ID), (ADMIN, VIEWER_ID)],
    ids=["admin-own", "viewer-own", "admin-reads-viewer"],
)
def test_projects_for_user_are_the_accounts_projects(
    live: LiveServer, caller: tuple[str, str, dict[str, Any]], user_id: str
) -> None:
    ak, sk, login = caller
    client = iam_client(live, GlobalCredentials(ak, sk, DOMAIN_ID))
    listed = client.keystone_list_projects_for_user(KeystoneListProjectsForUserRequest(user_id))
    assert {p.id: p.name for p in listed.projects} == REGIONS
    assert {p.domain_id for p in listed.projects} == {DOMAIN_ID}
    assert all(p.links._self == f"{live.iam_url}/v3/projects/{p.id}" for p in listed.projects)
    assert_answers(listed, raw(live, f"/v3/users/{user_id}/projects", issue_token(live, login)))


@pytest.mark.parametrize(
    ("ak", "sk", "domain_id", "user_id", "status"),
    [
        (VIEWER_AK, VIEWER_SK, DOMAIN_ID, USER_ID, 403),
        (OTHER_AK, OTHER_SK, OTHER_DOMAIN_ID, USER_ID, 403),
        (AK, SK, DOMAIN_ID, OTHER_USER_ID, 404),
        (AK, SK, DOMAIN_ID, UNKNOWN_ID, 404),
    ],
    ids=["viewer-reads-admin", "other-account", "admin-reads-other-account", "admin-reads-unknown"],
)
def test_projects_of_another_user_need_an_admin_of_the_same_account(
    live: LiveServer, ak: str, sk: str, domain_id: str, user_id: str, status: int
) -> None:
    client = iam_client(live, GlobalCredentials(ak, sk, domain_id))
    error = refused(
        lambda: client.keystone_list_projects_for_user(KeystoneListProjectsForUserRequest(user_id)),
        status,
        status,
    )
    if status == 403:
        assert error.error_msg == "You are not authorized to perform the requested action."
    else:
        assert error.error_msg == f"Could not find user: {user_id}."


# --- users ----------------------------------------------------------------------------------

ACCOUNT_USERS = {USER_ID: "mock-user", VIEWER_ID: "mock-viewer"}


USER_QUERIES = [
    ({}, ACCOUNT_USERS),
    ({"name": "mock-viewer"}, {VIEWER_ID: "mock-viewer"}),
    ({"name": "nobody"}, {}),
    ({"name": "other-user"}, {}),  # the other account's user, by its exact name
    ({"domain_id": DOMAIN_ID}, ACCOUNT_USERS),
    ({"domain_id": OTHER_DOMAIN_ID}, {}),
    ({"enabled": True}, ACCOUNT_USERS),
    ({"enabled": False}, {}),
    ({"password_expires_at": "lt:2016-12-08T22:02:00Z"}, {}),  # no password ever expires
]


@pytest.mark.parametrize(
    ("query", "expected"),
    USER_QUERIES,
    ids=["&".join(f"{k}={v}" for k, v in q.items()) or "all" for q, _ in USER_QUERIES],
)
def test_list_users_is_the_accounts_users_by_the_query(
    live: LiveServer, query: dict[str, Any], expected: dict[str, str]
) -> None:
    listed = iam_client(live).keystone_list_users(KeystoneListUsersRequest(**query))
    assert {u.id: u.name for u in listed.users} == expected
    assert all(u.domain_id == DOMAIN_ID and u.enabled for u in listed.users)
    assert all(u.links._self == f"{live.iam_url}/v3/users/{u.id}" for u in listed.users)
    assert listed.links._self == f"{live.iam_url}/v3/users"
    # The query as the SDK sends it: a Python bool as it prints.
    wire = {k: str(v) if isinstance(v, bool) else v for k, v in query.items()}
    assert_answers(listed, raw(live, "/v3/users", **wire))


def test_a_listed_user_carries_every_key_iam_answers(live: LiveServer) -> None:
    listed = iam_client(live).keystone_list_users(KeystoneListUsersRequest(name="mock-user"))
    [user] = listed.users
    assert (user.password_expires_at, user.pwd_status, user.pwd_strength) == (None, False, "mid")
    assert (user.last_project_id, user.access_mode, user.description) == (PROJECT_ID, "default", "")


@pytest.mark.parametrize(
    ("ak", "sk", "domain_id"),
    [(VIEWER_AK, VIEWER_SK, DOMAIN_ID), (OTHER_AK, OTHER_SK, OTHER_DOMAIN_ID)],
    ids=["viewer", "other-account"],
)
def test_list_users_needs_an_administrator(
    live: LiveServer, ak: str, sk: str, domain_id: str
) -> None:
    client = iam_client(live, GlobalCredentials(ak, sk, domain_id))
    error = refused(lambda: client.keystone_list_users(KeystoneListUsersRequest()), 403, 403)
    assert error.error_msg == "You are not authorized to perform the requested action."


def test_list_users_refuses_a_malformed_expiry_filter(live: LiveServer) -> None:
    request = KeystoneListUsersRequest(password_expires_at="before:2016-12-08T22:02:00Z")
    error = refused(lambda: iam_client(live).keystone_list_users(request), 400, 400)
    assert error.error_msg.startswith("Invalid input for field 'password_expires_at': ")


# --- the catalog ----------------------------------------------------------------------------


def endpoints_by_type(catalog: list[Any]) -> dict[str, list[tuple[str, str]]]:
    return {entry.type: [(e.region, e.url) for e in entry.endpoints] for entry in catalog}


@pytest.mark.parametrize("listener", ["iam", "main"])
@pytest.mark.parametrize("project_id", [PROJECT_ID, SECOND_PROJECT_ID])
def test_catalog_of_a_project_caller_has_sms_in_its_region(
    live: LiveServer, project_id: str, listener: str
) -> None:
    endpoint = live.iam_url if listener == "iam" else live.url
    client = iam_client(live, BasicCredentials(AK, SK, project_id), endpoint=endpoint)
    shown = client.keystone_show_catalog(KeystoneShowCatalogRequest())
    assert endpoints_by_type(shown.catalog) == {
        "iam": [("*", f"{live.iam_url}/v3")],
        "sms": [(REGIONS[project_id], live.url)],
    }
    assert shown.links._self == f"{endpoint}/v3/auth/catalog"
    token = project_token(live, project_id)
    assert_answers(shown, raw(live, "/v3/auth/catalog", token, base=endpoint))
    # The catalog IAM shows is the one in a token of the same scope.
    in_token = requests.get(
        f"{live.url}/v3/auth/tokens",
        headers={"X-Subject-Token": token, "X-Auth-Token": token},
        timeout=10,
    ).json()["token"]["catalog"]
    assert [entry.to_dict() for entry in shown.catalog] == in_token


def test_catalog_of_a_domain_caller_is_iam_only(live: LiveServer) -> None:
    shown = iam_client(live).keystone_show_catalog(KeystoneShowCatalogRequest())
    assert endpoints_by_type(shown.catalog) == {"iam": [("*", f"{live.iam_url}/v3")]}
    assert_answers(shown, raw(live, "/v3/auth/catalog", domain_token(live)))


# --- services, endpoints and regions: the directory --------------------------------------------


@pytest.mark.parametrize("kind", [None, "iam", "sms", "compute"])
def test_list_services_by_type(live: LiveServer, kind: str | None) -> None:
    listed = iam_client(live).keystone_list_services(KeystoneListServicesRequest(type=kind))
    expected = {"iam", "sms"} if kind is None else {kind} & {"iam", "sms"}
    assert {s.type for s in listed.services} == expected
    assert all(s.enabled and s.name == s.type for s in listed.services)
    query = {} if kind is None else {"type": kind}
    assert_answers(listed, raw(live, "/v3/services", **query))


def services(client: IamClient) -> dict[str, Any]:
    listed = client.keystone_list_services(KeystoneListServicesRequest())
    return {s.type: s for s in listed.services}


@pytest.mark.parametrize("kind", ["iam", "sms"])
def test_show_service_is_the_listed_service(live: LiveServer, kind: str) -> None:
    client = iam_client(live)
    listed = services(client)[kind]
    shown = client.keystone_show_service(KeystoneShowServiceRequest(listed.id))
    assert shown.service.to_dict() == listed.to_dict()
    assert shown.service.links._self == f"{live.iam_url}/v3/services/{listed.id}"
    assert_answers(shown, raw(live, f"/v3/services/{listed.id}"))


def test_list_regions_holds_every_project_region(live: LiveServer) -> None:
    listed = iam_client(live).keystone_list_regions(KeystoneListRegionsRequest())
    ids = [r.id for r in listed.regions]
    assert set(REGIONS.values()) <= set(ids)
    assert all(r.locales.en_us == r.id and r.type == "public" for r in listed.regions)
    assert_answers(listed, raw(live, "/v3/regions"))


@pytest.mark.parametrize("region", sorted(REGIONS.values()))
def test_show_region_is_the_listed_region(live: LiveServer, region: str) -> None:
    client = iam_client(live)
    [listed] = [
        r
        for r in client.keystone_list_regions(KeystoneListRegionsRequest()).regions
        if r.id == region
    ]
    shown = client.keystone_show_region(KeystoneShowRegionRequest(region))
    assert shown.region.to_dict() == listed.to_dict()
    assert shown.region.links._self == f"{live.iam_url}/v3/regions/{region}"
    assert_answers(shown, raw(live, f"/v3/regions/{region}"))


def test_endpoints_are_iam_once_and_sms_in_every_region(live: LiveServer) -> None:
    client = iam_client(live)
    listed = client.keystone_list_endpoints(KeystoneListEndpointsRequest())
    ids = services(client)
    regions = [r.id for r in client.keystone_list_regions(KeystoneListRegionsRequest()).regions]
    assert sorted((e.service_id, e.region, e.url) for e in listed.endpoints) == sorted(
        [(ids["iam"].id, "*", f"{live.iam_url}/v3")]
        + [(ids["sms"].id, region, live.url) for region in regions]
    )
    assert all(e.interface == "public" and e.enabled for e in listed.endpoints)
    assert_answers(listed, raw(live, "/v3/endpoints"))


@pytest.mark.parametrize(
    ("kind", "interface", "regions"),
    [
        ("iam", None, ["*"]),
        ("sms", None, None),
        ("sms", "public", None),
        (None, "internal", []),
        ("sms", "admin", []),
    ],
    ids=["iam", "sms", "sms-public", "internal", "sms-admin"],
)
def test_list_endpoints_by_service_and_interface(
    live: LiveServer, kind: str | None, interface: str | None, regions: list[str] | None
) -> None:
    client = iam_client(live)
    service_id = services(client)[kind].id if kind else None
    listed = client.keystone_list_endpoints(
        KeystoneListEndpointsRequest(interface=interface, service_id=service_id)
    )
    if regions is None:  # every region of the directory
        regions = [r.id for r in client.keystone_list_regions(KeystoneListRegionsRequest()).regions]
    assert sorted(e.region for e in listed.endpoints) == sorted(regions)
    assert {e.service_id for e in listed.endpoints} <= {service_id}
    query = {k: v for k, v in {"service_id": service_id, "interface": interface}.items() if v}
    assert_answers(listed, raw(live, "/v3/endpoints", **query))


def test_show_endpoint_is_every_listed_endpoint(live: LiveServer) -> None:
    client = iam_client(live)
    for listed in client.keystone_list_endpoints(KeystoneListEndpointsRequest()).endpoints:
        shown = client.keystone_show_endpoint(KeystoneShowEndpointRequest(listed.id))
        assert shown.endpoint.to_dict() == listed.to_dict()
        assert shown.endpoint.links._self == f"{live.iam_url}/v3/endpoints/{listed.id}"
        assert_answers(shown, raw(live, f"/v3/endpoints/{listed.id}"))


@pytest.mark.parametrize(
    ("target", "call"),
    [
        ("endpoint", lambda c: c.keystone_show_endpoint(KeystoneShowEndpointRequest(UNKNOWN_ID))),
        ("service", lambda c: c.keystone_show_service(KeystoneShowServiceRequest(UNKNOWN_ID))),
        ("region", lambda c: c.keystone_show_region(KeystoneShowRegionRequest("xx-nowhere-1"))),
    ],
    ids=["endpoint", "service", "region"],
)
def test_unknown_directory_entry_is_a_keystone_404(
    live: LiveServer, target: str, call: Callable[[IamClient], Any]
) -> None:
    error = refused(lambda: call(iam_client(live)), 404, 404)
    assert error.error_msg.startswith(f"Could not find {target}: ")


# --- temporary credentials ------------------------------------------------------------------


def by_token(
    duration_seconds: int | None = None, token_id: str | None = None
) -> CreateTemporaryAccessKeyByTokenRequest:
    identity = TokenAuthIdentity(
        methods=["token"], token=IdentityToken(id=token_id, duration_seconds=duration_seconds)
    )
    return CreateTemporaryAccessKeyByTokenRequest(
        body=CreateTemporaryAccessKeyByTokenRequestBody(auth=TokenAuth(identity=identity))
    )


def temporary(credential: Any, credentials: type[Credentials], scope: str) -> Credentials:
    return credentials(credential.access, credential.secret, scope).with_security_token(
        credential.securitytoken
    )


def temporary_sms(live: LiveServer, credential: Any, *, with_token: bool = True) -> SdkSmsClient:
    credentials = BasicCredentials(credential.access, credential.secret, PROJECT_ID)
    if with_token:
        credentials = credentials.with_security_token(credential.securitytoken)
    return SdkSmsClient.new_builder().with_credentials(credentials).with_endpoint(live.url).build()


CALLERS = ["signature", "x-auth-token", "body-token-id"]


def caller_client(live: LiveServer, caller: str, token: str) -> IamClient:
    if caller == "signature":
        return iam_client(live)
    return iam_client(
        live, handler=token_instead_of_signature(token if caller != "body-token-id" else None)
    )


@pytest.mark.parametrize("duration", [None, 900, HOUR_S, 86400])
@pytest.mark.parametrize("caller", CALLERS)
def test_temporary_credentials_last_as_asked_and_never_beyond_the_callers_token(
    live: LiveServer, caller: str, duration: int | None
) -> None:
    token = issue_token(live)
    live.emulator.clock.advance(23 * HOUR_S)  # the token has an hour left
    now = live.emulator.clock.now_ms()
    token_end = token_expires_ms(live, token) if caller != "signature" else None
    client = caller_client(live, caller, token)
    answer = client.create_temporary_access_key_by_token(
        by_token(duration, token if caller == "body-token-id" else None)
    )
    assert answer.status_code == 201
    credential = answer.credential
    asked_end = now + (duration or 900) * 1000
    assert iso_to_ms(credential.expires_at) == min(asked_end, token_end or asked_end)
    assert len(credential.access) >= 16 and credential.secret and credential.securitytoken
    assert credential.access not in {AK, VIEWER_AK}
    assert_answers(answer, answer.to_json_object())
    assert set(answer.to_json_object()["credential"]) == {
        "access",
        "secret",
        "securitytoken",
        "expires_at",
    }


def test_each_ask_gives_new_credentials(live: LiveServer) -> None:
    client = iam_client(live)
    first, second = (
        client.create_temporary_access_key_by_token(by_token()).credential for _ in range(2)
    )
    assert first.access != second.access
    assert first.secret != second.secret
    assert first.securitytoken != second.securitytoken


@pytest.mark.parametrize("duration", [0, 899, 86401])
def test_duration_out_of_range_is_an_iam_0007(live: LiveServer, duration: int) -> None:
    client = iam_client(live)
    error = refused(
        lambda: client.create_temporary_access_key_by_token(by_token(duration)), 400, "IAM.0007"
    )
    assert "duration_seconds" in error.error_msg


@pytest.mark.parametrize("token_id", [None, "not-a-token"], ids=["no-token", "unknown-token"])
def test_no_caller_is_an_invalid_token(live: LiveServer, token_id: str | None) -> None:
    client = iam_client(live, handler=token_instead_of_signature(None))
    error = refused(
        lambda: client.create_temporary_access_key_by_token(by_token(token_id=token_id)),
        401,
        "IAM.0067",
    )
    assert error.error_msg == "Invalid token."


def test_expired_caller_token_is_refused_by_the_gateway(live: LiveServer) -> None:
    token = issue_token(live)
    live.emulator.clock.advance(24 * HOUR_S)
    client = iam_client(live, handler=token_instead_of_signature(token))
    error = refused(
        lambda: client.create_temporary_access_key_by_token(by_token()), 401, "APIGW.0301"
    )
    assert error.error_msg.startswith(AUTH_FAILED + "token expires")


def test_credentials_of_an_agency_are_refused(live: LiveServer) -> None:
    identity = AgencyAuthIdentity(
        methods=["assume_role"],
        assume_role=IdentityAssumerole(
            agency_name="sms-agency", domain_name="mock-domain", duration_seconds=900
        ),
    )
    request = CreateTemporaryAccessKeyByAgencyRequest(
        body=CreateTemporaryAccessKeyByAgencyRequestBody(auth=AgencyAuth(identity=identity))
    )
    client = iam_client(live)
    error = refused(lambda: client.create_temporary_access_key_by_agency(request), 400, "IAM.0007")
    assert "assume_role" in error.error_msg
    assert len(live.emulator.iam.credentials) == 0


def test_temporary_credentials_sign_sms_calls_until_they_expire(
    live: LiveServer, sdk: SdkSmsClient
) -> None:
    credential = iam_client(live).create_temporary_access_key_by_token(by_token(900)).credential
    client = temporary_sms(live, credential)
    assert (
        client.list_tasks(ListTasksRequest()).to_dict()
        == sdk.list_tasks(ListTasksRequest()).to_dict()
    )
    live.emulator.clock.advance(899)
    assert client.list_tasks(ListTasksRequest(limit=1)).count > 0
    live.emulator.clock.advance(1)
    error = refused(lambda: client.list_tasks(ListTasksRequest()), 401, "APIGW.0301")
    assert error.error_msg == (
        AUTH_FAILED + f"x-security-token expires, expires_at: {credential.expires_at}"
    )
    assert sdk.list_tasks(ListTasksRequest(limit=1)).count > 0  # the permanent AK is unaffected


def test_temporary_credentials_need_their_security_token(live: LiveServer) -> None:
    credential = iam_client(live).create_temporary_access_key_by_token(by_token()).credential
    client = temporary_sms(live, credential, with_token=False)
    error = refused(lambda: client.list_tasks(ListTasksRequest()), 401, "APIGW.0301")
    assert error.error_msg == (
        AUTH_FAILED + f"x-security-token not found for the temporary ak {credential.access}"
    )


def test_security_token_of_other_credentials_is_refused(live: LiveServer) -> None:
    client = iam_client(live)
    ours, theirs = (
        client.create_temporary_access_key_by_token(by_token()).credential for _ in range(2)
    )
    ours.securitytoken = theirs.securitytoken
    error = refused(
        lambda: temporary_sms(live, ours).list_tasks(ListTasksRequest()), 401, "APIGW.0301"
    )
    assert error.error_msg == AUTH_FAILED + "verify x-security-token fail"


@pytest.mark.parametrize("project_id", [PROJECT_ID, SECOND_PROJECT_ID])
def test_temporary_credentials_sign_iam_calls_as_their_user(
    live: LiveServer, project_id: str
) -> None:
    viewer = iam_client(live, GlobalCredentials(VIEWER_AK, VIEWER_SK, DOMAIN_ID))
    credential = viewer.create_temporary_access_key_by_token(by_token()).credential
    client = iam_client(live, temporary(credential, BasicCredentials, project_id))
    shown = client.keystone_show_catalog(KeystoneShowCatalogRequest())
    assert endpoints_by_type(shown.catalog)["sms"] == [(REGIONS[project_id], live.url)]
    # They are the viewer's: its own projects, not the administrator's.
    own = client.keystone_list_projects_for_user(KeystoneListProjectsForUserRequest(VIEWER_ID))
    assert {p.id for p in own.projects} == set(REGIONS)
    refused(
        lambda: client.keystone_list_projects_for_user(KeystoneListProjectsForUserRequest(USER_ID)),
        403,
        403,
    )


def test_credentials_asked_with_temporary_ones_never_outlive_them(live: LiveServer) -> None:
    first = iam_client(live).create_temporary_access_key_by_token(by_token(900)).credential
    client = iam_client(live, temporary(first, GlobalCredentials, DOMAIN_ID))
    second = client.create_temporary_access_key_by_token(by_token(86400)).credential
    assert second.expires_at == first.expires_at
    live.emulator.clock.advance(600)
    chained = iam_client(live, temporary(second, GlobalCredentials, DOMAIN_ID))
    third = chained.create_temporary_access_key_by_token(by_token(900)).credential
    assert iso_to_ms(third.expires_at) == iso_to_ms(first.expires_at)
    live.emulator.clock.advance(300)
    refused(lambda: chained.create_temporary_access_key_by_token(by_token()), 401, "APIGW.0301")


# --- token methods the emulator does not serve --------------------------------------------------


def test_password_and_mfa_token_is_refused_as_unsupported(live: LiveServer) -> None:
    user = PwdPasswordUser(
        name="mock-user", password="mock-password", domain=PwdPasswordUserDomain(name="mock-domain")
    )
    identity = MfaIdentity(
        methods=["password", "totp"],
        password=PwdPassword(user=user),
        totp=MfaTotp(user=MfaTotpUser(id=USER_ID, passcode="123456")),
    )
    body = KeystoneCreateUserTokenByPasswordAndMfaRequestBody(
        auth=MfaAuth(
            identity=identity, scope=AuthScope(project=AuthScopeProject(name="cn-north-4"))
        )
    )
    client = iam_client(live)
    error = refused(
        lambda: client.keystone_create_user_token_by_password_and_mfa(
            KeystoneCreateUserTokenByPasswordAndMfaRequest(body=body)
        ),
        401,
        401,
    )
    assert error.error_msg.startswith("Attempted to authenticate with an unsupported method: totp")
    assert len(live.emulator.iam.tokens) == 0  # a good password is no token without its MFA


def test_agency_token_is_refused_as_unsupported(live: LiveServer) -> None:
    body = KeystoneCreateAgencyTokenRequestBody(
        auth=AgencyTokenAuth(
            identity=AgencyTokenIdentity(
                methods=["assume_role"],
                assume_role=AgencyTokenAssumerole(domain_id=DOMAIN_ID, agency_name="sms-agency"),
            ),
            scope=AgencyTokenScope(project=AgencyTokenScopeProject(id=PROJECT_ID)),
        )
    )
    client = iam_client(live)
    error = refused(
        lambda: client.keystone_create_agency_token(KeystoneCreateAgencyTokenRequest(body=body)),
        401,
        401,
    )
    assert error.error_msg.startswith(
        "Attempted to authenticate with an unsupported method: assume_role"
    )
    assert len(live.emulator.iam.tokens) == 0


# --- the module covers what is served ----------------------------------------------------------


def request_class(method: str) -> type:
    return getattr(iam_sdk, "".join(part.title() for part in method.split("_")) + "Request")


def test_the_module_drives_every_served_iam_call() -> None:
    """The IamClient methods this module calls are exactly the served ones, at the SDK's routes."""
    sdk_methods = {
        name
        for name in dir(IamClient)
        if not name.startswith("_") and hasattr(IamClient, f"_{name}_http_info")
    }
    tree = ast.parse(Path(__file__).read_text(encoding="utf-8"))
    called = {
        node.func.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in sdk_methods
    }
    assert called == set(SERVED)
    for method, route in SERVED.items():
        info = getattr(IamClient, f"_{method}_http_info")(request_class(method)())
        assert (info["method"], info["resource_path"]) == route, method
