"""The SMS history APIs (UnlockTargetEcs, CheckNetAcl, ShowSha256) over real HTTP: their answers
against their contracts, the caller's project, bad path parameters, the reference client, and
the SDK 3.1.196 that still has them (in a virtual environment of its own)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import quote

import pytest
import requests

from sms_mock.client import ContractViolation, NotFound, SmsClient
from sms_mock.contracts.errors import SmsErrorSchema
from sms_mock.contracts.history import (
    SHA256_KEY_MAX,
    CheckNetAclResponseSchema,
    ShowSha256ResponseSchema,
    UnlockTargetEcsResponseSchema,
)
from sms_mock.contracts.openapi import openapi_document
from sms_mock.contracts.shape import shape_of
from sms_mock.control import ControlPlane
from sms_mock.mock_server.core.errors import ApiError
from sms_mock.mock_server.serving.live import LiveServer
from sms_mock.mock_server.sms import errors
from tests.support.accounts import AK, OTHER_PROJECT_ID, PROJECT_ID, SK, password_body
from tests.support.assertions import error_body, has_request_id
from tests.support.control import control_fixture  # noqa: F401 (the control fixture)

TASK = "sample-ready"
ABSENT = "no-such-task"
SUBNET = "5d1d0b6e-7c8f-4c4e-9a53-2f4f5a1d0e7b"
ACL_QUERY = {"region_id": "cn-north-4", "os_type": "LINUX"}
UUID_KEY = "7a9a9540-ff28-4869-b9e4-855fbe12e83b"
SDK_VERSION = "3.1.196"
# The keys of the SDK 3.1.196 response models (their attribute maps). UnlockTargetEcsResponse
# and CheckNetAclResponse have only `body`, read from the whole answer rather than a key.
SHA256_KEYS = ("value",)


def sha256_hex(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def acl_path(project_id: str = PROJECT_ID, network_id: str = SUBNET) -> str:
    return f"/v3/tasks/{project_id}/networkacl/{network_id}/check"


def expect(response: requests.Response, error: ApiError) -> dict[str, Any]:
    """The answer is `error`, as its function in mock_server/sms/errors.py makes it."""
    return error_body(response, error.status, error.code)


def same_error(response: requests.Response, other: requests.Response) -> None:
    """Two refusals with the same status and code: one rule, whichever route applies it."""
    assert other.status_code >= 400, other.text
    body = error_body(response, other.status_code, other.json()["error_code"])
    SmsErrorSchema().load(body)


@pytest.fixture
def http(live: LiveServer) -> Iterator[requests.Session]:
    """A session with the default user's token, scoped to the default project (cn-north-4)."""
    with requests.Session() as session:
        session.headers["X-Auth-Token"] = token_for(live, password_body())
        yield session


def token_for(live: LiveServer, body: dict[str, Any]) -> str:
    answer = requests.post(f"{live.url}/v3/auth/tokens", json=body, timeout=10)
    assert answer.status_code == 201, answer.text
    return answer.headers["X-Subject-Token"]


def project_session(live: LiveServer, project: str) -> requests.Session:
    session = requests.Session()
    scope = {"project": {"name": project}}
    session.headers["X-Auth-Token"] = token_for(live, password_body(scope=scope))
    return session


# --- POST /v3/tasks/{task_id}/unlock ----------------------------------------------------------


def test_unlock_answers_its_contract_and_changes_nothing(
    live: LiveServer, http: requests.Session
) -> None:
    before = http.get(f"{live.url}/v3/tasks/{TASK}", timeout=10).json()
    response = http.post(f"{live.url}/v3/tasks/{TASK}/unlock", timeout=10)
    assert response.status_code == 200, response.text
    has_request_id(response)
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == {}
    UnlockTargetEcsResponseSchema().load(response.json())
    assert http.get(f"{live.url}/v3/tasks/{TASK}", timeout=10).json() == before


def test_unlock_takes_no_body_or_an_empty_object(live: LiveServer, http: requests.Session) -> None:
    response = http.post(f"{live.url}/v3/tasks/{TASK}/unlock", json={}, timeout=10)
    assert response.status_code == 200, response.text
    refused = http.post(f"{live.url}/v3/tasks/{TASK}/unlock", json={"force": True}, timeout=10)
    # Refused as every call that takes no body refuses one (the privacy agreement's POST).
    other = http.post(f"{live.url}/v3/privacy-agreements", json={"force": True}, timeout=10)
    same_error(refused, other)


def test_unlock_works_in_every_state_the_project_has(
    live: LiveServer, http: requests.Session
) -> None:
    tasks = http.get(f"{live.url}/v3/tasks", timeout=10).json()["tasks"]
    assert len({task["state"] for task in tasks}) > 1
    for task in tasks:
        response = http.post(f"{live.url}/v3/tasks/{task['id']}/unlock", timeout=10)
        assert (response.status_code, response.json()) == (200, {}), task["state"]


def test_unlock_of_an_absent_task_is_the_task_routes_404(
    live: LiveServer, http: requests.Session
) -> None:
    response = http.post(f"{live.url}/v3/tasks/{ABSENT}/unlock", timeout=10)
    body = expect(response, errors.task_not_found(ABSENT))
    assert ABSENT in body["error_msg"]
    same_error(response, http.get(f"{live.url}/v3/tasks/{ABSENT}", timeout=10))


def test_another_projects_task_is_absent(
    live: LiveServer, control: ControlPlane, http: requests.Session
) -> None:
    control.put_task({"id": "elsewhere"}, project="ap-southeast-3")
    response = http.post(f"{live.url}/v3/tasks/elsewhere/unlock", timeout=10)
    expect(response, errors.task_not_found("elsewhere"))
    with project_session(live, "ap-southeast-3") as own:
        response = own.post(f"{live.url}/v3/tasks/elsewhere/unlock", timeout=10)
        assert (response.status_code, response.json()) == (200, {})
        # ...and the default project's task is absent from there.
        response = own.post(f"{live.url}/v3/tasks/{TASK}/unlock", timeout=10)
        expect(response, errors.task_not_found(TASK))


def test_another_accounts_caller_does_not_see_the_task(live: LiveServer) -> None:
    body = password_body(
        "other-user", "other-password", "other-domain", {"project": {"name": "eu-west-101"}}
    )
    headers = {"X-Auth-Token": token_for(live, body)}
    response = requests.post(f"{live.url}/v3/tasks/{TASK}/unlock", headers=headers, timeout=10)
    expect(response, errors.task_not_found(TASK))


@pytest.mark.parametrize("task_id", ["bad.id", "x" * 37, "caf%C3%A9"])
def test_unlock_refuses_a_malformed_task_id(
    live: LiveServer, http: requests.Session, task_id: str
) -> None:
    response = http.post(f"{live.url}/v3/tasks/{task_id}/unlock", timeout=10)
    expect(response, errors.invalid_task_id())


def test_unlock_needs_credentials_and_a_project(live: LiveServer) -> None:
    response = requests.post(f"{live.url}/v3/tasks/{TASK}/unlock", timeout=10)
    error_body(response, 401, "APIGW.0301")
    domain_scoped = password_body(scope={"domain": {"name": "mock-domain"}})
    headers = {"X-Auth-Token": token_for(live, domain_scoped)}
    response = requests.post(f"{live.url}/v3/tasks/{TASK}/unlock", headers=headers, timeout=10)
    error_body(response, 403, "APIGW.0302")


# --- GET /v3/tasks/{t_project_id}/networkacl/{t_network_id}/check -----------------------------


@pytest.mark.parametrize(
    ("project_id", "os_type"),
    [(PROJECT_ID, "LINUX"), (PROJECT_ID, "WINDOWS"), (OTHER_PROJECT_ID, "LINUX")],
)
def test_the_acl_check_passes_with_its_contract(
    live: LiveServer, http: requests.Session, project_id: str, os_type: str
) -> None:
    query = {**ACL_QUERY, "os_type": os_type}
    response = http.get(live.url + acl_path(project_id), params=query, timeout=10)
    assert response.status_code == 200, response.text
    has_request_id(response)
    assert response.json() == {}
    CheckNetAclResponseSchema().load(response.json())


@pytest.mark.parametrize(
    ("project_id", "network_id", "kind"),
    [
        ("bad.project", SUBNET, "project"),
        ("p" * 65, SUBNET, "project"),
        (PROJECT_ID, "bad.subnet", "subnet"),
        (PROJECT_ID, "s" * 65, "subnet"),
    ],
)
def test_the_acl_check_refuses_a_malformed_id(
    live: LiveServer, http: requests.Session, project_id: str, network_id: str, kind: str
) -> None:
    response = http.get(live.url + acl_path(project_id, network_id), params=ACL_QUERY, timeout=10)
    expect(response, errors.invalid_id(kind))


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"region_id": "cn-north-4"}, "os_type"),
        ({"os_type": "LINUX"}, "region_id"),
        ({**ACL_QUERY, "region_id": "r" * 256}, "region_id"),
        ({**ACL_QUERY, "os_type": "o" * 256}, "os_type"),
    ],
)
def test_the_acl_check_refuses_a_bad_query_naming_it(
    live: LiveServer, http: requests.Session, query: dict[str, str], field: str
) -> None:
    response = http.get(live.url + acl_path(), params=query, timeout=10)
    # The same refusal as any query value out of its range (the task list's limit).
    same_error(response, http.get(f"{live.url}/v3/tasks", params={"limit": 999}, timeout=10))
    assert field in response.json()["error_msg"]


def test_the_acl_check_ignores_a_query_it_does_not_declare(
    live: LiveServer, http: requests.Session
) -> None:
    query = {**ACL_QUERY, "vpc_id": "anything"}
    response = http.get(live.url + acl_path(), params=query, timeout=10)
    assert (response.status_code, response.json()) == (200, {})


def test_the_acl_check_needs_credentials(live: LiveServer) -> None:
    response = requests.get(live.url + acl_path(), params=ACL_QUERY, timeout=10)
    error_body(response, 401, "APIGW.0301")


# --- GET /v3/sha256/{key} ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        UUID_KEY,
        "x",
        "with space",
        "кириллица-ü",
        "a/b?c#d%e",
        "0\n",
        "a\r\nb",
        "k" * SHA256_KEY_MAX,
    ],
)
def test_sha256_is_the_hex_sha256_of_the_key(
    live: LiveServer, http: requests.Session, key: str
) -> None:
    response = http.get(f"{live.url}/v3/sha256/{quote(key, safe='')}", timeout=10)
    assert response.status_code == 200, response.text[:300]
    has_request_id(response)
    body = response.json()
    ShowSha256ResponseSchema().load(body)
    assert tuple(body) == SHA256_KEYS == shape_of(ShowSha256ResponseSchema).keys
    assert body["value"] == sha256_hex(key)


def test_sha256_is_the_same_for_every_project(live: LiveServer, http: requests.Session) -> None:
    with project_session(live, "ap-southeast-3") as other:
        answers = {
            session.get(f"{live.url}/v3/sha256/{UUID_KEY}", timeout=10).json()["value"]
            for session in (http, other)
        }
    assert answers == {sha256_hex(UUID_KEY)}


def test_sha256_refuses_a_key_too_long_naming_it(live: LiveServer, http: requests.Session) -> None:
    response = http.get(f"{live.url}/v3/sha256/{'k' * (SHA256_KEY_MAX + 1)}", timeout=10)
    # The same refusal as any query value out of its range (the task list's limit).
    same_error(response, http.get(f"{live.url}/v3/tasks", params={"limit": 999}, timeout=10))
    assert "key" in response.json()["error_msg"]


def test_sha256_needs_credentials(live: LiveServer) -> None:
    response = requests.get(f"{live.url}/v3/sha256/{UUID_KEY}", timeout=10)
    error_body(response, 401, "APIGW.0301")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", f"/v3/tasks/{TASK}/unlock"),
        ("GET", f"{acl_path()}?region_id=r&os_type=o"),
        ("GET", f"/v3/sha256/{UUID_KEY}"),
    ],
)
def test_the_iam_listener_does_not_serve_them(
    live: LiveServer, http: requests.Session, method: str, path: str
) -> None:
    assert live.iam_url != live.url
    response = http.request(method, live.iam_url + path, timeout=10)
    error_body(response, 404, "APIGW.0101")


# --- the reference client ---------------------------------------------------------------------


@pytest.fixture(params=["password", "aksk"])
def sms(request: pytest.FixtureRequest, live: LiveServer) -> Iterator[SmsClient]:
    """The reference client, logged in with a password or signing with the AK/SK."""
    if request.param == "password":
        client = SmsClient(
            live.url,
            username="mock-user",
            password="mock-password",
            domain="mock-domain",
            project="cn-north-4",
        )
    else:
        client = SmsClient(live.url, ak=AK, sk=SK, project_id=PROJECT_ID)
    with client:
        yield client


def test_the_client_calls_the_three(sms: SmsClient) -> None:
    assert sms.unlock_target_server(TASK) is None
    assert sms.check_network_acl(PROJECT_ID, SUBNET, **ACL_QUERY) is None
    for key in (UUID_KEY, "a/b c?d"):
        assert sms.get_sha256(key) == sha256_hex(key)


def test_the_client_raises_not_found_for_an_absent_task(sms: SmsClient) -> None:
    with pytest.raises(NotFound) as raised:
        sms.unlock_target_server(ABSENT)
    assert raised.value.error_code == errors.task_not_found(ABSENT).code


def test_the_client_refuses_what_the_contract_refuses_before_sending(sms: SmsClient) -> None:
    with pytest.raises(ContractViolation) as raised:
        sms.get_sha256("k" * (SHA256_KEY_MAX + 1))
    assert (raised.value.field, raised.value.direction) == ("key", "request")
    with pytest.raises(ContractViolation) as raised:
        sms.check_network_acl(PROJECT_ID, SUBNET, region_id="r" * 256, os_type="LINUX")
    assert raised.value.field == "region_id"


# --- the OpenAPI document ---------------------------------------------------------------------

OPERATIONS = {
    "unlock_target_ecs": ("post", "/v3/tasks/{task_id}/unlock"),
    "check_net_acl": ("get", "/v3/tasks/{t_project_id}/networkacl/{t_network_id}/check"),
    "show_sha256": ("get", "/v3/sha256/{key}"),
}


def test_the_document_has_each_with_the_statuses_it_answers() -> None:
    paths = openapi_document()["paths"]
    statuses = {
        "unlock_target_ecs": {"200", "400", "401", "403", "404", "413"},
        "check_net_acl": {"200", "400", "401", "403"},
        "show_sha256": {"200", "400", "401", "403"},
    }
    for operation_id, (method, path) in OPERATIONS.items():
        operation = paths[path][method]
        assert operation["operationId"] == operation_id
        assert set(operation["responses"]) == statuses[operation_id]


# --- the SDK 3.1.196, which still has them ----------------------------------------------------

SDK_SCRIPT = textwrap.dedent(
    """\
    import json
    import sys
    import warnings

    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcore.exceptions.exceptions import ServiceResponseException
    from huaweicloudsdksms.v3 import SmsClient, model

    url, ak, sk, project_id, task_id, absent, subnet, key, long_key = sys.argv[1:]
    warnings.simplefilter("ignore", DeprecationWarning)  # the SDK marks the three deprecated
    client = (
        SmsClient.new_builder()
        .with_credentials(BasicCredentials(ak, sk, project_id))
        .with_endpoint(url)
        .build()
    )


    def call(name, request):
        try:
            answer = getattr(client, name)(request)
        except ServiceResponseException as exc:
            return {"status": exc.status_code, "error_code": exc.error_code}
        attributes = {attr: getattr(answer, attr) for attr in answer.attribute_map}
        return {"status": answer.status_code, "attributes": attributes}


    def route(name, request):
        info = getattr(SmsClient, "_%s_http_info" % name)(request)
        return [info["method"].lower(), info["resource_path"]]


    unlock = model.UnlockTargetEcsRequest(task_id=task_id)
    acl = model.CheckNetAclRequest(
        t_project_id=project_id, t_network_id=subnet, region_id="cn-north-4", os_type="LINUX"
    )
    sha = model.ShowSha256Request(key=key)
    print(json.dumps({
        "routes": {
            "unlock_target_ecs": route("unlock_target_ecs", unlock),
            "check_net_acl": route("check_net_acl", acl),
            "show_sha256": route("show_sha256", sha),
        },
        "models": {
            name: dict(getattr(model, name).attribute_map)
            for name in ("UnlockTargetEcsResponse", "CheckNetAclResponse", "ShowSha256Response")
        },
        "unlock": call("unlock_target_ecs", unlock),
        "unlock_absent": call("unlock_target_ecs", model.UnlockTargetEcsRequest(task_id=absent)),
        "acl": call("check_net_acl", acl),
        "acl_bad": call("check_net_acl", model.CheckNetAclRequest(
            t_project_id="bad.project", t_network_id=subnet, region_id="r", os_type="o"
        )),
        "sha256": call("show_sha256", sha),
        # The SDK quotes a path parameter whole: a `/` of the key goes as %2F, signed so.
        "sha256_slash": call("show_sha256", model.ShowSha256Request(key="a/b c")),
        "sha256_long": call("show_sha256", model.ShowSha256Request(key=long_key)),
    }))
    """
)


def _on_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def sdk196_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Python with huaweicloudsdksms and huaweicloudsdkcore 3.1.196, in a virtual environment
    of its own (the project's has a later SDK, without the three); made once a session."""
    venv = tmp_path_factory.mktemp("sdk196") / "venv"
    python = venv / "bin" / "python"
    steps = (
        [sys.executable, "-m", "venv", str(venv)],
        [
            str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q",
            f"huaweicloudsdksms=={SDK_VERSION}", f"huaweicloudsdkcore=={SDK_VERSION}",
        ],
    )  # fmt: skip
    for step in steps:
        try:
            done = subprocess.run(step, capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.TimeoutExpired) as exc:
            _no_sdk(f"{' '.join(step[:4])} failed: {exc}")
        if done.returncode != 0:
            _no_sdk(f"{' '.join(step[:4])} failed: {done.stderr.strip()[-500:]}")
    return python


def _no_sdk(reason: str) -> NoReturn:
    message = f"the SDK {SDK_VERSION} tests need pip to install it into a venv: {reason}"
    if _on_ci():
        pytest.fail(message)
    pytest.skip(f"SKIPPED LOUDLY: {message}")


@pytest.fixture
def sdk_answers(live: LiveServer, sdk196_python: Path, tmp_path: Path) -> dict[str, Any]:
    """What the SDK 3.1.196 read from the emulator, calling the three with the AK/SK."""
    too_long = "k" * (SHA256_KEY_MAX + 1)
    arguments = [live.url, AK, SK, PROJECT_ID, TASK, ABSENT, SUBNET, UUID_KEY, too_long]
    done = subprocess.run(
        [str(sdk196_python), "-c", SDK_SCRIPT, *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,  # away from the checkout: the venv's own packages only
        env={key: value for key, value in os.environ.items() if key != "PYTHONPATH"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_the_sdk_calls_the_documented_routes(sdk_answers: dict[str, Any]) -> None:
    assert sdk_answers["routes"] == {name: list(route) for name, route in OPERATIONS.items()}


def test_the_contracts_carry_every_key_of_the_sdk_models(sdk_answers: dict[str, Any]) -> None:
    models = sdk_answers["models"]
    assert models["ShowSha256Response"] == dict.fromkeys(SHA256_KEYS, "value")
    assert set(shape_of(ShowSha256ResponseSchema).keys) == set(models["ShowSha256Response"])
    # `body` is the whole answer, not a key: what the contract answers, `{}`, is what it reads.
    assert models["UnlockTargetEcsResponse"] == models["CheckNetAclResponse"] == {"body": "body"}


def test_the_sdk_reads_each_answer(sdk_answers: dict[str, Any]) -> None:
    assert sdk_answers["unlock"] == {"status": 200, "attributes": {"body": None}}
    assert sdk_answers["acl"] == {"status": 200, "attributes": {"body": None}}
    assert sdk_answers["sha256"] == {"status": 200, "attributes": {"value": sha256_hex(UUID_KEY)}}
    slash = {"status": 200, "attributes": {"value": sha256_hex("a/b c")}}
    assert sdk_answers["sha256_slash"] == slash


def test_the_sdk_sees_the_errors(sdk_answers: dict[str, Any]) -> None:
    absent = errors.task_not_found(ABSENT)
    assert sdk_answers["unlock_absent"] == {"status": absent.status, "error_code": absent.code}
    bad = errors.invalid_id("project")
    assert sdk_answers["acl_bad"] == {"status": bad.status, "error_code": bad.code}
    assert sdk_answers["sha256_long"]["status"] == 400
