"""How many tokens IAM keeps, as README's IAM section states it.

A user holds at most TOKENS_PER_USER tokens: the next one issued drops its oldest, which from
then on is unknown (validation answers Keystone's 404, the gateway `APIGW.0301 ... decrypt token
fail`), as a token IAM revoked; the newest work. All users together hold at most TOKENS_KEPT,
the oldest of all going first. So memory and the state file stay bounded however many tokens
are asked for, on a manual clock too, where none ever expires.

Real HTTP for the limit itself; the Flask test client and smaller limits for the state file and
the total.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import requests
from flask.testing import FlaskClient

from sms_mock.mock_server.emulator import Emulator
from sms_mock.mock_server.iam.token_book import TOKENS_PER_USER
from sms_mock.mock_server.serving.live import LiveServer
from tests.support.accounts import issue_token, other_user_token, password_body
from tests.support.assertions import AUTH_FAILED, error_body, error_message
from tests.support.helpers import on_state_file, restarted

TOKENS = "/v3/auth/tokens"


def test_over_http_the_token_past_a_users_limit_drops_its_oldest(live: LiveServer) -> None:
    http = requests.Session()
    url = f"{live.url}{TOKENS}"

    def login() -> str:
        response = http.post(url, json=password_body(), timeout=5)
        assert response.status_code == 201, response.text
        return response.headers["X-Subject-Token"]

    issued = [login() for _ in range(TOKENS_PER_USER + 1)]
    oldest, second, newest = issued[0], issued[1], issued[-1]

    def validate(subject: str) -> requests.Response:
        headers = {"X-Auth-Token": newest, "X-Subject-Token": subject}
        return http.get(url, headers=headers, timeout=5)

    def list_tasks(token: str) -> requests.Response:
        return http.get(f"{live.url}/v3/tasks", headers={"X-Auth-Token": token}, timeout=5)

    error_body(validate(oldest), 404, "Not Found")
    refused = error_message(list_tasks(oldest), 401, "APIGW.0301")
    assert refused == AUTH_FAILED + "decrypt token fail"
    assert validate(second).status_code == 200  # only the oldest went
    assert validate(newest).status_code == 200
    assert list_tasks(newest).status_code == 200
    assert len(live.emulator.iam.tokens) == TOKENS_PER_USER
    http.close()


def test_a_users_limit_leaves_other_users_tokens_alone(
    client: FlaskClient, emulator: Emulator
) -> None:
    emulator.iam.tokens.per_user = 3
    theirs = other_user_token(client)
    for _ in range(5):
        issue_token(client)

    answer = client.get("/v3/tasks", headers={"X-Auth-Token": theirs})

    assert answer.status_code == 200, answer.get_json()
    assert len(emulator.iam.tokens) == 3 + 1


def test_tokens_past_the_total_drop_the_oldest_of_all(
    client: FlaskClient, emulator: Emulator
) -> None:
    emulator.iam.tokens.total = 4
    first = other_user_token(client)
    mine = [issue_token(client) for _ in range(4)]

    assert client.get("/v3/tasks", headers={"X-Auth-Token": first}).status_code == 401
    assert all(
        client.get("/v3/tasks", headers={"X-Auth-Token": t}).status_code == 200 for t in mine
    )
    assert len(emulator.iam.tokens) == 4


def test_memory_stays_bounded_on_a_clock_that_stands_still(emulator: Emulator) -> None:
    # Nothing ever expires on a manual clock: before, every token was kept for ever.
    iam = emulator.iam
    user = next(u for u in iam.account.users.values() if u.name == "mock-user")
    for _ in range(3 * TOKENS_PER_USER):
        iam.issue(user, ["password"], None, None)

    assert len(iam.tokens) == TOKENS_PER_USER
    # The book's expiry heap too: the rows of dropped tokens do not pile up.
    assert len(iam.tokens._book._heap) <= 2 * TOKENS_PER_USER + 64


def test_the_state_file_keeps_only_the_tokens_held(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    client = on_state_file(db)
    emulator: Emulator = client.application.extensions["sms_mock"]
    emulator.iam.tokens.per_user = 5
    issued = [issue_token(client) for _ in range(8)]

    again = restarted(client)

    with closing(sqlite3.connect(db)) as connection:
        rows = {token_id for (token_id,) in connection.execute("SELECT id FROM tokens")}
    assert rows == set(issued[3:])
    assert again.get("/v3/tasks", headers={"X-Auth-Token": issued[2]}).status_code == 401
    assert again.get("/v3/tasks", headers={"X-Auth-Token": issued[-1]}).status_code == 200
