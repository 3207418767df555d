"""The official Huawei Cloud SDKs 3.1.219, unmodified, against a real emulator live.

Every SMS call the emulator serves and the IAM token calls go through `huaweicloudsdksms` and
`huaweicloudsdkiam`, signed with the default account's AK/SK; what the SDK's models hold must
be what the emulator's own client (`client.SmsClient`) or the raw JSON shows, field for field.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from huaweicloudsdkcore.auth.credentials import BasicCredentials, GlobalCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException, SdkException
from huaweicloudsdkcore.http.http_handler import HttpHandler
from huaweicloudsdkcore.region.region import Region
from huaweicloudsdkiam.v3 import (
    AuthScope,
    AuthScopeProject,
    IamClient,
    KeystoneCreateScopedTokenRequest,
    KeystoneCreateScopedTokenRequestBody,
    KeystoneCreateUserTokenByPasswordRequest,
    KeystoneCreateUserTokenByPasswordRequestBody,
    KeystoneListAuthDomainsRequest,
    KeystoneValidateTokenRequest,
    PwdAuth,
    PwdIdentity,
    PwdPassword,
    PwdPasswordUser,
    PwdPasswordUserDomain,
    ScopedToken,
    ScopedTokenAuth,
    ScopedTokenIdentity,
    ScopeProjectOption,
    TokenSocpeOption,
)
from huaweicloudsdksms.v3 import (
    CreateTaskRequest,
    DeleteTaskRequest,
    DeleteTasksReq,
    DeleteTasksRequest,
    ListApiVersionRequest,
    ListTasksRequest,
    PostTask,
    ShowApiVersionRequest,
    ShowTaskRequest,
    UpdateTaskStatusReq,
    UpdateTaskStatusRequest,
)
from huaweicloudsdksms.v3 import SmsClient as SdkSmsClient

from sms_mock.client import NotFound, SmsClient, Unauthorized
from sms_mock.client.models import to_dict
from sms_mock.contracts import signing
from sms_mock.control import ControlPlane
from sms_mock.mock_server.config import Config
from sms_mock.mock_server.serving.live import LiveServer
from tests.support.accounts import (
    AK,
    DOMAIN_ID,
    OTHER_PROJECT_ID,
    PROJECT_ID,
    SECOND_PROJECT_ID,
    SK,
    password_body,
)
from tests.support.assertions import AUTH_FAILED
from tests.support.control import (
    control_fixture,  # noqa: F401 (the control fixture)
    free_source_at,
)
from tests.support.helpers import SEED_ID, create_body
from tests.support.lifecycle_table import ROWS
from tests.support.sdk import sdk_model

# The SDK deprecated to_dict() in favour of raw JSON; the models are what users read, though.
pytestmark = pytest.mark.filterwarnings("ignore:.*to_dict.*deprecated:DeprecationWarning")

REQUEST_ID = re.compile(r"^[0-9a-f]{32}$")
SAMPLES = [
    "sample-ready",
    "sample-running",
    "sample-abort",
    "sample-migrate-fail",
    "sample-migrate-success",
    SEED_ID,
]
MISSING = object()
# SDK attribute names that are not the JSON key they are read from.
JSON_NAMES = {"os_federation": "OS-FEDERATION", "x_subject_token": "X-Subject-Token"}


@pytest.fixture
def sdk(live: LiveServer) -> SdkSmsClient:
    return sms_sdk(live)


@pytest.fixture
def iam(live: LiveServer) -> IamClient:
    return (
        IamClient.new_builder()
        .with_credentials(GlobalCredentials(AK, SK, DOMAIN_ID))
        .with_endpoint(live.url)
        .build()
    )


def sms_sdk(
    live: LiveServer,
    *,
    ak: str = AK,
    sk: str = SK,
    project_id: str = PROJECT_ID,
    handler: HttpHandler | None = None,
) -> SdkSmsClient:
    builder = (
        SdkSmsClient.new_builder()
        .with_credentials(BasicCredentials(ak, sk, project_id))
        .with_endpoint(live.url)
    )
    if handler is not None:
        builder = builder.with_http_handler(handler)
    return builder.build()


def like(shape: Any, plain: Any) -> Any:
    """`plain` (JSON) cut down to the keys of `shape` (an SDK model's to_dict()), recursively."""
    if isinstance(shape, dict) and isinstance(plain, dict):
        return {k: like(v, plain.get(JSON_NAMES.get(k, k), MISSING)) for k, v in shape.items()}
    if isinstance(shape, list) and isinstance(plain, list) and len(shape) == len(plain):
        return [like(s, p) for s, p in zip(shape, plain, strict=True)]
    return plain


def assert_same(sdk_model: Any, plain: Any) -> None:
    """Every field of the SDK's model is the field of the same name in `plain`."""
    seen = sdk_model.to_dict()
    assert seen == like(seen, plain)


def raw_token(live: LiveServer, token_id: str, nocatalog: bool = False) -> dict[str, Any]:
    """A token's body as GET /v3/auth/tokens answers it, with its X-Subject-Token."""
    response = requests.get(
        f"{live.url}/v3/auth/tokens",
        params={"nocatalog": "true"} if nocatalog else None,
        headers={"X-Subject-Token": token_id, "X-Auth-Token": token_id},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return {**response.json(), "X-Subject-Token": response.headers["X-Subject-Token"]}


def without_ids(value: Any) -> Any:
    """A document without its `id` keys, at every depth."""
    if isinstance(value, dict):
        return {k: without_ids(v) for k, v in value.items() if k != "id"}
    if isinstance(value, list):
        return [without_ids(v) for v in value]
    return value


def refused_by_gateway(call: Callable[[], Any], message: str) -> ClientRequestException:
    """The SDK's exception for a 401 APIGW.0301 whose reason starts with `message`.

    The SDK keeps no body, only what it read from one: the body itself is `error_body`'s, in
    `test_gateway_auth.py` and `tests/gateway/test_gateway.py`.
    """
    with pytest.raises(ClientRequestException) as caught:
        call()
    error = caught.value
    assert error.status_code == 401
    assert error.error_code == "APIGW.0301"
    assert error.error_msg.startswith(AUTH_FAILED + message)
    assert REQUEST_ID.match(error.request_id or "")
    return error


# --- SMS: every call the emulator serves ------------------------------------------------------


@pytest.mark.parametrize("task_id", SAMPLES)
def test_show_task_is_what_the_client_sees(
    sdk: SdkSmsClient, password_client: SmsClient, task_id: str
) -> None:
    shown = sdk.show_task(ShowTaskRequest(task_id=task_id))
    assert shown.id == task_id
    assert_same(shown, to_dict(password_client.get_task(task_id)))


def test_show_task_of_a_running_task_after_the_clock_moved(
    control: ControlPlane, sdk: SdkSmsClient, password_client: SmsClient
) -> None:
    password_client.start_task("sample-ready")
    control.advance(100)
    shown = sdk.show_task(ShowTaskRequest(task_id="sample-ready"))
    assert shown.state == "RUNNING"
    assert 0 < shown.sub_tasks[1].progress < 100
    assert_same(shown, to_dict(password_client.get_task("sample-ready")))


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"state": "ABORT"},
        {"name": "paused-app-01"},
        {"id": "sample-ready"},
        {"source_server_id": "src-sample-abort"},
        {"enterprise_project_id": "0"},
        {"limit": 2},
        {"limit": 2, "offset": 2},
        {"limit": 0},
        {"offset": 5},
        {"state": "RUNNING", "limit": 1, "offset": 1},
    ],
    ids=lambda q: "&".join(f"{k}={v}" for k, v in q.items()) or "all",
)
def test_list_tasks_is_what_the_client_sees(
    sdk: SdkSmsClient, password_client: SmsClient, query: dict[str, Any]
) -> None:
    listed = sdk.list_tasks(ListTasksRequest(**query))
    page = password_client.list_tasks_page(
        limit=query.get("limit", 100),
        offset=query.get("offset", 0),
        **{k: v for k, v in query.items() if k not in ("limit", "offset")},
    )
    assert_same(listed, to_dict(page))
    assert listed.count == page.count


def test_list_tasks_count_ignores_paging(sdk: SdkSmsClient) -> None:
    everything = sdk.list_tasks(ListTasksRequest())
    page = sdk.list_tasks(ListTasksRequest(limit=1, offset=1))
    assert page.count == everything.count == len(everything.tasks)
    assert [t.id for t in page.tasks] == [everything.tasks[1].id]


def test_create_task_makes_the_task_the_client_makes(
    live: LiveServer, sdk: SdkSmsClient, password_client: SmsClient
) -> None:
    # Two sources alike but for their ids: a source takes one task.
    ours, twins = (free_source_at(live.url, name="sdk-source") for _ in range(2))
    body = create_body(ours, name="sdk-made", auto_start=False, priority=2)
    created = sdk.create_task(CreateTaskRequest(body=sdk_model(PostTask, body)))
    assert created.to_json_object() == created.to_dict() == {"id": created.id}
    # A target server is one task's at most (SMS.7605): the twin has its own.
    twin_target = {**body["target_server"], "vm_id": "vm-twin"}
    twin = password_client.create_task(
        {**body, "source_server": {"id": twins}, "target_server": twin_target}
    )
    made, theirs = (
        to_dict(password_client.get_task(created.id)),
        to_dict(password_client.get_task(twin)),
    )
    assert theirs["target_server"]["vm_id"] == "vm-twin"
    assert made["target_server"]["vm_id"] == body["target_server"]["vm_id"]
    theirs["target_server"]["vm_id"] = made["target_server"]["vm_id"]
    assert without_ids(made) == without_ids(theirs)  # ids are new for each task and disk
    assert made["state"] == "READY"
    assert_same(sdk.show_task(ShowTaskRequest(task_id=created.id)), made)


def test_delete_task_deletes_it(sdk: SdkSmsClient, password_client: SmsClient) -> None:
    deleted = sdk.delete_task(DeleteTaskRequest(task_id="sample-ready"))
    assert deleted.status_code == 200
    assert deleted.to_json_object() == {}
    with pytest.raises(NotFound):
        password_client.get_task("sample-ready")


def test_delete_tasks_deletes_them_all(sdk: SdkSmsClient, password_client: SmsClient) -> None:
    ids = ["sample-ready", "sample-abort"]
    deleted = sdk.delete_tasks(DeleteTasksRequest(body=DeleteTasksReq(ids=ids)))
    assert deleted.status_code == 200
    assert deleted.to_json_object() == {}
    assert not {t.id for t in password_client.list_tasks()} & set(ids)


ACTIONS = [
    pytest.param(operation, row.allowed[0], row.then, id=operation)
    for row in ROWS
    for operation in row.operations
]


@pytest.mark.parametrize(("operation", "state", "then"), ACTIONS)
def test_update_task_status_does_what_the_lifecycle_says(
    control: ControlPlane,
    sdk: SdkSmsClient,
    password_client: SmsClient,
    operation: str,
    state: str,
    then: str | None,
) -> None:
    control.put_task({"id": "sdk-action", "state": state})
    fields = {"template_id": "template-0001"} if operation == "clone_test" else {}
    answer = sdk.update_task_status(
        UpdateTaskStatusRequest(
            task_id="sdk-action", body=UpdateTaskStatusReq(operation=operation, **fields)
        )
    )
    assert answer.status_code == 200
    assert answer.to_json_object() == {}
    shown = sdk.show_task(ShowTaskRequest(task_id="sdk-action"))
    assert shown.state == (then or state)
    assert_same(shown, to_dict(password_client.get_task("sdk-action")))


def test_sdk_sees_the_same_error_as_the_client(
    sdk: SdkSmsClient, password_client: SmsClient
) -> None:
    request = UpdateTaskStatusRequest(
        task_id="sample-ready", body=UpdateTaskStatusReq(operation="stop")
    )
    with pytest.raises(ClientRequestException) as caught:
        sdk.update_task_status(request)
    error = caught.value
    assert (error.status_code, error.error_code) == (400, "SMS.7714")
    assert REQUEST_ID.match(error.request_id)
    with pytest.raises(Exception) as mine_caught:
        password_client.stop_task("sample-ready")
    assert mine_caught.value.error_msg == error.error_msg  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("call", "status", "code"),
    [
        pytest.param(lambda c: c.show_task(ShowTaskRequest(task_id="absent")), 404, "SMS.7703",
                     id="absent-task"),
        pytest.param(lambda c: c.show_task(ShowTaskRequest(task_id="a.b")), 400, "SMS.9001",
                     id="bad-task-id"),
        pytest.param(lambda c: c.list_tasks(ListTasksRequest(limit=201)), 400, "SMS.9001",
                     id="limit-too-large"),
        pytest.param(
            lambda c: c.update_task_status(UpdateTaskStatusRequest(
                task_id="sample-ready", body=UpdateTaskStatusReq(operation="fly"))),
            400, "SMS.6011", id="unknown-operation",
        ),
        pytest.param(lambda c: c.delete_task(DeleteTaskRequest(task_id="sample-running")), 400,
                     "SMS.7719", id="delete-running"),
    ],
)  # fmt: skip
def test_every_sdk_exception_carries_a_request_id(
    sdk: SdkSmsClient, call: Callable[[SdkSmsClient], Any], status: int, code: str
) -> None:
    with pytest.raises(ClientRequestException) as caught:
        call(sdk)
    assert (caught.value.status_code, caught.value.error_code) == (status, code)
    assert REQUEST_ID.match(caught.value.request_id)


def test_api_versions_answer_the_sdk_models(sdk: SdkSmsClient) -> None:
    listed = sdk.list_api_version(ListApiVersionRequest())
    assert [v.id for v in listed.versions] == ["v3"]
    shown = sdk.show_api_version(ShowApiVersionRequest(version="v3"))
    assert (shown.id, shown.status) == ("v3", "CURRENT")
    assert shown.links[0].href.endswith("/v3/")


# --- signatures the gateway refuses -----------------------------------------------------------


def test_wrong_sk_is_refused(live: LiveServer) -> None:
    bad = sms_sdk(live, sk=SK + "-wrong")
    refused_by_gateway(
        lambda: bad.show_task(ShowTaskRequest(task_id="sample-ready")),
        "verify aksk signature fail",
    )


def test_unknown_ak_is_refused(live: LiveServer) -> None:
    bad = sms_sdk(live, ak="UNKNOWNACCESSKEY")
    refused_by_gateway(
        lambda: bad.list_tasks(ListTasksRequest()),
        "Get secretKey failed,ak:UNKNOWNACCESSKEY,err:ak not exist",
    )


@pytest.mark.parametrize("minutes", [-20, 20])
def test_skewed_date_is_refused(sdk: SdkSmsClient, minutes: int) -> None:
    # The SDK keeps an X-Sdk-Date it is given, through its public preset headers.
    skewed = datetime.now(UTC) + timedelta(minutes=minutes)
    sdk.preset_headers = {"X-Sdk-Date": signing.format_date(skewed)}
    refused_by_gateway(
        lambda: sdk.show_task(ShowTaskRequest(task_id="sample-ready")),
        "calc ak sk signature fail:signature expired",
    )


def test_date_skewed_within_the_window_is_accepted(sdk: SdkSmsClient) -> None:
    skewed = datetime.now(UTC) - timedelta(minutes=10)
    sdk.preset_headers = {"X-Sdk-Date": signing.format_date(skewed)}
    assert sdk.show_task(ShowTaskRequest(task_id="sample-ready")).id == "sample-ready"


def test_tampered_body_is_refused(live: LiveServer, password_client: SmsClient) -> None:
    def tamper(request: Any, **kwargs: Any) -> None:
        # Runs after signing, just before sending: a body changed on the way.
        request.body = b'{"operation": "restart"}'

    bad = sms_sdk(live, handler=HttpHandler().add_request_handler(tamper))
    refused_by_gateway(
        lambda: bad.update_task_status(
            UpdateTaskStatusRequest(
                task_id="sample-abort", body=UpdateTaskStatusReq(operation="start")
            )
        ),
        "verify aksk signature fail",
    )
    assert password_client.get_task("sample-abort").state == "ABORT"


def test_project_of_another_domain_is_refused(live: LiveServer) -> None:
    bad = sms_sdk(live, project_id=OTHER_PROJECT_ID)
    refused_by_gateway(
        lambda: bad.list_tasks(ListTasksRequest()),
        f"x-project-id {OTHER_PROJECT_ID} is not a project of ak {AK}",
    )


# --- IAM --------------------------------------------------------------------------------------


def password_request(nocatalog: str | None = None) -> KeystoneCreateUserTokenByPasswordRequest:
    user = PwdPasswordUser(
        name="mock-user", password="mock-password", domain=PwdPasswordUserDomain(name="mock-domain")
    )
    body = KeystoneCreateUserTokenByPasswordRequestBody(
        auth=PwdAuth(
            identity=PwdIdentity(methods=["password"], password=PwdPassword(user=user)),
            scope=AuthScope(project=AuthScopeProject(name="cn-north-4")),
        )
    )
    return KeystoneCreateUserTokenByPasswordRequest(body=body, nocatalog=nocatalog)


@pytest.mark.parametrize("nocatalog", [None, "true"], ids=["catalog", "nocatalog"])
def test_token_by_password_is_the_token_iam_validates(
    live: LiveServer, iam: IamClient, nocatalog: str | None
) -> None:
    issued = iam.keystone_create_user_token_by_password(password_request(nocatalog))
    assert issued.token.project.id == PROJECT_ID
    assert (issued.token.catalog == []) is (nocatalog is not None)
    assert_same(issued, raw_token(live, issued.x_subject_token, nocatalog=bool(nocatalog)))


def test_catalog_names_this_emulator_for_sms(live: LiveServer, iam: IamClient) -> None:
    issued = iam.keystone_create_user_token_by_password(password_request())
    [sms] = [entry for entry in issued.token.catalog if entry.type == "sms"]
    assert [e.url for e in sms.endpoints] == [live.url]


def test_validate_token_sees_the_client_token(
    live: LiveServer, iam: IamClient, password_client: SmsClient
) -> None:
    token = password_client.token()
    validated = iam.keystone_validate_token(KeystoneValidateTokenRequest(x_subject_token=token))
    assert validated.x_subject_token == token
    assert_same(validated, raw_token(live, token))


def test_validate_of_an_unknown_token_is_a_keystone_404(iam: IamClient) -> None:
    with pytest.raises(ClientRequestException) as caught:
        iam.keystone_validate_token(KeystoneValidateTokenRequest(x_subject_token="nope"))
    assert caught.value.status_code == 404
    assert caught.value.error_code == 404  # the SDK reads Keystone's integer code as it is
    assert REQUEST_ID.match(caught.value.request_id)


def test_token_method_scopes_an_unscoped_token(live: LiveServer, iam: IamClient) -> None:
    body = password_body()
    del body["auth"]["scope"]  # an unscoped token, good only for the token method
    answer = requests.post(f"{live.url}/v3/auth/tokens", json=body, timeout=10)
    assert answer.status_code == 201, answer.text
    unscoped = answer.headers["X-Subject-Token"]
    request = KeystoneCreateScopedTokenRequest(
        body=KeystoneCreateScopedTokenRequestBody(
            auth=ScopedTokenAuth(
                identity=ScopedTokenIdentity(methods=["token"], token=ScopedToken(id=unscoped)),
                scope=TokenSocpeOption(project=ScopeProjectOption(id=SECOND_PROJECT_ID)),
            )
        )
    )
    scoped = iam.keystone_create_scoped_token(request)
    assert scoped.token.methods == ["token"]
    assert scoped.token.project.id == SECOND_PROJECT_ID
    assert_same(scoped, raw_token(live, scoped.x_subject_token))


def test_badly_signed_token_request_is_refused(live: LiveServer) -> None:
    bad = (
        IamClient.new_builder()
        .with_credentials(GlobalCredentials(AK, "wrong", DOMAIN_ID))
        .with_endpoint(live.url)
        .build()
    )
    refused_by_gateway(
        lambda: bad.keystone_create_user_token_by_password(password_request()),
        "verify aksk signature fail",
    )


# --- the SDK's implicit IAM calls: clients built with a region and no ids -----------------------


@pytest.fixture
def iam_endpoint(live: LiveServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUAWEICLOUD_SDK_IAM_ENDPOINT", live.url)


def regional_sdk(live: LiveServer, region: str) -> tuple[SdkSmsClient, BasicCredentials]:
    credentials = BasicCredentials(AK, SK)  # no project id: the SDK asks IAM for it
    client = (
        SdkSmsClient.new_builder()
        .with_credentials(credentials)
        .with_region(Region(region, live.url))
        .build()
    )
    return client, credentials


@pytest.mark.usefixtures("iam_endpoint")
@pytest.mark.parametrize(
    ("region", "project_id", "visible"),
    [("cn-north-4", PROJECT_ID, True), ("ap-southeast-3", SECOND_PROJECT_ID, False)],
)
def test_region_client_finds_its_project_through_iam(
    live: LiveServer, password_client: SmsClient, region: str, project_id: str, visible: bool
) -> None:
    client, credentials = regional_sdk(live, region)
    assert credentials.project_id == project_id
    listed = client.list_tasks(ListTasksRequest())
    assert ("sample-abort" in {t.id for t in listed.tasks}) is visible
    if visible:
        assert_same(listed, to_dict(password_client.list_tasks_page()))


@pytest.mark.usefixtures("iam_endpoint")
def test_region_without_a_project_fails_as_the_sdk_says(live: LiveServer) -> None:
    with pytest.raises(SdkException, match="Failed to get project id of region 'la-south-2'"):
        regional_sdk(live, "la-south-2")


@pytest.mark.usefixtures("iam_endpoint")
def test_global_credentials_find_their_domain_through_iam(live: LiveServer) -> None:
    credentials = GlobalCredentials(AK, SK)  # no domain id: the SDK asks IAM for it
    client = (
        IamClient.new_builder()
        .with_credentials(credentials)
        .with_region(Region("cn-north-4", live.url))
        .build()
    )
    assert credentials.domain_id == DOMAIN_ID
    # Later calls carry X-Domain-Id, which the gateway checks against the AK's domain.
    domains = client.keystone_list_auth_domains(KeystoneListAuthDomainsRequest())
    assert [d.id for d in domains.domains] == [DOMAIN_ID]


# --- `--auth` modes, as the SDK sees them -------------------------------------------------------


def test_token_mode_refuses_the_sdk() -> None:
    with LiveServer(Config(clock="manual", auth="token")) as live:
        refused_by_gateway(
            lambda: sms_sdk(live).show_task(ShowTaskRequest(task_id="sample-ready")),
            "x-auth-token not found",
        )


def test_aksk_mode_serves_the_sdk_and_refuses_tokens() -> None:
    with LiveServer(Config(clock="manual", auth="aksk")) as live:
        assert sms_sdk(live).show_task(ShowTaskRequest(task_id="sample-ready")).state == "READY"
        with (
            SmsClient(
                live.url,
                username="mock-user",
                password="mock-password",
                domain="mock-domain",
                project="cn-north-4",
            ) as client,
            pytest.raises(Unauthorized),
        ):
            client.get_task("sample-ready")


def test_off_mode_does_not_check_signatures() -> None:
    with LiveServer(Config(clock="manual", auth="off")) as live:
        bad = sms_sdk(live, sk="wrong")
        assert bad.show_task(ShowTaskRequest(task_id="sample-ready")).state == "READY"
