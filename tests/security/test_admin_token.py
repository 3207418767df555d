"""The admin token cannot be guessed at speed, and the dashboard's cookie is not the token.

After 5 wrong tokens from one client address, that address waits 1 s, doubled at each further
wrong token up to 60 s; a token it sends while it waits is refused unread (429 MOCK.0429 with
`Retry-After`), the right one too, so that a guess cannot be confirmed. The waits run on a clock
the tests hold (the limiter's `now`), so that nothing here depends on how fast the machine is.

The cookie the dashboard's sign-in sets holds an expiry and an HMAC of it and the token under a
secret of the process: never the token, it expires after 8 hours, and another process (a
restart) does not take it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from http.cookies import SimpleCookie

import pytest
import requests
from flask import Flask

from sms_mock.control import ControlError, ControlPlane
from sms_mock.mock_server import Config, create_app
from sms_mock.mock_server.gateway.admin import EXTENSION_KEY, AdminGate
from sms_mock.mock_server.gateway.guess_limit import GuessLimiter
from sms_mock.mock_server.serving.live import LiveServer
from tests.support.assertions import error_body

ADMIN = "s3cret-admin-token"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class HeldClock:
    """Monotonic seconds that move only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> HeldClock:
    return HeldClock()


@pytest.fixture
def guarded(clock: HeldClock) -> Iterator[LiveServer]:
    app = create_app(Config(clock="manual", admin_token=ADMIN))
    gate(app).limiter.now = clock
    with LiveServer(app=app) as server:
        yield server


def gate(app: Flask) -> AdminGate:
    return app.extensions[EXTENSION_KEY]


def reset(server: LiveServer, token: str) -> requests.Response:
    headers = {"X-Mock-Admin-Token": token, "Content-Type": "application/json"}
    return requests.post(f"{server.url}/_mock/reset", headers=headers, timeout=5)


# --- M6: guesses ---------------------------------------------------------------------------------


def test_after_five_wrong_tokens_even_the_right_one_waits(
    guarded: LiveServer, clock: HeldClock
) -> None:
    for guess in range(6):
        error_body(reset(guarded, f"guess-{guess}"), 401, "MOCK.0401")
    # The sixth wrong token started a 1 s wait: the right token is not read during it.
    waiting = reset(guarded, ADMIN)
    assert "Wait 1 s." in error_body(waiting, 429, "MOCK.0429")["error_msg"]
    assert waiting.headers["Retry-After"] == "1"
    # The dashboard's sign-in counts against the same limit.
    page = requests.post(
        f"{guarded.url}/_mock/ui/login",
        data={"token": ADMIN},
        headers={"Origin": guarded.url},
        allow_redirects=False,
        timeout=5,
    )
    assert (page.status_code, page.headers["Retry-After"]) == (429, "1")
    assert "Set-Cookie" not in page.headers
    clock.now += 1
    assert reset(guarded, ADMIN).status_code == 200
    # The right token forgot the address: five wrong ones are free again.
    for guess in range(5):
        error_body(reset(guarded, f"again-{guess}"), 401, "MOCK.0401")
    assert reset(guarded, ADMIN).status_code == 200


def test_each_further_wrong_token_doubles_the_wait_up_to_a_minute(
    guarded: LiveServer, clock: HeldClock
) -> None:
    waits = []
    for guess in range(14):
        answer = reset(guarded, f"guess-{guess}")
        if answer.status_code == 429:
            waits.append(int(answer.headers["Retry-After"]))
            clock.now += waits[-1]  # the attacker waits exactly as long as told, then guesses
            answer = reset(guarded, f"guess-{guess}")
        error_body(answer, 401, "MOCK.0401")
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60]


def test_a_request_with_no_token_is_not_a_guess(guarded: LiveServer) -> None:
    # A page or a client that has not signed in yet never makes its address wait.
    for _ in range(20):
        refused = requests.get(f"{guarded.url}/_mock/clock", timeout=5)
        error_body(refused, 401, "MOCK.0401")
        assert requests.get(f"{guarded.url}/_mock/ui", timeout=5).status_code == 401
    assert reset(guarded, ADMIN).status_code == 200


def test_the_control_plane_client_reports_the_wait(guarded: LiveServer) -> None:
    with ControlPlane(guarded.url, admin_token="wrong") as plane:
        for _ in range(6):
            with pytest.raises(ControlError) as refused:
                plane.health()
            assert refused.value.code == "MOCK.0401"
        with pytest.raises(ControlError) as waiting:
            plane.health()
    assert (waiting.value.status, waiting.value.code) == (429, "MOCK.0429")


def test_the_table_of_addresses_is_bounded(clock: HeldClock) -> None:
    limiter = GuessLimiter(now=clock, kept=3)
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"):
        for _ in range(6):
            limiter.wrong(address)
    assert limiter.wait_s("10.0.0.1") == 0  # the oldest forgotten
    assert [limiter.wait_s(f"10.0.0.{n}") for n in (2, 3, 4)] == [1, 1, 1]


# --- L9: the dashboard's cookie -----------------------------------------------------------------


def sign_in(server: LiveServer) -> requests.Session:
    session = requests.Session()
    answer = session.post(
        f"{server.url}/_mock/ui/login",
        data={"token": ADMIN},
        headers={"Origin": server.url},
        allow_redirects=False,
        timeout=5,
    )
    assert answer.status_code == 303, answer.text
    return session


def test_the_cookie_is_derived_from_the_token_and_expires_within_a_day(
    guarded: LiveServer,
) -> None:
    session = sign_in(guarded)
    [set_cookie] = [v for k, v in session.cookies.items() if k == "sms_mock_admin"]
    assert ADMIN not in set_cookie
    morsel = SimpleCookie(
        requests.post(
            f"{guarded.url}/_mock/ui/login",
            data={"token": ADMIN},
            headers={"Origin": guarded.url},
            allow_redirects=False,
            timeout=5,
        ).headers["Set-Cookie"]
    )["sms_mock_admin"]
    assert 0 < int(morsel["max-age"]) <= 8 * 3600
    assert morsel["path"] == "/_mock" and morsel["httponly"] and morsel["samesite"] == "Strict"
    assert session.get(f"{guarded.url}/_mock/ui", timeout=5).status_code == 200
    # The token cannot be read back from the cookie, nor used as one.
    raw = requests.get(f"{guarded.url}/_mock/ui", cookies={"sms_mock_admin": ADMIN}, timeout=5)
    assert raw.status_code == 401


def test_the_cookie_opens_nothing_once_expired(guarded: LiveServer) -> None:
    session = sign_in(guarded)
    dashboard_gate = gate(guarded.app)
    dashboard_gate.wall = lambda: time.time() + 8 * 3600 + 1
    assert session.get(f"{guarded.url}/_mock/ui", timeout=5).status_code == 401
    parts = session.get(f"{guarded.url}/_mock/ui/parts/overview", timeout=5)
    error_body(parts, 401, "MOCK.0401")


def test_another_process_does_not_take_the_cookie(guarded: LiveServer) -> None:
    session = sign_in(guarded)
    with LiveServer(Config(clock="manual", admin_token=ADMIN)) as restarted:
        # The same token, another process: its secret differs, so the cookie is not its.
        page = requests.get(f"{restarted.url}/_mock/ui", cookies=session.cookies, timeout=5)
        assert page.status_code == 401


def test_a_cross_site_form_cannot_sign_the_dashboard_out(guarded: LiveServer) -> None:
    session = sign_in(guarded)
    forged = session.post(
        f"{guarded.url}/_mock/ui/logout",
        headers={**FORM, "Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"},
        allow_redirects=False,
        timeout=5,
    )
    error_body(forged, 403, "MOCK.0403")
    assert "Set-Cookie" not in forged.headers
    assert session.get(f"{guarded.url}/_mock/ui", timeout=5).status_code == 200
    own = session.post(
        f"{guarded.url}/_mock/ui/logout",
        headers={**FORM, "Origin": guarded.url, "Sec-Fetch-Site": "same-origin"},
        allow_redirects=False,
        timeout=5,
    )
    assert own.status_code == 303
    assert session.get(f"{guarded.url}/_mock/ui", timeout=5).status_code == 401


@pytest.mark.parametrize(
    "value", ["9" * 5000 + ".00", "1.zz", "", "x", f"{2**40}.{'0' * 64}", "..", "-1.00"]
)
def test_a_forged_cookie_opens_nothing_and_breaks_nothing(value: str) -> None:
    client = create_app(Config(clock="manual", admin_token=ADMIN)).test_client()
    cookie = {"Cookie": f"sms_mock_admin={value}"}  # as sent, past what a browser would keep
    assert client.get("/_mock/ui", headers=cookie).status_code == 401
    error_body(client.get("/_mock/tasks", headers=cookie), 401, "MOCK.0401")
