"""Lock-outs, as README's IAM and gateway sections state them.

- IAM locks a user out of password logins after 5 wrong passwords in a row, for 15 minutes of
  the emulator's clock; a name that is no user is counted and locked alike, with the same answer,
  so that the answers do not tell which users exist. A locked login answers Keystone's 401
  "The account is locked." whatever the password.
- The API gateway locks an AK after 5 bad signatures in a row, for 5 minutes: APIGW.0301
  "AK access failed to reach the limit,forbidden".

Each lock is its holder's alone, what was issued before it keeps working, and a reset forgets
it. Users and names that are no user share one table of LOCKOUTS_KEPT names, dropped and saved
alike: a flood of failures on other names, and a restart on a state file, leave a user's lock
and an unknown name's in the same state. Flask test client on the manual clock; the official
SDK over HTTP for the AK's lock, and real HTTP for the flood.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from flask.testing import FlaskClient
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdksms.v3 import ShowTaskRequest
from huaweicloudsdksms.v3 import SmsClient as SdkSmsClient
from werkzeug.test import TestResponse

from sms_mock.control import ControlPlane
from sms_mock.mock_server.core.errors import ApiError
from sms_mock.mock_server.emulator import Emulator
from sms_mock.mock_server.iam.lockouts import LOCKOUTS_KEPT
from sms_mock.mock_server.serving.live import LiveServer
from tests.support.accounts import (
    AK,
    OTHER_AK,
    OTHER_PROJECT_ID,
    OTHER_SK,
    PROJECT_ID,
    SK,
    USER_ID,
    password_body,
)
from tests.support.assertions import AUTH_FAILED, error_message
from tests.support.control import control_fixture  # noqa: F401 (the control fixture)
from tests.support.helpers import DAY_S, advance, on_state_file, reset, restarted
from tests.support.signed import send

TOKENS = "/v3/auth/tokens"
FAILURES = 5  # in a row, for either lock
WRONG_CREDENTIALS = "The username or password is wrong."
ACCOUNT_LOCKED = "The account is locked."
SIGNATURE_FAIL = "verify aksk signature fail"
AK_LOCKED = "AK access failed to reach the limit,forbidden"


def keystone_401(response: TestResponse, message: str) -> None:
    assert error_message(response, 401, "Unauthorized") == message


def gateway_401(response: TestResponse, reason: str) -> None:
    """A 401 APIGW.0301 whose reason starts with `reason`."""
    message = error_message(response, 401, "APIGW.0301")
    assert message.startswith(AUTH_FAILED + reason), message


Call = Callable[[FlaskClient], TestResponse]
Check = Callable[[TestResponse], None]


@dataclass(frozen=True)
class Lock:
    """One lock-out as its holder meets it."""

    holder: str
    lasts_s: float
    # One failure (a wrong password, a bad signature), and how it is answered while unlocked.
    failure: Call = field(repr=False)
    failed: Check = field(repr=False)
    # What the holder tries, how it is answered while unlocked, and (it or a failure) locked.
    attempt: Call = field(repr=False)
    served: Check = field(repr=False)
    locked: Check = field(repr=False)
    other: Call = field(repr=False)  # another holder's right credentials


def _post(body: dict[str, Any]) -> Call:
    return lambda client: client.post(TOKENS, json=body)


def _status(status: int) -> Check:
    def check(response: TestResponse) -> None:
        assert response.status_code == status, response.get_json()

    return check


def _signed(ak: str = AK, sk: str = SK, project_id: str = PROJECT_ID) -> Call:
    return lambda client: send(client, "GET", "/v3/tasks", ak=ak, sk=sk, project_id=project_id)


WRONG_PASSWORD = password_body(password="not-the-password")
NOBODY = password_body(user="nobody", password="wrong")

USER = Lock(
    holder="the default user",
    lasts_s=15 * 60,
    failure=_post(WRONG_PASSWORD),
    failed=lambda r: keystone_401(r, WRONG_CREDENTIALS),
    attempt=_post(password_body()),
    served=_status(201),
    locked=lambda r: keystone_401(r, ACCOUNT_LOCKED),
    other=_post(
        password_body(
            "other-user", "other-password", "other-domain", {"project": {"name": "eu-west-101"}}
        )
    ),
)
UNKNOWN_NAME = Lock(
    holder="a name that is no user",
    lasts_s=15 * 60,
    failure=_post(NOBODY),
    failed=lambda r: keystone_401(r, WRONG_CREDENTIALS),
    # A name that is no user has no right password: once unlocked, it is refused as before.
    attempt=_post(password_body(user="nobody", password="any")),
    served=lambda r: keystone_401(r, WRONG_CREDENTIALS),
    locked=lambda r: keystone_401(r, ACCOUNT_LOCKED),
    other=_post(password_body()),
)
ACCESS_KEY = Lock(
    holder="the default AK",
    lasts_s=5 * 60,
    failure=_signed(sk="wrong"),
    failed=lambda r: gateway_401(r, SIGNATURE_FAIL),
    attempt=_signed(),
    served=_status(200),
    locked=lambda r: gateway_401(r, AK_LOCKED),
    other=_signed(OTHER_AK, OTHER_SK, OTHER_PROJECT_ID),
)
LOCKS = [
    pytest.param(USER, id="user"),
    pytest.param(UNKNOWN_NAME, id="unknown-name"),
    pytest.param(ACCESS_KEY, id="access-key"),
]
# The locks whose holder has right credentials to succeed with.
LOCKS_WITH_A_SUCCESS = [pytest.param(USER, id="user"), pytest.param(ACCESS_KEY, id="access-key")]


def fail(client: FlaskClient, lock: Lock, times: int = FAILURES) -> None:
    for _ in range(times):
        lock.failed(lock.failure(client))


# --- every lock --------------------------------------------------------------------------------


@pytest.mark.parametrize("lock", LOCKS)
def test_failures_short_of_the_limit_do_not_lock(client: FlaskClient, lock: Lock) -> None:
    fail(client, lock, FAILURES - 1)

    lock.served(lock.attempt(client))


@pytest.mark.parametrize("lock", LOCKS)
def test_the_fifth_failure_in_a_row_locks_right_and_wrong_credentials_alike(
    client: FlaskClient, lock: Lock
) -> None:
    fail(client, lock)

    lock.locked(lock.attempt(client))
    lock.locked(lock.failure(client))


@pytest.mark.parametrize("lock", LOCKS)
def test_the_lock_lasts_its_time_on_the_emulator_clock(client: FlaskClient, lock: Lock) -> None:
    fail(client, lock)

    advance(client, lock.lasts_s - 0.001)
    lock.locked(lock.attempt(client))
    advance(client, 0.001)
    lock.served(lock.attempt(client))


@pytest.mark.parametrize("lock", LOCKS_WITH_A_SUCCESS)
def test_a_success_before_the_limit_starts_the_count_again(client: FlaskClient, lock: Lock) -> None:
    fail(client, lock, FAILURES - 1)
    lock.served(lock.attempt(client))
    fail(client, lock, FAILURES - 1)

    lock.served(lock.attempt(client))


@pytest.mark.parametrize("lock", LOCKS)
def test_a_lock_leaves_other_holders_alone(client: FlaskClient, lock: Lock) -> None:
    fail(client, lock)

    answer = lock.other(client)

    assert answer.status_code in (200, 201), answer.get_json()


@pytest.mark.parametrize("lock", LOCKS)
def test_a_token_issued_before_a_lock_keeps_working(
    client: FlaskClient, token: str, lock: Lock
) -> None:
    fail(client, lock)

    assert client.get("/v3/tasks", headers={"X-Auth-Token": token}).status_code == 200


@pytest.mark.parametrize("lock", LOCKS)
def test_a_reset_forgets_the_lock(client: FlaskClient, lock: Lock) -> None:
    fail(client, lock)

    reset(client)

    lock.served(lock.attempt(client))


# --- IAM's password lock-out -------------------------------------------------------------------


def test_an_unknown_names_lock_is_answered_as_a_users_is(client: FlaskClient) -> None:
    fail(client, USER)
    fail(client, UNKNOWN_NAME)

    user_answer, unknown_answer = USER.attempt(client), UNKNOWN_NAME.attempt(client)

    keystone_401(user_answer, ACCOUNT_LOCKED)
    assert unknown_answer.status_code == user_answer.status_code
    assert unknown_answer.get_json() == user_answer.get_json()


def test_a_users_lock_holds_for_a_login_by_user_id(client: FlaskClient) -> None:
    fail(client, USER)
    by_id = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"id": USER_ID, "password": "mock-password"}},
            },
            "scope": {"project": {"name": "cn-north-4"}},
        }
    }

    keystone_401(client.post(TOKENS, json=by_id), ACCOUNT_LOCKED)


# --- one table for every name: the same when it is full, the same across a restart -----------

# The two holders a client could compare to tell a user from a name that is no user.
PASSWORD_LOCKS = [pytest.param(USER, id="user"), pytest.param(UNKNOWN_NAME, id="unknown-name")]


def wrong_password_answers(client: FlaskClient) -> list[TestResponse]:
    """The user's and the unknown name's answers to a wrong password, in that order."""
    return [USER.failure(client), UNKNOWN_NAME.failure(client)]


def fail_in_process(emulator: Emulator, name: str) -> None:
    """One wrong password for `name`, straight through IAM (a flood in bounded time)."""
    spec = {"name": name, "password": "wrong", "domain": {"name": "mock-domain"}}
    with pytest.raises(ApiError):
        emulator.iam.check_password(spec)


def test_failures_on_10_050_other_names_leave_a_user_and_an_unknown_name_locked_alike(
    client: FlaskClient, emulator: Emulator
) -> None:
    # Before: unknown names were dropped from a 10,000-name table, users never; after 10,050
    # failures on other names the user was still locked and the unknown name was not.
    fail(client, USER)
    fail(client, UNKNOWN_NAME)
    for index in range(LOCKOUTS_KEPT + 50):
        fail_in_process(emulator, f"flood-{index}")

    user_answer, unknown_answer = wrong_password_answers(client)

    keystone_401(user_answer, ACCOUNT_LOCKED)
    keystone_401(unknown_answer, ACCOUNT_LOCKED)
    assert len(emulator.iam.lockouts) == LOCKOUTS_KEPT  # bounded all the same


def test_a_table_full_of_newer_locks_drops_a_users_lock_and_an_unknown_names_alike(
    client: FlaskClient, emulator: Emulator
) -> None:
    fail(client, USER)
    fail(client, UNKNOWN_NAME)
    for index in range(LOCKOUTS_KEPT):
        for _ in range(FAILURES):
            fail_in_process(emulator, f"locker-{index}")

    user_answer, unknown_answer = wrong_password_answers(client)

    keystone_401(user_answer, WRONG_CREDENTIALS)  # both dropped: counting afresh
    keystone_401(unknown_answer, WRONG_CREDENTIALS)
    assert len(emulator.iam.lockouts) == LOCKOUTS_KEPT


def test_over_http_a_flood_of_other_names_treats_a_user_and_an_unknown_name_alike(
    live: LiveServer,
) -> None:
    kept = 10  # a small table, so that the flood is a few hundred requests
    live.emulator.iam.lockouts.capacity = kept
    url = f"{live.url}{TOKENS}"

    def post(body: dict[str, Any]) -> requests.Response:
        return requests.post(url, json=body, timeout=5)

    def answers() -> list[tuple[int, Any]]:
        return [
            (r.status_code, r.json())
            for r in (post(WRONG_PASSWORD), post(NOBODY))  # the user's, the unknown name's
        ]

    for _ in range(FAILURES):
        post(WRONG_PASSWORD)
        post(NOBODY)
    for index in range(kept + 5):  # a failure on each of more names than the table holds
        post(password_body(user=f"flood-{index}", password="wrong"))
    locked = answers()
    for index in range(kept):  # then as many locks of other names as it holds
        for _ in range(FAILURES):
            post(password_body(user=f"locker-{index}", password="wrong"))
    dropped = answers()

    assert [message for _, message in _messages(locked)] == [ACCOUNT_LOCKED] * 2
    assert [message for _, message in _messages(dropped)] == [WRONG_CREDENTIALS] * 2
    assert locked[0] == locked[1] and dropped[0] == dropped[1]


def _messages(answers: list[tuple[int, Any]]) -> list[tuple[int, str]]:
    return [(status, body["error"]["message"]) for status, body in answers]


@pytest.mark.parametrize("lock", PASSWORD_LOCKS)
def test_a_lock_survives_a_restart_on_the_state_file_and_ends_on_time(
    tmp_path: Path, lock: Lock
) -> None:
    # Before: only users' lock-outs were saved; an unknown name's was gone after a restart.
    client = on_state_file(tmp_path / "state.db")
    fail(client, lock)

    again = restarted(client)

    lock.locked(lock.attempt(again))
    advance(again, lock.lasts_s)
    lock.served(lock.attempt(again))


@pytest.mark.parametrize("lock", PASSWORD_LOCKS)
def test_failures_short_of_a_lock_survive_a_restart(tmp_path: Path, lock: Lock) -> None:
    client = on_state_file(tmp_path / "state.db")
    fail(client, lock, FAILURES - 1)

    again = restarted(client)

    lock.failed(lock.failure(again))
    lock.locked(lock.attempt(again))


def test_a_failure_writes_one_row_for_its_name_a_users_or_not(tmp_path: Path) -> None:
    # What a save costs does not tell a user from a name that is no user: one row each.
    db = tmp_path / "state.db"
    client = on_state_file(db)
    fail(client, USER, 1)
    fail(client, UNKNOWN_NAME, FAILURES)
    client.application.extensions["sms_mock"].close()

    with closing(sqlite3.connect(db)) as connection:
        rows = connection.execute("SELECT key, failures, locked_until > 0 FROM lockouts").fetchall()

    assert sorted((failures, locked) for _, failures, locked in rows) == [(0, 1), (1, 0)]
    assert {key for key, _, _ in rows} >= {USER_ID}


def test_a_state_file_with_users_lock_outs_in_its_meta_table_keeps_them(tmp_path: Path) -> None:
    # Files before this version kept users' lock-outs whole in meta: moved to rows at open.
    db = tmp_path / "state.db"
    client = on_state_file(db)
    client.application.extensions["sms_mock"].close()
    with closing(sqlite3.connect(db)) as connection, connection:
        row = connection.execute("SELECT value FROM meta WHERE key = 'clock'").fetchone()
        now = json.loads(row[0])["now_ms"]
        old = {"failures": {}, "locked_until": {USER_ID: now + 60_000}, "ak_failures": {}}
        connection.execute("UPDATE meta SET value = ? WHERE key = 'lockouts'", (json.dumps(old),))

    again = on_state_file(db)

    USER.locked(USER.attempt(again))
    advance(again, 60)
    USER.served(USER.attempt(again))


# --- the gateway's AK lock-out -----------------------------------------------------------------


def test_a_dropped_credentials_signature_failures_go_with_it(emulator: Emulator) -> None:
    # Any user could loop "a credential, one bad signature": the counters outlived the AKs.
    iam = emulator.iam
    user = iam.account.users[USER_ID]
    for _ in range(30):
        access = iam.issue_credential(user, 900).access
        iam.signature_failed(access)
        emulator.clock.advance(3 * DAY_S)
    held = {c.access for c in iam.credentials}
    lockouts = iam.export()["lockouts"]
    assert set(lockouts["ak_failures"]) <= held and len(held) <= 2
    assert set(lockouts["ak_locked_until"]) <= held


def test_the_sdk_meets_the_ak_lock_over_http_for_five_minutes(
    live: LiveServer, control: ControlPlane
) -> None:
    def sdk(sk: str) -> SdkSmsClient:
        credentials = BasicCredentials(AK, sk, PROJECT_ID)
        return (
            SdkSmsClient.new_builder().with_credentials(credentials).with_endpoint(live.url).build()
        )

    def refused(client: SdkSmsClient, reason: str) -> None:
        with pytest.raises(ClientRequestException) as caught:
            client.show_task(ShowTaskRequest(task_id="sample-ready"))
        assert (caught.value.status_code, caught.value.error_code) == (401, "APIGW.0301")
        assert caught.value.error_msg.startswith(AUTH_FAILED + reason)

    for _ in range(FAILURES):
        refused(sdk("wrong"), SIGNATURE_FAIL)
    refused(sdk(SK), AK_LOCKED)
    control.advance(300)

    assert sdk(SK).show_task(ShowTaskRequest(task_id="sample-ready")).id == "sample-ready"
