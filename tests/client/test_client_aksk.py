"""`SmsClient(..., ak=, sk=, project_id=)`: the reference client signing as the SDK signs."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

from sms_mock.client import ContractViolation, NotFound, SmsClient, SmsClientError, Unauthorized
from sms_mock.client.models import to_dict
from sms_mock.contracts import signing
from sms_mock.mock_server.serving.live import LiveServer
from tests.support.accounts import ACCOUNT, AK, OTHER_PROJECT_ID, PROJECT_ID, SK
from tests.support.helpers import create_body, free_source_at
from tests.support.stub_http import Answer, stub_session


@pytest.fixture
def signed(live: LiveServer) -> Iterator[SmsClient]:
    with SmsClient(live.url, ak=AK, sk=SK, project_id=PROJECT_ID) as client:
        yield client


# --- against the emulator -----------------------------------------------------------------------


def test_signed_client_reads_what_the_password_client_reads(
    signed: SmsClient, password_client: SmsClient
) -> None:
    assert to_dict(signed.get_task("sample-running")) == to_dict(
        password_client.get_task("sample-running")
    )
    paged = [to_dict(t) for t in signed.list_tasks(page_size=2)]
    assert paged == [to_dict(t) for t in password_client.list_tasks()]
    assert len(paged) > 2  # several pages, each a signed query


def test_signed_client_filters_with_a_query(signed: SmsClient) -> None:
    assert [t.id for t in signed.list_tasks(state="ABORT", name="paused-app-01")] == [
        "sample-abort"
    ]


def test_signed_client_writes(
    live: LiveServer, signed: SmsClient, password_client: SmsClient
) -> None:
    created = signed.create_task(create_body(free_source_at(live.url), name="signed-made"))
    signed.start_task(created)
    assert password_client.get_task(created).state == "RUNNING"
    signed.stop_task(created)
    signed.task_action("sample-migrate-success", "clone_test", template_id="template-0001")
    signed.delete_tasks(["sample-ready", "sample-abort"])
    signed.delete_task("sample-migrate-fail")
    for gone in ("sample-ready", "sample-abort", "sample-migrate-fail"):
        with pytest.raises(NotFound):
            password_client.get_task(gone)


def test_signed_client_never_asks_for_a_token(live: LiveServer, signed: SmsClient) -> None:
    signed.get_task("sample-ready")
    assert len(live.emulator.iam.tokens) == 0
    with pytest.raises(SmsClientError, match="AK/SK"):
        signed.token()


@pytest.mark.parametrize(
    ("credentials", "message"),
    [
        ({"ak": AK, "sk": "wrong", "project_id": PROJECT_ID}, "verify aksk signature fail"),
        ({"ak": "NOSUCHAK", "sk": SK, "project_id": PROJECT_ID}, "Get secretKey failed"),
        ({"ak": AK, "sk": SK, "project_id": OTHER_PROJECT_ID}, "x-project-id"),
    ],
    ids=["wrong-sk", "unknown-ak", "other-domain-project"],
)
def test_refused_signature_is_unauthorized(
    live: LiveServer, credentials: dict[str, str], message: str
) -> None:
    with SmsClient(live.url, **credentials) as client, pytest.raises(Unauthorized) as caught:
        client.get_task("sample-ready")
    assert caught.value.error_code == "APIGW.0301"
    assert message in (caught.value.error_msg or "")
    assert caught.value.request_id


# --- what goes on the wire ----------------------------------------------------------------------


def sdk_authorization(request: requests.PreparedRequest) -> str:
    """The Authorization the SDK's own signer computes for the request the client sent."""
    url = urlsplit(request.url or "")
    signed_names = signing.parse_authorization(request.headers["Authorization"]).signed_headers
    headers = {
        name: value for name, value in request.headers.items() if name.lower() in signed_names
    }
    body = request.body or b""
    sdk_request = SdkRequest(
        method=request.method or "",
        schema=url.scheme,
        host=url.netloc,
        resource_path=url.path,
        query_params=parse_qsl(url.query, keep_blank_values=True),
        header_params=headers,
        body=body if isinstance(body, bytes) else body.encode(),
    )
    Signer(BasicCredentials(AK, SK)).sign(sdk_request)
    return sdk_request.header_params["Authorization"]


@pytest.mark.parametrize(
    ("call", "answer"),
    [
        pytest.param(lambda c: c.get_task("sample-ready"), {"id": "sample-ready"}, id="get"),
        pytest.param(
            lambda c: c.list_tasks_page(name="my task", state="ABORT", limit=5),
            {"count": 0, "tasks": []},
            id="list-with-query",
        ),
        pytest.param(lambda c: c.start_task("sample-ready"), {}, id="action-with-body"),
        pytest.param(lambda c: c.delete_task("a_b-1"), {}, id="delete"),
    ],
)
def test_client_signs_exactly_as_the_sdk_signer(call: Any, answer: Any) -> None:
    session, adapter = stub_session(lambda request: Answer(200, answer), login=False)
    client = SmsClient(
        "http://sms.example:8080", ak=AK, sk=SK, project_id=PROJECT_ID, session=session
    )
    # The stub's answer is not a whole task: only the request counts here.
    with contextlib.suppress(ContractViolation):
        call(client)
    [sent] = adapter.requests
    assert sent.headers["X-Project-Id"] == PROJECT_ID
    assert sent.headers["Host"] == "sms.example:8080"
    assert "X-Auth-Token" not in sent.headers
    assert sent.headers["Authorization"] == sdk_authorization(sent)


def test_query_goes_out_in_canonical_order() -> None:
    session, adapter = stub_session(lambda r: Answer(200, {"count": 0, "tasks": []}), login=False)
    client = SmsClient("http://sms.example", ak=AK, sk=SK, project_id=PROJECT_ID, session=session)
    client.list_tasks_page(state="ABORT", name="my task", limit=5, offset=0)
    [sent] = adapter.requests
    assert urlsplit(sent.url).query == "limit=5&name=my%20task&offset=0&state=ABORT"


# --- how it is built ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({}, id="nothing"),
        pytest.param({"ak": AK, "sk": SK}, id="aksk-without-project-id"),
        pytest.param({"ak": AK, "project_id": PROJECT_ID}, id="ak-without-sk"),
        pytest.param({"sk": SK, "project_id": PROJECT_ID}, id="sk-without-ak"),
        pytest.param({"ak": AK, "sk": SK, "project": "cn-north-4"}, id="aksk-with-project-name"),
        pytest.param(
            {"ak": AK, "sk": SK, "project_id": PROJECT_ID, **ACCOUNT}, id="aksk-and-password"
        ),
        pytest.param({"username": "u", "password": "p", "project": "x"}, id="no-domain"),
        pytest.param(ACCOUNT, id="password-without-project"),
    ],
)
def test_incomplete_or_mixed_credentials_are_a_value_error(kwargs: dict[str, str]) -> None:
    with pytest.raises(ValueError, match=r"project|ak=|credentials"):
        SmsClient("http://sms.example", **kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"ak": AK, "sk": SK, "project_id": PROJECT_ID},
        {**ACCOUNT, "project": "cn-north-4"},
        {**ACCOUNT, "project_id": PROJECT_ID},
    ],
    ids=["aksk", "password-project-name", "password-project-id"],
)
def test_complete_credentials_build_a_client(kwargs: dict[str, str]) -> None:
    SmsClient("http://sms.example", **kwargs).close()
