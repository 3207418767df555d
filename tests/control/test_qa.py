"""The QA control plane: HTTP faults, the request journal, snapshots and the admin token."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from flask.testing import FlaskClient

from sms_mock.contracts.control import HttpFaultSchema, JournalSchema
from sms_mock.mock_server import Config, create_app
from sms_mock.mock_server.serving.live import LiveServer
from tests.support.accounts import issue_token
from tests.support.assertions import error_message
from tests.support.helpers import Sms, advance, loads, put_task


def http_fault(client: FlaskClient, **spec: Any) -> dict[str, Any]:
    response = client.post("/_mock/faults", json=spec)
    assert response.status_code == 201, response.get_json()
    return loads(HttpFaultSchema, response.get_json())


# --- HTTP faults ---------------------------------------------------------------------------------


def test_an_http_fault_answers_its_status_and_body_then_stops(
    client: FlaskClient, sms: Sms
) -> None:
    body = {"error_code": "SMS.6000", "error_msg": "Background exception"}
    http_fault(client, match={"method": "GET", "path": "/v3/tasks/*"}, status=503, body=body)
    first = sms.show("sample-ready")
    assert (first.status_code, first.get_json()) == (503, body)
    assert first.headers["X-Request-Id"]
    assert sms.show("sample-ready").status_code == 200  # fired once: times defaults to 1


def test_an_http_fault_matches_method_path_task_and_operation(
    client: FlaskClient, sms: Sms
) -> None:
    http_fault(client, match={"method": "POST", "path": "/v3/tasks/*/action",
                              "task_id": "sample-ready", "operation": "start"},
               status=500, times=5)  # fmt: skip
    assert sms.act("sample-abort", "start").status_code == 200  # another task
    assert sms.act("sample-ready", "stop").status_code == 400  # another operation: SMS.7714
    assert sms.show("sample-ready").status_code == 200  # another method
    assert sms.act("sample-ready", "start").status_code == 500
    assert sms.task("sample-ready")["state"] == "READY"  # the faked answer changed nothing


def test_an_http_fault_with_a_probability_is_repeatable_by_its_seed(sms: Sms) -> None:
    def run() -> list[int]:
        app = create_app(Config(clock="manual"))
        client = app.test_client()
        http_fault(client, match={"path": "/v3/tasks/sample-ready"}, status=502, times=100,
                   probability=0.5, seed=7)  # fmt: skip
        caller = Sms(client, issue_token(client))
        return [caller.show("sample-ready").status_code for _ in range(40)]

    first, second = run(), run()
    assert first == second
    assert 5 < first.count(502) < 35


def test_a_delay_fault_slows_the_answer_without_changing_it(client: FlaskClient, sms: Sms) -> None:
    undelayed = sms.task("sample-ready")
    fault = http_fault(client, match={"path": "/v3/tasks/sample-ready"}, delay_ms=200)
    client.delete("/_mock/requests")
    response = sms.show("sample-ready")
    assert (response.status_code, response.get_json()) == (200, undelayed)
    # The server's own record: the fault fired on this request, which took at least its delay
    # (a lower bound: a sleep never ends early, and a busy machine only makes it longer).
    (entry,) = client.get("/_mock/requests?path=/v3/tasks/sample-ready").get_json()["requests"]
    assert entry["faults"] == [fault["id"]]
    assert entry["duration_ms"] >= 200
    listed = client.get("/_mock/faults").get_json()["faults"]
    assert [(f["id"], f["fired"], f["remaining"]) for f in listed] == [(fault["id"], 1, 0)]


def test_a_drop_fault_closes_the_connection_with_no_answer(live: LiveServer) -> None:
    fault = {"match": {"path": "/v3/tasks"}, "drop": True}
    requests.post(f"{live.url}/_mock/faults", json=fault, timeout=5).raise_for_status()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{live.url}/v3/tasks", timeout=5)
    entry = requests.get(f"{live.url}/_mock/requests?path=/v3/tasks", timeout=5).json()
    assert entry["requests"][-1]["status"] is None
    assert len(entry["requests"][-1]["faults"]) == 1


@pytest.mark.parametrize(
    ("spec", "field", "reason"),
    [
        pytest.param(
            {"match": {"path": "*"}},
            "status",
            "An HTTP fault needs a status, drop or delay_ms.",
            id="no-effect",
        ),
        pytest.param(
            {"match": {"method": "FETCH"}, "status": 500},
            "match.method",
            "Must be one of: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS.",
            id="unknown-method",
        ),
        pytest.param(
            {"match": {}, "status": 600},
            "status",
            "A final status, from 200 to 599 (a 1xx is no answer a client can read).",
            id="status-600",
        ),
        pytest.param(
            {"match": {}, "status": 500, "drop": True},
            "drop",
            "A dropped connection has no status.",
            id="drop-with-status",
        ),
        pytest.param(
            {"match": {}, "status": 500, "probability": 1.5},
            "probability",
            "Must be greater than or equal to 0 and less than or equal to 1.",
            id="probability-above-1",
        ),
        pytest.param(
            {"match": {}, "delay_ms": -1},
            "delay_ms",
            "Must be greater than or equal to 0 and less than or equal to 60000.",
            id="negative-delay",
        ),
        pytest.param(
            {"match": "everything", "status": 500},
            "match",
            "Invalid input type.",
            id="match-not-an-object",
        ),
    ],
)
def test_a_bad_http_fault_is_refused_naming_the_field(
    client: FlaskClient, spec: dict[str, Any], field: str, reason: str
) -> None:
    response = client.post("/_mock/faults", json=spec)
    assert error_message(response, 400, "MOCK.0400") == f"Invalid request. {field}: {reason}"
    assert client.get("/_mock/faults").get_json() == {"faults": []}


def test_faults_of_both_kinds_are_listed_and_deleted(client: FlaskClient) -> None:
    made = http_fault(client, match={}, status=500)
    client.post("/_mock/faults", json={"task_id": "sample-ready", "subtask": "SSL_CONFIG"})
    kinds = sorted(f["kind"] for f in client.get("/_mock/faults").get_json()["faults"])
    assert kinds == ["http", "task"]
    assert client.delete(f"/_mock/faults/{made['id']}").status_code == 200
    assert [f["kind"] for f in client.get("/_mock/faults").get_json()["faults"]] == ["task"]
    client.delete("/_mock/faults")
    assert client.get("/_mock/faults").get_json() == {"faults": []}


# --- the journal ---------------------------------------------------------------------------------


def test_the_journal_records_every_request_with_its_task_and_operation(
    client: FlaskClient, sms: Sms
) -> None:
    client.delete("/_mock/requests")
    sms.act("sample-ready", "start")
    sms.show("absent")
    body = loads(JournalSchema, client.get("/_mock/requests").get_json())
    action, missing = body["requests"]
    assert (action["method"], action["path"], action["status"]) == (
        "POST", "/v3/tasks/sample-ready/action", 200,
    )  # fmt: skip
    assert (action["task_id"], action["operation"]) == ("sample-ready", "start")
    assert (missing["status"], missing["task_id"]) == (404, "absent")
    assert action["request_id"] and action["duration_ms"] >= 0
    assert action["id"] < missing["id"]


def test_the_journal_says_which_fault_fired(client: FlaskClient, sms: Sms) -> None:
    fault = client.post(
        "/_mock/faults",
        json={"task_id": "sample-ready", "subtask": "SSL_CONFIG", "at_progress": 10},
    ).get_json()
    sms.act("sample-ready", "start")
    client.delete("/_mock/requests")
    advance(client, 60)
    sms.show("sample-ready")
    shown = client.get("/_mock/requests?path=/v3/tasks/*").get_json()["requests"]
    assert shown[-1]["faults"] == [fault["id"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("method=POST", ["/v3/tasks/sample-ready/action"]),
        ("status=404", ["/v3/tasks/absent"]),
        ("path=/v3/tasks/sample-*", ["/v3/tasks/sample-ready/action", "/v3/tasks/sample-abort"]),
    ],
)
def test_the_journal_filters(
    client: FlaskClient, sms: Sms, query: str, expected: list[str]
) -> None:
    client.delete("/_mock/requests")
    sms.act("sample-ready", "start")
    sms.show("absent")
    sms.show("sample-abort")
    paths = [e["path"] for e in client.get(f"/_mock/requests?{query}").get_json()["requests"]]
    assert paths == expected


def test_the_journal_since_filter_uses_wall_milliseconds(client: FlaskClient, sms: Sms) -> None:
    client.delete("/_mock/requests")
    sms.show("sample-ready")
    (first,) = client.get("/_mock/requests").get_json()["requests"]
    mark = first["time_ms"] + 1
    # The next request must be recorded in a later millisecond: wait, by polling, until the wall
    # clock has left the first one's.
    deadline = time.monotonic() + 10
    while time.time() * 1000 < mark:
        assert time.monotonic() < deadline, "the wall clock did not move"
        time.sleep(0.001)
    sms.show("sample-abort")
    entries = client.get(f"/_mock/requests?since={mark}").get_json()["requests"]
    assert [e["path"] for e in entries] == ["/v3/tasks/sample-abort"]


def test_the_journal_is_a_bounded_ring() -> None:
    client = create_app(Config(clock="manual", journal_size=3)).test_client()
    for i in range(5):
        client.get(f"/nowhere/{i}")
    entries = client.get("/_mock/requests").get_json()
    assert entries["size"] == 3
    assert [e["path"] for e in entries["requests"]] == ["/nowhere/2", "/nowhere/3", "/nowhere/4"]


# --- snapshots ----------------------------------------------------------------------------------


def test_a_snapshot_round_trip_loses_nothing(client: FlaskClient, sms: Sms, token: str) -> None:
    sms.act("sample-ready", "start")
    advance(client, 100)
    put_task(client, {"id": "extra", "state": "ABORT"}, project="ap-southeast-3")
    client.post("/_mock/faults", json={"task_id": "sample-ready", "subtask": "MIGRATE_LINUX_FILE",
                                        "at_progress": 50})  # fmt: skip
    client.post("/_mock/faults", json={"match": {"path": "/nowhere"}, "status": 418})
    for _ in range(3):
        client.post("/v3/auth/tokens", json={"auth": {"identity": {"methods": ["password"],
                    "password": {"user": {"name": "mock-user", "password": "bad",
                                          "domain": {"name": "mock-domain"}}}}}})  # fmt: skip
    saved = client.get("/_mock/snapshot").get_json()
    other = create_app(Config(clock="manual", default_fixtures=True)).test_client()
    assert other.post("/_mock/snapshot", json=saved).status_code == 200
    assert other.get("/_mock/snapshot").get_json() == saved
    # And it behaves the same from there: the token works, the fault fires in both.
    mine, theirs = Sms(client, token), Sms(other, token)
    for target in (client, other):
        advance(target, 300)
    assert theirs.task("sample-ready") == mine.task("sample-ready")
    assert theirs.task("sample-ready")["state"] == "MIGRATE_FAIL"


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        pytest.param(
            b"not json",
            "body: Malformed JSON (Expecting value: line 1 column 1 (char 0)).",
            id="not-json",
        ),
        pytest.param(b"[]", "snapshot: not a sms-mock-snapshot/2 document", id="array"),
        pytest.param(
            b'{"format": "other"}',
            "snapshot: format 'other' is not one this version reads "
            "(sms-mock-snapshot/2 or sms-mock-snapshot/1)",
            id="wrong-format",
        ),
        pytest.param(
            b'{"format": "sms-mock-snapshot/1"}',
            "snapshot: clock: Missing data for required field.",
            id="missing-parts",
        ),
    ],
)
def test_a_bad_snapshot_is_refused_and_changes_nothing(
    client: FlaskClient, sms: Sms, body: bytes, detail: str
) -> None:
    before = client.get("/_mock/snapshot").get_json()
    response = client.post("/_mock/snapshot", data=body, content_type="application/json")
    assert error_message(response, 400, "MOCK.0400") == f"Invalid request. {detail}"
    assert client.get("/_mock/snapshot").get_json() == before


# --- the admin token ----------------------------------------------------------------------------


@pytest.fixture
def guarded() -> Iterator[FlaskClient]:
    yield create_app(Config(clock="manual", admin_token="s3cret")).test_client()


@pytest.mark.parametrize(
    "path", ["/_mock/health", "/_mock/clock", "/_mock/requests", "/_mock/snapshot"]
)
def test_with_an_admin_token_the_control_plane_needs_the_header(
    guarded: FlaskClient, path: str
) -> None:
    needed = "The control plane needs the X-Mock-Admin-Token header."
    assert error_message(guarded.get(path), 401, "MOCK.0401") == needed
    wrong = guarded.get(path, headers={"X-Mock-Admin-Token": "wrong"})
    assert error_message(wrong, 401, "MOCK.0401") == needed
    assert guarded.get(path, headers={"X-Mock-Admin-Token": "s3cret"}).status_code == 200


def test_the_admin_token_does_not_guard_the_huawei_api(guarded: FlaskClient) -> None:
    answered = guarded.post("/v3/auth/tokens", json={})  # IAM's own refusal, not the admin 401
    assert error_message(answered, 400, "Bad Request") == (
        "Invalid input for field 'auth': Missing data for required field."
    )


def test_a_reset_clears_journal_and_http_faults(client: FlaskClient, sms: Sms) -> None:
    http_fault(client, match={"path": "/nowhere"}, status=418)
    sms.show("sample-ready")
    client.post("/_mock/reset", content_type="application/json")
    assert client.get("/_mock/faults").get_json() == {"faults": []}
    journal = client.get("/_mock/requests").get_json()["requests"]
    assert [e["path"] for e in journal] == ["/_mock/reset", "/_mock/faults"]  # since the reset
