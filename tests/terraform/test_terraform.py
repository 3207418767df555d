"""Terraform's huaweicloud provider (services/sms), replayed as raw HTTP against a live emulator.

Each test sends what one resource step or data source sends (spec section B: the bodies as the
provider builds them, its headers, its pagers) and reads the answer as the provider does: with
its JMESPath reads and `d.Set` types, or its type-strict Go structs. A test that fails here is a
place where the emulator answers differently from what the provider needs.

Every test runs twice: with the provider logged in with a password (a token), and with an
AK/SK, each request signed as golangsdk signs it (no Host; X-Project-Id set after signing).
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

from sms_mock.control import ControlPlane
from sms_mock.mock_server.serving.live import LiveServer
from tests.support.accounts import OTHER_PROJECT_ID, PROJECT_ID, password_body
from tests.support.control import control_fixture  # noqa: F401 (the control fixture)
from tests.support.signers import Key
from tests.support.terraform import (
    GO_MIGRATE_TASK,
    GO_SOURCE_SERVER,
    GO_TEMPLATE,
    JSON,
    Call,
    ProviderError,
    Tf,
    aksk_login,
    as_list,
    go_decode,
    helper_pages,
    is_404,
    ok,
    path_search,
    queries,
    remove_nil,
    sdk_offset_pages,
    tf_set,
    value_ignore_empty,
)

REGION = "cn-north-4"
AUTO = "autoCreate"


@pytest.fixture(params=["password", "aksk"])
def tf(live: LiveServer, request: pytest.FixtureRequest) -> Tf:
    """The provider for cn-north-4: logged in with a token of the default user (`user_name`,
    `password`, `domain_name`), or with its AK/SK (`access_key`, `secret_key`)."""
    if request.param == "aksk":
        return aksk_login(live.url, live.iam_url, REGION, Key(project_id=None))[0]
    response = requests.post(f"{live.url}/v3/auth/tokens", json=password_body(), timeout=10)
    assert response.status_code == 201, response.text
    return Tf(live.url, response.headers["X-Subject-Token"])


# --- the AK/SK login ----------------------------------------------------------------------


def signed_headers(call: Call) -> list[str]:
    return call.headers["Authorization"].split("SignedHeaders=")[1].split(",")[0].split(";")


def test_aksk_login_finds_the_region_project_then_reads_the_catalog(live: LiveServer) -> None:
    tf, login = aksk_login(live.url, live.iam_url, REGION, Key(project_id=None))

    lookup, catalog = login
    assert (lookup.path, lookup.status) == (f"/v3/projects?name={REGION}", 200)
    assert "X-Project-Id" not in lookup.headers
    assert (catalog.path, catalog.status) == ("/v3/auth/catalog", 200)
    assert catalog.headers["X-Project-Id"] == PROJECT_ID
    assert tf.key is not None and tf.key.project_id == PROJECT_ID


def test_aksk_calls_sign_neither_host_nor_the_project(live: LiveServer) -> None:
    tf, _ = aksk_login(live.url, live.iam_url, REGION, Key(project_id=None))

    body = ok(tf.typed("GET", "/v3/tasks/sample-ready"))

    assert body["project_id"] == PROJECT_ID
    sent = tf.calls[-1]
    assert sent.headers["X-Project-Id"] == PROJECT_ID
    assert {"accept", "user-agent", "x-sdk-date"} <= set(signed_headers(sent))
    assert not {"host", "x-project-id"} & set(signed_headers(sent))


def test_aksk_with_a_project_id_of_another_account_fails_the_login(live: LiveServer) -> None:
    # `project_id` given in the provider block: no lookup, and the catalog call already sends
    # it, unsigned; the gateway still holds it to the AK's account.
    reason = f"x-project-id {OTHER_PROJECT_ID} is not a project of ak"
    with pytest.raises(ProviderError, match=f"/v3/auth/catalog: 401 .*APIGW.0301.*{reason}"):
        aksk_login(live.url, live.iam_url, REGION, Key(project_id=OTHER_PROJECT_ID))


def test_aksk_with_a_wrong_secret_key_fails_the_login(live: LiveServer) -> None:
    with pytest.raises(ProviderError, match="verify aksk signature fail"):
        aksk_login(live.url, live.iam_url, REGION, Key(sk="wrong", project_id=None))


# --- huaweicloud_sms_source_server ---------------------------------------------------------

# The acceptance test's configuration (TestAccResourceSourceServer_basic), with a
# virtualization_type set, which the provider sends although the SDK model lacks it.
SOURCE_CONFIG: dict[str, Any] = {
    "ip": "192.168.0.50",
    "os_type": "LINUX",
    "os_version": "Ubuntu 18.04 server 64bit",
    "virtualization_type": "KVM",
    "firmware": "BIOS",
    "boot_loader": "GRUB",
    "raw_devices": "",
    "has_rsync": True,
    "paravirtualization": True,
    "cpu_quantity": 2,
    "memory": 4018196480,
    "agent_version": "25.2.0",
    "disks": [
        {
            "name": "Disk 0",
            "partition_style": "MBR",
            "device_use": "BOOT",
            "size": 85897247744,
            "used_size": 42943137792,
            "physical_volumes": [
                {
                    "device_use": "OS",
                    "file_system": "ext4",
                    "mount_point": "/",
                    "name": "/dev/vda1",
                    "size": 42943137792,
                    "used_size": 1071640576,
                }
            ],
        }
    ],
    "networks": [
        {
            "name": "eth0",
            "ip": "192.168.0.50",
            "netmask": "255.255.255.0",
            "gateway": "192.168.0.1",
            "mtu": 1,
            "mac": "fa:16:3e:12:34:56",
        }
    ],
}

_SOURCE_STRINGS = (
    "ip", "name", "hostname", "os_type", "os_version", "virtualization_type",
    "linux_block_check", "firmware", "domain_id", "raw_devices", "boot_loader", "system_dir",
    "agent_version", "kernel_version", "migration_cycle", "state", "start_type", "platform",
)  # fmt: skip
_SOURCE_INTS = ("cpu_quantity", "memory", "io_read_wait")
_SOURCE_BOOLS = (
    "has_rsync", "paravirtualization", "driver_files", "system_services", "account_rights",
    "oem_system", "has_tc",
)  # fmt: skip
_VOLUME_KEYS = (
    "device_use", "file_system", "index", "mount_point", "name", "size", "used_size",
    "inode_size", "inode_nums", "uuid", "size_per_cluster",
)  # fmt: skip
_VOLUME_ZEROES = {"index": 0, "size": 0, "used_size": 0, "inode_size": 0, "inode_nums": 0}


def _disk_body(disk: dict[str, Any]) -> dict[str, Any]:
    """One disk of `buildSourceServerDiskParamsBody` (schema zero values for unset keys)."""
    volumes = [
        {k: value_ignore_empty(v.get(k, _VOLUME_ZEROES.get(k, ""))) for k in _VOLUME_KEYS}
        for v in disk.get("physical_volumes", [])
    ]
    return {
        "name": disk["name"],
        "device_use": disk["device_use"],
        "size": disk["size"],
        "used_size": disk["used_size"],
        "physical_volumes": volumes or None,
        "partition_style": value_ignore_empty(disk.get("partition_style", "")),
        "os_disk": value_ignore_empty(disk.get("os_disk", False)),
        "relation_name": value_ignore_empty(disk.get("relation_name", "")),
        "inode_size": value_ignore_empty(disk.get("inode_size", 0)),
    }


def register_body(config: dict[str, Any]) -> dict[str, Any]:
    """`buildCreateSourceServerBodyParams` then RemoveNil: strings and ints only when set,
    bools always."""
    body: dict[str, Any] = {k: value_ignore_empty(config.get(k, "")) for k in _SOURCE_STRINGS}
    body.update({k: value_ignore_empty(config.get(k, 0)) for k in _SOURCE_INTS})
    body.update({k: value_ignore_empty(config.get(k, False)) for k in _SOURCE_BOOLS})
    body["disks"] = [_disk_body(d) for d in config.get("disks", [])] or None
    body["networks"] = [
        {
            "name": n["name"],
            "ip": n["ip"],
            "netmask": n["netmask"],
            "gateway": n["gateway"],
            "mac": n["mac"],
            "ipv6": value_ignore_empty(n.get("ipv6", "")),
            "mtu": value_ignore_empty(n.get("mtu", 0)),
            "id": value_ignore_empty(n.get("id", "")),
        }
        for n in config.get("networks", [])
    ] or None
    body["btrfs_list"] = None
    body["volume_groups"] = None
    return remove_nil(body)


# The provider's reads of GET v3/sources/{id}: key -> d.Set type ("int" is a JSON integer:
# the ids the provider keeps as TypeInt; "number" any JSON number).
SOURCE_READS = {
    "ip": "string", "name": "string", "hostname": "string", "enterprise_project_id": "string",
    "add_date": "number", "os_type": "string", "os_version": "string", "oem_system": "bool",
    "state": "string", "connected": "bool", "firmware": "string", "cpu_quantity": "number",
    "memory": "number", "migration_cycle": "string", "state_action_time": "number",
    "replicatesize": "number", "totalsize": "number", "last_visit_time": "number",
    "stage_action_time": "number", "agent_version": "string", "has_tc": "bool",
    "adjust_disk": "bool",
}  # fmt: skip
_ADJUST = {"id": "int", "adjust_size": "number", "need_migration": "bool"}
PV_READS = {
    "device_use": "string", "file_system": "string", "index": "number", "mount_point": "string",
    "name": "string", "size": "number", "used_size": "number", "inode_size": "number",
    "inode_nums": "number", "uuid": "string", "size_per_cluster": "number", **_ADJUST,
}  # fmt: skip
DISK_READS = {
    "name": "string", "partition_style": "string", "device_use": "string", "size": "number",
    "used_size": "number", "os_disk": "bool", "relation_name": "string",
    "inode_size": "number", **_ADJUST,
}  # fmt: skip
LV_READS = {
    "block_count": "number", "block_size": "number", "file_system": "string",
    "inode_size": "number", "inode_nums": "number", "device_use": "string",
    "mount_point": "string", "name": "string", "size": "number", "used_size": "number",
    "free_size": "number", **_ADJUST,
}  # fmt: skip
VG_READS = {
    "components": "string", "free_size": "number", "name": "string", "size": "number", **_ADJUST,
}  # fmt: skip
INIT_DISK_READS = {
    "name": "string", "size": "number", "device_use": "string", "used_size": "number", **_ADJUST,
}  # fmt: skip
INIT_PV_READS = {
    "device_use": "string", "file_system": "string", "index": "number", "mount_point": "string",
    "name": "string", "size": "number", "inode_size": "number", "used_size": "number",
    "uuid": "string", **_ADJUST,
}  # fmt: skip
BTRFS_READS = {
    "name": "string", "label": "string", "uuid": "string", "device": "string", "size": "number",
    "nodesize": "number", "sectorsize": "number", "data_profile": "string",
    "system_profile": "string", "metadata_profile": "string", "global_reserve1": "string",
    "g_vol_used_size": "number", "default_subvolid": "string", "default_subvol_name": "string",
    "default_subvol_mountpath": "string",
}  # fmt: skip
SUBVOL_READS = dict.fromkeys(
    ("uuid", "is_snapshot", "subvol_id", "parent_id", "subvol_name", "subvol_mount_path"), "string"
)
NETWORK_READS = {
    "name": "string", "ip": "string", "ipv6": "string", "netmask": "string", "gateway": "string",
    "mtu": "number", "mac": "string", "id": "string",
}  # fmt: skip
CHECK_READS = {
    "id": "int", "params": "list", "name": "string", "result": "string", "error_code": "string",
    "error_or_warn": "string", "error_params": "string",
}  # fmt: skip
CURRENT_TASK_READS = {
    "id": "string", "name": "string", "type": "string", "state": "string",
    "start_date": "number", "speed_limit": "number", "migrate_speed": "number",
    "start_target_server": "bool", "vm_template_id": "string", "region_id": "string",
    "project_name": "string", "project_id": "string", "log_collect_status": "string",
    "exist_server": "bool", "use_public_ip": "bool",
}  # fmt: skip


def _set(value: Any, kind: str, where: str) -> Any:
    if kind == "number":
        go_decode(value, "float", where)
        return value
    return tf_set(value, kind, where)


def _flatten(
    items: list[Any], reads: dict[str, str], where: str, nested: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """A provider `flatten...` loop: each item's keys read and set, nested lists asserted."""
    out = []
    for index, item in enumerate(items):
        here = f"{where}[{index}]"
        row = {
            key: _set(path_search(key, item), kind, f"{here}.{key}") for key, kind in reads.items()
        }
        for key, (inner_reads, inner_nested) in (nested or {}).items():
            inner = as_list(path_search(key, item, []), f"{here}.{key}")
            row[key] = _flatten(inner, inner_reads, f"{here}.{key}", inner_nested)
        out.append(row)
    return out


def read_source_server(body: Any) -> dict[str, Any]:
    """`resourceSourceServerRead`: what the provider puts in its state, or a ProviderError."""
    state = {key: _set(path_search(key, body), kind, key) for key, kind in SOURCE_READS.items()}
    lists = {
        "disks": (DISK_READS, {"physical_volumes": (PV_READS, None)}),
        "volume_groups": (VG_READS, {"logical_volumes": (LV_READS, None)}),
        "btrfs_list": (BTRFS_READS, {"subvolumn": (SUBVOL_READS, None)}),
        "networks": (NETWORK_READS, None),
        "checks": (CHECK_READS, None),
    }
    for key, (reads, nested) in lists.items():
        state[key] = _flatten(as_list(path_search(key, body, []), key), reads, key, nested)
    init = path_search("init_target_server", body)
    state["init_target_server"] = None
    if init is not None:
        state["init_target_server"] = {
            "disks": _flatten(
                as_list(path_search("disks", init, []), "init_target_server.disks"),
                INIT_DISK_READS,
                "init_target_server.disks",
                {"physical_volumes": (INIT_PV_READS, None)},
            ),
            "volume_groups": _flatten(
                as_list(path_search("volume_groups", init, []), "init_target_server.volume_groups"),
                VG_READS,
                "init_target_server.volume_groups",
                {"logical_volumes": (LV_READS, None)},
            ),
        }
    task = path_search("current_task", body)
    state["current_task"] = None
    if task is not None:
        row = {
            k: _set(path_search(k, task), kind, f"current_task.{k}")
            for k, kind in CURRENT_TASK_READS.items()
        }
        target = path_search("target_server", task)
        if target is not None:
            row["target_server"] = {
                "vm_id": tf_set(path_search("vm_id", target), "string", "target_server.vm_id"),
                "name": tf_set(path_search("name", target), "string", "target_server.name"),
            }
        row["clone_server"] = as_list(
            path_search("clone_server", task, []), "current_task.clone_server"
        )
        state["current_task"] = row
    return state


def create_source_server(tf: Tf, config: dict[str, Any]) -> str:
    """Create: POST v3/sources, then the optional migprojectid and changestate PUTs."""
    source_id = path_search("id", ok(tf.raw("POST", "/v3/sources", register_body(config))), "")
    if not source_id:
        raise ProviderError("error creating source server: no id in the answer")
    if config.get("migprojectid"):
        ok(tf.raw("PUT", f"/v3/sources/{source_id}", {"migprojectid": config["migprojectid"]}))
    if config.get("copystate"):
        body = remove_nil(
            {
                "copystate": value_ignore_empty(config.get("copystate", "")),
                "migrationcycle": value_ignore_empty(config.get("migration_cycle", "")),
            }
        )
        ok(tf.raw("PUT", f"/v3/sources/{source_id}/changestate", body))
    return source_id


def source_state(tf: Tf, source_id: str) -> dict[str, Any]:
    return read_source_server(ok(tf.raw("GET", f"/v3/sources/{source_id}")))


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value]


def test_source_server_create_sends_virtualization_type_and_every_bool(tf: Tf) -> None:
    body = register_body({**SOURCE_CONFIG, "name": "tf-source"})
    assert body["virtualization_type"] == "KVM"
    assert body["driver_files"] is False and body["has_tc"] is False  # bools always sent
    assert "raw_devices" not in body and "index" not in body["disks"][0]["physical_volumes"][0]
    answer = ok(tf.raw("POST", "/v3/sources", body))
    assert set(answer) == {"id"} and isinstance(answer["id"], str) and answer["id"]


def test_source_server_read_parses_with_the_provider_types(tf: Tf) -> None:
    source_id = create_source_server(tf, {**SOURCE_CONFIG, "name": "tf-source"})
    raw = ok(tf.raw("GET", f"/v3/sources/{source_id}"))
    read_source_server(raw)  # raises where the provider would fail or panic
    for path in (
        "disks[*].id", "disks[*].physical_volumes[*].id", "volume_groups[*].id",
        "volume_groups[*].logical_volumes[*].id", "init_target_server.disks[*].id",
        "init_target_server.disks[*].physical_volumes[*].id",
    ):  # fmt: skip
        ids = _leaves(path_search(path, raw, []))  # nested projections nest their lists
        assert all(type(i) is int for i in ids), (path, ids)
    assert path_search("init_target_server.disks[*].id", raw)  # the source has disks
    task = raw.get("current_task")
    assert task is None or task.get("clone_server") is None


def test_source_server_read_echoes_the_registration(tf: Tf) -> None:
    config = {**SOURCE_CONFIG, "name": "tf-source"}
    state = source_state(tf, create_source_server(tf, config))
    for key in ("ip", "name", "os_type", "os_version", "firmware", "cpu_quantity", "memory"):
        assert state[key] == config[key], key
    assert state["agent_version"] == "25.2.0"
    disk, sent = state["disks"][0], config["disks"][0]
    for key in ("name", "partition_style", "device_use", "size", "used_size"):
        assert disk[key] == sent[key], key
    volume, sent_volume = disk["physical_volumes"][0], sent["physical_volumes"][0]
    for key, value in sent_volume.items():
        assert volume[key] == value, key
    network = state["networks"][0]
    for key, value in config["networks"][0].items():
        assert network[key] == value, key
    # Computed: set after create although the configuration leaves them out.
    assert disk["os_disk"] is not None
    assert volume["index"] is not None and volume["size_per_cluster"] is not None
    assert state["migration_cycle"] and state["state"]
    assert state["oem_system"] is not None and state["has_tc"] is not None


def test_source_server_create_with_migprojectid_moves_it(tf: Tf) -> None:
    project = {"name": "tf-moves", "region": REGION, "type": "MIGRATE_FILE"}
    migproject_id = ok(tf.raw("POST", "/v3/migprojects", project))["id"]
    source_id = create_source_server(
        tf, {**SOURCE_CONFIG, "name": "tf-source", "migprojectid": migproject_id}
    )
    listed = ok(tf.raw("GET", f"/v3/sources?migproject={migproject_id}"))
    assert [s["id"] for s in listed["source_servers"]] == [source_id]


def test_source_server_changestate_sets_state_and_cycle(tf: Tf) -> None:
    config = {
        **SOURCE_CONFIG,
        "name": "tf-source",
        "copystate": "unavailable",
        "migration_cycle": "checking",
    }
    state = source_state(tf, create_source_server(tf, config))
    assert (state["state"], state["migration_cycle"]) == ("unavailable", "checking")


def test_source_server_update_renames_it(tf: Tf) -> None:
    source_id = create_source_server(tf, {**SOURCE_CONFIG, "name": "tf-source"})
    ok(tf.raw("PUT", f"/v3/sources/{source_id}", {"name": "tf-renamed"}))
    assert source_state(tf, source_id)["name"] == "tf-renamed"


def test_source_server_update_adjusts_disks_by_integer_ids(tf: Tf) -> None:
    source_id = create_source_server(tf, {**SOURCE_CONFIG, "name": "tf-source"})
    disk = source_state(tf, source_id)["disks"][0]
    volume = disk["physical_volumes"][0]
    body = {  # buildUpdateSourceServerDisksBodyParams: the state's ids, TypeInt
        "disks": [
            {
                "id": disk["id"],
                "adjust_size": 107374182400,
                "need_migration": True,
                "physical_volumes": [
                    {"id": volume["id"], "need_migration": True, "adjust_size": 53687091200}
                ],
            }
        ]
    }
    ok(tf.raw("PUT", f"/v3/sources/{source_id}", body))
    after = source_state(tf, source_id)
    assert after["disks"][0]["adjust_size"] == 107374182400
    assert after["disks"][0]["physical_volumes"][0]["adjust_size"] == 53687091200
    assert after["adjust_disk"] is True
    assert after["init_target_server"]["disks"][0]["size"] == 107374182400


def test_source_server_read_of_a_source_with_a_task_parses(tf: Tf) -> None:
    raw = ok(tf.raw("GET", "/v3/sources/src-sample-running"))
    state = read_source_server(raw)
    task = state["current_task"]
    assert (task["id"], task["state"]) == ("sample-running", "RUNNING")
    assert task["clone_server"] == [] and task["target_server"]["vm_id"]


def diskinfo_body(state: dict[str, Any], disks: list[dict[str, Any]]) -> dict[str, Any]:
    """`buildUpdateSourceServerDiskInfoBodyParams` for new disks (the state's computed zeroes
    are sent as the state holds them, then ValueIgnoreEmpty)."""
    out = []
    for disk in disks:
        volumes = []
        for v in disk.get("physical_volumes", []):
            volumes.append(remove_nil({k: value_ignore_empty(v.get(k)) for k in _VOLUME_KEYS}))
        out.append(
            remove_nil(
                {
                    "name": disk["name"],
                    "partition_style": value_ignore_empty(disk.get("partition_style")),
                    "device_use": disk["device_use"],
                    "size": disk["size"],
                    "used_size": disk["used_size"],
                    "os_disk": value_ignore_empty(disk.get("os_disk", False)),
                    "relation_name": value_ignore_empty(disk.get("relation_name")),
                    "inode_size": value_ignore_empty(disk.get("inode_size")),
                    "physical_volumes": volumes,
                }
            )
        )
    return remove_nil({"disks": out, "volumegroups": [], "btrfs_list": []})


def test_source_server_update_replaces_the_disk_info(tf: Tf) -> None:
    source_id = create_source_server(tf, {**SOURCE_CONFIG, "name": "tf-source"})
    state = source_state(tf, source_id)
    renamed = [{**state["disks"][0], "name": "Disk 2"}]
    body = diskinfo_body(state, renamed)
    assert set(body) == {"disks"} and "volumegroups" not in body
    ok(tf.raw("PUT", f"/v3/sources/{source_id}/diskinfo", body))
    after = source_state(tf, source_id)
    assert [d["name"] for d in after["disks"]] == ["Disk 2"]
    assert after["disks"][0]["physical_volumes"][0]["name"] == "/dev/vda1"
    assert all(type(d["id"]) is int for d in after["disks"])


def test_source_server_delete_then_read_is_404(tf: Tf) -> None:
    source_id = create_source_server(tf, {**SOURCE_CONFIG, "name": "tf-source"})
    ok(tf.raw("DELETE", f"/v3/sources/{source_id}"))
    assert is_404(tf.raw("GET", f"/v3/sources/{source_id}"))  # CheckDestroy
    assert is_404(tf.raw("DELETE", f"/v3/sources/{source_id}"))  # a delete again: gone


# --- huaweicloud_sms_server_template --------------------------------------------------------


def template_body(
    name: str, zone: str, volume_type: str = "SAS", bandwidth: int = 0
) -> dict[str, Any]:
    """golangsdk `TemplateOpts` as the provider fills it (omitempty tags): autoCreate network
    without a cidr, `is_template` true, a publicip only with a bandwidth."""
    template: dict[str, Any] = {
        "name": name,
        "is_template": True,
        "region": REGION,
        "projectid": PROJECT_ID,
        "availability_zone": zone,
        "target_server_name": name,
        "vpc": {"id": AUTO, "name": AUTO},
        "nics": [{"id": AUTO, "name": AUTO}],
        "security_groups": [{"id": AUTO, "name": AUTO}],
        "volumetype": volume_type,
    }
    if bandwidth:
        template["publicip"] = {"type": "5_bgp", "bandwidth_size": bandwidth}
    return {"template": template}


def read_template(tf: Tf, template_id: str) -> dict[str, Any]:
    """`templates.Get` (typed, no Content-Type), decoded into `TemplateResponse`, and the
    attributes the resource sets from it."""
    body = ok(tf.typed("GET", f"/v3/vm/templates/{template_id}"))
    go_decode(body, {"template": GO_TEMPLATE})
    t = body["template"]
    return {
        "name": t.get("name"),
        "region": t.get("region"),
        "project_id": t.get("projectid"),
        "availability_zone": t.get("availability_zone"),
        "target_server_name": t.get("target_server_name"),
        "flavor": t.get("flavor"),
        "volume_type": t.get("volumetype"),
        "bandwidth_size": (t.get("publicip") or {}).get("bandwidth_size") or 0,
        "vpc_id": (t.get("vpc") or {}).get("id"),
        "vpc_name": (t.get("vpc") or {}).get("name"),
        "subnet_ids": [n.get("id") for n in t.get("nics") or []],
        "security_group_ids": [g.get("id") for g in t.get("security_groups") or []],
    }


def create_template(tf: Tf, body: dict[str, Any]) -> str:
    template_id = ok(tf.typed("POST", "/v3/vm/templates", body)).get("id")
    assert template_id, "error creating the template: no id"
    return template_id


def test_server_template_create_reads_back_through_the_go_struct(tf: Tf) -> None:
    template_id = create_template(tf, template_body("tf-template", "cn-north-4a", bandwidth=5))
    state = read_template(tf, template_id)
    assert state == {
        "name": "tf-template",
        "region": REGION,
        "project_id": PROJECT_ID,
        "availability_zone": "cn-north-4a",
        "target_server_name": "tf-template",
        "flavor": state["flavor"],  # not configured: whatever the service chose
        "volume_type": "SAS",
        "bandwidth_size": 5,
        "vpc_id": AUTO,
        "vpc_name": AUTO,
        "subnet_ids": [AUTO],
        "security_group_ids": [AUTO],
    }


def test_server_template_is_template_is_a_json_string(tf: Tf) -> None:
    template_id = create_template(tf, template_body("tf-template", "cn-north-4a"))
    answer = ok(tf.typed("GET", f"/v3/vm/templates/{template_id}"))
    assert isinstance(answer["template"]["is_template"], str)


def test_server_template_update_with_the_full_body_is_echoed(tf: Tf) -> None:
    template_id = create_template(tf, template_body("tf-template", "cn-north-4a", bandwidth=5))
    updated = template_body("tf-template-2", "cn-north-4b", "GPSSD", bandwidth=10)
    ok(tf.typed("PUT", f"/v3/vm/templates/{template_id}", updated))
    state = read_template(tf, template_id)
    assert (state["name"], state["availability_zone"], state["volume_type"]) == (
        "tf-template-2",
        "cn-north-4b",
        "GPSSD",
    )
    assert (state["target_server_name"], state["bandwidth_size"]) == ("tf-template-2", 10)
    assert (state["vpc_name"], state["subnet_ids"]) == (AUTO, [AUTO])


def test_server_template_update_with_the_same_body_changes_nothing(tf: Tf) -> None:
    # Terraform sends the whole body on every update, changed or not: the data source then
    # reads vpc.cidr and nics[*].cidr from the list, and they must not change.
    body = template_body("tf-template", "cn-north-4a", bandwidth=5)
    template_id = create_template(tf, body)
    before = ok(tf.typed("GET", f"/v3/vm/templates/{template_id}"))
    ok(tf.typed("PUT", f"/v3/vm/templates/{template_id}", body))
    after = ok(tf.typed("GET", f"/v3/vm/templates/{template_id}"))
    for key in ("vpc", "nics", "security_groups", "publicip"):
        assert after["template"][key] == before["template"][key], key
    assert after == before


def test_server_template_delete_then_read_is_404(tf: Tf) -> None:
    template_id = create_template(tf, template_body("tf-template", "cn-north-4a"))
    ok(tf.typed("DELETE", f"/v3/vm/templates/{template_id}"))
    assert is_404(tf.typed("GET", f"/v3/vm/templates/{template_id}"))


# --- huaweicloud_sms_migration_project (+ _default) -------------------------------------------


def migproject_body(**attrs: Any) -> dict[str, Any]:
    """The provider's create/update body: description, speed_limit and the bools always sent,
    enterprise_project only when set, never `isdefault`."""
    body = {
        "name": attrs["name"],
        "description": attrs.get("description", ""),
        "region": attrs["region"],
        "start_target_server": attrs.get("start_target_server", False),
        "speed_limit": attrs.get("speed_limit", 0),
        "use_public_ip": attrs.get("use_public_ip", False),
        "exist_server": attrs.get("exist_server", False),
        "type": attrs["type"],
        "enterprise_project": value_ignore_empty(attrs.get("enterprise_project", "")),
        "syncing": attrs.get("syncing", False),
        "start_network_check": attrs.get("start_network_check", False),
    }
    return remove_nil(body)


MIGPROJECT_READS = {
    "name": "string", "description": "string", "isdefault": "bool", "region": "string",
    "start_target_server": "bool", "speed_limit": "number", "use_public_ip": "bool",
    "exist_server": "bool", "type": "string", "enterprise_project": "string",
    "syncing": "bool",
}  # fmt: skip


def read_migproject(tf: Tf, migproject_id: str) -> dict[str, Any]:
    body = ok(tf.raw("GET", f"/v3/migprojects/{migproject_id}"))
    state = {k: _set(path_search(k, body), kind, k) for k, kind in MIGPROJECT_READS.items()}
    check = path_search("start_network_check", body, False)
    if not isinstance(check, bool):
        raise ProviderError(f"start_network_check.(bool) on {check!r}: panic")
    state["start_network_check"] = check
    return state


FIRST_PROJECT = {
    "name": "tf-migproject",
    "region": "cn-north-9",
    "use_public_ip": True,
    "exist_server": True,
    "type": "MIGRATE_FILE",
    "syncing": False,
}


def test_migration_project_create_without_isdefault_reads_back(tf: Tf) -> None:
    body = migproject_body(**FIRST_PROJECT)
    assert "isdefault" not in body and body["description"] == ""
    migproject_id = ok(tf.raw("POST", "/v3/migprojects", body))["id"]
    state = read_migproject(tf, migproject_id)
    for key in ("name", "region", "use_public_ip", "exist_server", "type", "syncing"):
        assert state[key] == FIRST_PROJECT[key], key
    assert state["enterprise_project"]  # the service's default
    for key in ("speed_limit", "start_target_server", "isdefault"):
        assert state[key] is not None, key
    assert state["isdefault"] is False


def test_migration_project_is_default_puts_an_empty_object(tf: Tf) -> None:
    migproject_id = ok(tf.raw("POST", "/v3/migprojects", migproject_body(**FIRST_PROJECT)))["id"]
    ok(tf.raw("PUT", f"/v3/migprojects/{migproject_id}/default", {}))
    assert read_migproject(tf, migproject_id)["isdefault"] is True


def test_migration_project_update_sends_the_same_body(tf: Tf) -> None:
    migproject_id = ok(tf.raw("POST", "/v3/migprojects", migproject_body(**FIRST_PROJECT)))["id"]
    changed = {
        **FIRST_PROJECT,
        "region": "cn-north-4",
        "type": "MIGRATE_BLOCK",
        "use_public_ip": False,
        "exist_server": False,
        "syncing": True,
        "start_target_server": True,
        "start_network_check": True,
        "speed_limit": 20,
    }
    ok(tf.raw("PUT", f"/v3/migprojects/{migproject_id}", migproject_body(**changed)))
    state = read_migproject(tf, migproject_id)
    for key, value in changed.items():
        assert state[key] == value, key


def test_migration_project_delete_sends_an_id_array_then_read_is_404(tf: Tf) -> None:
    migproject_id = ok(tf.raw("POST", "/v3/migprojects", migproject_body(**FIRST_PROJECT)))["id"]
    ok(tf.raw("DELETE", f"/v3/migprojects/{migproject_id}", [migproject_id]))
    assert tf.calls[-1].headers["Content-Type"] == JSON
    assert is_404(tf.raw("GET", f"/v3/migprojects/{migproject_id}"))


def migration_projects(tf: Tf) -> list[dict[str, Any]]:
    """data.huaweicloud_sms_migration_projects: httphelper OffsetPager without a limit."""
    return helper_pages(tf, "/v3/migprojects", {}, "migprojects", 0).get("migprojects", [])


def test_migration_project_default_finds_system_project_and_sets_it(tf: Tf) -> None:
    other = ok(tf.raw("POST", "/v3/migprojects", migproject_body(**FIRST_PROJECT)))["id"]
    ok(tf.raw("PUT", f"/v3/migprojects/{other}/default", {}))
    [system] = [p for p in migration_projects(tf) if p["name"] == "SystemProject"]
    ok(tf.raw("PUT", f"/v3/migprojects/{system['id']}/default", {}))
    assert read_migproject(tf, system["id"])["isdefault"] is True
    assert read_migproject(tf, other)["isdefault"] is False


def test_migration_projects_data_source_pages_without_a_limit(tf: Tf) -> None:
    made = []
    for i in range(120):
        body = migproject_body(**{**FIRST_PROJECT, "name": f"p{i}"})
        made.append(ok(tf.raw("POST", "/v3/migprojects", body))["id"])
    found = migration_projects(tf)
    ids = [p["id"] for p in found]
    assert len(ids) == len(set(ids)) == 121 and set(made) <= set(ids)
    sent = queries(tf, "/v3/migprojects")
    assert sent[0] == {} and all(set(q) == {"offset"} for q in sent[1:])
    assert [q["offset"] for q in sent[1:]] == ["100", "121"]
    for project in found:  # the keys the data source reads
        go_decode(
            project,
            {
                "id": "string", "name": "string", "use_public_ip": "bool", "isdefault": "bool",
                "start_target_server": "bool", "region": "string", "speed_limit": "float",
                "exist_server": "bool", "description": "string", "type": "string",
                "enterprise_project": "string", "syncing": "bool", "start_network_check": "bool",
            },
        )  # fmt: skip


# --- huaweicloud_sms_task ---------------------------------------------------------------------


DEFAULT_VOLUME_KEYS = (
    "name", "size", "device_use", "file_system", "mount_point", "index", "uuid", "used_size",
)  # fmt: skip


def default_target_disks(source: Any) -> list[dict[str, Any]]:
    """`buildCreateTaskTargetServerDisksDefaultBodyParams`: from `init_target_server.disks`,
    name/size/device_use and the volumes' eight keys, copied verbatim."""
    disks = []
    for raw in as_list(path_search("init_target_server.disks", source, []), "disks"):
        volumes = raw.get("physical_volumes")
        disks.append(
            {
                "name": raw.get("name"),
                "size": raw.get("size"),
                "device_use": raw.get("device_use"),
                "physical_volumes": [{k: v.get(k) for k in DEFAULT_VOLUME_KEYS} for v in volumes]
                if isinstance(volumes, list) and volumes
                else None,
            }
        )
    return disks


def task_body(source: Any, source_id: str, template_id: str, **attrs: Any) -> dict[str, Any]:
    """`buildCreateTaskBodyParams` then RemoveNil, for a template-based task: the target is
    `{"disks": [...]}` alone (no name, no vm_id)."""
    body = {
        "name": "MigrationTask",
        "priority": 1,
        "type": attrs.get("type", "MIGRATE_FILE"),
        "os_type": attrs.get("os_type", "LINUX"),
        "region_name": REGION,
        "region_id": REGION,
        "project_name": REGION,
        "project_id": PROJECT_ID,
        "source_server": {"id": source_id},
        "target_server": {"disks": default_target_disks(source)},
        "vm_template_id": value_ignore_empty(template_id),
        "migration_ip": value_ignore_empty(attrs.get("migration_ip", "")),
        "use_public_ip": attrs.get("use_public_ip", True),
        "start_target_server": attrs.get("start_target_server", True),
        "syncing": attrs.get("syncing", False),
        "exist_server": False,
        "auto_start": attrs.get("auto_start", False),
        "use_ipv6": attrs.get("use_ipv6", False),
        "start_network_check": attrs.get("start_network_check", False),
        "speed_limit": value_ignore_empty(attrs.get("migrate_speed_limit", 0)),
        "over_speed_threshold": value_ignore_empty(attrs.get("over_speed_threshold", 0.0)),
        "is_need_consistency_check": attrs.get("is_need_consistency_check", False),
        "need_migration_test": attrs.get("need_migration_test", False),
    }
    return remove_nil(body)


# The acceptance test's task (TestAccMigrationTask_basic), less its speed_limit and
# configurations blocks.
ACCEPTANCE_TASK = {
    "auto_start": True,
    "use_ipv6": True,
    "start_network_check": True,
    "migrate_speed_limit": 10,
    "over_speed_threshold": 50,
    "is_need_consistency_check": True,
    "need_migration_test": True,
}


def create_task(
    tf: Tf, source_id: str = "src-linux-file", template_id: str = "tpl-default", **attrs: Any
) -> tuple[str, dict[str, Any]]:
    source = ok(tf.raw("GET", f"/v3/sources/{source_id}"))  # the default-disks pre-step
    body = task_body(source, source_id, template_id, **attrs)
    task_id = path_search("id", ok(tf.raw("POST", "/v3/tasks", body)), "")
    if not task_id:
        raise ProviderError("error creating SMS migrate task: no id in the answer")
    return task_id, body


TASK_READS = {
    "region_name": "string", "project_id": "string", "type": "string", "os_type": "string",
    "vm_template_id": "string", "source_server.id": "string", "target_server.vm_id": "string",
    "target_server.name": "string", "start_target_server": "bool", "migration_ip": "string",
    "state": "string", "enterprise_project_id": "string", "migrate_speed": "number",
    "speed_limit": "number", "use_public_ip": "bool", "syncing": "bool", "use_ipv6": "bool",
    "need_migration_test": "bool",
}  # fmt: skip


def _float(value: Any, where: str) -> float:
    """`PathSearch(k, raw, float64(0)).(float64)`: a string (or anything not a number) panics."""
    if value is None:
        return 0.0
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProviderError(f"{where}.(float64) on {value!r}: panic")
    return float(value)


def read_task(tf: Tf, task_id: str) -> dict[str, Any]:
    """`resourceMigrateTaskRead`: GET v3/tasks/{id} and the attributes it sets (sizes in MB);
    the speed-limit, configuration-setting and passphrase GETs follow, their errors only
    logged."""
    body = ok(tf.raw("GET", f"/v3/tasks/{task_id}"))
    state = {k: _set(path_search(k, body), kind, k) for k, kind in TASK_READS.items()}
    disks = []
    for index, raw in enumerate(
        as_list(path_search("target_server.disks", body, []), "target_server.disks")
    ):
        if not isinstance(raw, dict):
            raise ProviderError(f"target_server.disks[{index}].(map): panic")
        where = f"target_server.disks[{index}]"
        volumes = raw.get("physical_volumes")
        disks.append(
            {
                "device_type": tf_set(path_search("device_use", raw), "string", where),
                "name": tf_set(path_search("name", raw), "string", where),
                "size": int(_float(path_search("size", raw), f"{where}.size")) // 1048576,
                "used_size": int(_float(path_search("used_size", raw), where)) // 1048576,
                "disk_id": tf_set(path_search("disk_id", raw), "string", where),
                "physical_volumes": [
                    {
                        "name": v.get("name"),
                        "size": int(_float(v.get("size"), f"{where}.pv.size")) // 1048576,
                        "used_size": int(_float(v.get("used_size"), f"{where}.pv")) // 1048576,
                        "index": _set(v.get("index"), "number", f"{where}.pv.index"),
                        "uuid": tf_set(v.get("uuid"), "string", f"{where}.pv.uuid"),
                    }
                    for v in volumes
                ]
                if isinstance(volumes, list)
                else None,
            }
        )
    state["target_server_disks"] = disks
    for extra in ("speed-limit", "configuration-setting", "passphrase"):
        tf.raw("GET", f"/v3/tasks/{task_id}/{extra}")  # any answer: only logged
    return state


def test_task_create_sends_the_template_body_built_from_the_source_disks(tf: Tf) -> None:
    source = ok(tf.raw("GET", "/v3/sources/src-linux-block"))
    body = task_body(source, "src-linux-block", "tpl-default", **ACCEPTANCE_TASK)
    target = body["target_server"]
    assert set(target) == {"disks"}  # no name, no vm_id
    assert all("used_size" not in d and "disk_id" not in d for d in target["disks"])
    assert [v["index"] for v in target["disks"][0]["physical_volumes"]] == [0, 1]  # 0 is sent
    answer = ok(tf.raw("POST", "/v3/tasks", body))
    assert set(answer) == {"id"} and answer["id"]


def test_task_read_after_create_parses_as_the_provider_does(tf: Tf) -> None:
    task_id, body = create_task(tf, migrate_speed_limit=10, need_migration_test=True)
    state = read_task(tf, task_id)
    assert state["state"] == "READY"
    assert state["use_public_ip"] is True
    assert state["vm_template_id"] == "tpl-default"
    assert state["source_server.id"] == "src-linux-file"
    assert state["region_name"] == REGION and state["project_id"] == PROJECT_ID
    sent = body["target_server"]["disks"]
    assert [d["name"] for d in state["target_server_disks"]] == [d["name"] for d in sent]
    assert [d["size"] for d in state["target_server_disks"]] == [d["size"] // 1048576 for d in sent]
    # ImportStateVerify: what was sent comes back.
    assert (state["speed_limit"], state["need_migration_test"]) == (10, True)
    assert (state["use_ipv6"], state["syncing"], state["start_target_server"]) == (
        False,
        False,
        True,
    )


def test_task_read_target_server_keeps_go_types(tf: Tf) -> None:
    task_id, _ = create_task(tf)
    body = ok(tf.raw("GET", f"/v3/tasks/{task_id}"))
    go_decode(body, GO_MIGRATE_TASK)
    btrfs = body["target_server"].get("btrfs_list")
    assert btrfs is None or all(isinstance(b, str) for b in btrfs)
    for disk in body["target_server"]["disks"]:
        for key in ("size", "used_size"):
            assert disk.get(key) is None or type(disk[key]) is int, (key, disk)


def test_task_with_the_acceptance_configuration_reads_ready(tf: Tf) -> None:
    # The acceptance test sends auto_start = true and checks state READY right after create.
    task_id, _ = create_task(tf, **ACCEPTANCE_TASK)
    state = read_task(tf, task_id)
    assert state["state"] == "READY"
    assert (state["use_ipv6"], state["need_migration_test"], state["speed_limit"]) == (
        True,
        True,
        10,
    )


def wait_for_running(tf: Tf, control: ControlPlane, task_id: str) -> dict[str, Any]:
    """`waitForTaskStateRunning`: `tasks.Get` after a 5 s delay, then every 10 s for at most
    5 minutes; READY pending, RUNNING done, any other state an error. The clock is the
    emulator's, moved by the control plane."""
    control.advance(5)
    for _ in range(30):
        body = ok(tf.typed("GET", f"/v3/tasks/{task_id}"))
        go_decode(body, GO_MIGRATE_TASK)
        state = body.get("state") or ""
        if state == "RUNNING":
            return body
        if state != "READY":
            raise ProviderError(f"unexpected state '{state}', wanted target 'RUNNING'")
        control.advance(10)
    raise ProviderError("timeout while waiting for state to become 'RUNNING'")


def test_task_action_start_waits_until_running(tf: Tf, control: ControlPlane) -> None:
    task_id, _ = create_task(tf)
    ok(tf.typed("POST", f"/v3/tasks/{task_id}/action", {"operation": "start"}))
    assert tf.calls[-1].headers["Content-Type"] == JSON
    running = wait_for_running(tf, control, task_id)
    assert running["id"] == task_id
    get = [c for c in tf.calls if c.path == f"/v3/tasks/{task_id}" and c.method == "GET"]
    assert get and all("Content-Type" not in c.headers for c in get)


def test_task_action_stop_then_delete_then_read_is_404(tf: Tf, control: ControlPlane) -> None:
    task_id, _ = create_task(tf)
    ok(tf.typed("POST", f"/v3/tasks/{task_id}/action", {"operation": "start"}))
    wait_for_running(tf, control, task_id)
    ok(tf.typed("POST", f"/v3/tasks/{task_id}/action", {"operation": "stop"}))  # no wait
    control.advance(60)
    ok(tf.raw("DELETE", f"/v3/tasks/{task_id}"))
    assert is_404(tf.raw("GET", f"/v3/tasks/{task_id}"))


def test_task_delete_then_read_is_404(tf: Tf) -> None:
    task_id, _ = create_task(tf)
    ok(tf.raw("DELETE", f"/v3/tasks/{task_id}"))
    assert is_404(tf.raw("GET", f"/v3/tasks/{task_id}"))
    assert is_404(tf.raw("DELETE", f"/v3/tasks/{task_id}"))  # tolerated: already gone


def test_task_speed_limit_and_configurations_round_trip(tf: Tf) -> None:
    # The acceptance test's speed_limit and configurations blocks: POSTed after create, read
    # back by the resource's read.
    task_id, _ = create_task(tf, **ACCEPTANCE_TASK)
    limits = {"speed_limit": [{"start": "00:00", "end": "23:59", "speed": 1000,
                               "over_speed_threshold": 50}]}  # fmt: skip
    settings = {
        "configurations": [
            {"config_key": "LINUX_CPU_LIMIT", "config_value": "60", "config_status": "testA"}
        ]
    }
    ok(tf.raw("POST", f"/v3/tasks/{task_id}/speed-limit", limits))
    ok(tf.raw("POST", f"/v3/tasks/{task_id}/configuration-setting", settings))
    got = ok(tf.raw("GET", f"/v3/tasks/{task_id}/speed-limit"))
    assert path_search("speed_limit[0].start", got) == "00:00"
    got = ok(tf.raw("GET", f"/v3/tasks/{task_id}/configuration-setting"))
    assert path_search("configurations[0].config_status", got) == "testA"


# --- data sources -------------------------------------------------------------------------


def source_servers(tf: Tf, **filters: str) -> list[dict[str, Any]]:
    """data.huaweicloud_sms_source_servers: `sources.List` with its ListOpts (zero values
    left out)."""
    query = {k: v for k, v in filters.items() if v}
    return sdk_offset_pages(tf, "/v3/sources", query, "source_servers", GO_SOURCE_SERVER)


def test_source_servers_data_source_pages_until_an_empty_page(
    control: ControlPlane, tf: Tf
) -> None:
    for i in range(205):
        control.put_source({"id": f"tf-src-{i:03d}", "name": f"tf-src-{i:03d}"})
    found = source_servers(tf)
    ids = [s["id"] for s in found]
    assert len(ids) == len(set(ids)) == 205 + 9  # the fixtures' nine sources too
    sent = queries(tf, "/v3/sources")
    assert sent == [{}, {"offset": "200"}, {"offset": "214"}]


def test_source_servers_data_source_name_filter_is_exact(tf: Tf) -> None:
    assert [s["id"] for s in source_servers(tf, name="linux-file-01")] == ["src-linux-file"]
    assert source_servers(tf, name="linux-file") == []  # a prefix is not the name


def test_source_servers_data_source_unknown_name_finds_none(tf: Tf) -> None:
    assert source_servers(tf, name="non-existent") == []
    assert queries(tf, "/v3/sources") == [{"name": "non-existent"}]


def test_source_servers_data_source_reads_memory_and_dates(tf: Tf) -> None:
    [server] = source_servers(tf, id="src-linux-block")
    assert isinstance(server["agent_version"], str) and server["agent_version"]
    assert server["memory"] // 1048576 >= 0 and server["add_date"] > 10**12  # ms since 1970
    disks = server["init_target_server"]["disks"]
    assert [(d["name"], d["size"] // 1048576) for d in disks] == [("/dev/sda", 102400)]


OVERVIEW_KEYS = (
    "waiting", "replicate", "syncing", "stopped", "deleting", "cutovering", "unavailable",
    "stopping", "skipping", "finished", "initialize", "error", "cloning", "unconfigured",
)  # fmt: skip


def test_source_server_overview_answers_all_fourteen_ints(tf: Tf) -> None:
    body = ok(tf.helper("GET", "/v3/sources/overview"))
    for key in OVERVIEW_KEYS:
        assert type(body.get(key)) is int, key


def test_source_server_errors_pager_on_the_wrong_key_still_ends(tf: Tf) -> None:
    merged = helper_pages(tf, "/v3/errors", {}, "source_servers", 100)
    assert merged == {}  # the provider's dataPath is wrong: the first page counts as empty
    assert queries(tf, "/v3/errors") == [{"limit": "100", "offset": "0"}]
    answer = ok(tf.helper("GET", "/v3/errors?limit=100&offset=0"))
    assert set(answer) == {"count", "migration_errors"}  # the SDK's shape


def test_server_templates_data_source_pages_by_100(control: ControlPlane, tf: Tf) -> None:
    for i in range(150):
        control.put_template({"id": f"tf-tpl-{i:03d}", "name": f"tf-tpl-{i:03d}"})
    merged = helper_pages(tf, "/v3/vm/templates", {}, "templates", 100)
    ids = [t["id"] for t in merged["templates"]]
    assert len(ids) == len(set(ids)) == 151
    assert queries(tf, "/v3/vm/templates") == [
        {"limit": "100", "offset": "0"},
        {"limit": "100", "offset": "100"},
        {"limit": "100", "offset": "200"},
    ]


def test_server_templates_data_source_name_filter_is_exact(tf: Tf) -> None:
    create_template(tf, template_body("tf-template", "cn-north-4a"))
    create_template(tf, template_body("tf-template-2", "cn-north-4a"))
    merged = helper_pages(tf, "/v3/vm/templates", {"name": "tf-template"}, "templates", 100)
    assert [t["name"] for t in merged["templates"]] == ["tf-template"]
    for template in merged["templates"]:
        assert isinstance(template["vpc"], dict) and isinstance(template["nics"], list)
        assert isinstance(template["is_template"], str)


def test_tasks_data_source_pages_with_filters(control: ControlPlane, tf: Tf) -> None:
    control.put_task({"id": "tf-ep-task", "enterprise_project_id": "ep-tf"})
    merged = helper_pages(tf, "/v3/tasks", {"state": "RUNNING", "name": ""}, "tasks", 100)
    assert {t["state"] for t in merged["tasks"]} == {"RUNNING"}
    assert queries(tf, "/v3/tasks")[0] == {"state": "RUNNING", "limit": "100", "offset": "0"}
    merged = helper_pages(tf, "/v3/tasks", {"id": "sample-ready"}, "tasks", 100)
    assert [t["id"] for t in merged["tasks"]] == ["sample-ready"]
    merged = helper_pages(tf, "/v3/tasks", {"source_server_id": "src-sample-abort"}, "tasks", 100)
    assert [t["source_server"]["id"] for t in merged["tasks"]] == ["src-sample-abort"]
    task = merged["tasks"][0]
    merged = helper_pages(tf, "/v3/tasks", {"enterprise_project_id": "ep-tf"}, "tasks", 100)
    assert [t["id"] for t in merged["tasks"]] == ["tf-ep-task"]
    for key in ("sub_tasks", "special_config"):
        assert task.get(key) is None or isinstance(task[key], list), key
    for key in ("source_server", "target_server", "clone_server", "network_check_info"):
        assert task.get(key) is None or isinstance(task[key], dict), key


def test_tasks_data_source_pages_past_100(control: ControlPlane, tf: Tf) -> None:
    for i in range(110):
        control.put_task({"id": f"tf-task-{i:03d}", "name": "tf-bulk"})
    merged = helper_pages(tf, "/v3/tasks", {"name": "tf-bulk"}, "tasks", 100)
    ids = [t["id"] for t in merged["tasks"]]
    assert len(ids) == len(set(ids)) == 110
    assert [q["offset"] for q in queries(tf, "/v3/tasks")] == ["0", "100", "200"]


REGION_KEYS = (
    "cloud_type", "create_linux_image_id", "desc", "dns_domain", "ecs_domain", "evs_domain",
    "iam_domain", "ims_domain", "kms_address", "linux_image_id", "linux_uefi_image_id",
    "obs_domain", "project_name", "region_name", "sms_domain", "vpc_domain", "windows_image_id",
    "windows_ssh_image_id", "windows_uefi_image_id",
)  # fmt: skip


def test_agent_configs_read_without_a_content_type(tf: Tf) -> None:
    body = ok(tf.typed("GET", "/v3/config"))
    assert "Content-Type" not in tf.calls[-1].headers
    assert tf.calls[-1].headers["Accept"] == JSON
    config = tf_set(path_search("config", body), "any", "config")
    assert all(isinstance(v, str) for v in config.values())  # a TypeMap of strings
    for key in ("disktype", "mainRegion", "obs_domain"):
        assert isinstance(config.get(key), str) and config[key], key
    regions = as_list(path_search("regions", body, []), "regions")
    for key in REGION_KEYS:
        assert isinstance(regions[0].get(key), str) and regions[0][key], key
