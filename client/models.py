"""Typed result objects, made from the contract schemas themselves.

Each model is a frozen dataclass whose fields are the schema's fields, typed from the marshmallow
field types; nested schemas become nested models. Nothing here repeats the contract: a field
added to a schema appears on its model. Keys a response carries that the contract does not know
are kept in `extra`.
"""

from __future__ import annotations

import dataclasses
from functools import cache
from typing import Any, Optional

from marshmallow import Schema, ValidationError, fields

from sms_mock.client.errors import ContractViolation
from sms_mock.contracts.base import error_paths
from sms_mock.contracts.history import ShowSha256ResponseSchema
from sms_mock.contracts.iam import TokenResponseSchema
from sms_mock.contracts.migprojects import (
    ConfigSchema,
    MigprojectListSchema,
    MigprojectSchema,
    MigprojectShowSchema,
    PrivacyAgreementSchema,
)
from sms_mock.contracts.sms import ConfigBodySchema, TaskBriefSchema, TaskListSchema, TaskSchema
from sms_mock.contracts.sources import (
    ErrorListSchema,
    MigrationErrorSchema,
    SourceBriefSchema,
    SourceListSchema,
    SourceOverviewSchema,
    SourceSchema,
)
from sms_mock.contracts.task_settings import (
    CertKeySchema,
    CommandSchema,
    ConfigSettingSchema,
    ConsistencyResultsSchema,
    PassphraseSchema,
    SpeedLimitsSchema,
    SpeedWindowOutSchema,
)
from sms_mock.contracts.templates import TargetPasswordSchema, TemplateListSchema, TemplateSchema

# A field's Python type, in this order (a StrictBoolean is no Integer, a Float no String);
# any other field is Any. `stubgen.py` writes the same types for a type checker.
FIELD_TYPES: tuple[tuple[type[fields.Field], type], ...] = (
    (fields.Boolean, bool),
    (fields.Integer, int),
    (fields.Float, float),
    (fields.String, str),
    (fields.Dict, dict),
)


def _python_type(field: fields.Field) -> Any:
    if isinstance(field, fields.Nested):
        return model_of(type(field.schema))
    if isinstance(field, fields.List):
        return list[_python_type(field.inner)]  # type: ignore[misc]
    return next((python for kind, python in FIELD_TYPES if isinstance(field, kind)), Any)


class TaskMixin:
    """Conveniences on a task; the fields themselves come from the contract."""

    sub_tasks: list[Any] | None

    @property
    def current_subtask(self) -> Any | None:
        """The sub-task of the latest run that is moving, failed or paused; None when the run
        is over (or none began).

        It is the last sub-task that started and has not ended: a restart keeps the failed
        run's entries in front of the new run's, and the failed one never ends. Between two
        sub-tasks it is the next one not yet started.
        """
        entries = list(self.sub_tasks or [])
        started = [i for i, s in enumerate(entries) if s.start_date is not None]
        last = started[-1] if started else -1
        if last >= 0 and entries[last].end_date is None:
            return entries[last]
        return next((s for s in entries[last + 1 :] if s.start_date is None), None)


_BASES: dict[type[Schema], tuple[type, ...]] = {
    TaskSchema: (TaskMixin,),
    TaskBriefSchema: (TaskMixin,),
}
_NAMES: dict[type[Schema], str] = {
    TaskSchema: "Task",
    TaskBriefSchema: "TaskSummary",
    TaskListSchema: "TaskPage",
    TokenResponseSchema: "TokenResponse",
    SourceSchema: "Source",
    SourceBriefSchema: "SourceSummary",
    SourceListSchema: "SourcePage",
    ErrorListSchema: "MigrationErrorPage",
    TemplateListSchema: "TemplatePage",
    MigprojectShowSchema: "MigprojectDetail",
    MigprojectListSchema: "MigprojectPage",
    ConfigSchema: "AgentConfig",
    SpeedWindowOutSchema: "SpeedWindow",
    ConfigSettingSchema: "ConfigSettings",
    ShowSha256ResponseSchema: "Sha256",
}


@cache
def model_of(schema_class: type[Schema]) -> type:
    """The dataclass of a schema: required fields first, then optional ones (None by default)."""
    required, optional = [], []
    for name, field in schema_class().fields.items():
        annotation = _python_type(field)
        if field.required and not field.allow_none:
            required.append((name, annotation))
        else:
            optional.append((name, Optional[annotation], None))  # noqa: UP045 - built at runtime
    name = _NAMES.get(schema_class, schema_class.__name__.removesuffix("Schema"))
    model = dataclasses.make_dataclass(
        name,
        [*required, *optional, ("extra", dict, dataclasses.field(default_factory=dict))],
        bases=_BASES.get(schema_class, ()),
        frozen=True,
    )
    model.__module__ = __name__
    return model


def _build(schema_class: type[Schema], data: dict[str, Any]) -> Any:
    model = model_of(schema_class)
    schema_fields = schema_class().fields
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in data.items():
        field = schema_fields.get(key)
        if field is None:
            extra[key] = value
        elif isinstance(field, fields.Nested) and isinstance(value, dict):
            values[key] = _build(type(field.schema), value)
        elif (
            isinstance(field, fields.List)
            and isinstance(field.inner, fields.Nested)
            and isinstance(value, list)
        ):
            inner = type(field.inner.schema)
            values[key] = [_build(inner, item) for item in value]
        else:
            values[key] = value
    return model(**values, extra=extra)


def load(schema_class: type[Schema], body: Any, what: str) -> Any:
    """Load a response body through its contract schema into its model; ContractViolation if
    the body breaks the contract."""
    try:
        data = schema_class().load(body)
    except ValidationError as exc:
        field, problem = error_paths(exc.messages)[0]
        raise ContractViolation(what, field, problem, "response", body) from exc
    return _build(schema_class, data)


Task = model_of(TaskSchema)
TaskSummary = model_of(TaskBriefSchema)
TaskPage = model_of(TaskListSchema)
TokenResponse = model_of(TokenResponseSchema)
Source = model_of(SourceSchema)
SourceSummary = model_of(SourceBriefSchema)
SourcePage = model_of(SourceListSchema)
SourceOverview = model_of(SourceOverviewSchema)
MigrationError = model_of(MigrationErrorSchema)
MigrationErrorPage = model_of(ErrorListSchema)
Template = model_of(TemplateSchema)
TemplatePage = model_of(TemplateListSchema)
TargetPassword = model_of(TargetPasswordSchema)
Migproject = model_of(MigprojectSchema)
MigprojectDetail = model_of(MigprojectShowSchema)
MigprojectPage = model_of(MigprojectListSchema)
AgentConfig = model_of(ConfigSchema)
PrivacyAgreement = model_of(PrivacyAgreementSchema)
SpeedWindow = model_of(SpeedWindowOutSchema)
SpeedLimits = model_of(SpeedLimitsSchema)
ConfigBody = model_of(ConfigBodySchema)
ConfigSettings = model_of(ConfigSettingSchema)
Passphrase = model_of(PassphraseSchema)
CertKey = model_of(CertKeySchema)
ConsistencyResults = model_of(ConsistencyResultsSchema)
Command = model_of(CommandSchema)
Sha256 = model_of(ShowSha256ResponseSchema)


def to_dict(model: Any, *, extra: bool = True) -> Any:
    """A model back to plain JSON-ready data, with its `extra` keys where they came from (or,
    `extra=False`, its contract's fields alone)."""
    if dataclasses.is_dataclass(model) and not isinstance(model, type):
        fields = dataclasses.fields(model)
        data = {f.name: to_dict(getattr(model, f.name), extra=extra) for f in fields}
        kept = data.pop("extra")
        if extra:
            data.update(kept)
        return data
    if isinstance(model, list):
        return [to_dict(item, extra=extra) for item in model]
    return model
