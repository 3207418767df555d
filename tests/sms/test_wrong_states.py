"""An operation or a delete the task's state does not allow: 400 SMS.7714 / 7713 / 7722 for
stop / start / restart, their own rows for the others (SMS.9001 where the table has none),
SMS.7719 for deleting a task that moves; and whatever a request is refused for, the task is
left exactly as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.support import lifecycle_table as table
from tests.support.accounts import domain_token, issue_token, other_user_token
from tests.support.assertions import catalogued, error_message
from tests.support.calls import JSON, act, auth, padded, post_raw
from tests.support.helpers import DAY_S, SEED_ID, advance, put_task

# --- 400 wrong state: SMS.7713 / 7714 / 7718 / 7719 / 7721 / 7722 / 9001 ----------------------


def wrong_state_message(code: str, operation: str, state: str) -> str:
    """The catalogue's message of the code, then the operation and the state refused."""
    return catalogued(code, f"The operation {operation} is not allowed in task state {state}.")


# (task, its state in the fixtures, an operation that state does not allow)
WRONG_STATES = [
    ("sample-ready", "READY", {"operation": "stop"}),
    ("sample-abort", "ABORT", {"operation": "stop"}),
    ("sample-migrate-success", "MIGRATE_SUCCESS", {"operation": "stop"}),
    ("sample-migrate-fail", "MIGRATE_FAIL", {"operation": "stop"}),
    ("sample-running", "RUNNING", {"operation": "start"}),
    (SEED_ID, "RUNNING", {"operation": "start"}),
    ("sample-ready", "READY", {"operation": "restart"}),
    ("sample-running", "RUNNING", {"operation": "restart"}),
    ("sample-migrate-success", "MIGRATE_SUCCESS", {"operation": "restart"}),
    ("sample-ready", "READY", {"operation": "test"}),
    ("sample-ready", "READY", {"operation": "cutover"}),
    ("sample-running", "RUNNING", {"operation": "test"}),
    ("sample-ready", "READY", {"operation": "clone_test", "template_id": "tpl-1"}),
    ("sample-ready", "READY", {"operation": "sync_failed_rollback"}),
    ("sample-running", "RUNNING", {"operation": "network_check"}),
    ("sample-running", "RUNNING", {"operation": "clear"}),
]


@pytest.mark.parametrize(
    ("task_id", "state", "body"),
    [
        pytest.param(*row, id=f"{row[2]['operation']}-{row[0].removeprefix('sample-')}")
        for row in WRONG_STATES
    ],
)
def test_operation_in_a_state_that_does_not_allow_it_is_refused_with_its_code(
    client: FlaskClient, token: str, task_id: str, state: str, body: dict[str, Any]
) -> None:
    operation = body["operation"]
    # The code is the lifecycle table's (README, "The lifecycle"), not the emulator's own.
    code, row = table.expected_answer(operation, state)
    assert row is None, f"{operation} is allowed in {state}: not a case for this test"
    assert client.get(f"/v3/tasks/{task_id}", headers=auth(token)).get_json()["state"] == state

    response = act(client, token, task_id, body)

    assert error_message(response, 400, code) == wrong_state_message(code, operation, state)


def cannot_delete_message(task_id: str, state: str) -> str:
    return catalogued(table.DELETE_WRONG_STATE_CODE, f"The task {task_id} is {state}.")


@pytest.mark.parametrize(
    ("doc", "how"),
    [
        pytest.param({"id": "t-busy", "state": "RUNNING"}, "delete", id="running-delete"),
        pytest.param({"id": "t-busy", "state": "SYNCING"}, "delete", id="syncing-delete"),
        pytest.param({"id": "t-busy", "state": "ABORTING"}, "delete", id="aborting-delete"),
        pytest.param({"id": "t-busy", "state": "RUNNING"}, "delete-many", id="running-many"),
        pytest.param({"id": "t-busy", "state": "SYNCING"}, "delete-many", id="syncing-many"),
        pytest.param({"id": "t-busy", "state": "ABORTING"}, "delete-many", id="aborting-many"),
    ],
)
def test_deleting_a_busy_task_is_sms_7719(
    client: FlaskClient, token: str, doc: dict[str, Any], how: str
) -> None:
    put_task(client, doc)

    if how == "delete":
        response = client.delete("/v3/tasks/t-busy", headers=auth(token))
    else:
        response = client.post(
            "/v3/tasks/delete", json={"ids": ["sample-ready", "t-busy"]}, headers=auth(token)
        )

    message = error_message(response, 400, table.DELETE_WRONG_STATE_CODE)
    assert message == cannot_delete_message("t-busy", doc["state"])
    assert client.get("/v3/tasks/t-busy", headers=auth(token)).get_json()["state"] == doc["state"]
    assert client.get("/v3/tasks/sample-ready", headers=auth(token)).status_code == 200


@pytest.mark.parametrize("task_id", ["sample-running", SEED_ID])
def test_deleting_a_fixture_running_task_is_sms_7719(
    client: FlaskClient, token: str, task_id: str
) -> None:
    response = client.delete(f"/v3/tasks/{task_id}", headers=auth(token))

    message = error_message(response, 400, table.DELETE_WRONG_STATE_CODE)
    assert message == cannot_delete_message(task_id, "RUNNING")


# --- a refused request changes nothing -------------------------------------------------------

Refusal = Callable[[FlaskClient, str], TestResponse]


def _action(task_id: str, body: Any) -> Refusal:
    return lambda client, token: act(client, token, task_id, body)


def _raw_action(task_id: str, data: bytes, content_type: str | None = JSON) -> Refusal:
    path = f"/v3/tasks/{task_id}/action"
    return lambda client, token: post_raw(client, path, data, auth(token), content_type)


def _as(make_token: Callable[[FlaskClient], str], task_id: str, body: Any) -> Refusal:
    return lambda client, token: act(client, make_token(client), task_id, body)


def _expired_then_start(client: FlaskClient, token: str) -> TestResponse:
    stale = issue_token(client)
    advance(client, DAY_S)
    return act(client, stale, "sample-ready", {"operation": "start"})


REFUSALS = [
    pytest.param("sample-ready", _action("sample-ready", {"operation": "stop"}), id="7714"),
    pytest.param("sample-running", _action("sample-running", {"operation": "start"}), id="7713"),
    pytest.param(SEED_ID, _action(SEED_ID, {"operation": "start"}), id="7713-seed"),
    pytest.param(SEED_ID, _action(SEED_ID, {"operation": "restart"}), id="7722-seed"),
    pytest.param("sample-ready", _action("sample-ready", {"operation": "test"}), id="7721"),
    pytest.param(
        "sample-migrate-success",
        _action("sample-migrate-success", {"operation": "clone_test"}),
        id="6011-no-template",
    ),
    pytest.param(
        "sample-ready",
        _action("sample-ready", {"operation": "start", "switch_hce": "true"}),
        id="6011-bad-type",
    ),
    pytest.param(
        "sample-ready",
        _action("sample-ready", {"operation": "start", "extra": 1}),
        id="6011-unknown-key",
    ),
    pytest.param(
        "sample-ready",
        _raw_action("sample-ready", padded(10_241, b'{"operation":"start","param":{"p":"', b'"}}')),
        id="6014",
    ),
    pytest.param(
        "sample-ready",
        _raw_action("sample-ready", b'{"operation":"start"}', content_type=None),
        id="6015",
    ),
    pytest.param(
        "sample-ready",
        _raw_action("sample-ready", b'{"operation":"start"}', content_type="text/plain"),
        id="6016",
    ),
    pytest.param(
        "sample-ready",
        _as(lambda c: "MII" + "Z" * 64, "sample-ready", {"operation": "start"}),
        id="0301-unknown-token",
    ),
    pytest.param("sample-ready", _expired_then_start, id="0301-expired-token"),
    pytest.param(
        "sample-ready",
        _as(domain_token, "sample-ready", {"operation": "start"}),
        id="0302",
    ),
    pytest.param(
        "sample-ready",
        _as(other_user_token, "sample-ready", {"operation": "start"}),
        id="7703-other-project",
    ),
    pytest.param(
        "sample-running",
        lambda c, t: c.delete("/v3/tasks/sample-running", headers=auth(t)),
        id="7719",
    ),
    pytest.param(
        "sample-ready",
        lambda c, t: c.post(
            "/v3/tasks/delete", json={"ids": ["sample-ready", "sample-running"]}, headers=auth(t)
        ),
        id="7719-many-all-or-nothing",
    ),
    pytest.param(
        "sample-ready",
        lambda c, t: c.post(
            "/v3/tasks/delete", json={"ids": ["sample-ready", "t-nowhere"]}, headers=auth(t)
        ),
        id="7703-many-all-or-nothing",
    ),
    pytest.param(
        "sample-ready",
        lambda c, t: c.delete("/v3/tasks/sample-ready", headers=auth(other_user_token(c))),
        id="7703-other-project-delete",
    ),
]


@pytest.mark.parametrize(("task_id", "refuse"), REFUSALS)
def test_refused_request_leaves_the_task_byte_identical(
    client: FlaskClient, token: str, task_id: str, refuse: Refusal
) -> None:
    before = client.get(f"/v3/tasks/{task_id}", headers=auth(token))
    assert before.status_code == 200

    response = refuse(client, token)

    assert 400 <= response.status_code < 500, response.get_data(as_text=True)
    # A fresh token: one refusal expires the test's own.
    after = client.get(f"/v3/tasks/{task_id}", headers=auth(issue_token(client)))
    assert after.get_data() == before.get_data()
