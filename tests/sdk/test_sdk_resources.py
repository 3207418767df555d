"""The official SMS SDK 3.1.219, unmodified, on the emulator's other resources: source servers,
server templates, migration projects, the agent configuration, the privacy agreement, and
POST /v3/tasks from a real source (template-based, and with a target VM).

Calls are signed with the default account's AK/SK. Each answer is checked field by field:
every attribute of the SDK's response model against the same key of the raw JSON (which must
carry it), and what was sent against what GET answers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdksms.v3 import SmsClient as SdkSmsClient
from huaweicloudsdksms.v3 import model as m

from sms_mock.control import ControlPlane
from tests.support.accounts import DOMAIN_ID, PROJECT_ID
from tests.support.assertions import keeps_every_given_field
from tests.support.control import (
    control_fixture,  # noqa: F401 (the control fixture)
    now_ms,
)
from tests.support.sdk import assert_answers, assert_done, sdk_model

# The SDK deprecated to_dict() in favour of raw JSON; the models are what users read, though.
pytestmark = pytest.mark.filterwarnings("ignore:.*to_dict.*deprecated:DeprecationWarning")

REGION = "cn-north-4"
FREE_SOURCES = ["src-linux-file", "src-linux-block", "src-windows"]
Raw = Callable[..., Any]


# --- source servers -------------------------------------------------------------------------

REGISTER: dict[str, Any] = {
    "ip": "192.168.1.10",
    "name": "sdk-source",
    "hostname": "sdk-host",
    "os_type": "LINUX",
    "os_version": "CENTOS_7_9_64BIT",
    "linux_block_check": "true",
    "firmware": "UEFI",
    "cpu_quantity": 4,
    "memory": 8192,
    "disks": [
        {
            "name": "/dev/vda",
            "partition_style": "GPT",
            "device_use": "BOOT",
            "size": 53687091200,
            "used_size": 10737418240,
            "os_disk": True,
            "relation_name": "/dev/vda",
            "inode_size": 256,
            "physical_volumes": [
                {
                    "device_use": "OS",
                    "file_system": "ext4",
                    "index": 0,
                    "mount_point": "/",
                    "name": "/dev/vda1",
                    "size": 53686042624,
                    "used_size": 10737418240,
                    "inode_size": 256,
                    "inode_nums": 3276800,
                    "uuid": "6f1c4a0e-0d8b-4f57-9a59-2f9f3c7d1e01",
                    "size_per_cluster": 4096,
                }
            ],
        }
    ],
    "btrfs_list": [
        {
            "name": "btrfs0",
            "label": "",
            "uuid": "2b8f0c3e-5b4e-4f0a-8d9d-6c1f2e3a4b5c",
            "device": "/dev/vdb",
            "size": 1073741824,
            "nodesize": 16384,
            "sectorsize": 4096,
            "data_profile": "single",
            "system_profile": "DUP",
            "metadata_profile": "DUP",
            "global_reserve1": "3.25MiB",
            "g_vol_used_size": 1048576,
            "default_subvolid": "5",
            "default_subvol_name": "<FS_TREE>",
            "default_subvol_mountpath": "/data",
            "subvolumn": [
                {
                    "uuid": "9a0b1c2d-3e4f-5a6b-7c8d-9e0f1a2b3c4d",
                    "is_snapshot": "false",
                    "subvol_id": "256",
                    "parent_id": "5",
                    "subvol_name": "home",
                    "subvol_mount_path": "/data/home",
                }
            ],
        }
    ],
    "networks": [
        {
            "name": "eth0",
            "ip": "192.168.1.10",
            "ipv6": "fe80::f816:3eff:feaa:bbcc",
            "netmask": "255.255.255.0",
            "gateway": "192.168.1.1",
            "mtu": 1500,
            "mac": "fa:16:3e:aa:bb:cc",
            "id": "nic-0001",
        }
    ],
    "domain_id": DOMAIN_ID,
    "has_rsync": True,
    "paravirtualization": False,
    "raw_devices": "",
    "driver_files": False,
    "system_services": False,
    "account_rights": True,
    "boot_loader": "GRUB",
    "system_dir": "/",
    "volume_groups": [
        {
            "components": "/dev/vdc",
            "free_size": 0,
            "name": "vg0",
            "size": 10737418240,
            "logical_volumes": [
                {
                    "block_count": 2621440,
                    "block_size": 4096,
                    "file_system": "xfs",
                    "inode_size": 512,
                    "inode_nums": 5242880,
                    "device_use": "NORMAL",
                    "mount_point": "/srv",
                    "name": "lv0",
                    "size": 10737418240,
                    "used_size": 1073741824,
                    "free_size": 9663676416,
                }
            ],
        }
    ],
    "agent_version": "24.3.0",
    "kernel_version": "3.10.0-1160.el7.x86_64",
    "migration_cycle": "checking",
    "state": "waiting",
    "oem_system": False,
    "start_type": "MANUAL",
    "io_read_wait": 0.5,
    "has_tc": True,
    "platform": "hw",
}
# What ShowServerResponse carries of a registration (the rest the service keeps to itself).
SHOWN_KEYS = (
    "ip", "name", "hostname", "os_type", "os_version", "firmware", "cpu_quantity", "memory",
    "disks", "btrfs_list", "networks", "volume_groups", "agent_version", "migration_cycle",
    "state", "oem_system", "start_type", "has_tc",
)  # fmt: skip


def register(sdk: SdkSmsClient, **overrides: Any) -> str:
    body = sdk_model(m.PostSourceServerBody, {**REGISTER, **overrides})
    answer = sdk.register_server(m.RegisterServerRequest(body=body))
    assert answer.to_dict() == {"id": answer.id} and answer.id
    return answer.id


def show_server(sdk: SdkSmsClient, source_id: str) -> Any:
    return sdk.show_server(m.ShowServerRequest(source_id=source_id))


def test_register_server_then_show_server_answers_every_registered_field(
    sdk: SdkSmsClient, raw: Raw
) -> None:
    source_id = register(sdk)
    shown = show_server(sdk, source_id)
    plain = raw(f"/v3/sources/{source_id}")
    assert_answers(shown, plain)
    assert shown.id == source_id
    for key in SHOWN_KEYS:
        assert keeps_every_given_field(REGISTER[key], plain[key]), key
    # What the service adds: integer ids on disks and volumes, a state, a suggested target.
    assert all(type(d["id"]) is int for d in [*plain["disks"], *plain["volume_groups"]])
    assert [d.name for d in shown.init_target_server.disks] == ["/dev/vda"]
    assert shown.init_target_server.disks[0].size == REGISTER["disks"][0]["size"]
    assert shown.connected is True and shown.current_task is None


@pytest.mark.parametrize("source", ["registered", "src-linux-block"])
def test_show_server_totalsize_is_the_used_bytes_of_its_disks(
    sdk: SdkSmsClient, source: str
) -> None:
    # src-linux-block is a fixture source put in with disks of its own.
    source_id = register(sdk) if source == "registered" else source
    shown = show_server(sdk, source_id)
    assert shown.totalsize == sum(d.used_size for d in shown.disks)


def test_register_server_of_the_same_agent_again_keeps_its_id(sdk: SdkSmsClient) -> None:
    first = register(sdk)
    again = register(sdk, cpu_quantity=8)
    assert again == first
    assert show_server(sdk, first).cpu_quantity == 8


LISTED_AND_SHOWN = (
    "ip", "name", "os_type", "os_version", "state", "cpu_quantity", "memory", "migration_cycle",
    "add_date", "connected", "has_tc", "start_type",
)  # fmt: skip


def test_list_servers_is_what_show_server_answers(sdk: SdkSmsClient, raw: Raw) -> None:
    listed = sdk.list_servers(m.ListServersRequest())
    plain = raw("/v3/sources")
    assert_answers(listed, plain)
    assert listed.count == len(listed.source_servers) == 9
    for item in listed.source_servers:
        shown = show_server(sdk, item.id)
        for attr in LISTED_AND_SHOWN:
            assert getattr(item, attr) == getattr(shown, attr), (item.id, attr)
        assert (item.current_task is None) is (shown.current_task is None)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"name": "linux-file-01"}, ["src-linux-file"]),
        ({"name": "linux-file"}, []),
        ({"id": "src-windows"}, ["src-windows"]),
        ({"ip": "192.168.0.32"}, ["src-linux-block"]),
        ({"state": "replicate"}, ["src-sample-running"]),
        ({"state": "error"}, ["src-sample-migrate-fail"]),
        ({"state": "finished"}, ["src-sample-migrate-success"]),
        (
            {"migration_cycle": "checking"},
            ["src-windows", "src-linux-block", "src-linux-file", "src-sample-ready"],
        ),
        ({"connected": False}, []),
        ({"name": "non-existent"}, []),
    ],
    ids=lambda v: "&".join(f"{k}={x}" for k, x in v.items()) if isinstance(v, dict) else None,
)
def test_list_servers_filters(
    sdk: SdkSmsClient, raw: Raw, query: dict[str, Any], expected: list[str]
) -> None:
    listed = sdk.list_servers(m.ListServersRequest(**query))
    wire = {k: str(v).lower() if isinstance(v, bool) else v for k, v in query.items()}
    assert_answers(listed, raw("/v3/sources", **wire))
    assert [s.id for s in listed.source_servers] == expected
    assert listed.count == len(expected)


def test_list_servers_filters_by_migproject(sdk: SdkSmsClient) -> None:
    created = sdk.create_migproject(
        m.CreateMigprojectRequest(
            body=m.PostMigProjectBody(name="sdk-group", region=REGION, type="MIGRATE_FILE")
        )
    )
    sdk.update_server_name(
        m.UpdateServerNameRequest(
            source_id="src-windows", body=m.PutSourceServerBody(migprojectid=created.id)
        )
    )
    listed = sdk.list_servers(m.ListServersRequest(migproject=created.id))
    assert [s.id for s in listed.source_servers] == ["src-windows"]


def test_list_servers_pages_by_limit_and_offset(sdk: SdkSmsClient) -> None:
    everything = [s.id for s in sdk.list_servers(m.ListServersRequest()).source_servers]
    pages = []
    for offset in range(0, 12, 4):
        page = sdk.list_servers(m.ListServersRequest(limit=4, offset=offset))
        assert page.count == len(everything)
        pages.append([s.id for s in page.source_servers])
    assert [len(p) for p in pages] == [4, 4, 1]
    assert [i for p in pages for i in p] == everything
    assert sdk.list_servers(m.ListServersRequest(offset=9)).source_servers == []


def overview_from_list(raw: Raw) -> dict[str, int]:
    """What the overview should count: a source without a task has no target configured."""
    counts: dict[str, int] = {}
    for source in raw("/v3/sources")["source_servers"]:
        key = "unconfigured" if source["current_task"] is None else source["state"]
        counts[key] = counts.get(key, 0) + 1
    return counts


def test_show_overview_counts_the_sources_by_state(sdk: SdkSmsClient, raw: Raw) -> None:
    overview = sdk.show_overview(m.ShowOverviewRequest())
    plain = raw("/v3/sources/overview")
    assert_answers(overview, plain)
    assert {k: v for k, v in plain.items() if v} == overview_from_list(raw)
    assert (overview.unconfigured, overview.replicate, overview.error) == (3, 1, 1)


def test_show_overview_follows_a_started_task(sdk: SdkSmsClient, raw: Raw) -> None:
    before = sdk.show_overview(m.ShowOverviewRequest())
    sdk.update_task_status(
        m.UpdateTaskStatusRequest(
            task_id="sample-ready", body=m.UpdateTaskStatusReq(operation="start")
        )
    )
    after = sdk.show_overview(m.ShowOverviewRequest())
    assert (after.waiting, after.replicate) == (before.waiting - 1, before.replicate + 1)
    assert {k: v for k, v in raw("/v3/sources/overview").items() if v} == overview_from_list(raw)


TASK_VOLUME_KEYS = (
    "name",
    "size",
    "used_size",
    "device_use",
    "file_system",
    "mount_point",
    "index",
)


def task_on(source: Any, **fields: Any) -> m.PostTask:
    """A PostTask for `source` (a raw GET /v3/sources/{id}), its disks the suggested ones."""
    disks = [
        {
            "name": d["name"],
            "size": d["size"],
            "used_size": d["used_size"],
            "device_use": d["device_use"],
            "physical_volumes": [
                {k: v[k] for k in TASK_VOLUME_KEYS} for v in d["physical_volumes"]
            ],
        }
        for d in source["init_target_server"]["disks"]
    ]
    body = {
        "name": fields.pop("name", "sdk-task"),
        "type": "MIGRATE_FILE",
        "os_type": source["os_type"],
        "source_server": {"id": source["id"]},
        "target_server": {"disks": disks, **fields.pop("target", {})},
        "region_name": REGION,
        "region_id": REGION,
        "project_name": REGION,
        "project_id": PROJECT_ID,
        **fields,
    }
    return sdk_model(m.PostTask, body)


def test_list_error_servers_shows_the_source_of_a_failed_task(
    control: ControlPlane, sdk: SdkSmsClient, raw: Raw
) -> None:
    source = raw("/v3/sources/src-linux-file")
    target = {"name": "ecs-sdk", "vm_id": "vm-sdk-0001"}
    task_id = sdk.create_task(m.CreateTaskRequest(body=task_on(source, target=target))).id
    control.add_fault({"task_id": task_id, "subtask": "MIGRATE_LINUX_FILE", "at_progress": 40})
    sdk.update_task_status(
        m.UpdateTaskStatusRequest(task_id=task_id, body=m.UpdateTaskStatusReq(operation="start"))
    )
    control.advance(600)
    task = sdk.show_task(m.ShowTaskRequest(task_id=task_id))
    assert task.state == "MIGRATE_FAIL"
    listed = sdk.list_error_servers(m.ListErrorServersRequest(offset=0))
    assert_answers(listed, raw("/v3/errors", offset=0))
    [error] = [e for e in listed.migration_errors if e.source_id == "src-linux-file"]
    assert (error.name, error.host_name, error.source_ip) == (
        source["name"],
        source["hostname"],
        source["ip"],
    )
    assert error.error_json == task.error_json and "MIGRATE_LINUX_FILE" in error.error_json
    assert listed.count == 2  # the fixtures' failed sample too
    assert sdk.show_overview(m.ShowOverviewRequest()).error == 2


def test_list_error_servers_pages(sdk: SdkSmsClient, raw: Raw) -> None:
    first = sdk.list_error_servers(m.ListErrorServersRequest(limit=1, offset=0))
    assert [e.source_id for e in first.migration_errors] == ["src-sample-migrate-fail"]
    past = sdk.list_error_servers(m.ListErrorServersRequest(limit=1, offset=1))
    assert (past.count, past.migration_errors) == (1, [])
    assert_answers(past, raw("/v3/errors", limit=1, offset=1))


def test_update_server_name_renames_it(sdk: SdkSmsClient) -> None:
    answer = sdk.update_server_name(
        m.UpdateServerNameRequest(
            source_id="src-linux-file", body=m.PutSourceServerBody(name="renamed-01")
        )
    )
    assert_done(answer)
    assert show_server(sdk, "src-linux-file").name == "renamed-01"
    listed = sdk.list_servers(m.ListServersRequest(name="renamed-01"))
    assert [s.id for s in listed.source_servers] == ["src-linux-file"]


def test_update_server_name_adjusts_disks_of_the_suggested_target(
    sdk: SdkSmsClient, raw: Raw
) -> None:
    disk = raw("/v3/sources/src-linux-block")["disks"][0]
    [boot, root] = disk["physical_volumes"]
    body = m.PutSourceServerBody(
        disks=[
            m.PutDisk(
                id=str(disk["id"]),
                adjust_size=214748364800,
                need_migration=True,
                physical_volumes=[m.PutVolume(id=str(boot["id"]), need_migration=False)],
            )
        ]
    )
    assert_done(
        sdk.update_server_name(m.UpdateServerNameRequest(source_id="src-linux-block", body=body))
    )
    [target] = show_server(sdk, "src-linux-block").init_target_server.disks
    assert target.size == 214748364800
    assert [v.name for v in target.physical_volumes] == [root["name"]]


def test_update_copy_state_sets_state_and_cycle(control: ControlPlane, sdk: SdkSmsClient) -> None:
    control.advance(60)
    answer = sdk.update_copy_state(
        m.UpdateCopyStateRequest(
            source_id="src-windows",
            body=m.PutCopyStateReq(copystate="init", migrationcycle="cutovering"),
        )
    )
    assert_done(answer)
    shown = show_server(sdk, "src-windows")
    assert (shown.state, shown.migration_cycle) == ("initialize", "cutovering")
    now = now_ms(control)
    assert shown.state_action_time == shown.stage_action_time == now


NEW_DISKS = [
    {
        "name": "/dev/sdb",
        "partition_style": "MBR",
        "device_use": "NORMAL",
        "size": 21474836480,
        "used_size": 1073741824,
        "os_disk": False,
        "physical_volumes": [
            {
                "device_use": "NORMAL",
                "file_system": "xfs",
                "index": 0,
                "mount_point": "/data",
                "name": "/dev/sdb1",
                "size": 21473787904,
                "used_size": 1073741824,
            }
        ],
    }
]


def test_update_disk_info_replaces_disks_volume_groups_and_btrfs(
    sdk: SdkSmsClient, raw: Raw
) -> None:
    body = sdk_model(
        m.PutDiskInfoReq,
        {
            "disks": NEW_DISKS,
            "volumegroups": REGISTER["volume_groups"],
            "btrfs_list": REGISTER["btrfs_list"],
        },
    )
    assert_done(
        sdk.update_disk_info(m.UpdateDiskInfoRequest(source_id="src-linux-file", body=body))
    )
    shown = show_server(sdk, "src-linux-file")
    plain = raw("/v3/sources/src-linux-file")
    assert_answers(shown, plain)
    assert keeps_every_given_field(NEW_DISKS, plain["disks"])
    assert keeps_every_given_field(REGISTER["volume_groups"], plain["volume_groups"])
    assert keeps_every_given_field(REGISTER["btrfs_list"], plain["btrfs_list"])
    assert [d.name for d in shown.init_target_server.disks] == ["/dev/sdb"]


def test_delete_server_deletes_it(sdk: SdkSmsClient) -> None:
    assert_done(sdk.delete_server(m.DeleteServerRequest(source_id="src-windows")))
    with pytest.raises(ClientRequestException) as caught:
        show_server(sdk, "src-windows")
    assert (caught.value.status_code, caught.value.error_code) == (404, "SMS.7602")


def test_delete_servers_deletes_them_all(sdk: SdkSmsClient) -> None:
    body = m.DeleteIds(ids=["src-windows", "src-linux-block"])
    assert_done(sdk.delete_servers(m.DeleteServersRequest(body=body)))
    left = {s.id for s in sdk.list_servers(m.ListServersRequest()).source_servers}
    assert left.isdisjoint({"src-windows", "src-linux-block"}) and len(left) == 7


def test_delete_servers_with_an_unknown_id_deletes_nothing(sdk: SdkSmsClient) -> None:
    body = m.DeleteIds(ids=["src-windows", "no-such-source"])
    with pytest.raises(ClientRequestException) as caught:
        sdk.delete_servers(m.DeleteServersRequest(body=body))
    assert (caught.value.status_code, caught.value.error_code) == (404, "SMS.7602")
    assert show_server(sdk, "src-windows").id == "src-windows"


# --- server templates -------------------------------------------------------------------------

TEMPLATE: dict[str, Any] = {
    "name": "sdk-template",
    "is_template": True,
    "region": REGION,
    "projectid": PROJECT_ID,
    "target_server_name": "sdk-target",
    "availability_zone": "cn-north-4b",
    "volumetype": "SSD",
    "flavor": "s6.xlarge.2",
    "vpc": {"id": "vpc-0001", "name": "vpc-sdk", "cidr": "10.0.0.0/16"},
    "nics": [{"id": "subnet-0001", "name": "subnet-sdk", "cidr": "10.0.1.0/24", "ip": "10.0.1.8"}],
    "security_groups": [{"id": "sg-0001", "name": "sg-sdk"}],
    "publicip": {"type": "5_bgp", "bandwidth_size": 10, "bandwidth_share_type": "PER"},
    "disk": [
        {"id": 1, "index": 0, "name": "disk-0", "disktype": "SSD", "size": 40, "device_use": "BOOT"}
    ],
    "data_volume_type": "SAS",
    "target_password": "Sdk-Passw0rd!",
    "image_id": "image-0001",
}


def create_template(sdk: SdkSmsClient, **overrides: Any) -> str:
    body = m.CreateTemplateReq(template=sdk_model(m.TemplateRequest, {**TEMPLATE, **overrides}))
    answer = sdk.create_template(m.CreateTemplateRequest(body=body))
    assert answer.to_dict() == {"id": answer.id} and answer.id
    return answer.id


def test_create_template_then_show_template_answers_every_field(
    sdk: SdkSmsClient, raw: Raw
) -> None:
    template_id = create_template(sdk)
    shown = sdk.show_template(m.ShowTemplateRequest(id=template_id))
    plain = raw(f"/v3/vm/templates/{template_id}")
    assert_answers(shown, plain)
    expected = {**TEMPLATE, "is_template": "true", "id": template_id}  # a string in answers
    assert shown.template.to_dict() == expected


def test_create_template_with_only_a_name_gets_the_defaults(sdk: SdkSmsClient, raw: Raw) -> None:
    body = m.CreateTemplateReq(template=m.TemplateRequest(name="bare"))
    template_id = sdk.create_template(m.CreateTemplateRequest(body=body)).id
    shown = sdk.show_template(m.ShowTemplateRequest(id=template_id)).template
    assert_answers(shown, raw(f"/v3/vm/templates/{template_id}")["template"])
    assert (shown.target_server_name, shown.volumetype, shown.region) == ("bare", "SAS", REGION)
    assert (shown.vpc.id, shown.nics[0].id, shown.security_groups[0].id) == ("autoCreate",) * 3


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"name": "sdk-template"}, ["made"]),
        ({"name": "sdk"}, []),
        ({"availability_zone": "cn-north-4a"}, ["tpl-default"]),
        ({"region": REGION}, ["tpl-default", "made"]),
        ({"id": "tpl-default"}, ["tpl-default"]),
        ({"limit": 1, "offset": 1}, ["made"]),
        ({"offset": 2}, []),
    ],
    ids=lambda v: "&".join(f"{k}={x}" for k, x in v.items()) if isinstance(v, dict) else None,
)
def test_list_templates_filters_and_pages(
    sdk: SdkSmsClient, raw: Raw, query: dict[str, Any], expected: list[str]
) -> None:
    made = create_template(sdk)
    listed = sdk.list_templates(m.ListTemplatesRequest(**query))
    assert_answers(listed, raw("/v3/vm/templates", **query))
    assert [t.id for t in listed.templates] == [made if e == "made" else e for e in expected]
    if "limit" in query:
        assert listed.count == 2


def test_update_template_replaces_the_given_fields(sdk: SdkSmsClient) -> None:
    template_id = create_template(sdk)
    change = m.TemplateRequest(name="sdk-renamed", flavor="c7.large.2", is_template=False)
    answer = sdk.update_template(
        m.UpdateTemplateRequest(id=template_id, body=m.UpdateTemplateReq(template=change))
    )
    assert_done(answer)
    shown = sdk.show_template(m.ShowTemplateRequest(id=template_id)).template
    assert (shown.name, shown.flavor, shown.is_template) == ("sdk-renamed", "c7.large.2", "false")
    assert shown.target_server_name == TEMPLATE["target_server_name"]  # untouched
    assert shown.disk[0].to_dict() == TEMPLATE["disk"][0]


def test_delete_template_deletes_it(sdk: SdkSmsClient) -> None:
    template_id = create_template(sdk)
    assert_done(sdk.delete_template(m.DeleteTemplateRequest(id=template_id)))
    with pytest.raises(ClientRequestException) as caught:
        sdk.show_template(m.ShowTemplateRequest(id=template_id))
    assert (caught.value.status_code, caught.value.error_code) == (404, "SMS.7101")


def test_delete_templates_deletes_them_all(sdk: SdkSmsClient) -> None:
    ids = [create_template(sdk), "tpl-default"]
    body = m.DeletetemplatesReq(ids=ids)
    assert_done(sdk.delete_templates(m.DeleteTemplatesRequest(body=body)))
    assert sdk.list_templates(m.ListTemplatesRequest()).count == 0


def test_show_target_password_is_the_templates_password(sdk: SdkSmsClient, raw: Raw) -> None:
    template_id = create_template(sdk)
    answer = sdk.show_target_password(m.ShowTargetPasswordRequest(id=template_id))
    assert_answers(answer, raw(f"/v3/vm/templates/{template_id}/target-password"))
    assert answer.to_dict() == {"template_id": template_id, "target_password": "Sdk-Passw0rd!"}


# --- migration projects -----------------------------------------------------------------------

MIGPROJECT: dict[str, Any] = {
    "name": "sdk-migproject",
    "description": "made by the SDK",
    "isdefault": False,
    "region": REGION,
    "start_target_server": True,
    "speed_limit": 100,
    "use_public_ip": False,
    "exist_server": True,
    "type": "MIGRATE_BLOCK",
    "enterprise_project": "sdk-ep",
    "syncing": True,
    "start_network_check": True,
}


def create_migproject(sdk: SdkSmsClient, **overrides: Any) -> str:
    body = m.PostMigProjectBody(**{**MIGPROJECT, **overrides})
    answer = sdk.create_migproject(m.CreateMigprojectRequest(body=body))
    assert answer.to_dict() == {"id": answer.id} and answer.id
    return answer.id


def default_migproject(sdk: SdkSmsClient) -> str:
    listed = sdk.list_migprojects(m.ListMigprojectsRequest()).migprojects
    [default] = [p.id for p in listed if p.isdefault]
    return default


def test_create_migproject_then_show_migproject_answers_every_field(
    sdk: SdkSmsClient, raw: Raw
) -> None:
    migproject_id = create_migproject(sdk)
    shown = sdk.show_migproject(m.ShowMigprojectRequest(mig_project_id=migproject_id))
    plain = raw(f"/v3/migprojects/{migproject_id}")
    assert_answers(shown, plain)
    assert "id" not in plain  # the SDK's show answer has none
    assert shown.to_dict() == MIGPROJECT


def test_list_migprojects_lists_every_one_with_its_id(sdk: SdkSmsClient, raw: Raw) -> None:
    made = create_migproject(sdk)
    listed = sdk.list_migprojects(m.ListMigprojectsRequest())
    assert_answers(listed, raw("/v3/migprojects"))
    assert listed.count == 2
    [mine] = [p for p in listed.migprojects if p.id == made]
    assert mine.to_dict() == {**MIGPROJECT, "id": made}
    [system] = [p for p in listed.migprojects if p.id != made]
    assert (system.name, system.isdefault) == ("SystemProject", True)


def test_list_migprojects_pages_by_limit_and_offset(sdk: SdkSmsClient) -> None:
    for i in range(4):
        create_migproject(sdk, name=f"sdk-migproject-{i}")
    everything = [p.id for p in sdk.list_migprojects(m.ListMigprojectsRequest()).migprojects]
    pages = [
        sdk.list_migprojects(m.ListMigprojectsRequest(limit=2, offset=offset))
        for offset in (0, 2, 4)
    ]
    assert [p.count for p in pages] == [5, 5, 5]
    assert [p.id for page in pages for p in page.migprojects] == everything


def test_update_migproject_replaces_the_given_fields(sdk: SdkSmsClient) -> None:
    migproject_id = create_migproject(sdk)
    change = m.MigProject(name="sdk-renamed", speed_limit=0, syncing=False, type="MIGRATE_FILE")
    answer = sdk.update_migproject(
        m.UpdateMigprojectRequest(mig_project_id=migproject_id, body=change)
    )
    assert_done(answer)
    shown = sdk.show_migproject(m.ShowMigprojectRequest(mig_project_id=migproject_id))
    assert shown.to_dict() == {
        **MIGPROJECT,
        "name": "sdk-renamed",
        "speed_limit": 0,
        "syncing": False,
        "type": "MIGRATE_FILE",
    }


def test_update_default_migproject_moves_the_default(sdk: SdkSmsClient) -> None:
    system = default_migproject(sdk)
    migproject_id = create_migproject(sdk)
    answer = sdk.update_default_migproject(
        m.UpdateDefaultMigprojectRequest(mig_project_id=migproject_id)
    )
    assert_done(answer)
    assert default_migproject(sdk) == migproject_id
    shown = sdk.show_migproject(m.ShowMigprojectRequest(mig_project_id=system))
    assert shown.isdefault is False


def test_registered_server_joins_the_default_migproject(sdk: SdkSmsClient) -> None:
    migproject_id = create_migproject(sdk)
    sdk.update_default_migproject(m.UpdateDefaultMigprojectRequest(mig_project_id=migproject_id))
    source_id = register(sdk)
    listed = sdk.list_servers(m.ListServersRequest(migproject=migproject_id))
    assert [s.id for s in listed.source_servers] == [source_id]


def test_delete_migproject_deletes_it(sdk: SdkSmsClient) -> None:
    migproject_id = create_migproject(sdk)
    assert_done(sdk.delete_migproject(m.DeleteMigprojectRequest(mig_project_id=migproject_id)))
    with pytest.raises(ClientRequestException) as caught:
        sdk.show_migproject(m.ShowMigprojectRequest(mig_project_id=migproject_id))
    assert (caught.value.status_code, caught.value.error_code) == (404, "SMS.7301")


def test_delete_migproject_of_the_default_is_refused(sdk: SdkSmsClient) -> None:
    system = default_migproject(sdk)
    with pytest.raises(ClientRequestException) as caught:
        sdk.delete_migproject(m.DeleteMigprojectRequest(mig_project_id=system))
    assert (caught.value.status_code, caught.value.error_code) == (400, "SMS.7303")
    assert default_migproject(sdk) == system


# --- the agent configuration and the privacy agreement -----------------------------------------


def test_show_config_answers_maps_of_strings(sdk: SdkSmsClient, raw: Raw) -> None:
    answer = sdk.show_config(m.ShowConfigRequest())
    plain = raw("/v3/config")
    assert answer.to_dict() == plain
    assert {"mainRegion", "obs_domain", "disktype"} <= set(answer.config)
    assert answer.config["mainRegion"] == REGION
    assert all(isinstance(v, str) and v for v in answer.config.values())
    assert [r["region_name"] for r in answer.regions] == [REGION]
    assert all(isinstance(v, str) and v for r in answer.regions for v in r.values())


def test_privacy_agreements_flag_turns_true_once_agreed(sdk: SdkSmsClient, raw: Raw) -> None:
    before = sdk.show_privacy_agreements(m.ShowPrivacyAgreementsRequest())
    assert before.to_dict() == {"flag": False} == raw("/v3/privacy-agreements")
    assert_done(sdk.create_privacy_agreements(m.CreatePrivacyAgreementsRequest()))
    after = sdk.show_privacy_agreements(m.ShowPrivacyAgreementsRequest())
    assert after.to_dict() == {"flag": True} == raw("/v3/privacy-agreements")
    assert_done(sdk.create_privacy_agreements(m.CreatePrivacyAgreementsRequest()))  # again: fine


# --- POST /v3/tasks from a real source ----------------------------------------------------------


def assert_target_disks(sent: m.PostTask, shown: Any) -> None:
    given = [d.to_dict() for d in sent.target_server.disks]
    got = [d.to_dict() for d in shown.target_server.disks]
    for mine, theirs in zip(given, got, strict=True):
        for key in ("name", "size", "used_size", "device_use"):
            assert theirs[key] == mine[key], key
        for volume, answered in zip(mine["physical_volumes"], theirs["physical_volumes"],
                                    strict=True):  # fmt: skip
            assert {k: answered[k] for k in volume if volume[k] is not None} == {
                k: v for k, v in volume.items() if v is not None
            }


def test_create_task_from_a_template_takes_the_templates_target(
    sdk: SdkSmsClient, raw: Raw
) -> None:
    source = raw("/v3/sources/src-linux-block")
    body = task_on(source, vm_template_id="tpl-default", use_public_ip=True)
    assert body.target_server.name is None and body.target_server.vm_id is None  # left out
    task_id = sdk.create_task(m.CreateTaskRequest(body=body)).id
    shown = sdk.show_task(m.ShowTaskRequest(task_id=task_id))
    assert_answers(shown, raw(f"/v3/tasks/{task_id}"))
    assert (shown.state, shown.vm_template_id) == ("READY", "tpl-default")
    assert shown.target_server.name == "migrated-ecs"  # the template's target_server_name
    assert shown.target_server.vm_id
    assert shown.source_server.id == "src-linux-block"
    assert_target_disks(body, shown)
    current = show_server(sdk, "src-linux-block").current_task
    assert (current.id, current.vm_template_id, current.state) == (task_id, "tpl-default", "READY")


def test_create_task_with_a_target_vm_keeps_it(sdk: SdkSmsClient, raw: Raw) -> None:
    source = raw("/v3/sources/src-windows")
    target = {"name": "ecs-windows", "vm_id": "vm-windows-0001"}
    body = task_on(source, target=target, exist_server=True, priority=2, speed_limit=50)
    task_id = sdk.create_task(m.CreateTaskRequest(body=body)).id
    shown = sdk.show_task(m.ShowTaskRequest(task_id=task_id))
    assert_answers(shown, raw(f"/v3/tasks/{task_id}"))
    assert (shown.target_server.name, shown.target_server.vm_id) == (
        "ecs-windows",
        "vm-windows-0001",
    )
    assert (shown.os_type, shown.priority, shown.speed_limit) == ("WINDOWS", 2, 50)
    assert shown.vm_template_id is None
    assert_target_disks(body, shown)
    listed = sdk.list_servers(m.ListServersRequest(vm_id="vm-windows-0001"))
    assert [s.id for s in listed.source_servers] == ["src-windows"]
    assert listed.source_servers[0].current_task.id == task_id


@pytest.mark.parametrize(
    ("source_id", "fields", "code"),
    [
        pytest.param("no-such-source", {}, "SMS.7602", id="unknown-source"),
        pytest.param("src-sample-ready", {}, "SMS.6005", id="source-has-a-task"),
        pytest.param(
            "src-linux-file", {"vm_template_id": "no-such-template"}, "SMS.7101",
            id="unknown-template",
        ),
    ],
)  # fmt: skip
def test_create_task_needs_a_free_source_and_a_real_template(
    sdk: SdkSmsClient, raw: Raw, source_id: str, fields: dict[str, Any], code: str
) -> None:
    source = {**raw("/v3/sources/src-linux-file"), "id": source_id}
    before = sdk.list_tasks(m.ListTasksRequest()).count
    with pytest.raises(ClientRequestException) as caught:
        sdk.create_task(m.CreateTaskRequest(body=task_on(source, **fields)))
    assert (caught.value.status_code, caught.value.error_code) == (400, code)
    assert sdk.list_tasks(m.ListTasksRequest()).count == before


def test_delete_task_frees_its_source_for_a_new_task(sdk: SdkSmsClient, raw: Raw) -> None:
    source = raw("/v3/sources/src-linux-file")
    first = sdk.create_task(m.CreateTaskRequest(body=task_on(source))).id
    sdk.delete_task(m.DeleteTaskRequest(task_id=first))
    assert show_server(sdk, "src-linux-file").current_task is None
    second = sdk.create_task(m.CreateTaskRequest(body=task_on(source))).id
    assert show_server(sdk, "src-linux-file").current_task.id == second != first
