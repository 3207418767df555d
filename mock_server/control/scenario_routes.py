"""Named scenarios on the control plane: `GET /_mock/scenarios`, `POST /_mock/scenarios/{name}`.

Errors use the SMS body with the emulator's own codes: MOCK.0400 for a bad request (an unknown
project among them), MOCK.0405 for an unknown scenario.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from sms_mock.contracts.control import (
    ScenarioListSchema,
    ScenarioLoadRequestSchema,
    ScenarioLoadSchema,
)
from sms_mock.mock_server.control import errors
from sms_mock.mock_server.control.scenarios import UnknownScenario
from sms_mock.mock_server.core.http import emulator, json_response, load_body
from sms_mock.mock_server.emulator import UnknownProject

blueprint = Blueprint("control_scenarios", __name__, url_prefix="/_mock")

invalid = errors.bad_request

_load_request_schema = ScenarioLoadRequestSchema()
_list_schema = ScenarioListSchema()
_load_schema = ScenarioLoadSchema()


@blueprint.get("/scenarios")
def list_scenarios() -> Response:
    scenarios = emulator().fixtures.scenarios
    listed = [
        {"name": s.name, "description": s.description, "tasks": len(s.tasks)}
        for s in sorted(scenarios.values(), key=lambda s: s.name)
    ]
    return json_response(_list_schema.dump({"scenarios": listed}))


def _project_ref() -> tuple[str, str | None]:
    """(the field that named the project, its value): `?project=` or the body's `project_id`."""
    for key in request.args:
        if key != "project":
            raise invalid(key, "Unknown field.")
    raw = request.get_data(cache=True)
    body = load_body(_load_request_schema, invalid) if raw.strip() else {}
    query = request.args.get("project")
    given = body.get("project_id")
    if query is not None and given is not None:
        em = emulator()
        try:
            same = em.project_ref(query) == em.project_ref(given)
        except UnknownProject:
            same = False
        if not same:
            raise invalid("project", "?project= and project_id differ.")
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
        raise errors.scenario_not_found(name) from exc
    except UnknownProject as exc:
        raise invalid(field, f"no project {exc.args[0]!r}") from exc
    body = {
        "scenario": loaded.scenario,
        "project_id": loaded.project_id,
        "task_ids": loaded.task_ids,
        "fault_ids": loaded.fault_ids,
        "source_ids": loaded.source_ids,
        "template_ids": loaded.template_ids,
        # Each with the name it was loaded under: a second load's carry a suffix (`_2`).
        "tasks": _named(loaded.task_ids, loaded.names),
        "sources": _named(loaded.source_ids, loaded.names),
        "templates": _named(loaded.template_ids, loaded.names),
    }
    return json_response(_load_schema.dump(body), 201)


def _named(ids: list[str], names: dict[str, str]) -> list[dict[str, str]]:
    return [{"id": item_id, "name": names.get(item_id, "")} for item_id in ids]
