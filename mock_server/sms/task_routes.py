"""SMS v3 routes: task show, list, create, delete, delete-many and actions."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from sms_mock.contracts.enums import Operation
from sms_mock.contracts.sms import (
    CreateTaskRequestSchema,
    DeleteTasksRequestSchema,
    TaskActionRequestSchema,
    TaskListQuerySchema,
)
from sms_mock.mock_server.core.http import emulator, json_response
from sms_mock.mock_server.gateway.auth import sms_project
from sms_mock.mock_server.sms import errors
from sms_mock.mock_server.sms.http import EMPTY, checked_task_id, sms_body, sms_query

blueprint = Blueprint("sms", __name__)

_action_schema = TaskActionRequestSchema()
_create_schema = CreateTaskRequestSchema()
_delete_schema = DeleteTasksRequestSchema()
_list_query_schema = TaskListQuerySchema()


@blueprint.get("/v3/tasks/<task_id>")
def show_task(task_id: str) -> Response:
    project_id = sms_project()
    return json_response(emulator().sms.show(project_id, checked_task_id(task_id)))


# Queries of GET /v3/tasks loaded, by their raw bytes: a client polling a list sends the same
# query again and again, and loading it costs a kept page's answer a third again. A query the
# schema refuses is never kept (its 400 is made each time), nor a long one: the schema drops
# parameters it does not know, and raw bytes padded with them must not fill the memory.
_LIST_QUERIES_KEPT = 256
_LIST_QUERY_KEPT_MAX = 2048  # bytes: a polling client's query; a longer one is loaded each time
_list_queries: dict[bytes, dict[str, Any]] = {}


def _list_query() -> dict[str, Any]:
    raw = request.query_string
    query = _list_queries.get(raw)
    if query is None:
        query = sms_query(_list_query_schema)
        if len(raw) <= _LIST_QUERY_KEPT_MAX:
            if len(_list_queries) >= _LIST_QUERIES_KEPT:
                _list_queries.clear()
            _list_queries[raw] = query
    return dict(query)  # values are strings and numbers: the copy is the caller's own


@blueprint.get("/v3/tasks")
def list_tasks() -> Response:
    project_id = sms_project()
    return json_response(emulator().sms.list(project_id, _list_query()))  # bytes, joined briefs


@blueprint.post("/v3/tasks")
def create_task() -> Response:
    project_id = sms_project()
    body = sms_body(_create_schema, errors.task_body_fault)
    return json_response({"id": emulator().sms.create(project_id, body)})


@blueprint.post("/v3/tasks/<task_id>/action")
def task_action(task_id: str) -> Response:
    project_id = sms_project()
    task_id = checked_task_id(task_id)
    body = sms_body(_action_schema)
    operation = Operation(body.pop("operation"))
    emulator().sms.act(project_id, task_id, operation, body)
    return json_response(EMPTY)


@blueprint.delete("/v3/tasks/<task_id>")
def delete_task(task_id: str) -> Response:
    project_id = sms_project()
    emulator().sms.delete(project_id, checked_task_id(task_id))
    return json_response(EMPTY)


@blueprint.post("/v3/tasks/delete")
def delete_tasks() -> Response:
    project_id = sms_project()
    body = sms_body(_delete_schema)
    emulator().sms.delete_many(project_id, body["ids"])
    return json_response(EMPTY)
