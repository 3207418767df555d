"""The control plane (`/_mock/...`): the emulator's own API for tests and QA.

Errors use the SMS body with the emulator's own codes: SMS.9002 for a bad request, SMS.9006
for an unknown fault id, SMS.9008 for a missing admin token (checked in the middleware).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request
from marshmallow import Schema, ValidationError

from contracts.control import (
    ClockAdvanceSchema,
    HttpFaultRequestSchema,
    JournalQuerySchema,
    TaskFaultRequestSchema,
)
from mock_server import __version__
from mock_server.clock import iso_ms
from mock_server.emulator import UnknownProject
from mock_server.errors import SmsError
from mock_server.http import emulator, first_problem, json_response, load_body, parse_json
from mock_server.sms import errors as sms_errors
from mock_server.sms.documents import load_task_document

blueprint = Blueprint("control", __name__, url_prefix="/_mock")

_advance_schema = ClockAdvanceSchema()
_fault_schema = TaskFaultRequestSchema()
_http_fault_schema = HttpFaultRequestSchema()
_journal_query_schema = JournalQuerySchema()


def _body(schema: Schema) -> dict[str, Any]:
    try:
        return load_body(schema, request.get_data(cache=True))
    except ValidationError as exc:
        raise sms_errors.invalid_body(*first_problem(exc)) from exc


def _clock_body() -> dict[str, Any]:
    clock = emulator().clock
    now = clock.now_ms()
    return {"mode": clock.mode.value, "now_ms": now, "now": iso_ms(now), "speed": clock.speed}


@blueprint.get("/health")
def health() -> Response:
    return json_response({"status": "ok", "version": __version__})


@blueprint.post("/reset")
def reset() -> Response:
    emulator().reset()
    return json_response({"status": "reset", **_clock_body()})


@blueprint.get("/clock")
def clock() -> Response:
    return json_response(_clock_body())


@blueprint.post("/clock/advance")
def advance_clock() -> Response:
    emulator().clock.advance(_body(_advance_schema)["seconds"])
    return json_response(_clock_body())


@blueprint.post("/tasks")
def put_task() -> Response:
    """Put a task in exactly as given, in the project of `?project=` (default project else)."""
    em = emulator()
    try:
        project_id, project_name = em.project_ref(request.args.get("project"))
    except UnknownProject as exc:
        raise sms_errors.invalid_body("project", f"no project {exc.args[0]!r}") from exc
    try:
        raw = parse_json(request.get_data(cache=True))
        document, durations = load_task_document(raw)
    except ValueError as exc:
        raise sms_errors.invalid_body("body", f"Malformed JSON ({exc}).") from exc
    except ValidationError as exc:
        raise sms_errors.invalid_body(*first_problem(exc)) from exc
    return json_response(em.sms.put(project_id, project_name, document, durations), 201)


@blueprint.post("/faults")
def add_fault() -> Response:
    """A task fault (`task_id`, `subtask`, ...) or, with `match`, an HTTP fault."""
    em = emulator()
    try:
        raw = parse_json(request.get_data(cache=True))
    except ValueError as exc:
        raise sms_errors.invalid_body("body", f"Malformed JSON ({exc}).") from exc
    if isinstance(raw, dict) and "match" in raw:
        spec = _validated(_http_fault_schema, raw)
        return json_response(em.http_faults.add(spec).to_json(), 201)
    fault = em.sms.add_fault(_validated(_fault_schema, raw))
    return json_response({**fault.to_json(), "kind": "task"}, 201)


@blueprint.get("/faults")
def list_faults() -> Response:
    em = emulator()
    task_faults = [{**f.to_json(), "kind": "task"} for f in em.faults.all()]
    return json_response({"faults": task_faults + [f.to_json() for f in em.http_faults.all()]})


@blueprint.delete("/faults")
def clear_faults() -> Response:
    em = emulator()
    em.faults.clear()
    em.http_faults.clear()
    return json_response({"faults": []})


@blueprint.delete("/faults/<fault_id>")
def delete_fault(fault_id: str) -> Response:
    em = emulator()
    if not (em.faults.delete(fault_id) or em.http_faults.delete(fault_id)):
        raise SmsError(404, "SMS.9006", f"The fault {fault_id} does not exist.")
    return json_response({})


@blueprint.get("/requests")
def list_requests() -> Response:
    """The request journal, oldest first; filters: method, path (a glob), status, since (ms)."""
    try:
        query = _journal_query_schema.load(request.args.to_dict())
    except ValidationError as exc:
        raise sms_errors.invalid_body(*first_problem(exc)) from exc
    journal = emulator().journal
    return json_response({"requests": journal.query(**query), "size": journal.size})


@blueprint.delete("/requests")
def clear_requests() -> Response:
    emulator().journal.clear()
    return json_response({"requests": []})


@blueprint.get("/snapshot")
def get_snapshot() -> Response:
    return json_response(emulator().snapshot())


@blueprint.post("/snapshot")
def restore_snapshot() -> Response:
    try:
        emulator().restore(parse_json(request.get_data(cache=True)))
    except ValueError as exc:  # malformed JSON, or InvalidSnapshot: nothing was changed
        raise sms_errors.invalid_body("snapshot", str(exc)) from exc
    return json_response({"status": "restored", **_clock_body()})


def _validated(schema: Schema, raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise sms_errors.invalid_body("body", "The body must be a JSON object.")
    try:
        return schema.load(raw)
    except ValidationError as exc:
        raise sms_errors.invalid_body(*first_problem(exc)) from exc
