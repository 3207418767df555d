"""SMS v3 routes: a task's settings (PUT the task, speed limits, configuration, passphrase)."""

from __future__ import annotations

from flask import Blueprint, Response, request

from sms_mock.contracts.task_settings import (
    CertKeyQuerySchema,
    CollectLogRequestSchema,
    ConfigSettingQuerySchema,
    ConfigurationRequestSchema,
    ConsistencyResultRequestSchema,
    ExportConsistencyRequestSchema,
    NetworkCheckInfoRequestSchema,
    ProgressReportRequestSchema,
    UpdateSpeedRequestSchema,
    UpdateTaskRequestSchema,
)
from sms_mock.mock_server.core.http import emulator, json_response
from sms_mock.mock_server.gateway.auth import sms_project
from sms_mock.mock_server.sms import errors
from sms_mock.mock_server.sms.http import EMPTY, checked_task_id, sms_body, sms_query

blueprint = Blueprint("sms_task_settings", __name__)

_update_schema = UpdateTaskRequestSchema()
_speed_schema = UpdateSpeedRequestSchema()
_config_schema = ConfigurationRequestSchema()
_config_query_schema = ConfigSettingQuerySchema()


@blueprint.put("/v3/tasks/<task_id>")
def update_task(task_id: str) -> Response:
    project_id = sms_project()
    task_id = checked_task_id(task_id)
    body = sms_body(_update_schema, errors.task_body_fault)
    emulator().sms.update_task(project_id, task_id, body)
    return json_response(EMPTY)


@blueprint.get("/v3/tasks/<task_id>/speed-limit")
def speed_limits(task_id: str) -> Response:
    project_id = sms_project()
    return json_response(emulator().sms.speed_limits(project_id, checked_task_id(task_id)))


@blueprint.post("/v3/tasks/<task_id>/speed-limit")
def set_speed_limits(task_id: str) -> Response:
    project_id = sms_project()
    task_id = checked_task_id(task_id)
    body = sms_body(_speed_schema)
    emulator().sms.set_speed_limits(project_id, task_id, body["speed_limit"])
    return json_response(EMPTY)


@blueprint.get("/v3/tasks/<task_id>/configuration-setting")
def config_settings(task_id: str) -> Response:
    project_id = sms_project()
    task_id = checked_task_id(task_id)
    query = sms_query(_config_query_schema)
    return json_response(
        emulator().sms.config_settings(project_id, task_id, query.get("config_key"))
    )


@blueprint.post("/v3/tasks/<task_id>/configuration-setting")
def set_config_settings(task_id: str) -> Response:
    project_id = sms_project()
    task_id = checked_task_id(task_id)
    body = sms_body(_config_schema)
    emulator().sms.set_config_settings(project_id, task_id, body["configurations"])
    return json_response(EMPTY)


@blueprint.get("/v3/tasks/<task_id>/passphrase")
def passphrase(task_id: str) -> Response:
    project_id = sms_project()
    return json_response(emulator().sms.passphrase(project_id, checked_task_id(task_id)))


_log_schema = CollectLogRequestSchema()
_cert_query_schema = CertKeyQuerySchema()
_consistency_schema = ConsistencyResultRequestSchema()
_export_schema = ExportConsistencyRequestSchema()
_network_schema = NetworkCheckInfoRequestSchema()


@blueprint.post("/v3/tasks/<task_id>/log")
def collect_log(task_id: str) -> Response:
    project_id = sms_project()
    task_id = checked_task_id(task_id)
    body = sms_body(_log_schema) if request.get_data(cache=True).strip() else {}
    emulator().sms.collect_log(project_id, task_id, body.get("log_bucket"))
    return json_response(EMPTY)


@blueprint.get("/v3/tasks/<task_id>/certkey")
def cert_key(task_id: str) -> Response:
    project_id = sms_project()
    task_id = checked_task_id(task_id)
    query = sms_query(_cert_query_schema)
    return json_response(
        emulator().sms.cert_key(project_id, task_id, query.get("enable_ca_cert", False))
    )


@blueprint.post("/v3/tasks/<task_id>/consistency-result")
def add_consistency_result(task_id: str) -> Response:
    project_id = sms_project()
    task_id = checked_task_id(task_id)
    body = sms_body(_consistency_schema)
    emulator().sms.add_consistency_result(project_id, task_id, body["consistency_result"])
    return json_response(EMPTY)


@blueprint.get("/v3/tasks/<task_id>/consistency-result")
def consistency_results(task_id: str) -> Response:
    project_id = sms_project()
    return json_response(emulator().sms.consistency_results(project_id, checked_task_id(task_id)))


@blueprint.post("/v3/tasks/consistency-results/export")
def export_consistency_results() -> Response:
    project_id = sms_project()
    body = sms_body(_export_schema)
    for given in body["task_info"]:
        checked_task_id(given["task_id"])
    csv = emulator().sms.export_consistency_results(project_id, body["task_info"])
    return Response(
        csv,
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="consistency-results.csv"'},
    )


@blueprint.post("/v3/<task_id>/update-network-check-info")
def update_network_check_info(task_id: str) -> Response:
    # Sic: the SDK's path has no `tasks/` segment.
    project_id = sms_project()
    task_id = checked_task_id(task_id)
    body = sms_body(_network_schema)
    emulator().sms.update_network_check_info(project_id, task_id, body)
    return json_response({"task_id": task_id})


_progress_schema = ProgressReportRequestSchema()


@blueprint.put("/v3/tasks/<task_id>/progress")
def record_progress(task_id: str) -> Response:
    project_id = sms_project()
    task_id = checked_task_id(task_id)
    body = sms_body(_progress_schema)
    emulator().sms.record_progress(project_id, task_id, body)
    return json_response(EMPTY)
