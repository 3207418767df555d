"""SMS v3 routes: task show, list, create, delete, delete-many and actions."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request
from marshmallow import Schema

from sms_mock.contracts.base import TASK_ID_RE
from sms_mock.contracts.enums import Operation
from sms_mock.contracts.sms import (
    CreateTaskRequestSchema,
    DeleteTasksRequestSchema,
    TaskActionRequestSchema,
    TaskListQuerySchema,
)
from sms_mock.mock_server.core.errors import JSON
from sms_mock.mock_server.core.http import emulator, json_response, load_body, load_query
from sms_mock.mock_server.gateway.auth import sms_project
from sms_mock.mock_server.sms import errors

blueprint = Blueprint("sms", __name__)

MAX_BODY_BYTES = 10240  # documented limit of an SMS request body

_action_schema = TaskActionRequestSchema()
_create_schema = CreateTaskRequestSchema()
_delete_schema = DeleteTasksRequestSchema()
_list_query_schema = TaskListQuerySchema()

# The SDK models the answer of an action or a delete as a bare string; it accepts `{}`.
EMPTY = b"{}"


def _checked_id(task_id: str) -> str:
    if not TASK_ID_RE.fullmatch(task_id):
        raise errors.invalid_task_id()
    return task_id


def _sms_body(schema: Schema) -> dict[str, Any]:
    """An SMS POST body, checked in the service's order: size, Content-Type, then content."""
    length = request.content_length
    if length is not None and length > MAX_BODY_BYTES:
        raise errors.body_too_large()
    raw = request.get_data(cache=True)
    if len(raw) > MAX_BODY_BYTES:
        raise errors.body_too_large()
    if not request.headers.get("Content-Type"):
        raise errors.content_type_missing()
    if request.mimetype != JSON:
        raise errors.content_type_not_json()
    return load_body(schema, errors.invalid_body)


@blueprint.get("/v3/tasks/<task_id>")
def show_task(task_id: str) -> Response:
    project_id = sms_project()
    return json_response(emulator().sms.show(project_id, _checked_id(task_id)))


@blueprint.get("/v3/tasks")
def list_tasks() -> Response:
    project_id = sms_project()
    query = load_query(_list_query_schema, errors.invalid_body)
    return json_response(emulator().sms.list(project_id, query))


@blueprint.post("/v3/tasks")
def create_task() -> Response:
    project_id = sms_project()
    body = _sms_body(_create_schema)
    return json_response({"id": emulator().sms.create(project_id, body)})


@blueprint.post("/v3/tasks/<task_id>/action")
def task_action(task_id: str) -> Response:
    project_id = sms_project()
    task_id = _checked_id(task_id)
    body = _sms_body(_action_schema)
    operation = Operation(body.pop("operation"))
    emulator().sms.act(project_id, task_id, operation, body)
    return json_response(EMPTY)


@blueprint.delete("/v3/tasks/<task_id>")
def delete_task(task_id: str) -> Response:
    project_id = sms_project()
    emulator().sms.delete(project_id, _checked_id(task_id))
    return json_response(EMPTY)


@blueprint.post("/v3/tasks/delete")
def delete_tasks() -> Response:
    project_id = sms_project()
    body = _sms_body(_delete_schema)
    emulator().sms.delete_many(project_id, body["ids"])
    return json_response(EMPTY)
