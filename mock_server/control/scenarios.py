"""Named scenarios on the control plane: `GET /_mock/scenarios`, `POST /_mock/scenarios/{name}`.

Errors use the SMS body with the emulator's own codes: SMS.9002 for a bad request (an unknown
project among them), SMS.9007 for an unknown scenario.
"""

from __future__ import annotations

from flask import Blueprint, Response, request
from marshmallow import ValidationError

from contracts.control import ScenarioLoadRequestSchema
from mock_server.emulator import UnknownProject
from mock_server.errors import SmsError
from mock_server.http import emulator, first_problem, json_response, load_body
from mock_server.scenarios import UnknownScenario
from mock_server.sms import errors as sms_errors

blueprint = Blueprint("control_scenarios", __name__, url_prefix="/_mock")

_load_schema = ScenarioLoadRequestSchema()


@blueprint.get("/scenarios")
def list_scenarios() -> Response:
    scenarios = emulator().fixtures.scenarios
    listed = [
        {"name": s.name, "description": s.description, "tasks": len(s.tasks)}
        for s in sorted(scenarios.values(), key=lambda s: s.name)
    ]
    return json_response({"scenarios": listed})


def _project_ref() -> tuple[str, str | None]:
    """(the field that named the project, its value): `?project=` or the body's `project_id`."""
    for key in request.args:
        if key != "project":
            raise sms_errors.invalid_body(key, "Unknown field.")
    raw = request.get_data(cache=True)
    try:
        body = load_body(_load_schema, raw) if raw.strip() else {}
    except ValidationError as exc:
        raise sms_errors.invalid_body(*first_problem(exc)) from exc
    query = request.args.get("project")
    given = body.get("project_id")
    if query is not None and given is not None:
        em = emulator()
        try:
            same = em.project_ref(query) == em.project_ref(given)
        except UnknownProject:
            same = False
        if not same:
            raise sms_errors.invalid_body("project", "?project= and project_id differ.")
    if given is not None:
        return "project_id", given
    return "project", query


@blueprint.post("/scenarios/<name>")
def load_scenario(name: str) -> Response:
    """Load a scenario into the project named (the scenario's own, else the default project)."""
    field, ref = _project_ref()
    try:
        loaded = emulator().load_scenario(name, ref)
    except UnknownScenario as exc:
        raise SmsError(404, "SMS.9007", f"The scenario {name} does not exist.") from exc
    except UnknownProject as exc:
        raise sms_errors.invalid_body(field, f"no project {exc.args[0]!r}") from exc
    return json_response(loaded.to_json(), 201)
