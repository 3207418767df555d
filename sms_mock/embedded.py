"""The emulator in process, in any test runner: `with sms_mock.serve() as mock:`.

`serve` starts a real emulator (127.0.0.1, a free port, on a thread of this process) and gives
the `SmsMock` the pytest plugin's `sms_mock` fixture gives: its URL and its control plane, as
methods. It takes the settings the plugin's ini options and marker take (`scenario`,
`fixtures`, `auth`, `clock`), checked the same way: a bad one raises `SettingsError` naming it.

    import unittest

    import sms_mock

    class MigrationTest(unittest.TestCase):
        @classmethod
        def setUpClass(cls):
            cls.mock = cls.enterClassContext(sms_mock.serve(scenario="failed-at-migrate-40"))

        def setUp(self):
            self.mock.reset()  # each test from the same state, as the plugin's fixture does

`unittest.enterModuleContext(sms_mock.serve())` in `setUpModule` shares one for a module.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sms_mock.agent import AgentDriver
from sms_mock.client import SmsClient
from sms_mock.contracts.control import SPEED_RANGE
from sms_mock.contracts.enums import AuthMode, ClockMode
from sms_mock.control import ControlError, ControlPlane
from sms_mock.mock_server.config import Config
from sms_mock.mock_server.control.fixtures import FixtureError
from sms_mock.mock_server.control.scenarios import UnknownScenario
from sms_mock.mock_server.serving.live import LiveServer

# The default account (fixtures/account.json; README, "The default account").
DEFAULT_USER = {"username": "mock-user", "password": "mock-password", "domain": "mock-domain"}
DEFAULT_PROJECT = "cn-north-4"
DEFAULT_PROJECT_ID = "aa672d6a0df5c7904ce88d2f516d242d"
DEFAULT_AK = "MOCKACCESSKEYEXAMPLE"
DEFAULT_SK = "mock-secret-key-example-0000000000000000"
SDK_PACKAGE = "huaweicloudsdksms"

SETTING_NAMES = ("scenario", "fixtures", "auth", "clock")


class SettingsError(ValueError):
    """A setting that cannot be used; the message names where it was given."""


@dataclass(frozen=True)
class MockSettings:
    """How an emulator for tests is built: equal settings, one emulator (the plugin's cache
    key). `names` says where each was given, for error messages; it is not compared."""

    fixtures: tuple[Path, ...] = ()  # folders loaded after the default fixtures
    scenarios: tuple[str, ...] = ()  # loaded at start and after every reset
    auth: str = AuthMode.ANY.value
    clock: str = ClockMode.MANUAL.value
    speed: float = 1.0  # a real clock's
    names: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def named(self, setting: str) -> str:
        return self.names.get(setting, setting)

    def with_values(
        self, names: dict[str, str], base: Path | None = None, **given: Any
    ) -> MockSettings:
        """These settings with the given ones (`scenario`, `fixtures`, `auth`, `clock`)
        replacing theirs; `names` says where each was given, `base` is what relative fixture
        folders are relative to. SettingsError names the first one that cannot be used."""
        unknown = sorted(set(given) - set(SETTING_NAMES))
        if unknown:
            raise SettingsError(
                f"{', '.join(unknown)}: not a setting (the settings are {', '.join(SETTING_NAMES)})"
            )
        values: dict[str, Any] = {}
        if given.get("fixtures") is not None:
            values["fixtures"] = _folders(given["fixtures"], base, names["fixtures"])
        if given.get("scenario") is not None:
            values["scenarios"] = _names(given["scenario"], names["scenario"])
        if given.get("auth") is not None:
            values["auth"] = _auth(given["auth"], names["auth"])
        if given.get("clock") is not None:
            values["clock"], values["speed"] = _clock(given["clock"], names["clock"])
        where = {**self.names, **{k: names[k] for k in given if given[k] is not None}}
        kept = {k: getattr(self, k) for k in ("fixtures", "scenarios", "auth", "clock", "speed")}
        return MockSettings(**{**kept, **values}, names=where)

    def config(self) -> Config:
        return Config(
            fixtures=list(self.fixtures),
            scenarios=list(self.scenarios),
            auth=self.auth,
            clock=self.clock,
            speed=self.speed,
        )

    def start(self) -> LiveServer:
        """A running emulator with these settings; SettingsError naming the setting when its
        fixtures or scenarios cannot be loaded."""
        try:
            server = LiveServer(self.config())
        except FixtureError as exc:
            raise SettingsError(f"{self.named('fixtures')}: {exc}") from None
        except UnknownScenario as exc:
            raise SettingsError(f"{self.named('scenario')}: {exc.args[0]}") from None
        return server.start()


def _folders(value: Any, base: Path | None, name: str) -> tuple[Path, ...]:
    items = [value] if isinstance(value, str | os.PathLike) else value
    if not isinstance(items, Iterable):
        raise SettingsError(f"{name}: a folder or a list of folders, not {value!r}")
    folders = []
    for item in items:
        if not isinstance(item, str | os.PathLike):
            raise SettingsError(f"{name}: {item!r} is not a folder's path")
        folder = Path(item)
        if base is not None and not folder.is_absolute():
            folder = base / folder
        if not folder.is_dir():
            raise SettingsError(f"{name}: {folder} is not a folder")
        folders.append(folder.resolve())
    return tuple(folders)


def _names(value: Any, name: str) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    items = list(items) if isinstance(items, Iterable) else None
    if items is None or not all(isinstance(item, str) and item for item in items):
        raise SettingsError(f"{name}: a scenario's name or a list of names, not {value!r}")
    return tuple(items)


def _auth(value: Any, name: str) -> str:
    modes = [mode.value for mode in AuthMode]
    if value not in modes:
        raise SettingsError(f"{name}: {value!r} is not one of {', '.join(modes)}")
    return str(value)


def _clock(value: Any, name: str) -> tuple[str, float]:
    """(mode, speed): `manual`, `real`, or a number, a real clock at that speed."""
    if value in (ClockMode.MANUAL.value, ClockMode.REAL.value):
        return str(value), 1.0
    try:
        speed = float(value) if not isinstance(value, bool) else None
    except (TypeError, ValueError):
        speed = None
    if speed is None or not SPEED_RANGE.min <= speed <= SPEED_RANGE.max:
        raise SettingsError(
            f"{name}: {value!r} is not manual, real, or a real clock's speed from "
            f"{SPEED_RANGE.min:g} to {SPEED_RANGE.max:g}"
        )
    return ClockMode.REAL.value, speed


class SmsMock:
    """A running emulator and its control plane, for tests. A control-plane call that is
    refused fails the test with an AssertionError saying why: the test's setup went wrong."""

    def __init__(self, server: LiveServer) -> None:
        self.url = server.url
        # IAM's own listener: Keystone's `GET /` (HUAWEICLOUD_SDK_IAM_ENDPOINT for the SDK);
        # every IAM route is served on `url` too.
        self.iam_url = server.iam_url
        self.auth = str(server.emulator.config.auth)  # what SMS calls accept
        self._plane = ControlPlane(server.url)
        self._emulator = server.emulator  # in this process, on the server's thread

    @staticmethod
    def _checked(call: Callable[..., Any], *args: Any) -> Any:
        try:
            return call(*args)
        except ControlError as exc:
            raise AssertionError(str(exc)) from None

    def reset(self) -> None:
        """State back to the fixtures (and the start-up scenarios), the clock back to now,
        faults and journal cleared: what `POST /_mock/reset` does, done in this process, where
        the emulator runs. It costs a test a fraction of a millisecond (over HTTP, the round
        trip through the server's threads took longer than the reset), and the journal then
        holds only what the test sent."""
        self._emulator.reset()

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

    def client(self) -> SmsClient:
        """A reference client of the default user in the default project (cn-north-4): logged
        in with its password, or signing with its AK/SK when SMS calls take only signatures
        (`auth="aksk"`). Close it when done (it is a context manager)."""
        if self.auth == AuthMode.AKSK:
            return SmsClient(self.url, ak=DEFAULT_AK, sk=DEFAULT_SK, project_id=DEFAULT_PROJECT_ID)
        return SmsClient(self.url, project=DEFAULT_PROJECT, **DEFAULT_USER)

    def sdk_client(self) -> Any:
        """The official SDK's `huaweicloudsdksms.v3.SmsClient` against this emulator, signing
        with the default user's AK/SK in the default project; its IAM endpoint is the
        emulator's too, so nothing reaches the internet. ImportError saying what to install
        when the SDK is not installed."""
        try:
            from huaweicloudsdkcore.auth.credentials import BasicCredentials
            from huaweicloudsdksms.v3 import SmsClient as SdkSmsClient
        except ImportError as exc:
            raise ImportError(
                f"the official SDK is not installed: pip install {SDK_PACKAGE} ({exc})"
            ) from exc
        credentials = BasicCredentials(DEFAULT_AK, DEFAULT_SK, DEFAULT_PROJECT_ID)
        credentials = credentials.with_iam_endpoint(self.iam_url)
        builder = SdkSmsClient.new_builder().with_credentials(credentials)
        return builder.with_endpoint(self.url).build()

    def close(self) -> None:
        self._plane.close()


@contextmanager
def serve(
    *,
    scenario: str | Iterable[str] | None = None,
    fixtures: str | os.PathLike[str] | Iterable[str | os.PathLike[str]] | None = None,
    auth: str | None = None,
    clock: str | float | None = None,
) -> Iterator[SmsMock]:
    """`with serve() as mock:` an emulator for as long as the block runs, then stopped.

    - `scenario`: a scenario's name, or several, loaded at start and after every reset;
    - `fixtures`: a folder, or several, loaded after the default fixtures (relative to the
      current directory);
    - `auth`: what SMS calls accept, `any` (the default), `token`, `aksk` or `off`;
    - `clock`: `manual` (the default: it moves only by `mock.advance`), `real`, or a number:
      a real clock running that many times faster than wall time.

    The `SmsMock` is the pytest plugin's: `.url`, `.advance()`, `.add_task()`, `.reset()`
    and the rest. A bad setting raises SettingsError naming it.
    """
    given = {"scenario": scenario, "fixtures": fixtures, "auth": auth, "clock": clock}
    names = {name: f"serve({name}=...)" for name in SETTING_NAMES}
    server = MockSettings().with_values(names, Path.cwd(), **given).start()
    mock = SmsMock(server)
    try:
        yield mock
    finally:
        mock.close()
        server.stop()
