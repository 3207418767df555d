"""Tasks an agent drives: a source marked agent-driven has a task that moves by its agent's
progress reports alone, and the pytest plugin's stand-in agent drives it to the end (README,
"Speed limits", the agent's calls)."""

from __future__ import annotations

from typing import Any

import pytest

from sms_mock.client import SmsClient
from sms_mock.pytest_plugin import SmsMock
from tests.support.helpers import create_body


@pytest.fixture
def driven(sms_mock: SmsMock, sms_client: SmsClient) -> str:
    """A READY task of an agent-driven source; its id."""
    sms_mock.add_source({"id": "agent-src", "agent_driven": True})
    return sms_client.create_task(create_body("agent-src"))


def sub_tasks(client: SmsClient, task_id: str) -> list[tuple[str, int]]:
    return [(s.name, s.progress) for s in client.get_task(task_id).sub_tasks]


def test_the_clock_does_not_move_an_agent_driven_task(
    sms_mock: SmsMock, sms_client: SmsClient, driven: str
) -> None:
    sms_client.start_task(driven)
    sms_mock.advance(3600)
    task = sms_client.get_task(driven)
    assert task.state == "RUNNING"
    assert [progress for _, progress in sub_tasks(sms_client, driven)] == [0, 0, 0, 0]


def test_the_agent_drives_the_task_to_migrate_success_by_reports_alone(
    sms_mock: SmsMock, sms_client: SmsClient, driven: str
) -> None:
    sms_client.start_task(driven)
    agent = sms_mock.agent("agent-src")
    assert agent.command()["command_name"] == "START"
    assert agent.run() == "TASK_HAS_FINISHED"
    task = sms_client.get_task(driven)
    assert task.state == "MIGRATE_SUCCESS"
    assert all(progress == 100 for _, progress in sub_tasks(sms_client, driven))
    assert [s.process_trace for s in task.sub_tasks] == ["100% done"] * 4
    agent.close()


def test_a_report_of_100_ends_the_sub_task_and_starts_the_next_at_0(
    sms_mock: SmsMock, sms_client: SmsClient, driven: str
) -> None:
    sms_client.start_task(driven)
    agent = sms_mock.agent("agent-src")
    agent.report(driven, "SSL_CONFIG", 40)
    assert sub_tasks(sms_client, driven)[:2] == [("SSL_CONFIG", 40), ("ATTACH_AGENT_IMAGE", 0)]
    agent.report(driven, "SSL_CONFIG", 10)  # progress never goes back
    agent.report(driven, "ATTACH_AGENT_IMAGE", 90)  # not the running sub-task: recorded only
    assert sub_tasks(sms_client, driven)[:2] == [("SSL_CONFIG", 40), ("ATTACH_AGENT_IMAGE", 0)]
    agent.report(driven, "SSL_CONFIG", 100)
    task = sms_client.get_task(driven)
    assert task.sub_tasks[0].end_date is not None
    assert task.sub_tasks[1].start_date == task.sub_tasks[0].end_date
    agent.close()


@pytest.mark.parametrize("answered", [True, False])
def test_a_stop_waits_for_the_agents_stop_result_or_2_seconds(
    sms_mock: SmsMock, sms_client: SmsClient, driven: str, answered: bool
) -> None:
    sms_client.start_task(driven)
    sms_client.stop_task(driven)
    agent = sms_mock.agent("agent-src")
    assert sms_client.get_task(driven).state == "ABORTING"
    assert agent.command()["command_name"] == "STOP"
    if answered:
        agent.result("STOP")
    else:
        sms_mock.advance(2)
    assert sms_client.get_task(driven).state == "ABORT"
    assert agent.command()["command_name"] == "TASK_HAS_STOPPED"
    agent.close()


def test_a_clock_driven_task_is_not_moved_by_reports(
    sms_mock: SmsMock, sms_client: SmsClient
) -> None:
    agent = sms_mock.agent("src-sample-running")
    before: Any = sub_tasks(sms_client, "sample-running")
    agent.report("sample-running", "ATTACH_AGENT_IMAGE", 100)
    assert sub_tasks(sms_client, "sample-running") == before
    agent.close()
