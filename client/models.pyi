"""Static types of `models.py`'s results, written by
`python -m sms_mock.client.stubgen` from the contract schemas: do not edit by hand."""

from typing import Any

from marshmallow import Schema

class TaskMixin:
    sub_tasks: Any
    @property
    def current_subtask(self) -> Any | None: ...

def model_of(schema_class: type[Schema]) -> type: ...
def load(schema_class: type[Schema], body: Any, what: str) -> Any: ...
def to_dict(model: Any, *, extra: bool = True) -> Any: ...

class AgentConfig:
    config: dict[str, Any]
    regions: list[dict[str, Any]]
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class BtrfsFileSystemOut:
    name: str | None
    label: str | None
    uuid: str | None
    device: str | None
    size: int | None
    nodesize: int | None
    sectorsize: int | None
    data_profile: str | None
    system_profile: str | None
    metadata_profile: str | None
    global_reserve1: str | None
    g_vol_used_size: int | None
    default_subvolid: str | None
    default_subvol_name: str | None
    default_subvol_mountpath: str | None
    subvolumn: list[BtrfsSubvolumeOut] | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class BtrfsSubvolumeOut:
    uuid: str | None
    is_snapshot: str | None
    subvol_id: str | None
    parent_id: str | None
    subvol_name: str | None
    subvol_mount_path: str | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class CatalogEndpoint:
    url: str
    region: str
    region_id: str
    interface: str
    id: str
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class CatalogEntry:
    type: str
    id: str
    name: str
    endpoints: list[CatalogEndpoint]
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class CertKey:
    cert: str | None
    private_key: str | None
    ca: str | None
    target_mgmt_cert: str | None
    target_mgmt_private_key: str | None
    target_data_cert: str | None
    target_data_private_key: str | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class CloneServer:
    vm_id: str | None
    name: str | None
    clone_error: str | None
    clone_state: str | None
    error_msg: str | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class CloneServerBrief:
    vm_id: str | None
    name: str | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class CloneServerOut:
    vm_id: str | None
    name: str | None
    clone_error: str | None
    clone_state: str | None
    error_msg: str | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class Command:
    command_name: str
    command_param: CommandParam | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class CommandParam:
    task_id: str | None
    bucket: str | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class ConfigBody:
    config_key: str | None
    config_value: str | None
    config_status: str | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class ConfigSettings:
    task_id: str | None
    migrate_type: str | None
    configurations: list[ConfigBody] | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class ConsistencyCheck:
    finished_time: int | None
    check_result: str | None
    consistency_result: list[dict[str, Any]] | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class ConsistencyResults:
    task_id: str | None
    result_list: list[ConsistencyCheck]
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class CurrentTask:
    id: str | None
    name: str | None
    type: str | None
    state: str | None
    estimate_complete_time: int | None
    start_date: int | None
    speed_limit: int | None
    migrate_speed: float | None
    compress_rate: float | None
    start_target_server: bool | None
    vm_template_id: str | None
    region_id: str | None
    project_name: str | None
    project_id: str | None
    target_server: TargetServerById | None
    log_collect_status: str | None
    exist_server: bool | None
    use_public_ip: bool | None
    clone_server: CloneServerOut | None
    remain_seconds: int | None
    log_bucket: str | None
    log_expire: int | None
    log_upload_time: int | None
    log_share_url: str | None
    subtask_info: str | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class EnvironmentCheck:
    id: int | None
    params: list[str] | None
    name: str | None
    result: str | None
    error_code: str | None
    error_or_warn: str | None
    error_params: str | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class Federation:
    groups: list[dict[str, Any]] | None
    identity_provider: dict[str, Any] | None
    protocol: dict[str, Any] | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class IdName:
    id: str
    name: str
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class InitTargetDisk:
    id: int | None
    name: str | None
    size: int | None
    device_use: str | None
    used_size: int | None
    physical_volumes: list[PhysicalVolumeOut] | None
    adjust_size: int | None
    need_migration: bool | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class InitTargetServer:
    disks: list[InitTargetDisk] | None
    volume_groups: list[VolumeGroupOut] | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class LogicalVolume:
    block_count: int | None
    block_size: int | None
    file_system: str | None
    inode_size: int | None
    inode_nums: int | None
    device_use: str | None
    mount_point: str | None
    name: str | None
    size: int | None
    used_size: int | None
    free_size: int | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class LogicalVolumeOut:
    block_count: int | None
    block_size: int | None
    file_system: str | None
    inode_size: int | None
    inode_nums: int | None
    device_use: str | None
    mount_point: str | None
    name: str | None
    size: int | None
    used_size: int | None
    free_size: int | None
    id: int | None
    adjust_size: int | None
    need_migration: bool | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class Migproject:
    name: str | None
    description: str | None
    isdefault: bool | None
    region: str | None
    start_target_server: bool | None
    speed_limit: int | None
    use_public_ip: bool | None
    exist_server: bool | None
    type: str | None
    enterprise_project: str | None
    syncing: bool | None
    start_network_check: bool | None
    id: str
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class MigprojectDetail:
    name: str | None
    description: str | None
    isdefault: bool | None
    region: str | None
    start_target_server: bool | None
    speed_limit: int | None
    use_public_ip: bool | None
    exist_server: bool | None
    type: str | None
    enterprise_project: str | None
    syncing: bool | None
    start_network_check: bool | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class MigprojectPage:
    count: int
    migprojects: list[Migproject]
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class MigrationError:
    error_json: str | None
    host_name: str | None
    name: str | None
    source_id: str | None
    source_ip: str | None
    target_ip: str | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class MigrationErrorPage:
    count: int
    migration_errors: list[MigrationError]
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class NetworkCheckInfo:
    domain_connectivity: bool | None
    destination_connectivity: bool | None
    network_delay: float | None
    network_jitter: float | None
    migration_speed: float | None
    loss_percentage: float | None
    cpu_usage: float | None
    mem_usage: float | None
    evaluation_result: str | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class NetworkOut:
    name: str | None
    ip: str | None
    ipv6: str | None
    netmask: str | None
    gateway: str | None
    mtu: int | None
    mac: str | None
    id: str | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class NicOut:
    id: str | None
    name: str | None
    cidr: str | None
    ip: str | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class Passphrase:
    task_id: str | None
    passphrase: str | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class PhysicalVolumeOut:
    id: int | None
    device_use: str | None
    file_system: str | None
    index: int | None
    mount_point: str | None
    name: str | None
    size: int | None
    used_size: int | None
    inode_size: int | None
    inode_nums: int | None
    uuid: str | None
    size_per_cluster: int | None
    adjust_size: int | None
    need_migration: bool | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class PrivacyAgreement:
    flag: bool
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class PublicIpOut:
    type: str | None
    bandwidth_size: int | None
    bandwidth_share_type: str | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class Role:
    id: str
    name: str
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class SecurityGroupOut:
    id: str | None
    name: str | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class ServerDiskOut:
    id: int | None
    name: str | None
    partition_style: str | None
    device_use: str | None
    size: int | None
    used_size: int | None
    physical_volumes: list[PhysicalVolumeOut] | None
    os_disk: bool | None
    relation_name: str | None
    inode_size: int | None
    adjust_size: int | None
    need_migration: bool | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class Sha256:
    value: str
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class Source:
    id: str
    ip: str | None
    name: str | None
    enterprise_project_id: str | None
    add_date: int | None
    os_type: str | None
    os_version: str | None
    oem_system: bool | None
    state: str | None
    connected: bool | None
    cpu_quantity: int | None
    memory: int | None
    current_task: CurrentTask | None
    checks: list[EnvironmentCheck] | None
    init_target_server: InitTargetServer | None
    replicatesize: int | None
    totalsize: int | None
    last_visit_time: int | None
    stage_action_time: int | None
    state_action_time: int | None
    migration_cycle: str | None
    has_tc: bool | None
    start_type: str | None
    agent_version: str | None
    hostname: str | None
    firmware: str | None
    disks: list[ServerDiskOut] | None
    volume_groups: list[VolumeGroupOut] | None
    btrfs_list: list[BtrfsFileSystemOut] | None
    networks: list[NetworkOut] | None
    adjust_disk: bool | None
    migprojectid: str | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class SourceOverview:
    waiting: int
    replicate: int
    syncing: int
    stopped: int
    deleting: int
    cutovering: int
    unavailable: int
    stopping: int
    skipping: int
    finished: int
    initialize: int
    error: int
    cloning: int
    unconfigured: int
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class SourcePage:
    count: int
    source_servers: list[SourceSummary]
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class SourceServer:
    id: str | None
    ip: str | None
    name: str | None
    os_type: str | None
    os_version: str | None
    oem_system: bool | None
    state: str | None
    migration_cycle: str | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class SourceServerBrief:
    id: str | None
    ip: str | None
    name: str | None
    os_type: str | None
    os_version: str | None
    oem_system: bool | None
    state: str | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class SourceSummary:
    id: str
    ip: str | None
    name: str | None
    enterprise_project_id: str | None
    add_date: int | None
    os_type: str | None
    os_version: str | None
    oem_system: bool | None
    state: str | None
    connected: bool | None
    cpu_quantity: int | None
    memory: int | None
    current_task: CurrentTask | None
    checks: list[EnvironmentCheck] | None
    init_target_server: InitTargetServer | None
    replicatesize: int | None
    totalsize: int | None
    last_visit_time: int | None
    stage_action_time: int | None
    state_action_time: int | None
    migration_cycle: str | None
    has_tc: bool | None
    start_type: str | None
    agent_version: str | None
    is_consistency_result_exist: bool | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class SpeedLimits:
    speed_limit: list[SpeedWindow]
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class SpeedWindow:
    start: str
    end: str
    speed: int
    over_speed_threshold: float | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class SubTask:
    id: int | None
    name: str | None
    progress: int
    start_date: int | None
    end_date: int | None
    migrate_speed: float | None
    user_op: str | None
    process_trace: str | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class SubTaskBrief:
    id: int | None
    name: str | None
    progress: int
    start_date: int | None
    end_date: int | None
    process_trace: str | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class TargetDisk:
    id: int | None
    device_use: str | None
    disk_id: str | None
    name: str | None
    physical_volumes: list[TargetPhysicalVolume] | None
    size: int | None
    used_size: int | None
    disk_index: str | None
    os_disk: bool | None
    partition_style: str | None
    relation_name: str | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class TargetPassword:
    template_id: str | None
    target_password: str | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class TargetPhysicalVolume:
    id: int | None
    device_use: str | None
    file_system: str | None
    index: int | None
    mount_point: str | None
    name: str | None
    size: int | None
    used_size: int | None
    uuid: str | None
    relation_name: str | None
    free_size: int | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class TargetServer:
    id: str | None
    vm_id: str | None
    name: str | None
    ip: str | None
    os_type: str | None
    os_version: str | None
    system_dir: str | None
    disks: list[TargetDisk] | None
    volume_groups: list[VolumeGroup] | None
    btrfs_list: list[str] | None
    image_disk_id: str | None
    cutovered_snapshot_ids: str | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class TargetServerBrief:
    id: str | None
    vm_id: str | None
    name: str | None
    ip: str | None
    os_type: str | None
    os_version: str | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class TargetServerById:
    vm_id: str | None
    name: str | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class Task(TaskMixin):
    id: str
    name: str
    type: str
    os_type: str
    state: str
    priority: int | None
    speed_limit: int | None
    start_target_server: bool | None
    enterprise_project_id: str | None
    migration_ip: str | None
    estimate_complete_time: int | None
    create_date: int | None
    migrate_speed: float | None
    compress_rate: float | None
    error_json: str | None
    total_time: int | None
    network_check_info: NetworkCheckInfo | None
    total_cpu_usage: float | None
    agent_cpu_usage: float | None
    total_mem_usage: float | None
    agent_mem_usage: float | None
    total_disk_io: float | None
    agent_disk_io: float | None
    need_migration_test: bool | None
    subtask_info: str | None
    region_id: str | None
    region_name: str | None
    project_name: str | None
    project_id: str | None
    vm_template_id: str | None
    source_server: SourceServer | None
    target_server: TargetServer | None
    connected: bool | None
    start_date: int | None
    finish_date: int | None
    float_ip: str | None
    remain_seconds: int | None
    target_snapshot_id: str | None
    clone_server: CloneServer | None
    sub_tasks: list[SubTask] | None
    use_public_ip: bool | None
    syncing: bool | None
    use_ipv6: bool | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class TaskPage:
    count: int
    tasks: list[TaskSummary]
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class TaskSummary(TaskMixin):
    id: str
    name: str
    type: str
    os_type: str
    state: str
    priority: int | None
    speed_limit: int | None
    start_target_server: bool | None
    enterprise_project_id: str | None
    migration_ip: str | None
    estimate_complete_time: int | None
    create_date: int | None
    migrate_speed: float | None
    compress_rate: float | None
    error_json: str | None
    total_time: int | None
    network_check_info: NetworkCheckInfo | None
    total_cpu_usage: float | None
    agent_cpu_usage: float | None
    total_mem_usage: float | None
    agent_mem_usage: float | None
    total_disk_io: float | None
    agent_disk_io: float | None
    need_migration_test: bool | None
    subtask_info: str | None
    sub_tasks: list[SubTaskBrief] | None
    source_server: SourceServerBrief | None
    target_server: TargetServerBrief | None
    log_collect_status: str | None
    clone_server: CloneServerBrief | None
    syncing: bool | None
    special_config: list[ConfigBody] | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class Template:
    id: str
    name: str | None
    is_template: str | None
    region: str | None
    projectid: str | None
    target_server_name: str | None
    availability_zone: str | None
    volumetype: str | None
    flavor: str | None
    vpc: VpcOut | None
    nics: list[NicOut] | None
    security_groups: list[SecurityGroupOut] | None
    publicip: PublicIpOut | None
    disk: list[TemplateDiskOut] | None
    data_volume_type: str | None
    target_password: str | None
    image_id: str | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class TemplateDiskOut:
    id: int | None
    index: int | None
    name: str | None
    disktype: str | None
    size: int | None
    device_use: str | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class TemplatePage:
    count: int
    templates: list[Template]
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class Token:
    methods: list[str]
    expires_at: str
    issued_at: str
    catalog: list[CatalogEntry]
    domain: IdName | None
    project: TokenProject | None
    roles: list[Role]
    user: TokenUser
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class TokenProject:
    id: str
    name: str
    domain: IdName
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class TokenResponse:
    token: Token
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class TokenUser:
    id: str
    name: str
    password_expires_at: str
    domain: IdName
    os_federation: Federation | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class VolumeGroup:
    components: str | None
    free_size: int | None
    logical_volumes: list[LogicalVolume] | None
    name: str | None
    size: int | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class VolumeGroupOut:
    components: str | None
    free_size: int | None
    logical_volumes: list[LogicalVolumeOut] | None
    name: str | None
    size: int | None
    id: int | None
    adjust_size: int | None
    need_migration: bool | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...

class VpcOut:
    id: str | None
    name: str | None
    cidr: str | None
    extra: dict[str, Any]
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...
