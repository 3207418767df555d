"""The request bodies a stateful run sends: what an agent, a console or Terraform would send.

Every name starts with the run's prefix (`sms-mock-conform-<hex>`), so that what a run made is
recognisable in a shared project, and every address is from the documentation ranges
(192.0.2.0/24, RFC 5737), so that nothing points at a real machine. Each body is valid for its
request schema in `contracts/` (tests/conformance holds them to it).
"""

from __future__ import annotations

from typing import Any

GIB = 1024**3
DISK_SIZE = 40 * GIB
DISK_USED = 3 * GIB


def _disks() -> list[dict[str, Any]]:
    return [
        {
            "name": "/dev/vda",
            "size": DISK_SIZE,
            "used_size": DISK_USED,
            "device_use": "BOOT",
            "partition_style": "MBR",
            "physical_volumes": [
                {
                    "name": "/dev/vda1",
                    "mount_point": "/",
                    "file_system": "ext4",
                    "device_use": "OS",
                    "index": 0,
                    "size": DISK_SIZE,
                    "used_size": DISK_USED,
                }
            ],
        }
    ]


def register_source(name: str, address: str) -> dict[str, Any]:
    """POST /v3/sources, as the agent registers a Linux server."""
    return {
        "name": name,
        "hostname": name,
        "ip": address,
        "os_type": "LINUX",
        "os_version": "CENTOS_7_9_64BIT",
        "agent_version": "24.3.0",
        "firmware": "BIOS",
        "cpu_quantity": 2,
        "memory": 4 * GIB,
        "disks": _disks(),
        "networks": [{"name": "eth0", "ip": address, "mac": "fa:16:3e:00:00:01", "mtu": 1500}],
        "has_rsync": True,
        "kernel_version": "3.10.0",
    }


def disk_info() -> dict[str, Any]:
    """PUT /v3/sources/{id}/diskinfo: the same disks again, as an agent's rescan sends them."""
    return {"disks": _disks()}


def copy_state() -> dict[str, Any]:
    """PUT /v3/sources/{id}/changestate: the state a new registration already has."""
    return {"copystate": "waiting", "migrationcycle": "checking"}


def create_migproject(name: str, region: str) -> dict[str, Any]:
    return {
        "name": name,
        "region": region,
        "type": "MIGRATE_FILE",
        "description": "Made by sms-mock conform; deleted at the end of its run.",
        "isdefault": False,
        "speed_limit": 0,
    }


def create_template(name: str, region: str, project_id: str) -> dict[str, Any]:
    """POST /v3/vm/templates: what a console's "save as template" sends, the rest defaulted."""
    return {
        "template": {
            "name": name,
            "is_template": True,
            "region": region,
            "projectid": project_id,
            "target_server_name": name,
            "availability_zone": f"{region}a",
        }
    }


def create_task(
    name: str, source_id: str, template_id: str | None, region: str, project: str, project_id: str
) -> dict[str, Any]:
    """POST /v3/tasks: a file-level Linux migration to a server made from a template, as
    Terraform's provider sends it (no target name or vm_id)."""
    body: dict[str, Any] = {
        "name": name,
        "type": "MIGRATE_FILE",
        "os_type": "LINUX",
        "region_name": region,
        "region_id": region,
        "project_name": project,
        "project_id": project_id,
        "source_server": {"id": source_id},
        "target_server": {
            "disks": [{"name": "/dev/vda", "size": DISK_SIZE, "device_use": "BOOT"}],
        },
        "auto_start": False,
        "start_target_server": False,
        "priority": 1,
    }
    if template_id is not None:
        body["vm_template_id"] = template_id
    return body


def speed_limits() -> dict[str, Any]:
    return {"speed_limit": [{"start": "00:00", "end": "06:00", "speed": 100}]}


def configurations() -> dict[str, Any]:
    return {"configurations": [{"config_key": "EXCLUDE_MIGRATE_PATH", "config_value": "/tmp"}]}


def consistency_result() -> dict[str, Any]:
    return {
        "consistency_result": [
            {
                "dir_check": "/",
                "num_total_files": 100,
                "num_different_files": 0,
                "num_target_miss_files": 0,
                "num_target_more_files": 0,
            }
        ]
    }


def network_check_info() -> dict[str, Any]:
    return {
        "domain_connectivity": True,
        "destination_connectivity": True,
        "network_delay": 1.5,
        "network_jitter": 0.2,
        "migration_speed": 100.0,
        "loss_percentage": 0.0,
        "cpu_usage": 10.0,
        "mem_usage": 20.0,
        "evaluation_result": "OK",
    }


def progress_report(subtask: str, progress: int) -> dict[str, Any]:
    """PUT /v3/tasks/{id}/progress: the agent's report of the running sub-task."""
    return {
        "subtask_name": subtask,
        "progress": progress,
        "replicatesize": 0,
        "totalsize": DISK_USED,
        "process_trace": f"{progress}%",
    }


def command_result(command: str) -> dict[str, Any]:
    return {"command_name": command, "result": "success", "result_detail": {}}


def temporary_credential(token: str) -> dict[str, Any]:
    """POST /v3.0/OS-CREDENTIAL/securitytokens: 15 minutes of temporary AK/SK."""
    return {
        "auth": {
            "identity": {"methods": ["token"], "token": {"id": token, "duration_seconds": 900}}
        }
    }
