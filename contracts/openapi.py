"""The OpenAPI 3.0.3 document of the Huawei-facing API, generated from the marshmallow contracts.

apispec's MarshmallowPlugin turns every body schema into a component; this module only says
which path answers which status with which body. The control plane (`/_mock`) is not in it: it
is the emulator's own, not Huawei's.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.common import resolve_schema_instance
from apispec.ext.marshmallow.openapi import OpenAPIConverter
from marshmallow import Schema, fields, validate

from sms_mock.contracts.base import LenientRequestSchema, task_id_validator
from sms_mock.contracts.credentials import CredentialRequestSchema, CredentialResponseSchema
from sms_mock.contracts.errors import (
    ApigwErrorSchema,
    IamErrorSchema,
    KeystoneErrorSchema,
    SmsErrorSchema,
)
from sms_mock.contracts.fields import INT64_MAX, INT64_MIN
from sms_mock.contracts.history import (
    CheckNetAclQuerySchema,
    CheckNetAclResponseSchema,
    ShowSha256PathSchema,
    ShowSha256ResponseSchema,
    UnlockTargetEcsResponseSchema,
)
from sms_mock.contracts.iam import (
    DomainListSchema,
    ProjectListQuerySchema,
    ProjectListSchema,
    ProjectShowSchema,
    TokenRequestSchema,
    TokenResponseSchema,
    UserListQuerySchema,
    UserListSchema,
)
from sms_mock.contracts.iam_catalog import (
    CatalogSchema,
    EndpointListQuerySchema,
    EndpointListSchema,
    EndpointShowSchema,
    RegionListSchema,
    RegionShowSchema,
    ServiceListQuerySchema,
    ServiceListSchema,
    ServiceShowSchema,
)
from sms_mock.contracts.migprojects import (
    ConfigSchema,
    CreateMigprojectRequestSchema,
    MigprojectListQuerySchema,
    MigprojectListSchema,
    MigprojectShowSchema,
    PrivacyAgreementSchema,
    UpdateMigprojectRequestSchema,
)
from sms_mock.contracts.sms import (
    CreateTaskRequestSchema,
    CreateTaskResponseSchema,
    DeleteTasksRequestSchema,
    EmptyResponseSchema,
    TaskActionRequestSchema,
    TaskListQuerySchema,
    TaskListSchema,
    TaskSchema,
)
from sms_mock.contracts.sources import (
    DeleteIdsRequestSchema,
    DiskInfoRequestSchema,
    ErrorListQuerySchema,
    ErrorListSchema,
    IdResponseSchema,
    RegisterSourceRequestSchema,
    SourceListQuerySchema,
    SourceListSchema,
    SourceOverviewSchema,
    SourceSchema,
    SourceStateRequestSchema,
    UpdateSourceRequestSchema,
)
from sms_mock.contracts.task_settings import (
    CertKeyQuerySchema,
    CertKeySchema,
    CollectLogRequestSchema,
    CommandResultRequestSchema,
    CommandSchema,
    ConfigSettingQuerySchema,
    ConfigSettingSchema,
    ConfigurationRequestSchema,
    ConsistencyResultRequestSchema,
    ConsistencyResultsSchema,
    ExportConsistencyRequestSchema,
    NetworkCheckInfoRequestSchema,
    PassphraseSchema,
    ProgressReportRequestSchema,
    SpeedLimitsSchema,
    TaskIdSchema,
    UpdateSpeedRequestSchema,
    UpdateTaskRequestSchema,
)
from sms_mock.contracts.templates import (
    CreateTemplateRequestSchema,
    TargetPasswordSchema,
    TemplateListQuerySchema,
    TemplateListSchema,
    TemplateShowSchema,
    UpdateTemplateRequestSchema,
)

OPENAPI_VERSION = "3.0.3"
JSON = "application/json"
TOKEN_SCHEME = "X-Auth-Token"
HISTORY_TAG = "SMS history"
AKSK_SCHEME = "SDK-HMAC-SHA256"

HMAC_RECIPE = """\
The official SDKs sign every request with the AK/SK pair instead of sending a token
(`Authorization: SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<names>, Signature=<hex>`), with
`X-Sdk-Date` (UTC `%Y%m%dT%H%M%SZ`, within 15 minutes of the server's time) and, for SMS,
`X-Project-Id`.

1. SignedHeaders: the request's header names, lower-cased, without names containing `_`,
   sorted and joined by `;`.
2. CanonicalRequest: `METHOD\\nCanonicalURI\\nCanonicalQuery\\nCanonicalHeaders\\nSignedHeaders\\n
   PayloadHash`. CanonicalURI: the unquoted path, each segment quoted again (safe `~`), always
   ending in `/`. CanonicalQuery: parameters sorted by key then value, `quote(k)=quote(v)`
   joined by `&`. CanonicalHeaders: `name:value.strip()\\n` for each signed header.
   PayloadHash: hex SHA-256 of the body (`X-Sdk-Content-Sha256` verbatim when present).
3. StringToSign: `SDK-HMAC-SHA256\\n<X-Sdk-Date>\\n<hex SHA-256 of CanonicalRequest>`.
4. Signature: hex HMAC-SHA256 of StringToSign, keyed with the SK itself (no derivation).
"""

# Security requirements: either scheme on its own (OR), as the gateway accepts either.
SIGNED_OR_TOKEN: list[dict[str, list[str]]] = [{TOKEN_SCHEME: []}, {AKSK_SCHEME: []}]


# What a body may hold under a key its lenient schema does not declare (IAM's bodies ignore
# such keys): any JSON the server's parser reads, an integer within int64 (README, "Bodies").
JSON_VALUE = "JsonValue"
_JSON_VALUE_REF = {"$ref": f"#/components/schemas/{JSON_VALUE}"}
_JSON_VALUE = {
    "description": "Any JSON value, nested at most 32 levels deep in the body, every integer "
    "within int64.",
    "nullable": True,
    "anyOf": [
        {"type": "string"},
        {"type": "boolean"},
        {"type": "integer", "minimum": INT64_MIN, "maximum": INT64_MAX},
        {"type": "number", "not": {"type": "integer"}},
        {"type": "array", "items": _JSON_VALUE_REF},
        {"type": "object", "additionalProperties": _JSON_VALUE_REF},
    ],
}


class _NullableRefConverter(OpenAPIConverter):
    """Nullable nested schemas as `allOf: [$ref]` with `nullable: true`.

    apispec's OpenAPI 3.0 form, `anyOf: [{type: object, nullable: true}, {$ref}]`, lets any
    object through its first branch, so a response checker would never look inside it.
    """

    def dict2properties(self, field: fields.Field, **kwargs: Any) -> dict:
        """A `Dict` of any values holds what the server's parser reads (JsonValue), not any
        JSON: an integer past int64 is refused wherever it is."""
        ret = super().dict2properties(field, **kwargs)
        if ret.get("additionalProperties") == {}:
            ret["additionalProperties"] = _JSON_VALUE_REF
        return ret

    def field2nullable(self, field: fields.Field, ret: dict) -> dict:
        if field.allow_none and ("$ref" in ret or "allOf" in ret):
            refs = ret.pop("allOf", None) or [{"$ref": ret.pop("$ref")}]
            return {"allOf": refs, "nullable": True}
        return super().field2nullable(field, ret)


def _merged(into: dict[str, Any], rules: dict[str, Any]) -> dict[str, Any]:
    """`into` with `rules` laid over it, dict into dict, so that a rule can reach one
    property's keyword (`properties.methods.items.enum`) and leave the rest as generated."""
    for key, value in rules.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merged(into[key], value)
        else:
            into[key] = copy.deepcopy(value)
    return into


class _Plugin(MarshmallowPlugin):
    """apispec's plugin, and what a schema's fields cannot say: the rules a request schema
    checks in its `@validates_schema` (its `json_schema_rules`, beside the check), and what a
    lenient schema takes under the keys it ignores."""

    Converter = _NullableRefConverter

    def schema_helper(self, name: str, _: Any, schema: Any = None, **kwargs: Any) -> Any:
        json_schema = super().schema_helper(name, _, schema=schema, **kwargs)
        if schema is None:
            return json_schema
        instance = resolve_schema_instance(schema)
        if isinstance(instance, LenientRequestSchema):
            json_schema["additionalProperties"] = _JSON_VALUE_REF
        return _merged(json_schema, getattr(instance, "json_schema_rules", {}))


# Parameters outside the body, as marshmallow schemas too, so apispec writes their schemas.


class _TaskPathSchema(Schema):
    task_id = fields.String(
        required=True,
        validate=task_id_validator,
        metadata={"description": "1 to 36 characters of A-Z, a-z, 0-9, `_` and `-`."},
    )


class _TokenQuerySchema(Schema):
    nocatalog = fields.String(
        metadata={"description": "Any non-empty value: the answer's `catalog` is `[]`."}
    )


class _SubjectTokenHeaderSchema(Schema):
    x_subject_token = fields.String(
        required=True,
        data_key="X-Subject-Token",
        validate=validate.Length(1, 16384),
        metadata={"description": "The token to check."},
    )


def _path_param(name: str, field: fields.Field | None = None) -> dict[str, Any]:
    """A parameter in the path, named as the SDK names it: a resource id of SMS's pattern,
    unless `field` says otherwise (IAM's ids)."""
    given = field if field is not None else _IdPathSchema().fields["id"]
    schema = Schema.from_dict({name: given}, name=f"_{name.title().replace('_', '')}PathSchema")
    return {"in": "path", "schema": schema}


def _iam_id(description: str) -> fields.String:
    return fields.String(required=True, metadata={"description": description})


_PROJECT_ID = _path_param("project_id", _iam_id("A project's id."))
_USER_ID = _path_param("user_id", _iam_id("A user's id."))
_ENDPOINT_ID = _path_param("endpoint_id", _iam_id("An endpoint's id."))
_SERVICE_ID = _path_param("service_id", _iam_id("A service's id."))
_REGION_ID = _path_param("region_id", _iam_id("A region, e.g. cn-north-4."))


def _version() -> str:
    try:
        return metadata.version("sms-mock")
    except metadata.PackageNotFoundError:  # a source tree that is not installed
        return "0.0.0"


def _response(description: str, schema: Any = None, *headers: str) -> dict[str, Any]:
    """A response: its JSON body schema (None: no body) and headers besides X-Request-Id."""
    response: dict[str, Any] = {
        "description": description,
        "headers": {name: name for name in ("X-Request-Id", *headers)},
    }
    if schema is not None:
        response["content"] = {JSON: {"schema": schema}}
    return response


def _without_bodies(responses: dict[int, dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """The same responses for HEAD: statuses and headers, never a body."""
    return {
        status: {key: value for key, value in response.items() if key != "content"}
        for status, response in responses.items()
    }


def _json_body(
    schema: type[Schema], description: str, *, required: bool = True, limit: int = 10_240
) -> dict[str, Any]:
    """A JSON request body. Its size limit is in words: JSON Schema has no keyword for the
    size of a whole document (`x-max-body-bytes` says it to a machine)."""
    return {
        "required": required,
        "description": f"{description} At most {limit:,} bytes.",
        "x-max-body-bytes": limit,
        "content": {JSON: {"schema": schema}},
    }


# Error answers shared by several operations (README, "Errors").
_GATEWAY_401 = _response(
    "APIGW.0301: no token, an unknown or malformed token, or an expired one; a bad, stale or "
    "unknown-AK signature, a project outside the AK's account, or a locked AK.",
    ApigwErrorSchema,
)
_GATEWAY_403 = _response(
    "APIGW.0302: a domain-scoped or unscoped token on an SMS call.", ApigwErrorSchema
)
_TOO_LARGE = _response("APIGW.0201: a request body over 1 MiB.", ApigwErrorSchema)
_BAD_BODY = (
    "SMS.6010 to 6016: a body that is not JSON, empty, incomplete, not to spec, over 10,240 "
    "bytes or without an application/json Content-Type, naming every wrong field"
)
_TASK_404 = _response("SMS.7703: no such task in the caller's project.", SmsErrorSchema)
_KEYSTONE_400 = _response("A malformed request, in Keystone's error body.", KeystoneErrorSchema)
_TASK_ID = {"in": "path", "schema": _TaskPathSchema}


def _sms_operations() -> dict[str, dict[str, dict[str, Any]]]:
    """The SMS v3 paths: operations by path and method."""
    common = {"tags": ["SMS"], "security": SIGNED_OR_TOKEN}
    return {
        "/v3/tasks": {
            "get": {
                **common,
                "operationId": "list_tasks",
                "summary": "List the project's tasks, newest first; `count` ignores paging.",
                "parameters": [{"in": "query", "schema": TaskListQuerySchema}],
                "responses": {
                    200: _response(
                        "The page of tasks and the count of every match.", TaskListSchema
                    ),
                    400: _response("SMS.9001: a query value out of range.", SmsErrorSchema),
                    401: _GATEWAY_401,
                    403: _GATEWAY_403,
                },
            },
            "post": {
                **common,
                "operationId": "create_task",
                "summary": "Create a task: READY, or RUNNING with `auto_start`.",
                "requestBody": _json_body(CreateTaskRequestSchema, "PostTask."),
                "responses": {
                    200: _response("The new task's id.", CreateTaskResponseSchema),
                    400: _response(
                        f"{_BAD_BODY}; SMS.7711: an invalid task name; SMS.7602 / 7101: the "
                        "source or template does not exist; SMS.6005: the source has a task; "
                        "SMS.7605: the target server is another task's.",
                        SmsErrorSchema,
                    ),
                    401: _GATEWAY_401,
                    403: _GATEWAY_403,
                    413: _TOO_LARGE,
                },
            },
        },
        "/v3/tasks/{task_id}": {
            "get": {
                **common,
                "operationId": "show_task",
                "parameters": [_TASK_ID],
                "summary": "A task, with every key of the SDK's ShowTaskResponse.",
                "responses": {
                    200: _response("The task; `null` where there is no value.", TaskSchema),
                    400: _response("SMS.9001: a malformed task id.", SmsErrorSchema),
                    401: _GATEWAY_401,
                    403: _GATEWAY_403,
                    404: _TASK_404,
                },
            },
            "delete": {
                **common,
                "operationId": "delete_task",
                "parameters": [_TASK_ID],
                "summary": "Delete a task at once.",
                "responses": {
                    200: _response("Deleted: `{}`.", EmptyResponseSchema),
                    400: _response(
                        "SMS.9001: a malformed task id; SMS.7719: the task is running.",
                        SmsErrorSchema,
                    ),
                    401: _GATEWAY_401,
                    403: _GATEWAY_403,
                    404: _TASK_404,
                },
            },
        },
        "/v3/tasks/{task_id}/action": {
            "post": {
                **common,
                "operationId": "update_task_status",
                "parameters": [_TASK_ID],
                "summary": "Start, stop, restart, cut over, test or clone a task.",
                "requestBody": _json_body(TaskActionRequestSchema, "UpdateTaskStatusReq."),
                "responses": {
                    200: _response("Accepted: `{}`.", EmptyResponseSchema),
                    400: _response(
                        f"{_BAD_BODY}; SMS.9001: a malformed task id; SMS.7713 / 7714 / 7718"
                        " / 7721 / 7722 / 9001: the operation is not allowed in the task's state.",
                        SmsErrorSchema,
                    ),
                    401: _GATEWAY_401,
                    403: _GATEWAY_403,
                    404: _TASK_404,
                    413: _TOO_LARGE,
                },
            },
        },
        "/v3/tasks/delete": {
            "post": {
                **common,
                "operationId": "delete_tasks",
                "summary": "Delete several tasks, all or nothing.",
                "requestBody": _json_body(DeleteTasksRequestSchema, "DeleteTasksReq."),
                "responses": {
                    200: _response("Deleted: `{}`.", EmptyResponseSchema),
                    400: _response(
                        f"{_BAD_BODY}; SMS.7719: one of the tasks is running.",
                        SmsErrorSchema,
                    ),
                    401: _GATEWAY_401,
                    403: _GATEWAY_403,
                    404: _response("SMS.7703: one of the tasks does not exist.", SmsErrorSchema),
                    413: _TOO_LARGE,
                },
            },
        },
    }


class _IdPathSchema(Schema):
    id = fields.String(
        required=True,
        validate=validate.Regexp(r"^[A-Za-z0-9_-]{1,64}$"),
        metadata={"description": "1 to 64 characters of A-Z, a-z, 0-9, `_` and `-`."},
    )


@dataclass(frozen=True)
class _Op:
    """One resource operation: enough to write its OpenAPI entry."""

    path: str
    method: str
    operation_id: str
    summary: str
    answer: Any  # the 200 body's schema
    body: Any = None  # the request body's schema, None for none
    query: Any = None
    path_id: str | None = None  # the path parameter's name
    not_found: str | None = None  # the 404's description
    bad_request: str = f"{_BAD_BODY}; SMS.9001: a bad query value."
    optional_body: bool = False  # the SDK sends none; `{}` is accepted too
    task_path: bool = False  # the path's id is a task id (1 to 36 characters)


_EMPTY = EmptyResponseSchema
_SOURCE_404 = "SMS.7602: no such source server in the caller's project."
_TEMPLATE_404 = "SMS.7101: no such template in the caller's project."
_MIGPROJECT_404 = "SMS.7301: no such migration project in the caller's project."
_TASK_404_TEXT = "SMS.7703: no such task in the caller's project."
_RESOURCE_OPERATIONS = (
    _Op("/v3/sources", "post", "register_server", "Register a source server (the agent's "
        "call); the same agent again updates it.", IdResponseSchema, RegisterSourceRequestSchema),
    _Op("/v3/sources", "get", "list_servers", "List the project's source servers, newest "
        "first; `count` ignores paging.", SourceListSchema, query=SourceListQuerySchema),
    _Op("/v3/sources/overview", "get", "show_overview", "How many sources are in each state.",
        SourceOverviewSchema),
    _Op("/v3/errors", "get", "list_error_servers", "The sources whose task failed.",
        ErrorListSchema, query=ErrorListQuerySchema),
    _Op("/v3/sources/{source_id}", "get", "show_server", "A source server, with its current "
        "task and the suggested target disks.", SourceSchema, path_id="source_id",
        not_found=_SOURCE_404),
    _Op("/v3/sources/{source_id}", "put", "update_server_name", "Rename a source, move it to "
        "another migration project, or adjust its disks.", _EMPTY, UpdateSourceRequestSchema,
        path_id="source_id", not_found=_SOURCE_404),
    _Op("/v3/sources/{source_id}", "delete", "delete_server", "Delete a source and its idle "
        "task.", _EMPTY, path_id="source_id", not_found=_SOURCE_404,
        bad_request="SMS.7601: its task is running."),
    _Op("/v3/sources/{source_id}/changestate", "put", "update_copy_state", "Set a source's "
        "state and migration cycle.", _EMPTY, SourceStateRequestSchema, path_id="source_id",
        not_found=_SOURCE_404),
    _Op("/v3/sources/{source_id}/diskinfo", "put", "update_disk_info", "Replace a source's "
        "disks, volume groups and btrfs.", _EMPTY, DiskInfoRequestSchema, path_id="source_id",
        not_found=_SOURCE_404),
    _Op("/v3/sources/delete", "post", "delete_servers", "Delete several sources, all or "
        "nothing.", _EMPTY, DeleteIdsRequestSchema, not_found=_SOURCE_404,
        bad_request=f"{_BAD_BODY}; SMS.7601: a source's task is running."),
    _Op("/v3/vm/templates", "post", "create_template", "Create a server template.",
        IdResponseSchema, CreateTemplateRequestSchema,
        bad_request=f"{_BAD_BODY}; SMS.7112: the name is another template's."),
    _Op("/v3/vm/templates", "get", "list_templates", "List the project's templates.",
        TemplateListSchema, query=TemplateListQuerySchema),
    _Op("/v3/vm/templates/{id}", "get", "show_template", "A template.", TemplateShowSchema,
        path_id="id", not_found=_TEMPLATE_404),
    _Op("/v3/vm/templates/{id}", "put", "update_template", "Change a template's fields.",
        _EMPTY, UpdateTemplateRequestSchema, path_id="id", not_found=_TEMPLATE_404,
        bad_request=f"{_BAD_BODY}; SMS.7112: the name is another template's."),
    _Op("/v3/vm/templates/{id}", "delete", "delete_template", "Delete a template.", _EMPTY,
        path_id="id", not_found=_TEMPLATE_404,
        bad_request="SMS.7111: a task was made from it."),
    _Op("/v3/vm/templates/delete", "post", "delete_templates", "Delete several templates, all "
        "or nothing.", _EMPTY, DeleteIdsRequestSchema, not_found=_TEMPLATE_404,
        bad_request=f"{_BAD_BODY}; SMS.7111: a task was made from one of them."),
    _Op("/v3/vm/templates/{id}/target-password", "get", "show_target_password", "The target "
        "server's password a template keeps.", TargetPasswordSchema, path_id="id",
        not_found=_TEMPLATE_404),
    _Op("/v3/migprojects", "post", "create_migproject", "Create a migration project.",
        IdResponseSchema, CreateMigprojectRequestSchema,
        bad_request=f"{_BAD_BODY}; SMS.7312: the name is another migration project's."),
    _Op("/v3/migprojects", "get", "list_migprojects", "List the project's migration projects.",
        MigprojectListSchema, query=MigprojectListQuerySchema),
    _Op("/v3/migprojects/{mig_project_id}", "get", "show_migproject", "A migration project "
        "(the answer has no id).", MigprojectShowSchema, path_id="mig_project_id",
        not_found=_MIGPROJECT_404),
    _Op("/v3/migprojects/{mig_project_id}", "put", "update_migproject", "Change a migration "
        "project's fields.", _EMPTY, UpdateMigprojectRequestSchema, path_id="mig_project_id",
        not_found=_MIGPROJECT_404,
        bad_request=f"{_BAD_BODY}; SMS.7312: the name is another migration project's."),
    _Op("/v3/migprojects/{mig_project_id}", "delete", "delete_migproject", "Delete a "
        "migration project.", _EMPTY, path_id="mig_project_id", not_found=_MIGPROJECT_404,
        bad_request="SMS.7303: it is the default; SMS.7311: it still holds sources."),
    _Op("/v3/migprojects/{mig_project_id}/default", "put", "update_default_migproject", "Make "
        "a migration project the project's default (the only one).", _EMPTY,
        path_id="mig_project_id", not_found=_MIGPROJECT_404, optional_body=True),
    _Op("/v3/tasks/{task_id}", "put", "update_task", "Change a task's name, priority, speed "
        "limit and the other fields of PutTaskReq.", _EMPTY, UpdateTaskRequestSchema,
        path_id="task_id", task_path=True, not_found=_TASK_404_TEXT,
        bad_request=f"{_BAD_BODY}; SMS.7711: an invalid task name; SMS.7706: the type of a task "
        "that left READY; SMS.7605: the target server is another task's."),
    _Op("/v3/tasks/{task_id}/speed-limit", "get", "shows_speed_limits", "The task's "
        "speed-limit windows.", SpeedLimitsSchema, path_id="task_id", task_path=True,
        not_found=_TASK_404_TEXT),
    _Op("/v3/tasks/{task_id}/speed-limit", "post", "update_speed", "Replace the task's "
        "speed-limit windows (HH:MM, UTC, start inclusive, end exclusive).", _EMPTY,
        UpdateSpeedRequestSchema, path_id="task_id", task_path=True, not_found=_TASK_404_TEXT),
    _Op("/v3/tasks/{task_id}/configuration-setting", "get", "show_config_setting", "The "
        "task's configuration settings, all or by key.", ConfigSettingSchema,
        query=ConfigSettingQuerySchema, path_id="task_id", task_path=True,
        not_found=_TASK_404_TEXT),
    _Op("/v3/tasks/{task_id}/configuration-setting", "post",
        "upload_special_configuration_setting", "Set configuration settings by key.", _EMPTY,
        ConfigurationRequestSchema, path_id="task_id", task_path=True,
        not_found=_TASK_404_TEXT),
    _Op("/v3/tasks/{task_id}/passphrase", "get", "show_passphrase", "The task's passphrase.",
        PassphraseSchema, path_id="task_id", task_path=True, not_found=_TASK_404_TEXT),
    _Op("/v3/tasks/{task_id}/log", "post", "collect_log", "Ask the agent for the task's logs "
        "(any state); log_collect_status then moves on the clock.", _EMPTY,
        CollectLogRequestSchema, path_id="task_id", task_path=True, not_found=_TASK_404_TEXT,
        optional_body=True),
    _Op("/v3/tasks/{task_id}/certkey", "get", "show_cert_key", "The agent's certificates and "
        "keys for the task.", CertKeySchema, query=CertKeyQuerySchema, path_id="task_id",
        task_path=True, not_found=_TASK_404_TEXT),
    _Op("/v3/tasks/{task_id}/consistency-result", "post", "update_consistency_result", "Record "
        "a consistency check's result.", _EMPTY, ConsistencyResultRequestSchema,
        path_id="task_id", task_path=True, not_found=_TASK_404_TEXT),
    _Op("/v3/tasks/{task_id}/consistency-result", "get", "show_consistency_result", "The "
        "task's consistency checks.", ConsistencyResultsSchema, path_id="task_id",
        task_path=True, not_found=_TASK_404_TEXT),
    _Op("/v3/tasks/consistency-results/export", "post", "export_consistency_results", "The "
        "consistency checks of several tasks, as a CSV file.", None,
        ExportConsistencyRequestSchema, not_found=_TASK_404_TEXT),
    _Op("/v3/{task_id}/update-network-check-info", "post", "update_network_check_info",
        "Record the agent's network check (the path has no `tasks/`, as in the SDK).",
        TaskIdSchema, NetworkCheckInfoRequestSchema, path_id="task_id", task_path=True,
        not_found=_TASK_404_TEXT),
    _Op("/v3/sources/{server_id}/command", "get", "show_command", "What the source's agent "
        "should do next, from its task's state.", CommandSchema, path_id="server_id",
        not_found="SMS.7602: no such source; SMS.7606: the source has no task."),
    _Op("/v3/sources/{server_id}/command_result", "post", "update_command_result", "The "
        "agent's answer to a command.", _EMPTY, CommandResultRequestSchema, path_id="server_id",
        not_found=_SOURCE_404),
    _Op("/v3/tasks/{task_id}/progress", "put", "update_task_speed", "The agent's progress "
        "report: recorded; a task on the clock is not moved by it.", _EMPTY,
        ProgressReportRequestSchema, path_id="task_id", task_path=True,
        not_found=_TASK_404_TEXT),
    _Op("/v3/config", "get", "show_config", "The agent's configuration.", ConfigSchema),
    _Op("/v3/privacy-agreements", "get", "show_privacy_agreements", "Whether the project "
        "agreed to the privacy statement.", PrivacyAgreementSchema),
    _Op("/v3/privacy-agreements", "post", "create_privacy_agreements", "Agree to the privacy "
        "statement.", _EMPTY, optional_body=True),
)  # fmt: skip


def _resource_operations() -> dict[str, dict[str, dict[str, Any]]]:
    """The source, template, migration-project and service paths, from the table above."""
    paths: dict[str, dict[str, dict[str, Any]]] = {}
    for op in _RESOURCE_OPERATIONS:
        writes = op.method in ("post", "put")
        responses: dict[int, dict[str, Any]] = {
            200: _response("The answer.", op.answer)
            if op.answer is not None
            else {
                "description": "The answer, a file.",
                "headers": {"X-Request-Id": "X-Request-Id"},
                "content": {"text/csv": {"schema": {"type": "string"}}},
            },
            401: _GATEWAY_401,
            403: _GATEWAY_403,
        }
        if op.body is not None or op.query is not None or op.path_id or op.optional_body:
            detail = op.bad_request
            if op.path_id:
                detail += " SMS.9001: a malformed id."
            responses[400] = _response(detail, SmsErrorSchema)
        if op.not_found:
            responses[404] = _response(op.not_found, SmsErrorSchema)
        if writes:
            responses[413] = _TOO_LARGE
        operation: dict[str, Any] = {
            "tags": ["SMS"],
            "security": SIGNED_OR_TOKEN,
            "operationId": op.operation_id,
            "summary": op.summary,
            "responses": responses,
        }
        parameters = []
        if op.task_path:
            parameters.append(_TASK_ID)
        elif op.path_id:
            parameters.append(_path_param(op.path_id))
        if op.query is not None:
            parameters.append({"in": "query", "schema": op.query})
        if parameters:
            operation["parameters"] = parameters
        if op.body is not None:
            operation["requestBody"] = _json_body(
                op.body, f"{op.body.__name__}.", required=not op.optional_body
            )
        paths.setdefault(op.path, {})[op.method] = operation
    return paths


def _history_operations() -> dict[str, dict[str, dict[str, Any]]]:
    """The history APIs the reference still documents, as the SDK 3.1.196 calls them."""
    common = {"tags": [HISTORY_TAG], "security": SIGNED_OR_TOKEN}
    return {
        "/v3/tasks/{task_id}/unlock": {
            "post": {
                **common,
                "operationId": "unlock_target_ecs",
                "parameters": [_TASK_ID],
                "summary": "Unlock the task's target server (the emulator never locks one).",
                "responses": {
                    200: _response("Unlocked: `{}`.", UnlockTargetEcsResponseSchema),
                    400: _response(
                        f"SMS.9001: a malformed task id, or a body other than none or `{{}}`; "
                        f"{_BAD_BODY}.",
                        SmsErrorSchema,
                    ),
                    401: _GATEWAY_401,
                    403: _GATEWAY_403,
                    404: _TASK_404,
                    413: _TOO_LARGE,
                },
            },
        },
        "/v3/tasks/{t_project_id}/networkacl/{t_network_id}/check": {
            "get": {
                **common,
                "operationId": "check_net_acl",
                "parameters": [
                    _path_param("t_project_id"),
                    _path_param("t_network_id"),
                    {"in": "query", "schema": CheckNetAclQuerySchema},
                ],
                "summary": "Whether the target subnet's ACL lets the migration through: it "
                "always does on the emulator.",
                "responses": {
                    200: _response("The check passed: `{}`.", CheckNetAclResponseSchema),
                    400: _response(
                        "SMS.9001: a malformed project or subnet id, or `region_id` / `os_type` "
                        "missing or over 255 characters, naming it.",
                        SmsErrorSchema,
                    ),
                    401: _GATEWAY_401,
                    403: _GATEWAY_403,
                },
            },
        },
        "/v3/sha256/{key}": {
            "get": {
                **common,
                "operationId": "show_sha256",
                "parameters": [_path_param("key", ShowSha256PathSchema().fields["key"])],
                "summary": "The lowercase hex SHA-256 of the key's UTF-8 text.",
                "responses": {
                    200: _response("The hash.", ShowSha256ResponseSchema),
                    400: _response("SMS.9001: a key over 16,384 characters.", SmsErrorSchema),
                    401: _GATEWAY_401,
                    403: _GATEWAY_403,
                },
            },
        },
    }


def _iam_operations() -> dict[str, dict[str, dict[str, Any]]]:
    """The IAM (Keystone v3) paths: operations by path and method."""
    token_query = {"in": "query", "schema": _TokenQuerySchema}
    validate_responses: dict[int, dict[str, Any]] = {
        200: _response("The token is valid.", TokenResponseSchema, "X-Subject-Token"),
        400: _response("No `X-Subject-Token`.", KeystoneErrorSchema),
        401: _response(
            "No caller credential, or the caller's `X-Auth-Token` is not valid (checked first).",
            KeystoneErrorSchema,
        ),
        403: _response(
            "The subject token is another user's, and the caller is no administrator of its "
            "account (another account's never validates it).",
            KeystoneErrorSchema,
        ),
        404: _response("The subject token is unknown or expired.", KeystoneErrorSchema),
    }
    validate_common = {
        "tags": ["IAM"],
        "parameters": [token_query, {"in": "header", "schema": _SubjectTokenHeaderSchema}],
        # IAM asks who validates: the caller's token (the subject token itself will do) or
        # an SDK signature, as the SDK sends its keystone_validate_token.
        "security": SIGNED_OR_TOKEN,
    }
    listing = {"tags": ["IAM"], "security": SIGNED_OR_TOKEN}
    return {
        "/v3/auth/tokens": {
            "post": {
                "tags": ["IAM"],
                "operationId": "keystone_create_user_token_by_password",
                "summary": "Issue a token (password or token method); it is in `X-Subject-Token`.",
                "parameters": [token_query],
                "security": [{}],
                "requestBody": _json_body(
                    TokenRequestSchema, "Keystone's `auth` object.", limit=1_048_576
                ),
                "responses": {
                    201: _response("The token issued.", TokenResponseSchema, "X-Subject-Token"),
                    400: _KEYSTONE_400,
                    401: _response(
                        "Wrong credentials, a locked user, an unknown scope or token.",
                        KeystoneErrorSchema,
                    ),
                    413: _TOO_LARGE,
                },
            },
            "get": {
                **validate_common,
                "operationId": "keystone_validate_token",
                "summary": "Validate a token and answer its body: one's own, or as an "
                "administrator a token of one's account's users.",
                "responses": validate_responses,
            },
            "head": {
                **validate_common,
                "operationId": "keystone_check_token",
                "summary": "Check a token: the statuses of GET, without a body.",
                "responses": _without_bodies(validate_responses),
            },
        },
        "/v3/projects": {
            "get": {
                **listing,
                "operationId": "keystone_list_projects",
                "summary": "The caller's projects (the SDK looks a region's project id up here).",
                "parameters": [{"in": "query", "schema": ProjectListQuerySchema}],
                "responses": {
                    200: _response("The matching projects.", ProjectListSchema),
                    400: _KEYSTONE_400,
                    401: _GATEWAY_401,
                },
            },
        },
        "/v3/auth/projects": {
            "get": {
                **listing,
                "operationId": "keystone_list_auth_projects",
                "summary": "The projects the caller's token can be scoped to.",
                "responses": {
                    200: _response("The caller's projects.", ProjectListSchema),
                    401: _GATEWAY_401,
                },
            },
        },
        "/v3/auth/domains": {
            "get": {
                **listing,
                "operationId": "keystone_list_auth_domains",
                "summary": "The caller's domain (the SDK looks the domain id up here).",
                "responses": {
                    200: _response("The caller's domain.", DomainListSchema),
                    401: _GATEWAY_401,
                },
            },
        },
        **_iam_directory_operations(listing),
        "/v3.0/OS-CREDENTIAL/securitytokens": {
            "post": {
                "tags": ["IAM"],
                "operationId": "create_temporary_access_key_by_token",
                "summary": "Temporary AK/SK and security token for the caller, for "
                "`duration_seconds` (900 to 86400, default 900) on the emulator's clock, never "
                "beyond the credential asked with. The caller is its signature, its "
                "`X-Auth-Token` or the token id in the body.",
                "security": [*SIGNED_OR_TOKEN, {}],
                "requestBody": _json_body(
                    CredentialRequestSchema, "The `token` method.", limit=1_048_576
                ),
                "responses": {
                    201: _response("The credential.", CredentialResponseSchema),
                    400: _response(
                        "IAM.0007: a malformed body, or the `assume_role` method (not served).",
                        IamErrorSchema,
                    ),
                    401: _response(
                        "IAM.0067: the body's token is not valid; APIGW.0301: the caller's "
                        "signature or X-Auth-Token is not.",
                        {"oneOf": [IamErrorSchema, ApigwErrorSchema]},
                    ),
                    413: _TOO_LARGE,
                },
            },
        },
    }


def _iam_directory_operations(listing: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """Projects by id and by user, and the service directory: catalog, endpoints, services,
    regions."""
    not_found = _response("No such item (or one of another account).", KeystoneErrorSchema)

    def get(operation_id: str, summary: str, body: Any, **extra: Any) -> dict[str, Any]:
        responses: dict[int, dict[str, Any]] = {200: _response(summary, body), 401: _GATEWAY_401}
        responses.update(extra.pop("responses", {}))
        return {
            "get": {
                **listing,
                "operationId": operation_id,
                "summary": summary,
                **extra,
                "responses": responses,
            }
        }

    return {
        "/v3/projects/{project_id}": get(
            "keystone_show_project",
            "A project of the caller's account.",
            ProjectShowSchema,
            parameters=[_PROJECT_ID],
            responses={404: not_found},
        ),
        "/v3/users/{user_id}/projects": get(
            "keystone_list_projects_for_user",
            "A user's projects: one's own, or any user's of the account for an administrator.",
            ProjectListSchema,
            parameters=[_USER_ID],
            responses={
                403: _response(
                    "Another user's, and the caller is no administrator.", KeystoneErrorSchema
                ),
                404: not_found,
            },
        ),
        "/v3/users": get(
            "keystone_list_users",
            "The users of the caller's account, for an administrator of it; never another "
            "account's.",
            UserListSchema,
            parameters=[{"in": "query", "schema": UserListQuerySchema}],
            responses={
                400: _KEYSTONE_400,
                403: _response("The caller is no administrator.", KeystoneErrorSchema),
            },
        ),
        "/v3/auth/catalog": get(
            "keystone_show_catalog",
            "The caller's catalog: `iam`, and `sms` in its project's region.",
            CatalogSchema,
        ),
        "/v3/endpoints": get(
            "keystone_list_endpoints",
            "Every endpoint.",
            EndpointListSchema,
            parameters=[{"in": "query", "schema": EndpointListQuerySchema}],
            responses={400: _KEYSTONE_400},
        ),
        "/v3/endpoints/{endpoint_id}": get(
            "keystone_show_endpoint",
            "One endpoint.",
            EndpointShowSchema,
            parameters=[_ENDPOINT_ID],
            responses={404: not_found},
        ),
        "/v3/services": get(
            "keystone_list_services",
            "Every service.",
            ServiceListSchema,
            parameters=[{"in": "query", "schema": ServiceListQuerySchema}],
            responses={400: _KEYSTONE_400},
        ),
        "/v3/services/{service_id}": get(
            "keystone_show_service",
            "One service.",
            ServiceShowSchema,
            parameters=[_SERVICE_ID],
            responses={404: not_found},
        ),
        "/v3/regions": get("keystone_list_regions", "Every region.", RegionListSchema),
        "/v3/regions/{region_id}": get(
            "keystone_show_region",
            "One region.",
            RegionShowSchema,
            parameters=[_REGION_ID],
            responses={404: not_found},
        ),
    }


def operation_table() -> dict[str, dict[str, dict[str, Any]]]:
    """Every operation, by path then method, as written above: its parameters, request body
    and answers name their marshmallow schemas (classes), before apispec turns them into
    components. The document is built from it, and so is the contract checker
    (`contracts/conformance.py`): one table for both."""
    every: dict[str, dict[str, dict[str, Any]]] = {}
    groups = (_iam_operations(), _sms_operations(), _resource_operations(), _history_operations())
    for group in groups:
        for path, operations in group.items():
            every.setdefault(path, {}).update(operations)
    return every


def _build() -> dict[str, Any]:
    spec = APISpec(
        title="Huawei Cloud SMS v3 and IAM (sms-mock)",
        version=_version(),
        openapi_version=OPENAPI_VERSION,
        plugins=[_Plugin()],
        info={
            "description": "The Huawei-facing API of the sms-mock emulator: Server Migration "
            "Service v3 tasks and the IAM token service in front of it."
        },
        tags=[
            {
                "name": "IAM",
                "description": "Keystone v3 tokens, projects, domains and the service "
                "directory; temporary credentials.",
            },
            {"name": "SMS", "description": "Server Migration Service v3 tasks."},
            {
                "name": HISTORY_TAG,
                "description": "The SMS calls the API reference keeps as history APIs, which "
                "SDKs after 3.1.196 no longer have.",
            },
        ],
    )
    spec.components.schema(JSON_VALUE, _JSON_VALUE)
    spec.components.header(
        "X-Request-Id",
        {
            "description": "The request's id; the SDK reports it with every error.",
            "required": True,
            "schema": {"type": "string"},
        },
    )
    spec.components.header(
        "X-Subject-Token",
        {"description": "The token itself.", "required": True, "schema": {"type": "string"}},
    )
    spec.components.security_scheme(
        TOKEN_SCHEME,
        {
            "type": "apiKey",
            "in": "header",
            "name": "X-Auth-Token",
            "description": "A token from POST /v3/auth/tokens (its `X-Subject-Token`); SMS "
            "calls need a project-scoped one.",
        },
    )
    spec.components.security_scheme(
        AKSK_SCHEME,
        {"type": "apiKey", "in": "header", "name": "Authorization", "description": HMAC_RECIPE},
    )
    for path, operations in operation_table().items():
        # apispec resolves parameters and responses in place, and its one deepcopy per path
        # keeps pieces that operations share shared: copy each operation on its own.
        spec.path(path=path, operations={m: copy.deepcopy(o) for m, o in operations.items()})
    return spec.to_dict()


def openapi_document(server_url: str | None = None) -> dict[str, Any]:
    """The OpenAPI document; `servers` names `server_url` when one is given."""
    document = _build()
    if server_url is not None:
        document["servers"] = [{"url": server_url}]
    return document
