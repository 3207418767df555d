"""A task's settings (PUT `/v3/tasks/{id}`, its speed-limit windows, its configuration settings,
its passphrase): a mixin of `SmsClient`."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from sms_mock.client import models
from sms_mock.client.calls import Calls, check_request, query_of
from sms_mock.contracts.task_settings import (
    ConfigSettingQuerySchema,
    ConfigSettingSchema,
    ConfigurationRequestSchema,
    PassphraseSchema,
    SpeedLimitsSchema,
    UpdateSpeedRequestSchema,
    UpdateTaskRequestSchema,
)


def _plain(item: Any) -> Any:
    """An item to send: a dict as given; a model read back (a `SpeedWindow`, a `ConfigBody`)
    as its contract fields, without those answered null (a request may leave them out, never
    send null) and without the `extra` keys the contract does not know."""
    if dataclasses.is_dataclass(item) and not isinstance(item, type):
        given = {f.name: getattr(item, f.name) for f in dataclasses.fields(item)}
        given.pop("extra")
        return {key: models.to_dict(value) for key, value in given.items() if value is not None}
    return item


class TaskSettingsMixin(Calls):
    """Change a task, its speed-limit windows and configuration settings; read its passphrase."""

    def update_task(self, task_id: str, **fields: Any) -> None:
        """Change the given fields of the task (a PutTaskReq, and `priority`), the rest kept."""
        check_request(UpdateTaskRequestSchema, fields, "update task request")
        self._write("PUT", f"/v3/tasks/{task_id}", fields)

    def get_speed_limits(self, task_id: str) -> list[Any]:
        """The task's speed-limit windows (`client.models.SpeedWindow`: `start`, `end` as
        HH:MM, `speed` in Mbit/s, `over_speed_threshold`)."""
        body = self._read(f"/v3/tasks/{task_id}/speed-limit")
        return models.load(SpeedLimitsSchema, body, "speed limits").speed_limit

    def set_speed_limits(self, task_id: str, windows: Iterable[Any]) -> None:
        """Replace the task's speed-limit windows (dicts, or `SpeedWindow`s read back);
        `[]` clears them."""
        body = {"speed_limit": [_plain(window) for window in windows]}
        check_request(UpdateSpeedRequestSchema, body, "update speed request")
        self._write("POST", f"/v3/tasks/{task_id}/speed-limit", body)

    def get_config_settings(self, task_id: str, config_key: str | None = None) -> Any:
        """The task's configuration settings (`client.models.ConfigSettings`: `task_id`,
        `migrate_type`, `configurations` of `client.models.ConfigBody`); only `config_key`'s
        when given."""
        params = query_of(config_key=config_key)
        check_request(ConfigSettingQuerySchema, params, "configuration setting query")
        body = self._read(f"/v3/tasks/{task_id}/configuration-setting", params or None)
        return models.load(ConfigSettingSchema, body, "configuration settings")

    def set_config_settings(self, task_id: str, configurations: Iterable[Any]) -> None:
        """Set configuration settings by key (dicts of `config_key`, `config_value` and
        optionally `config_status`, or `ConfigBody`s read back): a key given again replaces
        its value, the other keys stay."""
        body = {"configurations": [_plain(item) for item in configurations]}
        check_request(ConfigurationRequestSchema, body, "configuration setting request")
        self._write("POST", f"/v3/tasks/{task_id}/configuration-setting", body)

    def get_passphrase(self, task_id: str) -> str:
        """The passphrase of the task's agent channel."""
        body = self._read(f"/v3/tasks/{task_id}/passphrase")
        return models.load(PassphraseSchema, body, "passphrase").passphrase
