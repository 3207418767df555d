"""The reference client's log collection, certificates, consistency checks, network check and
the agent's side (its command, its answer, its progress), against the emulator over real HTTP."""

from __future__ import annotations

import pytest
import requests

from sms_mock.client import ContractViolation, NotFound, SmsClient
from sms_mock.mock_server.serving.live import LiveServer

READY = "sample-ready"  # a fixture task: READY
RUNNING = "sample-running"  # a fixture task: RUNNING, on src-sample-running
NO_TASK_SOURCE = "src-linux-file"  # a fixture source without a task
SAME = {
    "dir_check": "/var/www",
    "num_total_files": 120,
    "num_different_files": 0,
    "num_target_miss_files": 0,
    "num_target_more_files": 0,
}
DIFFERENT = {**SAME, "dir_check": "/etc", "num_different_files": 3}
PROGRESS = {
    "subtask_name": "MIGRATE_LINUX_FILE",
    "progress": 55,
    "replicatesize": 5368709120,
    "totalsize": 10737418240,
    "process_trace": "agent: copying /var/www",
}


def sms_requests(live: LiveServer) -> list[str]:
    """The SMS calls the emulator has seen since its reset (logins left out)."""
    response = requests.get(f"{live.url}/_mock/requests", timeout=5)
    assert response.status_code == 200, response.text
    journal = response.json()["requests"]
    return [f"{r['method']} {r['path']}" for r in journal if not r["path"].startswith("/v3/auth")]


@pytest.fixture
def sms(password_client: SmsClient) -> SmsClient:
    return password_client


def log_status(sms: SmsClient, task_id: str) -> str | None:
    """The task's log collection status, which the task list carries."""
    [task] = sms.list_tasks(id=task_id)
    return task.log_collect_status


def test_collect_log_starts_the_log_collection(sms: SmsClient) -> None:
    sms.collect_log(RUNNING)
    assert log_status(sms, RUNNING) == "INIT"


def test_collect_log_into_a_bucket_names_it_to_the_agent(sms: SmsClient) -> None:
    sms.collect_log(RUNNING, log_bucket="my-log-bucket")
    assert sms.get_agent_command("src-sample-running").command_param.bucket == "my-log-bucket"


def test_cert_key_has_no_ca_unless_asked(sms: SmsClient) -> None:
    keys = sms.get_cert_key(READY)
    assert keys.cert and keys.private_key
    assert keys.ca is None


def test_cert_key_has_the_ca_when_asked(sms: SmsClient) -> None:
    assert sms.get_cert_key(READY, enable_ca_cert=True).ca


def test_consistency_results_ok_then_fail(sms: SmsClient) -> None:
    sms.report_consistency_result(RUNNING, [SAME])
    sms.report_consistency_result(RUNNING, [SAME, DIFFERENT])
    results = sms.get_consistency_results(RUNNING)
    assert results.task_id == RUNNING
    assert [check.check_result for check in results.result_list] == ["OK", "FAIL"]


def test_export_consistency_results_is_csv_text(sms: SmsClient) -> None:
    sms.report_consistency_result(RUNNING, [SAME])
    text = sms.export_consistency_results([{"task_id": RUNNING}])
    assert isinstance(text, str)
    lines = text.strip().splitlines()
    assert len(lines) >= 2
    assert "," in lines[0]
    assert RUNNING in text


def test_report_network_check_fills_the_task(sms: SmsClient) -> None:
    answer = sms.report_network_check(RUNNING, network_delay=12.5, evaluation_result="GOOD")
    assert answer == RUNNING
    info = sms.get_task(RUNNING).network_check_info
    assert info.network_delay == 12.5
    assert info.evaluation_result == "GOOD"


def test_agent_command_of_a_running_task_is_start(sms: SmsClient) -> None:
    command = sms.get_agent_command("src-sample-running")
    assert command.command_name == "START"
    assert command.command_param.task_id == RUNNING


def test_agent_command_of_a_source_without_task_is_not_found(sms: SmsClient) -> None:
    with pytest.raises(NotFound) as caught:
        sms.get_agent_command(NO_TASK_SOURCE)
    assert caught.value.error_code == "SMS.7606"


def test_report_command_result_is_accepted(sms: SmsClient) -> None:
    sms.report_command_result("src-sample-running", "START", "success", {"detail": "ok"})


def test_report_progress_is_accepted(live: LiveServer, sms: SmsClient) -> None:
    sms.report_progress(RUNNING, **PROGRESS, migrate_speed=820.5)
    assert sms_requests(live) == [f"PUT /v3/tasks/{RUNNING}/progress"]


def test_a_bad_progress_report_is_refused_before_sending(live: LiveServer, sms: SmsClient) -> None:
    with pytest.raises(ContractViolation) as caught:
        sms.report_progress(RUNNING, **{**PROGRESS, "progress": 101})
    assert "progress" in str(caught.value)
    assert sms_requests(live) == []
