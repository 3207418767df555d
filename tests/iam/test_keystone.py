"""keystoneauth1, as OpenStack tools use it, against a real emulator live."""

from __future__ import annotations

import logging

import pytest
import requests
from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import generic, v3

from sms_mock.client import SmsClient
from sms_mock.client.models import to_dict
from sms_mock.contracts.versions import ApiVersionListSchema, ApiVersionShowSchema
from sms_mock.mock_server.serving.live import LiveServer
from tests.support.accounts import PROJECT_ID, SECOND_PROJECT_ID, USER_ID


def password_session(
    auth_url: str, project: str = "cn-north-4", **kwargs: str
) -> ks_session.Session:
    auth = v3.Password(
        auth_url=auth_url,
        username="mock-user",
        password=kwargs.pop("password", "mock-password"),
        user_domain_name="mock-domain",
        project_name=project,
        project_domain_name="mock-domain",
    )
    return ks_session.Session(auth=auth)


SMS = {"service_type": "sms"}


def test_password_session_resolves_the_sms_endpoint(live: LiveServer) -> None:
    session = password_session(f"{live.url}/v3")
    assert session.get_endpoint(service_type="sms") == live.url
    assert session.get_endpoint(service_type="sms", interface="public") == live.url
    assert session.get_project_id() == PROJECT_ID
    assert session.get_user_id() == USER_ID


def test_session_request_to_sms_sees_what_the_client_sees(
    live: LiveServer, password_client: SmsClient
) -> None:
    session = password_session(f"{live.url}/v3")
    answer = session.get("/v3/tasks/sample-abort", endpoint_filter=SMS)
    assert answer.status_code == 200
    assert answer.json() == to_dict(password_client.get_task("sample-abort"))


def test_session_can_act_on_a_task(live: LiveServer, password_client: SmsClient) -> None:
    session = password_session(f"{live.url}/v3")
    answer = session.post(
        "/v3/tasks/sample-abort/action", json={"operation": "start"}, endpoint_filter=SMS
    )
    assert answer.status_code == 200
    assert password_client.get_task("sample-abort").state == "RUNNING"


def test_catalog_lists_identity_at_the_iam_listener(live: LiveServer) -> None:
    session = password_session(f"{live.url}/v3")
    assert live.iam_url != live.url
    assert session.get_endpoint(service_type="iam") == f"{live.iam_url}/v3"


def test_token_plugin_rescopes_to_another_project(live: LiveServer) -> None:
    token = password_session(f"{live.url}/v3").get_token()
    auth = v3.Token(
        auth_url=f"{live.url}/v3",
        token=token,
        project_name="ap-southeast-3",
        project_domain_name="mock-domain",
    )
    session = ks_session.Session(auth=auth)
    assert session.get_project_id() == SECOND_PROJECT_ID
    assert session.get_endpoint(service_type="sms") == live.url
    # Tasks live in their own project: the other project's token sees none of the samples.
    assert session.get("/v3/tasks", endpoint_filter=SMS).json() == {"count": 0, "tasks": []}
    access = auth.get_access(session)
    assert access.project_name == "ap-southeast-3"
    assert access.project_domain_name == "mock-domain"
    assert access.auth_token != token


def test_wrong_password_is_unauthorized(live: LiveServer) -> None:
    session = password_session(f"{live.url}/v3", password="wrong")
    with pytest.raises(ks_exceptions.Unauthorized):
        session.get_token()


def test_project_of_another_domain_is_unauthorized(live: LiveServer) -> None:
    session = password_session(f"{live.url}/v3", project="eu-west-101")
    with pytest.raises(ks_exceptions.Unauthorized):
        session.get_token()


@pytest.mark.parametrize("suffix", ["", "/v3", "/v3/"], ids=["bare", "v3", "v3-slash"])
def test_generic_plugin_discovers_the_identity_version(
    live: LiveServer, suffix: str, caplog: pytest.LogCaptureFixture
) -> None:
    # openstacksdk and the openstack command line use the generic plugin, which GETs the
    # auth URL first to find the identity API's versions.
    auth = generic.Password(
        auth_url=f"{live.url}{suffix}",
        username="mock-user",
        password="mock-password",
        user_domain_name="mock-domain",
        project_name="cn-north-4",
        project_domain_name="mock-domain",
    )
    session = ks_session.Session(auth=auth)
    with caplog.at_level(logging.WARNING, logger="keystoneauth"):
        assert session.get_endpoint(service_type="sms") == live.url
    assert not [r for r in caplog.records if "discover" in r.getMessage()]


def test_version_documents_need_no_credentials(live: LiveServer) -> None:
    root = requests.get(live.url, timeout=10)
    assert root.status_code == 200
    assert [v["id"] for v in ApiVersionListSchema().load(root.json())["versions"]] == ["v3"]
    v3_doc = ApiVersionShowSchema().load(requests.get(f"{live.url}/v3", timeout=10).json())
    assert v3_doc["id"] == v3_doc["version"]["id"] == "v3"
    assert v3_doc["links"] == [{"href": f"{live.url}/v3/", "rel": "self"}]
