"""`sms_mock.serve`: the emulator in process for any test runner, as the plugin gives it, with
the plugin's settings checked alike; and `import sms_mock` stays light."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests

import sms_mock
from sms_mock import pytest_plugin
from sms_mock.embedded import MockSettings
from sms_mock.mock_server.core.clock import wall_ms

NAMES = {name: f"serve({name}=...)" for name in ("scenario", "fixtures", "auth", "clock")}


def test_serve_gives_the_plugins_object_for_as_long_as_the_block_runs() -> None:
    with sms_mock.serve(scenario=["ready", "syncing"], auth="token", clock="real") as mock:
        assert type(mock) is pytest_plugin.SmsMock
        clock = requests.get(f"{mock.url}/_mock/clock", timeout=10).json()
        assert (clock["mode"], clock["speed"]) == ("real", 1)
        with mock.client() as client:
            assert [t.state for t in client.list_tasks(name="ready-web-01")] == ["READY"]
        url = mock.url
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/_mock/health", timeout=10)


def test_a_relative_fixtures_folder_is_the_current_directorys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "mine" / "tasks").mkdir(parents=True)
    tasks = {"project": "cn-north-4", "tasks": [{"id": "mine", "state": "ABORT"}]}
    (tmp_path / "mine" / "tasks" / "t.json").write_text(json.dumps(tasks))
    monkeypatch.chdir(tmp_path)
    with sms_mock.serve(fixtures="mine") as mock, mock.client() as client:
        assert client.get_task("mine").state == "ABORT"


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"auth": "AKSK"}, "serve(auth=...): 'AKSK' is not one of any, token, aksk, off"),
        ({"clock": 0}, "serve(clock=...): 0 is not manual, real, or a real clock's speed from"),
        ({"clock": True}, "serve(clock=...): True is not manual, real, or a real clock's"),
        ({"clock": "1e9"}, "serve(clock=...): '1e9' is not manual, real, or a real clock's"),
        ({"scenario": ["ready", ""]}, "serve(scenario=...): a scenario's name or a list of"),
        ({"scenario": 7}, "serve(scenario=...): a scenario's name or a list of names, not 7"),
        ({"fixtures": 7}, "serve(fixtures=...): a folder or a list of folders, not 7"),
        ({"fixtures": [None]}, "serve(fixtures=...): None is not a folder's path"),
        ({"scenario": "nope"}, "serve(scenario=...): no scenario 'nope' (known: clone-test,"),
    ],
)
def test_a_bad_setting_raises_naming_it(given: dict[str, Any], message: str) -> None:
    with pytest.raises(sms_mock.SettingsError) as raised, sms_mock.serve(**given):
        pytest.fail("served")
    assert str(raised.value).startswith(message)
    assert isinstance(raised.value, ValueError)


def test_settings_equal_by_value_whatever_their_spelling() -> None:
    one = MockSettings().with_values(NAMES, None, scenario="ready", clock="10")
    other = MockSettings().with_values(NAMES, None, scenario=["ready"], clock=10.0)
    assert one == other and hash(one) == hash(other)
    assert (one.clock, one.speed) == ("real", 10.0)
    assert MockSettings().with_values(NAMES, None, auth="any", clock="manual") == MockSettings()


def test_reset_gives_back_the_start_and_leaves_the_journal_to_the_test() -> None:
    with sms_mock.serve() as mock, mock.client() as client:
        client.delete_task("sample-ready")
        mock.pause_at("sample-abort", "SSL_CONFIG")
        mock.advance(3600)
        before = wall_ms()
        mock.reset()
        assert before <= mock.now_ms() <= wall_ms()
        assert client.get_task("sample-ready").state == "READY"
        assert requests.get(f"{mock.url}/_mock/faults", timeout=10).json() == {"faults": []}
        mock.reset()  # done in process: nothing in the journal but what the test sends
        assert mock.requests() == []


def test_importing_sms_mock_loads_no_server_until_serve_is_asked_for() -> None:
    heavy = ("flask", "waitress", "requests", "sms_mock.")
    probe = (
        "import sys, sms_mock\n"
        f"print(sorted(m for m in sys.modules if m.startswith({heavy!r})))\n"
        "sms_mock.serve\n"
        "print('sms_mock.embedded' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split("\n")[:2] == ["[]", "True"]
