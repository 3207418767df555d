"""The pytest plugin (entry point `pytest11`): an emulator for a test suite, with no conftest.

`sms_mock` is one real server per test session (127.0.0.1, a free port, manual clock), reset
before each test that uses it; `sms_client` is a `sms_mock.client.SmsClient` logged in as the
default user against it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from sms_mock.agent import AgentDriver
from sms_mock.client import SmsClient
from sms_mock.control import ControlError, ControlPlane
from sms_mock.mock_server import Config
from sms_mock.mock_server.serving.live import LiveServer

DEFAULT_USER = {"username": "mock-user", "password": "mock-password", "domain": "mock-domain"}
DEFAULT_PROJECT = "cn-north-4"


class SmsMock:
    """A running emulator and its control plane, for tests. A control-plane call that is
    refused fails the test with an AssertionError saying why: the test's setup went wrong."""

    def __init__(self, server: LiveServer) -> None:
        self.url = server.url
        # IAM's own listener: Keystone's `GET /` (HUAWEICLOUD_SDK_IAM_ENDPOINT for the SDK);
        # every IAM route is served on `url` too.
        self.iam_url = server.iam_url
        self._plane = ControlPlane(server.url)

    @staticmethod
    def _checked(call: Callable[..., Any], *args: Any) -> Any:
        try:
            return call(*args)
        except ControlError as exc:
            raise AssertionError(str(exc)) from None

    def reset(self) -> None:
        """State back to the fixtures, the clock back to now, faults and journal cleared."""
        self._checked(self._plane.reset)

    def advance(self, seconds: float) -> int:
        """Move the clock forward; the new time, epoch ms."""
        return self._checked(self._plane.advance, seconds)["now_ms"]

    def now_ms(self) -> int:
        return self._checked(self._plane.clock)["now_ms"]

    def add_task(self, doc: dict[str, Any], project: str | None = None) -> dict[str, Any]:
        """Put a task in exactly as given (any subset of a task document); the whole document."""
        return self._checked(self._plane.put_task, doc, project)

    def add_source(
        self, doc: dict[str, Any] | None = None, project: str | None = None
    ) -> dict[str, Any]:
        """Put a source server in exactly as given (any subset of GET /v3/sources/{id}, the
        rest defaulted); the whole document, as GET /v3/sources/{id} answers it."""
        return self._checked(self._plane.put_source, doc or {}, project)

    def add_template(
        self, doc: dict[str, Any] | None = None, project: str | None = None
    ) -> dict[str, Any]:
        """Put a server template in exactly as given (any subset of a template's answer, the
        rest defaulted); the whole template."""
        return self._checked(self._plane.put_template, doc or {}, project)

    def load_scenario(self, name: str, project: str | None = None) -> list[str]:
        """Load a named scenario; the ids of the tasks it made."""
        return self._checked(self._plane.load_scenario, name, project)["task_ids"]

    def fail_at(
        self,
        task_id: str,
        subtask: str,
        at_progress: int = 0,
        *,
        project: str | None = None,
        **fault: Any,
    ) -> str:
        """Fail the task when `subtask` reaches `at_progress`; the fault's id. `project` (an
        id or a name) is the task's project, the default one when not given."""
        return self._task_fault(task_id, subtask, at_progress, "fail", project, fault)

    def pause_at(
        self,
        task_id: str,
        subtask: str,
        at_progress: int = 0,
        *,
        project: str | None = None,
        **fault: Any,
    ) -> str:
        """Pause (ABORT) the task when `subtask` reaches `at_progress`; the fault's id."""
        return self._task_fault(task_id, subtask, at_progress, "pause", project, fault)

    def _task_fault(
        self,
        task_id: str,
        subtask: str,
        at_progress: int,
        effect: str,
        project: str | None,
        extra: dict[str, Any],
    ) -> str:
        spec = {"task_id": task_id, "subtask": subtask, "at_progress": at_progress,
                "effect": effect, **extra}  # fmt: skip
        return self._checked(self._plane.add_fault, spec, project)["id"]

    def http_fault(self, match: dict[str, Any], **fault: Any) -> str:
        """An HTTP fault (status, body, delay_ms, drop, times, probability, seed); its id."""
        return self._checked(self._plane.add_fault, {"match": match, **fault})["id"]

    def requests(self, **filters: Any) -> list[dict[str, Any]]:
        """The request journal (filters: method, path glob, status, since)."""
        return self._checked(lambda: self._plane.journal(**filters))["requests"]

    def agent(self, source_id: str, project: str = DEFAULT_PROJECT) -> AgentDriver:
        """A stand-in agent for the source (see `sms_mock.agent`), logged in as the default
        user in `project`; make the source agent-driven with `add_source({..., "agent_driven":
        True})` for its task to move by the agent's reports alone."""
        with SmsClient(self.url, project=project, **DEFAULT_USER) as client:
            return AgentDriver(self.url, source_id, client.token())

    def close(self) -> None:
        self._plane.close()


@pytest.fixture(scope="session")
def _sms_mock_server() -> Iterator[LiveServer]:
    with LiveServer(Config(clock="manual")) as server:
        yield server


@pytest.fixture
def sms_mock(_sms_mock_server: LiveServer) -> Iterator[SmsMock]:
    """The session's emulator, reset for this test."""
    mock = SmsMock(_sms_mock_server)
    mock.reset()
    yield mock
    mock.close()


@pytest.fixture
def sms_client(sms_mock: SmsMock) -> Iterator[SmsClient]:
    """A client logged in as the default user (mock-user, project cn-north-4)."""
    with SmsClient(sms_mock.url, project=DEFAULT_PROJECT, **DEFAULT_USER) as client:
        yield client
