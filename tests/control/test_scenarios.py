"""Named scenarios: every file loads and is served as described; control plane; --scenario."""

from __future__ import annotations

import json
import re
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from sms_mock.contracts.control import FaultListSchema, ScenarioListSchema, ScenarioLoadSchema
from sms_mock.contracts.sms import TaskSchema
from sms_mock.mock_server import Config, create_app
from sms_mock.mock_server.control.fixtures import FixtureError
from sms_mock.mock_server.control.scenarios import UnknownScenario
from tests.support import lifecycle_table as table
from tests.support.accounts import PROJECT_ID, SECOND_PROJECT_ID, issue_token, password_body
from tests.support.assertions import error_body, error_message, keeps_every_given_field
from tests.support.docs import page, site_hook
from tests.support.helpers import REPO, Sms, advance, loads, now_ms
from tests.support.servers import SMS_MOCK, issue, serving, stop

SCENARIO_DIR = REPO / "fixtures" / "scenarios"
FILES = {
    path.stem: json.loads(path.read_text(encoding="utf-8"))
    for path in sorted(SCENARIO_DIR.glob("*.json"))
}
NAMES = sorted(FILES)
HEX_ID = re.compile(r"[0-9a-f]{32}")
SETTLE = 4 * 3600  # longer than any scenario's remaining run, slow-migrate's hour included


@dataclass(frozen=True)
class Expect:
    """How a scenario's first task is served right after loading, and where it goes."""

    state: str
    source: tuple[str, str | None]  # source_server (state, migration_cycle)
    at: tuple[str, int] | None = None  # the first unfinished sub-task: (name, progress)
    failed: bool = False  # error_json holds an error; the sub-task at `at` failed there
    settles_to: str | None = None  # live: the state once the clock has moved on


# Written from the scenario list the site printed, independently of the files.
EXPECTED = {
    "ready": Expect("READY", ("waiting", None)),
    "from-template": Expect("READY", ("waiting", "setting")),
    "running-replicate": Expect(
        "RUNNING", ("replicate", "replicating"), ("ATTACH_AGENT_IMAGE", 50),
        settles_to="MIGRATE_SUCCESS",
    ),
    "paused-at-migrate": Expect("ABORT", ("stopped", "replicating"), ("MIGRATE_LINUX_FILE", 40)),
    "failed-at-migrate-40": Expect(
        "MIGRATE_FAIL", ("error", "replicating"), ("MIGRATE_LINUX_FILE", 40), failed=True
    ),
    "failed-at-configure": Expect(
        "MIGRATE_FAIL", ("error", "cutovering"), ("CONFIGURE_LINUX_FILE", 60), failed=True
    ),
    "migrate-success": Expect("MIGRATE_SUCCESS", ("finished", "replicating")),
    "cutover-done": Expect("MIGRATE_SUCCESS", ("finished", "cutovered")),
    "syncing": Expect(
        "SYNCING", ("syncing", "syncing"), ("ATTACH_AGENT_IMAGE", 50), settles_to="SYNC_SUCCESS"
    ),
    "sync-failed": Expect("SYNC_FAIL", ("error", "syncing"), ("SYNC_LINUX_FILE", 60), failed=True),
    "sync-rollback-done": Expect(
        "SYNC_F_ROLLBACK_SUCCESS", ("error", "syncing"), ("SYNC_LINUX_FILE", 60), failed=True
    ),
    "windows-block": Expect(
        "RUNNING", ("replicate", "replicating"), ("MIGRATE_WINDOWS_BLOCK", 25),
        settles_to="MIGRATE_SUCCESS",
    ),
    "clone-test": Expect(
        "RUNNING", ("cloning", "replicating"), ("CLONE_VM", 50), settles_to="MIGRATE_SUCCESS"
    ),
    "seed-example": Expect("RUNNING", ("syncing", "syncing")),
    "slow-migrate": Expect(
        "RUNNING", ("replicate", "replicating"), ("MIGRATE_LINUX_FILE", 10),
        settles_to="MIGRATE_SUCCESS",
    ),
    "fault-at-migrate-40": Expect("READY", ("waiting", None)),
}  # fmt: skip
LIVE = sorted(name for name, expect in EXPECTED.items() if expect.settles_to)

# Sub-tasks of each phase kind, by flavour (README's phase table and the names after it).
PLANS = {
    ("LINUX", "REPLICATE"): table.PHASES["REPLICATE"],
    ("LINUX", "CUTOVER"): table.PHASES["CUTOVERn"],
    ("LINUX", "RESYNC"): table.PHASES["RESYNCn"],
    ("LINUX", "CLONE"): table.PHASES["CLONEn"],
    ("WINDOWS", "REPLICATE"): (
        "SSL_CONFIG", "ATTACH_AGENT_IMAGE", "FORMAT_DISK_WINDOWS", "MIGRATE_WINDOWS_BLOCK",
    ),
}  # fmt: skip


def load(client: FlaskClient, name: str, query: str = "", **body: Any) -> dict[str, Any]:
    response = client.post(
        f"/_mock/scenarios/{name}{query}", json=body or None, content_type="application/json"
    )
    assert response.status_code == 201, response.get_json()
    return loads(ScenarioLoadSchema, response.get_json())


def try_load(client: FlaskClient, name: str, query: str = "", body: Any = None) -> TestResponse:
    """The answer to loading scenario `name`, whatever it is."""
    return client.post(
        f"/_mock/scenarios/{name}{query}", json=body, content_type="application/json"
    )


def served(sms: Sms, task_id: str) -> dict[str, Any]:
    return loads(TaskSchema, sms.task(task_id))


def current(task: dict[str, Any]) -> dict[str, Any] | None:
    """The first unfinished sub-task entry: the one running, paused or failed."""
    return next((s for s in task["sub_tasks"] if s["end_date"] is None), None)


def duration_ms(task: dict[str, Any], subtask: str, durations: dict[str, float]) -> int:
    """What README's time rules give a sub-task of this task."""
    if subtask in durations:
        return round(durations[subtask] * 1000)
    if subtask.startswith(("MIGRATE_", "SYNC_")):
        used = sum(
            volume["used_size"]
            for disk in task["target_server"]["disks"]
            for volume in disk["physical_volumes"]
        )
        fraction = 0.1 if subtask.startswith("SYNC_") else 1.0
        return round(used * fraction * 8 / 2500e6 * 1000)
    seconds = {"FORMAT_DISK_WINDOWS": 3, "CONFIGURE_WINDOWS": 111}.get(subtask)
    return round((seconds or table.DURATIONS_S[subtask]) * 1000)


# --- the list --------------------------------------------------------------------------------


def test_every_scenario_file_has_its_expectation_here() -> None:
    assert sorted(EXPECTED) == NAMES


def test_the_list_names_every_scenario_with_its_description(client: FlaskClient) -> None:
    listed = loads(ScenarioListSchema, client.get("/_mock/scenarios").get_json())["scenarios"]
    assert listed == [
        {
            "name": name,
            "description": FILES[name]["description"],
            "tasks": len(FILES[name]["tasks"]),
        }
        for name in NAMES
    ]


# --- every scenario, as described -------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_a_scenario_loads_and_is_served_as_described(
    client: FlaskClient, sms: Sms, name: str
) -> None:
    made = load(client, name)
    expect = EXPECTED[name]
    assert made["scenario"] == name
    assert made["project_id"] == PROJECT_ID
    assert len(made["task_ids"]) == len(FILES[name]["tasks"])
    assert len(made["fault_ids"]) == len(FILES[name].get("faults", []))
    task = served(sms, made["task_ids"][0])
    assert task["state"] == expect.state
    assert task["project_id"] == FILES[name]["tasks"][0].get("project_id", PROJECT_ID)
    source = task["source_server"]
    assert (source["state"], source["migration_cycle"]) == expect.source
    entry = current(task)
    if expect.at is None:
        assert entry is None
    else:
        assert entry is not None
        assert (entry["name"], entry["progress"]) == expect.at
    if expect.failed:
        assert entry is not None
        error = json.loads(task["error_json"])
        assert error["error_code"].startswith("SMS.")
        assert error["error_msg"]
        assert task["subtask_info"] == f"{entry['name']}:{entry['progress']}%"
    else:
        assert task["error_json"] in ("", None)


def test_failed_at_migrate_40_is_the_customers_failure(client: FlaskClient, sms: Sms) -> None:
    task = served(sms, load(client, "failed-at-migrate-40")["task_ids"][0])
    assert task["state"] == "MIGRATE_FAIL"
    assert json.loads(task["error_json"]) == {
        "error_code": "SMS.6531",
        "error_msg": "The boot partition does not exist.",
    }
    assert [s["name"] for s in task["sub_tasks"]] == list(table.PHASES["REPLICATE"])
    assert [s["progress"] for s in task["sub_tasks"]] == [100, 100, 100, 40]
    assert task["sub_tasks"][-1]["end_date"] is None


@pytest.mark.parametrize("name", [n for n in NAMES if n != "seed-example"])
def test_a_scenario_is_consistent_with_the_lifecycle(
    client: FlaskClient, sms: Sms, name: str
) -> None:
    """Sub-tasks named and ordered by phase, each lasting its duration, on the clock's time."""
    durations = FILES[name].get("durations", {})
    now = now_ms(client)
    for task_id in load(client, name)["task_ids"]:
        task = served(sms, task_id)
        phases: dict[str, list[dict[str, Any]]] = {}
        for entry in task["sub_tasks"]:
            phases.setdefault(entry["user_op"], []).append(entry)
        for phase, entries in phases.items():
            kind = re.sub(r"\d+$", "", phase)
            assert [e["name"] for e in entries] == list(PLANS[(task["os_type"], kind)]), phase
        previous_end = task["create_date"]
        for entry in task["sub_tasks"]:
            if entry["start_date"] is None:
                assert entry["progress"] == 0
                continue
            assert entry["start_date"] >= previous_end
            took = duration_ms(task, entry["name"], durations)
            if entry["end_date"] is not None:
                assert entry["progress"] == 100
                assert entry["end_date"] - entry["start_date"] == took, entry["name"]
                previous_end = entry["end_date"]
            elif task["state"] in ("RUNNING", "SYNCING"):
                # Live: the dates moved with the clock, so the progress and the start agree.
                assert abs(now - entry["start_date"] - took * entry["progress"] / 100) <= took / 100
        first_start = task["sub_tasks"][0]["start_date"] if task["sub_tasks"] else None
        assert task["start_date"] == first_start
        assert task["create_date"] <= (first_start or now) <= now


def test_dates_move_to_the_clock_and_the_seed_example_stays_as_given(
    client: FlaskClient, sms: Sms
) -> None:
    now = now_ms(client)
    written = FILES["failed-at-migrate-40"]
    shift = now - written["clock"]["now_ms"]
    task = served(sms, load(client, "failed-at-migrate-40")["task_ids"][0])
    given = written["tasks"][0]["sub_tasks"]
    assert [s["start_date"] for s in task["sub_tasks"]] == [s["start_date"] + shift for s in given]
    assert task["create_date"] == written["tasks"][0]["create_date"] + shift
    seed = sms.task(load(client, "seed-example")["task_ids"][0])
    assert keeps_every_given_field(FILES["seed-example"]["tasks"][0], seed)


# --- moving on --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", LIVE)
def test_a_live_scenario_moves_with_the_clock_and_finishes(
    client: FlaskClient, sms: Sms, name: str
) -> None:
    task_id = load(client, name)["task_ids"][0]
    before = served(sms, task_id)
    advance(client, 2)
    after = served(sms, task_id)
    assert after["total_time"] == before["total_time"] + 2000
    assert after["remain_seconds"] < before["remain_seconds"]
    advance(client, SETTLE)
    done = served(sms, task_id)
    assert done["state"] == EXPECTED[name].settles_to
    assert all(s["progress"] == 100 and s["end_date"] for s in done["sub_tasks"])
    assert [s["id"] for s in done["sub_tasks"]] == [s["id"] for s in before["sub_tasks"]]
    for old, new in zip(before["sub_tasks"], done["sub_tasks"], strict=True):
        if old["end_date"] is not None:
            assert new == old


def test_slow_migrate_takes_the_hour_its_durations_say(client: FlaskClient, sms: Sms) -> None:
    task_id = load(client, "slow-migrate")["task_ids"][0]
    advance(client, 3600 * 0.9 - 1)
    assert served(sms, task_id)["state"] == "RUNNING"
    advance(client, 1)
    assert served(sms, task_id)["state"] == "MIGRATE_SUCCESS"


@pytest.mark.parametrize(
    ("name", "settles_to"),
    [
        ("paused-at-migrate", "MIGRATE_SUCCESS"),
        ("failed-at-migrate-40", "MIGRATE_SUCCESS"),
        ("failed-at-configure", "MIGRATE_SUCCESS"),
        ("sync-failed", "SYNC_SUCCESS"),
    ],
)
def test_start_resumes_a_stopped_scenario_without_touching_finished_subtasks(
    client: FlaskClient, sms: Sms, name: str, settles_to: str
) -> None:
    task_id = load(client, name)["task_ids"][0]
    before = served(sms, task_id)
    resumed = current(before)
    assert resumed is not None
    assert sms.act(task_id, "start").status_code == 200
    started = now_ms(client)
    assert served(sms, task_id)["state"] in ("RUNNING", "SYNCING")
    advance(client, SETTLE)
    done = served(sms, task_id)
    assert done["state"] == settles_to
    assert done["error_json"] == ""
    assert [s["id"] for s in done["sub_tasks"]] == [s["id"] for s in before["sub_tasks"]]
    for old, new in zip(before["sub_tasks"], done["sub_tasks"], strict=True):
        if old["end_date"] is not None:
            assert new == old
    entry = next(s for s in done["sub_tasks"] if s["id"] == resumed["id"])
    assert entry["start_date"] == resumed["start_date"]  # the same entry, carried on
    rest = duration_ms(before, entry["name"], {}) * (100 - resumed["progress"]) // 100
    assert abs(entry["end_date"] - started - rest) <= 1


def test_restart_runs_the_failed_phase_again_in_fresh_entries(
    client: FlaskClient, sms: Sms
) -> None:
    task_id = load(client, "failed-at-migrate-40")["task_ids"][0]
    before = served(sms, task_id)
    assert sms.act(task_id, "restart").status_code == 200
    advance(client, SETTLE)
    done = served(sms, task_id)
    assert done["state"] == "MIGRATE_SUCCESS"
    assert done["sub_tasks"][:4] == before["sub_tasks"]
    assert [s["name"] for s in done["sub_tasks"][4:]] == list(table.PHASES["REPLICATE"])


def test_a_scenarios_fault_fires_on_its_own_task_only(client: FlaskClient, sms: Sms) -> None:
    made = load(client, "fault-at-migrate-40")
    failing, healthy = made["task_ids"]
    faults = loads(FaultListSchema, client.get("/_mock/faults").get_json())["faults"]
    assert [(f["id"], f["task_id"]) for f in faults] == [(made["fault_ids"][0], failing)]
    for task_id in (failing, healthy):
        assert sms.act(task_id, "start").status_code == 200
    advance(client, SETTLE)
    failed = served(sms, failing)
    assert failed["state"] == "MIGRATE_FAIL"
    assert json.loads(failed["error_json"])["error_code"] == "SMS.6531"
    entry = current(failed)
    assert entry is not None
    assert (entry["name"], entry["progress"]) == ("MIGRATE_LINUX_FILE", 40)
    assert served(sms, healthy)["state"] == "MIGRATE_SUCCESS"
    assert sms.act(failing, "start").status_code == 200  # a transient failure: it fired once
    advance(client, SETTLE)
    assert served(sms, failing)["state"] == "MIGRATE_SUCCESS"


# --- ids and projects ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_loading_twice_makes_distinct_tasks(client: FlaskClient, sms: Sms, name: str) -> None:
    count = sms.list().get_json()["count"]
    first, second = load(client, name)["task_ids"], load(client, name)["task_ids"]
    if FILES[name].get("keep_ids"):
        # Loaded under its own id: a second load puts the same task back as written.
        assert first == second == [task["id"] for task in FILES[name]["tasks"]]
        assert sms.list().get_json()["count"] in (count, count + len(first))
        return
    assert not set(first) & set(second)
    assert all(HEX_ID.fullmatch(task_id) for task_id in first + second)
    assert sms.list().get_json()["count"] == count + 2 * len(first)
    for task_id in first + second:
        assert served(sms, task_id)["state"] == EXPECTED[name].state


def test_a_second_load_gets_names_told_apart(client: FlaskClient, sms: Sms) -> None:
    """A name the project already has gets `_2`, `_3`: two loads never list alike rows; the
    answer names what it made, and the task's source is the renamed one."""
    written = [task["name"] for task in FILES["fault-at-migrate-40"]["tasks"]]
    loads_ = [load(client, "fault-at-migrate-40") for _ in range(3)]
    for made, suffix in zip(loads_, ("", "_2", "_3"), strict=True):
        names = [f"{name}{suffix}" for name in written]
        assert [t["name"] for t in made["tasks"]] == names
        assert [t["id"] for t in made["tasks"]] == made["task_ids"]
        assert [s["name"] for s in made["sources"]] == names  # the file names them alike
        for task_id, source_id, name in zip(
            made["task_ids"], made["source_ids"], names, strict=True
        ):
            task = served(sms, task_id)
            assert task["name"] == name
            assert task["source_server"] == {**task["source_server"], "id": source_id, "name": name}
            source = client.get(f"/v3/sources/{source_id}", headers=sms.headers).get_json()
            assert source["name"] == name
    listed = [t["name"] for t in sms.list(limit=100).get_json()["tasks"]]
    assert len(listed) == len(set(listed))


def test_a_scenario_under_its_own_ids_keeps_its_names(client: FlaskClient) -> None:
    first, second = load(client, "seed-example"), load(client, "seed-example")
    assert first["tasks"] == second["tasks"]  # the same task put back, not a second one
    assert [t["name"] for t in second["tasks"]] == ["MigrationTask"]


def test_a_scenario_loaded_into_another_project_stays_there(client: FlaskClient, sms: Sms) -> None:
    by_query = load(client, "failed-at-migrate-40", "?project=ap-southeast-3")
    by_body = load(client, "failed-at-migrate-40", project_id=SECOND_PROJECT_ID)
    ids = by_query["task_ids"] + by_body["task_ids"]
    assert by_query["project_id"] == by_body["project_id"] == SECOND_PROJECT_ID
    for task_id in ids:
        error_body(sms.show(task_id), 404, "SMS.7703")
    assert not set(ids) & {t["id"] for t in sms.list().get_json()["tasks"]}
    scoped = password_body(scope={"project": {"name": "ap-southeast-3"}})
    there = Sms(client, issue_token(client, scoped))
    for task_id in ids:
        task = loads(TaskSchema, there.task(task_id))
        assert (task["state"], task["project_id"]) == ("MIGRATE_FAIL", SECOND_PROJECT_ID)
        assert task["project_name"] == "ap-southeast-3"


def test_an_unknown_scenario_is_a_404(client: FlaskClient) -> None:
    message = error_message(try_load(client, "no-such-scenario"), 404, "MOCK.0405")
    assert "no-such-scenario" in message


@pytest.mark.parametrize(
    ("query", "body", "field"),
    [
        ("?project=nowhere", None, "project"),
        ("", {"project_id": "nowhere"}, "project_id"),
        ("?project=cn-north-4", {"project_id": SECOND_PROJECT_ID}, "project"),
        ("", {"project_id": 4}, "project_id"),
        ("", {"project": "cn-north-4"}, "project"),
        ("", ["cn-north-4"], "body"),
        ("?projects=cn-north-4", None, "projects"),
    ],
)
def test_a_bad_project_is_a_400_naming_the_field(
    client: FlaskClient, sms: Sms, query: str, body: Any, field: str
) -> None:
    count = sms.list().get_json()["count"]
    message = error_message(try_load(client, "ready", query, body), 400, "MOCK.0400")
    assert message.startswith(f"Invalid request. {field}: ")
    assert sms.list().get_json()["count"] == count  # nothing was loaded


# --- start-up scenarios and reset ---------------------------------------------------------------


def test_start_up_scenarios_come_back_under_the_same_ids_after_a_reset() -> None:
    app = create_app(
        Config(clock="manual", scenarios=["failed-at-migrate-40", "fault-at-migrate-40"])
    )
    client = app.test_client()
    emulator = app.extensions["sms_mock"]
    ids = [task_id for load in emulator.startup_scenarios for task_id in load.task_ids]
    sms = Sms(client, issue_token(client))
    assert [served(sms, task_id)["state"] for task_id in ids] == ["MIGRATE_FAIL", "READY", "READY"]
    assert sms.act(ids[0], "start").status_code == 200
    sms.delete(ids[2])
    extra = load(client, "ready")["task_ids"][0]
    assert client.post("/_mock/reset", content_type="application/json").status_code == 200
    sms = Sms(client, issue_token(client))
    assert [served(sms, task_id)["state"] for task_id in ids] == ["MIGRATE_FAIL", "READY", "READY"]
    assert sms.show(extra).status_code == 404  # loaded after the start: gone with the reset
    faults = client.get("/_mock/faults").get_json()["faults"]
    assert [(f["task_id"], f["remaining"]) for f in faults] == [(ids[1], 1)]
    assert served(sms, "sample-ready")["state"] == "READY"  # the fixtures are back too


def test_an_unknown_start_up_scenario_stops_the_start() -> None:
    with pytest.raises(UnknownScenario, match="no-such-scenario"):
        create_app(Config(clock="manual", scenarios=["ready", "no-such-scenario"]))


# --- a user's own scenarios ---------------------------------------------------------------------


def write_scenario(folder: Path, name: str, body: Any) -> Path:
    path = folder / "scenarios" / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body if isinstance(body, str) else json.dumps(body), encoding="utf-8")
    return path


def test_a_users_scenario_folder_adds_and_overrides_by_name(tmp_path: Path) -> None:
    write_scenario(tmp_path, "ticket-4711", {
        "description": "Ticket 4711: two tasks in ap-southeast-3, one paused at 70%.",
        "project": "ap-southeast-3",
        "clock": {"advance": 30},
        "durations": {"SSL_CONFIG": 600},
        "tasks": [
            {"id": "paused", "state": "ABORT", "sub_tasks": [
                {"id": 1, "name": "SSL_CONFIG", "progress": 70, "start_date": 1, "end_date": None,
                 "user_op": "REPLICATE"}]},
            {"id": "other", "durations": {"SSL_CONFIG": 4}},
        ],
        "faults": [{"task_id": "other", "subtask": "SSL_CONFIG", "at_progress": 50,
                    "effect": "pause"}],
    })  # fmt: skip
    write_scenario(tmp_path, "ready", {"description": "Mine.", "tasks": [{"name": "mine"}]})
    app = create_app(Config(clock="manual", fixtures=[tmp_path]))
    client = app.test_client()
    listed = {s["name"]: s for s in client.get("/_mock/scenarios").get_json()["scenarios"]}
    assert set(listed) == {*NAMES, "ticket-4711"}
    assert listed["ready"] == {"name": "ready", "description": "Mine.", "tasks": 1}
    before = now_ms(client)
    made = load(client, "ticket-4711")
    assert made["project_id"] == SECOND_PROJECT_ID
    assert now_ms(client) == before + 30_000  # the scenario's clock moved the emulator's
    there = Sms(
        client, issue_token(client, password_body(scope={"project": {"id": SECOND_PROJECT_ID}}))
    )
    paused, other = made["task_ids"]
    assert sms_state(there, paused) == "ABORT"
    there.act(paused, "start")
    advance(client, 0.3 * 600 - 0.001)  # the rest of the scenario's 600 s for SSL_CONFIG
    assert current_name(there, paused) == "SSL_CONFIG"
    advance(client, 0.001)
    assert current_name(there, paused) == "ATTACH_AGENT_IMAGE"
    there.act(other, "start")
    advance(client, 2)
    assert sms_state(there, other) == "ABORT"  # its own 4 s, and its fault at 50%
    mine = load(client, "ready")["task_ids"][0]
    assert Sms(client, issue_token(client)).task(mine)["name"] == "mine"


def sms_state(sms: Sms, task_id: str) -> str:
    return served(sms, task_id)["state"]


def current_name(sms: Sms, task_id: str) -> str | None:
    entry = current(served(sms, task_id))
    return entry and entry["name"]


GOOD_TASK = {"id": "t", "state": "READY"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"tasks": [GOOD_TASK]}, "description"),
        ({"description": "two\nlines", "tasks": [GOOD_TASK]}, "description"),
        ({"description": "d", "tasks": []}, "tasks"),
        ({"description": "d", "tasks": [GOOD_TASK], "colour": "red"}, "colour"),
        ({"description": "d", "tasks": [{"state": "PAUSED"}]}, "tasks.0.state"),
        ({"description": "d", "tasks": [GOOD_TASK, {"id": "bad id!"}]}, "tasks.1.id"),
        ({"description": "d", "tasks": [GOOD_TASK, GOOD_TASK]}, "tasks.1.id"),
        ({"description": "d", "tasks": [{"durations": {"NAP": 1}}]}, "tasks.0.durations.NAP.key"),
        ({"description": "d", "tasks": ["READY"]}, "tasks.0"),
        ({"description": "d", "tasks": [GOOD_TASK], "clock": {"advance": -1}}, "clock.advance"),
        ({"description": "d", "tasks": [GOOD_TASK], "durations": {"SSL_CONFIG": "4"}},
         "durations.SSL_CONFIG.value"),
        ({"description": "d", "tasks": [GOOD_TASK], "project": "nowhere"}, "project"),
        ({"description": "d", "tasks": [GOOD_TASK],
          "faults": [{"task_id": "x", "subtask": "SSL_CONFIG"}]}, "faults.0.task_id"),
        ({"description": "d", "tasks": [GOOD_TASK],
          "faults": [{"task_id": "t", "subtask": "NAP"}]}, "faults.0.subtask"),
        ({"description": "d", "tasks": [GOOD_TASK], "faults": [{"task_id": "t"}]},
         "faults.0.subtask"),
        ('{"description": "d", "tasks": [', None),
        (["not", "an", "object"], "body"),
    ],
)  # fmt: skip
def test_a_malformed_scenario_stops_the_start_naming_file_and_field(
    tmp_path: Path, body: Any, field: str | None
) -> None:
    path = write_scenario(tmp_path, "broken", body)
    with pytest.raises(FixtureError) as raised:
        create_app(Config(clock="manual", fixtures=[tmp_path]))
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    if field is not None:
        assert message.startswith(f"{path}: {field}: ")


def test_a_scenario_file_name_must_be_a_name(tmp_path: Path) -> None:
    path = write_scenario(tmp_path, "has space", {"description": "d", "tasks": [GOOD_TASK]})
    with pytest.raises(FixtureError, match=re.escape(f"{path}: name: ")):
        create_app(Config(clock="manual", fixtures=[tmp_path]))


# --- sms-mock serve --scenario, over real HTTP --------------------------------------------------


def test_serve_loads_a_scenario_at_start_and_again_after_a_reset() -> None:
    command = (SMS_MOCK, "serve", "--clock", "manual", "--scenario", "failed-at-migrate-40")
    with serving(*command) as (process, url):
        headers = {"X-Auth-Token": issue(url)}
        listed = requests.get(
            f"{url}/v3/tasks", params={"name": "file-01"}, headers=headers, timeout=5
        )
        [brief] = listed.json()["tasks"]
        show = f"{url}/v3/tasks/{brief['id']}"
        task = TaskSchema().load(requests.get(show, headers=headers, timeout=5).json())
        assert task["state"] == "MIGRATE_FAIL"
        assert json.loads(task["error_json"])["error_code"] == "SMS.6531"
        assert (task["sub_tasks"][-1]["name"], task["sub_tasks"][-1]["progress"]) == (
            "MIGRATE_LINUX_FILE",
            40,
        )
        start = requests.post(
            f"{show}/action", json={"operation": "start"}, headers=headers, timeout=5
        )
        assert start.status_code == 200
        assert requests.post(f"{url}/_mock/reset", json={}, timeout=5).status_code == 200
        headers = {"X-Auth-Token": issue(url)}
        again = requests.get(show, headers=headers, timeout=5).json()
        assert again["state"] == "MIGRATE_FAIL"
        assert stop(process, signal.SIGTERM)[0] == 0


def test_serve_refuses_an_unknown_scenario_in_one_line() -> None:
    result = subprocess.run(
        [SMS_MOCK, "serve", "--port", "0", "--scenario", "no-such-scenario"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert re.fullmatch(r"sms-mock: --scenario: no scenario 'no-such-scenario' \(known: .*\)\n",
                        result.stderr)  # fmt: skip


# --- the site ------------------------------------------------------------------------------------


def test_the_site_lists_exactly_the_scenario_files() -> None:
    # docs/control-plane.md asks for the list; the site's build makes it from the files.
    assert "<!-- generated: scenarios -->" in page("control-plane.md")
    rows = site_hook().scenarios().splitlines()[2:]
    listed = [re.fullmatch(r"\| `([^`]+)` \| (.+) \|", row) for row in rows]
    assert all(listed), rows
    assert [(m.group(1), m.group(2)) for m in listed if m] == [
        (name, FILES[name]["description"]) for name in NAMES
    ]


def test_a_scenarios_sources_and_templates_load_under_fresh_ids_tied_to_its_task(
    client: FlaskClient,
) -> None:
    first = load(client, "from-template")
    second = load(client, "from-template")
    assert first["source_ids"] != second["source_ids"]
    headers = {"X-Auth-Token": issue_token(client)}
    for loaded in (first, second):
        (source_id,), (template_id,), (task_id,) = (
            loaded["source_ids"],
            loaded["template_ids"],
            loaded["task_ids"],
        )
        source = client.get(f"/v3/sources/{source_id}", headers=headers).get_json()
        assert source["current_task"]["id"] == task_id
        task = client.get(f"/v3/tasks/{task_id}", headers=headers).get_json()
        assert (task["source_server"]["id"], task["vm_template_id"]) == (source_id, template_id)
        template = client.get(f"/v3/vm/templates/{template_id}", headers=headers).get_json()
        assert template["template"]["target_server_name"] == "app-02-target"


def test_a_reset_brings_start_up_scenario_sources_back_under_their_ids() -> None:
    app = create_app(Config(clock="manual", scenarios=["from-template"]))
    client = app.test_client()
    (loaded,) = app.extensions["sms_mock"].startup_scenarios
    client.post("/_mock/reset", content_type="application/json")
    (again,) = app.extensions["sms_mock"].startup_scenarios
    assert (again.source_ids, again.template_ids, again.task_ids) == (
        loaded.source_ids,
        loaded.template_ids,
        loaded.task_ids,
    )
