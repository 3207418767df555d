"""The API gateway in front of SMS: who is calling, and for which project.

Authentication failures answer the gateway's own body (`APIGW.0301`), not the service's.
"""

from __future__ import annotations

from flask import request

from mock_server.clock import iso_ms
from mock_server.errors import GatewayError
from mock_server.http import emulator
from mock_server.iam.models import Token

AUTH_FAILED = "Incorrect IAM authentication information: "


def auth_failed(reason: str) -> GatewayError:
    return GatewayError(401, "APIGW.0301", AUTH_FAILED + reason)


def not_authorized() -> GatewayError:
    return GatewayError(403, "APIGW.0302", "The IAM user is not authorized to access the API.")


def caller_token() -> Token:
    """The valid token in `X-Auth-Token`, of any scope."""
    token_id = request.headers.get("X-Auth-Token")
    if not token_id:
        raise auth_failed("x-auth-token not found")
    iam = emulator().iam
    token = iam.lookup(token_id)
    if token is None:
        raise auth_failed("decrypt token fail")
    if token.expires_ms <= iam.clock.now_ms():
        raise auth_failed(f"token expires, expires_at: {iso_ms(token.expires_ms)}")
    return token


def sms_project() -> str:
    """The project id an SMS call acts in, from its project-scoped token."""
    token = caller_token()
    if token.project_id is None:
        # SMS is a regional service: a domain-scoped or unscoped token cannot use it.
        raise not_authorized()
    return token.project_id
