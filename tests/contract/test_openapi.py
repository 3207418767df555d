"""The OpenAPI document: valid, complete against the app's routes, and generated from contracts."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from marshmallow import RAISE, Schema
from openapi_spec_validator import validate

from sms_mock.contracts import errors, iam, sms
from sms_mock.contracts.base import TASK_ID_PATTERN
from sms_mock.contracts.enums import Operation, values
from sms_mock.contracts.openapi import AKSK_SCHEME, TOKEN_SCHEME, openapi_document
from sms_mock.mock_server import Config, create_app
from sms_mock.mock_server.control.openapi import EXTENSION_KEY

DOCUMENT = openapi_document()
SCHEMAS = DOCUMENT["components"]["schemas"]
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

OPERATIONS = [
    (path, method, operation)
    for path, item in DOCUMENT["paths"].items()
    for method, operation in item.items()
    if method in METHODS
]
OPERATION_IDS = [operation["operationId"] for _, _, operation in OPERATIONS]
BY_ID = {operation["operationId"]: operation for _, _, operation in OPERATIONS}
# Every documented answer: (operationId, status, response).
RESPONSES = [
    (operation["operationId"], status, response)
    for _, _, operation in OPERATIONS
    for status, response in operation["responses"].items()
]

# Every status each operation can answer, with its body's schema (None: no body): README's
# error table, route by route.
EXPECTED_RESPONSES: dict[str, dict[str, str | None]] = {
    "keystone_create_user_token_by_password": {
        "201": "TokenResponse",
        "400": "KeystoneError",
        "401": "KeystoneError",
        "413": "ApigwError",
    },
    "keystone_validate_token": {
        "200": "TokenResponse",
        "400": "KeystoneError",
        "401": "KeystoneError",
        "403": "KeystoneError",
        "404": "KeystoneError",
    },
    "keystone_check_token": {"200": None, "400": None, "401": None, "403": None, "404": None},
    "keystone_list_projects": {"200": "ProjectList", "400": "KeystoneError", "401": "ApigwError"},
    "keystone_list_auth_projects": {"200": "ProjectList", "401": "ApigwError"},
    "keystone_list_auth_domains": {"200": "DomainList", "401": "ApigwError"},
    "keystone_show_project": {"200": "ProjectShow", "401": "ApigwError", "404": "KeystoneError"},
    "keystone_list_projects_for_user": {
        "200": "ProjectList",
        "401": "ApigwError",
        "403": "KeystoneError",
        "404": "KeystoneError",
    },
    "keystone_list_users": {
        "200": "UserList",
        "400": "KeystoneError",
        "401": "ApigwError",
        "403": "KeystoneError",
    },
    "keystone_show_catalog": {"200": "Catalog", "401": "ApigwError"},
    "keystone_list_endpoints": {"200": "EndpointList", "400": "KeystoneError", "401": "ApigwError"},
    "keystone_show_endpoint": {"200": "EndpointShow", "401": "ApigwError", "404": "KeystoneError"},
    "keystone_list_services": {"200": "ServiceList", "400": "KeystoneError", "401": "ApigwError"},
    "keystone_show_service": {"200": "ServiceShow", "401": "ApigwError", "404": "KeystoneError"},
    "keystone_list_regions": {"200": "RegionList", "401": "ApigwError"},
    "keystone_show_region": {"200": "RegionShow", "401": "ApigwError", "404": "KeystoneError"},
    "create_temporary_access_key_by_token": {
        "201": "CredentialResponse",
        "400": "IamError",
        "401": "IamError|ApigwError",
        "413": "ApigwError",
    },
    "list_tasks": {"200": "TaskList", "400": "SmsError", "401": "ApigwError", "403": "ApigwError"},
    "create_task": {
        "200": "CreateTaskResponse",
        "400": "SmsError",
        "401": "ApigwError",
        "403": "ApigwError",
        "413": "ApigwError",
    },
    "show_task": {
        "200": "Task",
        "400": "SmsError",
        "401": "ApigwError",
        "403": "ApigwError",
        "404": "SmsError",
    },
    "delete_task": {
        "200": "EmptyResponse",
        "400": "SmsError",
        "401": "ApigwError",
        "403": "ApigwError",
        "404": "SmsError",
    },
    "update_task_status": {
        "200": "EmptyResponse",
        "400": "SmsError",
        # A body's faults (its size, its Content-Type) are the service's 400s (SMS.6014 to
        # 6016): an SMS write's 401 is the gateway's alone.
        "401": "ApigwError",
        "403": "ApigwError",
        "404": "SmsError",
        "413": "ApigwError",
    },
    "show_server": {
        "200": "Source",
        "400": "SmsError",
        "401": "ApigwError",
        "403": "ApigwError",
        "404": "SmsError",
    },
    "register_server": {
        "200": "IdResponse",
        "400": "SmsError",
        "401": "ApigwError",
        "403": "ApigwError",
        "413": "ApigwError",
    },
    "delete_migproject": {
        "200": "EmptyResponse",
        "400": "SmsError",
        "401": "ApigwError",
        "403": "ApigwError",
        "404": "SmsError",
    },
    "show_overview": {"200": "SourceOverview", "401": "ApigwError", "403": "ApigwError"},
    "delete_tasks": {
        "200": "EmptyResponse",
        "400": "SmsError",
        "401": "ApigwError",
        "403": "ApigwError",
        "404": "SmsError",
        "413": "ApigwError",
    },
}


def _ref_name(schema: dict[str, Any]) -> str:
    return schema["$ref"].removeprefix("#/components/schemas/")


def _body_schema_name(response: dict[str, Any]) -> str | None:
    """The component a response's JSON body refers to; alternatives joined by `|`."""
    if "content" not in response:
        return None
    schema = response["content"]["application/json"]["schema"]
    if "oneOf" in schema:
        return "|".join(_ref_name(s) for s in schema["oneOf"])
    return _ref_name(schema)


def _flask_path(rule: str) -> str:
    """`/v3/tasks/<task_id>` as OpenAPI writes it: `/v3/tasks/{task_id}`."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def test_document_is_valid_openapi_3_0() -> None:
    validate(DOCUMENT)
    assert DOCUMENT["openapi"] == "3.0.3"


def test_every_v3_route_of_the_app_is_documented_and_nothing_else(app: Flask) -> None:
    # Flask answers HEAD for every GET route by itself; only /v3/auth/tokens documents it.
    served = {
        (_flask_path(rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(("/v3/", "/v3.0/"))
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }
    documented = {(path, method) for path, method, _ in OPERATIONS if method != "head"}
    assert documented == served


def test_the_only_head_operation_is_token_check(app: Flask) -> None:
    heads = [(path, op["operationId"]) for path, method, op in OPERATIONS if method == "head"]
    assert heads == [("/v3/auth/tokens", "keystone_check_token")]
    adapter = app.url_map.bind("localhost")
    assert adapter.test("/v3/auth/tokens", method="HEAD")


def test_control_plane_is_not_documented() -> None:
    assert all(path.startswith(("/v3/", "/v3.0/")) for path in DOCUMENT["paths"])


def test_operation_ids_are_the_sdk_method_names() -> None:
    assert sorted(OPERATION_IDS) == sorted(
        [
            "show_task",
            "list_tasks",
            "create_task",
            "delete_task",
            "delete_tasks",
            "update_task_status",
            "keystone_create_user_token_by_password",
            "keystone_validate_token",
            "keystone_check_token",  # HEAD: in Keystone's documentation, not in the SDK
            "keystone_list_projects",
            "keystone_list_auth_projects",
            "keystone_list_auth_domains",
            *IAM_DIRECTORY_OPERATION_IDS,
            "create_temporary_access_key_by_token",
            *RESOURCE_OPERATION_IDS,
            *HISTORY_OPERATION_IDS,
        ]
    )


# IAM's projects by id and user, and its service directory.
IAM_DIRECTORY_OPERATION_IDS = [
    "keystone_show_project",
    "keystone_list_projects_for_user",
    "keystone_list_users",
    "keystone_show_catalog",
    "keystone_list_endpoints",
    "keystone_show_endpoint",
    "keystone_list_services",
    "keystone_show_service",
    "keystone_list_regions",
    "keystone_show_region",
]

# The SDK's source, template, migration-project and service operations the emulator serves.
RESOURCE_OPERATION_IDS = [
    "register_server",
    "list_servers",
    "show_server",
    "show_overview",
    "list_error_servers",
    "update_server_name",
    "update_copy_state",
    "update_disk_info",
    "delete_server",
    "delete_servers",
    "create_template",
    "list_templates",
    "show_template",
    "update_template",
    "delete_template",
    "delete_templates",
    "show_target_password",
    "create_migproject",
    "list_migprojects",
    "show_migproject",
    "update_migproject",
    "update_default_migproject",
    "delete_migproject",
    "update_task",
    "shows_speed_limits",
    "update_speed",
    "show_config_setting",
    "upload_special_configuration_setting",
    "show_passphrase",
    "collect_log",
    "show_cert_key",
    "update_consistency_result",
    "show_consistency_result",
    "export_consistency_results",
    "update_network_check_info",
    "show_command",
    "update_command_result",
    "update_task_speed",
    "show_config",
    "show_privacy_agreements",
    "create_privacy_agreements",
]


# The history APIs: SDK 3.1.196's methods, gone from the SDK installed here, so their paths are
# checked against that SDK by tests/sms/test_history_apis.py.
HISTORY_OPERATION_IDS = ["unlock_target_ecs", "check_net_acl", "show_sha256"]


def test_operation_ids_and_paths_are_the_sdks() -> None:
    from huaweicloudsdksms.v3 import SmsClient

    for path, method, operation in OPERATIONS:
        if operation["tags"] != ["SMS"]:
            continue
        info = getattr(SmsClient, f"_{operation['operationId']}_http_info")(_Request())
        assert (info["method"].lower(), info["resource_path"]) == (method, path)


class _Request:
    """Enough of an SDK request object for its `_http_info` to name the method and path."""

    attribute_map: dict[str, str] = {}


def test_every_operation_documents_every_status_it_answers_with_its_body() -> None:
    documented = {
        operation_id: {
            status: _body_schema_name(response)
            for status, response in BY_ID[operation_id]["responses"].items()
        }
        for operation_id in EXPECTED_RESPONSES
    }
    wrong = {
        operation_id: answers
        for operation_id, answers in documented.items()
        if answers != EXPECTED_RESPONSES[operation_id]
    }
    assert not wrong, f"operations documenting other statuses or bodies: {wrong}"


def test_every_response_has_a_json_schema_or_is_explicitly_empty() -> None:
    offenders = []
    for operation_id, status, response in RESPONSES:
        content = response.get("content")
        if (operation_id, status) == ("export_consistency_results", "200"):
            ok = content is not None and list(content) == ["text/csv"]  # the service answers a file
        elif content is not None:
            ok = list(content) == ["application/json"] and bool(
                content["application/json"]["schema"]
            )
        else:
            ok = operation_id == "keystone_check_token"  # only HEAD answers without a body
        if not ok:
            offenders.append(f"{operation_id} {status}")
    assert not offenders, f"responses neither JSON with a schema nor HEAD's empty one: {offenders}"


def test_every_response_declares_x_request_id() -> None:
    reference = {"$ref": "#/components/headers/X-Request-Id"}
    missing = [
        f"{operation_id} {status}"
        for operation_id, status, response in RESPONSES
        if response.get("headers", {}).get("X-Request-Id") != reference
    ]
    assert not missing, f"responses without X-Request-Id: {missing}"


def test_x_request_id_is_a_required_string() -> None:
    header = DOCUMENT["components"]["headers"]["X-Request-Id"]
    assert header["required"] is True
    assert header["schema"] == {"type": "string"}


def test_token_answers_declare_x_subject_token() -> None:
    reference = {"$ref": "#/components/headers/X-Subject-Token"}
    answers = [
        ("keystone_create_user_token_by_password", "201"),
        ("keystone_validate_token", "200"),
        ("keystone_check_token", "200"),
    ]
    missing = [
        f"{operation_id} {status}"
        for operation_id, status in answers
        if BY_ID[operation_id]["responses"][status].get("headers", {}).get("X-Subject-Token")
        != reference
    ]
    assert not missing, f"token answers without X-Subject-Token: {missing}"


def test_token_validation_requires_the_subject_token_header() -> None:
    # Each names exactly one header parameter: the token it validates, required.
    wrong = {
        operation_id: headers
        for operation_id in ("keystone_validate_token", "keystone_check_token")
        if (
            headers := [
                (p["name"], p["required"])
                for p in BY_ID[operation_id]["parameters"]
                if p["in"] == "header"
            ]
        )
        != [("X-Subject-Token", True)]
    }
    assert not wrong, f"token validations with other header parameters: {wrong}"


def test_security_schemes_are_the_token_and_the_sdk_signature() -> None:
    schemes = DOCUMENT["components"]["securitySchemes"]
    assert schemes[TOKEN_SCHEME] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-Auth-Token",
        "description": schemes[TOKEN_SCHEME]["description"],
    }
    assert schemes[AKSK_SCHEME]["type"] == "apiKey"
    assert schemes[AKSK_SCHEME]["in"] == "header"
    assert schemes[AKSK_SCHEME]["name"] == "Authorization"
    assert "StringToSign" in schemes[AKSK_SCHEME]["description"]


def test_every_task_operation_requires_a_token_or_a_signature() -> None:
    operations = [op["operationId"] for path, _, op in OPERATIONS if path.startswith("/v3/tasks")]
    assert "update_task_status" in operations  # the walk sees the task routes
    open_ = [
        operation_id
        for operation_id in operations
        if BY_ID[operation_id]["security"] != [{TOKEN_SCHEME: []}, {AKSK_SCHEME: []}]
    ]
    assert not open_, f"task operations not requiring a token or a signature: {open_}"


def test_token_issue_needs_no_authentication() -> None:
    assert BY_ID["keystone_create_user_token_by_password"]["security"] == [{}]


def test_token_validation_needs_the_callers_token_or_a_signature() -> None:
    # IAM asks for the caller's X-Auth-Token beside X-Subject-Token; the SDK signs instead.
    for operation_id in ("keystone_validate_token", "keystone_check_token"):
        assert BY_ID[operation_id]["security"] == [{TOKEN_SCHEME: []}, {AKSK_SCHEME: []}]


def test_request_bodies_are_required_json_of_their_schema() -> None:
    bodies = {
        "keystone_create_user_token_by_password": "TokenRequest",
        "create_task": "CreateTaskRequest",
        "update_task_status": "TaskActionRequest",
        "delete_tasks": "DeleteTasksRequest",
    }
    wrong = {}
    for operation_id, schema in bodies.items():
        body = BY_ID[operation_id].get("requestBody", {})
        declared = {key: body.get(key) for key in ("required", "content")}
        reference = {"$ref": f"#/components/schemas/{schema}"}
        if declared != {"required": True, "content": {"application/json": {"schema": reference}}}:
            wrong[operation_id] = declared
    assert not wrong, f"request bodies not required JSON of their schema: {wrong}"


def _strict_request_schemas() -> list[type[Schema]]:
    found = []
    for module in (sms, iam):
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Schema) and value().unknown == RAISE:
                found.append(value)
    return found


def test_every_strict_request_schema_forbids_unknown_keys() -> None:
    documented = [
        name
        for name in (s.__name__.removesuffix("Schema") for s in _strict_request_schemas())
        if name in SCHEMAS
    ]
    assert "TaskActionRequest" in documented  # the walk sees the request schemas
    lax = [name for name in documented if SCHEMAS[name].get("additionalProperties") is not False]
    assert not lax, f"strict request schemas documented as taking unknown keys: {lax}"


def test_response_schemas_allow_unknown_keys() -> None:
    # The real service adds keys the SDK models lack; a reader must tolerate them.
    names = ["Task", "TaskList", "TokenResponse", "SmsError", "ApigwError", "EmptyResponse"]
    strict = [name for name in names if SCHEMAS[name].get("additionalProperties") is not True]
    assert not strict, f"response schemas refusing unknown keys: {strict}"


def test_operation_enum_is_the_operation_enum() -> None:
    assert SCHEMAS["TaskActionRequest"]["properties"]["operation"]["enum"] == values(Operation)


def test_task_id_path_parameter_has_the_id_pattern() -> None:
    assert TASK_ID_PATTERN == "^[A-Za-z0-9_-]{1,36}$"
    expected = [
        {
            "name": "task_id",
            "in": "path",
            "required": True,
            "schema": {"type": "string", "pattern": TASK_ID_PATTERN},
        }
    ]
    wrong = {
        operation_id: parameters
        for operation_id in ("show_task", "delete_task", "update_task_status")
        if (
            parameters := [
                {key: p.get(key) for key in ("name", "in", "required", "schema")}
                for p in BY_ID[operation_id]["parameters"]
            ]
        )
        != expected
    }
    assert not wrong, f"task operations whose one parameter is not the task id: {wrong}"


def test_list_query_comes_from_the_query_schema() -> None:
    parameters = {p["name"]: p for p in BY_ID["list_tasks"]["parameters"]}
    assert set(parameters) == set(sms.TaskListQuerySchema().fields)
    assert all(p["in"] == "query" and p["required"] is False for p in parameters.values())
    assert parameters["limit"]["schema"] == {
        "type": "integer",
        "default": 100,
        "minimum": 0,
        "maximum": 200,
    }
    assert parameters["offset"]["schema"] == {
        "type": "integer",
        "default": 0,
        "minimum": 0,
        "maximum": 65535,
    }
    assert parameters["id"]["schema"]["pattern"] == TASK_ID_PATTERN


def test_token_operations_take_nocatalog() -> None:
    wrong = {
        operation_id: nocatalog
        for operation_id in (
            "keystone_create_user_token_by_password",
            "keystone_validate_token",
            "keystone_check_token",
        )
        if (
            nocatalog := [
                (p["in"], p["required"])
                for p in BY_ID[operation_id]["parameters"]
                if p["name"] == "nocatalog"
            ]
        )
        != [("query", False)]
    }
    assert not wrong, f"token operations without an optional nocatalog query: {wrong}"


def test_project_list_takes_a_name() -> None:
    parameters = {p["name"]: p for p in BY_ID["keystone_list_projects"]["parameters"]}
    assert parameters["name"]["in"] == "query"
    assert parameters["name"]["schema"]["type"] == "string"


def test_error_codes_are_patterns_so_the_one_of_picks_exactly_one() -> None:
    assert SCHEMAS["SmsError"]["properties"]["error_code"]["pattern"] == r"^SMS\.\d{4}$"
    assert SCHEMAS["ApigwError"]["properties"]["error_code"]["pattern"] == r"^APIGW\.\d{4}$"


def test_nullable_scalar_field_is_nullable() -> None:
    assert SCHEMAS["Task"]["properties"]["speed_limit"] == {
        "type": "integer",
        "minimum": 0,
        "maximum": 65535,
        "nullable": True,
    }


def test_nullable_nested_field_keeps_its_schema() -> None:
    # Not apispec's `anyOf: [{type: object, nullable: true}, ...]`, which lets any object pass.
    assert SCHEMAS["Task"]["properties"]["source_server"] == {
        "allOf": [{"$ref": "#/components/schemas/SourceServer"}],
        "nullable": True,
    }


def test_every_nullable_field_is_marked_nullable() -> None:
    for schema_cls in (sms.TaskSchema, sms.TaskBriefSchema, iam.TokenUserSchema):
        properties = SCHEMAS[schema_cls.__name__.removesuffix("Schema")]["properties"]
        for name, field in schema_cls().fields.items():
            key = field.data_key or name
            assert properties[key].get("nullable", False) is field.allow_none, key


def test_required_fields_are_required() -> None:
    assert set(SCHEMAS["KeystoneErrorDetail"]["required"]) == {
        name for name, f in errors.KeystoneErrorDetailSchema().fields.items() if f.required
    }


def test_server_url_is_named_when_given() -> None:
    assert "servers" not in DOCUMENT
    assert openapi_document("http://127.0.0.1:8080")["servers"] == [
        {"url": "http://127.0.0.1:8080"}
    ]


def test_served_document_names_the_callers_url() -> None:
    # A name the emulator answers to (`--allowed-host`); another is refused (MOCK.0421).
    client = create_app(Config(clock="manual", allowed_hosts=["sms.example"])).test_client()
    response = client.get("/openapi.json", base_url="http://sms.example:9000")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["X-Request-Id"]
    body = response.get_json()
    assert body["servers"] == [{"url": "http://sms.example:9000"}]
    assert {key: value for key, value in body.items() if key != "servers"} == DOCUMENT


def test_served_document_is_built_once_per_app(client: FlaskClient, app: Flask) -> None:
    client.get("/openapi.json")
    cached = app.extensions[EXTENSION_KEY]
    client.get("/openapi.json", base_url="http://127.0.0.2")
    assert app.extensions[EXTENSION_KEY] is cached
    assert "servers" not in cached


def test_served_document_needs_no_token(client: FlaskClient) -> None:
    assert client.get("/openapi.json", headers={"X-Auth-Token": "nonsense"}).status_code == 200
