"""SMS v3 routes: the history APIs the reference still documents (UnlockTargetEcs, CheckNetAcl,
ShowSha256), as the SDK 3.1.196 calls them."""

from __future__ import annotations

from flask import Blueprint, Response

from sms_mock.contracts.history import CheckNetAclQuerySchema, ShowSha256PathSchema
from sms_mock.mock_server.core.http import emulator, json_response, load
from sms_mock.mock_server.gateway.auth import sms_project
from sms_mock.mock_server.sms import errors
from sms_mock.mock_server.sms.history_ops import sha256_of, unlock_target_server
from sms_mock.mock_server.sms.http import EMPTY, checked_id, checked_task_id, no_body, sms_query

blueprint = Blueprint("sms_history", __name__)

_acl_query_schema = CheckNetAclQuerySchema()
_sha256_path_schema = ShowSha256PathSchema()


@blueprint.post("/v3/tasks/<task_id>/unlock")
def unlock_target_ecs(task_id: str) -> Response:
    project_id = sms_project()
    task_id = checked_task_id(task_id)
    no_body()  # the SDK sends none; `{}` is accepted too
    unlock_target_server(emulator().sms, project_id, task_id)
    return json_response(EMPTY)


@blueprint.get("/v3/tasks/<t_project_id>/networkacl/<t_network_id>/check")
def check_net_acl(t_project_id: str, t_network_id: str) -> Response:
    """INFERRED: the emulator has no VPCs, so every well-formed subnet's ACL lets the migration
    through, whatever the project, region and OS type: the reference's success answer, `{}`."""
    sms_project()
    checked_id("project", t_project_id)
    checked_id("subnet", t_network_id)
    sms_query(_acl_query_schema)
    return json_response(EMPTY)


@blueprint.get("/v3/sha256/<text:key>")
def show_sha256(key: str) -> Response:
    sms_project()  # any project's caller may ask; the answer is the same for all
    given = load(_sha256_path_schema, {"key": key}, errors.invalid_parameter)
    return json_response(sha256_of(given["key"]))
