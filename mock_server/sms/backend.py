"""The SMS backend: tasks, sources, templates and migprojects by project; thread-safe.

Tasks are moved by the lifecycle engine; the other resources are JSON documents in books
(`resources.py`). Each resource group's operations live in a mixin of their own
(`source_ops.py`, `template_ops.py`, `migproject_ops.py`, `task_settings_ops.py`); all share
this backend's one lock.
"""

from __future__ import annotations

import copy
import json
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sms_mock.contracts.enums import Operation
from sms_mock.contracts.shape import shape_of, with_shape_keys
from sms_mock.contracts.sms import TaskBriefSchema
from sms_mock.mock_server.core.clock import Clock
from sms_mock.mock_server.core.ids import new_id
from sms_mock.mock_server.sms import errors
from sms_mock.mock_server.sms.engine import LifecycleEngine
from sms_mock.mock_server.sms.faults import TaskFault, TaskFaultBook
from sms_mock.mock_server.sms.lifecycle import UNDELETABLE_STATES, SourceEvent, source_state
from sms_mock.mock_server.sms.migproject_ops import MigprojectOps
from sms_mock.mock_server.sms.resources import ResourceBook
from sms_mock.mock_server.sms.source_models import TASK_ID, embedded_in_task
from sms_mock.mock_server.sms.source_ops import SourceOps
from sms_mock.mock_server.sms.task_index import TaskIndex
from sms_mock.mock_server.sms.task_models import (
    Task,
    complete_document,
    created_document,
    default_document,
    thaw,
)
from sms_mock.mock_server.sms.task_settings_ops import TaskSettingsOps
from sms_mock.mock_server.sms.template_ops import TemplateOps

BRIEF_SHAPE = shape_of(TaskBriefSchema)


# Briefs kept rendered: a few pages of a big project, a whole small one (about 1 KB each).
BRIEFS_KEPT = 4096
# Pages kept whole: what a few clients polling their lists read again (100 KB a page of 100).
PAGES_KEPT = 32


@dataclass(frozen=True, slots=True)
class KeptPage:
    """A list page's answer, and what it was made of: good while the project's index is the
    same at the same generation (the same tasks match, in the same order) and each task of
    the page is the same task at the same version."""

    index: TaskIndex
    generation: int
    tasks: tuple[tuple[str, Task, int], ...]  # (id, task, version)
    body: bytes

    def good(self, index: TaskIndex, tasks: dict[str, Task]) -> bool:
        if index is not self.index or index.generation != self.generation:
            return False
        get = tasks.get
        return all(get(task_id) is task and task.version == v for task_id, task, v in self.tasks)


@dataclass
class Changes:
    """What changed since the state file last saw the backend."""

    tasks: list[dict[str, Any]]  # tasks changed, whole
    deleted_tasks: list[tuple[str, str]]  # (project, id)
    resources: list[dict[str, Any]]  # rows changed: kind, project_id, id, doc
    deleted_resources: list[tuple[str, str, str]]  # (kind, project, id)
    last_int_id: int

    def __bool__(self) -> bool:
        """Whether there are rows to write (the id counter is told apart by the caller)."""
        return bool(self.tasks or self.deleted_tasks or self.resources or self.deleted_resources)


@dataclass(frozen=True)
class TaskPage:
    """A page of tasks across projects, as the dashboard's overview shows it."""

    offset: int  # where the page starts among the tasks matched
    matched: int  # the tasks the filters keep
    total: int  # every task of every project
    tasks: list[tuple[str, dict[str, Any]]]  # (project id, the task's document), in order


@dataclass(frozen=True)
class Glance:
    """What the dashboard says of a task beside its document: its name, and whether the clock
    moves it (a run or a timer). A task in a moving state that is not live was put in at rest
    and stays as given (README's "Live and frozen tasks")."""

    name: str
    live: bool


@dataclass(frozen=True)
class SourcePage:
    """The first source servers across projects, as the dashboard's overview shows them."""

    matched: int
    sources: list[tuple[str, dict[str, Any]]]  # (project id, the source's answer)


class SmsBackend(SourceOps, TemplateOps, MigprojectOps, TaskSettingsOps):
    def __init__(
        self, clock: Clock, faults: TaskFaultBook, durations: dict[str, float] | None = None
    ) -> None:
        self.clock = clock
        self.faults = faults
        # One lock for every task: an answer is always a consistent instant of one task.
        self._lock = threading.RLock()
        self._tasks: dict[str, dict[str, Task]] = {}
        self._indexes: dict[str, TaskIndex] = {}  # by project: what GET /v3/tasks pages
        # Briefs of tasks at rest, by (project, id): (the task, its version, the brief's JSON);
        # good while it is the same task at the same version.
        self._briefs: OrderedDict[tuple[str, str], tuple[Task, int, bytes]] = OrderedDict()
        # Whole pages of tasks at rest, by (project, the query's items), newest last; guarded
        # by _briefs_lock too.
        self._pages: OrderedDict[tuple[str, tuple[Any, ...]], KeptPage] = OrderedDict()
        self._briefs_lock = threading.Lock()
        self._last_int_id = 0
        # What changed since the state file last saw it: (project, task id) -> kept or deleted.
        self._changes: dict[tuple[str, str], bool] = {}
        self.sources = ResourceBook("source", self._lock)
        self.templates = ResourceBook("template", self._lock)
        self.migprojects = ResourceBook("migproject", self._lock)
        self.settings = ResourceBook("setting", self._lock)  # per project: privacy agreement
        self.books = (self.sources, self.templates, self.migprojects, self.settings)
        self._track_changes = False
        self.lifecycle = LifecycleEngine(faults, self._next_int_id, durations)

    @property
    def track_changes(self) -> bool:
        return self._track_changes

    @track_changes.setter
    def track_changes(self, value: bool) -> None:
        # Set by the emulator when it keeps a state file: only then is anything remembered.
        self._track_changes = value
        for book in self.books:
            book.track_changes = value

    def _changed(self, project_id: str, task_id: str, alive: bool) -> None:
        """Every change of a task comes here: its list index follows, and a state file is told."""
        task = self._tasks.get(project_id, {}).get(task_id) if alive else None
        with self._briefs_lock:
            self._briefs.pop((project_id, task_id), None)
        index = self._indexes.get(project_id)
        if index is None:
            index = self._indexes[project_id] = TaskIndex()
        if task is None:
            index.remove(task_id)
        else:
            index.update(task_id, task.listed, task.moving)
        # Remembered only for a state file: without one nothing drains it, and it would grow.
        if self.track_changes:
            self._changes[(project_id, task_id)] = alive

    def _reindex(self) -> None:
        self._indexes = {}
        with self._briefs_lock:
            self._pages.clear()  # they hold the indexes replaced
        for project_id, tasks in self._tasks.items():
            index = self._indexes[project_id] = TaskIndex()
            for task in tasks.values():
                index.update(task.id, task.listed, task.moving)

    def _next_int_id(self) -> int:
        self._last_int_id += 1
        return self._last_int_id

    def _task(self, project_id: str, task_id: str) -> Task:
        task = self._tasks.get(project_id, {}).get(task_id)
        if task is None:
            # Another project's task answers exactly like an absent one.
            raise errors.task_not_found(task_id)
        self._settle(project_id, task, self.clock.now_ms())
        return task

    def check_task(self, project_id: str, task_id: str) -> None:
        """Nothing when the project has the task; the task routes' 404 otherwise."""
        with self._lock:
            self._task(project_id, task_id)

    def _holders(self, project_id: str, name: str, value: Any) -> list[str]:
        """The project's tasks whose indexed value `name` is `value` (`TaskIndex.holders`)."""
        index = self._indexes.get(project_id)
        return index.holders(name, value) if index is not None else []

    def task_named(self, project_id: str, name: str, other_than: str = "") -> bool:
        """Whether a task of the project other than `other_than` has this name (its index)."""
        with self._lock:
            return any(i != other_than for i in self._holders(project_id, "name", name))

    def _task_using_template(self, project_id: str, template_id: str) -> str | None:
        """The id of a task of the project made from the template; None if none is."""
        return next(iter(self._holders(project_id, "vm_template_id", template_id)), None)

    def _check_target_free(self, project_id: str, target: Any, own_id: str = "") -> None:
        """A target server (`vm_id`) is the target of one task of the project at most (7605)."""
        vm_id = target.get("vm_id") if isinstance(target, dict) else None
        for task_id in self._holders(project_id, "target_vm_id", vm_id or None):
            if task_id != own_id:
                raise errors.target_server_taken(vm_id, task_id)  # type: ignore[arg-type]

    def _settle(self, project_id: str, task: Task, now: int) -> None:
        version = task.version
        self.lifecycle.settle(task, now)
        if task.version != version:
            self._changed(project_id, task.id, True)

    # --- reads ------------------------------------------------------------------------------

    def show(self, project_id: str, task_id: str) -> bytes:
        with self._lock:
            return self._task(project_id, task_id).render()

    def list(self, project_id: str, query: dict[str, Any]) -> bytes:
        """A page of the project's tasks as the JSON answer, from its index: the work is the
        page's, and the lock is held only to settle the moving tasks and take the page.

        A task at rest is rendered to its brief once per change and kept so (the newest
        BRIEFS_KEPT of them), so that a page read again costs joining bytes; a page of tasks at
        rest is kept whole too (the newest PAGES_KEPT), good while the index and each of its
        tasks are as they were, so that a page read again costs checking that.
        """
        now = self.clock.now_ms()
        page_key = (project_id, tuple(sorted(query.items())))
        with self._lock:
            index = self._indexes.get(project_id)
            if index is None:
                return b'{"count":0,"tasks":[]}'
            tasks = self._tasks[project_id]
            for task_id in list(index.moving):
                self._settle(project_id, tasks[task_id], now)
            with self._briefs_lock:
                page = self._pages.get(page_key)
                if page is not None:
                    self._pages.move_to_end(page_key)
            if page is not None and page.good(index, tasks):
                return page.body
            count, ids = index.page(query, query["offset"], query["limit"])
            picked = [(task_id, tasks[task_id]) for task_id in ids]
            # The version each brief is kept at: -1 for a moving task, whose brief is not kept.
            versions = [-1 if task.moving else task.version for _, task in picked]
            with self._briefs_lock:
                kept_briefs = [
                    self._kept_brief((project_id, task_id), task, version)
                    for (task_id, task), version in zip(picked, versions, strict=True)
                ]
            held: list[bytes | tuple[bool, bytes]] = [
                task.frozen() if brief is None else brief
                for (_, task), brief in zip(picked, kept_briefs, strict=True)
            ]
            generation = index.generation
        briefs = []
        for (task_id, task), version, brief in zip(picked, versions, held, strict=True):
            if isinstance(brief, tuple):  # decoded and shaped outside the lock
                brief = json.dumps(
                    with_shape_keys(thaw(brief), BRIEF_SHAPE), separators=(",", ":")
                ).encode()
                if version >= 0:
                    self._keep_brief((project_id, task_id), task, version, brief)
            briefs.append(brief)
        body = b'{"count":%d,"tasks":[%s]}' % (count, b",".join(briefs))
        if -1 not in versions:  # a moving task's brief is made afresh at every read
            made_of = tuple(
                (task_id, task, v) for (task_id, task), v in zip(picked, versions, strict=True)
            )
            kept = KeptPage(index, generation, made_of, body)
            with self._briefs_lock:
                self._pages[page_key] = kept
                self._pages.move_to_end(page_key)
                while len(self._pages) > PAGES_KEPT:
                    self._pages.popitem(last=False)
        return body

    def _kept_brief(self, key: tuple[str, str], task: Task, version: int) -> bytes | None:
        """The brief kept for this task at `version`, if any (then the newest kept); the
        caller holds `_briefs_lock`."""
        kept = self._briefs.get(key)
        if kept is None or kept[0] is not task or kept[1] != version:
            return None
        self._briefs.move_to_end(key)
        return kept[2]

    def _keep_brief(self, key: tuple[str, str], task: Task, version: int, brief: bytes) -> None:
        with self._briefs_lock:
            self._briefs[key] = (task, version, brief)
            self._briefs.move_to_end(key)
            while len(self._briefs) > BRIEFS_KEPT:
                self._briefs.popitem(last=False)

    def counts(self) -> dict[str, int]:
        """How many tasks, source servers and templates it holds, every project together."""
        with self._lock:
            return {
                "tasks": sum(len(tasks) for tasks in self._tasks.values()),
                "sources": sum(1 for _ in self.sources.everywhere()),
                "templates": sum(1 for _ in self.templates.everywhere()),
            }

    def every_task(self) -> list[dict[str, Any]]:
        """Every task of every project, settled to now, with its project (the control plane)."""
        now = self.clock.now_ms()
        with self._lock:
            found = []
            for project_id, tasks in self._tasks.items():
                for task in tasks.values():
                    self._settle(project_id, task, now)
                    found.append({"project_id": project_id, "task": copy.deepcopy(task.peek())})
        return found

    def task_page(
        self,
        project_names: dict[str, str],
        filters: dict[str, str],
        offset: int,
        limit: int,
    ) -> TaskPage:
        """A page of every project's tasks, projects by name (then id), each project's tasks
        in its list's order, kept by `filters` (`state`, `project`): from the list indexes,
        as `list` pages, so that the work is the page's and not every task's. An offset past
        the last task is taken as the last page's."""
        now = self.clock.now_ms()
        query = {"state": filters["state"]} if filters.get("state") else {}
        with self._lock:
            total = sum(len(index) for index in self._indexes.values())
            wanted = [
                pid
                for pid in sorted(self._indexes, key=lambda pid: (project_names.get(pid, pid), pid))
                if not filters.get("project") or pid == filters["project"]
            ]
            for project_id in wanted:
                tasks = self._tasks.get(project_id, {})
                for task_id in list(self._indexes[project_id].moving):
                    self._settle(project_id, tasks[task_id], now)
            counts = [self._indexes[pid].page(query, 0, 0)[0] for pid in wanted]
            matched = sum(counts)
            offset = min(offset, (matched - 1) // limit * limit) if matched else 0
            picked: list[tuple[str, dict[str, Any]]] = []
            before = 0
            for project_id, count in zip(wanted, counts, strict=True):
                start, room = max(0, offset - before), limit - len(picked)
                before += count
                if room <= 0 or start >= count:
                    continue
                _, ids = self._indexes[project_id].page(query, start, room)
                tasks = self._tasks[project_id]
                picked.extend((project_id, copy.deepcopy(tasks[i].peek())) for i in ids)
        return TaskPage(offset, matched, total, picked)

    def glance(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Glance]:
        """Each (project, task id)'s `Glance`, from what a list keeps (nothing unpacked); an
        absent task is left out. Project "" finds the id in any project, as a fault of an
        older snapshot matches it."""
        found: dict[tuple[str, str], Glance] = {}
        with self._lock:
            for project_id, task_id in keys:
                homes = [project_id] if project_id else list(self._tasks)
                task = next((t for p in homes if (t := self._tasks.get(p, {}).get(task_id))), None)
                if task is not None:
                    found[(project_id, task_id)] = Glance(
                        str(task.listed.get("name") or ""), task.live
                    )
        return found

    def source_page(self, project_id: str, limit: int) -> SourcePage:
        """The first `limit` source servers (of one project when `project_id` is given), and
        how many there are: the dashboard's overview, at the cost of the page."""
        with self._lock:
            every = self.sources.everywhere()
            kept = [(p, s) for p, s in every if not project_id or p == project_id]
            return SourcePage(len(kept), [(p, self._source_answer(p, s)) for p, s in kept[:limit]])

    def every_source(self) -> list[dict[str, Any]]:
        with self._lock:
            return [
                {"project_id": project_id, "source": self._source_answer(project_id, source)}
                for project_id, source in list(self.sources.everywhere())
            ]

    def every_template(self) -> list[dict[str, Any]]:
        with self._lock:
            return [
                {"project_id": project_id, "template": copy.deepcopy(template)}
                for project_id, template in self.templates.everywhere()
            ]

    # --- writes -----------------------------------------------------------------------------

    def create(self, project_id: str, body: dict[str, Any]) -> str:
        """POST /v3/tasks: the source must be the project's and free, a template must exist."""
        now = self.clock.now_ms()
        task_id = new_id()
        with self._lock:
            source_id = body["source_server"]["id"]
            source = self.sources.get(project_id, source_id)
            if source is None:
                raise errors.task_source_not_found(source_id)
            holder = self._source_task(project_id, source)
            if holder is not None:
                raise errors.source_has_task(source_id, holder.id)
            self._check_target_free(project_id, body.get("target_server"))
            template = None
            if body.get("vm_template_id"):
                template = self.templates.get(project_id, body["vm_template_id"])
                if template is None:
                    raise errors.task_template_not_found(body["vm_template_id"])
            doc = created_document(task_id, body, now, self._next_int_id, source, template)
            state, cycle = source_state(SourceEvent.CREATED, None)
            doc["source_server"] = {**embedded_in_task(source), "state": state}
            doc["source_server"]["migration_cycle"] = cycle
            task = Task(task_id, doc, project_id=project_id)
            self._tasks.setdefault(project_id, {})[task_id] = task
            source[TASK_ID] = task_id
            self.sources.changed(project_id, source_id)
            self._mark_agent_driven(project_id, source)
            if body.get("auto_start"):
                self.lifecycle.schedule_auto_start(task, now)
            self._changed(project_id, task_id, True)
        return task_id

    def put(
        self,
        project_id: str,
        project_name: str,
        given: dict[str, Any],
        durations: dict[str, float] | None = None,
    ) -> dict[str, Any]:
        """Put a task in exactly as given (upsert by id); the rest of its fields defaulted."""
        now = self.clock.now_ms()
        task_id = given.get("id") or new_id()
        doc = default_document(
            task_id, project_id, project_name, now, given.get("os_type", "LINUX")
        )
        doc.update(copy.deepcopy(given))
        doc["id"] = task_id
        windows = doc.pop("speed_limits", None)
        complete_document(doc)
        settings = {"speed_limit": windows} if windows else None
        task = Task(
            task_id, doc, durations=dict(durations or {}), settings=settings, project_id=project_id
        )
        with self._lock:
            ids = [e.get("id") for e in doc.get("sub_tasks") or []]
            self._last_int_id = max([self._last_int_id, *(i for i in ids if isinstance(i, int))])
            self.lifecycle.adopt(task, now)
            self._tasks.setdefault(project_id, {})[task_id] = task
            self._changed(project_id, task_id, True)
            self._link_source(project_id, doc)
            if task.pack():
                return doc  # the task keeps only its packed copy: this dict is the caller's
            return copy.deepcopy(task.doc)

    def act(
        self, project_id: str, task_id: str, operation: Operation, fields: dict[str, Any]
    ) -> None:
        with self._lock:
            task = self._task(project_id, task_id)
            rule = self.lifecycle.rule(task, operation)  # a refusal changes nothing
            # All or nothing: an operation that fails half-way (a bug) leaves the task as it was,
            # so that one bad call cannot break every later one. What it changed is noted as it
            # goes (`Task.begin`), and taken back: the task is not copied aside first.
            task.begin()
            try:
                self.lifecycle.apply(task, rule, fields, self.clock.now_ms())
            except Exception:
                task.roll_back()
                raise
            task.commit()
            self._changed(project_id, task_id, True)

    def delete(self, project_id: str, task_id: str) -> None:
        self.delete_many(project_id, [task_id])

    def delete_many(self, project_id: str, task_ids: list[str]) -> None:
        """All or nothing: every id must be a deletable task of the project."""
        with self._lock:
            tasks = [self._task(project_id, task_id) for task_id in dict.fromkeys(task_ids)]
            for task in tasks:
                if task.state in UNDELETABLE_STATES:
                    raise errors.cannot_delete_running(task.id, task.state)
            for task in tasks:
                del self._tasks[project_id][task.id]
                self._changed(project_id, task.id, False)
                self._free_source(project_id, task)

    # --- a task's source -------------------------------------------------------------------

    def _link_source(self, project_id: str, doc: dict[str, Any]) -> None:
        """A put-in task that names a source of the project, free, becomes that source's task.

        Otherwise it is taken as given: a customer's task may name a source the emulator
        does not have.
        """
        embedded = doc.get("source_server")
        source_id = embedded.get("id") if isinstance(embedded, dict) else None
        source = self.sources.get(project_id, source_id) if isinstance(source_id, str) else None
        if source is None:
            return
        holder = source.get(TASK_ID)
        if holder and holder != doc["id"] and holder in self._tasks.get(project_id, {}):
            return
        source[TASK_ID] = doc["id"]
        self.sources.changed(project_id, source["id"])
        self._mark_agent_driven(project_id, source)

    def _free_source(self, project_id: str, task: Task) -> None:
        """A deleted task's source is free again, in the state the task left it in."""
        embedded = task.peek().get("source_server")
        source_id = embedded.get("id") if isinstance(embedded, dict) else None
        source = self.sources.get(project_id, source_id) if isinstance(source_id, str) else None
        if source is None or source.get(TASK_ID) != task.id:
            return
        source[TASK_ID] = None
        for key in ("state", "migration_cycle"):
            if embedded.get(key):
                source[key] = embedded[key]
        self.sources.changed(project_id, source["id"])

    # --- faults -----------------------------------------------------------------------------

    def add_fault(self, spec: dict[str, Any]) -> TaskFault:
        """Register a task fault for a task of `spec["project_id"]`; that task, running, is
        first settled to now, so the fault never fires in the past."""
        now = self.clock.now_ms()
        project_id = spec["project_id"]
        with self._lock:
            task = self._tasks.get(project_id, {}).get(spec["task_id"])
            if task is None:
                # A typo'd id would make a fault that never fires: refused as the task is.
                raise errors.task_not_found(spec["task_id"])
            self.lifecycle.settle(task, now)
            self.lifecycle.rebase(task, now)
            self._changed(project_id, task.id, True)
            return self.faults.add(spec)

    # --- state ------------------------------------------------------------------------------

    def export(self) -> dict[str, Any]:
        """Every task and resource, by project, and the id counter: JSON-ready."""
        with self._lock:
            return copy.deepcopy(
                {
                    "last_int_id": self._last_int_id,
                    "tasks": [
                        {"project_id": project_id, **task.export()}
                        for project_id, tasks in self._tasks.items()
                        for task in tasks.values()
                    ],
                    "resources": [row for book in self.books for row in book.export()],
                }
            )

    def restore(self, data: dict[str, Any], pack: bool = True) -> None:
        """`pack=False` leaves tasks at rest unpacked: a reset's few, restored at every test."""
        with self._lock:
            self._tasks = {}
            for item in data["tasks"]:
                task = Task.restore(item)
                if pack:  # at rest, kept compressed as a put task is: a restore's whole state
                    task.pack()
                self._tasks.setdefault(item["project_id"], {})[item["id"]] = task
            for book in self.books:
                book.restore(data.get("resources", []))
            self._last_int_id = int(data.get("last_int_id", 0))
            self._reindex()
            self._changes.clear()

    def drain_changes(self) -> Changes:
        """What changed since the last call, for the state file."""
        with self._lock:
            changes, self._changes = self._changes, {}
            kept = [
                {"project_id": project_id, **self._tasks[project_id][task_id].export()}
                for (project_id, task_id), alive in changes.items()
                if alive and task_id in self._tasks.get(project_id, {})
            ]
            gone = [key for key, alive in changes.items() if not alive]
            rows: list[dict[str, Any]] = []
            rows_gone: list[tuple[str, str, str]] = []
            for book in self.books:
                book_kept, book_gone = book.drain_changes()
                rows.extend(book_kept)
                rows_gone.extend(book_gone)
            return Changes(copy.deepcopy(kept), gone, rows, rows_gone, self._last_int_id)
