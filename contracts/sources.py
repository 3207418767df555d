"""SMS v3 source servers: what an agent registers, what the list, show, overview and error list
answer, and the bodies of rename, changestate, diskinfo and delete-many.

Response schemas carry every key of the official SDK 3.1.219 models (SourceServersResponseBody,
ShowServerResponse and their children), plus the keys Terraform's provider reads that the SDK
lacks (`agent_version` in the list, `adjust_disk`, and a disk's `id`, `adjust_size` and
`need_migration`); every key is nullable. Requests follow the SDK's models, with the exceptions
README's "Source servers" section lists.
"""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, ValidationError, fields, validate, validates_schema

from sms_mock.contracts.base import RequestSchema, ResponseSchema, any_of_required
from sms_mock.contracts.enums import (
    MigrationCycle,
    OsType,
    SourceCopyState,
    SourceMigrationCycle,
    SourceServerState,
    TaskType,
)
from sms_mock.contracts.fields import StrictBoolean, StrictInteger, StrictNumber, enum_field
from sms_mock.contracts.sms import (
    INT64_MAX,
    LogicalVolumeSchema,
    VolumeGroupSchema,
    _bool,
    _int,
    _list,
    _nested,
    _num,
    _str,
)

_size = validate.Range(0, INT64_MAX)
_text = validate.Length(0, 1024)
_name = validate.Length(1, 255)


def _size_field(**kw: Any) -> StrictInteger:
    return StrictInteger(validate=_size, **kw)


# --- POST /v3/sources (the agent's registration) ----------------------------------------------


class PhysicalVolumeInSchema(RequestSchema):
    """PhysicalVolume of a source disk."""

    device_use = fields.String(validate=_text)
    file_system = fields.String(validate=_text)
    index = StrictInteger(validate=validate.Range(0, INT64_MAX))
    mount_point = fields.String(validate=_text)
    name = fields.String(validate=_text)
    size = _size_field()
    used_size = _size_field()
    inode_size = _size_field()
    inode_nums = _size_field()
    uuid = fields.String(validate=_text)
    size_per_cluster = _size_field()


class ServerDiskInSchema(RequestSchema):
    """ServerDisk: a disk of the source as the agent sees it (sizes in bytes)."""

    name = fields.String(validate=_text)
    partition_style = fields.String(validate=_text)  # MBR, GPT, ...: not an enum on the wire
    device_use = fields.String(validate=_text)
    size = _size_field()
    used_size = _size_field()
    physical_volumes = fields.List(fields.Nested(PhysicalVolumeInSchema))
    os_disk = StrictBoolean()
    relation_name = fields.String(validate=_text)
    inode_size = _size_field()


class BtrfsSubvolumeInSchema(RequestSchema):
    uuid = fields.String(validate=_text)
    is_snapshot = fields.String(validate=_text)
    subvol_id = fields.String(validate=_text)
    parent_id = fields.String(validate=_text)
    subvol_name = fields.String(validate=_text)
    subvol_mount_path = fields.String(validate=_text)


class BtrfsFileSystemInSchema(RequestSchema):
    name = fields.String(validate=_text)
    label = fields.String(validate=_text)
    uuid = fields.String(validate=_text)
    device = fields.String(validate=_text)
    size = _size_field()
    nodesize = _size_field()
    sectorsize = _size_field()
    data_profile = fields.String(validate=_text)
    system_profile = fields.String(validate=_text)
    metadata_profile = fields.String(validate=_text)
    global_reserve1 = fields.String(validate=_text)
    g_vol_used_size = _size_field()
    default_subvolid = fields.String(validate=_text)
    default_subvol_name = fields.String(validate=_text)
    default_subvol_mountpath = fields.String(validate=_text)
    subvolumn = fields.List(fields.Nested(BtrfsSubvolumeInSchema))  # sic: the SDK's spelling


class NetworkInSchema(RequestSchema):
    name = fields.String(validate=_text)
    ip = fields.String(validate=_text)
    ipv6 = fields.String(validate=_text)
    netmask = fields.String(validate=_text)
    gateway = fields.String(validate=_text)
    mtu = StrictInteger(validate=validate.Range(0, 65535))
    mac = fields.String(required=True, validate=_text)
    id = fields.String(validate=_text)


class LogicalVolumeInSchema(RequestSchema):
    block_count = _size_field()
    block_size = _size_field()
    file_system = fields.String(validate=_text)
    inode_size = _size_field()
    inode_nums = _size_field()
    device_use = fields.String(validate=_text)
    mount_point = fields.String(validate=_text)
    name = fields.String(validate=_text)
    size = _size_field()
    used_size = _size_field()
    free_size = _size_field()


class VolumeGroupInSchema(RequestSchema):
    components = fields.String(validate=_text)
    free_size = _size_field()
    logical_volumes = fields.List(fields.Nested(LogicalVolumeInSchema))
    name = fields.String(validate=_text)
    size = _size_field()


class RegisterSourceRequestSchema(RequestSchema):
    """PostSourceServerBody, and `virtualization_type`, which Terraform's provider sends."""

    id = fields.String(validate=_name)
    ip = fields.String(validate=_text)
    ipv6 = fields.String(validate=_text)
    name = fields.String(required=True, validate=_name)
    hostname = fields.String(validate=_text)
    os_type = enum_field(OsType, required=True)
    os_version = fields.String(required=True, validate=_name)
    virtualization_type = fields.String(validate=_text)  # not in the SDK model: kept, not used
    linux_block_check = fields.String(validate=_text)
    firmware = fields.String(validate=_text)
    cpu_quantity = StrictInteger(validate=validate.Range(0, 65535))
    memory = _size_field()
    disks = fields.List(fields.Nested(ServerDiskInSchema), validate=validate.Length(0, 64))
    btrfs_list = fields.List(fields.Nested(BtrfsFileSystemInSchema))
    networks = fields.List(
        fields.Nested(NetworkInSchema), required=True, validate=validate.Length(0, 64)
    )
    domain_id = fields.String(validate=_text)
    has_rsync = StrictBoolean()
    paravirtualization = StrictBoolean()
    raw_devices = fields.String(validate=_text)
    driver_files = StrictBoolean()
    system_services = StrictBoolean()
    account_rights = StrictBoolean()
    boot_loader = fields.String(validate=_text)
    system_dir = fields.String(validate=_text)
    volume_groups = fields.List(fields.Nested(VolumeGroupInSchema))
    agent_version = fields.String(required=True, validate=_name)
    kernel_version = fields.String(validate=_text)
    migration_cycle = enum_field(MigrationCycle)
    state = enum_field(SourceServerState)
    oem_system = StrictBoolean()
    start_type = fields.String(validate=_text)  # MANUAL, AUTO or empty: not checked
    io_read_wait = StrictNumber(validate=validate.Range(0, 1e9))
    has_tc = StrictBoolean()
    platform = fields.String(validate=_text)
    json_schema_rules = any_of_required(("ip",), ("ipv6",), non_empty=True)

    @validates_schema
    def _an_address(self, data: dict, **kwargs: Any) -> None:
        if not data.get("ip") and not data.get("ipv6"):
            raise ValidationError("One of ip and ipv6 is required.", "ip")


class IdResponseSchema(ResponseSchema):
    """`{"id"}`: what a create or a registration answers."""

    id = fields.String(required=True)


# --- PUT /v3/sources/{id}, .../changestate, .../diskinfo; POST /v3/sources/delete -----------


def _adjust_id(**kw: Any) -> fields.Raw:
    # The SDK sends these ids as strings, Terraform as integers: both are the disk's id.
    return fields.Raw(validate=_integer_or_digits, metadata={"anyOf": ADJUST_ID_FORMS}, **kw)


ADJUST_ID_FORMS = [
    {"type": "integer", "minimum": 0, "maximum": INT64_MAX},
    {"type": "string", "pattern": "^[0-9]{1,19}$"},
]


def _integer_or_digits(value: Any) -> None:
    if isinstance(value, bool) or not (
        (isinstance(value, int) and 0 <= value <= INT64_MAX)
        or (isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19)
    ):
        raise ValidationError("An id: a JSON integer or a string of digits.")


class AdjustVolumeSchema(RequestSchema):
    id = _adjust_id()
    need_migration = StrictBoolean()
    adjust_size = _size_field()


class AdjustDiskSchema(RequestSchema):
    id = _adjust_id()
    need_migration = StrictBoolean()
    adjust_size = _size_field()
    physical_volumes = fields.List(fields.Nested(AdjustVolumeSchema))


class AdjustVolumeGroupSchema(RequestSchema):
    id = _adjust_id()
    need_migration = StrictBoolean()
    adjust_size = _size_field()
    logical_volumes = fields.List(fields.Nested(AdjustVolumeSchema))


class UpdateSourceRequestSchema(RequestSchema):
    """PutSourceServerBody: a new name, another migproject, or disks to skip or resize."""

    name = fields.String(validate=_name)
    migprojectid = fields.String(validate=_name)
    disks = fields.List(fields.Nested(AdjustDiskSchema))
    volume_groups = fields.List(fields.Nested(AdjustVolumeGroupSchema))


class SourceStateRequestSchema(RequestSchema):
    """PutCopyStateReq. The SDK marks both required; Terraform leaves out an empty one."""

    copystate = enum_field(SourceCopyState)
    migrationcycle = enum_field(SourceMigrationCycle)
    json_schema_rules = any_of_required(("copystate",), ("migrationcycle",))

    @validates_schema
    def _something(self, data: dict, **kwargs: Any) -> None:
        if not data:
            raise ValidationError("Give copystate, migrationcycle or both.", "copystate")


class DiskInfoRequestSchema(RequestSchema):
    """PutDiskInfoReq: the source's disks, volume groups and btrfs, replaced as given."""

    disks = fields.List(fields.Nested(ServerDiskInSchema), validate=validate.Length(0, 64))
    volumegroups = fields.List(fields.Nested(VolumeGroupInSchema))
    btrfs_list = fields.List(fields.Nested(BtrfsFileSystemInSchema))


class DeleteIdsRequestSchema(RequestSchema):
    """DeleteIds: every id must name a resource of the caller's project, or nothing goes."""

    ids = fields.List(
        fields.String(validate=validate.Length(1, 64)),
        required=True,
        validate=validate.Length(1, 100),
    )


# --- queries ----------------------------------------------------------------------------------


class _Query(RequestSchema):
    class Meta:
        unknown = EXCLUDE  # a gateway ignores query parameters an API does not declare


def _query_bool() -> fields.Boolean:
    # A query value is text: the SDK writes Python's True/False, other clients true/false.
    return fields.Boolean(truthy={"true", "True", "TRUE"}, falsy={"false", "False", "FALSE"})


class SourceListQuerySchema(_Query):
    """The query of GET /v3/sources."""

    state = enum_field(SourceServerState)
    name = fields.String(validate=_name)
    id = fields.String(validate=_name)
    ip = fields.String(validate=_text)
    ipv6 = fields.String(validate=_text)
    migproject = fields.String(validate=_name)
    limit = fields.Integer(validate=validate.Range(0, 200), load_default=0)  # 0: 200
    offset = fields.Integer(validate=validate.Range(0, 65535), load_default=0)
    migration_cycle = enum_field(MigrationCycle)
    connected = _query_bool()
    enterprise_project_id = fields.String(validate=_name)
    is_consistency_result_exist = _query_bool()
    vm_id = fields.String(validate=_name)


class ErrorListQuerySchema(_Query):
    """The query of GET /v3/errors (`migproject` is Terraform's; the SDK does not send it)."""

    limit = fields.Integer(validate=validate.Range(0, 100), load_default=50)
    offset = fields.Integer(validate=validate.Range(0, 65535), load_default=0)
    enterprise_project_id = fields.String(validate=_name)
    migproject = fields.String(validate=_name)


# --- answers ------------------------------------------------------------------------------------


class PhysicalVolumeOutSchema(ResponseSchema):
    id = _int()
    device_use = _str()
    file_system = _str()
    index = _int()
    mount_point = _str()
    name = _str()
    size = _int()
    used_size = _int()
    inode_size = _int()
    inode_nums = _int()
    uuid = _str()
    size_per_cluster = _int()
    adjust_size = _int()
    need_migration = _bool()


class ServerDiskOutSchema(ResponseSchema):
    id = _int()
    name = _str()
    partition_style = _str()
    device_use = _str()
    size = _int()
    used_size = _int()
    physical_volumes = _list(PhysicalVolumeOutSchema)
    os_disk = _bool()
    relation_name = _str()
    inode_size = _int()
    adjust_size = _int()
    need_migration = _bool()


class LogicalVolumeOutSchema(LogicalVolumeSchema):
    id = _int()
    adjust_size = _int()
    need_migration = _bool()


class VolumeGroupOutSchema(VolumeGroupSchema):
    id = _int()
    logical_volumes = _list(LogicalVolumeOutSchema)
    adjust_size = _int()
    need_migration = _bool()


class BtrfsSubvolumeOutSchema(ResponseSchema):
    uuid = _str()
    is_snapshot = _str()
    subvol_id = _str()
    parent_id = _str()
    subvol_name = _str()
    subvol_mount_path = _str()


class BtrfsFileSystemOutSchema(ResponseSchema):
    name = _str()
    label = _str()
    uuid = _str()
    device = _str()
    size = _int()
    nodesize = _int()
    sectorsize = _int()
    data_profile = _str()
    system_profile = _str()
    metadata_profile = _str()
    global_reserve1 = _str()
    g_vol_used_size = _int()
    default_subvolid = _str()
    default_subvol_name = _str()
    default_subvol_mountpath = _str()
    subvolumn = _list(BtrfsSubvolumeOutSchema)


class NetworkOutSchema(ResponseSchema):
    name = _str()
    ip = _str()
    ipv6 = _str()
    netmask = _str()
    gateway = _str()
    mtu = _int()
    mac = _str()
    id = _str()


class EnvironmentCheckSchema(ResponseSchema):
    id = _int()
    params = _list(fields.String())
    name = _str()
    result = _str()
    error_code = _str()
    error_or_warn = _str()
    error_params = _str()


class InitTargetDiskSchema(ResponseSchema):
    """DiskIntargetServer: a suggested target disk, derived from a source disk."""

    id = _int()
    name = _str()
    size = _int()
    device_use = _str()
    used_size = _int()
    physical_volumes = _list(PhysicalVolumeOutSchema)
    adjust_size = _int()
    need_migration = _bool()


class InitTargetServerSchema(ResponseSchema):
    disks = _list(InitTargetDiskSchema)
    volume_groups = _list(VolumeGroupOutSchema)


class TargetServerByIdSchema(ResponseSchema):
    vm_id = _str()
    name = _str()


class CloneServerOutSchema(ResponseSchema):
    vm_id = _str()
    name = _str()
    clone_error = _str()
    clone_state = _str()
    error_msg = _str()


class CurrentTaskSchema(ResponseSchema):
    """TaskByServerSource(s): the source's task, as the source answers carry it."""

    id = _str()
    name = _str()
    type = enum_field(TaskType, allow_none=True)
    state = _str()
    estimate_complete_time = _int()
    start_date = _int()
    speed_limit = _int()
    migrate_speed = _num()
    compress_rate = _num()
    start_target_server = _bool()
    vm_template_id = _str()
    region_id = _str()
    project_name = _str()
    project_id = _str()
    target_server = _nested(TargetServerByIdSchema)
    log_collect_status = _str()
    exist_server = _bool()
    use_public_ip = _bool()
    # Always null: Terraform's provider reads this key as a list and fails on an object.
    clone_server = _nested(CloneServerOutSchema)
    remain_seconds = _int()
    log_bucket = _str()
    log_expire = _int()
    log_upload_time = _int()
    log_share_url = _str()
    subtask_info = _str()


class _SourceCommonSchema(ResponseSchema):
    id = fields.String(required=True)
    ip = _str()
    name = _str()
    enterprise_project_id = _str()
    add_date = _int()  # epoch ms
    os_type = enum_field(OsType, allow_none=True)
    os_version = _str()
    oem_system = _bool()
    state = enum_field(SourceServerState, allow_none=True)
    connected = _bool()
    cpu_quantity = _int()
    memory = _int()  # as the agent registered it
    current_task = _nested(CurrentTaskSchema)
    checks = _list(EnvironmentCheckSchema)
    init_target_server = _nested(InitTargetServerSchema)
    replicatesize = _int()
    totalsize = _int()
    last_visit_time = _int()
    stage_action_time = _int()
    state_action_time = _int()
    migration_cycle = enum_field(SourceMigrationCycle, allow_none=True)  # changestate may set any
    has_tc = _bool()
    start_type = _str()
    agent_version = _str()


class SourceBriefSchema(_SourceCommonSchema):
    """SourceServersResponseBody: one source of GET /v3/sources."""

    is_consistency_result_exist = _bool()


class SourceSchema(_SourceCommonSchema):
    """ShowServerResponse: GET /v3/sources/{source_id}."""

    hostname = _str()
    firmware = _str()
    disks = _list(ServerDiskOutSchema)
    volume_groups = _list(VolumeGroupOutSchema)
    btrfs_list = _list(BtrfsFileSystemOutSchema)
    networks = _list(NetworkOutSchema)
    adjust_disk = _bool()  # not in the SDK model; Terraform's provider reads it
    migprojectid = _str()  # the migproject the source belongs to


class SourceListSchema(ResponseSchema):
    """ListServersResponse: `count` is every matching source, unaffected by paging."""

    count = StrictInteger(required=True, validate=validate.Range(0, INT64_MAX))
    source_servers = fields.List(fields.Nested(SourceBriefSchema), required=True)


OVERVIEW_STATES = (
    "waiting",
    "replicate",
    "syncing",
    "stopped",
    "deleting",
    "cutovering",
    "unavailable",
    "stopping",
    "skipping",
    "finished",
    "initialize",
    "error",
    "cloning",
    "unconfigured",
)


class SourceOverviewSchema(ResponseSchema):
    """ShowOverviewResponse: how many of the project's sources are in each state."""

    waiting = StrictInteger(required=True)
    replicate = StrictInteger(required=True)
    syncing = StrictInteger(required=True)
    stopped = StrictInteger(required=True)
    deleting = StrictInteger(required=True)
    cutovering = StrictInteger(required=True)
    unavailable = StrictInteger(required=True)
    stopping = StrictInteger(required=True)
    skipping = StrictInteger(required=True)
    finished = StrictInteger(required=True)
    initialize = StrictInteger(required=True)
    error = StrictInteger(required=True)
    cloning = StrictInteger(required=True)
    unconfigured = StrictInteger(required=True)


class MigrationErrorSchema(ResponseSchema):
    error_json = _str()
    host_name = _str()
    name = _str()
    source_id = _str()
    source_ip = _str()
    target_ip = _str()


class ErrorListSchema(ResponseSchema):
    """ListErrorServersResponse: the sources whose task failed."""

    count = StrictInteger(required=True, validate=validate.Range(0, INT64_MAX))
    migration_errors = fields.List(fields.Nested(MigrationErrorSchema), required=True)
