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

from tests.support.accounts import domain_token, issue_token, other_user_token
from tests.support.assertions import error_body, error_message
from tests.support.calls import JSON, act, auth, padded, post_raw
from tests.support.helpers import DAY_S, SEED_ID, advance, put_task

# --- 400 wrong state: SMS.7713 / 7714 / 7718 / 7719 / 7721 / 7722 / 9001 ----------------------


WRONG_STATES = [
    ("sample-ready", {"operation": "stop"}, "SMS.7714", "Only running tasks"),
    ("sample-abort", {"operation": "stop"}, "SMS.7714", "Only running tasks"),
    ("sample-migrate-success", {"operation": "stop"}, "SMS.7714", "Only running tasks"),
    ("sample-migrate-fail", {"operation": "stop"}, "SMS.7714", "Only running tasks"),
    ("sample-running", {"operation": "start"}, "SMS.7713", "Only tasks in the Ready"),
    (SEED_ID, {"operation": "start"}, "SMS.7713", "Only tasks in the Ready"),
    ("sample-ready", {"operation": "restart"}, "SMS.7722", "Only tasks where the"),
    ("sample-running", {"operation": "restart"}, "SMS.7722", "Only tasks where the"),
    ("sample-migrate-success", {"operation": "restart"}, "SMS.7722", "Only tasks where the"),
    ("sample-ready", {"operation": "test"}, "SMS.7721", "test"),
    ("sample-ready", {"operation": "cutover"}, "SMS.7721", "cutover"),
    ("sample-running", {"operation": "test"}, "SMS.7721", "test"),
    ("sample-ready", {"operation": "clone_test", "template_id": "tpl-1"}, "SMS.7721", "clone"),
    ("sample-ready", {"operation": "sync_failed_rollback"}, "SMS.7718", "sync_failed"),
    ("sample-running", {"operation": "network_check"}, "SMS.9001", "network_check"),
    ("sample-running", {"operation": "clear"}, "SMS.9001", "clear"),
]


@pytest.mark.parametrize(
    ("task_id", "body", "code", "message"),
    [
        pytest.param(*row, id=f"{row[2]}-{row[1]['operation']}-{row[0].removeprefix('sample-')}")
        for row in WRONG_STATES
    ],
)
def test_operation_in_a_state_that_does_not_allow_it_is_refused_with_its_code(
    client: FlaskClient, token: str, task_id: str, body: dict[str, Any], code: str, message: str
) -> None:
    response = act(client, token, task_id, body)

    assert message in error_message(response, 400, code)


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
def test_deleting_a_busy_task_is_sms_2015(
    client: FlaskClient, token: str, doc: dict[str, Any], how: str
) -> None:
    put_task(client, doc)

    if how == "delete":
        response = client.delete("/v3/tasks/t-busy", headers=auth(token))
    else:
        response = client.post(
            "/v3/tasks/delete", json={"ids": ["sample-ready", "t-busy"]}, headers=auth(token)
        )

    assert "t-busy" in error_message(response, 400, "SMS.7719")
    assert client.get("/v3/tasks/t-busy", headers=auth(token)).get_json()["state"] == doc["state"]


@pytest.mark.parametrize("task_id", ["sample-running", SEED_ID])
def test_deleting_a_fixture_running_task_is_sms_2015(
    client: FlaskClient, token: str, task_id: str
) -> None:
    error_body(client.delete(f"/v3/tasks/{task_id}", headers=auth(token)), 400, "SMS.7719")


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
    pytest.param("sample-ready", _action("sample-ready", {"operation": "stop"}), id="1038"),
    pytest.param("sample-running", _action("sample-running", {"operation": "start"}), id="1039"),
    pytest.param(SEED_ID, _action(SEED_ID, {"operation": "start"}), id="1039-seed"),
    pytest.param(SEED_ID, _action(SEED_ID, {"operation": "restart"}), id="1040-seed"),
    pytest.param("sample-ready", _action("sample-ready", {"operation": "test"}), id="7721"),
    pytest.param(
        "sample-migrate-success",
        _action("sample-migrate-success", {"operation": "clone_test"}),
        id="6013-no-template",
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
        id="2004",
    ),
    pytest.param(
        "sample-ready",
        _raw_action("sample-ready", b'{"operation":"start"}', content_type=None),
        id="2005",
    ),
    pytest.param(
        "sample-ready",
        _raw_action("sample-ready", b'{"operation":"start"}', content_type="text/plain"),
        id="2006",
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
        id="9001-other-project",
    ),
    pytest.param(
        "sample-running",
        lambda c, t: c.delete("/v3/tasks/sample-running", headers=auth(t)),
        id="2015",
    ),
    pytest.param(
        "sample-ready",
        lambda c, t: c.post(
            "/v3/tasks/delete", json={"ids": ["sample-ready", "sample-running"]}, headers=auth(t)
        ),
        id="2015-many-all-or-nothing",
    ),
    pytest.param(
        "sample-ready",
        lambda c, t: c.post(
            "/v3/tasks/delete", json={"ids": ["sample-ready", "t-nowhere"]}, headers=auth(t)
        ),
        id="9001-many-all-or-nothing",
    ),
    pytest.param(
        "sample-ready",
        lambda c, t: c.delete("/v3/tasks/sample-ready", headers=auth(other_user_token(c))),
        id="9001-other-project-delete",
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
