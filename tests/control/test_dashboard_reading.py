"""What the dashboard's pages say, in their first HTML: durations in days, hours and minutes;
the overview's error column; a frozen task said to be frozen, and why; operation buttons in
plain words, those that change nothing set apart; a task's own fault form; the timeline's clock
axis and the end of the sub-task a task failed in; the faults naming their tasks; "Forget the
admin token" only where there is one; `/_mock` leading to the dashboard.
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from itertools import pairwise
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sms_mock.contracts.enums import TaskState
from sms_mock.mock_server import Config, create_app
from sms_mock.mock_server.dashboard import views
from sms_mock.mock_server.sms.lifecycle import OPERATION_RULES, Effect
from tests.support.accounts import PROJECT_ID

ADMIN = "reading-secret"
OWN_PAGE = {"Origin": "http://localhost"}
SEED_TASK = "8abda8635e09d185015e09d188dd0001xx"
MINUTE_MS = 60_000


@pytest.fixture(scope="module")
def app() -> Flask:
    """One emulator for the module's reads: the fixtures, a task failed by the engine at
    MIGRATE_LINUX_FILE 40% and the seed's frozen example."""
    app = create_app(Config(clock="manual"))
    client = app.test_client()
    for name in ("failed-at-migrate-40", "seed-example"):
        loaded = client.post(f"/_mock/scenarios/{name}", content_type="application/json")
        assert loaded.status_code == 201
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def text_of(client: FlaskClient, path: str) -> str:
    answer = client.get(path)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    return html.unescape(answer.get_data(as_text=True))


def task_of(client: FlaskClient, task_id: str) -> dict[str, Any]:
    every = client.get("/_mock/tasks").get_json()["tasks"]
    return next(t["task"] for t in every if t["task"]["id"] == task_id)


def failed_task_id(client: FlaskClient) -> str:
    every = client.get("/_mock/tasks").get_json()["tasks"]
    return next(t["task"]["id"] for t in every if t["task"]["name"] == "file-01")


def row(page: str, task_id: str) -> str:
    found = re.search(rf'<tr id="task-[^"]*-{re.escape(task_id)}".*?</tr>', page, re.S)
    assert found, task_id
    return found.group(0)


def cell(row_html: str, label: str) -> str:
    found = re.search(rf'<td data-label="{label}"[^>]*>(.*?)</td>', row_html, re.S)
    assert found, label
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


# --- durations -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ms", "shown"),
    [
        (0, "0 s"),
        (0.4, "<1 ms"),
        (1, "1 ms"),
        (999, "999 ms"),
        (999.6, "1 s"),  # rounded into the next unit, never "1000 ms"
        (4_500, "4.5 s"),
        (9_960, "10 s"),
        (42_000, "42 s"),
        (59_600, "1m"),  # never "60 s"
        (191_000, "3m 11s"),
        (3_599_500, "1h"),
        (9 * 3_600_000 + 3 * MINUTE_MS, "9h 3m"),
        (86_399_000, "1d"),
        (3.26135e10, "377d 11h"),  # the 3.26135e+07 s
        (2**63 - 1, "106751991167d 7h"),
        (-5_000, "-5 s"),
        (float("nan"), "unknown"),
        (float("inf"), "unknown"),
    ],
)
def test_a_duration_reads_in_its_two_largest_units(ms: float, shown: str) -> None:
    assert views.duration_text(ms) == shown


def test_a_long_sub_task_reads_in_days_and_hours_never_as_a_power_of_ten(
    client: FlaskClient,
) -> None:
    start = 1_600_000_000_000
    entry = {"name": "MIGRATE_LINUX_FILE", "progress": 100, "user_op": "REPLICATE"}
    task = {
        "id": "long-run",
        "name": "long-run",
        "state": "MIGRATE_SUCCESS",
        "total_time": 32_613_500_000,
        "sub_tasks": [{**entry, "start_date": start, "end_date": start + 32_613_500_000}],
    }
    assert client.post("/_mock/tasks", json=task).status_code == 201
    page = text_of(client, f"/_mock/ui/tasks/{PROJECT_ID}/long-run")
    assert "done, 100%, 377d 11h" in page
    assert 'Time spent</dt><dd id="task-total-time">377d 11h' in page
    assert not re.search(r"\de[+-]\d", page)


# --- the overview's error column and frozen tasks ---------------------------------------------


def test_the_overview_shows_a_failed_tasks_error_code_and_message(client: FlaskClient) -> None:
    page = text_of(client, "/_mock/ui")
    failed = row(page, failed_task_id(client))
    assert cell(failed, "Error") == "SMS.6531 The boot partition does not exist."
    assert cell(row(page, "sample-ready"), "Error") == "—"


def test_a_long_error_message_is_cut_on_the_overview_and_whole_on_its_title(
    client: FlaskClient,
) -> None:
    message = "The disk " + "very " * 30 + "full."
    error = f'{{"error_code": "SMS.6532", "error_msg": "{message}"}}'
    task = {"id": "long-error", "name": "long-error", "state": "MIGRATE_FAIL", "error_json": error}
    assert client.post("/_mock/tasks", json=task).status_code == 201
    shown = row(text_of(client, "/_mock/ui"), "long-error")
    assert cell(shown, "Error") == "SMS.6532 " + message[: views.SHORT_MESSAGE - 1] + "…"
    assert f'title="{message}"' in shown


def test_the_seed_task_is_said_to_be_frozen_and_why(client: FlaskClient) -> None:
    overview = text_of(client, "/_mock/ui")
    assert cell(row(overview, SEED_TASK), "State") == "RUNNING frozen: every sub-task ended"
    # A RUNNING task the clock moves is not frozen.
    assert cell(row(overview, "sample-running"), "State") == "RUNNING"
    page = text_of(client, f"/_mock/ui/tasks/{PROJECT_ID}/{SEED_TASK}")
    said = re.search(r'<dd id="task-frozen" class="frozen">(.*?)</dd>', page)
    assert said and "every sub-task has ended" in said.group(1)
    assert "until an operation acts on it" in said.group(1)
    assert 'id="task-frozen"' not in text_of(client, f"/_mock/ui/tasks/{PROJECT_ID}/sample-running")


def test_a_task_put_in_moving_without_a_run_is_frozen_and_one_the_engine_moves_is_not() -> None:
    client = create_app(Config(clock="manual")).test_client()
    task = {"id": "rolling-back", "name": "rolling-back", "state": "SYNC_F_ROLLBACKING"}
    assert client.post("/_mock/tasks", json=task).status_code == 201
    put_in = row(text_of(client, "/_mock/ui"), "rolling-back")
    assert cell(put_in, "State") == "SYNC_F_ROLLBACKING frozen: put in as SYNC_F_ROLLBACKING"
    # The same state reached by the engine (a rollback of a failed sync) runs on a timer.
    loaded = client.post("/_mock/scenarios/sync-failed", content_type="application/json")
    task_id = loaded.get_json()["task_ids"][0]
    token = client.post("/_mock/tokens", content_type="application/json").get_json()["token"]
    acted = client.post(
        f"/v3/tasks/{task_id}/action",
        json={"operation": "sync_failed_rollback"},
        headers={"X-Auth-Token": token},
    )
    assert acted.status_code == 200
    moving = row(text_of(client, "/_mock/ui"), task_id)
    assert cell(moving, "State") == "SYNC_F_ROLLBACKING"


# --- operations in plain words ------------------------------------------------------------------


def test_every_operation_of_the_lifecycle_table_has_a_label_and_a_line() -> None:
    for rule in OPERATION_RULES:
        label, explanation = views.EXPLAINED[(rule.operation, rule.effect)]
        assert label and label != rule.operation.value and explanation.endswith(".")
    assert set(views.EXPLAINED) == {(r.operation, r.effect) for r in OPERATION_RULES}


def test_start_is_named_for_what_it_does_in_each_state() -> None:
    def start(state: TaskState) -> views.OperationButton:
        return next(b for b in views.operation_buttons(state) if b.operation == "start")

    assert start(TaskState.READY).label == "Start"
    assert start(TaskState.MIGRATE_FAIL).label == "Resume"
    assert start(TaskState.MIGRATE_SUCCESS).label == "Sync again"


def _buttons(page: str) -> dict[str, str]:
    """Each task-op button's operation and its tag."""
    return {
        m.group(1): m.group(0)
        for m in re.finditer(
            r'<button type="button" id="op-(\w+)" data-action="task-op"[^>]*>', page
        )
    }


def test_operations_that_change_nothing_are_set_apart_and_say_so(client: FlaskClient) -> None:
    page = text_of(client, f"/_mock/ui/tasks/{PROJECT_ID}/sample-migrate-success")
    nothing = {
        r.operation.value
        for r in OPERATION_RULES
        if r.effect is Effect.ACCEPT and TaskState.MIGRATE_SUCCESS in r.allowed
    }
    buttons = _buttons(page)
    assert nothing and nothing < set(buttons)
    marked = {op for op, tag in buttons.items() if 'data-changes-nothing="yes"' in tag}
    assert marked == nothing
    idle = page[page.index('id="ops-idle"') :]
    assert "they change nothing in the emulator" in idle
    assert all(f'id="op-{op}"' in idle for op in nothing)
    assert not any(f'id="op-{op}"' in idle for op in set(buttons) - nothing)
    # Each operation that acts has its line beside it, and its API name.
    assert "A new CUTOVER phase that configures and starts the target server" in page
    assert '>Cut over</button>\n    <span class="op-what">' in page


# --- a fault from a task's page ----------------------------------------------------------------


def test_a_tasks_page_adds_a_fault_to_that_task_under_the_dashboards_rules() -> None:
    client = create_app(Config(clock="manual", admin_token=ADMIN)).test_client()
    signed_in = client.post("/_mock/ui/login", data={"token": ADMIN}, headers=OWN_PAGE)
    assert signed_in.status_code == 303
    page = text_of(client, f"/_mock/ui/tasks/{PROJECT_ID}/sample-running")
    form = page[page.index('<form data-action="task-fault"') :]
    form = form[: form.index("</form>")]
    assert '<input type="hidden" name="task_id" value="sample-running">' in form
    assert f'<input type="hidden" name="project" value="{PROJECT_ID}">' in form
    # The task's own sub-tasks come first, its current one chosen.
    own = form[form.index("This task's sub-tasks") : form.index("Other sub-tasks")]
    assert '<option value="ATTACH_AGENT_IMAGE" selected>' in own  # sample-running's, at 30%
    # What the form's script sends: the control plane's fault API, with the cookie and the
    # dashboard's header; the cookie alone does not do.
    fault = {"task_id": "sample-running", "subtask": "MIGRATE_LINUX_FILE", "at_progress": 90}
    path = f"/_mock/faults?project={PROJECT_ID}"
    assert client.post(path, json=fault).status_code == 401
    added = client.post(path, json=fault, headers={"X-Mock-Dashboard": "1"})
    assert added.status_code == 201
    parts = client.get(f"/_mock/ui/parts/tasks/{PROJECT_ID}/sample-running").get_json()
    assert added.get_json()["id"] in parts["faults"]
    assert "running-db-01" in parts["faults"]  # named by its name
    other = client.get(f"/_mock/ui/parts/tasks/{PROJECT_ID}/sample-ready").get_json()
    assert added.get_json()["id"] not in other["faults"]  # another task's page lists its own


# --- the timeline ----------------------------------------------------------------------------


def test_the_timeline_has_an_axis_of_clock_times(client: FlaskClient) -> None:
    task_id = failed_task_id(client)
    page = text_of(client, f"/_mock/ui/tasks/{PROJECT_ID}/{task_id}")
    axis = page[page.index('id="time-axis"') : page.index('<ol class="timeline">')]
    ticks = re.findall(r'<text x="([\d.]+)%"[^>]*data-when="([^"]+)">([^<]+)</text>', axis)
    assert len(ticks) >= 2
    task = task_of(client, task_id)
    starts = [s["start_date"] for s in task["sub_tasks"]]
    first, last = views.shown_time(min(starts)), views.shown_time(views.stopped_at(task) or 0)
    lefts = [float(left) for left, _, _ in ticks]
    assert lefts == sorted(lefts) and lefts[0] >= 0 and lefts[-1] <= 100
    assert all(first <= when <= last for _, when, _ in ticks)
    # The run took about three minutes: ticks every minute, as hours and minutes.
    assert [label[-5:] for _, _, label in ticks] == [when[11:16] for _, when, _ in ticks]


@pytest.mark.parametrize(
    ("span_ms", "step_ms", "label"),
    [
        (40_000, 10_000, r"\d\d:\d\d:\d\d"),
        (3_600_000, 15 * MINUTE_MS, r"\d\d:\d\d"),
        (3 * 86_400_000, 86_400_000, r"[A-Z][a-z]{2} \d\d"),
        (4 * 365 * 86_400_000, 365 * 86_400_000, r"\d{4}-\d\d-\d\d"),
    ],
)
def test_ticks_fall_on_round_clock_times(span_ms: int, step_ms: int, label: str) -> None:
    begin = 1_763_989_263_000  # 2025-11-24 13:01:03 UTC
    ticks = views.time_axis(begin, begin + span_ms)
    assert 2 <= len(ticks) <= views.MAX_TICKS + 1
    moments = [int(datetime.fromisoformat(t.when).timestamp() * 1000) for t in ticks]
    assert all(m % step_ms == 0 for m in moments)  # round times ...
    assert {b - a for a, b in pairwise(moments)} == {step_ms}  # ... at one step
    assert begin <= moments[0] < begin + step_ms and moments[-1] <= begin + span_ms
    assert all(re.fullmatch(rf"(Nov \d\d )?{label}", t.label) for t in ticks)
    if step_ms < 86_400_000:  # the first tick carries its date, the next ones only a new day's
        assert ticks[0].label.startswith("Nov 24 ")


def test_an_axis_of_no_span_or_past_any_calendar_has_no_tick() -> None:
    assert views.time_axis(1_763_989_263_000, 1_763_989_263_000) == []
    assert views.time_axis(2**62, 2**63 - 1) == []


def test_the_failed_sub_task_shows_its_start_its_end_and_its_error(client: FlaskClient) -> None:
    task_id = failed_task_id(client)
    task = task_of(client, task_id)
    migrate = task["sub_tasks"][-1]
    assert migrate["end_date"] is None  # the API gives none
    page = text_of(client, f"/_mock/ui/tasks/{PROJECT_ID}/{task_id}")
    bar = re.search(r'<li class="bar-row failed".*?</li>', page, re.S)
    assert bar
    times = re.findall(r'<time datetime="([^"]+)">', bar.group(0))
    assert times[0] == views.shown_time(migrate["start_date"])
    ended = sum(s["end_date"] - s["start_date"] for s in task["sub_tasks"][:-1])
    assert times[1] == views.shown_time(migrate["start_date"] + task["total_time"] - ended)
    assert "(when it failed)" in bar.group(0)
    assert "SMS.6531</code> The boot partition does not exist." in bar.group(0)


def test_a_stopped_task_ends_its_sub_task_at_the_clock_time_it_was_stopped() -> None:
    client = create_app(Config(clock="manual")).test_client()
    token = client.post("/_mock/tokens", content_type="application/json").get_json()["token"]

    def act(operation: str) -> None:
        answer = client.post(
            "/v3/tasks/sample-ready/action",
            json={"operation": operation},
            headers={"X-Auth-Token": token},
        )
        assert answer.status_code == 200, answer.get_data(as_text=True)

    act("start")
    client.post("/_mock/clock/advance", json={"seconds": 100})  # in ATTACH_AGENT_IMAGE
    stopped_at = client.get("/_mock/clock").get_json()["now_ms"]
    act("stop")
    client.post("/_mock/clock/advance", json={"seconds": 5})  # ABORTING, then ABORT
    task = task_of(client, "sample-ready")
    assert task["state"] == "ABORT"
    assert views.stopped_at(task) == stopped_at
    page = text_of(client, f"/_mock/ui/tasks/{PROJECT_ID}/sample-ready")
    bar = re.search(r'<li class="bar-row paused".*?</li>', page, re.S)
    assert bar and f'\u2013 <time datetime="{views.shown_time(stopped_at)}">' in bar.group(0)


def test_a_failed_task_put_in_without_its_figures_says_its_end_is_not_known(
    client: FlaskClient,
) -> None:
    page = text_of(client, f"/_mock/ui/tasks/{PROJECT_ID}/sample-migrate-fail")
    bar = re.search(r'<li class="bar-row failed".*?</li>', page, re.S)
    assert bar and "when it stopped is not known" in bar.group(0)


# --- faults by name, the admin token, /_mock ------------------------------------------------------


def test_the_faults_panel_names_each_task_by_name_and_id(client: FlaskClient) -> None:
    task_fault = {"task_id": "sample-ready", "subtask": "MIGRATE_LINUX_FILE"}
    assert client.post("/_mock/faults", json=task_fault).status_code == 201
    http_fault = {"match": {"path": "/v3/tasks/*", "task_id": "sample-abort"}, "status": 503}
    assert client.post("/_mock/faults", json=http_fault).status_code == 201
    try:
        faults = client.get("/_mock/ui/parts/overview").get_json()["faults"]
        named = '<strong class="fault-task">ready-web-01</strong> <code>sample-ready</code>'
        assert named in faults
        assert "<strong>paused-app-01</strong> <code>sample-abort</code>" in faults
        assert faults in text_of(client, "/_mock/ui")
    finally:
        client.delete("/_mock/faults")


def test_forget_the_admin_token_is_offered_only_where_there_is_one(client: FlaskClient) -> None:
    assert "Forget the admin token" not in text_of(client, "/_mock/ui")
    guarded = create_app(Config(clock="manual", admin_token=ADMIN)).test_client()
    guarded.post("/_mock/ui/login", data={"token": ADMIN}, headers=OWN_PAGE)
    assert "Forget the admin token" in text_of(guarded, "/_mock/ui")


@pytest.mark.parametrize("path", ["/_mock", "/_mock/"])
def test_the_control_planes_root_leads_to_the_dashboard(client: FlaskClient, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 302 and answer.headers["Location"] == "/_mock/ui"
    assert answer.get_json() == {"location": "/_mock/ui"}  # JSON, as the control plane answers
    # Under the control plane's rules: the host allow-list ...
    foreign = client.get(path, headers={"Host": "attacker.example"})
    assert foreign.status_code == 421 and foreign.get_json()["error_code"] == "MOCK.0421"
    # ... and the admin token: the header or the dashboard's cookie.
    guarded = create_app(Config(clock="manual", admin_token=ADMIN)).test_client()
    refused = guarded.get(path)
    assert refused.status_code == 401 and refused.get_json()["error_code"] == "MOCK.0401"
    assert guarded.get(path, headers={"X-Mock-Admin-Token": ADMIN}).status_code == 302
    guarded.post("/_mock/ui/login", data={"token": ADMIN}, headers=OWN_PAGE)
    assert guarded.get(path).headers["Location"] == "/_mock/ui"
