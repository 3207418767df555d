"""The control plane (`/_mock/...`): the emulator's own API for tests and QA.

Errors use the SMS body with the emulator's own codes: SMS.9002 for a bad request, SMS.9006
for an unknown fault id.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request
from marshmallow import Schema, ValidationError

from contracts.control import ClockAdvanceSchema, TaskFaultRequestSchema
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
    fault = emulator().sms.add_fault(_body(_fault_schema))
    return json_response(fault.to_json(), 201)


@blueprint.get("/faults")
def list_faults() -> Response:
    return json_response({"faults": [f.to_json() for f in emulator().faults.all()]})


@blueprint.delete("/faults")
def clear_faults() -> Response:
    emulator().faults.clear()
    return json_response({"faults": []})


@blueprint.delete("/faults/<fault_id>")
def delete_fault(fault_id: str) -> Response:
    if not emulator().faults.delete(fault_id):
        raise SmsError(404, "SMS.9006", f"The fault {fault_id} does not exist.")
    return json_response({})
