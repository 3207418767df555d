"""`sms-mock proxy` over real HTTP, with a second emulator as the upstream: the official SDK and
the reference client work through it (AK/SK requests re-signed with the proxy's credentials, so
that the upstream accepts them; tokens passed through), every violation of the contracts is
reported with its operation and field path (a log line, the journal, `GET /_mock/violations`),
`--strict` turns a broken answer into 502 MOCK.0503, an unreachable upstream is 502 MOCK.0504,
the gateway's own rules (body limits, HTTP faults, the admin token) still hold, and the HAR
recording is valid HAR 1.2 with no secret in it.
"""

from __future__ import annotations

import copy
import json
import logging
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from huaweicloudsdkcore.auth.credentials import BasicCredentials, Credentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdksms.v3 import (
    CreateTaskRequest,
    ListTasksRequest,
    PostTask,
    ShowTaskRequest,
    UpdateTaskStatusReq,
    UpdateTaskStatusRequest,
)
from huaweicloudsdksms.v3 import SmsClient as SdkSmsClient

from sms_mock.client import SmsClient
from sms_mock.contracts.control import ViolationListSchema
from sms_mock.control import ControlPlane
from sms_mock.credentials import Credentials as ProxyCredentials
from sms_mock.mock_server.config import Config
from sms_mock.mock_server.proxy import ProxySettings, create_proxy_app
from sms_mock.mock_server.serving.live import LiveServer
from tests.proxy.har_check import assert_har_1_2
from tests.support.accounts import ACCOUNT, AK, PROJECT_ID, SK, password_body
from tests.support.assertions import error_body
from tests.support.control import free_source_at
from tests.support.helpers import create_body, loads
from tests.support.sdk import sdk_model

ADMIN = "proxy-admin-token"
# The caller's own signing key: not the upstream's, so that only the proxy's signature passes.
CLIENT_AK = "CLIENTSIDEACCESSKEY0"
CLIENT_SK = "client-side-secret-key-that-the-upstream-does-not-know"
PASSWORD = ACCOUNT["password"]
ISSUED: list[str] = []  # every token issued in this module, searched for in the recording


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def upstream() -> Iterator[LiveServer]:
    with LiveServer(Config(clock="manual")) as server:
        yield server


@pytest.fixture(scope="module")
def har_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("proxy") / "session.har"


def _proxy(settings: ProxySettings, config: Config | None = None) -> Iterator[LiveServer]:
    app = create_proxy_app(settings, config)
    with LiveServer(app=app) as server:
        yield server
    app.extensions["sms_mock.proxy"].close()


@pytest.fixture(scope="module")
def proxy(upstream: LiveServer, har_path: Path) -> Iterator[LiveServer]:
    """Recording, lenient, re-signing with the default account's AK/SK."""
    settings = ProxySettings(
        upstream.url, credentials=ProxyCredentials(ak=AK, sk=SK), record=har_path
    )
    yield from _proxy(settings)


@pytest.fixture(scope="module")
def strict(upstream: LiveServer) -> Iterator[LiveServer]:
    """Strict, its control plane under an admin token."""
    settings = ProxySettings(upstream.url, credentials=ProxyCredentials(ak=AK, sk=SK), strict=True)
    yield from _proxy(settings, Config(default_fixtures=False, admin_token=ADMIN))


@pytest.fixture(autouse=True)
def fresh_upstream(upstream: LiveServer, monkeypatch: pytest.MonkeyPatch) -> None:
    upstream.emulator.reset()
    monkeypatch.setattr(Credentials, "_CACHE", {})  # the SDK's ids looked up per AK


def _token(url: str) -> str:
    answer = requests.post(f"{url}/v3/auth/tokens", json=password_body(), timeout=10)
    assert answer.status_code == 201, answer.text
    ISSUED.append(answer.headers["X-Subject-Token"])
    return answer.headers["X-Subject-Token"]


def _upstream_saw(upstream: LiveServer, method: str, path: str) -> list[int]:
    return [e["status"] for e in upstream.emulator.journal.query(method=method, path=path)]


def _sdk(url: str) -> SdkSmsClient:
    credentials = BasicCredentials(CLIENT_AK, CLIENT_SK, PROJECT_ID)
    return SdkSmsClient.new_builder().with_credentials(credentials).with_endpoint(url).build()


def test_the_official_sdk_drives_a_task_through_the_proxy_resigned(
    upstream: LiveServer, proxy: LiveServer
) -> None:
    source = free_source_at(upstream.url)
    body = create_body(source)
    # Signed with a key the upstream does not know, straight to it: refused.
    with pytest.raises(ClientRequestException) as refused:
        _sdk(upstream.url).show_task(ShowTaskRequest(task_id="sample-ready"))
    assert refused.value.error_code == "APIGW.0301"
    seen = _violations(proxy)["seen"]
    sdk = _sdk(proxy.url)
    created = sdk.create_task(CreateTaskRequest(body=sdk_model(PostTask, body)))
    task_id = created.id
    sdk.update_task_status(
        UpdateTaskStatusRequest(task_id=task_id, body=UpdateTaskStatusReq(operation="start"))
    )
    upstream.emulator.clock.advance(24 * 3600 * 1000)
    shown = sdk.show_task(ShowTaskRequest(task_id=task_id))
    assert shown.state == "MIGRATE_SUCCESS"
    assert task_id in [task.id for task in sdk.list_tasks(ListTasksRequest()).tasks]
    # The upstream took the proxy's signature for its own host.
    assert _upstream_saw(upstream, "POST", "/v3/tasks") == [200]
    assert _upstream_saw(upstream, "GET", f"/v3/tasks/{task_id}") == [200]
    assert _violations(proxy)["seen"] == seen  # requests and answers kept the contract


def _violations(server: LiveServer, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """`GET /_mock/violations`, loaded through its contract."""
    answer = requests.get(f"{server.url}/_mock/violations", headers=headers, timeout=10)
    assert answer.status_code == 200, answer.text
    return loads(ViolationListSchema, answer.json())


def test_the_reference_client_works_through_the_proxy_with_a_token_and_with_ak_sk(
    upstream: LiveServer, proxy: LiveServer
) -> None:
    with SmsClient(proxy.url, project="cn-north-4", **ACCOUNT) as client:
        client.start_task("sample-ready")
        assert client.get_task("sample-ready").state == "RUNNING"
        ISSUED.append(client.token())
    with SmsClient(proxy.url, ak=CLIENT_AK, sk=CLIENT_SK, project_id=PROJECT_ID) as signed:
        assert signed.get_task("sample-ready").state == "RUNNING"
        temporary = signed.create_temporary_credential()
    # The token went through as it was; the signed calls were signed again.
    assert _upstream_saw(upstream, "POST", "/v3/auth/tokens") == [201]
    assert _upstream_saw(upstream, "GET", "/v3/tasks/sample-ready") == [200, 200]
    assert _upstream_saw(upstream, "POST", "/v3.0/OS-CREDENTIAL/securitytokens") == [201]
    ISSUED.extend([temporary.secret, temporary.securitytoken])


def test_the_proxy_answers_with_the_upstreams_request_id_and_journals_it(
    upstream: LiveServer, proxy: LiveServer
) -> None:
    answer = requests.get(
        f"{proxy.url}/v3/tasks/sample-ready", headers={"X-Auth-Token": _token(proxy.url)}
    )
    assert answer.status_code == 200
    (seen,) = upstream.emulator.journal.query(method="GET", path="/v3/tasks/sample-ready")
    assert answer.headers["X-Request-Id"] == seen["request_id"]
    journal = ControlPlane(proxy.url).journal(path="/v3/tasks/sample-ready")
    entry = journal["requests"][-1]
    assert (entry["status"], entry["upstream_request_id"], entry["violations"]) == (
        200,
        seen["request_id"],
        [],
    )


def _broken_task(upstream: LiveServer, control: ControlPlane) -> str:
    """The upstream answers sample-running once with `sub_tasks.1.progress` a string."""
    token = _token(upstream.url)
    document = requests.get(
        f"{upstream.url}/v3/tasks/sample-running", headers={"X-Auth-Token": token}, timeout=10
    ).json()
    broken = copy.deepcopy(document)
    broken["sub_tasks"][1]["progress"] = "forty"
    control.add_fault(
        {"match": {"method": "GET", "path": "/v3/tasks/sample-running"}, "status": 200,
         "body": broken}
    )  # fmt: skip
    upstream.emulator.journal.clear()
    return "/v3/tasks/sample-running"


def test_a_broken_answer_is_reported_with_its_field_path(
    upstream: LiveServer, proxy: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    path = _broken_task(upstream, ControlPlane(upstream.url))
    with caplog.at_level(logging.WARNING, logger="sms_mock.proxy"):
        answer = requests.get(f"{proxy.url}{path}", headers={"X-Auth-Token": _token(proxy.url)})
    # Lenient: the answer passes through as it came.
    assert answer.status_code == 200
    assert answer.json()["sub_tasks"][1]["progress"] == "forty"
    request_id = answer.headers["X-Request-Id"]
    field = "sub_tasks.1.progress"
    (line,) = [r.getMessage() for r in caplog.records if field in r.getMessage()]
    assert line.startswith("violation: show_task response (status 200) sub_tasks.1.progress: ")
    assert request_id in line
    entry = ControlPlane(proxy.url).journal(path=path)["requests"][-1]
    assert [(v["operation"], v["where"], v["field"]) for v in entry["violations"]] == [
        ("show_task", "response", field)
    ]
    listed = _violations(proxy)["violations"]
    (kept,) = [v for v in listed if v["request_id"] == request_id]
    assert (kept["operation"], kept["where"], kept["field"], kept["status"]) == (
        "show_task",
        "response",
        field,
        200,
    )
    assert kept["message"].startswith("Not a valid integer")


def test_strict_answers_502_naming_the_field_the_request_having_reached_the_upstream(
    upstream: LiveServer, strict: LiveServer
) -> None:
    path = _broken_task(upstream, ControlPlane(upstream.url))
    answer = requests.get(f"{strict.url}{path}", headers={"X-Auth-Token": _token(strict.url)})
    body = error_body(answer, 502, "MOCK.0503")
    assert "sub_tasks.1.progress: Not a valid integer" in body["error_msg"]
    assert "reached the upstream" in body["error_msg"]
    assert _upstream_saw(upstream, "GET", path) == [200]
    # A request that breaks the contract still goes, and a good answer passes.
    refused = requests.post(
        f"{strict.url}/v3/tasks",
        json=create_body(name=5),
        headers={"X-Auth-Token": _token(strict.url)},
    )
    assert error_body(refused, 400, "SMS.6011")
    # The violations are the control plane's, under its admin token.
    assert requests.get(f"{strict.url}/_mock/violations", timeout=10).status_code == 401
    listed = _violations(strict, {"X-Mock-Admin-Token": ADMIN})["violations"]
    assert {(v["operation"], v["where"], v["field"]) for v in listed} >= {
        ("show_task", "response", "sub_tasks.1.progress"),
        ("create_task", "request", "name"),
    }


def test_an_unreachable_upstream_is_502_and_iam_goes_to_its_own_upstream(
    upstream: LiveServer,
) -> None:
    settings = ProxySettings(f"http://127.0.0.1:{_closed_port()}", iam_upstream=upstream.url)
    for server in _proxy(settings):
        token = _token(server.url)  # IAM's upstream answers
        answer = requests.get(f"{server.url}/v3/tasks", headers={"X-Auth-Token": token})
        body = error_body(answer, 502, "MOCK.0504")
        assert body["error_msg"].startswith("The upstream could not be reached. http://127.0.0.1:")
        entry = ControlPlane(server.url).journal(path="/v3/tasks")["requests"][-1]
        assert entry["status"] == 502


def test_the_gateway_rules_hold_in_front_of_the_upstream(
    upstream: LiveServer, proxy: LiveServer
) -> None:
    token = _token(proxy.url)
    # A body over SMS's limit: the gateway's own answer, as the emulator's, never forwarded.
    big = json.dumps(create_body(name="x" * 11000))
    headers = {"X-Auth-Token": token, "Content-Type": "application/json"}
    through = requests.post(f"{proxy.url}/v3/tasks", data=big, headers=headers, timeout=10)
    direct = requests.post(f"{upstream.url}/v3/tasks", data=big, headers=headers, timeout=10)
    assert (through.status_code, through.json()["error_code"]) == (
        direct.status_code,
        direct.json()["error_code"],
    )
    assert error_body(through, 400, "SMS.6014")
    assert _upstream_saw(upstream, "POST", "/v3/tasks") == []  # refused from its head
    # An HTTP fault of the proxy answers before anything is forwarded.
    control = ControlPlane(proxy.url)
    control.add_fault({"match": {"path": "/v3/tasks/sample-ready"}, "status": 503})
    faulted = requests.get(f"{proxy.url}/v3/tasks/sample-ready", headers=headers, timeout=10)
    assert error_body(faulted, 503, "MOCK.0500")
    assert _upstream_saw(upstream, "GET", "/v3/tasks/sample-ready") == []
    # The dashboard is the proxy's own.
    assert requests.get(f"{proxy.url}/_mock/ui", timeout=10).status_code == 200


# --- the recording ----------------------------------------------------------------------------


def test_the_recording_is_har_1_2_with_no_secret_in_it(
    upstream: LiveServer, proxy: LiveServer, har_path: Path
) -> None:
    token = _token(proxy.url)
    headers = {"X-Auth-Token": token}
    requests.get(f"{proxy.url}/v3/tasks/sample-abort/passphrase", headers=headers, timeout=10)
    requests.get(f"{proxy.url}/v3/tasks/sample-abort/certkey", headers=headers, timeout=10)
    validated = requests.get(
        f"{proxy.url}/v3/auth/tokens", headers={**headers, "X-Subject-Token": token}, timeout=10
    )
    assert validated.status_code == 200
    # A token request by the token method: the token is in its body.
    by_token = {"auth": {"identity": {"methods": ["token"], "token": {"id": token}},
                         "scope": {"project": {"id": PROJECT_ID}}}}  # fmt: skip
    again = requests.post(f"{proxy.url}/v3/auth/tokens", json=by_token, timeout=10)
    assert again.status_code == 201
    ISSUED.append(again.headers["X-Subject-Token"])
    # Signed, with a temporary AK/SK asked for; and a request that breaks the contract.
    with SmsClient(proxy.url, ak=CLIENT_AK, sk=CLIENT_SK, project_id=PROJECT_ID) as signed:
        temporary = signed.create_temporary_credential()
    ISSUED.extend([temporary.secret, temporary.securitytoken])
    requests.get(f"{proxy.url}/v3/tasks/not!an-id", headers=headers, timeout=10)
    text = har_path.read_text(encoding="utf-8")  # complete after every exchange
    entries = assert_har_1_2(json.loads(text))
    paths = [entry["request"]["url"].split("?")[0] for entry in entries]
    assert f"{upstream.url}/v3/tasks/sample-abort/passphrase" in paths
    assert f"{upstream.url}/v3/auth/tokens" in paths
    assert any(v["field"] == "task_id" for entry in entries for v in entry["_violations"])
    secrets = {"SK": SK, "password": PASSWORD, "client SK": CLIENT_SK}
    secrets.update({f"token {n}": t for n, t in enumerate(ISSUED)})
    assert {token, again.headers["X-Subject-Token"], temporary.secret} <= set(ISSUED)
    for name, secret in secrets.items():
        assert secret not in text, f"the {name} is in the recording"
    assert "REDACTED" in text
    # The upstream's own secrets: the task's passphrase and the agent's private keys.
    direct = {"X-Auth-Token": _token(upstream.url)}
    base = f"{upstream.url}/v3/tasks/sample-abort"
    passphrase = requests.get(f"{base}/passphrase", headers=direct, timeout=10).json()
    keys = requests.get(f"{base}/certkey", headers=direct, timeout=10).json()
    for value in (passphrase["passphrase"], keys["private_key"]):
        assert value and value not in text
