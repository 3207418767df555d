"""A task's settings: PUT /v3/tasks/{id}, speed-limit windows that slow its migration on the
clock exactly as README's "Speed limits" says, configuration settings and the passphrase."""

from __future__ import annotations

import csv
import io
import math
from typing import Any

import pytest
from flask.testing import FlaskClient

from sms_mock.contracts.task_settings import (
    CertKeySchema,
    CommandSchema,
    ConfigSettingSchema,
    ConsistencyResultsSchema,
    PassphraseSchema,
    SpeedLimitsSchema,
)
from sms_mock.mock_server import Config, create_app
from sms_mock.mock_server.emulator import Emulator
from sms_mock.mock_server.sms.speed_limits import DAY_MS, Window, speed_at
from tests.support.accounts import PROJECT_ID, issue_token, project_token
from tests.support.assertions import error_body
from tests.support.helpers import Sms, advance, load_scenario, loads, now_ms, put_task

# The default task: 2,467,393,536 bytes at 2,500 Mbit/s take 7.896 s of MIGRATE_LINUX_FILE.
BYTES = 2_467_393_536
FULL_SPEED_S = round(BYTES * 8 / 2500e6, 3)  # sub-task durations are whole milliseconds
ALL_DAY = {"start": "00:00", "end": "00:00"}


def set_windows(sms: Sms, task_id: str, windows: list[dict[str, Any]]) -> None:
    response = sms.client.post(
        f"/v3/tasks/{task_id}/speed-limit", json={"speed_limit": windows}, headers=sms.headers
    )
    assert response.status_code == 200, response.get_json()


def migrate_entry(sms: Sms, task_id: str) -> dict[str, Any]:
    return next(s for s in sms.task(task_id)["sub_tasks"] if s["name"] == "MIGRATE_LINUX_FILE")


def run_to_the_end(client: FlaskClient, sms: Sms, task_id: str, step_s: float = 1) -> list[dict]:
    """Advance the clock a step at a time until the task settles; the answers read on the way."""
    seen = []
    for _ in range(100_000):
        advance(client, step_s)
        task = sms.task(task_id)
        seen.append(task)
        if task["state"] != "RUNNING":
            return seen
    raise AssertionError("the task never finished")


def migrate_seconds(sms: Sms, task_id: str) -> float:
    entry = migrate_entry(sms, task_id)
    return (entry["end_date"] - entry["start_date"]) / 1000


@pytest.mark.parametrize(
    ("speed", "seconds"), [(2500, FULL_SPEED_S), (1250, 2 * FULL_SPEED_S), (100, 25 * FULL_SPEED_S)]
)
def test_a_window_slows_the_migration_by_the_ratio_of_speeds(
    client: FlaskClient, sms: Sms, speed: int, seconds: float
) -> None:
    set_windows(sms, "sample-ready", [{**ALL_DAY, "speed": speed}])
    sms.act("sample-ready", "start")
    answers = run_to_the_end(client, sms, "sample-ready")
    assert answers[-1]["state"] == "MIGRATE_SUCCESS"
    assert migrate_seconds(sms, "sample-ready") == pytest.approx(seconds, abs=0.001)
    moving = [a for a in answers if (a["subtask_info"] or "").startswith("MIGRATE_LINUX_FILE")]
    assert moving and all(a["migrate_speed"] <= speed for a in moving)


def test_the_lower_of_window_and_task_limit_wins(client: FlaskClient, sms: Sms) -> None:
    response = sms.client.put(
        "/v3/tasks/sample-ready", json={"speed_limit": 500}, headers=sms.headers
    )
    assert response.status_code == 200
    set_windows(sms, "sample-ready", [{**ALL_DAY, "speed": 1000}])
    sms.act("sample-ready", "start")
    run_to_the_end(client, sms, "sample-ready")
    assert migrate_seconds(sms, "sample-ready") == pytest.approx(BYTES * 8 / 500e6, abs=0.001)


def test_remain_seconds_and_the_estimate_agree_and_hold_under_a_limit(
    client: FlaskClient, sms: Sms
) -> None:
    set_windows(sms, "sample-ready", [{**ALL_DAY, "speed": 100}])
    sms.act("sample-ready", "start")
    estimates = set()
    while True:
        advance(client, 20)
        task, now = sms.task("sample-ready"), now_ms(client)
        if task["state"] != "RUNNING":
            break
        assert task["remain_seconds"] == math.ceil((task["estimate_complete_time"] - now) / 1000)
        estimates.add(task["estimate_complete_time"])
    # Nothing changed on the way: every estimate was the instant the task did finish.
    assert estimates == {task["finish_date"]}


def test_a_limit_set_while_migrating_applies_from_then_on(client: FlaskClient, sms: Sms) -> None:
    sms.act("sample-ready", "start")
    while not (sms.task("sample-ready")["subtask_info"] or "").startswith("MIGRATE_LINUX_FILE"):
        advance(client, 0.5)
    advance(client, 2)
    before = migrate_entry(sms, "sample-ready")["progress"]
    set_windows(sms, "sample-ready", [{**ALL_DAY, "speed": 250}])
    assert migrate_entry(sms, "sample-ready")["progress"] == before  # the past stays as read
    run_to_the_end(client, sms, "sample-ready", step_s=0.5)
    # What was left when the limit came runs ten times slower.
    assert migrate_seconds(sms, "sample-ready") > 3 * FULL_SPEED_S


def test_identical_clocks_give_identical_answers_under_windows() -> None:
    answers = []
    for _ in range(2):
        app = create_app(Config(clock="manual"))
        client = app.test_client()
        app.extensions["sms_mock"].clock.restore({"now_ms": 1_764_000_000_000})
        sms = Sms(client, issue_token(client))
        set_windows(sms, "sample-ready", [{"start": "16:00", "end": "16:01", "speed": 10}])
        sms.act("sample-ready", "start")
        advance(client, 500)
        task = sms.task("sample-ready")
        moving = ("state", "remain_seconds", "estimate_complete_time", "migrate_speed")
        answers.append(
            (
                {key: task[key] for key in moving},
                [
                    (s["name"], s["progress"], s["start_date"], s["end_date"])
                    for s in task["sub_tasks"]
                ],
            )
        )
    assert answers[0] == answers[1]  # the target's ids are random per app; the timeline is not


@pytest.mark.parametrize(
    ("window", "minute", "applies"),
    [
        ((60, 120), 60, True),  # start inclusive
        ((60, 120), 119, True),
        ((60, 120), 120, False),  # end exclusive
        ((1380, 60), 1439, True),  # across midnight
        ((1380, 60), 0, True),
        ((1380, 60), 60, False),
        ((1380, 60), 700, False),
        ((0, 0), 700, True),  # start = end: the whole day
    ],
)
def test_window_edges(window: tuple[int, int], minute: int, applies: bool) -> None:
    speed = speed_at((Window(*window, 10),), (3 * DAY_MS) + minute * 60_000, 2500)
    assert (speed == 10) is applies


def test_windows_round_trip(sms: Sms) -> None:
    windows = [{"start": "22:00", "end": "06:00", "speed": 100, "over_speed_threshold": 50}]
    set_windows(sms, "sample-ready", windows)
    answer = loads(
        SpeedLimitsSchema,
        sms.client.get("/v3/tasks/sample-ready/speed-limit", headers=sms.headers).get_json(),
    )
    assert answer == {"speed_limit": windows}
    set_windows(sms, "sample-ready", [])
    assert sms.client.get("/v3/tasks/sample-ready/speed-limit", headers=sms.headers).get_json() == {
        "speed_limit": []
    }


@pytest.mark.parametrize("bad", ["24:00", "7:00", "07:60", "0700"])
def test_a_window_time_that_is_not_hh_mm_is_sms_6011(sms: Sms, bad: str) -> None:
    response = sms.client.post(
        "/v3/tasks/sample-ready/speed-limit",
        json={"speed_limit": [{"start": bad, "end": "08:00", "speed": 10}]},
        headers=sms.headers,
    )
    error_body(response, 400, "SMS.6011")


def test_put_task_changes_its_fields(sms: Sms) -> None:
    body = {"name": "renamed", "priority": 2, "migration_ip": "10.9.9.9", "use_ipv6": True,
            "target_server": {"name": "new-target"}}  # fmt: skip
    assert (
        sms.client.put("/v3/tasks/sample-ready", json=body, headers=sms.headers).status_code == 200
    )
    task = sms.task("sample-ready")
    assert (task["name"], task["priority"], task["migration_ip"], task["use_ipv6"]) == (
        "renamed",
        2,
        "10.9.9.9",
        True,
    )
    assert task["target_server"]["name"] == "new-target"
    assert task["target_server"]["disks"]  # the rest of the target stays


def test_configuration_settings_merge_by_key_and_read_by_key(sms: Sms) -> None:
    path = "/v3/tasks/sample-ready/configuration-setting"
    for value in ("1", "2"):
        body = {"configurations": [{"config_key": "EXCLUDE_MIGRATE_PATH", "config_value": value}]}
        assert sms.client.post(path, json=body, headers=sms.headers).status_code == 200
    other = {"configurations": [{"config_key": "SYNC_EXCLUDE_PATH", "config_value": "/tmp"}]}
    sms.client.post(path, json=other, headers=sms.headers)
    every = loads(ConfigSettingSchema, sms.client.get(path, headers=sms.headers).get_json())
    assert every["migrate_type"] == "MIGRATE_FILE"
    assert {c["config_key"]: c["config_value"] for c in every["configurations"]} == {
        "EXCLUDE_MIGRATE_PATH": "2", "SYNC_EXCLUDE_PATH": "/tmp"
    }  # fmt: skip
    one = sms.client.get(
        path, query_string={"config_key": "SYNC_EXCLUDE_PATH"}, headers=sms.headers
    )
    assert [c["config_key"] for c in one.get_json()["configurations"]] == ["SYNC_EXCLUDE_PATH"]


def test_the_passphrase_is_stable(sms: Sms) -> None:
    first = loads(
        PassphraseSchema,
        sms.client.get("/v3/tasks/sample-ready/passphrase", headers=sms.headers).get_json(),
    )
    again = sms.client.get("/v3/tasks/sample-ready/passphrase", headers=sms.headers).get_json()
    assert first == again and len(first["passphrase"]) == 32


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PUT", "/v3/tasks/sample-ready", {"name": "x"}),
        ("GET", "/v3/tasks/sample-ready/speed-limit", None),
        ("POST", "/v3/tasks/sample-ready/speed-limit", {"speed_limit": []}),
        ("GET", "/v3/tasks/sample-ready/configuration-setting", None),
        ("POST", "/v3/tasks/sample-ready/configuration-setting",
         {"configurations": [{"config_key": "k", "config_value": "v"}]}),
        ("GET", "/v3/tasks/sample-ready/passphrase", None),
    ],
)  # fmt: skip
def test_another_projects_task_settings_are_absent(
    client: FlaskClient, method: str, path: str, body: Any
) -> None:
    headers = {"X-Auth-Token": project_token(client, "ap-southeast-3")}
    response = client.open(path, method=method, json=body, headers=headers)
    error_body(response, 404, "SMS.7703")


# --- the log, certificates, consistency checks, the network check ---------------------------


@pytest.mark.parametrize("task_id", ["sample-ready", "sample-running", "sample-migrate-fail"])
def test_a_log_collection_is_accepted_in_any_state_and_moves_on_the_clock(
    client: FlaskClient, sms: Sms, task_id: str
) -> None:
    path = f"/v3/tasks/{task_id}/log"
    response = sms.client.post(path, json={"log_bucket": "logs"}, headers=sms.headers)
    assert response.status_code == 200, response.get_json()
    seen = [sms.task(task_id)["log_collect_status"]]
    for seconds in (1, 9):
        advance(client, seconds)
        seen.append(sms.task(task_id)["log_collect_status"])
    assert seen == ["INIT", "UPLOADING", "UPLOADED"]
    listed = sms.list(id=task_id).get_json()["tasks"]
    assert listed[0]["log_collect_status"] == "UPLOADED"


def test_a_finished_log_collection_leaves_a_task_at_rest(
    client: FlaskClient, sms: Sms, emulator: Emulator
) -> None:
    # A task at rest is listed from a brief kept once, not settled and re-read on every list.
    sms.client.post("/v3/tasks/sample-ready/log", json={}, headers=sms.headers)
    index = emulator.sms._indexes[PROJECT_ID]
    assert "sample-ready" in index.moving
    advance(client, 60)
    assert sms.task("sample-ready")["log_collect_status"] == "UPLOADED"
    assert "sample-ready" not in index.moving


def test_certkey_answers_the_ca_only_when_asked(sms: Sms) -> None:
    path = "/v3/tasks/sample-ready/certkey"
    plain = loads(CertKeySchema, sms.client.get(path, headers=sms.headers).get_json())
    with_ca = sms.client.get(path, query_string={"enable_ca_cert": "true"}, headers=sms.headers)
    assert plain["ca"] is None and plain["cert"].startswith("-----BEGIN CERTIFICATE-----")
    assert with_ca.get_json()["ca"].startswith("-----BEGIN CERTIFICATE-----")


def test_consistency_results_are_kept_in_order_and_judged(client: FlaskClient, sms: Sms) -> None:
    path = "/v3/tasks/sample-migrate-success/consistency-result"
    same = {"dir_check": "/etc", "num_total_files": 10, "num_different_files": 0,
            "num_target_miss_files": 0, "num_target_more_files": 0}  # fmt: skip
    differs = {**same, "dir_check": "/var", "num_different_files": 2}
    for directories in ([same], [same, differs]):
        response = sms.client.post(
            path, json={"consistency_result": directories}, headers=sms.headers
        )
        assert response.status_code == 200, response.get_json()
        advance(client, 1)
    results = loads(ConsistencyResultsSchema, sms.client.get(path, headers=sms.headers).get_json())
    assert [r["check_result"] for r in results["result_list"]] == ["OK", "FAIL"]
    assert results["result_list"][1]["consistency_result"][1]["dir_check"] == "/var"
    export = sms.client.post(
        "/v3/tasks/consistency-results/export",
        json={"task_info": [{"task_id": "sample-migrate-success", "source_name": "mail"}]},
        headers=sms.headers,
    )
    assert export.status_code == 200 and export.mimetype == "text/csv"
    assert len(export.get_data(as_text=True).splitlines()) == 1 + 3  # a header, 3 directories


def test_the_export_keeps_a_value_with_a_comma_or_a_line_break_in_its_column(sms: Sms) -> None:
    path = "/v3/tasks/sample-migrate-success/consistency-result"
    odd = {"dir_check": '/data,2024\n/x "y"', "num_total_files": 1, "num_different_files": 0,
           "num_target_miss_files": 0, "num_target_more_files": 0}  # fmt: skip
    sms.client.post(path, json={"consistency_result": [odd]}, headers=sms.headers)
    export = sms.client.post(
        "/v3/tasks/consistency-results/export",
        json={"task_info": [{"task_id": "sample-migrate-success", "source_name": "a,b"}]},
        headers=sms.headers,
    )
    header, row = list(csv.reader(io.StringIO(export.get_data(as_text=True))))
    assert len(row) == len(header) == 9
    assert (row[1], row[4]) == ("a,b", '/data,2024\n/x "y"')


def test_a_network_check_report_fills_network_check_info(sms: Sms) -> None:
    report = {"network_delay": 12.5, "loss_percentage": 0.1, "evaluation_result": "GOOD",
              "domain_connectivity": True}  # fmt: skip
    response = sms.client.post(
        "/v3/sample-ready/update-network-check-info", json=report, headers=sms.headers
    )
    assert response.get_json() == {"task_id": "sample-ready"}
    info = sms.task("sample-ready")["network_check_info"]
    assert {key: info[key] for key in report} == report
    assert set(info) == {
        "domain_connectivity", "destination_connectivity", "network_delay", "network_jitter",
        "migration_speed", "loss_percentage", "cpu_usage", "mem_usage", "evaluation_result",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/v3/tasks/sample-ready/log", {}),
        ("GET", "/v3/tasks/sample-ready/certkey", None),
        ("GET", "/v3/tasks/sample-ready/consistency-result", None),
        ("POST", "/v3/sample-ready/update-network-check-info", {"network_delay": 1}),
    ],
)
def test_another_projects_task_reports_are_absent(
    client: FlaskClient, method: str, path: str, body: Any
) -> None:
    headers = {"X-Auth-Token": project_token(client, "ap-southeast-3")}
    error_body(client.open(path, method=method, json=body, headers=headers), 404, "SMS.7703")


def test_put_task_changes_the_type_of_a_ready_task_only(sms: Sms) -> None:
    put = sms.client.put
    assert (
        put(
            "/v3/tasks/sample-ready", json={"type": "MIGRATE_BLOCK"}, headers=sms.headers
        ).status_code
        == 200
    )
    assert sms.task("sample-ready")["type"] == "MIGRATE_BLOCK"
    response = put("/v3/tasks/sample-running", json={"type": "MIGRATE_BLOCK"}, headers=sms.headers)
    error_body(response, 400, "SMS.7706")
    assert sms.task("sample-running")["type"] == "MIGRATE_FILE"


def test_put_task_keeps_the_project_the_task_lives_in(sms: Sms) -> None:
    body = {"project_id": "elsewhere", "project_name": "elsewhere"}
    assert (
        sms.client.put("/v3/tasks/sample-ready", json=body, headers=sms.headers).status_code == 200
    )
    task = sms.task("sample-ready")
    assert (task["project_name"], task["project_id"]) == (
        "cn-north-4",
        "aa672d6a0df5c7904ce88d2f516d242d",
    )


# --- the agent's side -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source_id", "command"),
    [
        ("src-sample-ready", "TASK_NOT_STARTED"),
        ("src-sample-running", "START"),
        ("src-sample-abort", "TASK_HAS_STOPPED"),
        ("src-sample-migrate-success", "TASK_HAS_FINISHED"),
    ],
)
def test_the_agent_is_told_what_its_tasks_state_asks(
    sms: Sms, source_id: str, command: str
) -> None:
    answer = loads(
        CommandSchema,
        sms.client.get(f"/v3/sources/{source_id}/command", headers=sms.headers).get_json(),
    )
    assert answer["command_name"] == command
    assert answer["command_param"]["task_id"] == source_id.removeprefix("src-")


def test_a_stop_tells_the_agent_stop(sms: Sms) -> None:
    sms.act("sample-running", "stop")
    answer = sms.client.get("/v3/sources/src-sample-running/command", headers=sms.headers)
    assert answer.get_json()["command_name"] == "STOP"


def test_a_source_without_a_task_is_sms_2252(sms: Sms) -> None:
    error_body(
        sms.client.get("/v3/sources/src-linux-file/command", headers=sms.headers), 404, "SMS.7606"
    )


def test_a_command_result_is_recorded(sms: Sms) -> None:
    body = {"command_name": "START", "result": "success", "result_detail": {"msg": "ok"}}
    response = sms.client.post(
        "/v3/sources/src-sample-running/command_result", json=body, headers=sms.headers
    )
    assert response.status_code == 200, response.get_json()


def test_a_progress_report_never_moves_a_task_on_the_clock(client: FlaskClient, sms: Sms) -> None:
    before = sms.task("sample-running")
    report = {"subtask_name": "ATTACH_AGENT_IMAGE", "progress": 100, "replicatesize": 1,
              "totalsize": 2, "process_trace": "agent says done"}  # fmt: skip
    response = sms.client.put("/v3/tasks/sample-running/progress", json=report, headers=sms.headers)
    assert response.status_code == 200, response.get_json()
    assert sms.task("sample-running")["sub_tasks"] == before["sub_tasks"]
    bad = {**report, "progress": 101}
    error_body(
        sms.client.put("/v3/tasks/sample-running/progress", json=bad, headers=sms.headers),
        400,
        "SMS.6011",
    )


def test_a_put_in_task_and_a_scenario_can_carry_speed_limits_and_an_agent(tmp_path: Any) -> None:
    import json

    folder = tmp_path / "fixtures"
    (folder / "scenarios").mkdir(parents=True)
    scenario = {
        "description": "An agent-driven task under an all-day limit.",
        "sources": [{"id": "src", "agent_driven": True}],
        "tasks": [{"id": "t", "source_server": {"id": "src"},
                   "speed_limits": [{**ALL_DAY, "speed": 100}]}],
    }  # fmt: skip
    (folder / "scenarios" / "limited.json").write_text(json.dumps(scenario))
    client = create_app(Config(clock="manual", fixtures=[folder])).test_client()
    sms = Sms(client, issue_token(client))
    loaded = load_scenario(client, "limited")
    (task_id,), (source_id,) = loaded["task_ids"], loaded["source_ids"]
    source = sms.client.get(f"/v3/sources/{source_id}", headers=sms.headers).get_json()
    assert source["current_task"]["id"] == task_id
    windows = sms.client.get(f"/v3/tasks/{task_id}/speed-limit", headers=sms.headers).get_json()
    assert windows["speed_limit"][0]["speed"] == 100
    sms.act(task_id, "start")
    advance(client, 3600)
    assert sms.task(task_id)["sub_tasks"][0]["progress"] == 0  # its agent drives it, not the clock
    put_task(client, {"id": "p", "speed_limits": [{**ALL_DAY, "speed": 5}]})
    answer = sms.client.get("/v3/tasks/p/speed-limit", headers=sms.headers).get_json()
    assert answer["speed_limit"][0]["speed"] == 5
    bad = client.post("/_mock/tasks", json={"id": "q", "speed_limits": [{"start": "25:00"}]})
    assert "speed_limits" in error_body(bad, 400, "MOCK.0400")["error_msg"]
