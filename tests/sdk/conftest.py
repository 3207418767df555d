"""What the SDK tests share: a live emulator's SDK client, its raw answers, a fresh SDK cache."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from huaweicloudsdkcore.auth.credentials import BasicCredentials, Credentials
from huaweicloudsdksms.v3 import SmsClient as SdkSmsClient

from sms_mock.mock_server.serving.live import LiveServer
from tests.support.accounts import AK, PROJECT_ID, SK, password_body

Raw = Callable[..., Any]


@pytest.fixture(autouse=True)
def fresh(live: LiveServer, monkeypatch: pytest.MonkeyPatch) -> None:
    # The SDK caches looked-up ids per AK for the process: each test starts without them.
    monkeypatch.setattr(Credentials, "_CACHE", {})


@pytest.fixture
def sdk(live: LiveServer) -> SdkSmsClient:
    return (
        SdkSmsClient.new_builder()
        .with_credentials(BasicCredentials(AK, SK, PROJECT_ID))
        .with_endpoint(live.url)
        .build()
    )


@pytest.fixture
def raw(live: LiveServer) -> Iterator[Raw]:
    """GET a path as raw JSON, with a token of the same user and project."""
    answer = requests.post(f"{live.url}/v3/auth/tokens", json=password_body(), timeout=10)
    assert answer.status_code == 201, answer.text
    with requests.Session() as session:
        session.headers["X-Auth-Token"] = answer.headers["X-Subject-Token"]

        def get(path: str, **query: Any) -> Any:
            response = session.get(live.url + path, params=query, timeout=10)
            assert response.status_code == 200, response.text
            return response.json()

        yield get
