"""SMS v3 server templates (`/v3/vm/templates`): create, update, the list and show answers.

Answers carry every key of the SDK 3.1.219 TemplateResponseBody. Note the SDK's quirk, kept on
the wire: `is_template` is a boolean in a request and a string ("true") in an answer.
"""

from __future__ import annotations

from marshmallow import EXCLUDE, fields, validate

from sms_mock.contracts.base import Pattern, RequestSchema, ResponseSchema
from sms_mock.contracts.fields import StrictBoolean, StrictInteger
from sms_mock.contracts.sms import INT64_MAX, TASK_NAME_PATTERN, _int, _list, _nested, _str

_text = validate.Length(0, 255)
_name = validate.Length(1, 255)


class VpcSchema(RequestSchema):
    id = fields.String(validate=_text)  # "autoCreate": the service makes one
    name = fields.String(validate=_text)
    cidr = fields.String(validate=_text)


class NicSchema(RequestSchema):
    id = fields.String(required=True, validate=_name)
    name = fields.String(required=True, validate=_text)
    # The SDK marks it required; Terraform sends none for an autoCreate subnet.
    cidr = fields.String(validate=_text)
    ip = fields.String(validate=_text)


class SecurityGroupSchema(RequestSchema):
    id = fields.String(required=True, validate=_name)
    name = fields.String(required=True, validate=_text)


class PublicIpSchema(RequestSchema):
    type = fields.String(required=True, validate=_name)
    bandwidth_size = StrictInteger(required=True, validate=validate.Range(1, 100_000))
    bandwidth_share_type = fields.String(validate=_text)


class TemplateDiskSchema(RequestSchema):
    id = StrictInteger(validate=validate.Range(0, INT64_MAX))
    index = StrictInteger(required=True, validate=validate.Range(0, 64))
    name = fields.String(required=True, validate=_name)
    disktype = fields.String(required=True, validate=_name)
    size = StrictInteger(required=True, validate=validate.Range(1, 65536))  # GB
    device_use = fields.String(validate=_text)


class TemplateRequestSchema(RequestSchema):
    """TemplateRequest: `name` is the only field the SDK requires."""

    name = fields.String(
        required=True,
        validate=Pattern(
            TASK_NAME_PATTERN,
            error="Must be 1 to 255 Chinese characters, letters, digits, '_' or '-'.",
        ),
    )
    is_template = StrictBoolean()
    region = fields.String(validate=_text)
    projectid = fields.String(validate=_text)
    target_server_name = fields.String(validate=_text)
    availability_zone = fields.String(validate=_text)
    volumetype = fields.String(validate=_text)
    flavor = fields.String(validate=_text)
    vpc = fields.Nested(VpcSchema)
    nics = fields.List(fields.Nested(NicSchema), validate=validate.Length(0, 12))
    security_groups = fields.List(
        fields.Nested(SecurityGroupSchema), validate=validate.Length(0, 12)
    )
    publicip = fields.Nested(PublicIpSchema)
    disk = fields.List(fields.Nested(TemplateDiskSchema), validate=validate.Length(0, 64))
    data_volume_type = fields.String(validate=_text)
    target_password = fields.String(validate=validate.Length(0, 255))
    image_id = fields.String(validate=_text)


class CreateTemplateRequestSchema(RequestSchema):
    template = fields.Nested(TemplateRequestSchema, required=True)


class TemplateChangeSchema(TemplateRequestSchema):
    """The fields an update gives; the name too is optional here."""

    name = fields.String(
        validate=Pattern(
            TASK_NAME_PATTERN,
            error="Must be 1 to 255 Chinese characters, letters, digits, '_' or '-'.",
        )
    )


class UpdateTemplateRequestSchema(RequestSchema):
    """UpdateTemplateReq: the given fields replace the template's."""

    template = fields.Nested(TemplateChangeSchema)


class TemplateListQuerySchema(RequestSchema):
    class Meta:
        unknown = EXCLUDE  # a gateway ignores query parameters an API does not declare

    name = fields.String(validate=_name)
    availability_zone = fields.String(validate=_name)
    region = fields.String(validate=_name)
    limit = fields.Integer(validate=validate.Range(0, 100), load_default=50)
    offset = fields.Integer(validate=validate.Range(0, 65535), load_default=0)
    id = fields.String(validate=_name)


class VpcOutSchema(ResponseSchema):
    id = _str()
    name = _str()
    cidr = _str()


class NicOutSchema(ResponseSchema):
    id = _str()
    name = _str()
    cidr = _str()
    ip = _str()


class SecurityGroupOutSchema(ResponseSchema):
    id = _str()
    name = _str()


class PublicIpOutSchema(ResponseSchema):
    type = _str()
    bandwidth_size = _int()
    bandwidth_share_type = _str()


class TemplateDiskOutSchema(ResponseSchema):
    id = _int()
    index = _int()
    name = _str()
    disktype = _str()
    size = _int()
    device_use = _str()


class TemplateSchema(ResponseSchema):
    """TemplateResponseBody: one template of the list, or the show answer's `template`."""

    id = fields.String(required=True)
    name = _str()
    is_template = _str()  # "true" or "false": a string in the SDK's answer model
    region = _str()
    projectid = _str()
    target_server_name = _str()
    availability_zone = _str()
    volumetype = _str()
    flavor = _str()
    vpc = _nested(VpcOutSchema)
    nics = _list(NicOutSchema)
    security_groups = _list(SecurityGroupOutSchema)
    publicip = _nested(PublicIpOutSchema)
    disk = _list(TemplateDiskOutSchema)
    data_volume_type = _str()
    target_password = _str()
    image_id = _str()


class TemplateShowSchema(ResponseSchema):
    template = fields.Nested(TemplateSchema, required=True)


class TemplateListSchema(ResponseSchema):
    count = StrictInteger(required=True, validate=validate.Range(0, INT64_MAX))
    templates = fields.List(fields.Nested(TemplateSchema), required=True)


class TargetPasswordSchema(ResponseSchema):
    template_id = _str()
    target_password = _str()
