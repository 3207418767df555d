"""Fixture files: `account.json`, `tasks/*.json` and `scenarios/*.json` of a fixtures folder.

README's "Fixtures and scenarios" section describes them; the emulator reads every file through
these schemas when it starts, so a bad file stops the start with the file and field named.
"""

from __future__ import annotations

from marshmallow import fields, validate

from sms_mock.contracts.base import Pattern, RequestSchema
from sms_mock.contracts.control import DurationsField, TaskFaultRequestSchema
from sms_mock.contracts.fields import StrictBoolean, StrictInteger, StrictNumber

_NAME = validate.Length(min=1, max=255)


class AccessKeyFileSchema(RequestSchema):
    ak = fields.String(required=True, validate=_NAME)
    sk = fields.String(required=True, validate=_NAME)


class UserFileSchema(RequestSchema):
    id = fields.String(required=True, validate=_NAME)
    name = fields.String(required=True, validate=_NAME)
    password = fields.String(required=True, validate=_NAME)
    access_keys = fields.List(fields.Nested(AccessKeyFileSchema), load_default=list)
    admin = StrictBoolean(load_default=False)  # may read other users' projects


class ProjectFileSchema(RequestSchema):
    id = fields.String(required=True, validate=_NAME)
    name = fields.String(required=True, validate=_NAME)


class DomainFileSchema(RequestSchema):
    id = fields.String(required=True, validate=_NAME)
    name = fields.String(required=True, validate=_NAME)
    projects = fields.List(fields.Nested(ProjectFileSchema), load_default=list)
    users = fields.List(fields.Nested(UserFileSchema), load_default=list)


class AccountFileSchema(RequestSchema):
    """`account.json`: domains with their projects, users and access keys."""

    # A project id or name; the account's first project when absent.
    default_project = fields.String(validate=_NAME)
    domains = fields.List(fields.Nested(DomainFileSchema), required=True)


class FileClockSchema(RequestSchema):
    # The instant the file's dates were written against: on load they move by (now - now_ms).
    now_ms = StrictInteger(validate=validate.Range(min=0))


class TasksFileSchema(RequestSchema):
    """`tasks/*.json`: tasks put into one project, each a (partial) task document."""

    project = fields.String(load_default="")  # an id or a name; the default project when empty
    clock = fields.Nested(FileClockSchema)  # without it, the tasks' dates stay as written
    # Each item loads through the task document's own schema, with its index in the message.
    tasks = fields.List(fields.Raw(), required=True)


class ScenarioClockSchema(FileClockSchema):
    # Seconds the emulator's (shared) clock moves once the scenario is in.
    advance = StrictNumber(validate=validate.Range(min=0, max=10 * 365 * 86400))


class ScenarioFileSchema(RequestSchema):
    """`scenarios/<name>.json`: tasks, task faults and a clock, loaded in one call."""

    description = fields.String(required=True, validate=Pattern(r"^[^\r\n]{1,200}$"))
    # What the file's author (or `sms-mock record to-scenario`) says beyond the description:
    # what a recording could not tell, one line each. Not read by a load.
    notes = fields.List(
        fields.String(validate=Pattern(r"^[^\r\n]{1,1000}$")),
        validate=validate.Length(max=10000),
    )
    project = fields.String(validate=validate.Length(min=1))
    clock = fields.Nested(ScenarioClockSchema)
    durations = DurationsField()
    keep_ids = StrictBoolean()
    # Documents load through their own schemas, item by item. A task names a source or a
    # template of the scenario by the id written in the file; the load gives each a fresh id.
    sources = fields.List(fields.Raw(), validate=validate.Length(max=1000))
    templates = fields.List(fields.Raw(), validate=validate.Length(max=1000))
    tasks = fields.List(fields.Raw(), required=True, validate=validate.Length(min=1))
    faults = fields.List(fields.Nested(TaskFaultRequestSchema))
