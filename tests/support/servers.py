"""Servers the tests talk to over real HTTP: `sms-mock serve` as a child process, and the target
of the contract tests (the emulator in process, or any server that speaks the API)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from sms_mock.client import SmsClient
from sms_mock.mock_server.emulator import Emulator
from sms_mock.mock_server.serving.live import LiveServer
from tests.support.accounts import PROJECT_ID, password_body

# --- sms-mock serve, as a user runs it --------------------------------------------------------

SMS_MOCK = str(Path(sys.executable).with_name("sms-mock"))
LISTENING = re.compile(r"^sms-mock listening on http://127\.0\.0\.1:(\d+)$")
IAM_LISTENING = re.compile(r"^sms-mock IAM listening on http://127\.0\.0\.1:(\d+)$")


@contextmanager
def serving_both(
    *command: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> Iterator[tuple[subprocess.Popen, str, str]]:
    """Run `command --port 0` until the block ends; yields the process and the two URLs it
    printed: the main one (its first line) and the IAM listener's (its second). `env` adds to
    the environment."""
    process = subprocess.Popen(
        [*command, "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        env={**os.environ, **env} if env else None,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline().rstrip("\n")  # flushed at once, or this blocks
        match = LISTENING.match(first)
        assert match, f"first line was {first!r}; stderr: {process.stderr.read()}"  # type: ignore[union-attr]
        second = process.stdout.readline().rstrip("\n")
        iam = IAM_LISTENING.match(second)
        assert iam, f"second line was {second!r}"
        yield process, f"http://127.0.0.1:{match.group(1)}", f"http://127.0.0.1:{iam.group(1)}"
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


@contextmanager
def serving(
    *command: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> Iterator[tuple[subprocess.Popen, str]]:
    """Run `command --port 0` until the block ends; yields the process and the URL it printed."""
    with serving_both(*command, cwd=cwd, env=env) as (process, url, _):
        yield process, url


def stop(process: subprocess.Popen, sig: int) -> tuple[int, str]:
    """Send `sig` and wait: the exit code and what the process printed since its second line."""
    process.send_signal(sig)
    # Bounded: a server that does not stop fails the test rather than hanging it. Then read
    # through the text stream, not communicate(): lines it has buffered are printed lines too.
    process.wait(timeout=10)
    assert process.stdout is not None
    return process.returncode, process.stdout.read()


def issue(url: str) -> str:
    """A token of the default user for the default project, over HTTP."""
    body = password_body(scope={"project": {"id": PROJECT_ID}})
    response = requests.post(f"{url}/v3/auth/tokens", json=body, timeout=5)
    assert response.status_code == 201
    return response.headers["X-Subject-Token"]


# --- the target of the contract tests ---------------------------------------------------------


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
