"""IAM (Keystone v3, Huawei flavour) bodies: token requests and responses, projects, domains,
users."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from marshmallow import ValidationError, fields, validate, validates, validates_schema

from sms_mock.contracts.base import LenientRequestSchema, Pattern, ResponseSchema, any_of_required
from sms_mock.contracts.enums import UNSERVED_AUTH_METHODS, AuthMethod
from sms_mock.contracts.fields import StrictBoolean, enum_field

_name = validate.Length(1, 255)

# --- POST /v3/auth/tokens: request ------------------------------------------------------------


class NameOrIdSchema(LenientRequestSchema):
    """A domain named by id or by name."""

    id = fields.String(validate=_name)
    name = fields.String(validate=_name)
    json_schema_rules = any_of_required(("id",), ("name",))

    @validates_schema
    def _id_or_name(self, data: dict, **kwargs: Any) -> None:
        if not data.get("id") and not data.get("name"):
            raise ValidationError("Give an id or a name.", "id")


class PasswordUserSchema(LenientRequestSchema):
    """A user by id, or by name within a domain (the account)."""

    id = fields.String(validate=_name)
    name = fields.String(validate=_name)
    password = fields.String(required=True, validate=validate.Length(1, 1024))
    domain = fields.Nested(NameOrIdSchema)
    json_schema_rules = any_of_required(("id",), ("name", "domain"))

    @validates_schema
    def _id_or_name_in_domain(self, data: dict, **kwargs: Any) -> None:
        if data.get("id"):
            return
        if not data.get("name"):
            raise ValidationError("Give the user's id, or its name and domain.", "name")
        if not data.get("domain"):
            raise ValidationError("A user named by name needs its domain.", "domain")


class PasswordSchema(LenientRequestSchema):
    user = fields.Nested(PasswordUserSchema, required=True)


class TokenIdentitySchema(LenientRequestSchema):
    id = fields.String(required=True, validate=validate.Length(1, 16384))


_METHOD_NAMES = [m.value for m in AuthMethod] + list(UNSERVED_AUTH_METHODS)


class IdentitySchema(LenientRequestSchema):
    """One method, password or token. MFA (`password` + `totp`) and `assume_role` load, so
    that the route can refuse them as Keystone refuses a method it does not serve."""

    methods = fields.List(
        fields.String(validate=validate.OneOf(_METHOD_NAMES)),
        required=True,
        validate=validate.Length(1, 2),
    )
    password = fields.Nested(PasswordSchema)
    token = fields.Nested(TokenIdentitySchema)
    # What is served: one method, with its own object (the others are refused by the route).
    json_schema_rules = {
        "properties": {
            "methods": {"items": {"enum": [m.value for m in AuthMethod]}, "maxItems": 1}
        },
        "anyOf": [
            {"properties": {"methods": {"items": {"enum": [m.value]}}}, "required": [m.value]}
            for m in AuthMethod
        ],
    }

    @validates_schema
    def _method_has_its_section(self, data: dict, **kwargs: Any) -> None:
        methods = data.get("methods", [])
        if any(m in UNSERVED_AUTH_METHODS for m in methods):
            return  # refused by the route, whatever the rest says
        if len(methods) > 1:
            raise ValidationError("Give one method: password or token.", "methods")
        for method in methods:
            if method not in data:
                raise ValidationError(f"Method {method!r} needs its '{method}' object.", method)


class ProjectScopeSchema(LenientRequestSchema):
    """A project by id, or by name (optionally within a domain)."""

    id = fields.String(validate=_name)
    name = fields.String(validate=_name)
    domain = fields.Nested(NameOrIdSchema)
    json_schema_rules = any_of_required(("id",), ("name",))

    @validates_schema
    def _id_or_name(self, data: dict, **kwargs: Any) -> None:
        if not data.get("id") and not data.get("name"):
            raise ValidationError("Give the project's id or name.", "id")


class ScopeSchema(LenientRequestSchema):
    """Project scope wins when both are given, as IAM documents."""

    project = fields.Nested(ProjectScopeSchema)
    domain = fields.Nested(NameOrIdSchema)
    json_schema_rules = any_of_required(("project",), ("domain",))

    @validates_schema
    def _one_scope(self, data: dict, **kwargs: Any) -> None:
        if "project" not in data and "domain" not in data:
            raise ValidationError("A scope names a project or a domain.", "project")


class AuthSchema(LenientRequestSchema):
    identity = fields.Nested(IdentitySchema, required=True)
    # Optional, as in Keystone: without a scope the token is unscoped, good only for IAM
    # (for instance to be exchanged through the `token` method for a scoped one).
    scope = fields.Nested(ScopeSchema)


class TokenRequestSchema(LenientRequestSchema):
    """The body of POST /v3/auth/tokens: the password and token methods, any scope."""

    auth = fields.Nested(AuthSchema, required=True)


# --- POST /v3/auth/tokens: response -----------------------------------------------------------


class IdNameSchema(ResponseSchema):
    id = fields.String(required=True)
    name = fields.String(required=True)


class CatalogEndpointSchema(ResponseSchema):
    url = fields.String(required=True)
    region = fields.String(required=True)
    region_id = fields.String(required=True)
    interface = fields.String(required=True)
    id = fields.String(required=True)


class CatalogEntrySchema(ResponseSchema):
    type = fields.String(required=True)
    id = fields.String(required=True)
    name = fields.String(required=True)
    endpoints = fields.List(fields.Nested(CatalogEndpointSchema), required=True)


class TokenProjectSchema(ResponseSchema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    domain = fields.Nested(IdNameSchema, required=True)


class RoleSchema(ResponseSchema):
    id = fields.String(required=True)
    name = fields.String(required=True)


class FederationSchema(ResponseSchema):
    groups = fields.List(fields.Dict(), allow_none=True)
    identity_provider = fields.Dict(allow_none=True)
    protocol = fields.Dict(allow_none=True)


class TokenUserSchema(ResponseSchema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    password_expires_at = fields.String(required=True)  # "" means never
    domain = fields.Nested(IdNameSchema, required=True)
    os_federation = fields.Nested(FederationSchema, allow_none=True, data_key="OS-FEDERATION")


# IAM's times: ISO-8601 UTC, e.g. 2020-01-04T09:05:22.701000Z.
ISO_TIME_PATTERN = (
    r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
    r"(\.[0-9]{1,6})?Z$"
)


class TokenSchema(ResponseSchema):
    """TokenResult: `project` is set for a project scope, `domain` for a domain scope."""

    methods = fields.List(enum_field(AuthMethod), required=True)
    expires_at = fields.String(required=True, validate=Pattern(ISO_TIME_PATTERN))
    issued_at = fields.String(required=True, validate=Pattern(ISO_TIME_PATTERN))
    catalog = fields.List(fields.Nested(CatalogEntrySchema), required=True)
    domain = fields.Nested(IdNameSchema, allow_none=True)
    project = fields.Nested(TokenProjectSchema, allow_none=True)
    roles = fields.List(fields.Nested(RoleSchema), required=True)
    user = fields.Nested(TokenUserSchema, required=True)


class TokenResponseSchema(ResponseSchema):
    """The answer of POST and GET /v3/auth/tokens; the token itself is in `X-Subject-Token`."""

    token = fields.Nested(TokenSchema, required=True)


# --- GET /v3/projects, GET /v3/auth/domains ---------------------------------------------------


class LinksSchema(ResponseSchema):
    self = fields.String(allow_none=True)
    previous = fields.String(allow_none=True)
    next = fields.String(allow_none=True)


class ProjectSchema(ResponseSchema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    domain_id = fields.String(required=True)
    parent_id = fields.String(allow_none=True)
    is_domain = StrictBoolean(allow_none=True)
    description = fields.String(allow_none=True)
    enabled = StrictBoolean(allow_none=True)
    links = fields.Nested(LinksSchema, allow_none=True)


class ProjectListSchema(ResponseSchema):
    projects = fields.List(fields.Nested(ProjectSchema), required=True)
    links = fields.Nested(LinksSchema, allow_none=True)


class ProjectListQuerySchema(LenientRequestSchema):
    name = fields.String(validate=_name)
    domain_id = fields.String(validate=_name)
    enabled = fields.String(validate=validate.OneOf(["true", "false"]))


class DomainSchema(ResponseSchema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    enabled = StrictBoolean(allow_none=True)
    description = fields.String(allow_none=True)
    links = fields.Nested(LinksSchema, allow_none=True)


class DomainListSchema(ResponseSchema):
    domains = fields.List(fields.Nested(DomainSchema), required=True)
    links = fields.Nested(LinksSchema, allow_none=True)


class ProjectShowSchema(ResponseSchema):
    """`GET /v3/projects/{project_id}` (keystone_show_project)."""

    project = fields.Nested(ProjectSchema, required=True)


# --- GET /v3/users ----------------------------------------------------------------------------

# IAM's filter on a password's expiry: `{operator}:{timestamp}`; without an operator, `eq`.
PASSWORD_EXPIRES_OPERATORS = ("lt", "lte", "gt", "gte", "eq", "neq")
# A day of the calendar, written so that the pattern (and the OpenAPI document, which prints
# it) holds exactly the dates a date parser takes: years 0001 to 9999, 29 February of leap years.
_YEAR = r"([0-9]{3}[1-9]|[0-9]{2}[1-9]0|[0-9][1-9]00|[1-9]000)"
_MONTH_DAY = (
    r"((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)"
    r"|02-(0[1-9]|1[0-9]|2[0-8]))"
)
_LEAP_YEAR = r"([0-9]{2}(0[48]|[2468][048]|[13579][26])|(0[48]|[2468][048]|[13579][26])00)"
CALENDAR_DATE = rf"({_YEAR}-{_MONTH_DAY}|{_LEAP_YEAR}-02-29)"
PASSWORD_EXPIRES_PATTERN = (
    rf"^(({'|'.join(PASSWORD_EXPIRES_OPERATORS)}):)?"
    rf"{CALENDAR_DATE}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z$"
)


class UserListQuerySchema(LenientRequestSchema):
    """The query of GET /v3/users (KeystoneListUsersRequest)."""

    domain_id = fields.String(validate=_name)
    # The SDK sends a Python bool as it prints: `True`, `False`.
    enabled = fields.String(validate=validate.OneOf(["true", "false", "True", "False"]))
    name = fields.String(validate=_name)
    password_expires_at = fields.String(
        validate=Pattern(
            PASSWORD_EXPIRES_PATTERN,
            error="Must be {{operator}}:YYYY-MM-DDTHH:mm:ssZ, the operator one of "
            + ", ".join(PASSWORD_EXPIRES_OPERATORS)
            + ".",
        )
    )

    @validates("password_expires_at")
    def _a_real_instant(self, value: str, **kwargs: Any) -> None:
        # A guard: the pattern holds calendar dates only. The timestamp is the last 20 characters.
        try:
            datetime.strptime(value[-20:], "%Y-%m-%dT%H:%M:%SZ")
        except ValueError as exc:
            raise ValidationError(f"{value[-20:]} is not a date and time.") from exc


class UserSchema(ResponseSchema):
    """KeystoneListUsersResult: one user of GET /v3/users."""

    id = fields.String(required=True)
    name = fields.String(required=True)
    domain_id = fields.String(required=True)
    enabled = StrictBoolean(required=True)
    description = fields.String(allow_none=True)
    password_expires_at = fields.String(allow_none=True)  # null: the password never expires
    pwd_status = StrictBoolean(allow_none=True)  # true: the user must change its password
    pwd_strength = fields.String(allow_none=True, validate=validate.OneOf(["high", "mid", "low"]))
    last_project_id = fields.String(allow_none=True)
    access_mode = fields.String(
        allow_none=True, validate=validate.OneOf(["default", "programmatic", "console"])
    )
    links = fields.Nested(LinksSchema, allow_none=True)


class UserListSchema(ResponseSchema):
    """KeystoneListUsersResponse."""

    users = fields.List(fields.Nested(UserSchema), required=True)
    links = fields.Nested(LinksSchema, allow_none=True)
