"""Control-plane bodies (`/_mock/...`): the emulator's own API for tests and QA."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, ValidationError, fields, validate, validates_schema

from sms_mock.contracts.base import Pattern, RequestSchema, ResponseSchema, task_id_validator
from sms_mock.contracts.enums import ClockMode, FaultEffect, Operation, SubtaskName
from sms_mock.contracts.fields import StrictBoolean, StrictInteger, StrictNumber, enum_field
from sms_mock.contracts.sms import TaskSchema
from sms_mock.contracts.sources import SourceSchema
from sms_mock.contracts.templates import TemplateSchema


class HealthSchema(ResponseSchema):
    status = fields.String(required=True, validate=validate.Equal("ok"))
    version = fields.String(required=True)


class ClockSchema(ResponseSchema):
    mode = enum_field(ClockMode, required=True)
    now_ms = StrictInteger(required=True)
    now = fields.String(required=True)  # the same instant, ISO-8601 UTC
    speed = StrictNumber(required=True, validate=validate.Range(min=0))


class ResetSchema(ClockSchema):
    """POST /_mock/reset: the state is back to the fixtures; the clock as it now reads."""

    status = fields.String(required=True, validate=validate.Equal("reset"))


class RestoredSchema(ClockSchema):
    """POST /_mock/snapshot: the snapshot is the state; the clock as it now reads."""

    status = fields.String(required=True, validate=validate.Equal("restored"))


class ClockAdvanceSchema(RequestSchema):
    # The clock never goes back: a task's past is settled once it has been read.
    seconds = StrictNumber(required=True, validate=validate.Range(min=0, max=10 * 365 * 86400))


class DurationsField(fields.Dict):
    """Sub-task durations in seconds, by sub-task name: `{"MIGRATE_LINUX_FILE": 600}`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            keys=enum_field(SubtaskName),
            values=StrictNumber(validate=validate.Range(min=0, max=365 * 86400)),
            **kwargs,
        )


class TaskFaultRequestSchema(RequestSchema):
    """A task fault: when `subtask` of `task_id` reaches `at_progress`, the task fails or pauses."""

    task_id = fields.String(required=True, validate=task_id_validator)
    subtask = enum_field(SubtaskName, required=True)
    at_progress = StrictInteger(load_default=0, validate=validate.Range(0, 100))
    effect = enum_field(FaultEffect, load_default=FaultEffect.FAIL.value)
    # An object or a string; the task's `error_json` field holds its JSON text.
    error_json = fields.Raw(allow_none=True, load_default=None)
    times = StrictInteger(load_default=1, validate=validate.Range(1, 1_000_000))
    # Narrowing: only in this phase (`REPLICATE`, `RESYNC`, or an exact `CUTOVER1`) ...
    phase = fields.String(validate=Pattern(r"^(REPLICATE|CUTOVER|RESYNC|CLONE)\d*$"))
    # ... and only the n-th time this sub-task runs in the task (1 = its first run).
    occurrence = StrictInteger(validate=validate.Range(min=1))

    @validates_schema
    def _error_json_shape(self, data: dict, **kwargs: Any) -> None:
        value = data.get("error_json")
        if value is not None and not isinstance(value, str | dict):
            raise ValidationError("An object or a string.", "error_json")


class TaskFaultSchema(ResponseSchema):
    id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.Equal("task"))
    task_id = fields.String(required=True)
    project_id = fields.String(required=True)  # "" in a fault of an older snapshot: any project
    subtask = enum_field(SubtaskName, required=True)
    at_progress = StrictInteger(required=True)
    effect = enum_field(FaultEffect, required=True)
    error_json = fields.Raw(allow_none=True)
    times = StrictInteger(required=True)
    remaining = StrictInteger(required=True)
    fired = StrictInteger(required=True)
    phase = fields.String(allow_none=True)
    occurrence = StrictInteger(allow_none=True)
    # The task's name (an HTTP fault's: the task its `match` names), "" when it names none
    # or the task is gone.
    task_name = fields.String(required=True)


HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class HttpMatchSchema(RequestSchema):
    """Which requests an HTTP fault hits: all given parts must match."""

    method = fields.String(validate=validate.OneOf(HTTP_METHODS))
    # A glob over the path: `/v3/tasks/*/action`, `/v3/auth/tokens`, `*`.
    path = fields.String(load_default="*", validate=validate.Length(1, 1024))
    task_id = fields.String(validate=task_id_validator)
    operation = enum_field(Operation)


# What an HTTP fault may answer: a final status. A 1xx is an interim answer: a client reads
# it, then waits on the same connection for a final one that never comes.
FINAL_STATUS = validate.Range(
    200, 599, error="A final status, from 200 to 599 (a 1xx is no answer a client can read)."
)


class HttpFaultRequestSchema(RequestSchema):
    """An HTTP fault: answer `status` with `body`, after `delay_ms`, or `drop` the connection."""

    match = fields.Nested(HttpMatchSchema, required=True)
    status = StrictInteger(validate=FINAL_STATUS)
    body = fields.Raw(allow_none=True, load_default=None)  # an object or a string
    delay_ms = StrictInteger(load_default=0, validate=validate.Range(0, 60_000))
    drop = StrictBoolean(load_default=False)
    times = StrictInteger(load_default=1, validate=validate.Range(1, 1_000_000))
    probability = StrictNumber(load_default=1.0, validate=validate.Range(0, 1))
    seed = StrictInteger(load_default=0)

    @validates_schema
    def _does_something(self, data: dict, **kwargs: Any) -> None:
        if "status" not in data and not data.get("drop") and not data.get("delay_ms"):
            raise ValidationError("An HTTP fault needs a status, drop or delay_ms.", "status")
        if data.get("drop") and "status" in data:
            raise ValidationError("A dropped connection has no status.", "drop")


class HttpFaultSchema(ResponseSchema):
    id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.Equal("http"))
    match = fields.Dict(required=True)
    status = StrictInteger(allow_none=True)
    body = fields.Raw(allow_none=True)
    delay_ms = StrictInteger(required=True)
    drop = StrictBoolean(required=True)
    times = StrictInteger(required=True)
    remaining = StrictInteger(required=True)
    fired = StrictInteger(required=True)
    probability = StrictNumber(required=True)
    seed = StrictInteger(required=True)
    # The task's name (an HTTP fault's: the task its `match` names), "" when it names none
    # or the task is gone.
    task_name = fields.String(required=True)


class FaultField(fields.Field):
    """A task fault or an HTTP fault, by its `kind`, through that kind's schema."""

    alternatives = (TaskFaultSchema, HttpFaultSchema)

    def _schema(self, value: Any) -> ResponseSchema:
        if not isinstance(value, dict):
            raise ValidationError("A fault is an object.")
        task, http = self.alternatives
        return http() if value.get("kind") == "http" else task()

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return self._schema(value).dump(value)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        return self._schema(value).load(value)


class FaultListSchema(ResponseSchema):
    """GET /_mock/faults: task faults first, then HTTP faults."""

    faults = fields.List(FaultField(), required=True)


class JournalEntrySchema(ResponseSchema):
    id = StrictInteger(required=True)
    time_ms = StrictInteger(required=True)  # wall clock, epoch ms
    clock_ms = StrictInteger(required=True)  # the emulator's clock then
    method = fields.String(required=True)
    path = fields.String(required=True)
    query = fields.String(required=True)
    status = StrictInteger(allow_none=True)  # None: the connection was dropped
    duration_ms = StrictNumber(required=True)
    request_id = fields.String(allow_none=True)
    task_id = fields.String(allow_none=True)
    operation = fields.String(allow_none=True)
    faults = fields.List(fields.String(), required=True)  # ids of the faults that fired
    # `sms-mock proxy` only: how the exchange broke the contracts, and the upstream's own id.
    violations = fields.List(fields.Nested(lambda: ViolationSchema()))
    upstream_request_id = fields.String(allow_none=True)


class ViolationSchema(ResponseSchema):
    """One way a request or an answer broke the contracts (`contracts/conformance.py`)."""

    id = StrictInteger()  # its place among the proxy's violations
    time_ms = StrictInteger()  # wall clock, epoch ms
    operation = fields.String(required=True)  # the operationId; "" for no operation
    where = fields.String(required=True, validate=validate.OneOf(["request", "response"]))
    field = fields.String(required=True)  # a dotted path; "" for the whole body
    message = fields.String(required=True)
    status = StrictInteger(allow_none=True)
    request_id = fields.String(allow_none=True)


class ViolationListSchema(ResponseSchema):
    """GET /_mock/violations (`sms-mock proxy`): the last violations, oldest first."""

    violations = fields.List(fields.Nested(ViolationSchema), required=True)
    seen = StrictInteger(required=True)  # every one reported, those no longer kept included
    upstream = fields.String(required=True)
    iam_upstream = fields.String(allow_none=True)
    strict = fields.Boolean(required=True)


class JournalSchema(ResponseSchema):
    requests = fields.List(fields.Nested(JournalEntrySchema), required=True)
    size = StrictInteger(required=True)


class JournalQuerySchema(RequestSchema):
    class Meta:
        unknown = EXCLUDE

    method = fields.String(validate=validate.OneOf(HTTP_METHODS))
    path = fields.String(validate=validate.Length(1, 1024))  # a glob, as in HTTP faults
    status = fields.Integer(validate=validate.Range(100, 599))
    since = fields.Integer(validate=validate.Range(min=0))  # wall clock, epoch ms


class ScenarioSummarySchema(ResponseSchema):
    name = fields.String(required=True)
    description = fields.String(required=True)
    tasks = StrictInteger(required=True, validate=validate.Range(min=0))  # how many it loads


class ScenarioListSchema(ResponseSchema):
    """GET /_mock/scenarios: every named scenario, sorted by name."""

    scenarios = fields.List(fields.Nested(ScenarioSummarySchema), required=True)


class ScenarioLoadRequestSchema(RequestSchema):
    """The optional body of POST /_mock/scenarios/{name}: the project to load into."""

    project_id = fields.String(validate=validate.Length(1, 64))  # an id (a name works too)


class LoadedItemSchema(ResponseSchema):
    """A task, source or template a scenario made: its id and the name it was loaded under."""

    id = fields.String(required=True)
    name = fields.String(required=True)


class ScenarioLoadSchema(ResponseSchema):
    """What POST /_mock/scenarios/{name} made: the tasks' fresh ids and the faults' ids; the
    tasks, sources and templates again with their names (a name already in the project gets
    a suffix, `_2`, `_3`, ...)."""

    scenario = fields.String(required=True)
    project_id = fields.String(required=True)
    task_ids = fields.List(fields.String(), required=True)
    fault_ids = fields.List(fields.String(), required=True)
    source_ids = fields.List(fields.String(), required=True)
    template_ids = fields.List(fields.String(), required=True)
    tasks = fields.List(fields.Nested(LoadedItemSchema), required=True)
    sources = fields.List(fields.Nested(LoadedItemSchema), required=True)
    templates = fields.List(fields.Nested(LoadedItemSchema), required=True)


# --- reads across projects (GET /_mock/tasks, /_mock/sources, /_mock/templates) --------------
# The documents inside are the public API's own answers, so their schemas are the API's.


class TaskInProjectSchema(ResponseSchema):
    project_id = fields.String(required=True)
    task = fields.Nested(TaskSchema, required=True)


class SourceInProjectSchema(ResponseSchema):
    project_id = fields.String(required=True)
    source = fields.Nested(SourceSchema, required=True)


class TemplateInProjectSchema(ResponseSchema):
    project_id = fields.String(required=True)
    template = fields.Nested(TemplateSchema, required=True)


class EveryTaskSchema(ResponseSchema):
    tasks = fields.List(fields.Nested(TaskInProjectSchema), required=True)


class EverySourceSchema(ResponseSchema):
    sources = fields.List(fields.Nested(SourceInProjectSchema), required=True)


class EveryTemplateSchema(ResponseSchema):
    templates = fields.List(fields.Nested(TemplateInProjectSchema), required=True)


# --- for the dashboard, and any tool that drives the emulator like it -------------------------


# A real clock's speed, times wall time: at `serve --speed` and POST /_mock/clock/speed alike.
SPEED_RANGE = validate.Range(min=0.001, max=1_000_000)


class ClockSpeedSchema(RequestSchema):
    """POST /_mock/clock/speed: a real clock's new speed, from now on (a manual one has none)."""

    speed = StrictNumber(required=True, validate=SPEED_RANGE)


class ProjectTokenRequestSchema(RequestSchema):
    """POST /_mock/tokens: an IAM token of a project, as its account's administrator logs in."""

    project = fields.String(validate=validate.Length(1, 64))  # an id or a name; else the default


class ProjectTokenSchema(ResponseSchema):
    token = fields.String(required=True)  # send it as X-Auth-Token to the public API
    expires_at = fields.String(required=True)  # ISO-8601 UTC, on the emulator's clock
    project_id = fields.String(required=True)
    project_name = fields.String(required=True)
    user = fields.String(required=True)  # the user it was issued to


class OperationRuleSchema(ResponseSchema):
    operation = enum_field(Operation, required=True)
    allowed_states = fields.List(fields.String(), required=True)
    effect = fields.String(required=True)


class LifecycleSchema(ResponseSchema):
    """GET /_mock/lifecycle: which operation each state allows (the engine's own table)."""

    operations = fields.List(fields.Nested(OperationRuleSchema), required=True)
    undeletable_states = fields.List(fields.String(), required=True)
