"""A task id in a path: outside `[A-Za-z0-9_-]{1,36}` it is 400 SMS.9001 naming `task_id`;
within the rule, an absent task and another project's task are alike 404 SMS.7703, naming the id
(README, "The default account").
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from sms_mock.mock_server.emulator import Emulator
from tests.support.accounts import other_user_token, project_token
from tests.support.assertions import (
    catalogued,
    changes_nothing,
    error_body,
    error_fields,
    error_message,
)
from tests.support.calls import TASK_ROUTES, Call, auth, on_task, send
from tests.support.helpers import SEED_EXAMPLE, SEED_ID, put_task

# --- 400 SMS.9001 and 404 SMS.7703: task ids -------------------------------------------------


@pytest.mark.parametrize("route", TASK_ROUTES)
@pytest.mark.parametrize(
    "task_id",
    [
        pytest.param("a" * 37, id="37-chars"),
        pytest.param(SEED_ID + "abc", id="seed-plus-3"),
        pytest.param("a.b", id="dot"),
        pytest.param("a%20b", id="space"),
        pytest.param("a~b", id="tilde"),
        pytest.param("a@b", id="at"),
        pytest.param("a+b", id="plus"),
        pytest.param("a%00b", id="nul"),
        pytest.param("caf%C3%A9", id="non-ascii"),
        pytest.param("..", id="dot-dot"),
    ],
)
def test_task_id_outside_the_rule_is_sms_9001_naming_it_and_changes_nothing(
    client: FlaskClient, emulator: Emulator, token: str, task_id: str, route: Call
) -> None:
    with changes_nothing(emulator):
        response = send(client, on_task(route, task_id), auth(token))

    assert error_fields(response, 400, "SMS.9001") == ["task_id"]


@pytest.mark.parametrize("route", TASK_ROUTES)
@pytest.mark.parametrize(
    "task_id",
    [
        pytest.param("sample-ready%0A", id="trailing-newline"),
        pytest.param("a" * 36 + "%0A", id="37"),
    ],
)
def test_task_id_with_a_trailing_newline_is_sms_9001_naming_it(
    client: FlaskClient, token: str, task_id: str, route: Call
) -> None:
    response = send(client, on_task(route, task_id), auth(token))

    assert error_fields(response, 400, "SMS.9001") == ["task_id"]


@pytest.mark.parametrize("route", TASK_ROUTES)
@pytest.mark.parametrize(
    "task_id",
    [
        pytest.param("x", id="1-char"),
        pytest.param("A_b-9", id="all-classes"),
        pytest.param("f" * 36, id="36-chars"),
        pytest.param("0" * 32, id="hex-32"),
        pytest.param(SEED_ID[:-1] + "y", id="34-chars-like-the-seed"),
    ],
)
def test_absent_task_within_the_id_rule_is_sms_7703_naming_it(
    client: FlaskClient, token: str, task_id: str, route: Call
) -> None:
    response = send(client, on_task(route, task_id), auth(token))

    expected = catalogued("SMS.7703", f"No task {task_id} in this project.")
    assert error_message(response, 404, "SMS.7703") == expected


def test_seed_task_with_its_34_character_id_is_found(client: FlaskClient, token: str) -> None:
    response = client.get(f"/v3/tasks/{SEED_ID}", headers=auth(token))

    assert response.status_code == 200
    assert len(SEED_ID) == 34
    assert response.get_json()["id"] == SEED_EXAMPLE["id"] == SEED_ID


# --- another project's task: 404 SMS.7703, as if absent -------------------------------------


@pytest.mark.parametrize(
    ("project", "owner_token"),
    [
        pytest.param("eu-west-101", other_user_token, id="other-domain"),
        pytest.param(
            "ap-southeast-3",
            lambda client: project_token(client, "ap-southeast-3"),
            id="same-domain-other-project",
        ),
    ],
)
@pytest.mark.parametrize("route", TASK_ROUTES)
def test_another_projects_task_is_sms_7703_as_if_absent(
    client: FlaskClient,
    token: str,
    route: Call,
    project: str,
    owner_token: Callable[[FlaskClient], str],
) -> None:
    put_task(client, {"id": "t-elsewhere", "state": "READY"}, project=project)

    elsewhere = send(client, on_task(route, "t-elsewhere"), auth(token))
    absent = send(client, on_task(route, "t-nowhere"), auth(token))

    # Word for word what an absent task gets: nothing tells that the task exists elsewhere.
    message = error_message(elsewhere, 404, "SMS.7703")
    assert message == catalogued("SMS.7703", "No task t-elsewhere in this project.")
    assert error_message(absent, 404, "SMS.7703") == message.replace("t-elsewhere", "t-nowhere")
    owner = client.get("/v3/tasks/t-elsewhere", headers=auth(owner_token(client)))
    assert owner.status_code == 200
    assert owner.get_json()["state"] == "READY"


def test_another_domains_user_cannot_see_a_default_task(client: FlaskClient) -> None:
    response = client.get("/v3/tasks/sample-ready", headers=auth(other_user_token(client)))

    error_body(response, 404, "SMS.7703")


def test_another_projects_task_is_not_listed(client: FlaskClient, token: str) -> None:
    put_task(client, {"id": "t-elsewhere", "state": "READY"}, project="ap-southeast-3")

    response = client.get("/v3/tasks", query_string={"id": "t-elsewhere"}, headers=auth(token))

    assert response.get_json() == {"count": 0, "tasks": []}
