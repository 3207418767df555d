"""IAM routes: issue and validate tokens."""

from __future__ import annotations

from flask import Blueprint, Response, request

from sms_mock.contracts.enums import UNSERVED_AUTH_METHODS, AuthMethod
from sms_mock.contracts.iam import TokenRequestSchema
from sms_mock.mock_server.core.http import (
    emulator,
    iam_url,
    json_response,
    load_body,
    service_urls,
    sms_url,
)
from sms_mock.mock_server.gateway.auth import check_signature_if_signed
from sms_mock.mock_server.iam import errors
from sms_mock.mock_server.iam.directory import Directory
from sms_mock.mock_server.iam.models import Token, User

blueprint = Blueprint("iam", __name__)

_token_request_schema = TokenRequestSchema()


def _wants_catalog() -> bool:
    # Any non-empty `nocatalog` value means "no catalog"; the key stays, as an empty list.
    # Most calls have no query at all: then the query is not parsed.
    return not request.environ.get("QUERY_STRING") or not request.args.get("nocatalog")


def directory() -> Directory:
    """The service directory as this request's caller reaches the emulator."""
    return Directory(emulator().iam.account, sms_url(), iam_url())


def _token_answer(token: Token, status: int) -> Response:
    body = emulator().iam.answers.answer(token, service_urls() if _wants_catalog() else None)
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
    """IAM asks who validates, beside what: the caller's `X-Auth-Token` (its own token will
    do) or an SDK signature, then `X-Subject-Token`. A user validates its own tokens, an
    administrator those of its account's users; another account's are refused."""
    caller = _validating_user()
    subject = request.headers.get("X-Subject-Token")
    if not subject:
        raise errors.subject_token_missing()
    token = emulator().iam.valid_token(subject)
    if token is None:
        raise errors.token_not_found(subject)
    if not _may_validate(caller, token):
        raise errors.forbidden()
    return _token_answer(token, 200)


def _validating_user() -> User:
    """The user a token validation is asked by: its signature's, else its `X-Auth-Token`'s;
    Keystone's 401 without a valid one."""
    iam = emulator().iam
    signed = check_signature_if_signed()
    if signed is not None and signed.user_id is not None:
        return iam.account.users[signed.user_id]
    caller = iam.valid_token(request.headers.get("X-Auth-Token") or "")
    if caller is None:
        raise errors.auth_required()
    return iam.account.users[caller.user_id]


def _may_validate(caller: User, token: Token) -> bool:
    if token.user_id == caller.id:
        return True
    owner = emulator().iam.account.users[token.user_id]
    return caller.admin and owner.domain_id == caller.domain_id
