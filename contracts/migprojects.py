"""SMS v3 migration projects (`/v3/migprojects`): create, update, the list and show answers.

A migration project groups source servers (and their tasks) inside one IAM project; each IAM
project has exactly one default, which new sources join.
"""

from __future__ import annotations

from marshmallow import EXCLUDE, fields, validate

from sms_mock.contracts.base import Pattern, RequestSchema, ResponseSchema
from sms_mock.contracts.enums import TaskType
from sms_mock.contracts.fields import StrictBoolean, StrictInteger, enum_field
from sms_mock.contracts.sms import INT64_MAX, TASK_NAME_PATTERN, TASK_NAME_RULE, _bool, _int, _str

_NAME = Pattern(TASK_NAME_PATTERN, error=TASK_NAME_RULE)


class _MigprojectFields(RequestSchema):
    description = fields.String(validate=validate.Length(0, 255))
    isdefault = StrictBoolean()
    start_target_server = StrictBoolean()
    speed_limit = StrictInteger(validate=validate.Range(0, 65535))  # Mbit/s; 0: no limit
    use_public_ip = StrictBoolean()
    exist_server = StrictBoolean()
    enterprise_project = fields.String(validate=validate.Length(0, 255))
    syncing = StrictBoolean()
    start_network_check = StrictBoolean()


class CreateMigprojectRequestSchema(_MigprojectFields):
    """PostMigProjectBody: `name`, `region` and `type` required."""

    name = fields.String(required=True, validate=_NAME)
    region = fields.String(required=True, validate=validate.Length(1, 255))
    type = enum_field(TaskType, required=True)


class UpdateMigprojectRequestSchema(_MigprojectFields):
    """MigProject: the given fields replace the migproject's."""

    name = fields.String(validate=_NAME)
    region = fields.String(validate=validate.Length(1, 255))
    type = enum_field(TaskType)


class MigprojectListQuerySchema(RequestSchema):
    class Meta:
        unknown = EXCLUDE  # a gateway ignores query parameters an API does not declare

    limit = fields.Integer(validate=validate.Range(0, 100), load_default=0)  # 0: 100
    offset = fields.Integer(validate=validate.Range(0, 65535), load_default=0)


class MigprojectShowSchema(ResponseSchema):
    """ShowMigprojectResponse: the SDK's show answer has no `id`."""

    name = _str()
    description = _str()
    isdefault = _bool()
    region = _str()
    start_target_server = _bool()
    speed_limit = _int()
    use_public_ip = _bool()
    exist_server = _bool()
    type = enum_field(TaskType, allow_none=True)
    enterprise_project = _str()
    syncing = _bool()
    start_network_check = _bool()


class MigprojectSchema(MigprojectShowSchema):
    """MigprojectsResponseBody: one migproject of the list."""

    id = fields.String(required=True)


class MigprojectListSchema(ResponseSchema):
    count = StrictInteger(required=True, validate=validate.Range(0, INT64_MAX))
    migprojects = fields.List(fields.Nested(MigprojectSchema), required=True)


class ConfigSchema(ResponseSchema):
    """ShowConfigResponse: the agent's configuration; every value a string."""

    config = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    regions = fields.List(fields.Dict(keys=fields.String(), values=fields.String()), required=True)


class PrivacyAgreementSchema(ResponseSchema):
    flag = StrictBoolean(required=True)
