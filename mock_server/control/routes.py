"""The control plane (`/_mock/...`): the emulator's own API for tests and QA.

Every body it reads loads through a request schema of `contracts/control.py`, and every body it
answers is dumped through the response schema of the same module. Errors use the SMS body with
the emulator's own codes (`control/errors.py`): MOCK.0400 for a bad request, MOCK.0404 for an
unknown fault id, MOCK.0401 for a missing admin token (checked in the gateway middleware).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from sms_mock import __version__
from sms_mock.contracts import error_codes as codes
from sms_mock.contracts.control import (
    ClockAdvanceSchema,
    ClockSchema,
    ClockSpeedSchema,
    FaultListSchema,
    HealthSchema,
    HttpFaultRequestSchema,
    HttpFaultSchema,
    JournalQuerySchema,
    JournalSchema,
    LifecycleSchema,
    ResetSchema,
    RestoredSchema,
    TaskFaultRequestSchema,
    TaskFaultSchema,
)
from sms_mock.contracts.snapshot import CLOCK_MAX_MS
from sms_mock.mock_server.control import errors
from sms_mock.mock_server.control.fault_names import with_task_names
from sms_mock.mock_server.core.clock import reading
from sms_mock.mock_server.core.errors import CONTROL_PREFIX, catalogued
from sms_mock.mock_server.core.http import (
    SNAPSHOT_DEPTH,
    UnsafeJson,
    body_json,
    emulator,
    json_response,
    load,
    load_body,
    load_query,
    parse_json,
)
from sms_mock.mock_server.core.json_cost import parsed_bytes
from sms_mock.mock_server.core.memory import hand_back_free_memory
from sms_mock.mock_server.emulator import UnknownProject
from sms_mock.mock_server.sms.lifecycle import OPERATION_RULES, UNDELETABLE_STATES
from sms_mock.mock_server.sms.resource_documents import SOURCE_DOCUMENT, TEMPLATE_DOCUMENT
from sms_mock.mock_server.sms.task_documents import TASK_DOCUMENT
from sms_mock.mock_server.snapshot_check import InvalidSnapshot

blueprint = Blueprint("control", __name__, url_prefix="/_mock")

invalid = errors.bad_request

_advance_schema = ClockAdvanceSchema()
_speed_schema = ClockSpeedSchema()
_lifecycle_schema = LifecycleSchema()
_fault_request_schema = TaskFaultRequestSchema()
_http_fault_request_schema = HttpFaultRequestSchema()
_journal_query_schema = JournalQuerySchema()
_health_schema = HealthSchema()
_clock_schema = ClockSchema()
_reset_schema = ResetSchema()
_restored_schema = RestoredSchema()
_task_fault_schema = TaskFaultSchema()
_http_fault_schema = HttpFaultSchema()
_fault_list_schema = FaultListSchema()
_journal_schema = JournalSchema()


def _clock_fields() -> dict[str, Any]:
    return reading(emulator().clock)


def _faults_json(faults: list[Any]) -> list[dict[str, Any]]:
    """Task faults and HTTP faults, each naming its task and dumped through its own schema."""
    named = with_task_names(emulator(), [fault.to_json() for fault in faults])
    return [
        (_http_fault_schema if fault["kind"] == "http" else _task_fault_schema).dump(fault)
        for fault in named
    ]


@blueprint.get("")
def to_dashboard() -> Response:
    """`/_mock` itself leads to the dashboard (under the control plane's admin rule); the
    body says where, in JSON as every control-plane answer."""
    where = f"{CONTROL_PREFIX}/ui"
    return json_response({"location": where}, 302, {"Location": where})


@blueprint.get("/health")
def health() -> Response:
    return json_response(_health_schema.dump({"status": "ok", "version": __version__}))


@blueprint.post("/reset")
def reset() -> Response:
    emulator().reset()
    return json_response(_reset_schema.dump({"status": "reset", **_clock_fields()}))


@blueprint.get("/clock")
def clock() -> Response:
    return json_response(_clock_schema.dump(_clock_fields()))


@blueprint.post("/clock/advance")
def advance_clock() -> Response:
    seconds = load_body(_advance_schema, invalid)["seconds"]
    clock = emulator().clock
    if clock.now_ms() + seconds * 1000 > CLOCK_MAX_MS:
        # Past it, no date of a task or a token could be written any more.
        raise invalid("seconds", "The clock would pass 9000-01-01.")
    clock.advance(seconds)
    return json_response(_clock_schema.dump(_clock_fields()))


@blueprint.post("/clock/speed")
def set_clock_speed() -> Response:
    """A real clock's speed from now on; a manual clock has none (a 400 naming `speed`)."""
    speed = load_body(_speed_schema, invalid)["speed"]
    try:
        emulator().clock.set_speed(speed)
    except ValueError as exc:
        raise invalid("speed", str(exc)) from exc
    return json_response(_clock_schema.dump(_clock_fields()))


@blueprint.get("/lifecycle")
def lifecycle() -> Response:
    """Which operation each state allows: the engine's own table, for the dashboard's buttons."""
    rules = [
        {
            "operation": rule.operation.value,
            "allowed_states": sorted(rule.allowed),
            "effect": rule.effect.value,
        }
        for rule in OPERATION_RULES
    ]
    body = {"operations": rules, "undeletable_states": sorted(UNDELETABLE_STATES)}
    return json_response(_lifecycle_schema.dump(body))


@blueprint.post("/tasks")
def put_task() -> Response:
    """Put a task in exactly as given, in the project of `?project=` (default project else)."""
    project_id, project_name = _project()
    document, durations = load_body(TASK_DOCUMENT, invalid)
    # The task document is already the contract's: `put` answers it as GET /v3/tasks/{id} does.
    return json_response(emulator().sms.put(project_id, project_name, document, durations), 201)


def _project() -> tuple[str, str]:
    """The project of `?project=` (an id or a name), the default project without it."""
    try:
        return emulator().project_ref(request.args.get("project"))
    except UnknownProject as exc:
        raise invalid("project", f"no project {exc.args[0]!r}") from exc


@blueprint.post("/sources")
def put_source() -> Response:
    """Put a source server in exactly as given (any subset of GET /v3/sources/{id})."""
    project_id, _ = _project()
    document = load_body(SOURCE_DOCUMENT, invalid)
    return json_response(emulator().sms.put_source(project_id, document), 201)


@blueprint.post("/templates")
def put_template() -> Response:
    """Put a server template in exactly as given (any subset of a template's answer)."""
    project = _project()
    document = load_body(TEMPLATE_DOCUMENT, invalid)
    return json_response(emulator().sms.put_template(project, document), 201)


@blueprint.get("/tasks")
def all_tasks() -> Response:
    """Every task of every project, for the command line and the dashboard."""
    return json_response({"tasks": emulator().sms.every_task()})


@blueprint.get("/sources")
def all_sources() -> Response:
    """Every source server of every project, as GET /v3/sources/{id} answers it."""
    return json_response({"sources": emulator().sms.every_source()})


@blueprint.get("/templates")
def all_templates() -> Response:
    """Every server template of every project."""
    return json_response({"templates": emulator().sms.every_template()})


@blueprint.post("/faults")
def add_fault() -> Response:
    """A task fault (`task_id`, `subtask`, ...) for a task of `?project=`, or, with `match`,
    an HTTP fault (of every project: it matches requests)."""
    em = emulator()
    raw = body_json(invalid)
    if isinstance(raw, dict) and "match" in raw:
        fault = em.http_faults.add(load(_http_fault_request_schema, raw, invalid))
    else:
        spec = load(_fault_request_schema, raw, invalid)
        # A task fault is for a task of one project, as tasks are: `?project=`, else the default.
        fault = em.sms.add_fault({**spec, "project_id": _project()[0]})
    return json_response(_faults_json([fault])[0], 201)


@blueprint.get("/faults")
def list_faults() -> Response:
    em = emulator()
    faults = [*em.faults.all(), *em.http_faults.all()]
    return json_response(_fault_list_schema.dump({"faults": _faults_json(faults)}))


@blueprint.delete("/faults")
def clear_faults() -> Response:
    em = emulator()
    em.faults.clear()
    em.http_faults.clear()
    return json_response(_fault_list_schema.dump({"faults": []}))


@blueprint.delete("/faults/<fault_id>")
def delete_fault(fault_id: str) -> Response:
    em = emulator()
    if not (em.faults.delete(fault_id) or em.http_faults.delete(fault_id)):
        raise errors.fault_not_found(fault_id)
    return json_response({})


@blueprint.get("/requests")
def list_requests() -> Response:
    """The request journal, oldest first; filters: method, path (a glob), status, since (ms)."""
    query = load_query(_journal_query_schema, invalid)
    journal = emulator().journal
    return json_response(
        _journal_schema.dump({"requests": journal.query(**query), "size": journal.size})
    )


@blueprint.delete("/requests")
def clear_requests() -> Response:
    emulator().journal.clear()
    return json_response({"requests": []})


@blueprint.get("/snapshot")
def get_snapshot() -> Response:
    return json_response(emulator().snapshot())


# What GET /_mock/snapshot answers must post back: a snapshot grows with the state (about
# 3 KB a task), past the 1 MiB every other body is held to. Sized to what one process holds:
# a restore peaks at about 5 times the body (the raw bytes, their parse, the checks), so the
# largest peaks at about 630 MiB (`bench/snapshot_memory.py`); about 40,000 tasks.
MAX_SNAPSHOT_BYTES = 128 * 1024 * 1024
# A body whose parse would take more than this many times its size is refused unparsed
# (`core/json_cost.py`): a real snapshot estimates at under 5; `[{},{},...]` at 78.
SNAPSHOT_PARSE_FACTOR = 6
# Below this, a body's parse is small whatever its shape: not estimated.
SNAPSHOT_PARSE_SLACK = 1024 * 1024


@blueprint.post("/snapshot")
def restore_snapshot() -> Response:
    request.max_content_length = MAX_SNAPSHOT_BYTES
    try:
        emulator().restore(_posted_snapshot())
    except InvalidSnapshot as exc:  # nothing was changed
        raise invalid("snapshot", str(exc)) from exc
    finally:
        hand_back_free_memory()  # the body and its parse are gone: their pages too
    return json_response(_restored_schema.dump({"status": "restored", **_clock_fields()}))


def _posted_snapshot() -> Any:
    """The posted snapshot, parsed. Its bytes are read once and not kept with the request, so
    that the restore holds only the parse; a parse that would cost more than
    SNAPSHOT_PARSE_FACTOR times the bytes is refused before it is made."""
    raw = request.get_data(cache=False)
    if len(raw) > SNAPSHOT_PARSE_SLACK:
        cost = parsed_bytes(raw)
        if cost > SNAPSHOT_PARSE_FACTOR * len(raw):
            raise catalogued(
                codes.MOCK_SNAPSHOT_TOO_COSTLY,
                f"Its {len(raw):,} bytes would take about {cost:,} bytes once parsed, more "
                f"than {SNAPSHOT_PARSE_FACTOR} times their size.",
            )
    try:
        return parse_json(raw, SNAPSHOT_DEPTH)
    except UnsafeJson as exc:
        raise invalid(exc.field, exc.problem) from exc
    except ValueError as exc:
        raise invalid("body", f"Malformed JSON ({exc}).") from exc
