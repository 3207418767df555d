"""The reference client against the emulator, over real HTTP: every endpoint, every error kind."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from sms_mock.client import (
    BadRequest,
    ContractViolation,
    NotFound,
    RetryPolicy,
    ServerError,
    SmsClient,
    Task,
    TaskFailed,
    TaskSummary,
    Unauthorized,
    WaitTimeout,
    WrongState,
)
from sms_mock.client.models import to_dict
from sms_mock.mock_server.serving.live import LiveServer
from tests.support.accounts import ACCOUNT
from tests.support.helpers import SEED_EXAMPLE, create_body, free_source_at
from tests.support.stub_http import Answer, stub_session


@pytest.fixture
def sms(password_client: SmsClient) -> SmsClient:
    """The client under test: logged in with the default user's password, over `live`."""
    return password_client


def mock(live: LiveServer, method: str, path: str, body: Any = None) -> Any:
    response = requests.request(method, f"{live.url}/_mock{path}", json=body, timeout=5)
    assert response.status_code < 300, response.text
    return response.json()


# --- reads --------------------------------------------------------------------------------------


def test_get_task_answers_a_typed_task(sms: SmsClient) -> None:
    task = sms.get_task("sample-running")
    assert isinstance(task, Task)
    assert (task.id, task.state) == ("sample-running", "RUNNING")
    assert task.current_subtask.name == "ATTACH_AGENT_IMAGE"
    assert task.target_server.disks[0].physical_volumes[0].used_size == 2467393536


def test_keys_the_contract_does_not_know_are_kept(sms: SmsClient, live: LiveServer) -> None:
    seed = sms.get_task(SEED_EXAMPLE["id"])
    assert seed.target_server.extra == {"rollback_snapshot_ids": None}
    raw = requests.get(
        f"{live.url}/v3/tasks/{SEED_EXAMPLE['id']}",
        headers={"X-Auth-Token": sms.token()},
        timeout=5,
    ).json()
    assert to_dict(seed) == raw  # nothing lost on the way into the model and back


def test_list_tasks_iterates_every_page(sms: SmsClient, live: LiveServer) -> None:
    for i in range(23):
        mock(live, "POST", "/tasks", {"id": f"bulk{i}", "name": "bulk"})
    listed = list(sms.list_tasks(name="bulk", page_size=5))
    assert all(isinstance(task, TaskSummary) for task in listed)
    assert sorted(task.id for task in listed) == sorted(f"bulk{i}" for i in range(23))
    assert len(list(sms.list_tasks(page_size=7))) == 23 + 6


def test_list_tasks_filters_by_state(sms: SmsClient) -> None:
    assert [t.id for t in sms.list_tasks(state="ABORT")] == ["sample-abort"]


def test_list_tasks_page_answers_the_count_of_every_match(sms: SmsClient) -> None:
    page = sms.list_tasks_page(limit=2, offset=1)
    assert (page.count, len(page.tasks)) == (6, 2)


# --- writes -------------------------------------------------------------------------------------


def test_create_start_wait_and_delete(sms: SmsClient, live: LiveServer) -> None:
    task_id = sms.create_task(create_body(free_source_at(live.url)))
    sms.start_task(task_id)
    done = sms.wait_for_state(
        task_id, "MIGRATE_SUCCESS", interval=0, on_poll=lambda task: live.emulator.clock.advance(20)
    )
    assert [s.progress for s in done.sub_tasks] == [100, 100, 100, 100]
    sms.delete_task(task_id)
    with pytest.raises(NotFound):
        sms.get_task(task_id)


def test_delete_tasks_deletes_several(sms: SmsClient) -> None:
    sms.delete_tasks(["sample-ready", "sample-abort"])
    assert sms.list_tasks_page().count == 4


def test_stop_then_restart(sms: SmsClient, live: LiveServer) -> None:
    sms.stop_task("sample-running")
    assert sms.get_task("sample-running").state == "ABORTING"
    live.emulator.clock.advance(2)
    before = sms.get_task("sample-running")
    assert before.state == "ABORT"
    sms.restart_task("sample-running")
    after = sms.get_task("sample-running")
    assert after.state == "RUNNING"
    assert len(after.sub_tasks) == len(before.sub_tasks) + 4


def test_task_action_sends_extra_fields(sms: SmsClient) -> None:
    sms.task_action("sample-migrate-success", "clone_test", template_id="tpl-1")
    assert sms.get_task("sample-migrate-success").clone_server.clone_state == "PREPARING"


def test_a_failed_task_raises_task_failed_with_its_error_json(
    sms: SmsClient, live: LiveServer
) -> None:
    error = {"error_code": "SMS.6531", "error_msg": "The boot partition does not exist."}
    mock(live, "POST", "/faults", {"task_id": "sample-ready", "subtask": "MIGRATE_LINUX_FILE",
                                     "at_progress": 40, "error_json": error})  # fmt: skip
    sms.start_task("sample-ready")
    seen: list[str] = []

    def advance(task: Any) -> None:
        seen.append(task.state)
        live.emulator.clock.advance(60)

    with pytest.raises(TaskFailed) as caught:
        sms.wait_for_state("sample-ready", "MIGRATE_SUCCESS", interval=0, on_poll=advance)
    assert json.loads(caught.value.error_json) == error
    assert caught.value.task.current_subtask.progress == 40
    assert seen[0] == "RUNNING" and seen[-1] == "MIGRATE_FAIL"


def test_waiting_too_long_raises_wait_timeout(sms: SmsClient) -> None:
    with pytest.raises(WaitTimeout) as caught:
        sms.wait_for_state("sample-ready", "MIGRATE_SUCCESS", timeout=0)
    assert caught.value.task.state == "READY"
    assert isinstance(caught.value, TimeoutError)


# --- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "kind", "code"),
    [
        (lambda c: c.get_task("absent"), NotFound, "SMS.7703"),
        (lambda c: c.get_task("a.b"), BadRequest, "SMS.9001"),
        (lambda c: c.start_task("sample-running"), WrongState, "SMS.7713"),
        (lambda c: c.stop_task("sample-ready"), WrongState, "SMS.7714"),
        (lambda c: c.restart_task("sample-ready"), WrongState, "SMS.7722"),
        (lambda c: c.task_action("sample-ready", "cutover"), WrongState, "SMS.7721"),
        (lambda c: c.delete_task("sample-running"), WrongState, "SMS.7719"),
    ],
)
def test_errors_are_typed_and_carry_the_request_id(
    sms: SmsClient, call: Any, kind: type, code: str
) -> None:
    with pytest.raises(kind) as caught:
        call(sms)
    assert caught.value.error_code == code
    assert caught.value.status in (400, 404)
    assert len(caught.value.request_id) == 32


def test_a_wrong_password_is_unauthorized(live: LiveServer) -> None:
    client = SmsClient(live.url, project="cn-north-4", **{**ACCOUNT, "password": "wrong"})
    with client, pytest.raises(Unauthorized) as caught:
        client.get_task("sample-ready")
    assert caught.value.error_msg == "The username or password is wrong."


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: c.task_action("t", "launch"), "operation"),
        (lambda c: c.task_action("t", "clone_test"), "template_id"),
        (lambda c: c.create_task(create_body(priority="1")), "priority"),
        (lambda c: c.delete_tasks(["bad id"]), "ids.0"),
        (lambda c: c.list_tasks_page(limit=500), "limit"),
    ],
)
def test_a_request_that_breaks_the_contract_is_never_sent(
    sms: SmsClient, call: Any, field: str
) -> None:
    with pytest.raises(ContractViolation) as caught:
        call(sms)
    assert (caught.value.direction, caught.value.field) == ("request", field)


# --- the token ----------------------------------------------------------------------------------


def test_the_token_is_fetched_once_and_cached(sms: SmsClient, live: LiveServer) -> None:
    sms.get_task("sample-ready")
    sms.list_tasks_page()
    assert len(live.emulator.iam.tokens) == 1


def test_a_token_expired_on_the_servers_clock_is_fetched_again(
    sms: SmsClient, live: LiveServer
) -> None:
    first = sms.token()
    live.emulator.clock.advance(25 * 3600)
    assert sms.get_task("sample-ready").state == "READY"
    assert sms.token() != first
    assert len(live.emulator.iam.tokens) == 2


# --- retries (a stub transport: the emulator does not fail on its own) --------------------------


def client_on(responder: Any, **kwargs: Any) -> tuple[SmsClient, Any, list[float]]:
    session, adapter = stub_session(responder)
    sleeps: list[float] = []
    client = SmsClient(
        "http://sms.test", project="p", session=session, sleep=sleeps.append, **ACCOUNT, **kwargs
    )
    return client, adapter, sleeps


def test_reads_are_retried_on_5xx_with_growing_backoff() -> None:
    answers = iter([Answer(503, {}), Answer(502, {}), Answer(200, {"count": 0, "tasks": []})])
    client, _, sleeps = client_on(lambda request: next(answers))
    assert client.list_tasks_page().count == 0
    assert sleeps == [0.2, 0.4]


def test_retries_stop_after_the_configured_attempts() -> None:
    client, _, sleeps = client_on(
        lambda request: Answer(
            500, {"error_code": "SMS.6000", "error_msg": "Background exception"}
        ),
        retry=RetryPolicy(attempts=2, backoff=0.1),
    )
    with pytest.raises(ServerError) as caught:
        client.get_task("t")
    assert caught.value.error_code == "SMS.6000"
    assert sleeps == [0.1]


def test_a_429_waits_as_long_as_retry_after_says_within_bounds() -> None:
    answers = iter([Answer(429, {}, {"Retry-After": "1"}), Answer(200, {"count": 0, "tasks": []})])
    client, _, sleeps = client_on(lambda request: next(answers))
    client.list_tasks_page()
    assert sleeps == [1.0]


def test_connection_errors_on_reads_are_retried() -> None:
    failures = iter([requests.ConnectionError("refused"), Answer(200, {"count": 0, "tasks": []})])
    client, _, sleeps = client_on(lambda request: next(failures))
    assert client.list_tasks_page().count == 0
    assert sleeps == [0.2]


def test_actions_are_never_retried() -> None:
    client, adapter, sleeps = client_on(lambda request: Answer(503, {}))
    with pytest.raises(ServerError):
        client.start_task("t")
    assert sleeps == []
    assert [r.method for r in adapter.requests] == ["POST", "POST"]  # the login, the action
