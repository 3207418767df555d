"""A recording turned into a scenario file (README, "Record, turn into a scenario, replay").

The tasks, sources and templates as last seen (`resources.read_resources`), each checked by the
same loaders a scenario load uses, written with `keep_ids` (the recorded ids) unless ids are to
be renewed on every load. What the recording cannot tell goes into `notes`, one line each, and
the one-line `description` says that they are there.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from marshmallow import ValidationError

from sms_mock.contracts.base import first_problem
from sms_mock.mock_server.control.scenarios import parse_scenario
from sms_mock.mock_server.proxy.har import REDACTED
from sms_mock.mock_server.sms.engine import LIVE_ON_ADOPTION
from sms_mock.mock_server.sms.resource_documents import SOURCE_DOCUMENT, TEMPLATE_DOCUMENT
from sms_mock.mock_server.sms.task_documents import load_task_document
from sms_mock.recording.har import HarLog
from sms_mock.recording.resources import (
    FIELDS,
    SUB_TASK_FIELDS,
    How,
    Kind,
    Recording,
    Seen,
    read_resources,
    when,
)

# Keys a load derives from where it puts a resource: the recorded ones would name the
# recorded project while the resource lives in another.
DERIVED: dict[Kind, tuple[str, ...]] = {
    Kind.TASK: ("project_id", "project_name"),
    Kind.SOURCE: ("current_task", "init_target_server", "migprojectid"),
    Kind.TEMPLATE: ("projectid",),
}
SECTIONS = {Kind.SOURCE: "sources", Kind.TEMPLATE: "templates", Kind.TASK: "tasks"}
_LOADERS: dict[Kind, Callable[[Any], Any]] = {
    Kind.TASK: load_task_document,
    Kind.SOURCE: SOURCE_DOCUMENT.load,
    Kind.TEMPLATE: TEMPLATE_DOCUMENT.load,
}
_HOW = {
    How.WHOLE: "its own read",
    How.LISTED: "a list's item",
    How.SENT: "only what the client sent; no answer showed it",
}


def _label(seen: Seen) -> str:
    name = seen.doc.get("name")
    return f"{seen.kind.value} {seen.id}" + (f" ({name})" if isinstance(name, str) else "")


def _one_line(note: str) -> str:
    # A recorded name may hold a line break; a note is one line of at most 1,000 characters.
    flat = " ".join(note.splitlines())
    return flat if len(flat) <= 1000 else flat[:997] + "..."


def _plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count} {word if count == 1 else words or word + 's'}"


def _redacted(value: Any, path: str) -> Iterator[str]:
    if value == REDACTED:
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _redacted(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _redacted(item, f"{path}.{index}")


def _checked(seen: Seen, notes: list[str]) -> dict[str, Any] | None:
    """The document a load takes: derived keys out, and a key the contract refuses left out
    (the load defaults it) with a note; None when the resource cannot be loaded at all."""
    doc = {k: v for k, v in seen.doc.items() if k not in DERIVED[seen.kind]}
    for _ in range(len(doc) + 1):
        try:
            _LOADERS[seen.kind](doc)
            return doc
        except ValidationError as exc:
            where, problem = first_problem(exc)
            key = where.split(".")[0]
            if key in ("id", "body") or key not in doc:
                notes.append(f"{_label(seen)}: left out, as no load takes it: {where}: {problem}")
                return None
            notes.append(f"{_label(seen)}: {where} left out ({problem}); the load defaults {key}")
            del doc[key]
    return None  # pragma: no cover - each round removes a key


def _resource_notes(seen: Seen, doc: dict[str, Any], known_sources: set[str]) -> list[str]:
    label, notes = _label(seen), []
    state = f"{doc['state']}, " if seen.kind is Kind.TASK and "state" in doc else ""
    notes.append(
        f"{label}: {state}last seen at {when(seen.last_ms)} (log.entries.{seen.last_entry}, "
        f"{_HOW[seen.last_how]})"
    )
    sub_tasks = [e for e in doc.get("sub_tasks") or [] if isinstance(e, dict)]
    under_way = [e for e in sub_tasks if e.get("end_date") is None]
    if seen.kind is Kind.TASK and doc.get("state") in LIVE_ON_ADOPTION and under_way:
        entry = under_way[0]
        notes.append(
            f"{label}: {entry.get('name')} was at {entry.get('progress')}% then; what its "
            "sub-tasks did after that is not recorded: a load carries it on from there at the "
            "emulator's sub-task durations"
        )
    if seen.later_action is not None:
        operation, entry_index = seen.later_action
        notes.append(
            f"{label}: {operation} was accepted after that (log.entries.{entry_index}); what it "
            "did is not recorded"
        )
    if seen.last_how is not How.WHOLE:
        older = sorted(k for k, e in seen.field_entry.items() if e != seen.last_entry and k in doc)
        if older:
            notes.append(f"{label}: {', '.join(older)} as of earlier entries")
    unseen = sorted(FIELDS[seen.kind] - set(doc) - set(DERIVED[seen.kind]))
    if seen.kind is Kind.TASK and sub_tasks:
        missing = sorted(set().union(*(SUB_TASK_FIELDS - set(e) for e in sub_tasks)))
        unseen += [f"sub_tasks' {key}" for key in missing]
    if unseen:
        notes.append(f"{label}: never seen, so defaulted on load: {', '.join(unseen)}")
    for path in _redacted(doc, ""):
        notes.append(f"{label}: {path} was redacted in the recording and reads {REDACTED}")
    source = doc.get("source_server")
    source_id = source.get("id") if isinstance(source, dict) else None
    if seen.kind is Kind.TASK and isinstance(source_id, str) and source_id not in known_sources:
        notes.append(f"{label}: its source {source_id} is not in the recording")
    return notes


def _general_notes(log: HarLog, label: str, recording: Recording, keep_ids: bool) -> list[str]:
    notes = [
        f"Read from {label}: {_plural(log.entries, 'entry', 'entries')}, "
        f"{_plural(recording.answers_read, 'answer')} showing a resource, from "
        f"{when(recording.first_ms)} to {when(recording.last_ms)}",
        "Dates are as recorded: a load does not move them to the emulator's clock",
    ]
    if log.cut:
        notes.append(
            "The recording was cut in its last entry (its writer was killed): read without it"
        )
    if keep_ids:
        notes.append("Loads under the recorded ids: a second load replaces the same resources")
    else:
        notes.append(
            "Each load gives the tasks, sources and templates fresh ids; a task names the new "
            "ids of its source and template"
        )
    projects = Counter(
        str(s.doc.get("project_name") or s.doc.get("project_id"))
        for s in recording.of(Kind.TASK)
        if s.doc.get("project_name") or s.doc.get("project_id")
    )
    if projects:
        notes.append(
            f"Recorded in project {', '.join(sorted(projects))}: a load puts everything into "
            "the project it is given (the default one otherwise)"
        )
    gone = recording.gone()
    if gone:
        names = ", ".join(f"{s.kind.value} {s.id}" for s in sorted(gone, key=lambda s: s.first))
        notes.append(f"Deleted in the recording, so left out: {names}")
    if recording.migprojects:
        notes.append(
            f"Migration projects other than the default "
            f"({', '.join(sorted(recording.migprojects))}) are not part of a scenario: its "
            "sources join the project's default one"
        )
    return notes


def to_scenario(log: HarLog, name: str, label: str, renew_ids: bool = False) -> dict[str, Any]:
    """The scenario file's content for a recording; `label` names the recording in the notes.

    Raises ValueError when the recording shows no task (a scenario holds one at least), or
    `name` is not a scenario's (the `ScenarioError` of the check of the result).
    """
    recording = read_resources(log)
    if not recording.of(Kind.TASK):
        raise ValueError(
            "no answer in it shows a task (GET /v3/tasks or /v3/tasks/{id}, or a create's): a "
            "scenario holds one task at least"
        )
    keep_ids = not renew_ids
    notes = _general_notes(log, label, recording, keep_ids)
    sections: dict[Kind, list[dict[str, Any]]] = {kind: [] for kind in SECTIONS}
    known_sources = {s.id for s in recording.of(Kind.SOURCE)}
    for kind in (Kind.TASK, Kind.SOURCE, Kind.TEMPLATE):  # the notes, tasks first
        for seen in recording.of(kind):
            doc = _checked(seen, notes)
            if doc is not None:
                notes.extend(_resource_notes(seen, doc, known_sources))
                sections[kind].append(doc)
    if not sections[Kind.TASK]:
        refused = "; ".join(n for n in notes if "left out, as no load takes it" in n)
        raise ValueError(f"no task it shows can be loaded: {refused}")
    counts = ", ".join(
        _plural(len(sections[k]), k.value) for k in (Kind.TASK, Kind.SOURCE, Kind.TEMPLATE)
    )
    short = label if len(label) <= 60 else "..." + label[-57:]
    by = f" by {when(recording.last_ms)}" if recording.last_ms is not None else ""
    scenario: dict[str, Any] = {
        "description": f"Recorded from {short}: {counts} as last seen{by}; notes say what it "
        "cannot tell.",
        "notes": [_one_line(note) for note in notes],
    }
    if keep_ids:
        scenario["keep_ids"] = True
    for kind, key in SECTIONS.items():
        if sections[kind] or kind is Kind.TASK:
            scenario[key] = sections[kind]
    # What `serve --scenario` will check: a ScenarioError here, but for `name`, is a bug.
    parse_scenario(name, scenario)
    return scenario
