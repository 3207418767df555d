"""A task's settings (PUT `/v3/tasks/{id}`, its speed-limit windows, its configuration settings,
its passphrase), its log collection, certificates, consistency checks and network check, and
the agent's side (its command, its answer, its progress): a mixin of `SmsClient`."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from sms_mock.client import models
from sms_mock.client.calls import Calls, check_request, query_of
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


def _plain(item: Any) -> Any:
    """An item to send: a dict as given; a model read back (a `SpeedWindow`, a `ConfigBody`)
    as its contract fields, without those answered null (a request may leave them out, never
    send null) and without the `extra` keys the contract does not know."""
    if dataclasses.is_dataclass(item) and not isinstance(item, type):
        given = models.to_dict(item, extra=False)
        return {key: value for key, value in given.items() if value is not None}
    return item


class TaskSettingsMixin(Calls):
    """Change a task, its speed-limit windows and configuration settings; read its passphrase;
    collect its log, read its certificates, report and read its consistency checks, report
    its network check; and the agent's side: its next command, its answer, its progress."""

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

    def get_config_settings(
        self, task_id: str, config_key: str | None = None
    ) -> models.ConfigSettings:
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

    def collect_log(self, task_id: str, log_bucket: str | None = None) -> None:
        """Have the task's agent collect its log (into `log_bucket` when given; no body sent
        otherwise); the task's `log_collect_status` follows it."""
        body = None if log_bucket is None else {"log_bucket": log_bucket}
        if body is not None:
            check_request(CollectLogRequestSchema, body, "collect log request")
        self._write("POST", f"/v3/tasks/{task_id}/log", body)

    def get_cert_key(self, task_id: str, enable_ca_cert: bool = False) -> models.CertKey:
        """The agent's certificates and keys (`client.models.CertKey`, PEM text); `ca` only
        with `enable_ca_cert`."""
        params = query_of(enable_ca_cert=enable_ca_cert)
        check_request(CertKeyQuerySchema, params, "certificate key query")
        body = self._read(f"/v3/tasks/{task_id}/certkey", params)
        return models.load(CertKeySchema, body, "certificate key")

    def report_consistency_result(self, task_id: str, directories: Iterable[Any]) -> None:
        """Report one consistency check, directory by directory (dicts of `dir_check`,
        `num_total_files`, `num_different_files`, `num_target_miss_files`,
        `num_target_more_files`)."""
        body = {"consistency_result": [_plain(item) for item in directories]}
        check_request(ConsistencyResultRequestSchema, body, "consistency result request")
        self._write("POST", f"/v3/tasks/{task_id}/consistency-result", body)

    def get_consistency_results(self, task_id: str) -> models.ConsistencyResults:
        """The task's consistency checks (`client.models.ConsistencyResults`: `task_id`,
        `result_list` of checks with `check_result` OK or FAIL)."""
        body = self._read(f"/v3/tasks/{task_id}/consistency-result")
        return models.load(ConsistencyResultsSchema, body, "consistency results")

    def export_consistency_results(self, task_info: Iterable[dict[str, Any]]) -> str:
        """The consistency checks of the given tasks (dicts of `task_id` and optionally
        `source_id`, `source_name`) as CSV text, a header line first."""
        body = {"task_info": list(task_info)}
        check_request(ExportConsistencyRequestSchema, body, "export consistency request")
        return self._write("POST", "/v3/tasks/consistency-results/export", body, text=True)

    def report_network_check(self, task_id: str, **info: Any) -> str:
        """Report what the agent measured of the network (a NetworkCheckInfoRequestBody: e.g.
        `network_delay`, `loss_percentage`, `evaluation_result`); the task's id."""
        check_request(NetworkCheckInfoRequestSchema, info, "network check request")
        body = self._write("POST", f"/v3/{task_id}/update-network-check-info", info)
        return models.load(TaskIdSchema, body, "network check answer").task_id

    # --- the agent's side ---------------------------------------------------------------------

    def get_agent_command(self, source_id: str) -> models.Command:
        """What the agent on the source should do next (`client.models.Command`:
        `command_name`, `command_param` with `task_id`, `bucket`)."""
        body = self._read(f"/v3/sources/{source_id}/command")
        return models.load(CommandSchema, body, "agent command")

    def report_command_result(
        self,
        source_id: str,
        command_name: str,
        result: str,
        result_detail: dict[str, Any] | None = None,
    ) -> None:
        """The agent's answer to a command (`result` e.g. `success`, `fail`)."""
        body: dict[str, Any] = {"command_name": command_name, "result": result}
        if result_detail is not None:
            body["result_detail"] = result_detail
        check_request(CommandResultRequestSchema, body, "command result request")
        self._write("POST", f"/v3/sources/{source_id}/command_result", body)

    def report_progress(
        self,
        task_id: str,
        subtask_name: str,
        progress: int,
        replicatesize: int,
        totalsize: int,
        process_trace: str,
        **more: Any,
    ) -> None:
        """The agent's report of the running sub-task (an UpdateTaskSpeedReq; `more` for its
        optional fields, e.g. `migrate_speed`, `remain_time`)."""
        body = {
            "subtask_name": subtask_name,
            "progress": progress,
            "replicatesize": replicatesize,
            "totalsize": totalsize,
            "process_trace": process_trace,
            **more,
        }
        check_request(ProgressReportRequestSchema, body, "progress report request")
        self._write("PUT", f"/v3/tasks/{task_id}/progress", body)
