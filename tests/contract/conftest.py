"""The target of the contract tests: the emulator in process, or any server that speaks the API.

By default the tests run against the session's live emulator on 127.0.0.1 (manual clock). With
`SMS_MOCK_URL` set, the tests run against that server instead, logging in with
`SMS_MOCK_USERNAME`, `SMS_MOCK_PASSWORD`, `SMS_MOCK_DOMAIN` and `SMS_MOCK_PROJECT`
(`SMS_MOCK_IAM_URL` when IAM is elsewhere). Against an outside server, tests that need the
emulator's control plane are skipped, and tests that create, act on or delete tasks run only with
`SMS_CONTRACT_WRITES=1`.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from sms_mock.mock_server.serving.live import LiveServer
from tests.support import reached
from tests.support.servers import Target


@pytest.fixture(scope="session")
def target(request: pytest.FixtureRequest) -> Target:
    url = os.environ.get("SMS_MOCK_URL")
    if url:
        return Target(
            url=url.rstrip("/"),
            iam_url=os.environ.get("SMS_MOCK_IAM_URL", url).rstrip("/"),
            username=os.environ.get("SMS_MOCK_USERNAME", "mock-user"),
            password=os.environ.get("SMS_MOCK_PASSWORD", "mock-password"),
            domain=os.environ.get("SMS_MOCK_DOMAIN", "mock-domain"),
            project=os.environ.get("SMS_MOCK_PROJECT", "cn-north-4"),
            live=None,
            writes=os.environ.get("SMS_CONTRACT_WRITES") == "1",
        )
    # The live emulator every module shares (tests/conftest.py); started only when needed here.
    live: LiveServer = request.getfixturevalue("_live_server")
    return Target(live.url, live.iam_url, "mock-user", "mock-password", "mock-domain",
                  "cn-north-4", live, writes=True)  # fmt: skip


@pytest.fixture(autouse=True)
def fresh_emulator(target: Target) -> None:
    """Each test starts from the fixtures when the target is the emulator."""
    if target.live is not None:
        target.live.emulator.reset()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A pytest-xdist worker hands its operations' tallies to the controller."""
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output[reached.WORKER_OUTPUT_KEY] = {op: dict(c) for op, c in reached.REACHED.items()}


# Set on a test whose call failed, so that a fixture's own check at teardown stays quiet then.
CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if call.when == "call" and report.failed:
        item.stash[CALL_FAILED] = True
    return report
