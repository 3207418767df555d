"""Temporary credentials: `POST /v3.0/OS-CREDENTIAL/securitytokens` (README, "IAM").

The caller is who the credentials are for: by its SDK signature (permanent or temporary AK),
its `X-Auth-Token`, or, deprecated but still served, the token id in the body. The gateway
then accepts signatures made with the temporary AK/SK and `X-Security-Token` until they expire.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from sms_mock.contracts.credentials import CredentialRequestSchema
from sms_mock.mock_server.core.clock import iso_ms
from sms_mock.mock_server.core.http import emulator, json_response, load_body
from sms_mock.mock_server.gateway.auth import Caller, iam_caller, is_signed, token_caller
from sms_mock.mock_server.iam import errors

blueprint = Blueprint("iam_credentials", __name__)

_request_schema = CredentialRequestSchema()


def _caller(body_token_id: str | None) -> Caller:
    # A credential of the gateway's (a token, a signature); else the body's token id. Another
    # Authorization scheme (Basic, Bearer) is no credential of IAM's.
    if request.headers.get("X-Auth-Token") or is_signed(request.headers.get("Authorization")):
        return iam_caller()
    emu = emulator()
    token = emu.iam.valid_token(body_token_id) if body_token_id else None
    if token is None:
        raise errors.invalid_token()
    return token_caller(emu, token)


@blueprint.post("/v3.0/OS-CREDENTIAL/securitytokens")
def create_temporary_credential() -> Response:
    body = load_body(_request_schema, errors.invalid_parameter)
    identity = body["auth"]["identity"]
    if identity["methods"] == ["assume_role"]:
        raise errors.agency_not_served()
    token_section = identity["token"]
    caller = _caller(token_section.get("id"))
    iam = emulator().iam
    user = iam.account.users[caller.user_id or ""]
    duration_s = token_section["duration_seconds"]
    # Never beyond the credential asked with (a permanent AK has no end).
    credential = iam.issue_credential(user, duration_s, caller.expires_ms)
    return json_response(
        {
            "credential": {
                "access": credential.access,
                "secret": credential.secret,
                "securitytoken": credential.security_token,
                "expires_at": iso_ms(credential.expires_ms),
            }
        },
        201,
    )
