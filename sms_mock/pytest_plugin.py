"""The pytest plugin (entry point `pytest11`): an emulator for a test suite, with no conftest.

`sms_mock` is a real server (127.0.0.1, a free port), reset before each test that uses it; one
for the session, started by the first test that asks for it. `sms_client` is a
`sms_mock.client.SmsClient` of the default user against it, `sms_sdk_client` the official
SDK's `SmsClient` (skipped when the SDK is not installed).

The ini options set the session's server (`sms_mock_fixtures`, `sms_mock_scenarios`,
`sms_mock_auth`, `sms_mock_clock`); `@pytest.mark.sms_mock(scenario=..., fixtures=...,
auth=..., clock=...)` gives a test (a class, a module) settings of its own: each keyword
given replaces the ini's, and tests whose settings differ from the session's share a server of
their own, one per distinct settings, kept for the session.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from sms_mock.client import SmsClient
from sms_mock.embedded import (
    DEFAULT_PROJECT,
    DEFAULT_USER,
    SDK_PACKAGE,
    SETTING_NAMES,
    MockSettings,
    SettingsError,
    SmsMock,
)
from sms_mock.mock_server.serving.live import LiveServer

__all__ = ["DEFAULT_PROJECT", "DEFAULT_USER", "SmsMock"]

MARKER = "sms_mock"
# ini option -> (the setting it gives, its pytest type, its help).
INI_OPTIONS = {
    "sms_mock_fixtures": (
        "fixtures",
        "paths",
        "sms-mock: folders of fixtures loaded after the default ones (as `sms-mock serve "
        "--fixtures`), relative to the ini file",
    ),
    "sms_mock_scenarios": (
        "scenario",
        "args",
        "sms-mock: named scenarios loaded at start and after every reset (as `--scenario`)",
    ),
    "sms_mock_auth": (
        "auth",
        "string",
        "sms-mock: what SMS calls accept: any (default), token, aksk or off (as `--auth`)",
    ),
    "sms_mock_clock": (
        "clock",
        "string",
        "sms-mock: manual (default: moves only by sms_mock.advance), real, or a number: a real "
        "clock that many times faster than wall time",
    ),
}
MARKER_HELP = (
    f"{MARKER}(scenario=None, fixtures=None, auth=None, clock=None): an sms-mock emulator with "
    "these settings for this test (each given replaces the ini option's; fixtures relative to "
    "the rootdir); tests with the same settings share one"
)
SETTINGS_KEY = pytest.StashKey[MockSettings]()


def pytest_addoption(parser: pytest.Parser) -> None:
    for option, (_, kind, help_text) in INI_OPTIONS.items():
        parser.addini(option, help_text, type=kind)  # type: ignore[arg-type]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER_HELP)
    given: dict[str, Any] = {}
    names: dict[str, str] = {}
    for option, (setting, _, _) in INI_OPTIONS.items():
        value = config.getini(option)
        given[setting] = value or None  # an option left out, or empty: the default
        names[setting] = f"ini option {option}"
    try:
        settings = MockSettings().with_values(names, config.rootpath, **given)
    except SettingsError as exc:
        raise pytest.UsageError(str(exc)) from None
    config.stash[SETTINGS_KEY] = settings


class ServerPool:
    """The session's emulators: one per distinct settings, started when a test first asks
    for it, stopped at the session's end. A start that failed fails every test asking for it
    with the same message, without trying again."""

    def __init__(self) -> None:
        self._started: dict[MockSettings, tuple[LiveServer, SmsMock] | SettingsError] = {}

    def mock(self, settings: MockSettings) -> SmsMock:
        found = self._started.get(settings)
        if found is None:
            try:
                server = settings.start()
                found = (server, SmsMock(server))
            except SettingsError as exc:
                found = exc
            self._started[settings] = found
        if isinstance(found, SettingsError):
            pytest.fail(str(found), pytrace=False)
        return found[1]

    def close(self) -> None:
        for found in self._started.values():
            if not isinstance(found, SettingsError):
                server, mock = found
                mock.close()
                server.stop()
        self._started.clear()


@pytest.fixture(scope="session")
def _sms_mock_pool() -> Iterator[ServerPool]:
    pool = ServerPool()
    yield pool
    pool.close()


def _test_settings(request: pytest.FixtureRequest) -> MockSettings:
    """The session's settings, with the test's marker (the closest one) over them."""
    settings = request.config.stash[SETTINGS_KEY]
    marker = request.node.get_closest_marker(MARKER)
    if marker is None:
        return settings
    where = f"@pytest.mark.{MARKER}"
    if marker.args:
        pytest.fail(f"{where}: takes keywords only ({', '.join(SETTING_NAMES)})", pytrace=False)
    names = {name: f"{where}({name}=...)" for name in SETTING_NAMES}
    try:
        return settings.with_values(names, request.config.rootpath, **marker.kwargs)
    except SettingsError as exc:
        message = str(exc) if exc.args[0].startswith(where) else f"{where}: {exc}"
        pytest.fail(message, pytrace=False)


@pytest.fixture
def sms_mock(request: pytest.FixtureRequest, _sms_mock_pool: ServerPool) -> SmsMock:
    """The emulator for this test's settings (the session's, or its marker's), reset."""
    mock = _sms_mock_pool.mock(_test_settings(request))
    mock.reset()
    return mock


@pytest.fixture
def sms_client(sms_mock: SmsMock) -> Iterator[SmsClient]:
    """A client of the default user (mock-user, project cn-north-4): its password, or its
    AK/SK when the emulator's SMS takes only signatures (auth `aksk`)."""
    with sms_mock.client() as client:
        yield client


@pytest.fixture
def sms_sdk_client(sms_mock: SmsMock) -> Any:
    """The official SDK's `huaweicloudsdksms.v3.SmsClient` against `sms_mock`, signing with
    the default user's AK/SK in cn-north-4; skipped when the SDK is not installed."""
    try:
        return sms_mock.sdk_client()
    except ImportError:
        pytest.skip(f"sms_sdk_client needs the official SDK: pip install {SDK_PACKAGE}")
