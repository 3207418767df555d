"""IAM's service directory: the catalog, endpoints, services and regions (Keystone v3 bodies).

`GET /v3/auth/catalog` answers the caller's catalog, the same as in its token; the other three
list the whole directory, whatever the caller's scope (README, "IAM").
"""

from __future__ import annotations

from marshmallow import fields, validate

from sms_mock.contracts.base import LenientRequestSchema, ResponseSchema
from sms_mock.contracts.fields import StrictBoolean
from sms_mock.contracts.iam import CatalogEntrySchema, LinksSchema

INTERFACES = ["public", "internal", "admin"]


class SelfLinkSchema(ResponseSchema):
    self = fields.String(required=True)


class CatalogSchema(ResponseSchema):
    """`GET /v3/auth/catalog` (keystone_show_catalog)."""

    catalog = fields.List(fields.Nested(CatalogEntrySchema), required=True)
    links = fields.Nested(SelfLinkSchema, required=True)


class EndpointSchema(ResponseSchema):
    id = fields.String(required=True)
    interface = fields.String(required=True, validate=validate.OneOf(INTERFACES))
    region = fields.String(required=True)
    region_id = fields.String(required=True)
    service_id = fields.String(required=True)
    url = fields.String(required=True)
    enabled = StrictBoolean(required=True)
    links = fields.Nested(LinksSchema, required=True)


class EndpointListSchema(ResponseSchema):
    endpoints = fields.List(fields.Nested(EndpointSchema), required=True)
    links = fields.Nested(LinksSchema, required=True)


class EndpointShowSchema(ResponseSchema):
    endpoint = fields.Nested(EndpointSchema, required=True)


class EndpointListQuerySchema(LenientRequestSchema):
    interface = fields.String(validate=validate.OneOf(INTERFACES))
    service_id = fields.String(validate=validate.Length(1, 64))


class ServiceSchema(ResponseSchema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    type = fields.String(required=True)
    description = fields.String(required=True)
    enabled = StrictBoolean(required=True)
    links = fields.Nested(LinksSchema, required=True)


class ServiceListSchema(ResponseSchema):
    services = fields.List(fields.Nested(ServiceSchema), required=True)
    links = fields.Nested(LinksSchema, required=True)


class ServiceShowSchema(ResponseSchema):
    service = fields.Nested(ServiceSchema, required=True)


class ServiceListQuerySchema(LenientRequestSchema):
    type = fields.String(validate=validate.Length(1, 64))


class RegionLocalesSchema(ResponseSchema):
    zh_cn = fields.String(required=True, data_key="zh-cn")
    en_us = fields.String(required=True, data_key="en-us")


class RegionSchema(ResponseSchema):
    id = fields.String(required=True)
    type = fields.String(required=True)
    description = fields.String(required=True)
    parent_region_id = fields.String(allow_none=True)
    locales = fields.Nested(RegionLocalesSchema, required=True)
    links = fields.Nested(SelfLinkSchema, required=True)


class RegionListSchema(ResponseSchema):
    regions = fields.List(fields.Nested(RegionSchema), required=True)
    links = fields.Nested(LinksSchema, required=True)


class RegionShowSchema(ResponseSchema):
    region = fields.Nested(RegionSchema, required=True)
