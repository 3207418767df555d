"""IAM routes: issue and validate tokens."""

from __future__ import annotations

from flask import Blueprint, Response, request

from sms_mock.contracts.enums import UNSERVED_AUTH_METHODS, AuthMethod
from sms_mock.contracts.iam import TokenRequestSchema
from sms_mock.mock_server.core.http import emulator, iam_url, json_response, load_body, sms_url
from sms_mock.mock_server.gateway.auth import check_signature_if_signed
from sms_mock.mock_server.iam import errors
from sms_mock.mock_server.iam.directory import Directory
from sms_mock.mock_server.iam.models import Token
from sms_mock.mock_server.iam.responses import token_body

blueprint = Blueprint("iam", __name__)

_token_request_schema = TokenRequestSchema()


def _wants_catalog() -> bool:
    # Any non-empty `nocatalog` value means "no catalog"; the key stays, as an empty list.
    return not request.args.get("nocatalog")


def directory() -> Directory:
    """The service directory as this request's caller reaches the emulator."""
    return Directory(emulator().iam.account, sms_url(), iam_url())


def _token_answer(token: Token, status: int) -> Response:
    body = token_body(emulator().iam.account, token, directory() if _wants_catalog() else None)
    return json_response(body, status, {"X-Subject-Token": token.id})


@blueprint.post("/v3/auth/tokens")
def issue_token() -> Response:
    check_signature_if_signed()
    body = load_body(_token_request_schema, errors.bad_request)
    iam = emulator().iam
    auth = body["auth"]
    identity = auth["identity"]
    unserved = [m for m in identity["methods"] if m in UNSERVED_AUTH_METHODS]
    if unserved:
        raise errors.method_not_supported(unserved[0])
    method = identity["methods"][0]
    expires_ms = None
    if method == AuthMethod.PASSWORD:
        user = iam.check_password(identity["password"]["user"])
    else:
        # A token from a token lives no longer than the one it came from.
        source, user = iam.token_owner(identity["token"]["id"])
        expires_ms = source.expires_ms
    project, domain = iam.resolve_scope(user, auth.get("scope"))
    token = iam.issue(user, [method], project, domain, expires_ms=expires_ms)
    return _token_answer(token, 201)


@blueprint.get("/v3/auth/tokens")  # HEAD is served by the same view, without a body
def validate_token() -> Response:
    check_signature_if_signed()
    iam = emulator().iam
    caller = request.headers.get("X-Auth-Token")
    # Checking one's own token needs no caller token; a caller token given must be valid.
    if caller and iam.valid_token(caller) is None:
        raise errors.auth_required()
    subject = request.headers.get("X-Subject-Token")
    if not subject:
        raise errors.subject_token_missing()
    token = iam.valid_token(subject)
    if token is None:
        raise errors.token_not_found(subject)
    return _token_answer(token, 200)
