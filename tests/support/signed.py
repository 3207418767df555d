"""Requests signed as the SDK signs them, for the Flask test client.

The signing itself is `sms_mock.contracts.signing`'s (that it matches the SDK is
`tests/gateway/test_signing.py`'s job); this adds the headers the SDK sends around it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from sms_mock.contracts import signing
from tests.support.accounts import AK, PROJECT_ID, SK


def sign(
    method: str,
    path: str,
    *,
    query: dict[str, str] | None = None,
    body: Any = None,
    project_id: str | None = PROJECT_ID,
    ak: str = AK,
    sk: str = SK,
    security_token: str | None = None,
    at: datetime | None = None,
    headers: dict[str, str] | None = None,
    unsigned: dict[str, str] | None = None,
    host: str | None = "localhost",
    unsigned_date: bool = False,
) -> tuple[str, dict[str, str], bytes]:
    """(URL, headers, body) of a signed request. `security_token` goes in X-Security-Token,
    signed, as `with_security_token` sends it; `unsigned` headers are added after signing, as
    golangsdk adds X-Project-Id; `host` None leaves Host unsigned, as the Go SDKs do;
    `unsigned_date` leaves X-Sdk-Date out of SignedHeaders, as no official SDK does."""
    data = b"" if body is None else json.dumps(body).encode()
    given = {**({"Host": host} if host is not None else {}), **(headers or {})}
    if project_id is not None:
        given["X-Project-Id"] = project_id
    if security_token is not None:
        given["X-Security-Token"] = security_token
    if body is not None:
        given.setdefault("Content-Type", "application/json")
    if at is not None:
        given[signing.DATE_HEADER] = signing.format_date(at)
    pairs = sorted((query or {}).items())
    signed = signing.sign(method, path, pairs, given, data, ak=ak, sk=sk, now=datetime.now(UTC))
    if unsigned_date:
        auth = signing.parse_authorization(signed["Authorization"])
        names = [name for name in auth.signed_headers if name != signing.DATE_HEADER.lower()]
        signed["Authorization"] = signing.format_authorization(auth.access, names, auth.signature)
    signed.update(unsigned or {})
    url = f"{path}?{signing.canonical_query(pairs)}" if pairs else path
    return url, signed, data


def send(client: FlaskClient, method: str, path: str, **kwargs: Any) -> TestResponse:
    """Send a signed request (`sign`'s keywords) through the test client."""
    url, headers, data = sign(method, path, **kwargs)
    return client.open(url, method=method, headers=headers, data=data)
