"""What the SMS backend does with a task's settings: PUT /v3/tasks/{id}, speed-limit windows,
configuration settings and the passphrase; a mixin of `SmsBackend` (backend.py).

A setting that changes how fast a task moves (its `speed_limit`, its windows) applies from the
moment it is set: the task is settled to now and its running sub-task rebased there first, so
what the clock already showed stays true.
"""

from __future__ import annotations

import copy
import csv
import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sms_mock.mock_server.sms import errors

if TYPE_CHECKING:
    from sms_mock.mock_server.sms.backend import SmsBackend
    from sms_mock.mock_server.sms.task_models import Task

MAX_CONSISTENCY_CHECKS = 100  # the newest are kept
# INFERRED: the CSV an export may answer (SMS.0426 past it). 100 tasks of 100 checks of 100
# directories each is 10**6 rows: a 5 KB request must not cost 50 MiB and seconds of CPU.
MAX_EXPORT_BYTES = 1_048_576
MAX_CONFIGURATIONS = 100  # distinct keys a task keeps
EXPORT_COLUMNS = (
    "task_id", "source_name", "finished_time", "check_result", "dir_check", "num_total_files",
    "num_different_files", "num_target_miss_files", "num_target_more_files",
)  # fmt: skip


@dataclass
class _CountedText:
    """A text sink for `csv.writer` that counts the UTF-8 bytes written, as the answer has them."""

    parts: list[str] = field(default_factory=list)
    size: int = 0

    def write(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text.encode("utf-8"))


NETWORK_CHECK_KEYS = dict.fromkeys(
    ("domain_connectivity", "destination_connectivity", "network_delay", "network_jitter",
     "migration_speed", "loss_percentage", "cpu_usage", "mem_usage", "evaluation_result")
)  # fmt: skip

# PutTaskReq's fields kept on the task document as they are given. Its `project_id` and
# `project_name` are not: a task's project is the one it lives in.
UPDATABLE = (
    "name", "type", "region_id", "region_name", "exist_server", "migration_ip", "use_ipv6",
    "use_public_ip", "speed_limit", "priority", "vm_template_id", "image_disk_id",
    "target_disk_ids", "snapshot_ids", "cutovered_snapshot_ids",
)  # fmt: skip


class TaskSettingsOps:
    def _settled_for_change(self: SmsBackend, project_id: str, task_id: str) -> Task:
        """The task, settled and rebased to now: what changes next applies from now on."""
        task = self._task(project_id, task_id)
        self.lifecycle.rebase(task, self.clock.now_ms())
        return task

    def _changed_task(self: SmsBackend, project_id: str, task: Task) -> None:
        task.touch()
        self._changed(project_id, task.id, True)

    def update_task(self: SmsBackend, project_id: str, task_id: str, body: dict[str, Any]) -> None:
        with self._lock:
            task = self._settled_for_change(project_id, task_id)
            changes_type = "type" in body and body["type"] != task.peek().get("type")
            if changes_type and task.state != "READY":
                # A task's sub-tasks are planned from its type: only a READY task changes it.
                raise errors.type_change_refused(task.state)
            if "target_server" in body:
                self._check_target_free(project_id, body["target_server"], task_id)
            doc = task.doc
            for key in UPDATABLE:
                if key in body:
                    doc[key] = body[key]
            if "enterprise_project" in body:
                doc["enterprise_project_id"] = body["enterprise_project"]
            for key in ("target_server", "clone_server"):
                if key in body:
                    holder = doc.get(key) if isinstance(doc.get(key), dict) else {}
                    doc[key] = {**holder, **body[key]}
            self._changed_task(project_id, task)

    def speed_limits(self: SmsBackend, project_id: str, task_id: str) -> dict[str, Any]:
        with self._lock:
            task = self._task(project_id, task_id)
            windows = (task.settings or {}).get("speed_limit") or []
            return {"speed_limit": [{"over_speed_threshold": None, **w} for w in windows]}

    def set_speed_limits(
        self: SmsBackend, project_id: str, task_id: str, windows: list[dict[str, Any]]
    ) -> None:
        with self._lock:
            task = self._settled_for_change(project_id, task_id)
            task.settings = {**(task.settings or {}), "speed_limit": copy.deepcopy(windows)}
            self._changed_task(project_id, task)

    def config_settings(
        self: SmsBackend, project_id: str, task_id: str, config_key: str | None
    ) -> dict[str, Any]:
        with self._lock:
            task = self._task(project_id, task_id)
            configurations = (task.settings or {}).get("configurations") or []
            if config_key is not None:
                configurations = [c for c in configurations if c["config_key"] == config_key]
            return {
                "task_id": task_id,
                "migrate_type": task.peek().get("type"),
                "configurations": [
                    {"config_status": None, **c} for c in copy.deepcopy(configurations)
                ],
            }

    def set_config_settings(
        self: SmsBackend, project_id: str, task_id: str, given: list[dict[str, Any]]
    ) -> None:
        """Settings by key: a key given again replaces its value, the others stay."""
        with self._lock:
            task = self._task(project_id, task_id)
            by_key = {c["config_key"]: c for c in (task.settings or {}).get("configurations", [])}
            by_key.update({c["config_key"]: copy.deepcopy(c) for c in given})
            if len(by_key) > MAX_CONFIGURATIONS:
                raise errors.invalid_body(
                    "configurations", f"A task keeps at most {MAX_CONFIGURATIONS} settings."
                )
            task.settings = {**(task.settings or {}), "configurations": list(by_key.values())}
            self._changed_task(project_id, task)

    def passphrase(self: SmsBackend, project_id: str, task_id: str) -> dict[str, Any]:
        """INFERRED: the passphrase an agent encrypts its channel with; derived from the task
        id, so that it is stable and reading it changes nothing."""
        with self._lock:
            self._task(project_id, task_id)
        digest = hashlib.sha256(f"sms-mock passphrase {task_id}".encode()).hexdigest()
        return {"task_id": task_id, "passphrase": digest[:32]}

    # --- the log, certificates, consistency checks, the network check -----------------------

    def collect_log(self: SmsBackend, project_id: str, task_id: str, bucket: str | None) -> None:
        with self._lock:
            task = self._task(project_id, task_id)
            self.lifecycle.collect_log(task, self.clock.now_ms(), bucket)
            self._changed(project_id, task.id, True)

    def cert_key(self: SmsBackend, project_id: str, task_id: str, with_ca: bool) -> dict[str, Any]:
        """INFERRED: stand-in PEM blocks, stable per task; `ca` only when asked for."""
        with self._lock:
            self._task(project_id, task_id)

        def pem(kind: str, name: str) -> str:
            body = hashlib.sha256(f"sms-mock {name} {task_id}".encode()).hexdigest()
            return f"-----BEGIN {kind}-----\n{body}\n-----END {kind}-----\n"

        return {
            "cert": pem("CERTIFICATE", "cert"),
            "private_key": pem("PRIVATE KEY", "key"),
            "ca": pem("CERTIFICATE", "ca") if with_ca else None,
            "target_mgmt_cert": pem("CERTIFICATE", "mgmt cert"),
            "target_mgmt_private_key": pem("PRIVATE KEY", "mgmt key"),
            "target_data_cert": pem("CERTIFICATE", "data cert"),
            "target_data_private_key": pem("PRIVATE KEY", "data key"),
        }

    def add_consistency_result(
        self: SmsBackend, project_id: str, task_id: str, directories: list[dict[str, Any]]
    ) -> None:
        """One check's result; INFERRED: it fails when a directory has any difference."""
        differs = any(
            d["num_different_files"] or d["num_target_miss_files"] or d["num_target_more_files"]
            for d in directories
        )
        check = {
            "finished_time": self.clock.now_ms(),
            "check_result": "FAIL" if differs else "OK",
            "consistency_result": copy.deepcopy(directories),
        }
        with self._lock:
            task = self._task(project_id, task_id)
            # The newest MAX_CONSISTENCY_CHECKS: a reporting loop cannot grow a task forever.
            kept = (task.settings or {}).get("consistency", [])[-(MAX_CONSISTENCY_CHECKS - 1) :]
            checks = [*kept, check]
            task.settings = {**(task.settings or {}), "consistency": checks}
            self._changed_task(project_id, task)

    def consistency_results(self: SmsBackend, project_id: str, task_id: str) -> dict[str, Any]:
        with self._lock:
            task = self._task(project_id, task_id)
            checks = copy.deepcopy((task.settings or {}).get("consistency", []))
        return {"task_id": task_id, "result_list": checks}

    def export_consistency_results(
        self: SmsBackend, project_id: str, tasks: list[dict[str, Any]]
    ) -> str:
        """The checks of the tasks named, as CSV (the service answers a file): quoted where a
        value holds a comma, a quote or a line break, so that a row stays one row.

        A task named twice is exported once, under its first entry's source name (INFERRED: a
        batch read by ids), and the file stops at MAX_EXPORT_BYTES with SMS.0426: the cost of
        a request is bounded whatever the tasks hold.
        """
        first: dict[str, dict[str, Any]] = {}
        for given in tasks:
            first.setdefault(given["task_id"], given)
        out = _CountedText()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(EXPORT_COLUMNS)
        for task_id, given in first.items():
            with self._lock:
                task = self._task(project_id, task_id)
                # A check is never changed once recorded (a new list replaces the old), so a
                # shallow copy is a stable view to write outside the lock.
                checks = list((task.settings or {}).get("consistency", []))
            for check in checks:
                for d in check["consistency_result"]:
                    writer.writerow((
                        task_id, given.get("source_name", ""), check["finished_time"],
                        check["check_result"], d["dir_check"], d["num_total_files"],
                        d["num_different_files"], d["num_target_miss_files"],
                        d["num_target_more_files"],
                    ))  # fmt: skip
                    if out.size > MAX_EXPORT_BYTES:
                        raise errors.export_too_long(MAX_EXPORT_BYTES)
        return "".join(out.parts)

    def update_network_check_info(
        self: SmsBackend, project_id: str, task_id: str, info: dict[str, Any]
    ) -> None:
        with self._lock:
            task = self._task(project_id, task_id)
            known = task.doc.get("network_check_info")
            task.doc["network_check_info"] = {
                **NETWORK_CHECK_KEYS,
                **(known if isinstance(known, dict) else {}),
                **info,
            }
            self._changed_task(project_id, task)

    def record_progress(
        self: SmsBackend, project_id: str, task_id: str, report: dict[str, Any]
    ) -> None:
        """The agent's progress report, recorded with its time. It moves an agent-driven task
        only: a task on the clock is never moved by a report."""
        with self._lock:
            task = self._task(project_id, task_id)
            now = self.clock.now_ms()
            reported = {**copy.deepcopy(report), "at": now}
            task.settings = {**(task.settings or {}), "progress_report": reported}
            self.lifecycle.agent_report(task, report, now)
            self._changed_task(project_id, task)
