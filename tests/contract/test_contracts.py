"""The contracts themselves: the seed example loads, requests are read strictly, enums complete."""

from __future__ import annotations

from typing import Any

import pytest
from marshmallow import Schema, ValidationError

from sms_mock.contracts import enums
from sms_mock.contracts.base import error_paths
from sms_mock.contracts.errors import ApigwErrorSchema, KeystoneErrorSchema, SmsErrorSchema
from sms_mock.contracts.iam import TokenRequestSchema, TokenSchema, TokenUserSchema
from sms_mock.contracts.shape import shape_of
from sms_mock.contracts.sms import (
    CloneServerSchema,
    CreateTaskRequestSchema,
    DeleteTasksRequestSchema,
    NetworkCheckInfoSchema,
    SourceServerSchema,
    SubTaskBriefSchema,
    SubTaskSchema,
    TargetServerSchema,
    TaskActionRequestSchema,
    TaskBriefSchema,
    TaskListSchema,
    TaskSchema,
)
from tests.support import sdk_keys
from tests.support.accounts import password_body
from tests.support.helpers import SEED_EXAMPLE, create_body


def test_the_seed_example_loads_through_the_task_schema() -> None:
    task = TaskSchema().load(SEED_EXAMPLE)
    assert task["id"] == "8abda8635e09d185015e09d188dd0001xx"
    phases = list(dict.fromkeys(s["user_op"] for s in task["sub_tasks"]))
    assert phases == ["REPLICATE", "CUTOVER0", "RESYNC0", "CUTOVER1", "RESYNC1"]
    assert task["target_server"]["disks"][0]["physical_volumes"][0]["used_size"] == 2467393536


@pytest.mark.parametrize(
    ("schema", "keys"),
    [
        (TaskSchema, sdk_keys.SHOW_TASK_KEYS),
        (SubTaskSchema, sdk_keys.SUB_TASK_KEYS),
        (SourceServerSchema, sdk_keys.SOURCE_SERVER_KEYS),
        (TargetServerSchema, sdk_keys.TARGET_SERVER_KEYS),
        (CloneServerSchema, sdk_keys.CLONE_SERVER_KEYS),
        (NetworkCheckInfoSchema, sdk_keys.NETWORK_CHECK_INFO_KEYS),
        (TaskBriefSchema, sdk_keys.LIST_TASK_KEYS),
        (SubTaskBriefSchema, sdk_keys.LIST_SUB_TASK_KEYS),
        (TokenSchema, sdk_keys.TOKEN_KEYS),
        (TokenUserSchema, sdk_keys.TOKEN_USER_KEYS),
    ],
)
def test_response_schemas_name_every_key_of_the_sdk_model(
    schema: type[Schema], keys: tuple[str, ...]
) -> None:
    assert set(keys) <= set(shape_of(schema).keys)


def test_the_enums_hold_every_documented_value() -> None:
    assert len(enums.TaskState) == 14
    assert "RESETING" in enums.values(enums.TaskState)  # sic
    assert set(enums.values(enums.Operation)) == {
        "start", "stop", "test", "cutover", "clone_test", "restart", "collect_log",
        "sync_failed_rollback", "network_check", "skip", "clear", "migration_test",
        "error_for_overspeed",
    }  # fmt: skip
    assert "DETTACH_AGENT_IMAGE" in enums.values(enums.SubtaskName)  # sic, two Ts


# --- strict requests ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"operation": "start", "switch_hce": "true"}, "switch_hce"),
        ({"operation": "start", "switch_hce": 1}, "switch_hce"),
        ({"operation": "start", "is_need_consistency_check": None}, "is_need_consistency_check"),
        ({"operation": "START"}, "operation"),
        ({"operation": 1}, "operation"),
        ({}, "operation"),
        ({"operation": "start", "extra": 1}, "extra"),
        ({"operation": "clone_test"}, "template_id"),
        ({"operation": "start", "template_id": "x" * 256}, "template_id"),
    ],
)
def test_the_action_request_is_read_strictly(body: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        TaskActionRequestSchema().load(body)
    assert field in dict(error_paths(caught.value.messages))


def test_the_action_request_accepts_the_legacy_param_map() -> None:
    body = {"operation": "start", "param": {"any": "thing"}, "switch_hce": False}
    assert TaskActionRequestSchema().load(body) == body


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"priority": True}, "priority"),
        ({"priority": 1.0}, "priority"),
        ({"priority": "1"}, "priority"),
        ({"speed_limit": 65536}, "speed_limit"),
        ({"auto_start": "yes"}, "auto_start"),
        ({"over_speed_threshold": "50"}, "over_speed_threshold"),
    ],
)
def test_the_create_request_wants_json_integers_and_booleans(
    override: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        CreateTaskRequestSchema().load(create_body(**override))
    assert field in dict(error_paths(caught.value.messages))


def test_delete_many_ids_follow_the_task_id_rule() -> None:
    with pytest.raises(ValidationError) as caught:
        DeleteTasksRequestSchema().load({"ids": ["ok", "not ok"]})
    assert "ids.1" in dict(error_paths(caught.value.messages))


@pytest.mark.parametrize(
    "scope",
    [
        {"project": {"id": "aa672d6a0df5c7904ce88d2f516d242d"}},
        {"project": {"name": "cn-north-4"}},
        {"project": {"name": "cn-north-4", "domain": {"name": "mock-domain"}}},
        {"domain": {"id": "71a1b3e7d637f23bdf0aef1a39f48345"}},
        {"domain": {"name": "mock-domain"}},
    ],
)
def test_every_token_scope_variant_loads(scope: dict[str, Any]) -> None:
    assert TokenRequestSchema().load(password_body(scope=scope))["auth"]["scope"] == scope


@pytest.mark.parametrize(
    ("identity", "field"),
    [
        ({"methods": ["password"]}, "auth.identity.password"),
        ({"methods": ["x509"], "x509": {}}, "auth.identity.methods.0"),
        ({"methods": "password"}, "auth.identity.methods"),
        ({"methods": ["token"], "token": {}}, "auth.identity.token.id"),
        (
            {"methods": ["password"], "password": {"user": {"name": "u", "password": "p"}}},
            "auth.identity.password.user.domain",
        ),
    ],
)
def test_a_malformed_token_request_names_the_field(identity: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        TokenRequestSchema().load({"auth": {"identity": identity}})
    assert field in dict(error_paths(caught.value.messages))


@pytest.mark.parametrize(
    ("schema", "body"),
    [
        (SmsErrorSchema, {"error_code": "SMS.7703", "error_msg": "x"}),
        (ApigwErrorSchema, {"error_code": "APIGW.0301", "error_msg": "x", "request_id": "r"}),
        (KeystoneErrorSchema, {"error": {"code": 401, "message": "x", "title": "Unauthorized"}}),
    ],
)
def test_error_schemas_load_their_own_format(schema: type[Schema], body: dict[str, Any]) -> None:
    assert schema().load(body) == body


def test_an_sms_error_schema_refuses_a_gateway_code() -> None:
    with pytest.raises(ValidationError):
        SmsErrorSchema().load({"error_code": "APIGW.0301", "error_msg": "x"})


def test_a_response_schema_keeps_keys_it_does_not_know() -> None:
    body = {"count": 0, "tasks": [], "new_field": 1}
    assert TaskListSchema().load(body) == body
