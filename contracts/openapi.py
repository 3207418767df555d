"""The OpenAPI 3.0.3 document of the Huawei-facing API, generated from the marshmallow contracts.

apispec's MarshmallowPlugin turns every body schema into a component; this module only says
which path answers which status with which body. The control plane (`/_mock`) is not in it: it
is the emulator's own, not Huawei's.
"""

from __future__ import annotations

import copy
from importlib import metadata
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.openapi import OpenAPIConverter
from marshmallow import Schema, fields, validate

from sms_mock.contracts.base import task_id_validator
from sms_mock.contracts.errors import ApigwErrorSchema, KeystoneErrorSchema, SmsErrorSchema
from sms_mock.contracts.iam import (
    DomainListSchema,
    ProjectListQuerySchema,
    ProjectListSchema,
    TokenRequestSchema,
    TokenResponseSchema,
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

OPENAPI_VERSION = "3.0.3"
JSON = "application/json"
TOKEN_SCHEME = "X-Auth-Token"
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


class _NullableRefConverter(OpenAPIConverter):
    """Nullable nested schemas as `allOf: [$ref]` with `nullable: true`.

    apispec's OpenAPI 3.0 form, `anyOf: [{type: object, nullable: true}, {$ref}]`, lets any
    object through its first branch, so a response checker would never look inside it.
    """

    def field2nullable(self, field: fields.Field, ret: dict) -> dict:
        if field.allow_none and ("$ref" in ret or "allOf" in ret):
            refs = ret.pop("allOf", None) or [{"$ref": ret.pop("$ref")}]
            return {"allOf": refs, "nullable": True}
        return super().field2nullable(field, ret)


class _Plugin(MarshmallowPlugin):
    Converter = _NullableRefConverter


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


def _json_body(schema: type[Schema], description: str) -> dict[str, Any]:
    return {"required": True, "description": description, "content": {JSON: {"schema": schema}}}


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
# A POST's 401 is the gateway's APIGW.0301, or one of the service's own codes that Huawei
# documents as 401: SMS.2004 (body over 10,240 bytes), SMS.2005 (no Content-Type), SMS.2006
# (not application/json).
_SMS_POST_401 = _response(
    "APIGW.0301 (authentication), or SMS.2004 / SMS.2005 / SMS.2006 (body size, Content-Type).",
    {"oneOf": [SmsErrorSchema, ApigwErrorSchema]},
)
_TASK_404 = _response("SMS.9001: no such task in the caller's project.", SmsErrorSchema)
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
                    400: _response("SMS.9002: a query value out of range.", SmsErrorSchema),
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
                    400: _response("SMS.9002: a bad body, naming the field.", SmsErrorSchema),
                    401: _SMS_POST_401,
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
                    400: _response("SMS.9004: a malformed task id.", SmsErrorSchema),
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
                        "SMS.9004: a malformed task id; SMS.2015: the task is running.",
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
                        "SMS.9002: a bad body; SMS.9004: a malformed task id; SMS.1038 / 1039 /"
                        " 1040 / 9003: the operation is not allowed in the task's state.",
                        SmsErrorSchema,
                    ),
                    401: _SMS_POST_401,
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
                        "SMS.9002: a bad body; SMS.2015: one of the tasks is running.",
                        SmsErrorSchema,
                    ),
                    401: _SMS_POST_401,
                    403: _GATEWAY_403,
                    404: _response("SMS.9001: one of the tasks does not exist.", SmsErrorSchema),
                    413: _TOO_LARGE,
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
        401: _response("The caller's `X-Auth-Token` is not valid.", KeystoneErrorSchema),
        404: _response("The subject token is unknown or expired.", KeystoneErrorSchema),
    }
    validate_common = {
        "tags": ["IAM"],
        "parameters": [token_query, {"in": "header", "schema": _SubjectTokenHeaderSchema}],
        # Checking one's own token needs no caller token; one given must be valid.
        "security": [{}, {TOKEN_SCHEME: []}],
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
                "requestBody": _json_body(TokenRequestSchema, "Keystone's `auth` object."),
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
                "summary": "Validate a token and answer its body.",
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
    }


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
            {"name": "IAM", "description": "Keystone v3 tokens, projects and domains."},
            {"name": "SMS", "description": "Server Migration Service v3 tasks."},
        ],
    )
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
    for path, operations in {**_iam_operations(), **_sms_operations()}.items():
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
