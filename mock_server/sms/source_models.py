"""Source servers: the document an agent registers, and the answers derived from it.

A source is kept as the document of GET /v3/sources/{id} less what its task decides, plus two
keys of the emulator's own: `_task_id` (its current task) and `_migproject` (the migproject it
belongs to). Its `state` and `migration_cycle` are its own while it has no task; with a task,
they are the task's `source_server` ones, which the engine moves (lifecycle.SOURCE_STATES).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from sms_mock.contracts.fields import INT64_MAX
from sms_mock.contracts.shape import fill_nulls, shape_of, with_shape_keys
from sms_mock.contracts.sources import SourceBriefSchema, SourceSchema

SOURCE_SHAPE = shape_of(SourceSchema)
BRIEF_SHAPE = shape_of(SourceBriefSchema)

TASK_ID = "_task_id"
MIGPROJECT = "_migproject"
# INFERRED: a newly registered source is waiting and its environment is being checked.
REGISTERED_STATE = "waiting"
REGISTERED_CYCLE = "checking"
# changestate's `init` is the source state the answers call `initialize`.
COPY_STATE_NAMES = {"init": "initialize"}

NextId = Callable[[], int]


def used_bytes(items: list[dict[str, Any]]) -> int:
    """The used bytes of disks or volumes together, held at int64's greatest value: each is an
    int64, their sum need not be, and every integer an answer carries is one."""
    return min(sum(item.get("used_size") or 0 for item in items), INT64_MAX)


def _with_ids(items: list[dict[str, Any]] | None, next_id: NextId, **nested: str) -> list:
    """Items given integer ids and the defaults Terraform reads back (migrate, full size)."""
    out = []
    for item in items or []:
        item = dict(item)
        item.setdefault("id", next_id())
        item.setdefault("need_migration", True)
        item.setdefault("adjust_size", item.get("size"))
        for key, inner in nested.items():
            item[key] = _with_ids(item.get(key), next_id, **({inner: inner} if inner else {}))
        out.append(item)
    return out


def disks_of(given: list[dict[str, Any]] | None, next_id: NextId) -> list[dict[str, Any]]:
    disks = _with_ids(given, next_id, physical_volumes="")
    for disk in disks:
        disk.setdefault("os_disk", disk.get("device_use") in ("BOOT", "OS"))
        for index, volume in enumerate(disk["physical_volumes"]):
            volume.setdefault("index", index)
            volume.setdefault("size_per_cluster", 0)
    return disks


def volume_groups_of(given: list[dict[str, Any]] | None, next_id: NextId) -> list:
    return _with_ids(given, next_id, logical_volumes="")


def registered_document(
    source_id: str, body: dict[str, Any], now_ms: int, next_id: NextId, migproject: str | None
) -> dict[str, Any]:
    """A source as POST /v3/sources registers it (the body already checked)."""
    doc = {key: copy.deepcopy(value) for key, value in body.items() if key != "id"}
    doc["id"] = source_id
    doc["disks"] = disks_of(body.get("disks"), next_id)
    doc["volume_groups"] = volume_groups_of(body.get("volume_groups"), next_id)
    doc.setdefault("btrfs_list", [])
    doc["state"] = body.get("state", REGISTERED_STATE)
    doc["migration_cycle"] = body.get("migration_cycle", REGISTERED_CYCLE)
    doc.update(
        add_date=now_ms,
        connected=True,
        enterprise_project_id="0",
        checks=[],
        replicatesize=0,
        totalsize=used_bytes(doc["disks"]),
        last_visit_time=now_ms,
        stage_action_time=now_ms,
        state_action_time=now_ms,
        adjust_disk=False,
        oem_system=body.get("oem_system", False),
        has_tc=body.get("has_tc", False),
        start_type=body.get("start_type", "MANUAL"),
    )
    doc[TASK_ID] = None
    doc[MIGPROJECT] = migproject
    return doc


def init_target_server(doc: dict[str, Any]) -> dict[str, Any]:
    """The suggested target: a disk for each source disk it migrates, at its adjusted size."""
    disks = []
    for disk in doc.get("disks") or []:
        if disk.get("need_migration") is False:
            continue
        disks.append(
            {
                "id": disk.get("id"),
                "name": disk.get("name"),
                "size": disk.get("adjust_size") or disk.get("size"),
                "device_use": disk.get("device_use"),
                "used_size": disk.get("used_size"),
                "adjust_size": disk.get("adjust_size"),
                "need_migration": disk.get("need_migration"),
                "physical_volumes": [
                    {key: v.get(key) for key in _TARGET_VOLUME_KEYS}
                    for v in disk.get("physical_volumes") or []
                    if v.get("need_migration") is not False
                ],
            }
        )
    return {"disks": disks, "volume_groups": copy.deepcopy(doc.get("volume_groups") or [])}


_TARGET_VOLUME_KEYS = (
    "id",
    "device_use",
    "file_system",
    "index",
    "mount_point",
    "name",
    "size",
    "inode_size",
    "used_size",
    "uuid",
    "adjust_size",
    "need_migration",
)


def current_task(task: dict[str, Any]) -> dict[str, Any]:
    """TaskByServerSource: the fields of the source's task that its answers carry."""
    target = task.get("target_server") or {}
    brief = {key: task.get(key) for key in _CURRENT_TASK_KEYS}
    brief["target_server"] = {"vm_id": target.get("vm_id"), "name": target.get("name")}
    brief["clone_server"] = None  # Terraform reads it as a list: an object would break it
    return brief


_CURRENT_TASK_KEYS = (
    "id",
    "name",
    "type",
    "state",
    "estimate_complete_time",
    "start_date",
    "speed_limit",
    "migrate_speed",
    "compress_rate",
    "start_target_server",
    "vm_template_id",
    "region_id",
    "project_name",
    "project_id",
    "log_collect_status",
    "exist_server",
    "use_public_ip",
    "remain_seconds",
    "log_bucket",
    "log_expire",
    "log_upload_time",
    "log_share_url",
    "subtask_info",
)


def answer(doc: dict[str, Any], task: dict[str, Any] | None) -> dict[str, Any]:
    """GET /v3/sources/{id}: every key of the SDK model, derived fields filled in."""
    out = {key: value for key, value in doc.items() if not key.startswith("_")}
    out["migprojectid"] = doc.get(MIGPROJECT)
    out["init_target_server"] = init_target_server(doc)
    out["current_task"] = None
    if task is not None:
        out["current_task"] = current_task(task)
        embedded = task.get("source_server") or {}
        out["state"] = embedded.get("state") or out.get("state")
        out["migration_cycle"] = embedded.get("migration_cycle") or out.get("migration_cycle")
    return fill_nulls(copy.deepcopy(out), SOURCE_SHAPE)


def brief(full: dict[str, Any]) -> dict[str, Any]:
    """One source of GET /v3/sources, from its full answer."""
    return with_shape_keys(full, BRIEF_SHAPE)


def embedded_in_task(doc: dict[str, Any]) -> dict[str, Any]:
    """The `source_server` a task made from this source carries."""
    return {
        "id": doc["id"],
        "ip": doc.get("ip"),
        "name": doc.get("name"),
        "os_type": doc.get("os_type"),
        "os_version": doc.get("os_version"),
        "oem_system": doc.get("oem_system"),
        "state": doc.get("state"),
        "migration_cycle": doc.get("migration_cycle"),
    }


def default_registration(source_id: str, os_type: str = "LINUX") -> dict[str, Any]:
    """What a source put in with only some fields gets for the rest: one 40 GiB boot disk with
    the seed task's 2,467,393,536 bytes used, one network card, a current agent."""
    windows = os_type == "WINDOWS"
    return {
        "name": f"source-{source_id[:8]}",
        "hostname": f"source-{source_id[:8]}",
        "ip": "192.168.0.10",
        "os_type": os_type,
        "os_version": "WINDOWS_2016_64BIT" if windows else "CENTOS_7_6_64BIT",
        "firmware": "BIOS",
        "cpu_quantity": 2,
        "memory": 4096,
        "agent_version": "24.3.0",
        "networks": [
            {
                "name": "eth0",
                "ip": "192.168.0.10",
                "netmask": "255.255.255.0",
                "gateway": "192.168.0.1",
                "mtu": 1500,
                "mac": "fa:16:3e:00:00:01",
            }
        ],
        "disks": [
            {
                "name": "Disk 0" if windows else "/dev/sda",
                "partition_style": "MBR",
                "device_use": "BOOT",
                "size": 42949672960,
                "used_size": 2467393536,
                "os_disk": True,
                "physical_volumes": [
                    {
                        "name": "C:" if windows else "/dev/sda1",
                        "mount_point": "C:\\" if windows else "/",
                        "file_system": "NTFS" if windows else "ext4",
                        "device_use": "OS",
                        "index": 0,
                        "size": 42948624384,
                        "used_size": 2467393536,
                    }
                ],
            }
        ],
        "volume_groups": [],
        "btrfs_list": [],
    }
