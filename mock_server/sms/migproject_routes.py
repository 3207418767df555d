"""SMS v3 routes: migration projects, the agent configuration and the privacy agreement."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from sms_mock.contracts.migprojects import (
    CreateMigprojectRequestSchema,
    MigprojectListQuerySchema,
    UpdateMigprojectRequestSchema,
)
from sms_mock.mock_server.core.http import base_url, emulator, json_response
from sms_mock.mock_server.gateway.auth import sms_project
from sms_mock.mock_server.sms.http import EMPTY, checked_id, no_body, sms_body, sms_query

blueprint = Blueprint("sms_migprojects", __name__)

_create_schema = CreateMigprojectRequestSchema()
_update_schema = UpdateMigprojectRequestSchema()
_list_query_schema = MigprojectListQuerySchema()


def _migproject_id(migproject_id: str) -> str:
    return checked_id("migration project", migproject_id)


@blueprint.post("/v3/migprojects")
def create_migproject() -> Response:
    project_id = sms_project()
    body = sms_body(_create_schema)
    return json_response({"id": emulator().sms.create_migproject(project_id, body)})


@blueprint.get("/v3/migprojects")
def list_migprojects() -> Response:
    project_id = sms_project()
    query = sms_query(_list_query_schema)
    return json_response(emulator().sms.list_migprojects(project_id, query))


@blueprint.get("/v3/migprojects/<mig_project_id>")
def show_migproject(mig_project_id: str) -> Response:
    project_id = sms_project()
    return json_response(emulator().sms.show_migproject(project_id, _migproject_id(mig_project_id)))


@blueprint.put("/v3/migprojects/<mig_project_id>")
def update_migproject(mig_project_id: str) -> Response:
    project_id = sms_project()
    migproject_id = _migproject_id(mig_project_id)
    body = sms_body(_update_schema)
    emulator().sms.update_migproject(project_id, migproject_id, body)
    return json_response(EMPTY)


@blueprint.put("/v3/migprojects/<mig_project_id>/default")
def set_default_migproject(mig_project_id: str) -> Response:
    project_id = sms_project()
    migproject_id = _migproject_id(mig_project_id)
    no_body()
    emulator().sms.set_default_migproject(project_id, migproject_id)
    return json_response(EMPTY)


@blueprint.delete("/v3/migprojects/<mig_project_id>")
def delete_migproject(mig_project_id: str) -> Response:
    # Terraform's provider sends `["<id>"]` as a body here; a DELETE's body is not read.
    project_id = sms_project()
    emulator().sms.delete_migproject(project_id, _migproject_id(mig_project_id))
    return json_response(EMPTY)


# --- the service's own settings -------------------------------------------------------------


def agent_config(project_name: str) -> dict[str, Any]:
    """GET /v3/config: what an agent needs to reach the service, every value a string.

    INFERRED: the keys are those Terraform's agent_configs data source reads; the domains all
    name this emulator, so an agent configured from them talks to it.
    """
    host = base_url().split("://", 1)[-1]
    region = {
        "cloud_type": "HuaweiCloud",
        "create_linux_image_id": "mock-image-linux",
        "desc": project_name,
        "dns_domain": host,
        "ecs_domain": host,
        "evs_domain": host,
        "iam_domain": host,
        "ims_domain": host,
        "kms_address": host,
        "linux_image_id": "mock-image-linux",
        "linux_uefi_image_id": "mock-image-linux-uefi",
        "obs_domain": host,
        "project_name": project_name,
        "region_name": project_name,
        "sms_domain": host,
        "vpc_domain": host,
        "windows_image_id": "mock-image-windows",
        "windows_ssh_image_id": "mock-image-windows-ssh",
        "windows_uefi_image_id": "mock-image-windows-uefi",
    }
    config = {
        "mainRegion": project_name,
        "obs_domain": host,
        "disktype": "SAS,SSD,GPSSD,ESSD",
        "process_and_it": "true",
    }
    return {"config": config, "regions": [region]}


@blueprint.get("/v3/config")
def show_config() -> Response:
    em = emulator()
    _, project_name = em.project_ref(sms_project())
    return json_response(agent_config(project_name))


@blueprint.get("/v3/privacy-agreements")
def show_privacy_agreements() -> Response:
    return json_response({"flag": emulator().sms.privacy_agreed(sms_project())})


@blueprint.post("/v3/privacy-agreements")
def agree_privacy() -> Response:
    project_id = sms_project()
    no_body()
    emulator().sms.agree_privacy(project_id)
    return json_response(EMPTY)
