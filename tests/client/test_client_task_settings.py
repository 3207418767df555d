"""The reference client's task settings (PUT the task, its speed-limit windows, its
configuration settings, its passphrase), against the emulator over real HTTP."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from sms_mock.client import (
    ConfigBody,
    ConfigSettings,
    ContractViolation,
    NotFound,
    SmsClient,
    SpeedWindow,
)
from sms_mock.mock_server.serving.live import LiveServer
from tests.support.accounts import AK, PROJECT_ID, SK
from tests.support.helpers import create_body, free_source_at

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


@pytest.fixture
def sms(password_client: SmsClient) -> SmsClient:
    """The client under test: logged in with the default user's password, over `live`."""
    return password_client


@pytest.fixture
def made_task(live: LiveServer, sms: SmsClient) -> str:
    """A task of its own, created from a fresh source."""
    return sms.create_task(create_body(free_source_at(live.url)))


def sms_requests(live: LiveServer) -> list[str]:
    """The SMS calls the emulator has seen since its reset (logins left out)."""
    response = requests.get(f"{live.url}/_mock/requests", timeout=5)
    assert response.status_code == 200, response.text
    journal = response.json()["requests"]
    return [f"{r['method']} {r['path']}" for r in journal if not r["path"].startswith("/v3/auth")]


# --- PUT /v3/tasks/{task_id} ----------------------------------------------------------------


def test_update_task_changes_the_given_fields(sms: SmsClient) -> None:
    sms.update_task(TASK, name="renamed-01", priority=2, speed_limit=100, use_public_ip=True)
    task = sms.get_task(TASK)
    assert (task.name, task.priority, task.speed_limit) == ("renamed-01", 2, 100)
    assert task.use_public_ip is True


def test_update_task_keeps_the_fields_not_given(sms: SmsClient) -> None:
    before = sms.get_task(TASK)
    sms.update_task(TASK, priority=0)
    after = sms.get_task(TASK)
    assert after.priority == 0
    assert (after.name, after.type, after.speed_limit) == (
        before.name,
        before.type,
        before.speed_limit,
    )


def test_update_task_renames_the_target_and_keeps_its_disks(sms: SmsClient) -> None:
    before = sms.get_task(TASK).target_server
    sms.update_task(TASK, target_server={"name": "ecs-renamed"})
    after = sms.get_task(TASK).target_server
    assert after.name == "ecs-renamed"
    assert (after.vm_id, after.disks) == (before.vm_id, before.disks)


def test_update_task_of_a_created_task(sms: SmsClient, made_task: str) -> None:
    sms.update_task(made_task, migration_ip="192.168.10.20")
    assert sms.get_task(made_task).migration_ip == "192.168.10.20"


# --- speed-limit windows --------------------------------------------------------------------


def test_a_task_without_windows_has_none(sms: SmsClient) -> None:
    assert sms.get_speed_limits(TASK) == []


def test_set_speed_limits_then_get_answers_them(sms: SmsClient) -> None:
    sms.set_speed_limits(TASK, WINDOWS)
    windows = sms.get_speed_limits(TASK)
    assert all(isinstance(w, SpeedWindow) for w in windows)
    assert [(w.start, w.end, w.speed, w.over_speed_threshold) for w in windows] == [
        ("08:00", "18:00", 50, None),
        ("22:00", "06:00", 200, 12.5),
    ]


def test_set_speed_limits_replaces_the_windows_it_had(sms: SmsClient) -> None:
    sms.set_speed_limits(TASK, WINDOWS)
    sms.set_speed_limits(TASK, [{"start": "00:00", "end": "00:00", "speed": 10}])
    assert [(w.start, w.end, w.speed) for w in sms.get_speed_limits(TASK)] == [
        ("00:00", "00:00", 10)
    ]


def test_set_speed_limits_to_none_clears_them(sms: SmsClient) -> None:
    sms.set_speed_limits(TASK, WINDOWS)
    sms.set_speed_limits(TASK, [])
    assert sms.get_speed_limits(TASK) == []


def test_windows_read_back_can_be_set_again(sms: SmsClient, made_task: str) -> None:
    # A window read back answers over_speed_threshold null; the client leaves it out.
    sms.set_speed_limits(TASK, WINDOWS)
    sms.set_speed_limits(made_task, sms.get_speed_limits(TASK))
    assert sms.get_speed_limits(made_task) == sms.get_speed_limits(TASK)


def test_a_window_read_back_is_sent_without_keys_the_contract_does_not_know(
    sms: SmsClient,
) -> None:
    # A real service may answer keys of its own; they land in `extra` and are not sent back.
    read_back = SpeedWindow(start="01:00", end="02:00", speed=5, extra={"label": "night"})
    sms.set_speed_limits(TASK, [read_back])
    assert sms.get_speed_limits(TASK) == [
        SpeedWindow(start="01:00", end="02:00", speed=5, over_speed_threshold=None)
    ]


def test_speed_limits_are_the_tasks_own(sms: SmsClient, made_task: str) -> None:
    sms.set_speed_limits(made_task, WINDOWS)
    assert sms.get_speed_limits(TASK) == []


# --- configuration settings -----------------------------------------------------------------


def test_a_task_without_settings_answers_its_id_and_type(sms: SmsClient) -> None:
    settings = sms.get_config_settings(TASK)
    assert isinstance(settings, ConfigSettings)
    assert (settings.task_id, settings.migrate_type, settings.configurations) == (
        TASK,
        sms.get_task(TASK).type,
        [],
    )


def test_set_config_settings_then_get_answers_them(sms: SmsClient) -> None:
    sms.set_config_settings(TASK, SETTINGS)
    configurations = sms.get_config_settings(TASK).configurations
    assert all(isinstance(c, ConfigBody) for c in configurations)
    assert [(c.config_key, c.config_value, c.config_status) for c in configurations] == [
        ("EXCLUDE_MIGRATE_PATH", "/tmp,/var/cache", None),
        ("SYNC_INCREMENTAL", "true", "ENABLE"),
    ]


def test_a_key_given_again_replaces_its_value_and_keeps_the_others(sms: SmsClient) -> None:
    sms.set_config_settings(TASK, SETTINGS)
    sms.set_config_settings(TASK, [{"config_key": "SYNC_INCREMENTAL", "config_value": "false"}])
    by_key = {c.config_key: c.config_value for c in sms.get_config_settings(TASK).configurations}
    assert by_key == {"EXCLUDE_MIGRATE_PATH": "/tmp,/var/cache", "SYNC_INCREMENTAL": "false"}


def test_get_config_settings_of_one_key(sms: SmsClient) -> None:
    sms.set_config_settings(TASK, SETTINGS)
    settings = sms.get_config_settings(TASK, config_key="SYNC_INCREMENTAL")
    assert settings.task_id == TASK
    assert [c.config_key for c in settings.configurations] == ["SYNC_INCREMENTAL"]


def test_get_config_settings_of_an_unset_key_is_empty(sms: SmsClient) -> None:
    sms.set_config_settings(TASK, SETTINGS)
    assert sms.get_config_settings(TASK, config_key="NOT_SET").configurations == []


def test_settings_read_back_can_be_set_again(sms: SmsClient, made_task: str) -> None:
    sms.set_config_settings(TASK, SETTINGS)
    sms.set_config_settings(made_task, sms.get_config_settings(TASK).configurations)
    copied = sms.get_config_settings(made_task)
    assert copied.task_id == made_task
    assert copied.configurations == sms.get_config_settings(TASK).configurations


def test_a_signed_client_reads_one_key(live: LiveServer, sms: SmsClient) -> None:
    # The query is part of what AK/SK signing signs.
    sms.set_config_settings(TASK, SETTINGS)
    with SmsClient(live.url, ak=AK, sk=SK, project_id=PROJECT_ID) as signed:
        settings = signed.get_config_settings(TASK, config_key="EXCLUDE_MIGRATE_PATH")
    assert [c.config_value for c in settings.configurations] == ["/tmp,/var/cache"]


# --- passphrase -----------------------------------------------------------------------------


def test_get_passphrase_is_text_and_stable(sms: SmsClient) -> None:
    passphrase = sms.get_passphrase(TASK)
    assert isinstance(passphrase, str) and passphrase
    assert sms.get_passphrase(TASK) == passphrase


def test_every_task_has_a_passphrase_of_its_own(sms: SmsClient, made_task: str) -> None:
    assert sms.get_passphrase(made_task) != sms.get_passphrase(TASK)


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.update_task(ABSENT, name="x"),
        lambda c: c.get_speed_limits(ABSENT),
        lambda c: c.set_speed_limits(ABSENT, WINDOWS),
        lambda c: c.get_config_settings(ABSENT),
        lambda c: c.get_config_settings(ABSENT, config_key="SYNC_INCREMENTAL"),
        lambda c: c.set_config_settings(ABSENT, SETTINGS),
        lambda c: c.get_passphrase(ABSENT),
    ],
    ids=[
        "update_task",
        "get_speed_limits",
        "set_speed_limits",
        "get_config_settings",
        "get_config_settings-key",
        "set_config_settings",
        "get_passphrase",
    ],
)
def test_an_unknown_task_is_not_found(sms: SmsClient, call: Any) -> None:
    with pytest.raises(NotFound) as caught:
        call(sms)
    assert (caught.value.status, caught.value.error_code) == (404, "SMS.7703")
    assert len(caught.value.request_id) == 32


def window(**overrides: Any) -> dict[str, Any]:
    return {"start": "08:00", "end": "18:00", "speed": 50, **overrides}


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: c.update_task(TASK, name="no spaces"), "name"),
        (lambda c: c.update_task(TASK, priority=3), "priority"),
        (lambda c: c.update_task(TASK, speed_limit="10"), "speed_limit"),
        (lambda c: c.update_task(TASK, type="MIGRATE_DISK"), "type"),
        (lambda c: c.update_task(TASK, target_server={"disks": []}), "target_server.disks"),
        (lambda c: c.update_task(TASK, state="READY"), "state"),
        (lambda c: c.set_speed_limits(TASK, [window(start="24:00")]), "speed_limit.0.start"),
        (lambda c: c.set_speed_limits(TASK, [window(end="8:00")]), "speed_limit.0.end"),
        (lambda c: c.set_speed_limits(TASK, [window(speed=-1)]), "speed_limit.0.speed"),
        (lambda c: c.set_speed_limits(TASK, [window(speed=1.5)]), "speed_limit.0.speed"),
        (
            lambda c: c.set_speed_limits(TASK, [window(over_speed_threshold=101)]),
            "speed_limit.0.over_speed_threshold",
        ),
        (lambda c: c.set_speed_limits(TASK, [{"start": "08:00"}]), "speed_limit.0.end"),
        (lambda c: c.set_speed_limits(TASK, [window()] * 49), "speed_limit"),
        (lambda c: c.get_config_settings(TASK, config_key=""), "config_key"),
        (lambda c: c.set_config_settings(TASK, []), "configurations"),
        (
            lambda c: c.set_config_settings(TASK, [{"config_key": "", "config_value": "v"}]),
            "configurations.0.config_key",
        ),
        (
            lambda c: c.set_config_settings(TASK, [{"config_key": "K"}]),
            "configurations.0.config_value",
        ),
        (
            lambda c: c.set_config_settings(TASK, [{"config_key": "K", "config_value": 1}]),
            "configurations.0.config_value",
        ),
    ],
)
def test_a_request_that_breaks_the_contract_is_never_sent(
    sms: SmsClient, live: LiveServer, call: Any, field: str
) -> None:
    with pytest.raises(ContractViolation) as caught:
        call(sms)
    assert (caught.value.direction, caught.value.field) == ("request", field)
    assert sms_requests(live) == []
