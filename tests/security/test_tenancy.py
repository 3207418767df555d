"""Tenancy: a project's tasks exist only for that project's tokens, through every route."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.support.accounts import issue_token, other_user_token, password_body
from tests.support.assertions import error_body, error_message
from tests.support.helpers import DAY_S, Sms, advance

OUTSIDERS = {
    "same account, other project": lambda c: issue_token(
        c, password_body(scope={"project": {"name": "ap-southeast-3"}})
    ),
    "other account": other_user_token,
}

ROUTES = {
    "show": lambda s, t: s.show(t),
    "start": lambda s, t: s.act(t, "start"),
    "stop": lambda s, t: s.act(t, "stop"),
    "network_check": lambda s, t: s.act(t, "network_check"),
    "delete": lambda s, t: s.delete(t),
    "delete-many": lambda s, t: s.delete_many([t]),
}


@pytest.mark.parametrize("outsider", OUTSIDERS)
@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("task_id", ["sample-ready", "sample-running"])
def test_an_outsider_gets_404_on_every_task_route_and_changes_nothing(
    client: FlaskClient, sms: Sms, outsider: str, route: str, task_id: str
) -> None:
    before = sms.show(task_id).data
    stranger = Sms(client, OUTSIDERS[outsider](client))
    response: TestResponse = ROUTES[route](stranger, task_id)
    error_body(response, 404, "SMS.7703")
    assert sms.show(task_id).data == before


@pytest.mark.parametrize("outsider", OUTSIDERS)
@pytest.mark.parametrize(
    "query",
    [{}, {"id": "sample-ready"}, {"name": "ready-web-01"}, {"state": "READY"},
     {"source_server_id": "src-sample-ready"}],
)  # fmt: skip
def test_an_outsider_lists_none_of_the_tasks_whatever_the_filter(
    client: FlaskClient, outsider: str, query: dict[str, str]
) -> None:
    stranger = Sms(client, OUTSIDERS[outsider](client))
    assert stranger.list(**query).get_json() == {"count": 0, "tasks": []}


def test_delete_many_mixing_own_and_foreign_ids_deletes_nothing(
    client: FlaskClient, sms: Sms
) -> None:
    neighbour = Sms(client, OUTSIDERS["same account, other project"](client))
    response = neighbour.delete_many(["sample-ready"])
    assert response.status_code == 404
    response = sms.delete_many(["sample-abort", "theirs"])
    error_body(response, 404, "SMS.7703")
    assert sms.show("sample-abort").status_code == 200


@pytest.mark.parametrize(
    "scope", [{"domain": {"name": "mock-domain"}}, None], ids=["domain-scoped", "unscoped"]
)
def test_a_token_without_a_project_cannot_use_sms(client: FlaskClient, scope: dict | None) -> None:
    body = password_body(scope=scope or {})
    if scope is None:
        del body["auth"]["scope"]
    stranger = Sms(client, issue_token(client, body))
    for response in (stranger.show("sample-ready"), stranger.list(), stranger.act("x", "start")):
        error_body(response, 403, "APIGW.0302")


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        ("", "x-auth-token not found"),
        ("MIInot-a-token", "decrypt token fail"),
        ("x" * 5000, "decrypt token fail"),
    ],
)
def test_unknown_and_malformed_tokens_get_apigw_0301(
    client: FlaskClient, token: str, reason: str
) -> None:
    response = Sms(client, token).show("sample-ready")
    assert error_message(response, 401, "APIGW.0301").endswith(reason)


def test_an_expired_token_gets_apigw_0301(client: FlaskClient, sms: Sms) -> None:
    advance(client, DAY_S)
    response = sms.show("sample-ready")
    assert "token expires" in error_message(response, 401, "APIGW.0301")


def test_tokens_are_random_and_not_made_from_user_data(client: FlaskClient) -> None:
    tokens = {issue_token(client) for _ in range(50)}
    assert len(tokens) == 50
    for token in tokens:
        for secret in (
            "mock-user",
            "mock-password",
            "mock-domain",
            "4c66936102f182adc4f5f7a832370527",
        ):
            assert secret not in token
    # No shared body beyond the fixed "MII" prefix, as a derived token would have.
    assert len({token[3:11] for token in tokens}) == 50
