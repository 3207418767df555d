"""What the SMS backend does with source servers: register, read, update, delete.

A mixin of `SmsBackend` (backend.py), whose lock, books and tasks it uses: a source's answer
reads its task, and deleting a source looks at its task, under one lock.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from sms_mock.contracts.sources import OVERVIEW_STATES
from sms_mock.mock_server.core.ids import new_id
from sms_mock.mock_server.sms import errors
from sms_mock.mock_server.sms.lifecycle import UNDELETABLE_STATES
from sms_mock.mock_server.sms.source_models import (
    COPY_STATE_NAMES,
    MIGPROJECT,
    TASK_ID,
    answer,
    brief,
    default_registration,
    disks_of,
    registered_document,
    used_bytes,
    volume_groups_of,
)

if TYPE_CHECKING:
    from sms_mock.mock_server.sms.backend import SmsBackend

# What an agent is told by its task's state: START while it runs, STOP while it stops; the
# others say why there is nothing to do (INFERRED: SMS names the answers, not the rule).
AGENT_COMMANDS = {
    "RUNNING": "START",
    "SYNCING": "START",
    "ABORTING": "STOP",
    "READY": "TASK_NOT_STARTED",
    "ABORT": "TASK_HAS_STOPPED",
}
COMMAND_RESULTS = "_command_results"  # the agent's recent answers, kept with the source
AGENT_DRIVEN = "_agent_driven"  # set through the control plane: its task moves by reports

# The list's default page when `limit` is 0 or absent (the SDK documents 200).
DEFAULT_SOURCE_PAGE = 200
# Keys of a source's answer that the emulator derives: a put-in document's are not kept.
DERIVED_KEYS = frozenset({"id", "current_task", "init_target_server", "migprojectid"})
# `agent_driven` (put-in documents only) marks a source whose task its agent drives.
# The fields of a registration that identify the same agent registering again.
SAME_AGENT_KEYS = ("name", "ip", "ipv6")


class SourceOps:
    def _source(self: SmsBackend, project_id: str, source_id: str) -> dict[str, Any]:
        source = self.sources.get(project_id, source_id)
        if source is None:
            raise errors.source_not_found(source_id)  # another project's answers alike
        return source

    def _source_task(self: SmsBackend, project_id: str, source: dict[str, Any]) -> Any:
        """The source's task, settled to now; None when it has none."""
        task_id = source.get(TASK_ID)
        task = self._tasks.get(project_id, {}).get(task_id) if task_id else None
        if task is not None:
            self._settle(project_id, task, self.clock.now_ms())
        return task

    def _source_answer(self: SmsBackend, project_id: str, source: dict[str, Any]) -> dict:
        task = self._source_task(project_id, source)
        return answer(source, None if task is None else task.peek())

    # --- reads ---------------------------------------------------------------------------

    def show_source(self: SmsBackend, project_id: str, source_id: str) -> dict[str, Any]:
        with self._lock:
            return self._source_answer(project_id, self._source(project_id, source_id))

    def list_sources(self: SmsBackend, project_id: str, query: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            answers = [self._source_answer(project_id, s) for s in self.sources.of(project_id)]
            owners = {s["id"]: s.get(MIGPROJECT) for s in self.sources.of(project_id)}
        matching = [a for a in answers if _source_matches(a, owners.get(a["id"]), query)]
        matching.sort(key=lambda a: (-(a.get("add_date") or 0), a["id"]))
        offset, limit = query["offset"], query["limit"] or DEFAULT_SOURCE_PAGE
        page = [brief(a) for a in matching[offset : offset + limit]]
        return {"count": len(matching), "source_servers": page}

    def source_overview(self: SmsBackend, project_id: str) -> dict[str, int]:
        with self._lock:
            answers = [self._source_answer(project_id, s) for s in self.sources.of(project_id)]
        counts = dict.fromkeys(OVERVIEW_STATES, 0)
        for source in answers:
            # INFERRED: a source with no task yet has no target configured.
            key = "unconfigured" if source["current_task"] is None else source["state"]
            if key in counts:
                counts[key] += 1
        return counts

    def migration_errors(
        self: SmsBackend, project_id: str, query: dict[str, Any]
    ) -> dict[str, Any]:
        """The sources whose task failed, with the task's error."""
        with self._lock:
            found = []
            for source in self.sources.of(project_id):
                if "migproject" in query and source.get(MIGPROJECT) != query["migproject"]:
                    continue
                task = self._source_task(project_id, source)
                if task is None or task.state not in ("MIGRATE_FAIL", "SYNC_FAIL"):
                    continue
                doc = task.peek()
                target = doc.get("target_server") or {}
                found.append(
                    {
                        "error_json": doc.get("error_json"),
                        "host_name": source.get("hostname"),
                        "name": source.get("name"),
                        "source_id": source["id"],
                        "source_ip": source.get("ip"),
                        "target_ip": target.get("ip"),
                    }
                )
        offset, limit = query["offset"], query["limit"] or 50
        return {"count": len(found), "migration_errors": found[offset : offset + limit]}

    # --- writes --------------------------------------------------------------------------

    def register_source(self: SmsBackend, project_id: str, body: dict[str, Any]) -> str:
        """A new source, or the same agent's again: then its document is replaced, id kept."""
        now = self.clock.now_ms()
        with self._lock:
            known = self._same_agent(project_id, body)
            source_id = known["id"] if known else new_id()
            migproject = known.get(MIGPROJECT) if known else self.default_migproject(project_id)
            doc = registered_document(source_id, body, now, self._next_int_id, migproject)
            if known is not None:
                doc[TASK_ID] = known.get(TASK_ID)
                doc["add_date"] = known.get("add_date", now)
            self.sources.put(project_id, source_id, doc)
        return source_id

    # --- the agent's side -----------------------------------------------------------------

    def agent_command(self: SmsBackend, project_id: str, source_id: str) -> dict[str, Any]:
        """What the source's agent should do next, from its task's state (AGENT_COMMANDS)."""
        with self._lock:
            source = self._source(project_id, source_id)
            task = self._source_task(project_id, source)
            if task is None:
                raise errors.source_has_no_task(source_id)
            name = AGENT_COMMANDS.get(task.state, "TASK_HAS_FINISHED")
            bucket = ((task.settings or {}).get("log") or {}).get("bucket")
            return {"command_name": name, "command_param": {"task_id": task.id, "bucket": bucket}}

    def record_command_result(
        self: SmsBackend, project_id: str, source_id: str, result: dict[str, Any]
    ) -> None:
        """The agent's answer to a command, kept with its time (the last 20 of them); its STOP
        stops a stopping task at once."""
        with self._lock:
            source = self._source(project_id, source_id)
            now = self.clock.now_ms()
            source[COMMAND_RESULTS] = [
                *(source.get(COMMAND_RESULTS) or [])[-19:],
                {**result, "at": now},
            ]
            self.sources.changed(project_id, source_id)
            task = self._source_task(project_id, source)
            if task is not None and result["command_name"] == "STOP":
                self.lifecycle.agent_stopped(task, now)
                self._changed(project_id, task.id, True)

    def put_source(self: SmsBackend, project_id: str, given: dict[str, Any]) -> dict[str, Any]:
        """Put a source in exactly as given (upsert by id), the rest defaulted; its answer.

        A task of the project that names it becomes its task.
        """
        now = self.clock.now_ms()
        with self._lock:
            source_id = given.get("id") or new_id()
            registration = default_registration(source_id, given.get("os_type") or "LINUX")
            if given.get("name"):
                registration["name"] = registration["hostname"] = given["name"]
            # Derived, as a registration's: the project's default migproject, whatever is given.
            migproject = self.default_migproject(project_id)
            doc = registered_document(source_id, registration, now, self._next_int_id, migproject)
            for key, value in given.items():
                if key not in DERIVED_KEYS:
                    doc[key] = copy.deepcopy(value)
            doc[AGENT_DRIVEN] = bool(doc.pop("agent_driven", False))
            doc["disks"] = disks_of(doc.get("disks"), self._next_int_id)
            doc["volume_groups"] = volume_groups_of(doc.get("volume_groups"), self._next_int_id)
            if "totalsize" not in given:
                doc["totalsize"] = used_bytes(doc["disks"])
            # `listed` keeps the source id of a packed task: nothing is decoded to find it.
            doc[TASK_ID] = next(
                (
                    task.id
                    for task in self._tasks.get(project_id, {}).values()
                    if (task.listed.get("source_server") or {}).get("id") == source_id
                ),
                None,
            )
            self.sources.put(project_id, source_id, doc)
            self._mark_agent_driven(project_id, doc)
            return self._source_answer(project_id, doc)

    def _mark_agent_driven(self: SmsBackend, project_id: str, source: dict[str, Any]) -> None:
        """A task of an agent-driven source moves by its agent's reports, not by the clock."""
        task = self._tasks.get(project_id, {}).get(source.get(TASK_ID) or "")
        wanted = bool(source.get(AGENT_DRIVEN))
        if task is not None and self.lifecycle.agent_driven(task) != wanted:
            task.settings = {**(task.settings or {}), "agent_driven": wanted}
            self.lifecycle.rebase(task, self.clock.now_ms())
            task.touch()
            self._changed(project_id, task.id, True)

    def _same_agent(self: SmsBackend, project_id: str, body: dict[str, Any]) -> dict | None:
        if body.get("id"):
            return self.sources.get(project_id, body["id"])
        key = tuple(body.get(k) for k in SAME_AGENT_KEYS)
        return next(
            (
                s
                for s in self.sources.of(project_id)
                if tuple(s.get(k) for k in SAME_AGENT_KEYS) == key
            ),
            None,
        )

    def update_source(
        self: SmsBackend, project_id: str, source_id: str, body: dict[str, Any]
    ) -> None:
        """PutSourceServerBody: a name, a migproject, disks or volume groups to adjust."""
        with self._lock:
            source = self._source(project_id, source_id)
            if "migprojectid" in body:
                self._migproject(project_id, body["migprojectid"])
                source[MIGPROJECT] = body["migprojectid"]
            if "name" in body:
                source["name"] = body["name"]
            for given in body.get("disks", []):
                _adjust(source.get("disks") or [], given, "physical_volumes")
                source["adjust_disk"] = True
            for given in body.get("volume_groups", []):
                _adjust(source.get("volume_groups") or [], given, "logical_volumes")
            self.sources.changed(project_id, source_id)

    def change_source_state(
        self: SmsBackend, project_id: str, source_id: str, body: dict[str, Any]
    ) -> None:
        """PutCopyStateReq: the source's own state and cycle, as a QA bench or Terraform sets
        them; a task that moves later moves them again."""
        now = self.clock.now_ms()
        with self._lock:
            source = self._source(project_id, source_id)
            task = self._source_task(project_id, source)
            holders = [source]
            if task is not None and isinstance(task.doc.get("source_server"), dict):
                holders.append(task.doc["source_server"])
                task.touch()
                self._changed(project_id, task.id, True)
            for holder in holders:
                if "copystate" in body:
                    state = body["copystate"]
                    holder["state"] = COPY_STATE_NAMES.get(state, state)
                if "migrationcycle" in body:
                    holder["migration_cycle"] = body["migrationcycle"]
            if "copystate" in body:
                source["state_action_time"] = now
            if "migrationcycle" in body:
                source["stage_action_time"] = now
            self.sources.changed(project_id, source_id)

    def update_disk_info(
        self: SmsBackend, project_id: str, source_id: str, body: dict[str, Any]
    ) -> None:
        """PutDiskInfoReq: the source's disks, volume groups and btrfs, replaced as given."""
        with self._lock:
            source = self._source(project_id, source_id)
            if "disks" in body:
                source["disks"] = disks_of(body["disks"], self._next_int_id)
                source["totalsize"] = used_bytes(source["disks"])
            if "volumegroups" in body:
                source["volume_groups"] = volume_groups_of(body["volumegroups"], self._next_int_id)
            if "btrfs_list" in body:
                source["btrfs_list"] = body["btrfs_list"]
            self.sources.changed(project_id, source_id)

    def delete_sources(self: SmsBackend, project_id: str, source_ids: list[str]) -> None:
        """All or nothing; a source's idle task goes with it, a busy one refuses the delete."""
        with self._lock:
            sources = [self._source(project_id, i) for i in dict.fromkeys(source_ids)]
            tasks = [self._source_task(project_id, s) for s in sources]
            for source, task in zip(sources, tasks, strict=True):
                if task is not None and task.state in UNDELETABLE_STATES:
                    raise errors.source_busy(source["id"], task.state)
            for source, task in zip(sources, tasks, strict=True):
                if task is not None:
                    del self._tasks[project_id][task.id]
                    self._changed(project_id, task.id, False)
                self.sources.delete(project_id, source["id"])


def _adjust(items: list[dict[str, Any]], given: dict[str, Any], inner_key: str) -> None:
    """Apply a PutDisk or PutVolumeGroups entry to the item of the same id (ids as given)."""
    for item in items:
        if str(item.get("id")) != str(given.get("id")):
            continue
        for key in ("need_migration", "adjust_size"):
            if key in given:
                item[key] = given[key]
        for inner in given.get(inner_key, []):
            for volume in item.get(inner_key) or []:
                if str(volume.get("id")) == str(inner.get("id")):
                    for key in ("need_migration", "adjust_size"):
                        if key in inner:
                            volume[key] = inner[key]


def _source_matches(source: dict[str, Any], migproject: str | None, query: dict) -> bool:
    for key in ("state", "name", "id", "ip", "ipv6", "migration_cycle", "connected"):
        if key in query and source.get(key) != query[key]:
            return False
    if "enterprise_project_id" in query and (
        source.get("enterprise_project_id") != query["enterprise_project_id"]
    ):
        return False
    if "migproject" in query and migproject != query["migproject"]:
        return False
    if "vm_id" in query:
        target = (source.get("current_task") or {}).get("target_server") or {}
        if target.get("vm_id") != query["vm_id"]:
            return False
    wanted = query.get("is_consistency_result_exist")
    return wanted is None or bool(source.get("is_consistency_result_exist")) == wanted
