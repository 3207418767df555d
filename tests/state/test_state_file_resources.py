"""What a state file keeps of IAM and of a task's settings across a restart, and what it keeps
out: the settings a task was given, temporary credentials (until they expire, on the restored
clock), and no failures of names that are no user (the lock-outs themselves, and their survival,
are `tests/iam/test_lockout.py`'s and `test_persistence.py`'s). Flask test client, manual clock."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.support.accounts import USER_ID, issue_token, password_body
from tests.support.assertions import AUTH_FAILED, error_message
from tests.support.helpers import advance, on_state_file, restarted
from tests.support.signed import send

CREDENTIALS = "/v3.0/OS-CREDENTIAL/securitytokens"
TOKENS = "/v3/auth/tokens"
ALL_DAY = {"start": "00:00", "end": "00:00"}


def test_a_tasks_speed_limits_survive_a_restart(tmp_path: Path) -> None:
    client = on_state_file(tmp_path / "state.db")
    headers = {"X-Auth-Token": issue_token(client)}
    path = "/v3/tasks/sample-ready/speed-limit"
    set_ = client.post(path, json={"speed_limit": [{**ALL_DAY, "speed": 10}]}, headers=headers)
    assert set_.status_code == 200, set_.get_json()

    again = restarted(client)

    assert again.get(path, headers=headers).get_json()["speed_limit"][0]["speed"] == 10


def temporary_credential(client: FlaskClient, duration_seconds: int) -> dict[str, Any]:
    body = {
        "auth": {
            "identity": {"methods": ["token"], "token": {"duration_seconds": duration_seconds}}
        }
    }
    answer = client.post(CREDENTIALS, json=body, headers={"X-Auth-Token": issue_token(client)})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["credential"]


def list_tasks_signed_with(client: FlaskClient, credential: dict[str, Any]) -> TestResponse:
    return send(
        client,
        "GET",
        "/v3/tasks",
        ak=credential["access"],
        sk=credential["secret"],
        security_token=credential["securitytoken"],
    )


def test_temporary_credentials_survive_a_restart_until_they_expire(tmp_path: Path) -> None:
    first = on_state_file(tmp_path / "state.db")
    issued = temporary_credential(first, 3600)
    assert list_tasks_signed_with(first, issued).status_code == 200

    again = restarted(first)

    response = list_tasks_signed_with(again, issued)
    assert response.status_code == 200, response.get_json()
    advance(again, 3600)
    message = error_message(list_tasks_signed_with(again, issued), 401, "APIGW.0301")
    assert message.startswith(AUTH_FAILED) and "expires" in message


def test_failures_of_names_that_are_no_user_stay_out_of_the_state_file(tmp_path: Path) -> None:
    # Anyone may add them without a credential: every failure rewrote up to 10,000 of them.
    db = tmp_path / "state.db"
    client = on_state_file(db)
    for index in range(3):
        assert client.post(TOKENS, json=password_body(user=f"nobody-{index}")).status_code == 401
    assert client.post(TOKENS, json=password_body(password="wrong")).status_code == 401
    emulator = client.application.extensions["sms_mock"]
    in_memory = emulator.iam.export()["lockouts"]["failures"]
    assert len(in_memory) == 4  # the lock-outs themselves count them all, in memory
    emulator.close()
    with closing(sqlite3.connect(db)) as connection:
        row = connection.execute("SELECT value FROM meta WHERE key = 'lockouts'").fetchone()
    assert json.loads(row[0])["failures"] == {USER_ID: 1}
