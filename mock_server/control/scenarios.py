"""Named scenarios: tasks, task faults and a clock that a QA person loads in one call.

A scenario file (`fixtures/scenarios/<name>.json`, `contracts/fixtures.py:ScenarioFileSchema`)
is checked when the emulator starts (`parse_scenario`, called by `fixtures.load_fixture_set`).
`apply_scenario` puts its tasks into a project under fresh ids, registers its faults against
those ids, and moves the clock; `Emulator.load_scenario` finds the scenario and the project,
for the control plane (`POST /_mock/scenarios/{name}`) and `sms-mock serve --scenario` alike.

A task, source or template whose name another of its kind in the project already has is loaded
as `name_2` (then `_3`, ...), so that a scenario loaded twice gives rows one can tell apart; `_`
because a task's name holds only letters, digits, '_' and '-' (SMS.7711).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from marshmallow import ValidationError

from sms_mock.contracts.base import first_problem
from sms_mock.contracts.fixtures import ScenarioFileSchema
from sms_mock.mock_server.control.written_dates import (
    move_source_dates,
    move_task_dates,
    shift_to,
)
from sms_mock.mock_server.core.clock import Clock
from sms_mock.mock_server.core.ids import new_id
from sms_mock.mock_server.sms.backend import SmsBackend
from sms_mock.mock_server.sms.resource_documents import SOURCE_DOCUMENT, TEMPLATE_DOCUMENT
from sms_mock.mock_server.sms.task_documents import load_task_document

# A scenario's name is its file's name without `.json`; it goes into a URL path as it is.
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
# The longest task, source or template name the service takes.
NAME_MAX = 255

_FILE_SCHEMA = ScenarioFileSchema()


class ScenarioError(ValueError):
    """A scenario file that cannot be used; the message names the field."""


class UnknownScenario(LookupError):
    """No scenario of that name among the loaded fixtures."""


@dataclass(frozen=True)
class ScenarioTask:
    key: str  # the id written in the file (its faults name it), or `#index` when none is
    document: dict[str, Any]
    durations: dict[str, float]


@dataclass(frozen=True)
class ScenarioResource:
    key: str  # the id written in the file (tasks name it), or `#index` when none is
    document: dict[str, Any]


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    tasks: tuple[ScenarioTask, ...]
    sources: tuple[ScenarioResource, ...] = ()
    templates: tuple[ScenarioResource, ...] = ()
    faults: tuple[dict[str, Any], ...] = ()  # task_id names a task's key
    project: str | None = None  # the project it loads into when the caller names none
    durations: dict[str, float] = field(default_factory=dict)  # under each task's own
    now_ms: int | None = None
    advance: float = 0
    keep_ids: bool = False  # load under the file's own ids (a second load replaces them)
    source: str = ""


@dataclass
class ScenarioLoad:
    """What one load of a scenario made."""

    scenario: str
    project_id: str
    task_ids: list[str]
    fault_ids: list[str]
    ids: dict[str, str]  # task key in the file -> the id it was loaded under
    source_ids: list[str] = field(default_factory=list)
    template_ids: list[str] = field(default_factory=list)
    # source and template keys -> the ids they were loaded under (a reset reuses them)
    resource_ids: dict[str, str] = field(default_factory=dict)
    # id -> the name it was loaded under, for every task, source and template made
    names: dict[str, str] = field(default_factory=dict)


def _problem(exc: ValidationError, prefix: str = "") -> str:
    where, problem = first_problem(exc)
    if prefix:
        where = prefix if where == "body" else f"{prefix}.{where}"
    return f"{where}: {problem}"


def parse_scenario(name: str, data: Any, source: str = "") -> Scenario:
    """Check a scenario file's content. Raises ScenarioError naming the field."""
    if not NAME_RE.fullmatch(name):
        raise ScenarioError(
            f"name: {name!r} is not a scenario name (A-Z, a-z, 0-9, '_', '.', '-'; up to 64)"
        )
    if not isinstance(data, dict):
        raise ScenarioError('body: expected {"description": ..., "tasks": [...], ...}')
    try:
        head = _FILE_SCHEMA.load(data)
    except ValidationError as exc:
        raise ScenarioError(_problem(exc)) from exc
    sources = _resources(head.get("sources", []), "sources", SOURCE_DOCUMENT)
    templates = _resources(head.get("templates", []), "templates", TEMPLATE_DOCUMENT)
    tasks: list[ScenarioTask] = []
    for index, raw in enumerate(head["tasks"]):
        try:
            document, durations = load_task_document(raw)
        except ValidationError as exc:
            raise ScenarioError(_problem(exc, f"tasks.{index}")) from exc
        key = document.get("id") or f"#{index}"
        if any(task.key == key for task in tasks):
            raise ScenarioError(f"tasks.{index}.id: {key!r} appears twice in this scenario")
        tasks.append(ScenarioTask(key, document, durations))
    faults = head.get("faults", [])
    for index, spec in enumerate(faults):
        if not any(task.key == spec["task_id"] for task in tasks):
            raise ScenarioError(
                f"faults.{index}.task_id: {spec['task_id']!r} is not the id of a task of this "
                "scenario"
            )
    clock = head.get("clock", {})
    return Scenario(
        name=name,
        description=head["description"],
        tasks=tuple(tasks),
        sources=sources,
        templates=templates,
        faults=tuple(faults),
        project=head.get("project"),
        durations=head.get("durations", {}),
        now_ms=clock.get("now_ms"),
        advance=clock.get("advance", 0),
        keep_ids=head.get("keep_ids", False),
        source=source,
    )


def _resources(raws: list[Any], where: str, loader: Any) -> tuple[ScenarioResource, ...]:
    found: list[ScenarioResource] = []
    for index, raw in enumerate(raws):
        try:
            document = loader.load(raw)
        except ValidationError as exc:
            raise ScenarioError(_problem(exc, f"{where}.{index}")) from exc
        key = document.get("id") or f"#{index}"
        if any(item.key == key for item in found):
            raise ScenarioError(f"{where}.{index}.id: {key!r} appears twice in this scenario")
        found.append(ScenarioResource(key, document))
    return tuple(found)


def apply_scenario(
    scenario: Scenario,
    project: tuple[str, str],
    sms: SmsBackend,
    clock: Clock,
    ids: dict[str, str] | None = None,
    resource_ids_before: dict[str, str] | None = None,
) -> ScenarioLoad:
    """Put a scenario's tasks into a project (id, name), register its faults, move the clock.

    Tasks get fresh ids (unless the scenario keeps its own), or those of `ids`, by key.
    """
    project_id, project_name = project
    # Dates written against `now_ms` move to the clock's now, so a running sub-task's start
    # and its progress agree with the clock that carries it on.
    shift = shift_to(scenario.now_ms, clock.now_ms())

    def fresh(key: str, given: str | None, earlier: dict[str, str] | None) -> str:
        return (earlier or {}).get(key) or (given if scenario.keep_ids else None) or new_id()

    names: dict[str, str] = {}
    resource_ids: dict[str, str] = {}
    source_ids: dict[str, str] = {}
    source_names: dict[str, str] = {}  # key -> the name loaded, when the file gives one
    for source in scenario.sources:
        document = copy.deepcopy(source.document)
        document["id"] = source_ids[source.key] = fresh(
            f"source:{source.key}", document.get("id"), resource_ids_before
        )
        if document.get("name"):
            document["name"] = source_names[source.key] = _distinct_name(
                document["name"], _resource_named(sms.sources, project_id, document["id"])
            )
        move_source_dates(document, shift)
        names[document["id"]] = sms.put_source(project_id, document).get("name", "")
    template_ids: dict[str, str] = {}
    for template in scenario.templates:
        document = copy.deepcopy(template.document)
        document["id"] = template_ids[template.key] = fresh(
            f"template:{template.key}", document.get("id"), resource_ids_before
        )
        if document.get("name"):
            document["name"] = _distinct_name(
                document["name"], _resource_named(sms.templates, project_id, document["id"])
            )
        names[document["id"]] = sms.put_template(project, document).get("name", "")
    resource_ids.update({f"source:{k}": v for k, v in source_ids.items()})
    resource_ids.update({f"template:{k}": v for k, v in template_ids.items()})
    made: dict[str, str] = {}
    for task in scenario.tasks:
        document = copy.deepcopy(task.document)
        document["id"] = made[task.key] = fresh(task.key, document.get("id"), ids)
        # A task naming a source or a template of the scenario names its loaded id.
        embedded = document.get("source_server")
        if isinstance(embedded, dict) and embedded.get("id") in source_ids:
            if embedded["id"] in source_names and embedded.get("name"):
                embedded["name"] = source_names[embedded["id"]]
            embedded["id"] = source_ids[embedded["id"]]
        if document.get("vm_template_id") in template_ids:
            document["vm_template_id"] = template_ids[document["vm_template_id"]]
        if document.get("name"):
            document["name"] = _distinct_name(
                document["name"], _task_named(sms, project_id, document["id"])
            )
        move_task_dates(document, shift)
        durations = {**scenario.durations, **task.durations}
        names[document["id"]] = sms.put(project_id, project_name, document, durations).get(
            "name", ""
        )
    fault_ids = [
        sms.add_fault({**spec, "task_id": made[spec["task_id"]], "project_id": project_id}).id
        for spec in scenario.faults
    ]
    if scenario.advance:
        clock.advance(scenario.advance)
    return ScenarioLoad(
        scenario.name,
        project_id,
        list(made.values()),
        fault_ids,
        made,
        list(source_ids.values()),
        list(template_ids.values()),
        resource_ids,
        names,
    )


def _distinct_name(name: str, taken: Callable[[str], bool]) -> str:
    """`name`, else the first of `name_2`, `name_3`, ... that `taken` says is free."""
    if not taken(name):
        return name
    number = 2
    while True:
        suffix = f"_{number}"
        candidate = name[: NAME_MAX - len(suffix)] + suffix
        if not taken(candidate):
            return candidate
        number += 1


def _task_named(sms: SmsBackend, project_id: str, own_id: str) -> Callable[[str], bool]:
    """Whether a task of the project other than `own_id` (a reload replaces it) has a name:
    from the list's name index, without rendering (or keeping) a page of the list."""
    return lambda name: sms.task_named(project_id, name, own_id)


def _resource_named(book: Any, project_id: str, own_id: str) -> Callable[[str], bool]:
    """Whether a source (or template) of the project other than `own_id` has a name."""

    def taken(name: str) -> bool:
        with book.lock:
            return book.named(project_id, name, own_id) is not None

    return taken
