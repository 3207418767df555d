"""Source servers, server templates and migration projects, as the emulator serves them: what
each call answers, the rules that tie them to tasks, and tenancy (README, "Source servers,
templates and migration projects")."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from sms_mock.contracts.migprojects import MigprojectListSchema, MigprojectShowSchema
from sms_mock.contracts.sources import (
    ErrorListSchema,
    SourceListSchema,
    SourceOverviewSchema,
    SourceSchema,
)
from sms_mock.contracts.templates import TemplateListSchema, TemplateShowSchema
from sms_mock.mock_server.sms.lifecycle import SourceEvent, source_state
from tests.support.accounts import PROJECT_ID, other_user_token, project_token
from tests.support.assertions import error_body
from tests.support.helpers import add_fault, advance, loads

JSON = "application/json"

REGISTRATION = {
    "name": "web-01",
    "ip": "10.0.0.5",
    "os_type": "LINUX",
    "os_version": "CENTOS_7_9_64BIT",
    "agent_version": "24.3.0",
    "networks": [{"name": "eth0", "ip": "10.0.0.5", "mac": "fa:16:3e:11:22:33"}],
    "disks": [
        {
            "name": "/dev/vda",
            "size": 42949672960,
            "used_size": 3221225472,
            "device_use": "BOOT",
            "physical_volumes": [
                {"name": "/dev/vda1", "mount_point": "/", "file_system": "ext4",
                 "size": 42949672960, "used_size": 3221225472},
            ],
        },
        {"name": "/dev/vdb", "size": 107374182400, "used_size": 1073741824, "device_use": "NORMAL"},
    ],
}  # fmt: skip


class Api:
    """SMS calls of one caller, by path."""

    def __init__(self, client: FlaskClient, token: str) -> None:
        self.client, self.headers = client, {"X-Auth-Token": token}

    def get(self, path: str, **query: Any) -> TestResponse:
        return self.client.get(path, headers=self.headers, query_string=query)

    def post(self, path: str, body: Any = None) -> TestResponse:
        return self.client.post(path, json=body, headers=self.headers)

    def put(self, path: str, body: Any = None) -> TestResponse:
        return self.client.put(path, json=body, headers=self.headers)

    def delete(self, path: str) -> TestResponse:
        return self.client.delete(path, headers=self.headers)

    def ok(self, response: TestResponse) -> Any:
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    def register(self, **changes: Any) -> str:
        return self.ok(self.post("/v3/sources", {**REGISTRATION, **changes}))["id"]

    def source(self, source_id: str) -> dict[str, Any]:
        return loads(SourceSchema, self.ok(self.get(f"/v3/sources/{source_id}")))

    def create_task(self, source_id: str, **changes: Any) -> str:
        body = {
            "name": "MigrationTask", "type": "MIGRATE_FILE", "os_type": "LINUX",
            "region_name": "cn-north-4", "region_id": "cn-north-4",
            "project_name": "cn-north-4", "project_id": PROJECT_ID,
            "source_server": {"id": source_id},
            "target_server": {"disks": [{"name": "/dev/vda", "size": 42949672960}]},
            **changes,
        }  # fmt: skip
        return self.ok(self.post("/v3/tasks", body))["id"]


@pytest.fixture
def api(client: FlaskClient, token: str) -> Api:
    return Api(client, token)


# --- source servers ---------------------------------------------------------------------------


def test_a_registered_source_answers_every_key_with_integer_disk_ids(api: Api) -> None:
    source = api.source(api.register())
    assert set(SourceSchema().fields) <= set(source)
    assert (source["name"], source["ip"], source["agent_version"]) == (
        "web-01",
        "10.0.0.5",
        "24.3.0",
    )
    assert (source["state"], source["migration_cycle"]) == ("waiting", "checking")
    assert all(type(disk["id"]) is int for disk in source["disks"])
    assert source["current_task"] is None


def test_init_target_server_suggests_a_disk_for_each_migrated_source_disk(api: Api) -> None:
    source_id = api.register()
    disks = api.source(source_id)["init_target_server"]["disks"]
    assert [(d["name"], d["size"]) for d in disks] == [
        ("/dev/vda", 42949672960),
        ("/dev/vdb", 107374182400),
    ]
    vdb = api.source(source_id)["disks"][1]
    api.ok(
        api.put(f"/v3/sources/{source_id}", {"disks": [{"id": vdb["id"], "need_migration": False}]})
    )
    assert [d["name"] for d in api.source(source_id)["init_target_server"]["disks"]] == ["/dev/vda"]


def test_the_same_agent_registering_again_keeps_its_id(api: Api) -> None:
    first = api.register()
    again = api.register(os_version="CENTOS_7_6_64BIT")
    assert again == first
    assert api.source(first)["os_version"] == "CENTOS_7_6_64BIT"


def test_registration_needs_an_address(api: Api) -> None:
    body = {key: value for key, value in REGISTRATION.items() if key != "ip"}
    # A rule across fields ("one of ip and ipv6"): not to spec, not merely incomplete.
    assert "ip" in error_body(api.post("/v3/sources", body), 400, "SMS.6011")["error_msg"]


def test_terraforms_virtualization_type_is_accepted(api: Api) -> None:
    assert api.register(virtualization_type="KVM")


def test_the_list_filters_pages_and_counts(api: Api) -> None:
    mine = api.register(name="list-me", ip="10.0.0.77")
    found = loads(SourceListSchema, api.ok(api.get("/v3/sources", name="list-me")))
    assert (found["count"], [s["id"] for s in found["source_servers"]]) == (1, [mine])
    every = api.ok(api.get("/v3/sources"))
    page = api.ok(api.get("/v3/sources", limit=2, offset=1))
    assert page["count"] == every["count"] and len(page["source_servers"]) == 2
    assert api.ok(api.get("/v3/sources", offset=10_000))["source_servers"] == []


def test_the_overview_counts_every_state(api: Api) -> None:
    overview = loads(SourceOverviewSchema, api.ok(api.get("/v3/sources/overview")))
    assert overview["unconfigured"] == 3  # the default account's three free sources
    assert overview["replicate"] == 1 and overview["error"] == 1 and overview["stopped"] == 1


def test_a_failed_tasks_source_is_in_the_error_list(api: Api, client: FlaskClient) -> None:
    errors = loads(ErrorListSchema, api.ok(api.get("/v3/errors")))
    assert [e["source_id"] for e in errors["migration_errors"]] == ["src-sample-migrate-fail"]
    assert errors["migration_errors"][0]["error_json"]


def test_changestate_sets_state_and_cycle(api: Api) -> None:
    source_id = api.register()
    api.ok(
        api.put(
            f"/v3/sources/{source_id}/changestate",
            {"copystate": "unavailable", "migrationcycle": "checking"},
        )
    )
    source = api.source(source_id)
    assert (source["state"], source["migration_cycle"]) == ("unavailable", "checking")
    api.ok(api.put(f"/v3/sources/{source_id}/changestate", {"copystate": "init"}))
    assert api.source(source_id)["state"] == "initialize"


def test_diskinfo_replaces_the_disks(api: Api) -> None:
    source_id = api.register()
    api.ok(
        api.put(
            f"/v3/sources/{source_id}/diskinfo",
            {"disks": [{"name": "/dev/sdz", "size": 1024, "used_size": 10}]},
        )
    )
    assert [d["name"] for d in api.source(source_id)["disks"]] == ["/dev/sdz"]


@pytest.mark.parametrize(
    ("event", "kind"),
    [
        (SourceEvent.CREATED, None),
        (SourceEvent.RUNNING, "REPLICATE"),
        (SourceEvent.SUCCEEDED, "REPLICATE"),
        (SourceEvent.FAILED, "REPLICATE"),
        (SourceEvent.STOPPED, "REPLICATE"),
    ],
)
def test_a_source_follows_its_task_by_the_table(
    api: Api, client: FlaskClient, event: SourceEvent, kind: str | None
) -> None:
    source_id = api.register()
    task_id = api.create_task(source_id)
    if event is SourceEvent.FAILED:
        add_fault(client, {"task_id": task_id, "subtask": "MIGRATE_LINUX_FILE", "at_progress": 40})
    if event is not SourceEvent.CREATED:
        api.ok(api.post(f"/v3/tasks/{task_id}/action", {"operation": "start"}))
    if event in (SourceEvent.SUCCEEDED, SourceEvent.FAILED):
        advance(client, 3600)
    if event is SourceEvent.STOPPED:
        api.ok(api.post(f"/v3/tasks/{task_id}/action", {"operation": "stop"}))
        advance(client, 10)
    state, cycle = source_state(event, kind if kind is None else _kind(kind))
    source = api.source(source_id)
    assert source["state"] == state
    if cycle is not None:
        assert source["migration_cycle"] == cycle
    assert source["current_task"]["id"] == task_id


def _kind(name: str) -> Any:
    from sms_mock.mock_server.sms.lifecycle import PhaseKind

    return PhaseKind(name)


def test_a_deleted_task_frees_its_source_in_the_state_it_left(
    api: Api, client: FlaskClient
) -> None:
    source_id = api.register()
    task_id = api.create_task(source_id)
    api.ok(api.post(f"/v3/tasks/{task_id}/action", {"operation": "start"}))
    advance(client, 3600)
    api.ok(api.delete(f"/v3/tasks/{task_id}"))
    source = api.source(source_id)
    assert (source["current_task"], source["state"]) == (None, "finished")
    assert api.create_task(source_id)


def test_deleting_a_source_with_a_running_task_is_refused(api: Api) -> None:
    source_id = api.register()
    task_id = api.create_task(source_id)
    api.ok(api.post(f"/v3/tasks/{task_id}/action", {"operation": "start"}))
    error_body(api.delete(f"/v3/sources/{source_id}"), 400, "SMS.7601")
    error_body(api.post("/v3/sources/delete", {"ids": [source_id]}), 400, "SMS.7601")
    assert api.source(source_id)["current_task"]["id"] == task_id


def test_deleting_a_source_deletes_its_idle_task(api: Api) -> None:
    source_id = api.register()
    task_id = api.create_task(source_id)
    api.ok(api.delete(f"/v3/sources/{source_id}"))
    error_body(api.get(f"/v3/sources/{source_id}"), 404, "SMS.7602")
    error_body(api.get(f"/v3/tasks/{task_id}"), 404, "SMS.7703")


def test_delete_many_is_all_or_nothing(api: Api) -> None:
    source_id = api.register()
    error_body(api.post("/v3/sources/delete", {"ids": [source_id, "nope"]}), 404, "SMS.7602")
    assert api.source(source_id)


@pytest.mark.parametrize("path", ["/v3/sources/a.b", "/v3/vm/templates/a.b", "/v3/migprojects/a.b"])
def test_a_malformed_id_is_sms_9004(api: Api, path: str) -> None:
    error_body(api.get(path), 400, "SMS.9001")


# --- templates ----------------------------------------------------------------------------------


def test_a_template_gets_the_services_defaults(api: Api) -> None:
    template_id = api.ok(
        api.post(
            "/v3/vm/templates", {"template": {"name": "tpl", "availability_zone": "cn-north-4a"}}
        )
    )["id"]
    template = loads(TemplateShowSchema, api.ok(api.get(f"/v3/vm/templates/{template_id}")))[
        "template"
    ]
    assert template["is_template"] == "true"
    assert (template["target_server_name"], template["volumetype"]) == ("tpl", "SAS")
    assert template["vpc"]["id"] == template["nics"][0]["id"] == "autoCreate"
    assert (template["region"], template["projectid"]) == ("cn-north-4", PROJECT_ID)


def test_a_template_update_replaces_the_given_fields(api: Api) -> None:
    api.ok(api.put("/v3/vm/templates/tpl-default", {"template": {"volumetype": "GPSSD"}}))
    template = api.ok(api.get("/v3/vm/templates/tpl-default"))["template"]
    assert (template["volumetype"], template["name"]) == ("GPSSD", "default-target")


def test_templates_list_filters_and_target_password(api: Api) -> None:
    listed = loads(TemplateListSchema, api.ok(api.get("/v3/vm/templates", name="default-target")))
    assert [t["id"] for t in listed["templates"]] == ["tpl-default"]
    password = api.ok(api.get("/v3/vm/templates/tpl-default/target-password"))
    assert password == {"template_id": "tpl-default", "target_password": "Mock-Passw0rd!"}


def test_a_deleted_template_is_gone(api: Api) -> None:
    api.ok(api.post("/v3/vm/templates/delete", {"ids": ["tpl-default"]}))
    error_body(api.get("/v3/vm/templates/tpl-default"), 404, "SMS.7101")


# --- migration projects -------------------------------------------------------------------------


def _migprojects(api: Api) -> list[dict[str, Any]]:
    return loads(MigprojectListSchema, api.ok(api.get("/v3/migprojects")))["migprojects"]


def test_each_project_has_one_default_system_project(api: Api) -> None:
    defaults = [m for m in _migprojects(api) if m["isdefault"]]
    assert [m["name"] for m in defaults] == ["SystemProject"]


def test_new_sources_join_the_default_and_the_list_filters_by_it(api: Api) -> None:
    (default,) = [m["id"] for m in _migprojects(api) if m["isdefault"]]
    other = api.ok(
        api.post(
            "/v3/migprojects", {"name": "wave-2", "region": "cn-north-4", "type": "MIGRATE_BLOCK"}
        )
    )["id"]
    source_id = api.register()
    assert api.source(source_id)["migprojectid"] == default
    api.ok(api.put(f"/v3/sources/{source_id}", {"migprojectid": other}))
    listed = api.ok(api.get("/v3/sources", migproject=other))["source_servers"]
    assert [s["id"] for s in listed] == [source_id]


def test_making_another_the_default_takes_the_flag(api: Api) -> None:
    other = api.ok(
        api.post(
            "/v3/migprojects", {"name": "wave-2", "region": "cn-north-4", "type": "MIGRATE_FILE"}
        )
    )["id"]
    api.ok(api.put(f"/v3/migprojects/{other}/default"))
    assert [m["id"] for m in _migprojects(api) if m["isdefault"]] == [other]
    shown = loads(MigprojectShowSchema, api.ok(api.get(f"/v3/migprojects/{other}")))
    assert shown["isdefault"] is True and "id" not in shown


def test_the_default_and_a_migproject_with_sources_cannot_be_deleted(api: Api) -> None:
    (default,) = [m["id"] for m in _migprojects(api) if m["isdefault"]]
    error_body(api.delete(f"/v3/migprojects/{default}"), 400, "SMS.7303")
    other = api.ok(
        api.post(
            "/v3/migprojects", {"name": "wave-2", "region": "cn-north-4", "type": "MIGRATE_FILE"}
        )
    )["id"]
    source_id = api.register()
    api.ok(api.put(f"/v3/sources/{source_id}", {"migprojectid": other}))
    error_body(api.delete(f"/v3/migprojects/{other}"), 400, "SMS.7311")
    api.ok(api.put(f"/v3/sources/{source_id}", {"migprojectid": default}))
    api.ok(api.delete(f"/v3/migprojects/{other}"))
    error_body(api.get(f"/v3/migprojects/{other}"), 404, "SMS.7301")


def test_terraforms_delete_body_is_ignored(api: Api, client: FlaskClient) -> None:
    other = api.ok(
        api.post(
            "/v3/migprojects", {"name": "wave-2", "region": "cn-north-4", "type": "MIGRATE_FILE"}
        )
    )["id"]
    response = client.delete(f"/v3/migprojects/{other}", json=[other], headers=api.headers)
    assert response.status_code == 200


# --- service-wide -------------------------------------------------------------------------------


def test_config_values_are_strings(api: Api) -> None:
    config = api.ok(api.get("/v3/config"))
    assert all(isinstance(v, str) and v for v in config["config"].values())
    assert all(isinstance(v, str) and v for v in config["regions"][0].values())


def test_the_privacy_agreement_is_recorded(api: Api, client: FlaskClient) -> None:
    assert api.ok(api.get("/v3/privacy-agreements")) == {"flag": False}
    response = client.post("/v3/privacy-agreements", headers={**api.headers, "Content-Type": JSON})
    assert response.status_code == 200
    assert api.ok(api.get("/v3/privacy-agreements")) == {"flag": True}


# --- tenancy ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/v3/sources/src-linux-file",
        "/v3/vm/templates/tpl-default",
        "/v3/vm/templates/tpl-default/target-password",
    ],
)
@pytest.mark.parametrize("outsider", ["second project", "other account"])
def test_another_projects_resources_are_absent(
    client: FlaskClient, path: str, outsider: str
) -> None:
    token = (
        project_token(client, "ap-southeast-3")
        if outsider == "second project"
        else other_user_token(client)
    )
    response = client.get(path, headers={"X-Auth-Token": token})
    assert response.status_code == 404
    assert api_listing_is_empty(client, token)


def api_listing_is_empty(client: FlaskClient, token: str) -> bool:
    headers = {"X-Auth-Token": token}
    sources = client.get("/v3/sources", headers=headers).get_json()
    templates = client.get("/v3/vm/templates", headers=headers).get_json()
    return sources["count"] == 0 and templates["count"] == 0


def test_another_projects_source_cannot_be_changed_or_deleted(client: FlaskClient) -> None:
    outsider = {"X-Auth-Token": project_token(client, "ap-southeast-3")}
    for response in (
        client.put("/v3/sources/src-linux-file", json={"name": "x"}, headers=outsider),
        client.put(
            "/v3/sources/src-linux-file/changestate", json={"copystate": "error"}, headers=outsider
        ),
        client.delete("/v3/sources/src-linux-file", headers=outsider),
    ):
        error_body(response, 404, "SMS.7602")
