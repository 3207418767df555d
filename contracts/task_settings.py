"""SMS v3 task settings: PUT /v3/tasks/{id}, its speed-limit windows, its configuration
settings and its passphrase."""

from __future__ import annotations

from marshmallow import EXCLUDE, fields, validate

from sms_mock.contracts.base import TASK_ID_PATTERN, Pattern, RequestSchema, ResponseSchema
from sms_mock.contracts.enums import SubtaskName, TaskType
from sms_mock.contracts.fields import StrictBoolean, StrictInteger, StrictNumber, enum_field
from sms_mock.contracts.sms import ConfigBodySchema, _list, _str, task_name_validator

_text = validate.Length(0, 255)
HHMM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class TargetServerChangeSchema(RequestSchema):
    """The target server fields PUT /v3/tasks/{id} changes (the SDK's TargetServer has more:
    the disks and volumes of a task are set when it is created)."""

    name = fields.String(validate=validate.Length(1, 255))
    vm_id = fields.String(validate=_text)
    ip = fields.String(validate=_text)
    flavor = fields.String(validate=_text)
    image_disk_id = fields.String(validate=_text)
    snapshot_ids = fields.String(validate=_text)
    cutovered_snapshot_ids = fields.String(validate=_text)


class CloneServerChangeSchema(RequestSchema):
    vm_id = fields.String(validate=_text)
    name = fields.String(validate=_text)


class UpdateTaskRequestSchema(RequestSchema):
    """PutTaskReq, and `priority`, which the service's task answers carry too."""

    name = fields.String(validate=task_name_validator)
    type = enum_field(TaskType)
    region_id = fields.String(validate=_text)
    region_name = fields.String(validate=_text)
    exist_server = StrictBoolean()
    migration_ip = fields.String(validate=_text)
    use_ipv6 = StrictBoolean()
    use_public_ip = StrictBoolean()
    speed_limit = StrictInteger(validate=validate.Range(0, 65535))  # Mbit/s; 0: none
    priority = StrictInteger(validate=validate.Range(0, 2))
    project_name = fields.String(validate=_text)
    project_id = fields.String(validate=_text)
    enterprise_project = fields.String(validate=_text)
    image_disk_id = fields.String(validate=_text)
    vm_template_id = fields.String(validate=_text)
    target_disk_ids = fields.String(validate=_text)
    snapshot_ids = fields.String(validate=_text)
    cutovered_snapshot_ids = fields.String(validate=_text)
    target_server = fields.Nested(TargetServerChangeSchema)
    clone_server = fields.Nested(CloneServerChangeSchema)


class SpeedWindowSchema(RequestSchema):
    """SpeedLimitlJson: `speed` Mbit/s from `start` (inclusive) to `end` (exclusive), UTC."""

    start = fields.String(
        required=True, validate=Pattern(HHMM, error="Must be HH:MM, 00:00 to 23:59.")
    )
    end = fields.String(
        required=True, validate=Pattern(HHMM, error="Must be HH:MM, 00:00 to 23:59.")
    )
    speed = StrictInteger(required=True, validate=validate.Range(0, 65535))
    over_speed_threshold = StrictNumber(validate=validate.Range(0, 100))


class UpdateSpeedRequestSchema(RequestSchema):
    """SpeedLimit: the task's windows, replacing the ones it had ([] clears them)."""

    speed_limit = fields.List(
        fields.Nested(SpeedWindowSchema), required=True, validate=validate.Length(0, 48)
    )


class SpeedWindowOutSchema(ResponseSchema):
    start = fields.String(required=True)
    end = fields.String(required=True)
    speed = StrictInteger(required=True)
    over_speed_threshold = StrictNumber(allow_none=True)


class SpeedLimitsSchema(ResponseSchema):
    """ShowsSpeedLimitsResponse."""

    speed_limit = fields.List(fields.Nested(SpeedWindowOutSchema), required=True)


class ConfigurationInSchema(RequestSchema):
    config_key = fields.String(required=True, validate=validate.Length(1, 255))
    config_value = fields.String(required=True, validate=validate.Length(0, 1024))
    config_status = fields.String(validate=_text)


class ConfigurationRequestSchema(RequestSchema):
    """ConfigurationRequestBody: settings by key; a key given again replaces its value."""

    configurations = fields.List(
        fields.Nested(ConfigurationInSchema), required=True, validate=validate.Length(1, 100)
    )


class ConfigSettingQuerySchema(RequestSchema):
    class Meta:
        unknown = EXCLUDE  # a gateway ignores query parameters an API does not declare

    config_key = fields.String(validate=validate.Length(1, 255))


class ConfigSettingSchema(ResponseSchema):
    """ShowConfigSettingResponse."""

    task_id = _str()
    migrate_type = _str()
    configurations = _list(ConfigBodySchema)


class PassphraseSchema(ResponseSchema):
    """ShowPassphraseResponse."""

    task_id = _str()
    passphrase = _str()


# --- the log, certificates, consistency checks, the network check ---------------------------


class CollectLogRequestSchema(RequestSchema):
    """UploadLogRequestBody: where the agent uploads the task's logs."""

    log_bucket = fields.String(validate=_text)


class CertKeyQuerySchema(RequestSchema):
    class Meta:
        unknown = EXCLUDE  # a gateway ignores query parameters an API does not declare

    enable_ca_cert = fields.Boolean(truthy={"true", "True"}, falsy={"false", "False"})


class CertKeySchema(ResponseSchema):
    """ShowCertKeyResponse: the agent's certificates and keys (PEM text)."""

    cert = _str()
    private_key = _str()
    ca = _str()
    target_mgmt_cert = _str()
    target_mgmt_private_key = _str()
    target_data_cert = _str()
    target_data_private_key = _str()


class ConsistencyResultInSchema(RequestSchema):
    dir_check = fields.String(required=True, validate=validate.Length(1, 1024))
    num_total_files = StrictInteger(required=True, validate=validate.Range(0, 2**53))
    num_different_files = StrictInteger(required=True, validate=validate.Range(0, 2**53))
    num_target_miss_files = StrictInteger(required=True, validate=validate.Range(0, 2**53))
    num_target_more_files = StrictInteger(required=True, validate=validate.Range(0, 2**53))


class ConsistencyResultRequestSchema(RequestSchema):
    """SetConsistencyResultRequestBody: one check's result, directory by directory. Optional in
    the SDK's model, and Terraform's report resource sends `{}` without a block."""

    consistency_result = fields.List(
        fields.Nested(ConsistencyResultInSchema),
        load_default=list,
        validate=validate.Length(0, 100),
    )


class ConsistencyCheckSchema(ResponseSchema):
    """One check of a task, as Terraform's data source reads it."""

    finished_time = StrictInteger(allow_none=True)  # epoch ms
    check_result = _str()  # OK, or FAIL when a directory differs
    consistency_result = _list(fields.Dict())


class ConsistencyResultsSchema(ResponseSchema):
    """ShowConsistencyResultResponse. The SDK models `result_list` as strings; Terraform's
    provider reads objects from the real service, so objects it is."""

    task_id = _str()
    result_list = fields.List(fields.Nested(ConsistencyCheckSchema), required=True)


class ConsistencyExportTaskSchema(RequestSchema):
    # Its pattern is checked as a task id in a path is (SMS.9001), after the body's checks.
    task_id = fields.String(
        required=True, validate=validate.Length(1, 36), metadata={"pattern": TASK_ID_PATTERN}
    )
    source_id = fields.String(validate=_text)
    source_name = fields.String(validate=_text)


class ExportConsistencyRequestSchema(RequestSchema):
    """BatchGetConsistencyResultReq: the tasks whose results to export."""

    task_info = fields.List(
        fields.Nested(ConsistencyExportTaskSchema), required=True, validate=validate.Length(1, 100)
    )


class NetworkCheckInfoRequestSchema(RequestSchema):
    """NetworkCheckInfoRequestBody: what the agent measured of the network to the target."""

    domain_connectivity = StrictBoolean()
    destination_connectivity = StrictBoolean()
    network_delay = StrictNumber(validate=validate.Range(0, 1e9))
    network_jitter = StrictNumber(validate=validate.Range(0, 1e9))
    migration_speed = StrictNumber(validate=validate.Range(0, 1e9))
    loss_percentage = StrictNumber(validate=validate.Range(0, 100))
    cpu_usage = StrictNumber(validate=validate.Range(0, 100))
    mem_usage = StrictNumber(validate=validate.Range(0, 100))
    evaluation_result = fields.String(validate=_text)


class TaskIdSchema(ResponseSchema):
    task_id = _str()


# --- the agent's side -------------------------------------------------------------------------


class CommandParamSchema(ResponseSchema):
    task_id = _str()
    bucket = _str()


class CommandSchema(ResponseSchema):
    """ShowCommandResponse: what the agent on a source should do next."""

    command_name = fields.String(required=True)
    command_param = fields.Nested(CommandParamSchema, allow_none=True)


class CommandResultRequestSchema(RequestSchema):
    """CommandBody: the agent's answer to a command."""

    command_name = fields.String(required=True, validate=validate.Length(1, 64))
    result = fields.String(required=True, validate=validate.Length(1, 64))
    result_detail = fields.Dict()


class ProgressReportRequestSchema(RequestSchema):
    """UpdateTaskSpeedReq: the agent's report of the running sub-task."""

    subtask_name = enum_field(SubtaskName, required=True)
    progress = StrictInteger(required=True, validate=validate.Range(0, 100))
    replicatesize = StrictInteger(required=True, validate=validate.Range(0, 2**63 - 1))
    totalsize = StrictInteger(required=True, validate=validate.Range(0, 2**63 - 1))
    process_trace = fields.String(required=True, validate=validate.Length(0, 2048))
    migrate_speed = StrictNumber(validate=validate.Range(0, 1e9))
    compress_rate = StrictNumber(validate=validate.Range(0, 1e9))
    remain_time = StrictInteger(validate=validate.Range(0, 2**53))
    total_cpu_usage = StrictNumber(validate=validate.Range(0, 100))
    agent_cpu_usage = StrictNumber(validate=validate.Range(0, 100))
    total_mem_usage = StrictNumber(validate=validate.Range(0, 1e12))
    agent_mem_usage = StrictNumber(validate=validate.Range(0, 1e12))
    total_disk_io = StrictNumber(validate=validate.Range(0, 1e12))
    agent_disk_io = StrictNumber(validate=validate.Range(0, 1e12))
    need_migration_test = StrictBoolean()
    agent_time = fields.String(validate=_text)
