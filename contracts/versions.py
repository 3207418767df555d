"""API version documents: SMS's `GET /` and `GET /v3` on the main port, and Keystone's on the IAM
listener (README, "IAM").

The main port serves IAM's routes too, so its `GET /v3` answers both readers: the SMS SDK's
ShowApiVersion model (flat) and keystoneauth1's discovery (under `version`).
"""

from __future__ import annotations

from marshmallow import fields

from sms_mock.contracts.base import ResponseSchema

# Keystone's media type: both listeners' v3 documents carry it, so that discovery knows the
# identity API v3 is there.
IDENTITY_MEDIA_TYPES = [
    {"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}
]


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


# --- Keystone's documents, on the IAM listener -------------------------------------------------


class MediaTypeSchema(ResponseSchema):
    base = fields.String(required=True)
    type = fields.String(required=True)


class KeystoneVersionSchema(ApiVersionSchema):
    """IAM's `Version` model: SMS's fields and the `media-types` Keystone clients check."""

    media_types = fields.List(fields.Nested(MediaTypeSchema), required=True, data_key="media-types")


class KeystoneVersionValuesSchema(ResponseSchema):
    values = fields.List(fields.Nested(KeystoneVersionSchema), required=True)


class KeystoneVersionListSchema(ResponseSchema):
    """IAM's `GET /` (keystone_list_versions): the versions under `versions.values`."""

    versions = fields.Nested(KeystoneVersionValuesSchema, required=True)


class KeystoneVersionShowSchema(ResponseSchema):
    """IAM's `GET /v3` (keystone_show_version)."""

    version = fields.Nested(KeystoneVersionSchema, required=True)
