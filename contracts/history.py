"""SMS v3 history APIs: UnlockTargetEcs, CheckNetAcl and ShowSha256, shaped as the SDK 3.1.196
models them (later SDKs dropped them; the API reference keeps them as "Historical APIs").

UnlockTargetEcsResponse and CheckNetAclResponse model their answer as one string attribute,
`body`, which the SDK reads from the whole answer rather than from a key; the reference's
example of both is `{ }`, as for a delete, so their contract is `EmptyResponseSchema`.
"""

from __future__ import annotations

from marshmallow import EXCLUDE, fields, validate

from sms_mock.contracts.base import RequestSchema, ResponseSchema
from sms_mock.contracts.sms import EmptyResponseSchema

SHA256_KEY_MAX = 16384  # characters, as documented

# POST /v3/tasks/{task_id}/unlock: the task id is the path's; the SDK sends no body.
UnlockTargetEcsResponseSchema = EmptyResponseSchema

# GET /v3/tasks/{t_project_id}/networkacl/{t_network_id}/check: ids in the path.
CheckNetAclResponseSchema = EmptyResponseSchema


class CheckNetAclQuerySchema(RequestSchema):
    """CheckNetAclRequest's query: the target's region and OS type, both required."""

    class Meta:
        unknown = EXCLUDE  # a gateway ignores query parameters an API does not declare

    region_id = fields.String(required=True, validate=validate.Length(0, 255))
    os_type = fields.String(required=True, validate=validate.Length(0, 255))


class ShowSha256PathSchema(RequestSchema):
    """ShowSha256Request: the key in the path (the reference says a UUID; any text is hashed)."""

    key = fields.String(
        required=True,
        validate=validate.Length(1, SHA256_KEY_MAX),
        metadata={"description": f"1 to {SHA256_KEY_MAX} characters."},
    )


class ShowSha256ResponseSchema(ResponseSchema):
    """ShowSha256Response: the SHA-256 of the key."""

    value = fields.String(required=True, validate=validate.Length(min=1))
