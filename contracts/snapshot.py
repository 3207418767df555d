"""The snapshot (`GET` / `POST /_mock/snapshot`, and what `--state-file` keeps): every part typed,
and every reference checked, so that no snapshot accepted can make a later call fail.

The documents inside (a task's answer, a source's, a template's) are dicts here; the emulator
checks them against the same contracts as the control plane's puts (`mock_server/sms/
task_documents.py`, `resource_documents.py`) before it restores a posted snapshot.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from marshmallow import EXCLUDE, INCLUDE, ValidationError, fields, validate, validates_schema

from sms_mock.contracts.base import Pattern, RequestSchema, task_id_validator
from sms_mock.contracts.control import (
    FINAL_STATUS,
    SPEED_RANGE,
    DurationsField,
    HttpFaultRequestSchema,
    TaskFaultRequestSchema,
)
from sms_mock.contracts.enums import AuthMethod, ClockMode, LogCollectStatus, TaskState, values
from sms_mock.contracts.fields import StrictBoolean, StrictInteger, StrictNumber, enum_field
from sms_mock.contracts.task_settings import (
    ConfigurationInSchema,
    ConsistencyResultInSchema,
    ProgressReportRequestSchema,
    SpeedWindowSchema,
)

# The emulator's clock lives between these: before 2020 is a mistake (a `now_ms` in seconds,
# or 0), and past 9000 no date of a task or a token can be written any more.
CLOCK_MIN_MS = int(datetime(2020, 1, 1, tzinfo=UTC).timestamp() * 1000)
CLOCK_MAX_MS = int(datetime(9000, 1, 1, tzinfo=UTC).timestamp() * 1000)
SNAPSHOT_FORMATS = ["sms-mock-snapshot/1", "sms-mock-snapshot/2"]
PHASE_KINDS = ["REPLICATE", "CUTOVER", "RESYNC", "CLONE"]
PHASE_PATTERN = r"^(REPLICATE|CUTOVER|RESYNC|CLONE)\d*$"
# A log collection's statuses, in order (the engine's LOG_COLLECT_STEPS).
LOG_STATUSES = [
    status.value
    for status in (LogCollectStatus.INIT, LogCollectStatus.UPLOADING, LogCollectStatus.UPLOADED)
]
RESOURCE_KINDS = ["source", "template", "migproject", "setting"]  # setting: a project's own

_name = validate.Length(1, 255)
_secret = validate.Length(1, 16384)


# How far ahead of the clock a date the emulator sets may lie: a token's or credential's
# expiry (a day at most), a timer (seconds). The clock stops at CLOCK_MAX_MS; these may pass it.
AHEAD_MS = 366 * 86_400_000


class Rows(fields.List):
    """A list that stops at its first wrong item: a snapshot's lists are long, and marshmallow's
    own List checks every item and keeps every item's errors (a 1 MiB list of `{}` took 42 s),
    when only the first is answered."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[Any]:
        if not isinstance(value, list):
            raise self.make_error("invalid")
        result = []
        for index, item in enumerate(value):
            try:
                result.append(self.inner.deserialize(item, **kwargs))
            except ValidationError as error:
                raise ValidationError({index: error.messages}) from error
        return result


def _time(**kwargs: Any) -> StrictInteger:
    return StrictInteger(validate=validate.Range(CLOCK_MIN_MS, CLOCK_MAX_MS), **kwargs)


def _time_ahead(**kwargs: Any) -> StrictInteger:
    """A date set ahead of the clock's now (an expiry, a timer's end)."""
    return StrictInteger(validate=validate.Range(CLOCK_MIN_MS, CLOCK_MAX_MS + AHEAD_MS), **kwargs)


def _count(**kwargs: Any) -> StrictInteger:
    return StrictInteger(validate=validate.Range(min=0), **kwargs)


class ClockStateSchema(RequestSchema):
    mode = enum_field(ClockMode)
    now_ms = _time(required=True)
    speed = StrictNumber(validate=validate.Range(min=0, max=SPEED_RANGE.max))


# --- the account ----------------------------------------------------------------------------------


class DomainRowSchema(RequestSchema):
    id = fields.String(required=True, validate=_name)
    name = fields.String(required=True, validate=_name)


class ProjectRowSchema(DomainRowSchema):
    domain_id = fields.String(required=True, validate=_name)


class UserRowSchema(ProjectRowSchema):
    password = fields.String(required=True, validate=_name)
    admin = StrictBoolean(load_default=False)


class AccessKeyRowSchema(RequestSchema):
    ak = fields.String(required=True, validate=_name)
    sk = fields.String(required=True, validate=_name)
    user_id = fields.String(required=True, validate=_name)


class AccountStateSchema(RequestSchema):
    domains = Rows(fields.Nested(DomainRowSchema), required=True)
    projects = Rows(fields.Nested(ProjectRowSchema), required=True)
    users = Rows(fields.Nested(UserRowSchema), required=True)
    access_keys = Rows(fields.Nested(AccessKeyRowSchema), required=True)
    default_project_id = fields.String(allow_none=True, validate=_name)

    @validates_schema
    def _references(self, data: dict, **kwargs: Any) -> None:
        domains = {d["id"] for d in data.get("domains", [])}
        projects = {p["id"] for p in data.get("projects", [])}
        users = {u["id"] for u in data.get("users", [])}
        for key, ids in (("projects", domains), ("users", domains)):
            for index, row in enumerate(data.get(key, [])):
                if row["domain_id"] not in ids:
                    raise ValidationError("No such domain.", f"{key}.{index}.domain_id")
        for index, row in enumerate(data.get("access_keys", [])):
            if row["user_id"] not in users:
                raise ValidationError("No such user.", f"access_keys.{index}.user_id")
        default = data.get("default_project_id")
        if default is not None and default not in projects:
            raise ValidationError("No such project.", "default_project_id")


# --- tasks and resources --------------------------------------------------------------------------


class RunStateSchema(RequestSchema):
    phase = fields.String(required=True, validate=Pattern(PHASE_PATTERN))
    kind = fields.String(required=True, validate=validate.OneOf(PHASE_KINDS))
    pending = Rows(StrictInteger(validate=validate.Range(0, 10_000)), required=True)
    t0 = _time(required=True)
    p0 = StrictNumber(required=True, validate=validate.Range(0, 100))  # a pause keeps fractions


class TimerStateSchema(RequestSchema):
    until = _time_ahead(required=True)
    then = fields.String(required=True, validate=validate.OneOf(values(TaskState)))


class LogStateSchema(RequestSchema):
    """A log collection asked for: when, into which bucket, and the status it has reached."""

    asked_ms = _time(required=True)
    bucket = fields.String(allow_none=True, validate=validate.Length(max=255))
    status = fields.String(required=True, validate=validate.OneOf(LOG_STATUSES))


class ConsistencyCheckStateSchema(RequestSchema):
    finished_time = _time(required=True)
    check_result = fields.String(required=True, validate=validate.OneOf(["OK", "FAIL"]))
    consistency_result = fields.List(fields.Nested(ConsistencyResultInSchema), required=True)


class ProgressReportStateSchema(ProgressReportRequestSchema):
    at = _time(required=True)


class TaskSettingsStateSchema(RequestSchema):
    """What the task's settings calls kept, each as its call's contract took it: the engine and
    the settings reads use every one of them, so none may be of another shape."""

    speed_limit = fields.List(fields.Nested(SpeedWindowSchema), validate=validate.Length(max=100))
    configurations = fields.List(
        fields.Nested(ConfigurationInSchema), validate=validate.Length(max=100)
    )
    consistency = fields.List(
        fields.Nested(ConsistencyCheckStateSchema), validate=validate.Length(max=100)
    )
    progress_report = fields.Nested(ProgressReportStateSchema)
    log = fields.Nested(LogStateSchema)
    agent_driven = StrictBoolean()


class StoredSubTaskSchema(RequestSchema):
    """The keys of a sub-task that the engine, the dashboard and the briefs read without a
    default: a running task's sub-task is timed by its name, and its progress is shown.
    Their values are the task contract's (`TaskSchema`), checked with the rest of the document."""

    class Meta:
        unknown = INCLUDE

    name = fields.Raw(required=True, allow_none=True)
    progress = fields.Raw(required=True, allow_none=True)


class StoredTaskDocumentSchema(RequestSchema):
    """The keys of a kept task document that its reads index without a default: the list is
    keyed and filtered by `id` and `state`, `/v3/errors` and the overview pick by `state`, and
    every sub-task keeps its `name` and `progress`. An answer of GET /v3/tasks/{id} has them
    all (every key is answered, null or not)."""

    class Meta:
        unknown = INCLUDE

    error_messages = {"type": "Not a valid mapping type."}  # as a dict field says it
    id = fields.String(required=True, validate=task_id_validator)
    state = fields.String(required=True, validate=validate.OneOf(values(TaskState)))
    sub_tasks = Rows(fields.Nested(StoredSubTaskSchema), allow_none=True)


class StoredResourceDocumentSchema(RequestSchema):
    """A kept source's, template's or migration project's document: its `id` is what its
    lists sort and key by."""

    class Meta:
        unknown = INCLUDE

    id = fields.String(required=True, validate=_name)


class TaskRowSchema(RequestSchema):
    project_id = fields.String(required=True, validate=_name)
    id = fields.String(required=True, validate=task_id_validator)
    doc = fields.Nested(StoredTaskDocumentSchema, required=True)
    durations = DurationsField(load_default=dict)
    run = fields.Nested(RunStateSchema, allow_none=True, load_default=None)
    timer = fields.Nested(TimerStateSchema, allow_none=True, load_default=None)
    version = _count(load_default=0)
    settings = fields.Nested(TaskSettingsStateSchema, allow_none=True, load_default=None)

    @validates_schema
    def _run_within_its_entries(self, data: dict, **kwargs: Any) -> None:
        doc, run = data.get("doc") or {}, data.get("run")
        if doc.get("id") != data.get("id"):
            raise ValidationError("The document's id is not the row's.", "doc.id")
        if run is None:
            return
        entries = doc.get("sub_tasks")
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise ValidationError("A running task's sub_tasks are a list of objects.", "doc")
        if any(index >= len(entries) for index in run["pending"]):
            raise ValidationError("Indexes a sub-task the document does not have.", "run.pending")


class SmsStateSchema(RequestSchema):
    last_int_id = _count(load_default=0)
    tasks = Rows(fields.Nested(TaskRowSchema), required=True)
    resources = Rows(fields.Nested(lambda: ResourceRowSchema()), load_default=list)


class ResourceRowSchema(RequestSchema):
    kind = fields.String(required=True, validate=validate.OneOf(RESOURCE_KINDS))
    project_id = fields.String(required=True, validate=_name)
    id = fields.String(required=True, validate=_name)
    doc = fields.Dict(required=True)

    @validates_schema
    def _document_of_this_row(self, data: dict, **kwargs: Any) -> None:
        if data.get("kind") == "setting" or not isinstance(data.get("doc"), dict):
            return  # a project's setting has no id; a wrong doc is reported by its field
        try:
            doc = _RESOURCE_DOCUMENT.load(data["doc"])
        except ValidationError as exc:
            raise ValidationError(exc.messages, "doc") from exc
        if doc["id"] != data.get("id"):
            raise ValidationError("The document's id is not the row's.", "doc.id")


_RESOURCE_DOCUMENT = StoredResourceDocumentSchema()


class SourceOwnKeysSchema(RequestSchema):
    """A source row's own keys, the emulator's and not an answer's (no put may set them): its
    task, its migration project, whether its agent drives it, the agent's last 20 answers."""

    class Meta:
        unknown = EXCLUDE  # the answer's keys: SOURCE_DOCUMENT checks them

    _task_id = fields.String(allow_none=True, validate=_name, data_key="_task_id")
    _migproject = fields.String(allow_none=True, validate=_name, data_key="_migproject")
    _agent_driven = StrictBoolean(data_key="_agent_driven")
    _command_results = fields.List(
        fields.Dict(keys=fields.String()),
        validate=validate.Length(max=20),
        data_key="_command_results",
    )


SOURCE_OWN_KEYS = frozenset(SourceOwnKeysSchema().fields)


class ProjectSettingSchema(RequestSchema):
    """A project's own setting row (the privacy agreement: `{"flag": true}`)."""

    flag = StrictBoolean(required=True)


# --- IAM ------------------------------------------------------------------------------------------


class TokenRowSchema(RequestSchema):
    id = fields.String(required=True, validate=_secret)
    user_id = fields.String(required=True, validate=_name)
    methods = fields.List(enum_field(AuthMethod), required=True, validate=validate.Length(1, 2))
    issued_ms = _time(required=True)
    expires_ms = _time_ahead(required=True)
    project_id = fields.String(allow_none=True, load_default=None, validate=_name)
    domain_id = fields.String(allow_none=True, load_default=None, validate=_name)


class CredentialRowSchema(RequestSchema):
    access = fields.String(required=True, validate=_name)
    secret = fields.String(required=True, validate=_name)
    security_token = fields.String(required=True, validate=_secret)
    user_id = fields.String(required=True, validate=_name)
    issued_ms = _time(required=True)
    expires_ms = _time_ahead(required=True)


def _counts() -> fields.Dict:
    return fields.Dict(
        keys=fields.String(validate=_secret), values=StrictInteger(), load_default=dict
    )


class LockoutStateSchema(RequestSchema):
    failures = _counts()
    locked_until = _counts()
    ak_failures = _counts()
    ak_locked_until = _counts()


# --- faults ---------------------------------------------------------------------------------------


class TaskFaultRowSchema(TaskFaultRequestSchema):
    id = fields.String(required=True, validate=_name)
    phase = fields.String(
        allow_none=True, validate=Pattern(r"^(REPLICATE|CUTOVER|RESYNC|CLONE)\d*$")
    )
    occurrence = StrictInteger(allow_none=True, validate=validate.Range(min=1))
    kind = fields.String(load_default="task", validate=validate.Equal("task"))
    remaining = _count(required=True)
    fired = _count(load_default=0)
    project_id = fields.String(load_default="", validate=validate.Length(max=255))


class HttpFaultRowSchema(HttpFaultRequestSchema):
    id = fields.String(required=True, validate=_name)
    status = StrictInteger(allow_none=True, validate=FINAL_STATUS)
    kind = fields.String(load_default="http", validate=validate.Equal("http"))
    remaining = _count(required=True)
    fired = _count(load_default=0)


# --- the whole ------------------------------------------------------------------------------------


class SnapshotSchema(RequestSchema):
    format = fields.String(required=True, validate=validate.OneOf(SNAPSHOT_FORMATS))
    clock = fields.Nested(ClockStateSchema, required=True)
    account = fields.Nested(AccountStateSchema, required=True)
    sms = fields.Nested(SmsStateSchema, required=True)
    tokens = Rows(fields.Nested(TokenRowSchema), required=True)
    credentials = Rows(fields.Nested(CredentialRowSchema), load_default=list)
    lockouts = fields.Nested(LockoutStateSchema, required=True)
    faults = Rows(fields.Nested(TaskFaultRowSchema), required=True)
    http_faults = Rows(fields.Nested(HttpFaultRowSchema), load_default=list)

    @validates_schema
    def _references(self, data: dict, **kwargs: Any) -> None:
        """Every row names a project, user or domain of the account; no run starts after now."""
        account = data.get("account")
        if account is None or "sms" not in data or "clock" not in data:
            return  # reported by the fields themselves
        projects = {p["id"] for p in account["projects"]}
        domains = {d["id"] for d in account["domains"]}
        users = {u["id"] for u in account["users"]}
        now = data["clock"]["now_ms"]
        seen: set[tuple[str, str]] = set()
        for index, task in enumerate(data["sms"]["tasks"]):
            where = f"sms.tasks.{index}"
            if task["project_id"] not in projects:
                raise ValidationError("No such project.", f"{where}.project_id")
            if (task["project_id"], task["id"]) in seen:
                raise ValidationError("A second task of this id in its project.", f"{where}.id")
            seen.add((task["project_id"], task["id"]))
            if task["run"] is not None and task["run"]["t0"] > now:
                raise ValidationError(
                    "A run cannot start after the clock's now.", f"{where}.run.t0"
                )
        for index, row in enumerate(data["sms"]["resources"]):
            if row["project_id"] not in projects:
                raise ValidationError("No such project.", f"sms.resources.{index}.project_id")
        for key in ("tokens", "credentials"):
            for index, row in enumerate(data.get(key, [])):
                if row["user_id"] not in users:
                    raise ValidationError("No such user.", f"{key}.{index}.user_id")
        for index, row in enumerate(data.get("tokens", [])):
            if row["project_id"] is not None and row["project_id"] not in projects:
                raise ValidationError("No such project.", f"tokens.{index}.project_id")
            if row["domain_id"] is not None and row["domain_id"] not in domains:
                raise ValidationError("No such domain.", f"tokens.{index}.domain_id")
        for index, fault in enumerate(data.get("faults", [])):
            if fault["project_id"] not in ("", *projects):
                raise ValidationError("No such project.", f"faults.{index}.project_id")
