"""Requests signed as each official Huawei Cloud SDK signs them, to send over real HTTP.

Each signer follows its SDK's own algorithm, written here again rather than taken from
`sms_mock.contracts.signing`, so that a test against the gateway holds the gateway to the SDKs
and not to itself. As read in each SDK's signer:

- Python (`huaweicloudsdkcore`, installed for the tests, so used as it is): Host and every
  header signed, Content-Type included; the path's ids quoted; the query sent in its canonical
  form.
- Go SDK v3 (`core/auth/signer/signer.go`): every header but Content-Type and names with a `_`;
  no Host (Go's net/http keeps it outside the headers); X-Project-Id and X-Security-Token set
  before signing; a declared X-Sdk-Content-Sha256 counts even for an empty body; the query sent
  as `url.Values` encodes it, `+` for a space turned into `%20`.
- golangsdk (chnsz/golangsdk `auth/core/signer/signer.go`, `provider_client.go`; Terraform's
  SDK): every header present when it signs (Content-Type, Accept, User-Agent, X-Sdk-Date), no
  Host; the query rewritten to its canonical form; X-Project-Id, X-Domain-Id and
  X-Security-Token set after signing, so never signed.
- Java SDK v3 (`AKSKSigner.java`): Host as the URL's authority (host:port) and every header but
  Content-Type; header values not trimmed; the path split as Java's `String.split` does; the
  query keys sorted once encoded, each key's values in the order sent.

All four escape with RFC 3986's unreserved set (letters, digits, `-._~`) and end the canonical
URI with a slash.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, quote_plus, urlsplit

import requests
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest

from tests.support.accounts import AK, PROJECT_ID, SK

ALGORITHM = "SDK-HMAC-SHA256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
JSON = "application/json"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
EMPTY_HASH = hashlib.sha256(b"").hexdigest()
UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")


@dataclass(frozen=True)
class Key:
    """The credentials a client signs with, and the ids it sends beside them."""

    ak: str = AK
    sk: str = SK
    project_id: str | None = PROJECT_ID
    security_token: str | None = None
    domain_id: str | None = None


@dataclass(frozen=True)
class Call:
    """What a caller asks an SDK for: the path and query decoded, a JSON body or None."""

    method: str
    path: str
    query: list[tuple[str, str]] = field(default_factory=list)
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    def data(self) -> bytes:
        return b"" if self.body is None else json.dumps(self.body, separators=(",", ":")).encode()


@dataclass(frozen=True)
class Signed:
    """A request as the SDK puts it on the wire: the URL already escaped, sent as it is."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes

    @property
    def signed_headers(self) -> list[str]:
        return self.headers["Authorization"].split("SignedHeaders=")[1].split(",")[0].split(";")

    def send(self, session: requests.Session | None = None) -> requests.Response:
        prepared = requests.Request(
            self.method, self.url, headers=self.headers, data=self.body or None
        ).prepare()
        prepared.url = self.url  # requests would requote it; the SDK's escaping is the point
        if session is not None:
            return session.send(prepared, timeout=10)
        with requests.Session() as fresh:
            return fresh.send(prepared, timeout=10)


Signer = Callable[..., Signed]


# --- what the signers share -------------------------------------------------------------------


def escape(value: str) -> str:
    """The Go signers' `escape`: every UTF-8 byte but the unreserved ones as %XX, upper-case."""
    return "".join(
        chr(byte) if byte in UNRESERVED else f"%{byte:02X}" for byte in value.encode("utf-8")
    )


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def hmac_hex(sk: str, text: str) -> str:
    return hmac.new(sk.encode(), text.encode(), hashlib.sha256).hexdigest()


def sdk_date(now: datetime | None) -> str:
    return (now or datetime.now(UTC)).astimezone(UTC).strftime(DATE_FORMAT)


def authorization(ak: str, names: list[str], signature: str) -> str:
    return f"{ALGORITHM} Access={ak}, SignedHeaders={';'.join(names)}, Signature={signature}"


def string_to_sign(canonical: str, date: str) -> str:
    return f"{ALGORITHM}\n{date}\n{sha256_hex(canonical.encode())}"


def go_canonical_uri(path: str) -> str:
    """Both Go signers: each segment of the decoded path escaped, a slash added if missing."""
    uri = "/".join(escape(segment) for segment in path.split("/"))
    return uri if uri.endswith("/") else uri + "/"


def go_canonical_query(pairs: list[tuple[str, str]]) -> str:
    """Both Go signers: keys sorted, each key's values sorted, both escaped."""
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return "&".join(
        f"{escape(key)}={escape(value)}"
        for key in sorted(grouped)
        for value in sorted(grouped[key])
    )


def go_escaped_path(path: str) -> str:
    """What Go's net/http sends for a decoded path (`URL.EscapedPath`)."""
    return quote(path, safe="/$&+,:;=@~")


def _go_lines(headers: dict[str, str], names: list[str]) -> str:
    lowered = {name.lower(): value for name, value in headers.items()}
    return "".join(f"{name}:{lowered[name].strip()}\n" for name in names)


# --- Python: the SDK itself ---------------------------------------------------------------------


def python_sdk(base: str, call: Call, key: Key, now: datetime | None = None) -> Signed:
    """huaweicloudsdkcore's `BasicCredentials.sign_request`, as its client calls it."""
    url = urlsplit(base)
    headers = {"User-Agent": "huaweicloud-usdk-python/3.0", **call.headers}
    if call.body is not None:
        headers["Content-Type"] = JSON
    if now is not None:
        headers["X-Sdk-Date"] = sdk_date(now)
    sdk_request = SdkRequest(
        method=call.method,
        schema=url.scheme,
        host=url.netloc,
        # The SDK's client quotes each path parameter before it signs.
        resource_path="/".join(quote(segment, safe="") for segment in call.path.split("/")),
        query_params=list(call.query),
        header_params=headers,
        body=call.data(),
    )
    credentials = BasicCredentials(key.ak, key.sk, key.project_id)
    if key.security_token:
        credentials.with_security_token(key.security_token)
    credentials.sign_request(sdk_request)
    return Signed(
        call.method,
        f"{url.scheme}://{url.netloc}{sdk_request.uri}",
        dict(sdk_request.header_params),
        call.data(),
    )


# --- Go SDK v3 ----------------------------------------------------------------------------------


def _sdk_v3_headers(call: Call, key: Key, user_agent: str) -> dict[str, str]:
    """The headers the Go and Java SDKs v3 set before they sign: the call's, their User-Agent,
    Content-Type with a body, and the project and security token of the credentials."""
    headers = {**call.headers, "User-Agent": user_agent}
    if call.body is not None:
        headers["Content-Type"] = JSON
    if key.project_id:
        headers["X-Project-Id"] = key.project_id
    if key.security_token:
        headers["X-Security-Token"] = key.security_token
    return headers


def _go_canonical(call: Call, headers: dict[str, str], names: list[str], query: str) -> str:
    """The canonical request of both Go signers; the payload a declared hash, else the body's."""
    payload = headers.get("X-Sdk-Content-Sha256") or sha256_hex(call.data())
    lines = [call.method, go_canonical_uri(call.path), query, _go_lines(headers, names)]
    return "\n".join([*lines, ";".join(names), payload])


def go_v3(base: str, call: Call, key: Key, now: datetime | None = None) -> Signed:
    """huaweicloud-sdk-go-v3: `BasicCredentials.ProcessAuthRequest` then `Signer.Sign`."""
    body = call.data()
    headers = _sdk_v3_headers(call, key, "huaweicloud-usdk-go/3.0")
    content_type = headers.get("Content-Type")
    if content_type and JSON not in content_type and "application/bson" not in content_type:
        headers["X-Sdk-Content-Sha256"] = UNSIGNED_PAYLOAD
    date = headers["X-Sdk-Date"] = sdk_date(now)
    names = sorted(
        name.lower()
        for name in headers
        if not name.lower().startswith("content-type") and "_" not in name
    )
    canonical = _go_canonical(call, headers, names, go_canonical_query(call.query))
    headers["Authorization"] = authorization(
        key.ak, names, hmac_hex(key.sk, string_to_sign(canonical, date))
    )
    return Signed(
        call.method, base + go_escaped_path(call.path) + _go_values(call.query), headers, body
    )


def _go_values(pairs: list[tuple[str, str]]) -> str:
    """`fillQueryParams`: `url.Values.Encode()` (sorted keys, `+` for a space), then `=` trimmed
    off the ends, `=&` made `&` and `+` made `%20`."""
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    encoded = "&".join(
        f"{quote_plus(key, safe='~')}={quote_plus(value, safe='~')}"
        for key in sorted(grouped)
        for value in grouped[key]
    )
    raw = encoded.strip("=").replace("=&", "&").replace("+", "%20")
    return f"?{raw}" if raw else ""


# --- golangsdk (Terraform) ------------------------------------------------------------------------


def golangsdk(
    base: str,
    call: Call,
    key: Key,
    now: datetime | None = None,
    user_agent: str = "terraform-provider-iac golangsdk/2.0.0",
) -> Signed:
    """chnsz/golangsdk `ProviderClient.doRequest`: Content-Type (with a body), Accept, User-Agent
    and MoreHeaders (`call.headers`, which may set or drop Content-Type) set, `auth.Sign`, then
    the project, domain and security token added."""
    body = call.data()
    headers: dict[str, str] = {}
    if call.body is not None:
        headers["Content-Type"] = JSON
    headers["Accept"] = JSON
    headers["User-Agent"] = user_agent
    headers.update(call.headers)
    date = headers["X-Sdk-Date"] = sdk_date(now)
    names = sorted(name.lower() for name in headers)  # every header of the request
    canonical_query = go_canonical_query(call.query)
    canonical = _go_canonical(call, headers, names, canonical_query)
    headers["Authorization"] = authorization(
        key.ak, names, hmac_hex(key.sk, string_to_sign(canonical, date))
    )
    # After signing, so outside the signature.
    if key.project_id:
        headers["X-Project-Id"] = key.project_id
    if key.domain_id:
        headers["X-Domain-Id"] = key.domain_id
    if key.security_token:
        headers["X-Security-Token"] = key.security_token
    # The signer rewrote RawQuery to the canonical query: that is what goes out.
    query = f"?{canonical_query}" if canonical_query else ""
    return Signed(call.method, base + go_escaped_path(call.path) + query, headers, body)


# --- Java SDK v3 --------------------------------------------------------------------------------


def java_url_encode(value: str) -> str:
    """`SignUtils.urlEncode(value, false)`: `URLEncoder.encode` (form encoding, `*` left as it
    is), then `+` made `%20`, `*` made `%2A` and `%7E` made `~`."""
    encoded = quote_plus(value, safe="*")
    return encoded.replace("+", "%20").replace("*", "%2A").replace("%7E", "~")


def java_canonical_uri(path: str) -> str:
    """`buildCanonicalUri`: "/" as it is; else each segment encoded and followed by a slash, the
    trailing empty ones dropped as `String.split` drops them."""
    if path == "/":
        return path
    segments = path.split("/")
    while segments and not segments[-1]:
        segments.pop()
    return "".join(java_url_encode(segment) + "/" for segment in segments)


def java(base: str, call: Call, key: Key, now: datetime | None = None) -> Signed:
    """huaweicloud-sdk-java-v3: `BasicCredentials.syncProcessAuthRequest` then `AKSKSigner.sign`.

    The path is the raw one Java puts in its `URL` (ids unescaped); OkHttp escapes it on the
    way out, and sends the Host header the signer added.
    """
    body = call.data()
    headers = _sdk_v3_headers(call, key, "huaweicloud-usdk-java/3.0")
    content_type = headers.get("Content-Type")
    if content_type and not content_type.startswith((JSON, "application/bson")):
        headers["X-Sdk-Content-Sha256"] = UNSIGNED_PAYLOAD
    authority = urlsplit(base).netloc  # host:port, as the URL writes it
    added = {"Host": authority, "X-Sdk-Date": sdk_date(now)}
    every = {
        name.lower(): value
        for name, value in headers.items()
        if name.lower() != "content-type" and "_" not in name
    }
    every.update({name.lower(): value for name, value in added.items()})
    names = sorted(every)
    grouped: dict[str, list[str]] = {}
    for name, value in call.query:
        grouped.setdefault(java_url_encode(name), []).append(java_url_encode(value))
    canonical_query = "&".join(f"{k}={v}" for k in sorted(grouped) for v in grouped[k])
    payload = headers.get("X-Sdk-Content-Sha256") or (sha256_hex(body) if body else EMPTY_HASH)
    canonical = "\n".join(
        [
            call.method,
            java_canonical_uri(call.path),
            canonical_query,
            "".join(f"{name}:{every[name]}\n" for name in names),  # values not trimmed
            ";".join(names),
            payload,
        ]
    )
    signature = hmac_hex(key.sk, string_to_sign(canonical, added["X-Sdk-Date"]))
    headers.update(added)
    headers["Authorization"] = authorization(key.ak, names, signature)
    # `buildQueryParamsString`: the keys as they are, the values encoded, in the order given.
    query = "&".join(f"{name}={java_url_encode(value)}" for name, value in call.query)
    path = quote(call.path, safe="/!$&'()*+,;=:@~")  # what OkHttp escapes in a path
    return Signed(call.method, f"{base}{path}{'?' + query if query else ''}", headers, body)


SIGNERS: dict[str, Signer] = {
    "python": python_sdk,
    "go-v3": go_v3,
    "golangsdk": golangsdk,
    "java": java,
}
