"""Named scenarios: tasks, task faults and a clock that a QA person loads in one call.

A scenario file (`fixtures/scenarios/<name>.json`) is checked when the emulator starts
(`parse_scenario`, called by `fixtures.load_fixture_set`). `load_scenario` puts its tasks into a
project under fresh ids, registers its faults against those ids, and moves the clock; the
control plane (`POST /_mock/scenarios/{name}`) and `sms-mock serve --scenario` both call it.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from marshmallow import ValidationError, fields, validate

from contracts.base import Pattern, RequestSchema, error_paths
from contracts.control import DurationsField, TaskFaultRequestSchema
from contracts.fields import StrictBoolean, StrictInteger, StrictNumber
from mock_server.ids import new_id
from mock_server.sms.documents import load_task_document

if TYPE_CHECKING:
    from mock_server.emulator import Emulator

# A scenario's name is its file's name without `.json`; it goes into a URL path as it is.
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")

# The date fields a scenario's `clock.now_ms` moves (epoch ms), at the top and in sub-tasks.
TASK_DATES = ("create_date", "start_date", "finish_date", "estimate_complete_time")
SUBTASK_DATES = ("start_date", "end_date")


class ScenarioError(ValueError):
    """A scenario file that cannot be used; the message names the field."""


class UnknownScenario(LookupError):
    """No scenario of that name among the loaded fixtures."""


class _ClockSchema(RequestSchema):
    # The instant the file's dates were written against: on load they move by (now - now_ms).
    now_ms = StrictInteger(validate=validate.Range(min=0))
    # Seconds the emulator's (shared) clock moves once the scenario is in.
    advance = StrictNumber(validate=validate.Range(min=0, max=10 * 365 * 86400))


class _ScenarioFileSchema(RequestSchema):
    description = fields.String(required=True, validate=Pattern(r"^[^\r\n]{1,200}$"))
    project = fields.String(validate=validate.Length(min=1))
    clock = fields.Nested(_ClockSchema)
    durations = DurationsField()
    keep_ids = StrictBoolean()
    tasks = fields.List(fields.Raw(), required=True, validate=validate.Length(min=1))
    faults = fields.List(fields.Raw())


_FILE_SCHEMA = _ScenarioFileSchema()
_FAULT_SCHEMA = TaskFaultRequestSchema()


@dataclass(frozen=True)
class ScenarioTask:
    key: str  # the id written in the file (its faults name it), or `#index` when none is
    document: dict[str, Any]
    durations: dict[str, float]


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    tasks: tuple[ScenarioTask, ...]
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

    def to_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "project_id": self.project_id,
            "task_ids": self.task_ids,
            "fault_ids": self.fault_ids,
        }


def _problem(exc: ValidationError, prefix: str = "") -> str:
    messages = exc.messages
    if isinstance(messages, list) and exc.field_name != "_schema":
        messages = {exc.field_name: messages}  # raised as ValidationError(message, field)
    where, problem = error_paths(messages)[0]
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
    faults: list[dict[str, Any]] = []
    for index, raw in enumerate(head.get("faults", [])):
        if not isinstance(raw, dict):
            raise ScenarioError(f"faults.{index}: a fault is a JSON object")
        try:
            spec = _FAULT_SCHEMA.load(raw)
        except ValidationError as exc:
            raise ScenarioError(_problem(exc, f"faults.{index}")) from exc
        if not any(task.key == spec["task_id"] for task in tasks):
            raise ScenarioError(
                f"faults.{index}.task_id: {spec['task_id']!r} is not the id of a task of this "
                "scenario"
            )
        faults.append(spec)
    clock = head.get("clock", {})
    return Scenario(
        name=name,
        description=head["description"],
        tasks=tuple(tasks),
        faults=tuple(faults),
        project=head.get("project"),
        durations=head.get("durations", {}),
        now_ms=clock.get("now_ms"),
        advance=clock.get("advance", 0),
        keep_ids=head.get("keep_ids", False),
        source=source,
    )


def _shift_dates(doc: dict[str, Any], shift: int) -> None:
    def move(holder: dict[str, Any], keys: tuple[str, ...]) -> None:
        for key in keys:
            value = holder.get(key)
            if isinstance(value, int) and not isinstance(value, bool):
                holder[key] = value + shift

    move(doc, TASK_DATES)
    for entry in doc.get("sub_tasks") or []:
        if isinstance(entry, dict):
            move(entry, SUBTASK_DATES)


def load_scenario(
    emulator: Emulator,
    name: str,
    project_ref: str | None = None,
    ids: dict[str, str] | None = None,
) -> ScenarioLoad:
    """Put a scenario's tasks into a project, register its faults, then move the clock.

    The project is `project_ref` (an id or a name), else the scenario's own, else the default
    one. Tasks get fresh ids (unless the scenario keeps its own), or those of `ids`, by key.
    Raises UnknownScenario, or the emulator's UnknownProject.
    """
    scenario = _scenario(emulator, name)
    project_id, project_name = emulator.project_ref(project_ref or scenario.project)
    # Dates written against `now_ms` move to the clock's now, so a running sub-task's start
    # and its progress agree with the clock that carries it on.
    shift = 0 if scenario.now_ms is None else emulator.clock.now_ms() - scenario.now_ms
    made: dict[str, str] = {}
    for task in scenario.tasks:
        document = copy.deepcopy(task.document)
        given = document.get("id") if scenario.keep_ids else None
        document["id"] = made[task.key] = (ids or {}).get(task.key) or given or new_id()
        _shift_dates(document, shift)
        durations = {**scenario.durations, **task.durations}
        emulator.sms.put(project_id, project_name, document, durations)
    fault_ids = [
        emulator.sms.add_fault({**spec, "task_id": made[spec["task_id"]]}).id
        for spec in scenario.faults
    ]
    if scenario.advance:
        emulator.clock.advance(scenario.advance)
    return ScenarioLoad(name, project_id, list(made.values()), fault_ids, made)


def _scenario(emulator: Emulator, name: str) -> Scenario:
    scenario = emulator.fixtures.scenarios.get(name)
    if scenario is None:
        known = ", ".join(sorted(emulator.fixtures.scenarios)) or "none"
        raise UnknownScenario(f"no scenario {name!r} (known: {known})")
    return scenario


def check_scenario_names(emulator: Emulator, names: list[str]) -> None:
    """Every name is a loaded scenario; raises UnknownScenario for the first that is not."""
    for name in names:
        _scenario(emulator, name)


def load_startup_scenarios(
    emulator: Emulator, names: list[str], before: list[ScenarioLoad] | None = None
) -> list[ScenarioLoad]:
    """Load `--scenario` names in order; after a reset, under the ids they had before."""
    check_scenario_names(emulator, names)
    loads = []
    for index, name in enumerate(names):
        ids = before[index].ids if before and index < len(before) else None
        loads.append(load_scenario(emulator, name, None, ids))
    return loads
