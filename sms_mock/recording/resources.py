"""The tasks, sources and templates a recording shows, each as last seen.

Every SMS answer that shows one is a view of it: `GET /v3/tasks/{id}` (the whole document), a
list's item (`GET /v3/tasks`, `/v3/sources`, `/v3/vm/templates`: fewer fields, and brief
sub-tasks), and a create's request with the id its answer gave (only what the client sent).
Views are folded in time order: a whole document replaces what was known, a list item or a
request overwrites the fields it has and keeps the rest from earlier views. A 2xx delete, or a
later 404 to a read of it, removes a resource. What each resource's last view left unknown is
kept with it, for the scenario's notes.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from urllib.parse import unquote

from sms_mock.contracts.sms import SubTaskSchema, TaskSchema
from sms_mock.contracts.sources import SourceSchema
from sms_mock.contracts.templates import TemplateSchema
from sms_mock.recording.har import Exchange, HarLog


class Kind(StrEnum):
    TASK = "task"
    SOURCE = "source"
    TEMPLATE = "template"


# The fields of each resource's whole document: a list item's or a request's other keys are
# not the document's (a list's `log_collect_status`, a create's `auto_start`).
FIELDS: dict[Kind, frozenset[str]] = {
    Kind.TASK: frozenset(TaskSchema._declared_fields),
    Kind.SOURCE: frozenset(SourceSchema._declared_fields),
    Kind.TEMPLATE: frozenset(TemplateSchema._declared_fields),
}
SUB_TASK_FIELDS = frozenset(SubTaskSchema._declared_fields)


class How(StrEnum):
    WHOLE = "whole"  # a read of the one resource
    LISTED = "listed"  # an item of a list
    SENT = "sent"  # the body a client sent (a create or an update) that was accepted


@dataclass
class Seen:
    """One resource as the recording shows it."""

    kind: Kind
    id: str
    doc: dict[str, Any]
    first: int  # its rank in time order when first seen: the scenario keeps that order
    last_entry: int  # the entry of its last view
    last_ms: int | None  # that entry's time
    last_how: How
    field_entry: dict[str, int] = field(default_factory=dict)  # top-level key -> its entry
    gone: bool = False
    # An action accepted after the last view (`start` at entry 12): its effect is unknown.
    later_action: tuple[str, int] | None = None


@dataclass
class Recording:
    resources: dict[tuple[Kind, str], Seen] = field(default_factory=dict)
    migprojects: set[str] = field(default_factory=set)
    answers_read: int = 0  # answers that showed a resource
    first_ms: int | None = None
    last_ms: int | None = None

    def of(self, kind: Kind) -> list[Seen]:
        """The resources of a kind still there at the end, in the order first seen."""
        found = [s for (k, _), s in self.resources.items() if k == kind and not s.gone]
        return sorted(found, key=lambda s: s.first)

    def gone(self) -> list[Seen]:
        return [s for s in self.resources.values() if s.gone]


def when(ms: int | None) -> str:
    """An entry's time as UTC ISO-8601, for the notes."""
    if ms is None:
        return "an unknown time"
    return (
        datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    )


def _overlay(before: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """`given`'s keys over `before`: a nested object's missing keys and each sub-task's (by
    id) are kept from before, since a list item shows objects and sub-tasks in brief."""
    merged = dict(before)
    for key, value in given.items():
        old = merged.get(key)
        if key == "sub_tasks" and isinstance(value, list) and isinstance(old, list):
            by_id = {e.get("id"): e for e in old if isinstance(e, dict) and e.get("id") is not None}
            merged[key] = [
                {**by_id.get(e.get("id"), {}), **e} if isinstance(e, dict) else e for e in value
            ]
        elif isinstance(value, dict) and isinstance(old, dict):
            merged[key] = {**old, **value}
        else:
            merged[key] = copy.deepcopy(value)
    return merged


class _Reader:
    def __init__(self) -> None:
        self.recording = Recording()
        self.rank = 0

    def view(self, kind: Kind, raw: Any, how: How, exchange: Exchange, rid: Any = None) -> None:
        if not isinstance(raw, dict):
            return
        rid = rid if rid is not None else raw.get("id")
        if not isinstance(rid, str) or not rid:
            return
        doc = {k: copy.deepcopy(v) for k, v in raw.items() if how is How.WHOLE or k in FIELDS[kind]}
        doc["id"] = rid
        key = (kind, rid)
        seen = self.recording.resources.get(key)
        if seen is None or seen.gone:
            self.rank += 1
            seen = Seen(kind, rid, {}, self.rank, exchange.index, exchange.started_ms, how)
            self.recording.resources[key] = seen
        seen.doc = doc if how is How.WHOLE else _overlay(seen.doc, doc)
        if how is How.WHOLE:
            seen.field_entry = {}
        seen.field_entry.update({k: exchange.index for k in doc})
        seen.last_entry, seen.last_ms, seen.last_how = exchange.index, exchange.started_ms, how
        seen.later_action = None
        if how is not How.SENT:
            self.recording.answers_read += 1

    def remove(self, kind: Kind, rid: Any) -> None:
        seen = self.recording.resources.get((kind, rid)) if isinstance(rid, str) else None
        if seen is not None:
            seen.gone = True

    def action(self, rid: str, exchange: Exchange) -> None:
        seen = self.recording.resources.get((Kind.TASK, rid))
        body = exchange.request_json()
        operation = body.get("operation") if isinstance(body, dict) else None
        if seen is not None and isinstance(operation, str):
            seen.later_action = (operation, exchange.index)


_LISTS = {Kind.TASK: "tasks", Kind.SOURCE: "source_servers", Kind.TEMPLATE: "templates"}
_COLLECTIONS = {
    "/v3/tasks": Kind.TASK,
    "/v3/sources": Kind.SOURCE,
    "/v3/vm/templates": Kind.TEMPLATE,
}
# Paths under a collection that are not one of its resources.
_NOT_IDS = {Kind.SOURCE: {"overview"}, Kind.TASK: set(), Kind.TEMPLATE: set()}
_ONE = re.compile(r"^(/v3/tasks|/v3/sources|/v3/vm/templates)/([^/]+)(/action)?$")
_MIGPROJECTS = re.compile(r"^/v3/migprojects(?:/([^/]+))?$")


def _created_body(kind: Kind, body: Any) -> Any:
    # A template's create and update send {"template": {...}}; the others the document's keys.
    if kind is Kind.TEMPLATE:
        return body.get("template") if isinstance(body, dict) else None
    return body


def _collection(reader: _Reader, kind: Kind, exchange: Exchange, answer: Any) -> None:
    if exchange.method == "GET" and isinstance(answer, dict):
        for item in answer.get(_LISTS[kind]) or []:
            reader.view(kind, item, How.LISTED, exchange)
    elif exchange.method == "POST" and isinstance(answer, dict):
        body = _created_body(kind, exchange.request_json())
        reader.view(kind, body, How.SENT, exchange, answer.get("id"))


def _one(reader: _Reader, kind: Kind, rid: str, exchange: Exchange, answer: Any) -> None:
    method, ok = exchange.method, 200 <= exchange.status < 300
    if rid == "delete" and method == "POST":
        body = exchange.request_json()
        if ok and isinstance(body, dict) and isinstance(body.get("ids"), list):
            for each in body["ids"]:
                reader.remove(kind, each)
        return
    if rid in _NOT_IDS[kind]:
        return
    if method == "GET" and ok:
        shown = (
            answer.get("template") if kind is Kind.TEMPLATE and isinstance(answer, dict) else answer
        )
        reader.view(kind, shown, How.WHOLE, exchange, rid)
    elif (method == "GET" and exchange.status == 404) or (method == "DELETE" and ok):
        reader.remove(kind, rid)
    elif method == "PUT" and ok:
        reader.view(kind, _created_body(kind, exchange.request_json()), How.SENT, exchange, rid)


def read_resources(log: HarLog) -> Recording:
    """Every task, source and template the recording shows, folded in time order."""
    reader = _Reader()
    recording = reader.recording
    for exchange in log.exchanges:
        if exchange.started_ms is not None:
            if recording.first_ms is None:
                recording.first_ms = exchange.started_ms
            recording.last_ms = exchange.started_ms
        ok = 200 <= exchange.status < 300
        answer = exchange.response_json() if ok else None
        kind = _COLLECTIONS.get(exchange.path.rstrip("/"))
        if kind is not None:
            if ok:
                _collection(reader, kind, exchange, answer)
            continue
        one = _ONE.match(exchange.path)
        if one is not None:
            kind, rid = _COLLECTIONS[one.group(1)], unquote(one.group(2))
            if one.group(3):
                if kind is Kind.TASK and ok and exchange.method == "POST":
                    reader.action(rid, exchange)
            else:
                _one(reader, kind, rid, exchange, answer)
            continue
        project = _MIGPROJECTS.match(exchange.path)
        if project is not None and ok:
            _migprojects(recording.migprojects, project.group(1), answer)
    return recording


def _migprojects(found: set[str], rid: str | None, answer: Any) -> None:
    """The migration projects other than the default one (a scenario cannot hold them)."""
    if not isinstance(answer, dict):
        return
    if rid is None:
        items = [i for i in answer.get("migprojects") or [] if isinstance(i, dict)]
        found.update(
            i["id"] for i in items if isinstance(i.get("id"), str) and not i.get("isdefault")
        )
    elif answer.get("isdefault") is False:  # a show's answer has no id: the path's
        found.add(rid)
