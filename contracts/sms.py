"""SMS v3 bodies: tasks, the task list, task actions, create and delete.

Response schemas carry every key of the official SDK 3.1.219 models (ShowTaskResponse,
TasksResponseBody and their children); every key is nullable, as the real service answers
`null` where it has no value.
"""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, ValidationError, fields, validate, validates_schema

from sms_mock.contracts.base import Pattern, RequestSchema, ResponseSchema, task_id_validator
from sms_mock.contracts.enums import (
    CloneState,
    LogCollectStatus,
    MigrationCycle,
    Operation,
    OsType,
    PartitionStyle,
    SourceServerState,
    SubtaskName,
    TaskState,
    TaskType,
)
from sms_mock.contracts.fields import StrictBoolean, StrictInteger, StrictNumber, enum_field

INT64_MAX = 2**63 - 1  # the SDK's integers are 64-bit

# Shorthands for response fields: present on every answer, `null` where there is no value.


def _str(**kw: Any) -> fields.String:
    return fields.String(allow_none=True, **kw)


def _int(**kw: Any) -> StrictInteger:
    return StrictInteger(allow_none=True, **kw)


def _num(**kw: Any) -> StrictNumber:
    return StrictNumber(allow_none=True, **kw)


def _bool(**kw: Any) -> StrictBoolean:
    return StrictBoolean(allow_none=True, **kw)


def _nested(schema: type, **kw: Any) -> fields.Nested:
    return fields.Nested(schema, allow_none=True, **kw)


def _list(inner: fields.Field | type, **kw: Any) -> fields.List:
    if isinstance(inner, type):
        inner = fields.Nested(inner)
    return fields.List(inner, allow_none=True, **kw)


# --- GET /v3/tasks/{task_id} -----------------------------------------------------------------


class SubTaskSchema(ResponseSchema):
    id = _int()
    name = enum_field(SubtaskName, allow_none=True)
    progress = StrictInteger(required=True, validate=validate.Range(0, 100))
    start_date = _int()
    end_date = _int()
    migrate_speed = _num()
    user_op = _str()
    process_trace = _str()


class SourceServerSchema(ResponseSchema):
    id = _str()
    ip = _str()
    name = _str()
    os_type = enum_field(OsType, allow_none=True)
    os_version = _str()
    oem_system = _bool()
    state = enum_field(SourceServerState, allow_none=True)
    migration_cycle = enum_field(MigrationCycle, allow_none=True)


class TargetPhysicalVolumeSchema(ResponseSchema):
    id = _int()
    device_use = _str()
    file_system = _str()
    index = _int()
    mount_point = _str()
    name = _str()
    size = _int()
    used_size = _int()
    uuid = _str()
    relation_name = _str()
    free_size = _int()


class TargetDiskSchema(ResponseSchema):
    id = _int()
    device_use = _str()  # BOOT, OS, NORMAL, ...: a hint the service does not check
    disk_id = _str()
    name = _str()
    physical_volumes = _list(TargetPhysicalVolumeSchema)
    size = _int()
    used_size = _int()
    disk_index = _str()
    os_disk = _bool()
    partition_style = enum_field(PartitionStyle, allow_none=True)
    relation_name = _str()


class LogicalVolumeSchema(ResponseSchema):
    block_count = _int()
    block_size = _int()
    file_system = _str()
    inode_size = _int()
    inode_nums = _int()
    device_use = _str()
    mount_point = _str()
    name = _str()
    size = _int()
    used_size = _int()
    free_size = _int()


class VolumeGroupSchema(ResponseSchema):
    components = _str()
    free_size = _int()
    logical_volumes = _list(LogicalVolumeSchema)
    name = _str()
    size = _int()


class TargetServerSchema(ResponseSchema):
    id = _str()
    vm_id = _str()
    name = _str()
    ip = _str()
    os_type = enum_field(OsType, allow_none=True)
    os_version = _str()
    system_dir = _str()
    disks = _list(TargetDiskSchema)
    volume_groups = _list(VolumeGroupSchema)
    btrfs_list = _list(fields.String())
    image_disk_id = _str()
    cutovered_snapshot_ids = _str()


class CloneServerSchema(ResponseSchema):
    vm_id = _str()
    name = _str()
    clone_error = _str()
    clone_state = enum_field(CloneState, allow_none=True)
    error_msg = _str()


class NetworkCheckInfoSchema(ResponseSchema):
    domain_connectivity = _bool()
    destination_connectivity = _bool()
    network_delay = _num()
    network_jitter = _num()
    migration_speed = _num()
    loss_percentage = _num()
    cpu_usage = _num()
    mem_usage = _num()
    evaluation_result = _str()


class _TaskCommonSchema(ResponseSchema):
    """The fields ShowTaskResponse and TasksResponseBody share, with the same types."""

    id = fields.String(required=True)
    name = fields.String(required=True)
    type = enum_field(TaskType, required=True)
    os_type = enum_field(OsType, required=True)
    state = enum_field(TaskState, required=True)
    priority = _int(validate=validate.Range(0, 2))
    speed_limit = _int(validate=validate.Range(0, 65535))
    start_target_server = _bool()
    enterprise_project_id = _str()
    migration_ip = _str()
    estimate_complete_time = _int()
    create_date = _int()
    migrate_speed = _num()
    compress_rate = _num()
    error_json = _str()
    total_time = _int()
    network_check_info = _nested(NetworkCheckInfoSchema)
    total_cpu_usage = _num()
    agent_cpu_usage = _num()
    total_mem_usage = _num()
    agent_mem_usage = _num()
    total_disk_io = _num()
    agent_disk_io = _num()
    need_migration_test = _bool()
    subtask_info = _str()


class TaskSchema(_TaskCommonSchema):
    """ShowTaskResponse: the answer of GET /v3/tasks/{task_id}."""

    region_id = _str()
    region_name = _str()
    project_name = _str()
    project_id = _str()
    vm_template_id = _str()
    source_server = _nested(SourceServerSchema)
    target_server = _nested(TargetServerSchema)
    connected = _bool()
    start_date = _int()
    finish_date = _int()
    float_ip = _str()
    remain_seconds = _int()
    target_snapshot_id = _str()
    clone_server = _nested(CloneServerSchema)
    sub_tasks = _list(SubTaskSchema)
    # Not in the SDK model, but the real service answers them and Terraform reads them.
    use_public_ip = _bool()
    syncing = _bool()
    use_ipv6 = _bool()


# --- GET /v3/tasks ---------------------------------------------------------------------------


class SubTaskBriefSchema(ResponseSchema):
    id = _int()
    name = enum_field(SubtaskName, allow_none=True)
    progress = StrictInteger(required=True, validate=validate.Range(0, 100))
    start_date = _int()
    end_date = _int()
    process_trace = _str()


class SourceServerBriefSchema(ResponseSchema):
    id = _str()
    ip = _str()
    name = _str()
    os_type = enum_field(OsType, allow_none=True)
    os_version = _str()
    oem_system = _bool()
    state = enum_field(SourceServerState, allow_none=True)


class TargetServerBriefSchema(ResponseSchema):
    id = _str()
    vm_id = _str()
    name = _str()
    ip = _str()
    os_type = enum_field(OsType, allow_none=True)
    os_version = _str()


class CloneServerBriefSchema(ResponseSchema):
    vm_id = _str()
    name = _str()


class ConfigBodySchema(ResponseSchema):
    config_key = _str()
    config_value = _str()
    config_status = _str()


class TaskBriefSchema(_TaskCommonSchema):
    """TasksResponseBody: one task of GET /v3/tasks."""

    sub_tasks = _list(SubTaskBriefSchema)
    source_server = _nested(SourceServerBriefSchema)
    target_server = _nested(TargetServerBriefSchema)
    log_collect_status = enum_field(LogCollectStatus, allow_none=True)
    clone_server = _nested(CloneServerBriefSchema)
    syncing = _bool()
    special_config = _list(ConfigBodySchema)


class TaskListSchema(ResponseSchema):
    """ListTasksResponse: `count` is every matching task, unaffected by paging."""

    count = StrictInteger(required=True, validate=validate.Range(0, INT64_MAX))
    tasks = fields.List(fields.Nested(TaskBriefSchema), required=True)


class TaskListQuerySchema(RequestSchema):
    """The query of GET /v3/tasks (strings on the wire; numbers must be plain digits)."""

    class Meta:
        unknown = EXCLUDE  # a gateway ignores query parameters an API does not declare

    state = enum_field(TaskState)
    name = fields.String(validate=validate.Length(1, 255))
    id = fields.String(validate=task_id_validator)
    source_server_id = fields.String(validate=validate.Length(1, 36))
    limit = fields.Integer(validate=validate.Range(0, 200), load_default=100)
    offset = fields.Integer(validate=validate.Range(0, 65535), load_default=0)
    enterprise_project_id = fields.String(validate=validate.Length(1, 255))

    @validates_schema(pass_original=True)
    def _digits_only(self, data: dict, original: dict, **kwargs: Any) -> None:
        # marshmallow would read " 5" or "+5" as 5; the query takes plain digits only.
        for key in ("limit", "offset"):
            raw = original.get(key)
            if isinstance(raw, str) and not (raw.isascii() and raw.isdigit()):
                raise ValidationError("Not a valid integer: plain digits only.", key)


# --- POST /v3/tasks/{task_id}/action ---------------------------------------------------------


class TaskActionRequestSchema(RequestSchema):
    """UpdateTaskStatusReq, plus the legacy `param` map (accepted and ignored)."""

    operation = enum_field(Operation, required=True)
    template_id = fields.String(validate=validate.Length(0, 255))
    switch_hce = StrictBoolean()
    is_need_consistency_check = StrictBoolean()
    param = fields.Dict(keys=fields.String(), values=fields.String())
    # `@validates_schema` below, as OpenAPI 3.0 says it: not clone_test, or a template_id.
    json_schema_rules = {
        "anyOf": [
            {"properties": {"operation": {"not": {"enum": [Operation.CLONE_TEST.value]}}}},
            {"properties": {"template_id": {"minLength": 1}}, "required": ["template_id"]},
        ]
    }

    @validates_schema
    def _clone_needs_template(self, data: dict, **kwargs: Any) -> None:
        if data.get("operation") == Operation.CLONE_TEST and not data.get("template_id"):
            raise ValidationError("clone_test needs a template_id.", "template_id")


# --- POST /v3/tasks --------------------------------------------------------------------------

_name255 = validate.Length(1, 255)


class PhysicalVolumeRequestSchema(RequestSchema):
    # The SDK makes every field optional; Terraform copies what the source's GET had.
    device_use = fields.String(validate=validate.Length(1, 255))
    file_system = fields.String(validate=validate.Length(0, 255))
    index = StrictInteger(validate=validate.Range(0, INT64_MAX))
    mount_point = fields.String(validate=validate.Length(0, 1024))
    name = fields.String(validate=validate.Length(1, 1024))
    size = StrictInteger(validate=validate.Range(0, INT64_MAX))
    inode_size = StrictInteger(validate=validate.Range(0, INT64_MAX))
    used_size = StrictInteger(validate=validate.Range(0, INT64_MAX))
    uuid = fields.String(validate=validate.Length(0, 255))


class TargetDiskRequestSchema(RequestSchema):
    """TargetDisks: every field optional in the SDK; `device_use` is a hint, not checked."""

    device_use = fields.String(validate=validate.Length(0, 255))
    disk_id = fields.String(validate=validate.Length(0, 255))
    name = fields.String(validate=validate.Length(1, 1024))
    physical_volumes = fields.List(fields.Nested(PhysicalVolumeRequestSchema))
    size = StrictInteger(validate=validate.Range(0, INT64_MAX))
    # Terraform's template-based task sends none: the source disk's own is used.
    used_size = StrictInteger(validate=validate.Range(0, INT64_MAX))


class LogicalVolumeRequestSchema(RequestSchema):
    block_count = StrictInteger(validate=validate.Range(0, INT64_MAX))
    block_size = StrictInteger(validate=validate.Range(0, INT64_MAX))
    file_system = fields.String(required=True, validate=validate.Length(0, 255))
    inode_size = StrictInteger(validate=validate.Range(0, INT64_MAX))
    inode_nums = StrictInteger(validate=validate.Range(0, INT64_MAX))
    device_use = fields.String(validate=_name255)
    mount_point = fields.String(required=True, validate=validate.Length(0, 1024))
    name = fields.String(required=True, validate=_name255)
    size = StrictInteger(required=True, validate=validate.Range(0, INT64_MAX))
    used_size = StrictInteger(required=True, validate=validate.Range(0, INT64_MAX))
    free_size = StrictInteger(validate=validate.Range(0, INT64_MAX))


class VolumeGroupRequestSchema(RequestSchema):
    components = fields.String(validate=validate.Length(0, 1024))
    free_size = StrictInteger(validate=validate.Range(0, INT64_MAX))
    logical_volumes = fields.List(fields.Nested(LogicalVolumeRequestSchema))
    name = fields.String(required=True, validate=_name255)
    size = StrictInteger(validate=validate.Range(0, INT64_MAX))


# A source id: the emulator's own are 32 hex characters; fixtures may give others of this form.
SOURCE_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
source_id_validator = Pattern(
    SOURCE_ID_PATTERN, error="Must be 1 to 64 characters of A-Z, a-z, 0-9, '_' and '-'."
)


class SourceServerRequestSchema(RequestSchema):
    id = fields.String(required=True, validate=source_id_validator)


class TargetServerRequestSchema(RequestSchema):
    """TargetServerByTask. The SDK marks `name` and `vm_id` required, but Terraform's
    template-based task sends neither, and the real service creates it: both are optional."""

    name = fields.String(validate=validate.Length(1, 255))
    vm_id = fields.String(validate=validate.Length(1, 255))
    disks = fields.List(fields.Nested(TargetDiskRequestSchema), load_default=list)
    volume_groups = fields.List(fields.Nested(VolumeGroupRequestSchema))
    btrfs_list = fields.List(fields.Dict())


# A task name: Chinese characters, letters, digits, '_' and '-' (the SDK's PostTask says so);
# 1 to 255 of them (INFERRED: the SDK gives no length). The service answers SMS.7711 for a name
# that breaks it, and the emulator tells that answer by this message.
TASK_NAME_PATTERN = r"^[A-Za-z0-9_\-\u4e00-\u9fa5]{1,255}$"
TASK_NAME_RULE = "Must be 1 to 255 Chinese characters, letters, digits, '_' or '-'."
task_name_validator = Pattern(TASK_NAME_PATTERN, error=TASK_NAME_RULE)


class CreateTaskRequestSchema(RequestSchema):
    """PostTask: the body of POST /v3/tasks."""

    name = fields.String(required=True, validate=task_name_validator)
    type = enum_field(TaskType, required=True)
    start_target_server = StrictBoolean()
    auto_start = StrictBoolean()
    os_type = enum_field(OsType)
    source_server = fields.Nested(SourceServerRequestSchema, required=True)
    target_server = fields.Nested(TargetServerRequestSchema, required=True)
    migration_ip = fields.String(validate=validate.Length(0, 255))
    region_name = fields.String(required=True, validate=validate.Length(1, 255))
    region_id = fields.String(required=True, validate=validate.Length(1, 255))
    project_name = fields.String(required=True, validate=validate.Length(1, 255))
    project_id = fields.String(required=True, validate=validate.Length(1, 255))
    priority = StrictInteger(validate=validate.Range(0, 2))
    vm_template_id = fields.String(validate=validate.Length(0, 255))
    clonevm_template_id = fields.String(validate=validate.Length(0, 255))
    use_public_ip = StrictBoolean()
    use_ipv6 = StrictBoolean()
    syncing = StrictBoolean()
    exist_server = StrictBoolean()
    start_network_check = StrictBoolean()
    speed_limit = StrictInteger(validate=validate.Range(0, 65535))
    over_speed_threshold = StrictNumber(validate=validate.Range(0, 100))
    is_need_consistency_check = StrictBoolean()
    need_migration_test = StrictBoolean()


class CreateTaskResponseSchema(ResponseSchema):
    id = fields.String(required=True)


# --- POST /v3/tasks/delete -------------------------------------------------------------------


class DeleteTasksRequestSchema(RequestSchema):
    """DeleteTasksReq: every id must name a task of the caller's project, or nothing is deleted."""

    ids = fields.List(
        fields.String(validate=task_id_validator),
        required=True,
        validate=validate.Length(1, 100),
    )


class EmptyResponseSchema(ResponseSchema):
    """The answer of an action or a delete: the SDK models it as a bare string; we send `{}`."""
