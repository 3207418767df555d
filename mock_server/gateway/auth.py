"""The API gateway in front of SMS and IAM: who is calling, and for which project.

Two credentials are accepted, as on the real gateway: a token in `X-Auth-Token`, and the
SDKs' `SDK-HMAC-SHA256` signature (`contracts/signing.py`) with `X-Sdk-Date` and, on regional
services, `X-Project-Id`; the signature may be made with a permanent AK/SK or with temporary
credentials and their `X-Security-Token`. A signature is verified over exactly the headers it
names, as every official SDK signs a different set of them. Failures answer the gateway's own
body (`APIGW.0301`), not the service's.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl, quote, urlsplit

from flask import request

from sms_mock.contracts import signing
from sms_mock.contracts.enums import AuthMode
from sms_mock.mock_server.core.clock import iso_ms, wall_ms
from sms_mock.mock_server.core.errors import ApiError, gateway_error
from sms_mock.mock_server.core.http import emulator
from sms_mock.mock_server.emulator import Emulator, UnknownProject
from sms_mock.mock_server.iam.models import TemporaryCredential, Token

AUTH_FAILED = "Incorrect IAM authentication information: "
SIGNATURE_FAILED = "verify aksk signature fail"
# The SDK signs with the wall clock, so the window is checked against it, never against the
# emulator's clock, which tests move by hours.
SIGNATURE_WINDOW_MS = 15 * 60 * 1000
SECURITY_TOKEN = "x-security-token"  # sent with temporary credentials, signed or not
# Every SDK signature starts so; another scheme (Basic, Bearer) is not a signature at all.
SIGNATURE_PREFIX = "SDK-"


def auth_failed(reason: str) -> ApiError:
    return gateway_error(401, "APIGW.0301", AUTH_FAILED + reason)


def not_authorized() -> ApiError:
    return gateway_error(403, "APIGW.0302", "The IAM user is not authorized to access the API.")


@dataclass(frozen=True)
class Caller:
    """Who called: a user of a domain, and the project it acts in (None when it names none).

    `expires_ms` is when the credential it called with expires: its token's or temporary
    credential's end; None for a permanent AK/SK.
    """

    user_id: str | None
    domain_id: str
    project_id: str | None
    expires_ms: int | None = None


# --- tokens -----------------------------------------------------------------------------------


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


def token_caller(emu: Emulator, token: Token) -> Caller:
    """The caller a valid token stands for."""
    user = emu.iam.account.users[token.user_id]
    return Caller(user.id, user.domain_id, token.project_id, token.expires_ms)


# --- signatures -------------------------------------------------------------------------------


def is_signed(authorization: str | None) -> bool:
    """Whether the request carries an SDK signature (not any Authorization header)."""
    return _signature(authorization) is not None


def _signature(authorization: str | None) -> str | None:
    """The Authorization header when it carries an SDK signature; None otherwise."""
    if authorization is not None and authorization.startswith(SIGNATURE_PREFIX):
        return authorization
    return None


def _wire_headers() -> dict[str, str]:
    """The request's headers, names lower-cased, values as the client wrote them.

    WSGI hands header bytes over as latin-1; the SDK signed the text it then sent as UTF-8.
    """
    headers: dict[str, str] = {}
    for name, value in request.headers.items():
        with contextlib.suppress(UnicodeError):  # not UTF-8: keep the bytes as latin-1 text
            value = value.encode("latin-1").decode("utf-8")
        headers[name.lower()] = value
    return headers


def _raw_path() -> str:
    """The path as it came on the wire, percent-escapes intact: the recipe decodes it itself."""
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    if not raw:
        return quote(request.path, safe="/")
    if raw.startswith(("http://", "https://")):  # the absolute form a proxy may send
        return urlsplit(raw).path or "/"
    return raw.split("?", 1)[0]


def _query_pairs() -> list[tuple[str, str]]:
    """The query's pairs decoded, `%XX` as UTF-8 (parse_qsl over bytes would take the decoded
    text for ASCII and fail on any other character)."""
    text = request.query_string.decode("utf-8", "replace")
    return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="replace")


def verify_signature(emu: Emulator, authorization: str) -> Caller:
    """The caller of a signed request, checked as the gateway checks it; APIGW.0301 otherwise.

    README's "With the official SDK" section lists the checks.

    The signature covers exactly the headers in SignedHeaders, `x-sdk-date` among them; `host`
    counts only when signed. golangsdk (Terraform's SDK) adds X-Project-Id, X-Domain-Id and
    X-Security-Token after signing, so those are taken unsigned, and held to the AK all the
    same: the security token is checked before the signature, the project (which must belong
    to the AK's domain) and the domain after it.
    """
    try:
        auth = signing.parse_authorization(authorization)
    except signing.SignatureFormatError as exc:
        raise auth_failed(f"{SIGNATURE_FAILED}, {exc}") from exc
    if auth.algorithm != signing.ALGORITHM:
        raise auth_failed(f"{SIGNATURE_FAILED}, unsupported algorithm {auth.algorithm}")
    iam = emu.iam
    headers = _wire_headers()
    key = iam.account.access_keys.get(auth.access)
    temporary = iam.credential(auth.access) if key is None else None
    if key is None and temporary is None:
        raise auth_failed(f"Get secretKey failed,ak:{auth.access},err:ak not exist")
    if iam.ak_locked(auth.access):
        raise auth_failed("AK access failed to reach the limit,forbidden")
    if temporary is not None:
        _check_security_token(iam.clock.now_ms(), temporary, headers.get(SECURITY_TOKEN))
        secret, user_id, expires_ms = temporary.secret, temporary.user_id, temporary.expires_ms
    else:
        assert key is not None
        if SECURITY_TOKEN in headers:
            raise auth_failed(f"{SECURITY_TOKEN} is given with the permanent ak {key.ak}")
        secret, user_id, expires_ms = key.sk, key.user_id, None

    date_name = signing.DATE_HEADER.lower()
    if date_name not in headers:
        raise auth_failed(f"{SIGNATURE_FAILED}, {date_name} not found")
    # Every official signer signs the date: unsigned, a captured request could be replayed
    # with a fresh one for ever.
    if date_name not in auth.signed_headers:
        raise auth_failed(f"{SIGNATURE_FAILED}, {date_name} is not signed")
    try:
        signed_at = signing.parse_date(headers[date_name])
    except signing.SignatureFormatError as exc:
        raise auth_failed(f"{SIGNATURE_FAILED}, {exc}") from exc
    for name in auth.signed_headers:
        if name not in headers:
            raise auth_failed(f"{SIGNATURE_FAILED}, signed header {name} not found")
    if abs(wall_ms() - signed_at.timestamp() * 1000) > SIGNATURE_WINDOW_MS:
        raise auth_failed("calc ak sk signature fail:signature expired")

    body = request.get_data(cache=True)
    if not _signature_holds(secret, auth, signed_at, headers, body):
        iam.signature_failed(auth.access)
        raise auth_failed(SIGNATURE_FAILED)
    iam.signature_passed(auth.access)

    user = iam.account.users[user_id]
    domain_id = headers.get("x-domain-id")
    if domain_id is not None and domain_id != user.domain_id:
        raise auth_failed(f"x-domain-id {domain_id} is not the domain of ak {auth.access}")
    project_id = headers.get("x-project-id")
    if project_id is not None:
        project = iam.account.projects.get(project_id)
        if project is None or project.domain_id != user.domain_id:
            raise auth_failed(f"x-project-id {project_id} is not a project of ak {auth.access}")
    return Caller(user.id, user.domain_id, project_id, expires_ms)


def _signature_holds(
    secret: str,
    auth: signing.Authorization,
    signed_at: datetime,
    headers: dict[str, str],
    body: bytes,
) -> bool:
    """Whether the signature is the one an official signer makes for the request as received.

    The request does not say which SDK signed it, and the Go, golangsdk and Java signers write a
    few parts of the canonical request differently from Python's (`signing.DIALECTS`), so each
    distinct form is tried in turn. Most requests have one form only: one HMAC, as before.
    """
    if not _declared_hash_holds(headers, body):
        return False
    forms = signing.canonical_requests(
        request.method, _raw_path(), _query_pairs(), headers, auth.signed_headers, body
    )
    for canonical in forms:
        expected = signing.signature(secret, signing.string_to_sign(canonical, signed_at))
        if hmac.compare_digest(expected, auth.signature):
            return True
    return False


def _check_security_token(now_ms: int, credential: TemporaryCredential, given: str | None) -> None:
    """A temporary AK signs only with its security token, and only until it expires."""
    if not given:
        raise auth_failed(f"{SECURITY_TOKEN} not found for the temporary ak {credential.access}")
    if not hmac.compare_digest(given.encode(), credential.security_token.encode()):
        raise auth_failed(f"verify {SECURITY_TOKEN} fail")
    if credential.expires_ms <= now_ms:
        raise auth_failed(f"{SECURITY_TOKEN} expires, expires_at: {iso_ms(credential.expires_ms)}")


def _declared_hash_holds(headers: dict[str, str], body: bytes) -> bool:
    """A declared body hash (other than UNSIGNED-PAYLOAD) must be the body's: the signature
    covers the declaration, not the body."""
    declared = headers.get(signing.CONTENT_SHA256_HEADER.lower())
    if not body or not declared or declared == signing.UNSIGNED_PAYLOAD:
        return True
    return hmac.compare_digest(declared.lower(), hashlib.sha256(body).hexdigest())


# --- what each service asks -------------------------------------------------------------------


def sms_project() -> str:
    """The project id an SMS call acts in, by the emulator's `--auth` mode."""
    emu = emulator()
    mode = emu.config.auth
    if mode == AuthMode.OFF:
        return _open_project(emu)
    # The hot path is a token: one environ lookup, and only a request that carries an
    # Authorization header pays for looking at it.
    signed = (
        None if mode == AuthMode.TOKEN else _signature(request.environ.get("HTTP_AUTHORIZATION"))
    )
    if signed is not None:
        project_id = verify_signature(emu, signed).project_id
        if project_id is None:
            raise auth_failed("x-project-id not found")
        return project_id
    if mode == AuthMode.AKSK:
        raise auth_failed(
            "an SDK-HMAC-SHA256 signature is required (the emulator runs --auth aksk)"
        )
    token = caller_token()
    if token.project_id is None:
        # SMS is a regional service: a domain-scoped or unscoped token cannot use it.
        raise not_authorized()
    return token.project_id


def _open_project(emu: Emulator) -> str:
    """`--auth off`: the project of `X-Project-Id` (an id or a name), else the default one."""
    ref = request.headers.get("X-Project-Id")
    try:
        return emu.project_ref(ref)[0]
    except UnknownProject as exc:
        raise auth_failed(f"x-project-id {ref} not exist") from exc


def iam_caller() -> Caller:
    """The caller of IAM's listing calls: by its signature when it carries one, else its token.

    IAM accepts both whatever `--auth` says: the mode governs SMS calls only.
    """
    emu = emulator()
    signed = _signature(request.headers.get("Authorization"))
    if signed is not None:
        return verify_signature(emu, signed)
    return token_caller(emu, caller_token())


def check_signature_if_signed() -> Caller | None:
    """The caller of a signed request, None for one not signed. IAM's token issue needs no
    credential, but a signature it carries must be good; its token validation takes either.

    The SDK signs even its token requests; raw clients and keystoneauth1 do not sign.
    """
    signed = _signature(request.headers.get("Authorization"))
    return None if signed is None else verify_signature(emulator(), signed)
