"""Lock-outs, as README's IAM and gateway sections state them.

- IAM locks a user out of password logins after 5 wrong passwords in a row, for 15 minutes of
  the emulator's clock; a name that is no user is counted and locked alike, with the same answer,
  so that the answers do not tell which users exist. A locked login answers Keystone's 401
  "The account is locked." whatever the password.
- The API gateway locks an AK after 5 bad signatures in a row, for 5 minutes: APIGW.0301
  "AK access failed to reach the limit,forbidden".

Each lock is its holder's alone, what was issued before it keeps working, and a reset forgets
it. Flask test client on the manual clock; the official SDK over HTTP for the AK's lock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask.testing import FlaskClient
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdksms.v3 import ShowTaskRequest
from huaweicloudsdksms.v3 import SmsClient as SdkSmsClient
from werkzeug.test import TestResponse

from sms_mock.control import ControlPlane
from sms_mock.mock_server.emulator import Emulator
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
from tests.support.helpers import DAY_S, advance, reset
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
