"""API version documents: SMS's `GET /` and `GET /v3`, which Keystone clients read for discovery.

The emulator serves SMS and IAM on one URL, so one document answers both readers: the SDK's
ListApiVersion / ShowApiVersion models and keystoneauth1's version discovery.
"""

from __future__ import annotations

from marshmallow import fields

from sms_mock.contracts.base import ResponseSchema


class VersionLinkSchema(ResponseSchema):
    href = fields.String(required=True)
    rel = fields.String(required=True)


class ApiVersionSchema(ResponseSchema):
    """One version: the SDK's `Version` model; keystoneauth1 reads `id`, `status` and `links`."""

    id = fields.String(required=True)
    links = fields.List(fields.Nested(VersionLinkSchema), required=True)
    status = fields.String(required=True)
    updated = fields.String(required=True)


class ApiVersionListSchema(ResponseSchema):
    """`GET /`: every version (SDK ListApiVersionResponse; a list, as keystoneauth1 accepts)."""

    versions = fields.List(fields.Nested(ApiVersionSchema), required=True)


class ApiVersionShowSchema(ApiVersionSchema):
    """`GET /v3`: the version flat, as SMS answers, and under `version`, as Keystone does."""

    version = fields.Nested(ApiVersionSchema, required=True)
