"""The plugin's settings, from a user's own project: ini options for the session's server, a
marker for a test that needs its own, `sms_sdk_client`; and the examples of
docs/pytest-plugin.md, as printed.

One pytest run of such a project (its own pytest.ini, fixtures folder and conftest) holds every
test's outcome; a second one, with a bad ini value, must stop at once naming the option.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.support import docs

INI = """
[pytest]
sms_mock_fixtures = extra
sms_mock_scenarios = mine ready
sms_mock_auth = any
sms_mock_clock = manual
"""

# A scenario keeping its ids, and a tasks file: what `extra` adds to the default fixtures.
SCENARIO = {
    "description": "A task of the project's own.",
    "keep_ids": True,
    "tasks": [{"id": "from-a-scenario", "name": "from-a-scenario", "state": "READY"}],
}
TASKS = {"project": "cn-north-4", "tasks": [{"id": "from-a-folder", "state": "MIGRATE_FAIL"}]}

CONFTEST = """
import sys

import pytest


class Refuse:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "huaweicloudsdksms":
            raise ModuleNotFoundError(f"No module named {name!r}")


@pytest.fixture
def without_the_sdk(monkeypatch):
    # As in a virtualenv without it: not imported yet, and not found.
    for name in [m for m in sys.modules if m.split(".")[0] == "huaweicloudsdksms"]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(sys, "meta_path", [Refuse(), *sys.meta_path])
"""

TESTS = """
import pytest
import requests
from huaweicloudsdksms.v3 import ListTasksRequest, ShowTaskRequest

from sms_mock.client import ApiError, SmsClient

USER = {"username": "mock-user", "password": "mock-password", "domain": "mock-domain"}
SEEN = {}  # a group of tests -> the URLs they were served from


def served(group, mock):
    SEEN.setdefault(group, set()).add(mock.url)


def clock(mock):
    return requests.get(f"{mock.url}/_mock/clock", timeout=10).json()


def test_the_ini_options_set_the_session_server(sms_mock, sms_client):
    served("session", sms_mock)
    assert sms_client.get_task("from-a-folder").state == "MIGRATE_FAIL"
    assert sms_client.get_task("from-a-scenario").state == "READY"
    assert [task.state for task in sms_client.list_tasks(name="ready-web-01")] == ["READY"]
    assert clock(sms_mock)["mode"] == "manual"


def test_the_ini_scenarios_are_back_after_a_reset(sms_mock, sms_client):
    served("session", sms_mock)
    sms_client.delete_task("from-a-scenario")
    sms_mock.reset()
    assert sms_client.get_task("from-a-scenario").state == "READY"


@pytest.mark.sms_mock(auth="aksk")
@pytest.mark.parametrize("n", range(3))
def test_tests_with_the_same_marker_share_a_server_of_their_own(sms_mock, sms_client, n):
    served("aksk", sms_mock)
    assert sms_client.get_task("from-a-folder").state == "MIGRATE_FAIL"  # the ini's folder still
    with SmsClient(sms_mock.url, project="cn-north-4", **USER) as by_password:
        with pytest.raises(ApiError) as refused:
            by_password.get_task("from-a-folder")
    assert refused.value.status == 401


@pytest.mark.sms_mock(clock=60)
def test_a_number_is_a_real_clock_at_that_speed(sms_mock):
    served("clock", sms_mock)
    assert (clock(sms_mock)["mode"], clock(sms_mock)["speed"]) == ("real", 60)


@pytest.mark.sms_mock(scenario="failed-at-migrate-40")
class TestAMarkerOnAClass:
    def test_its_scenario_replaces_the_ini_ones(self, sms_mock, sms_client):
        served("class", sms_mock)
        assert [t.state for t in sms_client.list_tasks(name="file-01")] == ["MIGRATE_FAIL"]
        assert list(sms_client.list_tasks(name="from-a-scenario")) == []

    def test_and_its_tests_share_its_server(self, sms_mock):
        served("class", sms_mock)


@pytest.mark.sms_mock(auth="any", clock="manual")
def test_a_marker_asking_for_the_sessions_settings_is_served_by_its_server(sms_mock):
    served("session", sms_mock)


def test_sms_sdk_client(sms_sdk_client, sms_mock):
    served("session", sms_mock)
    assert sms_sdk_client.show_task(ShowTaskRequest(task_id="from-a-folder")).state == (
        "MIGRATE_FAIL"
    )


@pytest.mark.sms_mock(auth="aksk")
def test_sms_sdk_client_where_only_signatures_are_taken(sms_sdk_client, sms_mock):
    served("aksk", sms_mock)
    assert sms_sdk_client.list_tasks(ListTasksRequest(name="file-01")).count == 0  # not here
    assert sms_sdk_client.show_task(ShowTaskRequest(task_id="from-a-scenario")).state == "READY"


def test_sms_sdk_client_without_the_sdk(without_the_sdk, sms_sdk_client):
    pytest.fail("not skipped")


@pytest.mark.sms_mock(auth="nope")
def test_bad_auth(sms_mock):
    pass


@pytest.mark.sms_mock(clock="fast")
def test_bad_clock(sms_mock):
    pass


@pytest.mark.sms_mock(scenario="no-such-scenario")
def test_unknown_scenario(sms_mock):
    pass


@pytest.mark.sms_mock(fixtures="no-such-folder")
def test_missing_folder(sms_mock):
    pass


@pytest.mark.sms_mock(colour="red")
def test_unknown_keyword(sms_mock):
    pass


@pytest.mark.sms_mock("aksk")
def test_positional(sms_mock):
    pass


def test_last_one_server_a_group():
    assert {group: len(urls) for group, urls in SEEN.items()} == dict.fromkeys(
        ["session", "aksk", "clock", "class"], 1
    )
    assert len(set().union(*SEEN.values())) == 4
"""

SCRIPT_TEST = """
import runpy


def test_the_script_runs_as_printed(capsys):
    runpy.run_path("readme_script.py")
    url, status = capsys.readouterr().out.split()
    assert url.startswith("http://127.0.0.1:") and status == "ok"
"""

ERRORS = {
    "test_bad_auth": "@pytest.mark.sms_mock(auth=...): 'nope' is not one of any, token, aksk, off",
    "test_bad_clock": "@pytest.mark.sms_mock(clock=...): 'fast' is not manual, real, or a real "
    "clock's speed from 0.001 to 1e+06",
    "test_unknown_scenario": "@pytest.mark.sms_mock(scenario=...): no scenario "
    "'no-such-scenario' (known: ",
    "test_missing_folder": "@pytest.mark.sms_mock(fixtures=...): ",
    "test_unknown_keyword": "@pytest.mark.sms_mock: colour: not a setting (the settings are "
    "scenario, fixtures, auth, clock)",
    "test_positional": "@pytest.mark.sms_mock: takes keywords only (scenario, fixtures, auth, "
    "clock)",
}
SKIPPED = {
    "test_sms_sdk_client_without_the_sdk": "sms_sdk_client needs the official SDK: "
    "pip install huaweicloudsdksms"
}


def site_examples(heading: str) -> list[str]:
    """The Python blocks of docs/pytest-plugin.md's section under `## heading`, in order."""
    section = docs.section(docs.page("pytest-plugin.md"), f"## {heading}")
    return re.findall(r"```python\n(.*?)```", section, re.S)


def write_project(folder: Path) -> None:
    """A user's project: its pytest.ini, fixtures folder, conftest and tests, and the site's
    examples of the marker, unittest and a script."""
    (folder / "extra" / "scenarios").mkdir(parents=True)
    (folder / "extra" / "tasks").mkdir()
    (folder / "extra" / "scenarios" / "mine.json").write_text(json.dumps(SCENARIO))
    (folder / "extra" / "tasks" / "mine.json").write_text(json.dumps(TASKS))
    (folder / "pytest.ini").write_text(INI)
    (folder / "conftest.py").write_text(CONFTEST)
    (folder / "test_settings.py").write_text(TESTS)
    marker_example = site_examples("In pytest")[1]
    unittest_example, script_example = site_examples("Outside pytest: unittest and scripts")
    (folder / "test_readme_marker.py").write_text(marker_example)
    (folder / "test_readme_unittest.py").write_text(unittest_example)
    (folder / "readme_script.py").write_text(script_example)
    (folder / "test_readme_script.py").write_text(SCRIPT_TEST)


def run_pytest(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, str]]:
    """Each test of the project's run: (passed, failed, error or skipped; the message)."""
    folder = tmp_path_factory.mktemp("project")
    write_project(folder)
    done = run_pytest(folder, "-q", "--junitxml=report.xml")
    assert done.returncode == 1, done.stdout + done.stderr  # the six bad settings
    found: dict[str, tuple[str, str]] = {}
    for case in ET.parse(folder / "report.xml").iter("testcase"):
        kind, message = "passed", ""
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                kind, message = child.tag, child.get("message", "")
                setup = re.fullmatch(r'failed on setup with "Failed: (.*)"', message, re.S)
                message = setup.group(1) if setup else message
        found[case.get("name", "")] = (kind, message)
    return found


def test_every_setting_is_honoured_and_the_readme_examples_pass(
    outcomes: dict[str, tuple[str, str]],
) -> None:
    not_passed = {name: outcome for name, outcome in outcomes.items() if outcome[0] != "passed"}
    assert set(not_passed) == set(ERRORS) | set(SKIPPED), not_passed
    assert len(outcomes) == 22  # each test of the project ran


@pytest.mark.parametrize("test", sorted(ERRORS))
def test_a_bad_marker_fails_its_test_naming_the_keyword(
    outcomes: dict[str, tuple[str, str]], test: str
) -> None:
    kind, message = outcomes[test]
    assert kind == "error"  # in the fixture's setup: the test itself never ran
    assert message.startswith(ERRORS[test]), message


def test_sms_sdk_client_is_skipped_saying_what_to_install(
    outcomes: dict[str, tuple[str, str]],
) -> None:
    (name,) = SKIPPED
    assert outcomes[name][0] == "skipped"
    assert SKIPPED[name] in outcomes[name][1]


def test_a_bad_ini_option_stops_the_run_naming_it(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\nsms_mock_clock = fast\n")
    (tmp_path / "test_nothing.py").write_text("def test_nothing():\n    pass\n")
    done = run_pytest(tmp_path)
    assert done.returncode == pytest.ExitCode.USAGE_ERROR
    assert done.stdout == ""
    assert done.stderr.strip() == (
        "ERROR: ini option sms_mock_clock: 'fast' is not manual, real, or a real clock's speed "
        "from 0.001 to 1e+06"
    )
