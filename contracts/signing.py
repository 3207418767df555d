"""The SDK-HMAC-SHA256 request signature of Huawei Cloud's SDKs, written once for both sides.

The client signs with it and the emulator's gateway verifies with it, so the two cannot drift
apart. Pure functions over plain values (no HTTP library), following the SDK's own signer
(`huaweicloudsdkcore/signer/signer.py`, 3.1.219) step by step, quirks included.

The other official signers (Go SDK v3, chnsz/golangsdk, Java SDK) write a few parts of the
canonical request their own way; `canonical_requests` gives each distinct form, for a verifier
that cannot know which SDK signed.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, unquote

ALGORITHM = "SDK-HMAC-SHA256"
DATE_HEADER = "X-Sdk-Date"
CONTENT_SHA256_HEADER = "X-Sdk-Content-Sha256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
EMPTY_HASH = hashlib.sha256(b"").hexdigest()
# The payload is hashed only for these content types; any other gets UNSIGNED-PAYLOAD.
HASHED_CONTENT_TYPES = ("application/json", "application/bson")

_AUTHORIZATION_RE = re.compile(
    r"(?P<algorithm>\S+) Access=(?P<access>[^,\s]+), "
    r"SignedHeaders=(?P<signed>[^,\s]+), Signature=(?P<signature>[0-9a-fA-F]+)"
)


class SignatureFormatError(ValueError):
    """An Authorization header or X-Sdk-Date that does not follow the recipe's format."""


@dataclass(frozen=True)
class Authorization:
    """The parts of `SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=...`."""

    algorithm: str
    access: str
    signed_headers: tuple[str, ...]
    signature: str


def _encode(value: str) -> str:
    return quote(value, safe="~")


def canonical_uri(path: str) -> str:
    """Each segment of the decoded path percent-encoded, with a trailing slash.

    The SDK decodes first, so a `%2F` inside an id becomes a real `/` here.
    """
    uri = "/".join(_encode(segment) for segment in unquote(path).split("/"))
    return uri if uri.endswith("/") else uri + "/"


def canonical_query(pairs: Iterable[tuple[str, str]]) -> str:
    """Decoded (key, value) pairs sorted by key then value, each percent-encoded, joined by &."""
    return "&".join(f"{_encode(key)}={_encode(value)}" for key, value in sorted(pairs))


def lower_headers(headers: Iterable[tuple[str, str]] | Mapping[str, str]) -> dict[str, str]:
    """Header names lower-cased; of two names that differ only by case the last wins."""
    items = headers.items() if isinstance(headers, Mapping) else headers
    return {name.lower(): value for name, value in items}


def signed_header_names(headers: Iterable[str]) -> list[str]:
    """The headers the SDK signs: every name, lower-cased and sorted, but those with a `_`."""
    return sorted({name.lower() for name in headers if "_" not in name})


def canonical_headers(headers: Mapping[str, str], names: Iterable[str]) -> str:
    """`name:value` a line for each signed header (lower-case names), values stripped.

    Raises KeyError for a signed header the request lacks.
    """
    return "".join(f"{name}:{headers[name].strip()}\n" for name in names)


def payload_hash(body: bytes, headers: Mapping[str, str]) -> str:
    """Hex SHA-256 of the body; X-Sdk-Content-Sha256 verbatim when given.

    As in the SDK, an empty body hashes as empty whatever X-Sdk-Content-Sha256 says.
    """
    return declared_payload_hash(body, headers) if body else EMPTY_HASH


def canonical_request(
    method: str,
    path: str,
    query: Iterable[tuple[str, str]],
    headers: Mapping[str, str],
    signed_headers: Iterable[str],
    body: bytes,
) -> str:
    """The six lines the signature covers, as the Python SDK writes them; `headers` has
    lower-case names."""
    return next(canonical_requests(method, path, query, headers, signed_headers, body))


# --- how the other official signers differ ---------------------------------------------------
# Every official signer escapes as Python's does (RFC 3986: only letters, digits and `-._~`
# left as they are), decodes the path before it splits it, sorts the query and ends the URI with
# a slash. Where they part:
# - Go SDK v3 (`core/auth/signer/signer.go`) and golangsdk (`auth/core/signer/signer.go`) take a
#   declared X-Sdk-Content-Sha256 even for an empty body, where Python hashes the empty body;
# - Java (`AKSKSigner.java`) drops every trailing empty segment of the path (`String.split`), sorts
#   the query keys once encoded and keeps each key's values in the order it sends them.


def declared_payload_hash(body: bytes, headers: Mapping[str, str]) -> str:
    """Go's and Java's payload hash: X-Sdk-Content-Sha256 verbatim when given, even for an empty
    body; else the body's hex SHA-256."""
    return headers.get(CONTENT_SHA256_HEADER.lower()) or hashlib.sha256(body).hexdigest()


def java_canonical_uri(path: str) -> str:
    """Java's canonical URI: "/" as it is; else each segment of the decoded path, encoded and
    followed by a slash, trailing empty segments dropped (so `/a//` is `/a/`)."""
    segments = unquote(path).split("/")
    if segments == ["", ""]:
        return "/"
    while segments and not segments[-1]:
        segments.pop()
    return "".join(f"{_encode(segment)}/" for segment in segments)


def java_canonical_query(pairs: Iterable[tuple[str, str]]) -> str:
    """Java's canonical query: keys sorted after encoding, each key's values in the order they
    came (Java sends them in the order it signs them)."""
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(_encode(key), []).append(_encode(value))
    return "&".join(f"{key}={value}" for key in sorted(grouped) for value in grouped[key])


@dataclass(frozen=True)
class Dialect:
    """How one family of official signers writes the parts of the canonical request that differ."""

    name: str
    uri: Callable[[str], str]
    query: Callable[[list[tuple[str, str]]], str]
    payload: Callable[[bytes, Mapping[str, str]], str]


# Python's first: the emulator's own client and the Python SDK sign so, and so do Go's SDKs but
# for a declared hash on an empty body.
DIALECTS = (
    Dialect("python", canonical_uri, canonical_query, payload_hash),
    Dialect("go", canonical_uri, canonical_query, declared_payload_hash),
    Dialect("java", java_canonical_uri, java_canonical_query, declared_payload_hash),
)


def canonical_requests(
    method: str,
    path: str,
    query: Iterable[tuple[str, str]],
    headers: Mapping[str, str],
    signed_headers: Iterable[str],
    body: bytes,
) -> Iterator[str]:
    """The canonical request of each dialect (`DIALECTS`, Python's first), each distinct one
    once, lazily: for most requests all three are the same text, and a verifier that matches
    the first never computes the others."""
    pairs = list(query)
    names = list(signed_headers)
    head = method.upper()
    header_lines = canonical_headers(headers, names)
    joined = ";".join(names)
    seen: set[tuple[str, str, str]] = set()
    for dialect in DIALECTS:
        parts = (dialect.uri(path), dialect.query(pairs), dialect.payload(body, headers))
        if parts in seen:
            continue
        seen.add(parts)
        uri, canonical_qs, payload = parts
        yield "\n".join([head, uri, canonical_qs, header_lines, joined, payload])


def string_to_sign(canonical: str, moment: datetime) -> str:
    """Algorithm, date and the canonical request's hash; the date written again from its value,
    as the SDK does, not copied from the header."""
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return f"{ALGORITHM}\n{format_date(moment)}\n{digest}"


def signature(sk: str, to_sign: str) -> str:
    """Hex HMAC-SHA256 of the string to sign, keyed by the SK itself (no key derivation)."""
    return hmac.new(sk.encode("utf-8"), to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def format_authorization(ak: str, signed_headers: Iterable[str], sig: str) -> str:
    return f"{ALGORITHM} Access={ak}, SignedHeaders={';'.join(signed_headers)}, Signature={sig}"


def parse_authorization(value: str) -> Authorization:
    """The parts of an SDK Authorization header. Raises SignatureFormatError."""
    match = _AUTHORIZATION_RE.fullmatch(value.strip())
    if match is None:
        raise SignatureFormatError("malformed Authorization header")
    signed = tuple(match["signed"].split(";"))
    if any(not name or name != name.lower() for name in signed):
        raise SignatureFormatError("malformed SignedHeaders")
    return Authorization(match["algorithm"], match["access"], signed, match["signature"].lower())


def format_date(moment: datetime) -> str:
    """`%Y%m%dT%H%M%SZ` in UTC; a naive datetime is taken as UTC already, as the SDK's is."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime(DATE_FORMAT)


def parse_date(value: str) -> datetime:
    """An X-Sdk-Date as an aware UTC datetime. Raises SignatureFormatError."""
    try:
        return datetime.strptime(value, DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError as exc:
        raise SignatureFormatError(f"malformed {DATE_HEADER}: {value!r}") from exc


def needs_unsigned_payload(content_type: str | None) -> bool:
    """True when the SDK would add `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD`."""
    return bool(content_type) and not content_type.startswith(HASHED_CONTENT_TYPES)  # type: ignore[union-attr]


def sign(
    method: str,
    path: str,
    query: Iterable[tuple[str, str]],
    headers: Mapping[str, str],
    body: bytes,
    *,
    ak: str,
    sk: str,
    now: datetime,
) -> dict[str, str]:
    """`headers` plus what the SDK adds (X-Sdk-Date, X-Sdk-Content-Sha256, Authorization).

    `headers` must hold every header to sign, Host included; they are all signed, but names
    with a `_`, as the SDK does.
    """
    out = dict(headers)
    lowered = lower_headers(out)
    if needs_unsigned_payload(lowered.get("content-type")):
        out[CONTENT_SHA256_HEADER] = UNSIGNED_PAYLOAD
    if DATE_HEADER.lower() in lowered:
        now = parse_date(lowered[DATE_HEADER.lower()])
    else:
        out[DATE_HEADER] = format_date(now)
    lowered = lower_headers(out)
    names = signed_header_names(out)
    canonical = canonical_request(method, path, list(query), lowered, names, body)
    sig = signature(sk, string_to_sign(canonical, now))
    out["Authorization"] = format_authorization(ak, names, sig)
    return out
