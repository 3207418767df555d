"""The dashboard's pages and the control-plane calls it makes, over the app, without a browser:
what its first HTML holds, the admin rule with its cookie, its live parts, and that nothing a
task holds can run as script on the page. tests/control/test_dashboard_browser.py drives it in
chromium.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given

from sms_mock.contracts.control import LifecycleSchema, ProjectTokenSchema
from sms_mock.contracts.enums import Operation
from sms_mock.contracts.sms import TaskSchema
from sms_mock.contracts.sources import SourceSchema
from sms_mock.mock_server import Config, create_app
from sms_mock.mock_server.dashboard import views
from sms_mock.mock_server.sms.lifecycle import OPERATION_RULES, UNDELETABLE_STATES
from tests.support.accounts import OTHER_PROJECT_ID, PROJECT_ID, SECOND_PROJECT_ID
from tests.support.assertions import error_message
from tests.support.strategies import valid

ADMIN = "dashboard-secret"
DASHBOARD = Path(__file__).parents[2] / "mock_server" / "dashboard"


class _Page(HTMLParser):
    """What a page shows without script: each task row's id and state, buttons, forms."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, str] = {}
        self.operations: list[str] = []
        self.scripts: list[str] = []
        self._row: str | None = None
        self._in_state = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "tr" and a.get("data-task-id"):
            self._row = a["data-task-id"]
        if tag == "td" and self._row and a.get("data-label") == "State":
            self._in_state = True
        if tag == "button" and a.get("data-action") in ("task-op", "delete-task"):
            self.operations.append(a.get("data-op") or "delete")
        if tag == "script":
            self.scripts.append(a.get("src") or "inline")

    def handle_data(self, data: str) -> None:
        if self._in_state and self._row:
            self.rows[self._row] = data.strip()
            self._in_state = False

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr":
            self._row = None


def page(html: bytes | str) -> _Page:
    parser = _Page()
    parser.feed(html.decode() if isinstance(html, bytes) else html)
    return parser


# The dashboard's forms are taken from its own page only: a browser names it in `Origin`.
OWN_PAGE = {"Origin": "http://localhost"}


@pytest.fixture
def guarded() -> FlaskClient:
    return create_app(Config(clock="manual", admin_token=ADMIN)).test_client()


def signed_in(client: FlaskClient) -> FlaskClient:
    answer = client.post("/_mock/ui/login", data={"token": ADMIN}, headers=OWN_PAGE)
    assert answer.status_code == 303
    return client


# --- the first HTML -------------------------------------------------------------------------------


def test_the_overview_lists_every_task_id_and_state_without_javascript(
    client: FlaskClient,
) -> None:
    client.post("/_mock/scenarios/fault-at-migrate-40", content_type="application/json")
    client.post(
        f"/_mock/scenarios/ready?project={SECOND_PROJECT_ID}", content_type="application/json"
    )
    answer = client.get("/_mock/ui")
    assert answer.status_code == 200 and answer.mimetype == "text/html"
    every = client.get("/_mock/tasks").get_json()["tasks"]
    assert page(answer.data).rows == {t["task"]["id"]: t["task"]["state"] for t in every}
    assert len(every) > 8  # the fixtures' tasks and two projects' scenarios


def test_the_overview_filters_by_state_and_project_without_javascript(
    client: FlaskClient,
) -> None:
    client.post(
        f"/_mock/scenarios/failed-at-migrate-40?project={SECOND_PROJECT_ID}",
        content_type="application/json",
    )
    by_state = page(client.get("/_mock/ui?state=MIGRATE_FAIL").data).rows
    assert by_state and set(by_state.values()) == {"MIGRATE_FAIL"}
    by_project = page(client.get("/_mock/ui?project=ap-southeast-3").data).rows
    second = {
        t["task"]["id"]
        for t in client.get("/_mock/tasks").get_json()["tasks"]
        if t["project_id"] == SECOND_PROJECT_ID
    }
    assert set(by_project) == second and second
    both = page(client.get(f"/_mock/ui?state=READY&project={SECOND_PROJECT_ID}").data).rows
    assert both == {}


@pytest.mark.parametrize("query", ["state=NOT_A_STATE", "project=no-such-project"])
def test_a_filter_that_names_nothing_is_a_400_page_saying_so(
    client: FlaskClient, query: str
) -> None:
    answer = client.get(f"/_mock/ui?{query}")
    assert answer.status_code == 400 and answer.mimetype == "text/html"
    assert "There is no" in answer.get_data(as_text=True)
    assert client.get(f"/_mock/ui/parts/overview?{query}").status_code == 400


# --- a task's page: the lifecycle decides the buttons ---------------------------------------------


def _expected_buttons(state: str) -> list[str]:
    allowed = {rule.operation.value for rule in OPERATION_RULES if state in rule.allowed}
    return sorted(allowed | ({"delete"} if state not in UNDELETABLE_STATES else set()))


def test_every_task_page_offers_exactly_what_the_lifecycle_table_allows(
    client: FlaskClient,
) -> None:
    for name in ("failed-at-migrate-40", "paused-at-migrate", "sync-failed", "syncing",
                 "migrate-success", "ready", "running-replicate"):  # fmt: skip
        client.post(f"/_mock/scenarios/{name}", content_type="application/json")
    states = set()
    for entry in client.get("/_mock/tasks").get_json()["tasks"]:
        task = entry["task"]
        answer = client.get(f"/_mock/ui/tasks/{entry['project_id']}/{task['id']}")
        assert answer.status_code == 200
        assert sorted(page(answer.data).operations) == _expected_buttons(task["state"])
        states.add(task["state"])
    assert {"READY", "RUNNING", "MIGRATE_FAIL", "ABORT", "SYNC_FAIL", "MIGRATE_SUCCESS"} <= states


def test_a_failed_task_page_marks_the_failed_sub_task_and_shows_its_error(
    client: FlaskClient,
) -> None:
    task_id = client.post(
        "/_mock/scenarios/failed-at-migrate-40", content_type="application/json"
    ).get_json()["task_ids"][0]
    text = client.get(f"/_mock/ui/tasks/{PROJECT_ID}/{task_id}").get_data(as_text=True)
    failed = re.findall(r'data-subtask="(\w+)" data-status="failed"', text)
    assert failed == ["MIGRATE_LINUX_FILE"]
    assert '<strong id="error-code">SMS.6531</strong> The boot partition does not exist.' in text
    assert '"error_code": "SMS.6531"' in html.unescape(text)  # error_json indented in full


def test_a_task_of_another_project_or_none_is_a_404_page(client: FlaskClient) -> None:
    for path in (
        f"/_mock/ui/tasks/{SECOND_PROJECT_ID}/sample-ready",
        f"/_mock/ui/tasks/{PROJECT_ID}/no-such-task",
        "/_mock/ui/tasks/no-such-project/sample-ready",
    ):
        answer = client.get(path)
        assert answer.status_code == 404 and answer.mimetype == "text/html"
    assert client.get(f"/_mock/ui/parts/tasks/{PROJECT_ID}/nope").status_code == 404


def test_the_live_parts_are_the_first_pages_parts(client: FlaskClient) -> None:
    overview = client.get("/_mock/ui/parts/overview").get_json()
    assert set(overview) == {"clock", "tasks", "faults", "journal"}
    assert page(overview["tasks"]).rows == page(client.get("/_mock/ui").data).rows
    task = client.get(f"/_mock/ui/parts/tasks/{PROJECT_ID}/sample-migrate-fail").get_json()
    assert set(task) == {"clock", "task", "faults"}
    assert task["task"] in client.get(f"/_mock/ui/tasks/{PROJECT_ID}/sample-migrate-fail").get_data(
        as_text=True
    )


def test_what_a_task_holds_is_shown_as_text_never_run_as_script(client: FlaskClient) -> None:
    hostile = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    document = client.get("/_mock/tasks").get_json()["tasks"][0]["task"]
    document = {**document, "id": "xss-task", "name": hostile, "error_json": hostile}
    assert client.post("/_mock/tasks", json=document).status_code == 201
    for path in ("/_mock/ui", f"/_mock/ui/tasks/{PROJECT_ID}/xss-task"):
        text = client.get(path).get_data(as_text=True)
        assert hostile not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
        assert page(text).scripts == ["/_mock/ui/static/dashboard.js"]


# --- the admin rule -------------------------------------------------------------------------------


def test_without_the_token_the_page_asks_for_it_and_shows_nothing_else(
    guarded: FlaskClient,
) -> None:
    answer = guarded.get("/_mock/ui")
    text = answer.get_data(as_text=True)
    assert answer.status_code == 401 and 'name="token"' in text
    assert page(text).rows == {} and "sample-ready" not in text
    assert guarded.get(f"/_mock/ui/tasks/{PROJECT_ID}/sample-ready").status_code == 401
    parts = guarded.get("/_mock/ui/parts/overview")
    assert parts.status_code == 401 and parts.get_json()["error_code"] == "MOCK.0401"
    assert guarded.get("/_mock/ui/static/dashboard.css").status_code == 200  # the form's style


def test_a_wrong_token_is_asked_again(guarded: FlaskClient) -> None:
    answer = guarded.post("/_mock/ui/login", data={"token": "not-it"}, headers=OWN_PAGE)
    assert answer.status_code == 401
    assert "That is not the server's admin token." in html.unescape(answer.get_data(as_text=True))
    assert answer.headers.get("Set-Cookie") is None
    assert guarded.get("/_mock/ui").status_code == 401


def test_the_token_is_kept_once_in_an_httponly_strict_cookie_scoped_to_the_control_plane(
    guarded: FlaskClient,
) -> None:
    answer = guarded.post("/_mock/ui/login", data={"token": ADMIN}, headers=OWN_PAGE)
    assert answer.status_code == 303 and answer.headers["Location"] == "/_mock/ui"
    cookie = answer.headers["Set-Cookie"]
    assert "Path=/_mock" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert guarded.get("/_mock/ui").status_code == 200
    assert guarded.get("/_mock/tasks").status_code == 200  # the control plane's reads too
    guarded.post("/_mock/ui/logout", headers=OWN_PAGE)
    assert guarded.get("/_mock/ui").status_code == 401


def test_a_change_made_with_the_cookie_alone_needs_the_dashboards_header(
    guarded: FlaskClient,
) -> None:
    # A page of another site can make the browser send the cookie, but not a header.
    signed_in(guarded)
    refused = guarded.post("/_mock/clock/advance", json={"seconds": 1})
    assert refused.status_code == 401 and refused.get_json()["error_code"] == "MOCK.0401"
    accepted = guarded.post(
        "/_mock/clock/advance", json={"seconds": 1}, headers={"X-Mock-Dashboard": "1"}
    )
    assert accepted.status_code == 200


def test_a_cookie_that_is_not_the_token_opens_nothing(guarded: FlaskClient) -> None:
    guarded.set_cookie("sms_mock_admin", "guess", path="/_mock")
    assert guarded.get("/_mock/ui").status_code == 401
    assert guarded.get("/_mock/tasks").status_code == 401
    headers = {"X-Mock-Dashboard": "1"}
    assert guarded.post("/_mock/reset", headers=headers).status_code == 401


def test_the_header_still_opens_everything_without_a_cookie(guarded: FlaskClient) -> None:
    headers = {"X-Mock-Admin-Token": ADMIN}
    assert guarded.get("/_mock/ui", headers=headers).status_code == 200
    reset = guarded.post("/_mock/reset", headers=headers, content_type="application/json")
    assert reset.status_code == 200


# --- the control-plane calls the page makes -------------------------------------------------------


def test_lifecycle_is_the_engines_own_table(client: FlaskClient) -> None:
    body = client.get("/_mock/lifecycle").get_json()
    assert LifecycleSchema().validate(body) == {}
    assert [(r["operation"], set(r["allowed_states"])) for r in body["operations"]] == [
        (rule.operation.value, set(rule.allowed)) for rule in OPERATION_RULES
    ]
    assert set(body["undeletable_states"]) == set(UNDELETABLE_STATES)


def test_a_project_token_drives_the_public_api_as_the_accounts_administrator(
    client: FlaskClient,
) -> None:
    issued = client.post("/_mock/tokens", json={"project": "ap-southeast-3"})
    assert issued.status_code == 201
    body = issued.get_json()
    assert ProjectTokenSchema().validate(body) == {}
    assert body["project_id"] == SECOND_PROJECT_ID and body["user"] == "mock-user"
    headers = {"X-Auth-Token": body["token"]}
    assert client.get("/v3/tasks", headers=headers).status_code == 200
    # It is a real token: IAM knows it, and it expires on the emulator's clock.
    check = client.get("/v3/auth/tokens", headers={**headers, "X-Subject-Token": body["token"]})
    assert check.status_code == 200
    client.post("/_mock/clock/advance", json={"seconds": 25 * 3600})
    assert client.get("/v3/tasks", headers=headers).status_code == 401


def test_a_project_token_without_a_body_is_the_default_projects(client: FlaskClient) -> None:
    body = client.post("/_mock/tokens", content_type="application/json").get_json()
    assert body["project_id"] == PROJECT_ID
    other = client.post("/_mock/tokens", json={"project": OTHER_PROJECT_ID}).get_json()
    assert other["project_id"] == OTHER_PROJECT_ID and other["user"] != "mock-user"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"project": "no-such"}, "project"),
        ({"project": ""}, "project"),
        ({"project": 5}, "project"),
        ({"user": "x"}, "user"),
    ],
)
def test_a_project_token_for_nothing_is_a_400_naming_the_field(
    client: FlaskClient, body: dict[str, Any], field: str
) -> None:
    answer = client.post("/_mock/tokens", json=body)
    assert answer.status_code == 400
    assert field in error_message(answer, 400, "MOCK.0400")


def test_a_real_clocks_speed_changes_from_now_on() -> None:
    client = create_app(Config(clock="real", speed=1)).test_client()
    before = client.get("/_mock/clock").get_json()["now_ms"]
    answer = client.post("/_mock/clock/speed", json={"speed": 600})
    assert answer.status_code == 200 and answer.get_json()["speed"] == 600
    after = answer.get_json()["now_ms"]
    assert before <= after < before + 60_000  # no jump: the time passed stays as it was


@pytest.mark.parametrize("speed", [0, -1, "fast", 10**7, None])
def test_a_speed_out_of_range_is_a_400(speed: Any) -> None:
    client = create_app(Config(clock="real")).test_client()
    answer = client.post("/_mock/clock/speed", json={"speed": speed})
    assert answer.status_code == 400 and "speed" in answer.get_json()["error_msg"]
    assert client.get("/_mock/clock").get_json()["speed"] == 1


def test_a_manual_clock_has_no_speed_to_set(client: FlaskClient) -> None:
    answer = client.post("/_mock/clock/speed", json={"speed": 2})
    assert answer.status_code == 400
    assert "A manual clock has no speed" in answer.get_json()["error_msg"]


def test_the_pages_reads_do_not_fill_the_journal(client: FlaskClient) -> None:
    client.delete("/_mock/requests")
    client.get("/_mock/ui")
    client.get("/_mock/ui/parts/overview")
    client.get("/_mock/ui/static/dashboard.js")
    client.get("/_mock/tasks", headers={"X-Mock-Poll": "1"})
    client.get("/_mock/clock")  # a read without the header is kept, as before
    client.post("/_mock/clock/advance", json={"seconds": 1}, headers={"X-Mock-Poll": "1"})
    kept = [(e["method"], e["path"]) for e in client.get("/_mock/requests").get_json()["requests"]]
    assert kept == [("GET", "/_mock/clock"), ("POST", "/_mock/clock/advance")]


# --- nothing from outside the machine -------------------------------------------------------------


def test_the_pages_need_nothing_from_another_origin(client: FlaskClient) -> None:
    files = sorted(p for p in DASHBOARD.rglob("*") if p.suffix in (".html", ".css", ".js"))
    assert len(files) >= 10
    for path in files:
        text = path.read_text()
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text, re.I), path
        assert "@import" not in text and "@font-face" not in text, path
    answer = client.get("/_mock/ui")
    policy = answer.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy


def test_views_name_the_current_sub_task_of_the_latest_run() -> None:
    done = {"start_date": 1, "end_date": 2}
    assert views.current_index([done, {"start_date": 3, "end_date": None}]) == 1
    assert views.current_index([done, {"start_date": None}]) == 1
    assert views.current_index([done, done]) is None
    assert views.current_index([]) is None
    # a restart keeps the failed run's entry, which never ends, in front of the new run's
    restarted = [done, {"start_date": 3, "end_date": None}, {"start_date": 5, "end_date": 6}]
    assert views.current_index(restarted) is None
    assert [b.operation for b in views.operation_buttons("MIGRATE_FAIL")[:2]] == [
        Operation.START.value,
        Operation.RESTART.value,
    ]


# --- whatever the control plane accepts, the pages show ------------------------------------------


@pytest.fixture(scope="module")
def one_app() -> Flask:
    """One app for a property's examples; each example resets it (one emulator per example)."""
    return create_app(Config(clock="manual"))


def fresh(app: Flask) -> FlaskClient:
    app.extensions["sms_mock"].reset()
    return app.test_client()


@given(document=valid(TaskSchema, partial=True))
def test_any_task_the_control_plane_accepts_shows_on_both_pages(
    one_app: Flask, document: dict[str, Any]
) -> None:
    client = fresh(one_app)
    put = client.post("/_mock/tasks", json={**document, "id": "any-task"})
    if put.status_code != 201:  # refused as a whole: nothing to show
        assert put.status_code == 400
        return
    overview = client.get("/_mock/ui")
    assert overview.status_code == 200 and "any-task" in page(overview.data).rows
    task_page = client.get(f"/_mock/ui/tasks/{PROJECT_ID}/any-task")
    assert task_page.status_code == 200, task_page.get_data(as_text=True)[:300]
    assert client.get(f"/_mock/ui/parts/tasks/{PROJECT_ID}/any-task").status_code == 200


@given(document=valid(SourceSchema, partial=True))
def test_any_source_the_control_plane_accepts_shows_on_the_overview(
    one_app: Flask, document: dict[str, Any]
) -> None:
    client = fresh(one_app)
    put = client.post("/_mock/sources", json={**document, "id": "any-source"})
    if put.status_code != 201:
        assert put.status_code == 400
        return
    overview = client.get("/_mock/ui")
    assert overview.status_code == 200 and "any-source" in overview.get_data(as_text=True)


def test_a_real_clocks_page_offers_its_speed() -> None:
    client = create_app(Config(clock="real", speed=60)).test_client()
    text = client.get("/_mock/ui").get_data(as_text=True)
    assert 'data-action="speed"' in text and "real clock at 60\u00d7 wall time" in text
    manual = create_app(Config(clock="manual")).test_client().get("/_mock/ui")
    assert 'data-action="speed"' not in manual.get_data(as_text=True)
