"""SMS v3 routes: source servers (register, list, show, overview, errors, update, delete)."""

from __future__ import annotations

from flask import Blueprint, Response

from sms_mock.contracts.sources import (
    DeleteIdsRequestSchema,
    DiskInfoRequestSchema,
    ErrorListQuerySchema,
    RegisterSourceRequestSchema,
    SourceListQuerySchema,
    SourceStateRequestSchema,
    UpdateSourceRequestSchema,
)
from sms_mock.contracts.task_settings import CommandResultRequestSchema
from sms_mock.mock_server.core.http import emulator, json_response
from sms_mock.mock_server.gateway.auth import sms_project
from sms_mock.mock_server.sms.http import EMPTY, checked_id, sms_body, sms_query

blueprint = Blueprint("sms_sources", __name__)

_register_schema = RegisterSourceRequestSchema()
_update_schema = UpdateSourceRequestSchema()
_state_schema = SourceStateRequestSchema()
_disk_info_schema = DiskInfoRequestSchema()
_delete_schema = DeleteIdsRequestSchema()
_list_query_schema = SourceListQuerySchema()
_error_query_schema = ErrorListQuerySchema()


def _source_id(source_id: str) -> str:
    return checked_id("source server", source_id)


@blueprint.post("/v3/sources")
def register_source() -> Response:
    project_id = sms_project()
    body = sms_body(_register_schema)
    return json_response({"id": emulator().sms.register_source(project_id, body)})


@blueprint.get("/v3/sources")
def list_sources() -> Response:
    project_id = sms_project()
    query = sms_query(_list_query_schema)
    return json_response(emulator().sms.list_sources(project_id, query))


@blueprint.get("/v3/sources/overview")
def source_overview() -> Response:
    return json_response(emulator().sms.source_overview(sms_project()))


@blueprint.get("/v3/errors")
def migration_errors() -> Response:
    project_id = sms_project()
    query = sms_query(_error_query_schema)
    return json_response(emulator().sms.migration_errors(project_id, query))


@blueprint.get("/v3/sources/<source_id>")
def show_source(source_id: str) -> Response:
    project_id = sms_project()
    return json_response(emulator().sms.show_source(project_id, _source_id(source_id)))


@blueprint.put("/v3/sources/<source_id>")
def update_source(source_id: str) -> Response:
    project_id = sms_project()
    source_id = _source_id(source_id)
    body = sms_body(_update_schema)
    emulator().sms.update_source(project_id, source_id, body)
    return json_response(EMPTY)


@blueprint.put("/v3/sources/<source_id>/changestate")
def change_source_state(source_id: str) -> Response:
    project_id = sms_project()
    source_id = _source_id(source_id)
    body = sms_body(_state_schema)
    emulator().sms.change_source_state(project_id, source_id, body)
    return json_response(EMPTY)


@blueprint.put("/v3/sources/<source_id>/diskinfo")
def update_disk_info(source_id: str) -> Response:
    project_id = sms_project()
    source_id = _source_id(source_id)
    body = sms_body(_disk_info_schema)
    emulator().sms.update_disk_info(project_id, source_id, body)
    return json_response(EMPTY)


@blueprint.delete("/v3/sources/<source_id>")
def delete_source(source_id: str) -> Response:
    project_id = sms_project()
    emulator().sms.delete_sources(project_id, [_source_id(source_id)])
    return json_response(EMPTY)


@blueprint.post("/v3/sources/delete")
def delete_sources() -> Response:
    project_id = sms_project()
    body = sms_body(_delete_schema)
    emulator().sms.delete_sources(project_id, body["ids"])
    return json_response(EMPTY)


_command_result_schema = CommandResultRequestSchema()


@blueprint.get("/v3/sources/<server_id>/command")
def agent_command(server_id: str) -> Response:
    project_id = sms_project()
    return json_response(emulator().sms.agent_command(project_id, _source_id(server_id)))


@blueprint.post("/v3/sources/<server_id>/command_result")
def command_result(server_id: str) -> Response:
    project_id = sms_project()
    server_id = _source_id(server_id)
    body = sms_body(_command_result_schema)
    emulator().sms.record_command_result(project_id, server_id, body)
    return json_response(EMPTY)
