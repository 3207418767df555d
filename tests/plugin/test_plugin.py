"""The pytest plugin, from a user's own test suite: a test file outside the project, no conftest."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

OUTSIDE_TESTS = """
import pytest

def test_fixtures_are_a_real_server_on_loopback(sms_mock, sms_client):
    assert sms_mock.url.startswith("http://127.0.0.1:")
    assert sms_client.get_task("sample-ready").state == "READY"

def test_state_is_changed_here(sms_mock, sms_client):
    sms_client.delete_task("sample-ready")
    sms_mock.add_task({"id": "mine", "state": "ABORT"})

def test_and_reset_before_the_next_test(sms_client):
    assert sms_client.get_task("sample-ready").state == "READY"
    with pytest.raises(Exception):
        sms_client.get_task("mine")

def test_pause_at_and_the_journal(sms_mock, sms_client):
    sms_mock.pause_at("sample-ready", "ATTACH_AGENT_IMAGE", at_progress=50)
    sms_client.start_task("sample-ready")
    sms_mock.advance(200)
    task = sms_client.get_task("sample-ready")
    assert (task.state, task.current_subtask.progress) == ("ABORT", 50)
    actions = sms_mock.requests(method="POST", path="/v3/tasks/*/action")
    assert [(r["task_id"], r["operation"], r["status"]) for r in actions] == [
        ("sample-ready", "start", 200)
    ]

def test_http_faults(sms_mock, sms_client):
    sms_mock.http_fault({"method": "GET", "path": "/v3/tasks/*"}, status=503, times=1)
    assert sms_client.get_task("sample-ready").state == "READY"  # the client retried the 503
    assert [r["status"] for r in sms_mock.requests(path="/v3/tasks/*")] == [503, 200]

def test_iam_url_serves_keystone_discovery(sms_mock):
    import requests
    assert sms_mock.iam_url.startswith("http://127.0.0.1:") and sms_mock.iam_url != sms_mock.url
    versions = requests.get(sms_mock.iam_url + "/", timeout=10).json()["versions"]
    assert versions["values"][0]["links"][0]["href"] == sms_mock.iam_url + "/v3/"

def test_load_scenario(sms_mock, sms_client):
    (task_id,) = sms_mock.load_scenario("failed-at-migrate-40")
    assert sms_client.get_task(task_id).state == "MIGRATE_FAIL"

def test_fail_at_a_task_of_another_project(sms_mock):
    from sms_mock.client import SmsClient
    (task_id,) = sms_mock.load_scenario("ready", project="ap-southeast-3")
    sms_mock.add_task({"id": task_id, "state": "READY"})  # the same id in the default project
    sms_mock.fail_at(task_id, "SSL_CONFIG", 50, project="ap-southeast-3")
    user = {"username": "mock-user", "password": "mock-password", "domain": "mock-domain"}
    for project in ("ap-southeast-3", "cn-north-4"):
        with SmsClient(sms_mock.url, project=project, **user) as client:
            client.start_task(task_id)
    sms_mock.advance(300)
    states = {}
    for project in ("ap-southeast-3", "cn-north-4"):
        with SmsClient(sms_mock.url, project=project, **user) as client:
            states[project] = client.get_task(task_id).state
    assert states == {"ap-southeast-3": "MIGRATE_FAIL", "cn-north-4": "MIGRATE_SUCCESS"}

def test_a_refused_setup_fails_the_test_saying_why(sms_mock):
    with pytest.raises(AssertionError, match="MOCK.0405"):
        sms_mock.load_scenario("no-such-scenario")
"""


def run_pytest_outside(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_outside.py").write_text(source, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_outside.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_plugin_works_from_a_test_file_outside_the_project(tmp_path: Path) -> None:
    result = run_pytest_outside(tmp_path, OUTSIDE_TESTS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "9 passed" in result.stdout
