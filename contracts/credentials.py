"""Temporary credentials: `POST /v3.0/OS-CREDENTIAL/securitytokens`, a temporary AK/SK and the
security token to send with them in `X-Security-Token` (README, "Temporary credentials")."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from sms_mock.contracts.base import LenientRequestSchema, ResponseSchema
from sms_mock.contracts.fields import StrictInteger

# 15 minutes to 24 hours, 15 minutes when not given, as IAM documents.
DURATION_RANGE = validate.Range(900, 86400)
DEFAULT_DURATION_S = 900
CREDENTIAL_METHODS = ["token", "assume_role"]


class CredentialTokenSchema(LenientRequestSchema):
    # The caller's token: the same as X-Auth-Token, which IAM prefers (this key is deprecated).
    id = fields.String(validate=validate.Length(1, 16384))
    duration_seconds = StrictInteger(load_default=DEFAULT_DURATION_S, validate=DURATION_RANGE)


class CredentialIdentitySchema(LenientRequestSchema):
    methods = fields.List(
        fields.String(validate=validate.OneOf(CREDENTIAL_METHODS)),
        required=True,
        validate=validate.Length(1, 1),
    )
    token = fields.Nested(CredentialTokenSchema)
    assume_role = fields.Dict()  # the agency flavour: loaded to be refused clearly
    policy = fields.Dict()  # IAM applies it to OBS only; accepted and not enforced
    # What is served: the token method with its object (`assume_role` is refused by the route).
    json_schema_rules = {
        "properties": {"methods": {"items": {"enum": ["token"]}}},
        "required": ["methods", "token"],
    }

    @validates_schema
    def _token_method_has_its_section(self, data: dict, **kwargs: object) -> None:
        if data.get("methods") == ["token"] and "token" not in data:
            raise ValidationError("Method 'token' needs its 'token' object.", "token")


class CredentialAuthSchema(LenientRequestSchema):
    identity = fields.Nested(CredentialIdentitySchema, required=True)


class CredentialRequestSchema(LenientRequestSchema):
    auth = fields.Nested(CredentialAuthSchema, required=True)


class CredentialSchema(ResponseSchema):
    access = fields.String(required=True)
    secret = fields.String(required=True)
    securitytoken = fields.String(required=True)
    expires_at = fields.String(required=True)


class CredentialResponseSchema(ResponseSchema):
    credential = fields.Nested(CredentialSchema, required=True)
