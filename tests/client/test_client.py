"""The reference client against the emulator, over real HTTP: every endpoint, every error kind,
retries and malformed answers (through the emulator's HTTP faults)."""

from __future__ import annotations

import json
from collections.abc import Iterator
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
from sms_mock.control import ControlPlane
from sms_mock.mock_server.serving.live import LiveServer
from tests.support.accounts import ACCOUNT, password_body
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


# --- retries and malformed answers, through the emulator's HTTP faults --------------------------
#
# An HTTP fault makes the live emulator answer a status, drop the connection or send a broken
# body, over real HTTP; the journal (GET /_mock/requests) counts what reached it, so every
# attempt the client made is counted there, not inside the client. `sleep=` records the waits
# between attempts instead of spending them.

TASK_PATH = "/v3/tasks/sample-ready"


@pytest.fixture
def control(live: LiveServer) -> Iterator[ControlPlane]:
    with ControlPlane(live.url) as plane:
        yield plane


def waiting_client(live: LiveServer, **kwargs: Any) -> tuple[SmsClient, list[float]]:
    """A client logged in as the default user whose waits between attempts are recorded."""
    sleeps: list[float] = []
    client = SmsClient(live.url, project="cn-north-4", sleep=sleeps.append, **ACCOUNT, **kwargs)
    return client, sleeps


def statuses(control: ControlPlane, method: str, path: str) -> list[int | None]:
    """The status of every request the emulator saw for `method path` (None: dropped)."""
    return [entry["status"] for entry in control.journal(method=method, path=path)["requests"]]


def read_fault(**fault: Any) -> dict[str, Any]:
    return {"match": {"method": "GET", "path": TASK_PATH}, **fault}


@pytest.mark.parametrize(
    ("fault", "seen", "sleeps"),
    [
        pytest.param({"status": 503, "times": 2}, [503, 503, 200], [0.2, 0.4], id="503 twice"),
        pytest.param({"status": 500, "times": 1}, [500, 200], [0.2], id="500"),
        pytest.param({"status": 429, "times": 1}, [429, 200], [0.2], id="429 without Retry-After"),
        pytest.param({"drop": True, "times": 2}, [None, None, 200], [0.2, 0.4], id="dropped"),
        pytest.param({"status": 502, "body": "<html>Bad Gateway</html>"}, [502, 200], [0.2],
                     id="502 with a page, not JSON"),
    ],
)  # fmt: skip
def test_a_read_is_retried_with_growing_backoff_until_it_is_answered(
    live: LiveServer,
    control: ControlPlane,
    fault: dict[str, Any],
    seen: list[int | None],
    sleeps: list[float],
) -> None:
    control.add_fault(read_fault(**fault))
    client, waited = waiting_client(live)
    with client:
        assert client.get_task("sample-ready").state == "READY"
    assert statuses(control, "GET", TASK_PATH) == seen
    assert waited == sleeps


def test_a_token_request_is_retried(live: LiveServer, control: ControlPlane) -> None:
    control.add_fault({"match": {"method": "POST", "path": "/v3/auth/tokens"}, "status": 503,
                       "times": 2})  # fmt: skip
    client, waited = waiting_client(live)
    with client:
        client.get_task("sample-ready")
    assert statuses(control, "POST", "/v3/auth/tokens") == [503, 503, 201]
    assert waited == [0.2, 0.4]


@pytest.mark.parametrize(
    ("fault", "raised", "seen"),
    [
        pytest.param({"status": 500, "body": {"error_code": "SMS.6000",
                      "error_msg": "Service error."}}, ServerError, [500] * 4, id="5xx"),
        pytest.param({"drop": True}, requests.ConnectionError, [None] * 4, id="dropped"),
    ],
)  # fmt: skip
def test_retries_stop_after_the_policys_attempts_with_backoff_capped(
    live: LiveServer,
    control: ControlPlane,
    fault: dict[str, Any],
    raised: type[Exception],
    seen: list[int | None],
) -> None:
    control.add_fault(read_fault(times=10, **fault))
    client, waited = waiting_client(live, retry=RetryPolicy(attempts=4, backoff=0.5, max_backoff=1))
    with client, pytest.raises(raised) as caught:
        client.get_task("sample-ready")
    assert statuses(control, "GET", TASK_PATH) == seen
    assert waited == [0.5, 1.0, 1.0]  # 0.5, then doubled, then held at max_backoff
    if isinstance(caught.value, ServerError):
        assert (caught.value.status, caught.value.error_code) == (500, "SMS.6000")


@pytest.mark.parametrize(
    "fault",
    [pytest.param({"status": 503}, id="503"), pytest.param({"drop": True}, id="dropped")],
)
def test_an_action_is_never_retried(
    live: LiveServer, control: ControlPlane, sms: SmsClient, fault: dict[str, Any]
) -> None:
    action = f"{TASK_PATH}/action"
    control.add_fault({"match": {"method": "POST", "path": action}, "times": 2, **fault})
    client, waited = waiting_client(live)
    with client, pytest.raises((ServerError, requests.ConnectionError)):
        client.start_task("sample-ready")
    assert statuses(control, "POST", action) == [fault.get("status")]
    assert waited == []
    assert sms.get_task("sample-ready").state == "READY"  # the fault answered before the route


# A fault sets an answer's status and body, never a header: no fault can send Retry-After, so
# the client's reading of it is checked on a stub transport.
@pytest.mark.parametrize(
    ("retry_after", "waited"),
    [pytest.param("1", [1.0], id="honoured"), pytest.param("30", [2.0], id="capped at 2 s")],
)
def test_a_429s_retry_after_is_honoured_within_the_bound(
    retry_after: str, waited: list[float]
) -> None:
    answers = iter(
        [Answer(429, {}, {"Retry-After": retry_after}), Answer(200, {"count": 0, "tasks": []})]
    )
    session, adapter = stub_session(lambda request: next(answers))
    sleeps: list[float] = []
    client = SmsClient(
        "http://sms.test", project="p", session=session, sleep=sleeps.append, **ACCOUNT
    )
    assert client.list_tasks_page().count == 0
    assert sleeps == waited
    assert [r.method for r in adapter.requests] == ["POST", "GET", "GET"]  # login, 429, retry


def _broken(task: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    """The task as the emulator answers it, with keys changed (a None value: left out)."""
    broken = {**task, **change}
    return {key: value for key, value in broken.items() if value is not None}


@pytest.mark.parametrize(
    ("status", "change", "what", "field"),
    [
        pytest.param(200, "not JSON", "GET /v3/tasks/sample-ready", "body", id="not JSON"),
        pytest.param(200, {"id": 5}, "task", "id", id="wrong type"),
        pytest.param(200, {"name": None}, "task", "name", id="required field missing"),
        pytest.param(200, {"state": "PAUSED"}, "task", "state", id="outside its enum"),
        pytest.param(400, "<html>Bad Request</html>", "400 error", "body",
                     id="an error in no known format"),
    ],
)  # fmt: skip
def test_a_malformed_answer_is_a_contract_violation_and_not_retried(
    live: LiveServer,
    control: ControlPlane,
    sms: SmsClient,
    status: int,
    change: str | dict[str, Any],
    what: str,
    field: str,
) -> None:
    real = requests.get(
        f"{live.url}{TASK_PATH}", headers={"X-Auth-Token": sms.token()}, timeout=5
    ).json()
    body = change if isinstance(change, str) else _broken(real, change)
    control.add_fault(read_fault(status=status, body=body))
    with pytest.raises(ContractViolation) as caught:
        sms.get_task("sample-ready")
    assert (caught.value.direction, caught.value.what, caught.value.field) == (
        "response", what, field,
    )  # fmt: skip
    assert statuses(control, "GET", TASK_PATH) == [200, status]  # the real read, the broken one


def test_a_token_answer_without_its_header_is_a_contract_violation(
    live: LiveServer, control: ControlPlane
) -> None:
    login = requests.post(f"{live.url}/v3/auth/tokens", json=password_body(), timeout=5)
    # The same body, answered by a fault: everything but the X-Subject-Token header.
    control.add_fault({"match": {"path": "/v3/auth/tokens"}, "status": 201,
                       "body": login.json()})  # fmt: skip
    client, _ = waiting_client(live)
    with client, pytest.raises(ContractViolation) as caught:
        client.get_task("sample-ready")
    assert (caught.value.what, caught.value.field, caught.value.problem) == (
        "token", "X-Subject-Token", "missing header",
    )  # fmt: skip
