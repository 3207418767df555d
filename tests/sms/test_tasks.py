"""SMS v3 task API: create, show, list, delete, delete-many, projects apart, SDK keys present."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from sms_mock.contracts.sms import CreateTaskResponseSchema, TaskListSchema, TaskSchema
from sms_mock.mock_server.emulator import Emulator
from sms_mock.mock_server.sms.lifecycle import AUTO_START_AFTER_S
from tests.support import sdk_keys
from tests.support.accounts import (
    PROJECT_ID,
    SECOND_PROJECT_ID,
    issue_token,
    other_user_token,
    password_body,
)
from tests.support.assertions import changes_nothing, error_body, error_message
from tests.support.helpers import Sms, advance, create_body, free_source, loads, put_task

FIXTURE_TASKS = 6  # five samples and the seed's example, in the default project


# --- every key of the SDK models ----------------------------------------------------------


def assert_keys(doc: dict[str, Any], keys: tuple[str, ...]) -> None:
    missing = [key for key in keys if key not in doc]
    assert not missing, f"missing SDK keys: {missing}"


def assert_only_keys(doc: dict[str, Any], keys: tuple[str, ...]) -> None:
    """Every key of the SDK model, and no other."""
    assert_keys(doc, keys)
    extra = sorted(set(doc) - set(keys))
    assert not extra, f"keys the SDK model does not have: {extra}"


def test_a_task_answer_carries_every_key_of_the_sdk_model(sms: Sms) -> None:
    task = sms.task("sample-ready")
    assert_keys(task, sdk_keys.SHOW_TASK_KEYS)
    assert_keys(task["source_server"], sdk_keys.SOURCE_SERVER_KEYS)
    assert_keys(task["target_server"], sdk_keys.TARGET_SERVER_KEYS)
    assert_keys(task["target_server"]["disks"][0], sdk_keys.TARGET_DISK_KEYS)
    assert_keys(
        task["target_server"]["disks"][0]["physical_volumes"][0], sdk_keys.PHYSICAL_VOLUME_KEYS
    )
    assert task["clone_server"] is None and task["connected"] is None


def test_subtasks_carry_every_key_of_the_sdk_model(sms: Sms) -> None:
    for sub in sms.task("sample-running")["sub_tasks"]:
        assert_keys(sub, sdk_keys.SUB_TASK_KEYS)


def test_a_clone_test_gives_a_clone_server_with_the_sdk_models_keys(sms: Sms) -> None:
    assert sms.act("sample-migrate-success", "clone_test", template_id="tpl-1").status_code == 200
    assert_only_keys(sms.task("sample-migrate-success")["clone_server"], sdk_keys.CLONE_SERVER_KEYS)


def test_a_network_check_gives_network_check_info_with_the_sdk_models_keys(sms: Sms) -> None:
    assert sms.act("sample-ready", "network_check").status_code == 200
    info = sms.task("sample-ready")["network_check_info"]
    assert_only_keys(info, sdk_keys.NETWORK_CHECK_INFO_KEYS)
    # The list view's task carries the same object (the SDK reads both with one model).
    [listed] = sms.list(id="sample-ready").get_json()["tasks"]
    assert listed["network_check_info"] == info


def test_a_list_answer_carries_every_key_of_the_sdk_model(sms: Sms) -> None:
    body = sms.list().get_json()
    for task in body["tasks"]:
        assert_keys(task, sdk_keys.LIST_TASK_KEYS)
        assert_keys(task["source_server"], sdk_keys.LIST_SOURCE_SERVER_KEYS)
        assert_keys(task["target_server"], sdk_keys.LIST_TARGET_SERVER_KEYS)
        for sub in task["sub_tasks"]:
            assert_keys(sub, sdk_keys.LIST_SUB_TASK_KEYS)
            assert "user_op" not in sub  # the list view's sub-tasks are brief


def test_every_answer_has_a_request_id(client: FlaskClient, sms: Sms) -> None:
    responses = [sms.show("sample-ready"), sms.list(), sms.show("absent"), client.get("/nowhere")]
    ids = [r.headers["X-Request-Id"] for r in responses]
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)
    assert len(set(ids)) == len(ids)


# --- create -------------------------------------------------------------------------------


def test_create_makes_a_ready_task_with_a_32_hex_id(client: FlaskClient, sms: Sms) -> None:
    source_id = free_source(client)
    response = sms.create(create_body(source_id))
    assert response.status_code == 200
    task_id = loads(CreateTaskResponseSchema, response.get_json())["id"]
    assert re.fullmatch(r"[0-9a-f]{32}", task_id)
    task = loads(TaskSchema, sms.task(task_id))
    assert (task["state"], task["name"], task["type"]) == ("READY", "web-01", "MIGRATE_FILE")
    assert task["source_server"]["id"] == source_id
    disk = task["target_server"]["disks"][0]
    assert (disk["size"], disk["physical_volumes"][0]["used_size"]) == (42949672960, 2467393536)
    assert task["sub_tasks"] == []


def test_create_with_auto_start_is_ready_then_starts_at_the_agents_next_poll(
    client: FlaskClient, sms: Sms
) -> None:
    task_id = sms.create(create_body(free_source(client), auto_start=True)).get_json()["id"]
    assert sms.task(task_id)["state"] == "READY"  # as Terraform's acceptance test reads it
    advance(client, AUTO_START_AFTER_S - 0.001)
    assert sms.task(task_id)["state"] == "READY"
    advance(client, 0.001)
    task = sms.task(task_id)
    assert task["state"] == "RUNNING"
    assert task["sub_tasks"][0]["start_date"] == task["create_date"] + AUTO_START_AFTER_S * 1000


def test_a_created_task_runs_the_whole_lifecycle(client: FlaskClient, sms: Sms) -> None:
    task_id = sms.create(create_body(free_source(client))).get_json()["id"]
    sms.act(task_id, "start")
    advance(client, 3600)
    assert sms.task(task_id)["state"] == "MIGRATE_SUCCESS"


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"name": "has space"}, "name"),
        ({"type": "MIGRATE_DISK"}, "type"),
        ({"priority": "1"}, "priority"),
        ({"syncing": 0}, "syncing"),
        (
            {"target_server": {"name": "t", "vm_id": "v", "disks": "/dev/vda"}},
            "target_server.disks",
        ),
        ({"source_server": {}}, "source_server.id"),
        ({"source_server": {"id": "src 01"}}, "source_server.id"),
    ],
)
def test_create_refuses_a_bad_body_naming_the_field(
    client: FlaskClient, sms: Sms, override: dict[str, Any], field: str
) -> None:
    response = sms.create(create_body(free_source(client), **override))
    assert field in error_message(response, 400, {"SMS.6011", "SMS.6013", "SMS.7711"})
    assert sms.list().get_json()["count"] == FIXTURE_TASKS


# --- create: the source and the template --------------------------------------------------


def terraform_body(source_id: str) -> dict[str, Any]:
    """A template-based task as Terraform's huaweicloud_sms_task sends it: the target's disks
    only (no disk used_size, no target name or vm_id), every flag a boolean."""
    return {
        "name": "MigrationTask",
        "type": "MIGRATE_FILE",
        "os_type": "LINUX",
        "priority": 1,
        "source_server": {"id": source_id},
        "target_server": {
            "disks": [
                {
                    "name": "/dev/sda",
                    "size": 42949672960,
                    "device_use": "BOOT",
                    "physical_volumes": [
                        {
                            "name": "/dev/sda1",
                            "size": 42948624384,
                            "device_use": "OS",
                            "file_system": "ext4",
                            "mount_point": "/",
                            "index": 0,
                            "uuid": "2f5c0a5e-8b6a-4c1f-9d3e-7a1b2c3d4e5f",
                            "used_size": 2467393536,
                        }
                    ],
                }
            ]
        },
        "vm_template_id": "tpl-default",
        "region_name": "cn-north-4",
        "region_id": "cn-north-4",
        "project_name": "cn-north-4",
        "project_id": PROJECT_ID,
        "use_public_ip": True,
        "start_target_server": True,
        "syncing": False,
        "auto_start": False,
        "use_ipv6": False,
        "start_network_check": False,
        "is_need_consistency_check": False,
        "need_migration_test": False,
        "exist_server": False,
    }


@pytest.fixture
def terraform_task(client: FlaskClient, sms: Sms) -> str:
    """A task created from `terraform_body` on a fresh source; its id."""
    response = sms.create(terraform_body(free_source(client)))
    assert response.status_code == 200, response.get_json()
    return loads(CreateTaskResponseSchema, response.get_json())["id"]


def test_create_refuses_an_unknown_source_with_sms_2216(emulator: Emulator, sms: Sms) -> None:
    with changes_nothing(emulator):
        error_body(sms.create(create_body("src-absent")), 400, "SMS.7602")


def test_create_refuses_a_second_task_for_a_source_with_sms_9013(
    client: FlaskClient, emulator: Emulator, sms: Sms
) -> None:
    source_id = free_source(client)
    assert sms.create(create_body(source_id)).status_code == 200
    with changes_nothing(emulator):
        error_body(sms.create(create_body(source_id, name="web-02")), 400, "SMS.6005")


def test_deleting_a_task_frees_its_source_for_a_new_task(client: FlaskClient, sms: Sms) -> None:
    source_id = free_source(client)
    first = sms.create(create_body(source_id)).get_json()["id"]
    assert sms.delete(first).status_code == 200
    response = sms.create(create_body(source_id, name="web-02"))
    assert response.status_code == 200, response.get_json()
    assert sms.task(response.get_json()["id"])["source_server"]["id"] == source_id


def test_create_refuses_another_projects_source_with_sms_2216(
    client: FlaskClient, emulator: Emulator, sms: Sms
) -> None:
    theirs = free_source(client, project="ap-southeast-3")
    with changes_nothing(emulator):
        error_body(sms.create(create_body(theirs)), 400, "SMS.7602")


def test_create_accepts_a_template_based_body_as_terraform_sends_it(
    sms: Sms, terraform_task: str
) -> None:
    task = loads(TaskSchema, sms.task(terraform_task))
    assert (task["state"], task["name"]) == ("READY", "MigrationTask")
    assert task["vm_template_id"] == "tpl-default"


def test_a_template_based_task_takes_the_templates_target_server_name(
    sms: Sms, terraform_task: str
) -> None:
    assert sms.task(terraform_task)["target_server"]["name"] == "migrated-ecs"


def test_a_template_based_task_creates_the_cloud_server_first(
    sms: Sms, terraform_task: str
) -> None:
    assert sms.act(terraform_task, "start").status_code == 200
    assert sms.task(terraform_task)["sub_tasks"][0]["name"] == "CREATE_CLOUD_SERVER"


def test_a_created_task_is_its_sources_current_task(sms: Sms, terraform_task: str) -> None:
    source_id = sms.task(terraform_task)["source_server"]["id"]
    response = sms.client.get(f"/v3/sources/{source_id}", headers=sms.headers)
    assert response.status_code == 200, response.get_json()
    source = response.get_json()
    assert source["current_task"]["id"] == terraform_task
    assert (source["state"], source["migration_cycle"]) == ("waiting", "setting")


def test_create_refuses_an_unknown_template_with_sms_9011(
    client: FlaskClient, emulator: Emulator, sms: Sms
) -> None:
    body = terraform_body(free_source(client))
    with changes_nothing(emulator):
        error_body(sms.create({**body, "vm_template_id": "tpl-absent"}), 400, "SMS.7101")


# --- list ---------------------------------------------------------------------------------


def test_list_answers_every_task_of_the_project_by_default(sms: Sms) -> None:
    body = loads(TaskListSchema, sms.list().get_json())
    assert body["count"] == len(body["tasks"]) == FIXTURE_TASKS


def test_list_pages_by_records_and_count_ignores_paging(client: FlaskClient, sms: Sms) -> None:
    for i in range(12):
        put_task(client, {"id": f"p{i:02d}", "name": "paged", "create_date": 1_800_000_000_000 + i})
    everything = [t["id"] for t in sms.list(name="paged").get_json()["tasks"]]
    assert everything == [f"p{i:02d}" for i in reversed(range(12))]  # newest first
    pages = [sms.list(name="paged", limit=5, offset=offset).get_json() for offset in (0, 5, 10)]
    assert [p["count"] for p in pages] == [12, 12, 12]
    assert [t["id"] for p in pages for t in p["tasks"]] == everything
    assert sms.list(name="paged", limit=0).get_json() == {"count": 12, "tasks": []}
    assert sms.list(name="paged", offset=100).get_json() == {"count": 12, "tasks": []}


def test_list_limit_defaults_to_100_and_reaches_200(client: FlaskClient, sms: Sms) -> None:
    for i in range(205):
        put_task(client, {"id": f"many{i}", "name": "many"})
    assert len(sms.list(name="many").get_json()["tasks"]) == 100
    assert len(sms.list(name="many", limit=200).get_json()["tasks"]) == 200


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"state": "MIGRATE_FAIL"}, ["sample-migrate-fail"]),
        ({"state": "SYNC_SUCCESS"}, []),
        ({"name": "paused-app-01"}, ["sample-abort"]),
        ({"id": "sample-ready"}, ["sample-ready"]),
        ({"source_server_id": "src-sample-running"}, ["sample-running"]),
        ({"state": "READY", "name": "ready-web-01"}, ["sample-ready"]),
        ({"state": "READY", "name": "paused-app-01"}, []),
    ],
)
def test_list_filters(sms: Sms, query: dict[str, str], expected: list[str]) -> None:
    body = sms.list(**query).get_json()
    assert sorted(t["id"] for t in body["tasks"]) == expected
    assert body["count"] == len(expected)


def test_a_task_given_no_enterprise_project_is_in_the_default_one_and_listed_by_it(
    client: FlaskClient, sms: Sms
) -> None:
    created = sms.create(create_body(free_source(client))).get_json()["id"]
    put_in = put_task(client, {"id": "no-ep"})["id"]
    elsewhere = put_task(client, {"id": "in-ep", "enterprise_project_id": "ep-1"})["id"]
    for task_id in (created, put_in, "sample-ready"):
        assert sms.task(task_id)["enterprise_project_id"] == "0", task_id
    listed = loads(TaskListSchema, sms.list(enterprise_project_id="0").get_json())
    assert listed["count"] == FIXTURE_TASKS + 2
    assert {created, put_in} <= {t["id"] for t in listed["tasks"]}
    assert {t["enterprise_project_id"] for t in listed["tasks"]} == {"0"}
    assert [t["id"] for t in sms.list(enterprise_project_id="ep-1").get_json()["tasks"]] == [
        elsewhere
    ]
    # Moved out of it by PUT, a task leaves the default project's list.
    moved = sms.client.put(
        f"/v3/tasks/{created}", json={"enterprise_project": "ep-1"}, headers=sms.headers
    )
    assert moved.status_code == 200, moved.get_json()
    assert created not in {t["id"] for t in sms.list(enterprise_project_id="0").get_json()["tasks"]}


def test_the_state_filter_sees_the_state_at_the_clock(client: FlaskClient, sms: Sms) -> None:
    sms.act("sample-ready", "start")
    assert [t["id"] for t in sms.list(state="READY").get_json()["tasks"]] == []
    advance(client, 3600)
    ids = {t["id"] for t in sms.list(state="MIGRATE_SUCCESS").get_json()["tasks"]}
    assert {"sample-ready", "sample-migrate-success"} <= ids


# --- delete ---------------------------------------------------------------------------------


def test_delete_removes_the_task_at_once(sms: Sms) -> None:
    assert sms.delete("sample-ready").status_code == 200
    assert sms.show("sample-ready").status_code == 404
    error_body(sms.delete("sample-ready"), 404, "SMS.7703")


def test_delete_many_removes_every_task_named(sms: Sms) -> None:
    response = sms.delete_many(["sample-ready", "sample-abort"])
    assert response.status_code == 200
    assert sms.list().get_json()["count"] == FIXTURE_TASKS - 2


@pytest.mark.parametrize(
    ("ids", "status", "code"),
    [
        (["sample-ready", "absent"], 404, "SMS.7703"),
        (["sample-ready", "sample-running"], 400, "SMS.7719"),
    ],
)
def test_delete_many_deletes_nothing_when_one_id_is_refused(
    sms: Sms, ids: list[str], status: int, code: str
) -> None:
    response = sms.delete_many(ids)
    error_body(response, status, code)
    assert sms.show("sample-ready").status_code == 200


# --- projects apart -------------------------------------------------------------------------


@pytest.fixture
def neighbour(client: FlaskClient) -> Sms:
    """A caller of the same account scoped to the other project, ap-southeast-3."""
    token = issue_token(client, password_body(scope={"project": {"id": SECOND_PROJECT_ID}}))
    return Sms(client, token)


def test_a_task_of_another_project_is_invisible(neighbour: Sms, sms: Sms) -> None:
    assert neighbour.list().get_json() == {"count": 0, "tasks": []}
    assert neighbour.list(id="sample-ready").get_json()["count"] == 0
    for response in (
        neighbour.show("sample-ready"),
        neighbour.act("sample-ready", "start"),
        neighbour.delete("sample-ready"),
        neighbour.delete_many(["sample-ready"]),
    ):
        error_body(response, 404, "SMS.7703")
    assert sms.task("sample-ready")["state"] == "READY"


def test_another_accounts_caller_sees_only_its_own_tasks(client: FlaskClient, sms: Sms) -> None:
    put_task(client, {"id": "theirs"}, project="eu-west-101")
    other = Sms(client, other_user_token(client))
    assert [t["id"] for t in other.list().get_json()["tasks"]] == ["theirs"]
    assert other.show("sample-ready").status_code == 404
    assert sms.show("theirs").status_code == 404


def test_the_same_id_in_two_projects_is_two_tasks(
    client: FlaskClient, sms: Sms, neighbour: Sms
) -> None:
    put_task(client, {"id": "twin", "name": "here"})
    put_task(client, {"id": "twin", "name": "there"}, project="ap-southeast-3")
    neighbour.act("twin", "start")
    assert (sms.task("twin")["name"], sms.task("twin")["state"]) == ("here", "READY")
    assert (neighbour.task("twin")["name"], neighbour.task("twin")["state"]) == ("there", "RUNNING")
