"""The client with temporary credentials: it asks IAM for them and signs with them."""

from __future__ import annotations

import pytest

from sms_mock.client import SmsClient
from sms_mock.client.errors import ApiError, SmsClientError
from sms_mock.mock_server.serving.live import LiveServer
from tests.support.accounts import ACCOUNT, AK, PROJECT_ID, SK


def _temporary_client(live: LiveServer, credential: object, **kwargs: str) -> SmsClient:
    return SmsClient(
        live.url,
        ak=credential.access,  # type: ignore[attr-defined]
        sk=credential.secret,  # type: ignore[attr-defined]
        security_token=credential.securitytoken,  # type: ignore[attr-defined]
        project_id=PROJECT_ID,
        **kwargs,
    )


@pytest.mark.parametrize("login", ["password", "aksk"])
def test_temporary_credentials_sign_sms_calls_until_they_expire(
    live: LiveServer, login: str
) -> None:
    if login == "password":
        issuer = SmsClient(live.url, project="cn-north-4", **ACCOUNT)
    else:
        issuer = SmsClient(live.url, ak=AK, sk=SK, project_id=PROJECT_ID)
    with issuer:
        credential = issuer.create_temporary_credential(duration_seconds=900)
    with _temporary_client(live, credential) as client:
        assert client.get_task("sample-ready").state == "READY"
        live.emulator.clock.advance(901)
        with pytest.raises(SmsClientError) as caught:
            client.get_task("sample-ready")
    error = caught.value
    assert isinstance(error, ApiError)
    assert (error.status, error.error_code) == (401, "APIGW.0301")
    assert "expires" in error.error_msg


def test_credentials_asked_of_the_iam_listener_sign_sms_calls(live: LiveServer) -> None:
    with SmsClient(live.url, iam_endpoint=live.iam_url, project="cn-north-4", **ACCOUNT) as issuer:
        credential = issuer.create_temporary_credential(duration_seconds=3600)
    (asked,) = live.emulator.journal.query(path="/v3.0/OS-CREDENTIAL/securitytokens")
    assert asked["status"] == 201
    with _temporary_client(live, credential) as client:
        assert client.get_task("sample-ready").id == "sample-ready"


def test_a_duration_out_of_range_is_refused_before_it_is_sent(live: LiveServer) -> None:
    with (
        SmsClient(live.url, project="cn-north-4", **ACCOUNT) as issuer,
        pytest.raises(SmsClientError),
    ):
        issuer.create_temporary_credential(duration_seconds=60)
    assert live.emulator.journal.query(path="/v3.0/*") == []


def test_a_security_token_needs_its_temporary_ak(live: LiveServer) -> None:
    with pytest.raises(ValueError, match="security_token"):
        SmsClient(live.url, project="cn-north-4", security_token="x", **ACCOUNT)


def test_asking_for_credentials_with_an_expired_token_logs_in_again(live: LiveServer) -> None:
    # As every other call of the client does (a 401 APIGW.0301 fetches a new token once).
    with SmsClient(live.url, project="cn-north-4", **ACCOUNT) as issuer:
        issuer.get_task("sample-ready")  # the token is cached
        live.emulator.clock.advance(25 * 3600)
        credential = issuer.create_temporary_credential(duration_seconds=900)
    with _temporary_client(live, credential) as client:
        assert client.get_task("sample-ready").state == "READY"
