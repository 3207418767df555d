"""Error bodies: the SMS service's, the API gateway's and Keystone's."""

from __future__ import annotations

from marshmallow import fields, validate

from sms_mock.contracts.base import Pattern, ResponseSchema
from sms_mock.contracts.fields import StrictInteger


class ErrorDetailSchema(ResponseSchema):
    error_code = fields.String(allow_none=True)
    error_msg = fields.String(allow_none=True)


class SmsErrorSchema(ResponseSchema):
    """`{"error_code": "SMS.xxxx", "error_msg": ...}`; 403 answers may add the last three keys."""

    error_code = fields.String(required=True, validate=Pattern(r"^SMS\.\d{4}$"))
    error_msg = fields.String(required=True)
    encoded_authorization_message = fields.String(allow_none=True)
    error_param = fields.List(fields.String(), allow_none=True)
    details = fields.List(fields.Nested(ErrorDetailSchema), allow_none=True)


class MockErrorSchema(ResponseSchema):
    """The emulator's own answers (control plane, dashboard, admin token, an HTTP fault's
    default body): the SMS body's shape with a `MOCK.xxxx` code (`contracts/error_codes.py`)."""

    error_code = fields.String(required=True, validate=Pattern(r"^MOCK\.\d{4}$"))
    error_msg = fields.String(required=True)


class ApigwErrorSchema(ResponseSchema):
    """The API gateway's body, for authentication failures and unknown routes."""

    error_code = fields.String(required=True, validate=Pattern(r"^APIGW\.\d{4}$"))
    error_msg = fields.String(required=True)
    request_id = fields.String(required=True)


class KeystoneErrorDetailSchema(ResponseSchema):
    code = StrictInteger(required=True, validate=validate.Range(400, 599))
    message = fields.String(required=True)
    title = fields.String(required=True)


class KeystoneErrorSchema(ResponseSchema):
    """`{"error": {"code": 401, "message": ..., "title": "Unauthorized"}}`; code = HTTP status."""

    error = fields.Nested(KeystoneErrorDetailSchema, required=True)


class IamErrorSchema(ResponseSchema):
    """IAM's own APIs (`/v3.0/...`): `{"error_code": "IAM.xxxx", "error_msg": ...}`."""

    error_code = fields.String(required=True, validate=Pattern(r"^IAM\.\d{4}$"))
    error_msg = fields.String(required=True)
