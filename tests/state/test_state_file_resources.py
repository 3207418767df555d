"""What a state file keeps of IAM and of a task's settings across a restart: the settings a task
was given, and temporary credentials (until they expire, on the restored clock). Lock-outs, and
their survival, are `tests/iam/test_lockout.py`'s and `test_persistence.py`'s. Flask test
client, manual clock."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.support.accounts import issue_token
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
