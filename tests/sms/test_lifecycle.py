"""The task lifecycle (README, "The lifecycle"): every row of the operations table, every wrong
state, time."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from sms_mock.contracts.error_codes import CATALOGUE
from sms_mock.contracts.sms import TaskSchema
from tests.support import lifecycle_table as table
from tests.support.accounts import issue_token
from tests.support.assertions import error_body, error_message, keeps_every_given_field
from tests.support.helpers import SEED_EXAMPLE, Sms, advance, loads, now_ms, put_task

SETTLE = 3600  # long enough for any default phase; tokens live 24 h
# The catalogue's message of each code (README, "Errors"); SMS.9001's rows share theirs.
MESSAGES = {row.code: row.message for row in CATALOGUE}
BASE = 1_700_000_000_000


def entry(i: int, name: str, op: str, progress: int = 100, done: bool = True) -> dict[str, Any]:
    start = BASE + i * 1000
    return {
        "id": i,
        "name": name,
        "progress": progress,
        "start_date": start,
        "end_date": start + 500 if done else None,
        "user_op": op,
    }


REPLICATE_DONE = [
    entry(1, "SSL_CONFIG", "REPLICATE"),
    entry(2, "ATTACH_AGENT_IMAGE", "REPLICATE"),
    entry(3, "FORMAT_DISK_LINUX_FILE", "REPLICATE"),
    entry(4, "MIGRATE_LINUX_FILE", "REPLICATE"),
]
REPLICATE_AT_40 = [*REPLICATE_DONE[:3], entry(4, "MIGRATE_LINUX_FILE", "REPLICATE", 40, False)]
RESYNC_DONE = [
    entry(5, "SSL_CONFIG", "RESYNC0"),
    entry(6, "ATTACH_AGENT_IMAGE", "RESYNC0"),
    entry(7, "SYNC_LINUX_FILE", "RESYNC0"),
]
RESYNC_AT_50 = [*RESYNC_DONE[:2], entry(7, "SYNC_LINUX_FILE", "RESYNC0", 50, False)]

# A task in each state, as QA would put it in: sub-tasks consistent with the state.
SUBTASKS_IN_STATE: dict[str, list[dict[str, Any]]] = {
    "READY": [],
    "RUNNING": REPLICATE_AT_40,
    "SYNCING": REPLICATE_DONE + RESYNC_AT_50,
    "MIGRATE_SUCCESS": REPLICATE_DONE,
    "MIGRATE_FAIL": REPLICATE_AT_40,
    "SYNC_SUCCESS": REPLICATE_DONE + RESYNC_DONE,
    "SYNC_FAIL": REPLICATE_DONE + RESYNC_AT_50,
    "ABORTING": REPLICATE_AT_40,
    "ABORT": REPLICATE_AT_40,
    "SKIPPING": REPLICATE_AT_40,
    "DELETING": REPLICATE_DONE,
    "RESETING": REPLICATE_DONE,
    "SYNC_F_ROLLBACKING": REPLICATE_DONE + RESYNC_AT_50,
    "SYNC_F_ROLLBACK_SUCCESS": REPLICATE_DONE + RESYNC_AT_50,
}


def put_in_state(client: FlaskClient, state: str, task_id: str = "t1") -> dict[str, Any]:
    subtasks = json.loads(json.dumps(SUBTASKS_IN_STATE[state]))
    return put_task(client, {"id": task_id, "state": state, "sub_tasks": subtasks})


def operation_fields(operation: str) -> dict[str, Any]:
    return {"template_id": "tpl-0001"} if operation == "clone_test" else {}


# --- the operations table, every operation in every state --------------------------------------


@pytest.mark.parametrize("state", table.STATES)
@pytest.mark.parametrize("operation", table.OPERATIONS)
def test_operation_in_state_answers_and_moves_as_the_table_says(
    client: FlaskClient, sms: Sms, operation: str, state: str
) -> None:
    before = put_in_state(client, state)
    code, row = table.expected_answer(operation, state)
    response = sms.act("t1", operation, **operation_fields(operation))
    if row is None:
        # The table's message, then the operation and the state it was refused in.
        assert error_message(response, 400, code) == (
            f"{MESSAGES[code]} The operation {operation} is not allowed in task state {state}."
        )
        assert sms.task("t1") == before  # a refused operation changes nothing
        return
    assert response.status_code == 200, response.get_json()
    assert sms.task("t1")["state"] == (row.then or state)
    advance(client, SETTLE)
    assert sms.task("t1")["state"] == (row.settles_to or state)


@pytest.mark.parametrize("state", table.STATES)
def test_delete_is_refused_only_while_a_task_moves(
    client: FlaskClient, sms: Sms, state: str
) -> None:
    put_in_state(client, state)
    response = sms.delete("t1")
    if state in table.UNDELETABLE:
        assert error_message(response, 400, "SMS.7719") == (
            f"Tasks in current state cannot be deleted. The task t1 is {state}."
        )
        assert sms.show("t1").status_code == 200
    else:
        assert response.status_code == 200
        error_body(sms.show("t1"), 404, "SMS.7703")


# --- time ----------------------------------------------------------------------------------------


def test_a_default_replication_runs_each_subtask_for_its_duration(
    client: FlaskClient, sms: Sms
) -> None:
    started = now_ms(client)
    assert sms.act("sample-ready", "start").status_code == 200
    advance(client, 200)
    task = loads(TaskSchema, sms.task("sample-ready"))
    assert task["state"] == "MIGRATE_SUCCESS"
    names = [s["name"] for s in task["sub_tasks"]]
    assert names == list(table.PHASES["REPLICATE"])
    for sub in task["sub_tasks"]:
        assert sub["progress"] == 100
        assert sub["user_op"] == "REPLICATE"
        assert sub["end_date"] - sub["start_date"] == round(table.DURATIONS_S[sub["name"]] * 1000)
    assert task["sub_tasks"][0]["start_date"] == started
    assert task["finish_date"] == task["sub_tasks"][-1]["end_date"] == started + 190_896
    assert task["total_time"] == 190_896
    assert (task["remain_seconds"], task["migrate_speed"]) == (0, 0)


def test_progress_moves_linearly_with_the_clock(client: FlaskClient, sms: Sms) -> None:
    sms.act("sample-ready", "start")
    advance(client, 2)  # half of SSL_CONFIG's 4 s
    first = sms.task("sample-ready")["sub_tasks"][0]
    assert (first["name"], first["progress"], first["end_date"]) == ("SSL_CONFIG", 50, None)
    advance(client, 2 + 88)  # half of ATTACH_AGENT_IMAGE's 176 s
    task = sms.task("sample-ready")
    assert [s["progress"] for s in task["sub_tasks"]] == [100, 50, 0, 0]
    assert task["subtask_info"] == "ATTACH_AGENT_IMAGE:50%"


def test_remaining_time_and_estimate_follow_from_the_position(
    client: FlaskClient, sms: Sms
) -> None:
    sms.act("sample-ready", "start")
    now = advance(client, 100)
    task = sms.task("sample-ready")
    remaining_ms = 190_896 - 100_000
    assert task["remain_seconds"] == -(-remaining_ms // 1000)
    assert task["estimate_complete_time"] == now + remaining_ms
    assert task["total_time"] == 100_000


def test_the_data_subtask_reports_the_speed_while_it_runs(client: FlaskClient, sms: Sms) -> None:
    sms.act("sample-ready", "start")
    advance(client, 185)
    task = sms.task("sample-ready")
    assert task["sub_tasks"][-1]["name"] == "MIGRATE_LINUX_FILE"
    assert task["migrate_speed"] == task["sub_tasks"][-1]["migrate_speed"] == 2500


def test_speed_limit_slows_the_data_subtask(client: FlaskClient, sms: Sms) -> None:
    put_task(client, {"id": "slow", "speed_limit": 250})
    sms.act("slow", "start")
    advance(client, SETTLE)
    migrate = sms.task("slow")["sub_tasks"][-1]
    assert migrate["end_date"] - migrate["start_date"] == 78_957  # ten times 7,896 ms


def test_durations_given_with_a_task_override_the_defaults(client: FlaskClient, sms: Sms) -> None:
    put_task(client, {"id": "quick", "durations": {"ATTACH_AGENT_IMAGE": 1, "SSL_CONFIG": 0}})
    sms.act("quick", "start")
    advance(client, 1 + 3 + 7.896)
    task = sms.task("quick")
    assert task["state"] == "MIGRATE_SUCCESS"
    assert [s["end_date"] - s["start_date"] for s in task["sub_tasks"]] == [0, 1000, 3000, 7896]


def test_identical_clocks_give_identical_answers(client: FlaskClient, sms: Sms) -> None:
    sms.act("sample-ready", "start")
    advance(client, 95.5)
    assert sms.show("sample-ready").data == sms.show("sample-ready").data


def test_progress_never_goes_back_and_finished_subtasks_never_change(
    client: FlaskClient, sms: Sms
) -> None:
    sms.act("sample-ready", "start")
    finished: dict[int, dict[str, Any]] = {}
    last = [0, 0, 0, 0]
    for _ in range(40):
        advance(client, 5)
        subs = sms.task("sample-ready")["sub_tasks"]
        progress = [s["progress"] for s in subs]
        assert all(a >= b for a, b in zip(progress, last, strict=True))
        last = progress
        for sub in subs:
            if sub["end_date"] is not None:
                assert finished.setdefault(sub["id"], sub) == sub


# --- phases --------------------------------------------------------------------------------------


def test_phases_are_named_as_in_the_seed_example(client: FlaskClient, sms: Sms) -> None:
    sms.act("sample-ready", "start")
    for operation in ("cutover", "start", "test", "start"):
        advance(client, SETTLE)
        assert sms.act("sample-ready", operation).status_code == 200
    advance(client, SETTLE)
    task = sms.task("sample-ready")
    assert task["state"] == "SYNC_SUCCESS"
    phases = list(dict.fromkeys(s["user_op"] for s in task["sub_tasks"]))
    assert phases == ["REPLICATE", "CUTOVER0", "RESYNC0", "CUTOVER1", "RESYNC1"]
    by_phase = {p: [s["name"] for s in task["sub_tasks"] if s["user_op"] == p] for p in phases}
    assert by_phase["CUTOVER1"] == list(table.PHASES["CUTOVERn"])
    assert by_phase["RESYNC1"] == list(table.PHASES["RESYNCn"])
    for sub in task["sub_tasks"]:
        assert sub["end_date"] - sub["start_date"] == round(table.DURATIONS_S[sub["name"]] * 1000)


@pytest.mark.parametrize(
    ("os_type", "task_type", "expected"),
    [
        ("LINUX", "MIGRATE_FILE", ["FORMAT_DISK_LINUX_FILE", "MIGRATE_LINUX_FILE"]),
        ("LINUX", "MIGRATE_BLOCK", ["FORMAT_DISK_LINUX_BLOCK", "MIGRATE_LINUX_BLOCK"]),
        ("WINDOWS", "MIGRATE_BLOCK", ["FORMAT_DISK_WINDOWS", "MIGRATE_WINDOWS_BLOCK"]),
        ("WINDOWS", "MIGRATE_FILE", ["FORMAT_DISK_WINDOWS", "MIGRATE_WINDOWS_BLOCK"]),
    ],
)
def test_subtask_names_follow_the_os_and_the_task_type(
    client: FlaskClient, sms: Sms, os_type: str, task_type: str, expected: list[str]
) -> None:
    put_task(client, {"id": "t", "os_type": os_type, "type": task_type})
    sms.act("t", "start")
    names = [s["name"] for s in sms.task("t")["sub_tasks"]]
    assert names == ["SSL_CONFIG", "ATTACH_AGENT_IMAGE", *expected]


def test_a_target_made_from_a_template_is_created_first(client: FlaskClient, sms: Sms) -> None:
    put_task(client, {"id": "t", "vm_template_id": "tpl-1"})
    sms.act("t", "start")
    advance(client, 30)
    first = sms.task("t")["sub_tasks"][0]
    assert (first["name"], first["progress"]) == ("CREATE_CLOUD_SERVER", 50)


def test_clone_test_runs_clone_vm_and_moves_the_clone_server(client: FlaskClient, sms: Sms) -> None:
    put_in_state(client, "MIGRATE_SUCCESS")
    assert sms.act("t1", "clone_test", template_id="tpl-1").status_code == 200
    states = []
    for seconds in (10, 40, 100):  # at 10 s, 50 s and 150 s of CLONE_VM's 120 s
        advance(client, seconds)
        states.append(sms.task("t1")["clone_server"]["clone_state"])
    task = sms.task("t1")
    assert states == ["PREPARING", "CREATING", "FINISHED"]
    assert task["state"] == "MIGRATE_SUCCESS"
    clone = task["sub_tasks"][-1]
    assert (clone["name"], clone["user_op"]) == ("CLONE_VM", "CLONE0")
    assert clone["end_date"] - clone["start_date"] == table.DURATIONS_S["CLONE_VM"] * 1000


def test_network_check_fills_network_check_info(client: FlaskClient, sms: Sms) -> None:
    assert sms.task("sample-ready")["network_check_info"] is None
    assert sms.act("sample-ready", "network_check").status_code == 200
    info = loads(TaskSchema, sms.task("sample-ready"))["network_check_info"]
    assert info["domain_connectivity"] is True
    assert info["migration_speed"] == 2500


# --- stop, resume, restart ----------------------------------------------------------------------


def test_stop_keeps_progress_and_start_resumes_the_same_entries(
    client: FlaskClient, sms: Sms
) -> None:
    sms.act("sample-ready", "start")
    advance(client, 92)  # ATTACH_AGENT_IMAGE at 50%
    assert sms.act("sample-ready", "stop").status_code == 200
    assert sms.task("sample-ready")["state"] == "ABORTING"
    advance(client, 2)
    stopped = sms.task("sample-ready")
    assert stopped["state"] == "ABORT"
    assert [s["progress"] for s in stopped["sub_tasks"]] == [100, 50, 0, 0]
    advance(client, 3600)
    assert sms.act("sample-ready", "start").status_code == 200
    advance(client, 88 + 3 + 7.896)  # the other half of ATTACH, then the rest
    done = sms.task("sample-ready")
    assert done["state"] == "MIGRATE_SUCCESS"
    assert [s["id"] for s in done["sub_tasks"]] == [s["id"] for s in stopped["sub_tasks"]]
    assert done["sub_tasks"][0] == stopped["sub_tasks"][0]


def test_restart_appends_fresh_entries_and_keeps_the_old_ones(
    client: FlaskClient, sms: Sms
) -> None:
    before = put_in_state(client, "MIGRATE_FAIL")
    assert sms.act("t1", "restart").status_code == 200
    advance(client, SETTLE)
    task = sms.task("t1")
    assert task["state"] == "MIGRATE_SUCCESS"
    assert task["sub_tasks"][:4] == before["sub_tasks"]
    fresh = task["sub_tasks"][4:]
    assert [s["name"] for s in fresh] == list(table.PHASES["REPLICATE"])
    assert {s["user_op"] for s in fresh} == {"REPLICATE"}
    assert not {s["id"] for s in fresh} & {s["id"] for s in before["sub_tasks"]}


# --- faults ----------------------------------------------------------------------------------


def fault(client: FlaskClient, **spec: Any) -> dict[str, Any]:
    response = client.post("/_mock/faults", json=spec)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_a_fault_fails_the_task_at_the_given_progress(client: FlaskClient, sms: Sms) -> None:
    error = {"error_code": "SMS.6531", "error_msg": "The boot partition does not exist."}
    fault(client, task_id="sample-ready", subtask="MIGRATE_LINUX_FILE", at_progress=40,
          error_json=error)  # fmt: skip
    started = now_ms(client)
    sms.act("sample-ready", "start")
    advance(client, SETTLE)
    task = sms.task("sample-ready")
    assert task["state"] == "MIGRATE_FAIL"
    assert json.loads(task["error_json"]) == error
    failed = task["sub_tasks"][-1]
    assert (failed["name"], failed["progress"], failed["end_date"]) == (
        "MIGRATE_LINUX_FILE",
        40,
        None,
    )
    # It failed at 40% of its 7,896 ms, and the clock of the answer says so.
    assert task["total_time"] == 183_000 + 3159
    assert failed["start_date"] == started + 183_000


def test_a_failed_task_started_again_resumes_and_finishes(client: FlaskClient, sms: Sms) -> None:
    fault(client, task_id="sample-ready", subtask="MIGRATE_LINUX_FILE", at_progress=40)
    sms.act("sample-ready", "start")
    advance(client, SETTLE)
    failed = sms.task("sample-ready")
    assert failed["state"] == "MIGRATE_FAIL"
    assert sms.act("sample-ready", "start").status_code == 200
    advance(client, 0.6 * 7.896)
    done = sms.task("sample-ready")
    assert done["state"] == "MIGRATE_SUCCESS"
    assert done["error_json"] == ""
    assert done["sub_tasks"][:3] == failed["sub_tasks"][:3]  # finished ones never change
    assert done["sub_tasks"][3]["id"] == failed["sub_tasks"][3]["id"]


def test_a_fault_fires_as_many_times_as_it_says(client: FlaskClient, sms: Sms) -> None:
    made = fault(client, task_id="sample-ready", subtask="SSL_CONFIG", at_progress=50, times=2)
    sms.act("sample-ready", "start")
    for _ in range(2):
        advance(client, 10)
        assert sms.task("sample-ready")["state"] == "MIGRATE_FAIL"
        sms.act("sample-ready", "start")
    advance(client, SETTLE)
    assert sms.task("sample-ready")["state"] == "MIGRATE_SUCCESS"
    listed = client.get("/_mock/faults").get_json()["faults"]
    assert [(f["id"], f["fired"], f["remaining"]) for f in listed] == [(made["id"], 2, 0)]


def test_a_pause_fault_leaves_the_task_paused_where_it_was(client: FlaskClient, sms: Sms) -> None:
    fault(client, task_id="sample-ready", subtask="ATTACH_AGENT_IMAGE", at_progress=25,
          effect="pause")  # fmt: skip
    sms.act("sample-ready", "start")
    advance(client, SETTLE)
    task = sms.task("sample-ready")
    assert task["state"] == "ABORT"
    assert [s["progress"] for s in task["sub_tasks"]] == [100, 25, 0, 0]
    assert task["error_json"] == ""


@pytest.mark.parametrize(
    ("start_state", "operation", "subtask", "failed_state"),
    [
        ("MIGRATE_SUCCESS", "start", "SYNC_LINUX_FILE", "SYNC_FAIL"),
        ("MIGRATE_SUCCESS", "cutover", "CONFIGURE_LINUX_FILE", "MIGRATE_FAIL"),
        ("READY", "start", "SSL_CONFIG", "MIGRATE_FAIL"),
    ],
)
def test_a_failure_ends_in_the_failed_state_of_its_phase(
    client: FlaskClient, sms: Sms, start_state: str, operation: str, subtask: str,
    failed_state: str,
) -> None:  # fmt: skip
    put_in_state(client, start_state)
    fault(client, task_id="t1", subtask=subtask, at_progress=10)
    sms.act("t1", operation)
    advance(client, SETTLE)
    assert sms.task("t1")["state"] == failed_state


def test_a_fault_narrowed_to_a_phase_skips_other_phases(client: FlaskClient, sms: Sms) -> None:
    fault(client, task_id="sample-ready", subtask="SSL_CONFIG", at_progress=0, phase="RESYNC")
    sms.act("sample-ready", "start")
    advance(client, SETTLE)
    assert sms.task("sample-ready")["state"] == "MIGRATE_SUCCESS"
    sms.act("sample-ready", "start")
    advance(client, SETTLE)
    assert sms.task("sample-ready")["state"] == "SYNC_FAIL"


def test_a_fault_added_after_its_moment_does_not_fire_in_the_past(
    client: FlaskClient, sms: Sms
) -> None:
    sms.act("sample-ready", "start")
    advance(client, 100)  # ATTACH_AGENT_IMAGE at 54%
    fault(client, task_id="sample-ready", subtask="ATTACH_AGENT_IMAGE", at_progress=40)
    advance(client, SETTLE)
    assert sms.task("sample-ready")["state"] == "MIGRATE_SUCCESS"


# --- tasks put in from outside: live or frozen ------------------------------------------------


def test_the_seed_example_is_frozen_and_comes_back_unchanged(client: FlaskClient, sms: Sms) -> None:
    for _ in range(3):
        task = Sms(client, issue_token(client)).task(SEED_EXAMPLE["id"])
        assert keeps_every_given_field(SEED_EXAMPLE, task)
        advance(client, 30 * 86400)


def test_a_running_task_put_in_carries_on_from_its_progress(client: FlaskClient, sms: Sms) -> None:
    subs = [*REPLICATE_DONE[:1], entry(2, "ATTACH_AGENT_IMAGE", "REPLICATE", 50, False)]
    put_task(client, {"id": "live", "state": "RUNNING", "sub_tasks": subs})
    advance(client, 44)  # a quarter of ATTACH_AGENT_IMAGE
    task = sms.task("live")
    assert [s["progress"] for s in task["sub_tasks"]] == [100, 75, 0, 0]
    assert [s["name"] for s in task["sub_tasks"]] == list(table.PHASES["REPLICATE"])
    advance(client, 44 + 3 + 7.896)
    assert sms.task("live")["state"] == "MIGRATE_SUCCESS"


def test_a_running_task_with_every_subtask_finished_is_frozen(
    client: FlaskClient, sms: Sms
) -> None:
    given = put_task(client, {"id": "frozen", "state": "RUNNING", "sub_tasks": REPLICATE_DONE})
    advance(client, SETTLE)
    assert sms.task("frozen") == given


def test_a_task_put_in_with_null_sub_tasks_starts_as_one_with_none(
    client: FlaskClient, sms: Sms
) -> None:
    # null, as the real service answers a task never started: not a 500 on its first start.
    put_task(client, {"id": "never-run", "state": "READY", "sub_tasks": None})
    assert sms.act("never-run", "start").status_code == 200
    advance(client, SETTLE)
    task = sms.task("never-run")
    assert task["state"] == "MIGRATE_SUCCESS"
    assert [s["name"] for s in task["sub_tasks"]] == list(table.PHASES["REPLICATE"])


def test_an_aborting_task_put_in_is_abort_two_seconds_later(client: FlaskClient, sms: Sms) -> None:
    put_in_state(client, "ABORTING")
    advance(client, 1.9)
    assert sms.task("t1")["state"] == "ABORTING"
    advance(client, 0.1)
    assert sms.task("t1")["state"] == "ABORT"


def test_putting_a_task_with_the_same_id_replaces_it(client: FlaskClient, sms: Sms) -> None:
    put_task(client, {"id": "sample-ready", "state": "MIGRATE_FAIL", "name": "again"})
    task = sms.task("sample-ready")
    assert (task["state"], task["name"]) == ("MIGRATE_FAIL", "again")
    assert sms.list(name="again").get_json()["count"] == 1


def test_a_fault_narrowed_to_an_occurrence_fires_on_that_run_only(
    client: FlaskClient, sms: Sms
) -> None:
    # SSL_CONFIG runs first in REPLICATE (occurrence 1), again in RESYNC0 (2) and RESYNC1 (3).
    fault(client, task_id="sample-ready", subtask="SSL_CONFIG", at_progress=50, occurrence=3)
    for _ in range(2):
        sms.act("sample-ready", "start")
        advance(client, SETTLE)
    assert sms.task("sample-ready")["state"] == "SYNC_SUCCESS"
    sms.act("sample-ready", "start")
    advance(client, SETTLE)
    task = sms.task("sample-ready")
    assert task["state"] == "SYNC_FAIL"
    assert (task["sub_tasks"][-3]["user_op"], task["sub_tasks"][-3]["progress"]) == ("RESYNC1", 50)
