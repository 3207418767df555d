"""keystoneauth1 against the IAM listener: discovery of Keystone's version documents there, and
logins whose catalog sends SMS calls to the main port (live server)."""

from __future__ import annotations

import logging

import pytest
from keystoneauth1 import discover
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import generic, v3

from sms_mock.mock_server.serving.live import LiveServer
from tests.support.accounts import PROJECT_ID, USER_ID

SMS = {"service_type": "sms"}


def generic_password(auth_url: str) -> generic.Password:
    return generic.Password(
        auth_url=auth_url,
        username="mock-user",
        password="mock-password",
        user_domain_name="mock-domain",
        project_name="cn-north-4",
        project_domain_name="mock-domain",
    )


@pytest.mark.parametrize("suffix", ["", "/", "/v3"], ids=["bare", "slash", "v3"])
def test_generic_password_on_the_iam_listener_finds_sms_on_the_main_port(
    live: LiveServer, suffix: str, caplog: pytest.LogCaptureFixture
) -> None:
    session = ks_session.Session(auth=generic_password(f"{live.iam_url}{suffix}"))

    with caplog.at_level(logging.WARNING, logger="keystoneauth"):
        assert session.get_token()
        assert session.get_endpoint(service_type="sms") == live.url
    assert not [r for r in caplog.records if "discover" in r.getMessage()]
    assert session.get_endpoint(service_type="iam") == f"{live.iam_url}/v3"
    assert session.get_project_id() == PROJECT_ID
    assert session.get_user_id() == USER_ID


def test_a_session_logged_in_on_the_iam_listener_calls_sms(live: LiveServer) -> None:
    session = ks_session.Session(auth=generic_password(live.iam_url))

    answer = session.get("/v3/tasks/sample-abort", endpoint_filter=SMS)

    assert answer.status_code == 200
    assert answer.json()["id"] == "sample-abort"


def test_both_listeners_log_in_to_the_same_catalog(live: LiveServer) -> None:
    on_iam = generic_password(live.iam_url)
    on_main = generic_password(live.url)
    iam_session, main_session = ks_session.Session(auth=on_iam), ks_session.Session(auth=on_main)

    iam_access, main_access = on_iam.get_access(iam_session), on_main.get_access(main_session)

    assert iam_access.service_catalog.catalog == main_access.service_catalog.catalog
    assert main_session.get_endpoint(service_type="sms") == live.url
    assert iam_access.auth_token != main_access.auth_token


def test_v3_password_on_the_iam_listener(live: LiveServer) -> None:
    auth = v3.Password(
        auth_url=f"{live.iam_url}/v3",
        username="mock-user",
        password="mock-password",
        user_domain_name="mock-domain",
        project_name="ap-southeast-3",
        project_domain_name="mock-domain",
    )
    session = ks_session.Session(auth=auth)

    assert session.get_endpoint(service_type="sms") == live.url
    assert session.get("/v3/tasks", endpoint_filter=SMS).json() == {"count": 0, "tasks": []}


def test_token_plugin_rescopes_on_the_iam_listener(live: LiveServer) -> None:
    token = ks_session.Session(auth=generic_password(live.iam_url)).get_token()
    auth = generic.Token(
        auth_url=live.iam_url,
        token=token,
        project_name="ap-southeast-3",
        project_domain_name="mock-domain",
    )
    session = ks_session.Session(auth=auth)

    access = auth.get_access(session)
    assert access.project_name == "ap-southeast-3"
    assert session.get_endpoint(service_type="sms") == live.url


@pytest.mark.parametrize("suffix", ["", "/v3"], ids=["root", "v3"])
def test_discovery_of_the_iam_listener_sees_identity_v3(live: LiveServer, suffix: str) -> None:
    found = discover.Discover(ks_session.Session(), f"{live.iam_url}{suffix}")

    versions = found.version_data()

    assert [v["version"][0] for v in versions] == [3]
    [v3_data] = versions
    assert v3_data["url"].rstrip("/") == f"{live.iam_url}/v3"
    assert found.url_for((3, 0)).rstrip("/") == f"{live.iam_url}/v3"
