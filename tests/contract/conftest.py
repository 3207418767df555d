"""The target of the contract tests: the emulator in process, or any server that speaks the API.

By default each session starts the emulator on 127.0.0.1 (manual clock). With `SMS_MOCK_URL`
set, the tests run against that server instead, logging in with `SMS_MOCK_USERNAME`,
`SMS_MOCK_PASSWORD`, `SMS_MOCK_DOMAIN` and `SMS_MOCK_PROJECT` (`SMS_MOCK_IAM_URL` when IAM is
elsewhere). Against an outside server, tests that need the emulator's control plane are
skipped, and tests that create, act on or delete tasks run only with `SMS_CONTRACT_WRITES=1`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from sms_mock.client import SmsClient
from sms_mock.mock_server import Config
from sms_mock.mock_server.emulator import Emulator
from sms_mock.mock_server.serving.live import LiveServer


@dataclass
class Target:
    url: str
    iam_url: str
    username: str
    password: str
    domain: str
    project: str
    live: LiveServer | None  # None: an outside server
    writes: bool

    @property
    def emulator(self) -> Emulator:
        """The emulator behind the target; skips the test against an outside server."""
        if self.live is None:
            pytest.skip("needs the emulator's control plane (/_mock)")
        return self.live.emulator

    def require_writes(self) -> None:
        if not self.writes:
            pytest.skip("creates, acts on or deletes tasks: set SMS_CONTRACT_WRITES=1")

    def client(self, project: str | None = None, **kwargs: Any) -> SmsClient:
        return SmsClient(
            self.url,
            username=self.username,
            password=self.password,
            domain=self.domain,
            project=project or self.project,
            iam_endpoint=self.iam_url,
            **kwargs,
        )

    def login_body(self) -> dict[str, Any]:
        return {
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {
                        "user": {
                            "name": self.username,
                            "password": self.password,
                            "domain": {"name": self.domain},
                        }
                    },
                },
                "scope": {"project": {"name": self.project}},
            }
        }

    def token(self) -> str:
        response = requests.post(
            f"{self.iam_url}/v3/auth/tokens", json=self.login_body(), timeout=10
        )
        assert response.status_code == 201, response.text
        return response.headers["X-Subject-Token"]


@pytest.fixture(scope="session")
def target() -> Iterator[Target]:
    url = os.environ.get("SMS_MOCK_URL")
    if url:
        yield Target(
            url=url.rstrip("/"),
            iam_url=os.environ.get("SMS_MOCK_IAM_URL", url).rstrip("/"),
            username=os.environ.get("SMS_MOCK_USERNAME", "mock-user"),
            password=os.environ.get("SMS_MOCK_PASSWORD", "mock-password"),
            domain=os.environ.get("SMS_MOCK_DOMAIN", "mock-domain"),
            project=os.environ.get("SMS_MOCK_PROJECT", "cn-north-4"),
            live=None,
            writes=os.environ.get("SMS_CONTRACT_WRITES") == "1",
        )
        return
    with LiveServer(Config(clock="manual")) as live:
        yield Target(live.url, live.url, "mock-user", "mock-password", "mock-domain",
                     "cn-north-4", live, writes=True)  # fmt: skip


@pytest.fixture(autouse=True)
def fresh_emulator(target: Target) -> None:
    """Each test starts from the fixtures when the target is the emulator."""
    if target.live is not None:
        target.live.emulator.reset()
