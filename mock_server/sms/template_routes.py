"""SMS v3 routes: server templates (create, list, show, update, delete, target password)."""

from __future__ import annotations

from flask import Blueprint, Response

from sms_mock.contracts.sources import DeleteIdsRequestSchema
from sms_mock.contracts.templates import (
    CreateTemplateRequestSchema,
    TemplateListQuerySchema,
    UpdateTemplateRequestSchema,
)
from sms_mock.mock_server.core.http import emulator, json_response
from sms_mock.mock_server.gateway.auth import sms_project
from sms_mock.mock_server.sms.http import EMPTY, checked_id, sms_body, sms_query

blueprint = Blueprint("sms_templates", __name__)

_create_schema = CreateTemplateRequestSchema()
_update_schema = UpdateTemplateRequestSchema()
_delete_schema = DeleteIdsRequestSchema()
_list_query_schema = TemplateListQuerySchema()


def _template_id(template_id: str) -> str:
    return checked_id("template", template_id)


@blueprint.post("/v3/vm/templates")
def create_template() -> Response:
    em = emulator()
    project = em.project_ref(sms_project())
    body = sms_body(_create_schema)
    return json_response({"id": em.sms.create_template(project, body["template"])})


@blueprint.get("/v3/vm/templates")
def list_templates() -> Response:
    project_id = sms_project()
    query = sms_query(_list_query_schema)
    return json_response(emulator().sms.list_templates(project_id, query))


@blueprint.get("/v3/vm/templates/<id>")
def show_template(id: str) -> Response:
    project_id = sms_project()
    return json_response(emulator().sms.show_template(project_id, _template_id(id)))


@blueprint.put("/v3/vm/templates/<id>")
def update_template(id: str) -> Response:
    project_id = sms_project()
    template_id = _template_id(id)
    body = sms_body(_update_schema)
    emulator().sms.update_template(project_id, template_id, body.get("template", {}))
    return json_response(EMPTY)


@blueprint.delete("/v3/vm/templates/<id>")
def delete_template(id: str) -> Response:
    project_id = sms_project()
    emulator().sms.delete_templates(project_id, [_template_id(id)])
    return json_response(EMPTY)


@blueprint.post("/v3/vm/templates/delete")
def delete_templates() -> Response:
    project_id = sms_project()
    body = sms_body(_delete_schema)
    emulator().sms.delete_templates(project_id, body["ids"])
    return json_response(EMPTY)


@blueprint.get("/v3/vm/templates/<id>/target-password")
def target_password(id: str) -> Response:
    project_id = sms_project()
    return json_response(emulator().sms.target_password(project_id, _template_id(id)))
