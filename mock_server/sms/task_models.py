"""SMS resources: a task is its answer document plus what keeps it moving."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from sms_mock.contracts.enums import OsType, TaskState, TaskType
from sms_mock.contracts.shape import fill_nulls, shape_of
from sms_mock.contracts.sms import TaskSchema
from sms_mock.mock_server.core.ids import new_id
from sms_mock.mock_server.sms.lifecycle import PhaseKind, log_pending
from sms_mock.mock_server.sms.source_models import used_bytes

TASK_SHAPE = shape_of(TaskSchema)
# The real service's default enterprise project: a task made without one answers it, as a
# source does.
DEFAULT_ENTERPRISE_PROJECT_ID = "0"


@dataclass
class Run:
    """A phase under way: `pending` sub-task entries still to finish, the first one moving."""

    phase: str  # the phase name, also each entry's user_op: REPLICATE, CUTOVER1, ...
    kind: PhaseKind
    pending: list[int]  # indices into doc["sub_tasks"], in order
    t0: int  # when pending[0] started or resumed, epoch ms
    p0: int  # its progress at t0


@dataclass
class Timer:
    """A state that ends by itself (ABORTING, SYNC_F_ROLLBACKING) at `until`."""

    until: int
    then: TaskState


_ABSENT = object()  # a key an action added: taking the action back deletes it


@dataclass(eq=False, slots=True)
class Undo:
    """What an action changed in a task, to take back if it fails half-way: each value it set
    (the mapping, the key, the value before) and each list it grew (the list, its length
    before), oldest first, and the task's own fields as they were. It holds what the action
    touched, a dozen rows for a dozen fields, not a copy of the task."""

    run: Run | None
    timer: Timer | None
    version: int
    settings: dict[str, Any] | None
    rows: list[tuple[Any, Any, Any]] = field(default_factory=list)


def put(task: Task, mapping: dict[str, Any], key: str, value: Any) -> None:
    """`mapping[key] = value`, a part of `task`'s document or settings, kept in its undo."""
    undo = task.undo
    if undo is not None:
        undo.rows.append((mapping, key, mapping.get(key, _ABSENT)))
    mapping[key] = value


def grow(task: Task, items: list[Any], more: Iterable[Any]) -> None:
    """`items.extend(more)`, a list of `task`'s document, kept in its undo."""
    undo = task.undo
    if undo is not None:
        undo.rows.append((items, None, len(items)))
    items.extend(more)


@dataclass(init=False, eq=False, slots=True)
class Task:
    """A task's answer document and its lifecycle state.

    A task put in at rest is kept packed until something changes it: its answer zlib-compressed
    against a default task's, plus the few fields a list filters and sorts on. Tests put tasks
    in by the hundred thousand, and a document's dicts take twice the bytes of its JSON. Asking
    for `doc` unpacks it for good; `render` (which caches the answer of a task that is read) and
    `state` do not.
    """

    id: str
    project_id: str
    durations: dict[str, float]  # per-task overrides, seconds
    run: Run | None
    timer: Timer | None
    version: int
    # What the task's settings calls set (speed-limit windows, configurations, passphrase);
    # None until one is set, so that a task at rest costs no dict.
    settings: dict[str, Any] | None
    _doc: dict[str, Any] | None  # the full answer of GET /v3/tasks/{id}; None while packed
    _packed: bytes | None = field(repr=False)
    _listed: dict[str, Any] | None = field(repr=False)  # `listed` of a packed task
    _cached: tuple[int, bytes] | None = field(repr=False)
    # While an action is applied (`begin`), what it changed; None otherwise.
    undo: Undo | None = field(repr=False)

    def __init__(
        self,
        id: str,
        doc: dict[str, Any],
        durations: dict[str, float] | None = None,
        run: Run | None = None,
        timer: Timer | None = None,
        version: int = 0,
        settings: dict[str, Any] | None = None,
        project_id: str = "",
    ) -> None:
        self.id = id
        self.project_id = project_id  # where it is kept (its task faults are that project's)
        self.settings = settings
        self._doc = doc
        self.durations = {} if durations is None else durations
        self.run = run
        self.timer = timer
        self.version = version
        self._packed = self._listed = self._cached = None
        self.undo = None

    @property
    def doc(self) -> dict[str, Any]:
        """The full answer document, every key present; a packed task is unpacked for good."""
        if self._doc is None:
            # Unchanged until it is touched: a cached answer stays good.
            self._doc = json.loads(_unpack(self._packed))  # type: ignore[arg-type]
            self._packed = self._listed = None
        return self._doc

    def peek(self) -> dict[str, Any]:
        """The document to read and let go: the task's own, or a packed task's fresh decode."""
        if self._doc is not None:
            return self._doc
        return json.loads(_unpack(self._packed))  # type: ignore[arg-type]

    @property
    def listed(self) -> dict[str, Any]:
        """What a list filters and sorts on (`task_index.indexed`), unpacking
        nothing: the document itself, or the packed task's copy of those fields."""
        return self._doc if self._doc is not None else self._listed  # type: ignore[return-value]

    @property
    def state(self) -> str:
        return self.listed["state"]

    @property
    def live(self) -> bool:
        return self.run is not None or self.timer is not None

    def touch(self) -> None:
        self.version += 1

    def begin(self) -> None:
        """Keep what follows, until `commit` or `roll_back`: every change the lifecycle engine
        makes goes through `put` and `grow`, which note the value before."""
        run = self.run
        if run is not None:  # a run changes in place: kept as it was
            run = Run(run.phase, run.kind, list(run.pending), run.t0, run.p0)
        self.undo = Undo(run, self.timer, self.version, self.settings)

    def commit(self) -> None:
        self.undo = None

    def roll_back(self) -> None:
        """The task exactly as at `begin`: every change taken back, newest first."""
        undo = self.undo
        assert undo is not None
        for where, key, before in reversed(undo.rows):
            if key is None:
                del where[before:]  # a list grown: back to its length
            elif before is _ABSENT:
                del where[key]
            else:
                where[key] = before
        self.run, self.timer, self.version = undo.run, undo.timer, undo.version
        self.settings = undo.settings
        self._cached = None
        self.undo = None

    def pack(self) -> bool:
        """Keep a task at rest packed, until something asks for `doc`; whether it now is.

        Whoever held `doc` must not change it afterwards: the task no longer sees it.
        """
        if self.live or self._doc is None:
            return self._doc is None
        doc = self._doc
        source = doc.get("source_server")
        listed = {key: doc.get(key) for key in LISTED_KEYS}
        listed["source_server"] = {"id": source.get("id")} if isinstance(source, dict) else source
        target = doc.get("target_server")
        listed["target_server"] = (
            {"vm_id": target.get("vm_id")} if isinstance(target, dict) else target
        )
        self._packed, self._listed = _pack(_encode(doc)), listed
        self._doc = self._cached = None
        return True

    def export(self) -> dict[str, Any]:
        """Everything that makes this task, as JSON-ready data (snapshots, the state file)."""
        return {
            "id": self.id,
            "doc": self.peek(),
            "durations": self.durations,
            "run": None if self.run is None else {**asdict(self.run), "kind": self.run.kind.value},
            "timer": None if self.timer is None else asdict(self.timer),
            "version": self.version,
            "settings": self.settings,
        }

    @classmethod
    def restore(cls, data: dict[str, Any]) -> Task:
        run, timer = data.get("run"), data.get("timer")
        return cls(
            id=data["id"],
            doc=data["doc"],
            durations=dict(data.get("durations") or {}),
            run=None if run is None else Run(**{**run, "kind": PhaseKind(run["kind"])}),
            timer=None if timer is None else Timer(timer["until"], TaskState(timer["then"])),
            version=data.get("version", 0),
            settings=data.get("settings"),
            project_id=data.get("project_id", ""),
        )

    def frozen(self) -> tuple[bool, bytes]:
        """The document as bytes a reader can decode outside the backend's lock (`thaw`):
        a packed task's packed bytes, which never change, or its JSON (`render`: made once a
        change for a task at rest, now for a live one)."""
        if self._doc is None:
            return True, self._packed  # type: ignore[return-value]
        return False, self.render()

    @property
    def moving(self) -> bool:
        """Whether the clock moves it: a run, a timer, or a log collection under way."""
        return self.live or log_pending(self.settings)

    def render(self) -> bytes:
        """The JSON answer; a task at rest is encoded (or unpacked) once per change, not once
        per read."""
        if self._doc is not None and self.live:
            return _encode(self._doc)
        if self._cached is None or self._cached[0] != self.version:
            data = _encode(self._doc) if self._doc is not None else _unpack(self._packed)  # type: ignore[arg-type]
            self._cached = (self.version, data)
        return self._cached[1]


# The top-level fields a list filters and sorts on, and those a create or a template's delete
# checks against every task (its template; `source_server` and `target_server` are kept with
# their ids only), so that neither unpacks a task at rest.
LISTED_KEYS = ("id", "name", "state", "enterprise_project_id", "create_date", "vm_template_id")


def thaw(frozen: tuple[bool, bytes]) -> dict[str, Any]:
    """The document of `Task.frozen`'s bytes."""
    packed, data = frozen
    return json.loads(_unpack(data) if packed else data)


def _encode(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, separators=(",", ":")).encode()


def _pack(data: bytes) -> bytes:
    packer = zlib.compressobj(zdict=_PRESET)
    return packer.compress(data) + packer.flush()


def _unpack(packed: bytes) -> bytes:
    unpacker = zlib.decompressobj(zdict=_PRESET)
    return unpacker.decompress(packed) + unpacker.flush()


def default_target_server() -> dict[str, Any]:
    """The seed's target: one 40 GiB boot disk with 2,467,393,536 bytes used."""
    return {
        "id": new_id(),
        "vm_id": new_id(),
        "name": "ecs-target",
        "ip": None,
        "os_type": OsType.LINUX.value,
        "os_version": None,
        "system_dir": None,
        "disks": [
            {
                "id": 1,
                "name": "/dev/sda",
                "relation_name": "/dev/vda",
                "disk_id": new_id(),
                "partition_style": "MBR",
                "size": 42949672960,
                "used_size": 42948624384,
                "device_use": "BOOT",
                "os_disk": True,
                "physical_volumes": [
                    {
                        "id": 1,
                        "uuid": None,
                        "index": 0,
                        "name": "/dev/sda1",
                        "relation_name": "/dev/vda1",
                        "device_use": "OS",
                        "file_system": "ext4",
                        "mount_point": "/",
                        "size": 42948624384,
                        "used_size": 2467393536,
                        "free_size": 40481230848,
                    }
                ],
                "disk_index": "a",
            }
        ],
        "volume_groups": [],
        "btrfs_list": None,
        "image_disk_id": None,
        "cutovered_snapshot_ids": None,
    }


def default_source_server(os_type: str) -> dict[str, Any]:
    return {
        "id": new_id(),
        "ip": "192.168.0.10",
        "name": "source-server",
        "os_type": os_type,
        "os_version": "CENTOS_7_6_64BIT" if os_type == OsType.LINUX else "WINDOWS_2016_64BIT",
        "oem_system": False,
        "state": "waiting",
        "migration_cycle": None,
    }


def default_document(
    task_id: str, project_id: str, project_name: str, now_ms: int, os_type: str = OsType.LINUX
) -> dict[str, Any]:
    """What a task put in with only some fields gets for the rest; every other key is null."""
    return {
        "id": task_id,
        "name": f"task-{task_id[:8]}",
        "type": TaskType.MIGRATE_FILE.value,
        "os_type": os_type,
        "state": TaskState.READY.value,
        "priority": 1,
        "speed_limit": 0,
        "start_target_server": True,
        "region_name": project_name,
        "region_id": project_name,
        "project_name": project_name,
        "project_id": project_id,
        "enterprise_project_id": DEFAULT_ENTERPRISE_PROJECT_ID,
        "source_server": default_source_server(os_type),
        "target_server": default_target_server(),
        "create_date": now_ms,
        "error_json": "",
        "sub_tasks": [],
    }


def complete_document(doc: dict[str, Any]) -> dict[str, Any]:
    return fill_nulls(doc, TASK_SHAPE)


def data_bytes(doc: dict[str, Any]) -> int:
    """Bytes a full replication moves: the used bytes of the target disks' volumes."""
    total = 0
    target = doc.get("target_server") or {}
    for disk in target.get("disks") or []:
        if not isinstance(disk, dict):
            continue
        volumes = [v for v in disk.get("physical_volumes") or [] if isinstance(v, dict)]
        if volumes:
            total += sum(v.get("used_size") or 0 for v in volumes)
        else:
            total += disk.get("used_size") or 0
    return total


def created_document(
    task_id: str,
    body: dict[str, Any],
    now_ms: int,
    next_int_id: Any,
    source: dict[str, Any] | None = None,
    template: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The task POST /v3/tasks makes from a PostTask body (already validated).

    What a real client may leave out is filled from the source and the template: Terraform's
    template-based task sends target disks without `used_size`, and no target name or vm_id.
    """
    os_type = body.get("os_type") or (source or {}).get("os_type") or OsType.LINUX.value
    target = body["target_server"]
    source_disks = {d.get("name"): d for d in (source or {}).get("disks") or []}
    disks = []
    for disk in target.get("disks", []):
        known = source_disks.get(disk.get("name"), {})
        volumes = []
        for v in disk.get("physical_volumes", []):
            size, used = v.get("size"), v.get("used_size")
            volumes.append(
                {
                    "id": next_int_id(),
                    "device_use": v.get("device_use"),
                    "file_system": v.get("file_system"),
                    "index": v.get("index"),
                    "mount_point": v.get("mount_point"),
                    "name": v.get("name"),
                    "size": size,
                    "used_size": used,
                    "uuid": v.get("uuid"),
                    "relation_name": None,
                    "free_size": size - used if size is not None and used is not None else None,
                }
            )
        used_size = disk.get("used_size")
        if used_size is None:
            used_size = known.get("used_size") or used_bytes(volumes)
        disks.append(
            {
                "id": next_int_id(),
                "device_use": disk.get("device_use"),
                "disk_id": disk.get("disk_id"),
                "name": disk.get("name"),
                "physical_volumes": volumes,
                "size": disk.get("size"),
                "used_size": used_size,
                "disk_index": None,
                "os_disk": disk.get("device_use") in ("BOOT", "OS"),
                "partition_style": known.get("partition_style"),
                "relation_name": None,
            }
        )
    target_name = target.get("name") or (template or {}).get("target_server_name")
    doc: dict[str, Any] = {
        "id": task_id,
        "name": body["name"],
        "type": body["type"],
        "os_type": os_type,
        "state": TaskState.READY.value,
        "priority": body.get("priority", 1),
        "speed_limit": body.get("speed_limit", 0),
        "start_target_server": body.get("start_target_server", True),
        "migration_ip": body.get("migration_ip"),
        "region_name": body["region_name"],
        "region_id": body["region_id"],
        "project_name": body["project_name"],
        "project_id": body["project_id"],
        # PostTask has no enterprise project: every created task is in the default one.
        "enterprise_project_id": DEFAULT_ENTERPRISE_PROJECT_ID,
        "vm_template_id": body.get("vm_template_id"),
        "source_server": {"id": body["source_server"]["id"], "os_type": os_type},
        "target_server": {
            # A template's server is made by CREATE_CLOUD_SERVER; its id is known from the start.
            "vm_id": target.get("vm_id") or (new_id() if template is not None else None),
            "name": target_name,
            "os_type": os_type,
            "disks": disks,
            "volume_groups": target.get("volume_groups", []),
            "btrfs_list": [
                b.get("name")
                for b in target.get("btrfs_list", [])
                if isinstance(b.get("name"), str)
            ],
        },
        "create_date": now_ms,
        "error_json": "",
        "migrate_speed": 0,
        "total_time": 0,
        "remain_seconds": 0,
        "sub_tasks": [],
        "need_migration_test": body.get("need_migration_test", False),
        "use_public_ip": body.get("use_public_ip", True),
        "syncing": body.get("syncing", False),
        "use_ipv6": body.get("use_ipv6", False),
    }
    return complete_document(doc)


# What a packed task is compressed against: a default task's JSON, so that a packed task takes
# little more than the bytes that make it differ (its ids, name and times).
_PRESET = _encode(complete_document(default_document("0" * 32, "0" * 32, "cn-north-4", 0)))
