"""The official SMS SDK 3.1.219, unmodified, on a task's settings: update_task (PutTaskReq),
shows_speed_limits and update_speed (SpeedLimit of SpeedLimitlJson), show_config_setting and
upload_special_configuration_setting (ConfigurationRequestBody of ConfigBody), show_passphrase.

Calls are signed with the default account's AK/SK. Every answer of a read is checked field by
field against the raw JSON of the same GET (`assert_answers`); what was set, against what the
read answers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdksms.v3 import SmsClient as SdkSmsClient
from huaweicloudsdksms.v3 import model as m

from sms_mock.mock_server.serving.live import LiveServer
from tests.support.control import free_source_at
from tests.support.helpers import create_body
from tests.support.sdk import assert_answers, assert_done, sdk_model

# The SDK deprecated to_dict() in favour of raw JSON; the models are what users read, though.
pytestmark = pytest.mark.filterwarnings("ignore:.*to_dict.*deprecated:DeprecationWarning")

TASK = "sample-ready"  # a fixture task: READY, MIGRATE_FILE, no windows, no settings
ABSENT = "no-such-task"
WINDOWS = [
    {"start": "08:00", "end": "18:00", "speed": 50},
    {"start": "22:00", "end": "06:00", "speed": 200, "over_speed_threshold": 12.5},
]
SETTINGS = [
    {"config_key": "EXCLUDE_MIGRATE_PATH", "config_value": "/tmp,/var/cache"},
    {"config_key": "SYNC_INCREMENTAL", "config_value": "true", "config_status": "ENABLE"},
]
Raw = Callable[..., Any]


def show_task(sdk: SdkSmsClient, task_id: str = TASK) -> Any:
    return sdk.show_task(m.ShowTaskRequest(task_id=task_id))


def update_task(sdk: SdkSmsClient, body: m.PutTaskReq, task_id: str = TASK) -> Any:
    return sdk.update_task(m.UpdateTaskRequest(task_id=task_id, body=body))


def speed_limits(sdk: SdkSmsClient, task_id: str = TASK) -> Any:
    return sdk.shows_speed_limits(m.ShowsSpeedLimitsRequest(task_id=task_id))


def update_speed(sdk: SdkSmsClient, windows: list[dict[str, Any]], task_id: str = TASK) -> Any:
    body = sdk_model(m.SpeedLimit, {"speed_limit": windows})
    return sdk.update_speed(m.UpdateSpeedRequest(task_id=task_id, body=body))


def config_setting(sdk: SdkSmsClient, task_id: str = TASK, **query: str) -> Any:
    return sdk.show_config_setting(m.ShowConfigSettingRequest(task_id=task_id, **query))


def upload_settings(sdk: SdkSmsClient, settings: list[dict[str, Any]], task_id: str = TASK) -> Any:
    body = sdk_model(m.ConfigurationRequestBody, {"configurations": settings})
    return sdk.upload_special_configuration_setting(
        m.UploadSpecialConfigurationSettingRequest(task_id=task_id, body=body)
    )


def passphrase(sdk: SdkSmsClient, task_id: str = TASK) -> Any:
    return sdk.show_passphrase(m.ShowPassphraseRequest(task_id=task_id))


# --- update_task ----------------------------------------------------------------------------


def test_update_task_changes_the_given_fields(sdk: SdkSmsClient, raw: Raw) -> None:
    body = m.PutTaskReq(
        name="sdk-renamed", speed_limit=100, use_public_ip=True, migration_ip="192.168.10.20"
    )
    assert_done(update_task(sdk, body))
    shown = show_task(sdk)
    plain = raw(f"/v3/tasks/{TASK}")
    assert_answers(shown, plain)
    assert (shown.name, shown.speed_limit, shown.migration_ip) == (
        "sdk-renamed",
        100,
        "192.168.10.20",
    )
    assert plain["use_public_ip"] is True  # ShowTaskResponse has no attribute for it


def test_update_task_renames_the_target_and_keeps_its_disks(sdk: SdkSmsClient, raw: Raw) -> None:
    before = raw(f"/v3/tasks/{TASK}")["target_server"]
    assert_done(update_task(sdk, m.PutTaskReq(target_server=m.TargetServer(name="ecs-sdk"))))
    shown = show_task(sdk)
    plain = raw(f"/v3/tasks/{TASK}")
    assert_answers(shown, plain)
    assert shown.target_server.name == "ecs-sdk"
    assert {**before, "name": "ecs-sdk"} == plain["target_server"]


# --- speed limits ---------------------------------------------------------------------------


def test_shows_speed_limits_of_a_task_without_windows(sdk: SdkSmsClient, raw: Raw) -> None:
    shown = speed_limits(sdk)
    assert_answers(shown, raw(f"/v3/tasks/{TASK}/speed-limit"))
    assert shown.speed_limit == []


def test_update_speed_then_shows_speed_limits_answers_them(sdk: SdkSmsClient, raw: Raw) -> None:
    assert_done(update_speed(sdk, WINDOWS))
    shown = speed_limits(sdk)
    assert_answers(shown, raw(f"/v3/tasks/{TASK}/speed-limit"))
    assert all(isinstance(w, m.SpeedLimitlJson) for w in shown.speed_limit)
    assert [(w.start, w.end, w.speed, w.over_speed_threshold) for w in shown.speed_limit] == [
        ("08:00", "18:00", 50, None),
        ("22:00", "06:00", 200, 12.5),
    ]


def test_update_speed_with_no_windows_clears_them(sdk: SdkSmsClient, raw: Raw) -> None:
    update_speed(sdk, WINDOWS)
    assert_done(update_speed(sdk, []))
    shown = speed_limits(sdk)
    assert_answers(shown, raw(f"/v3/tasks/{TASK}/speed-limit"))
    assert shown.speed_limit == []


# --- configuration settings -----------------------------------------------------------------


def test_show_config_setting_of_a_task_without_settings(sdk: SdkSmsClient, raw: Raw) -> None:
    shown = config_setting(sdk)
    assert_answers(shown, raw(f"/v3/tasks/{TASK}/configuration-setting"))
    assert (shown.task_id, shown.migrate_type, shown.configurations) == (
        TASK,
        "MIGRATE_FILE",
        [],
    )


def test_upload_then_show_config_setting_answers_them(sdk: SdkSmsClient, raw: Raw) -> None:
    assert_done(upload_settings(sdk, SETTINGS))
    shown = config_setting(sdk)
    assert_answers(shown, raw(f"/v3/tasks/{TASK}/configuration-setting"))
    assert all(isinstance(c, m.ConfigBody) for c in shown.configurations)
    assert [(c.config_key, c.config_value, c.config_status) for c in shown.configurations] == [
        ("EXCLUDE_MIGRATE_PATH", "/tmp,/var/cache", None),
        ("SYNC_INCREMENTAL", "true", "ENABLE"),
    ]


def test_upload_a_key_again_replaces_its_value(sdk: SdkSmsClient, raw: Raw) -> None:
    upload_settings(sdk, SETTINGS)
    assert_done(upload_settings(sdk, [{"config_key": "SYNC_INCREMENTAL", "config_value": "no"}]))
    shown = config_setting(sdk)
    assert_answers(shown, raw(f"/v3/tasks/{TASK}/configuration-setting"))
    assert {c.config_key: c.config_value for c in shown.configurations} == {
        "EXCLUDE_MIGRATE_PATH": "/tmp,/var/cache",
        "SYNC_INCREMENTAL": "no",
    }


@pytest.mark.parametrize(
    ("key", "values"),
    [("SYNC_INCREMENTAL", ["true"]), ("EXCLUDE_MIGRATE_PATH", ["/tmp,/var/cache"]), ("NONE", [])],
)
def test_show_config_setting_of_one_key(
    sdk: SdkSmsClient, raw: Raw, key: str, values: list[str]
) -> None:
    upload_settings(sdk, SETTINGS)
    shown = config_setting(sdk, config_key=key)
    assert_answers(shown, raw(f"/v3/tasks/{TASK}/configuration-setting", config_key=key))
    assert shown.task_id == TASK
    assert [c.config_value for c in shown.configurations] == values
    assert {c.config_key for c in shown.configurations} <= {key}


# --- passphrase -----------------------------------------------------------------------------


def test_show_passphrase(live: LiveServer, sdk: SdkSmsClient, raw: Raw) -> None:
    shown = passphrase(sdk)
    assert_answers(shown, raw(f"/v3/tasks/{TASK}/passphrase"))
    assert shown.task_id == TASK and isinstance(shown.passphrase, str) and shown.passphrase
    assert passphrase(sdk).passphrase == shown.passphrase


def test_show_passphrase_of_a_created_task_is_its_own(
    live: LiveServer, sdk: SdkSmsClient, raw: Raw
) -> None:
    body = sdk_model(m.PostTask, create_body(free_source_at(live.url)))
    task_id = sdk.create_task(m.CreateTaskRequest(body=body)).id
    shown = passphrase(sdk, task_id)
    assert_answers(shown, raw(f"/v3/tasks/{task_id}/passphrase"))
    assert shown.task_id == task_id
    assert shown.passphrase != passphrase(sdk).passphrase


# --- errors ---------------------------------------------------------------------------------

CALLS: dict[str, Callable[[SdkSmsClient, str], Any]] = {
    "update_task": lambda sdk, task: update_task(sdk, m.PutTaskReq(name="x"), task),
    "shows_speed_limits": lambda sdk, task: speed_limits(sdk, task),
    "update_speed": lambda sdk, task: update_speed(sdk, WINDOWS, task),
    "show_config_setting": lambda sdk, task: config_setting(sdk, task),
    "show_config_setting-key": lambda sdk, task: config_setting(sdk, task, config_key="K"),
    "upload_special_configuration_setting": lambda sdk, task: upload_settings(sdk, SETTINGS, task),
    "show_passphrase": lambda sdk, task: passphrase(sdk, task),
}


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
def test_an_unknown_task_is_not_found(sdk: SdkSmsClient, call: Any) -> None:
    with pytest.raises(ClientRequestException) as caught:
        call(sdk, ABSENT)
    assert (caught.value.status_code, caught.value.error_code) == (404, "SMS.7703")


BAD_BODIES: dict[str, Callable[[SdkSmsClient], Any]] = {
    "name": lambda sdk: update_task(sdk, m.PutTaskReq(name="no spaces")),
    "speed_limit": lambda sdk: update_task(sdk, m.PutTaskReq(speed_limit=70000)),
    "window-start": lambda sdk: update_speed(sdk, [{**WINDOWS[0], "start": "24:00"}]),
    "window-threshold": lambda sdk: update_speed(
        sdk, [{**WINDOWS[0], "over_speed_threshold": 101.0}]
    ),
    "no-configurations": lambda sdk: upload_settings(sdk, []),
    "config-value": lambda sdk: upload_settings(sdk, [{"config_key": "K"}]),
}


@pytest.mark.parametrize("call", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_a_body_the_contract_refuses_is_a_bad_request(
    sdk: SdkSmsClient, raw: Raw, call: Any
) -> None:
    before = raw(f"/v3/tasks/{TASK}")
    with pytest.raises(ClientRequestException) as caught:
        call(sdk)
    assert caught.value.status_code == 400
    # A name outside the naming rule is the service's own SMS.7711.
    assert caught.value.error_code in {"SMS.6011", "SMS.6013", "SMS.7711"}
    assert raw(f"/v3/tasks/{TASK}/speed-limit") == {"speed_limit": []}
    assert raw(f"/v3/tasks/{TASK}/configuration-setting")["configurations"] == []
    assert raw(f"/v3/tasks/{TASK}") == before
