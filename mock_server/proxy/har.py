"""`sms-mock proxy --record FILE`: every exchange as a HAR 1.2 entry, secrets redacted.

The file is a complete HAR document after every exchange: it is written as

    {"log": {"version": "1.2", "creator": {...}, "pages": [], "entries": [
    {<entry>},
    {<entry>}
    ]}}

one entry a line; a new entry is written over the closing line, followed by the closing line
again, in a single write. A proxy stopped in any way between two exchanges leaves a valid file; one
killed in the middle of that write loses that entry alone, and the file then ends in a cut line:
deleting that line, the comma before it and adding `]}}` makes it whole again.

Redacted values read `REDACTED`: the headers that carry credentials (`REDACTED_HEADERS`), the
values of JSON keys that hold one anywhere in a body or a query (`_secret_key`), a token's id
(`token.id`), and any text equal to a secret the proxy knows (its SK, password and security
token, and every token it saw pass) wherever it appears.
"""

from __future__ import annotations

import base64
import json
import os
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import sms_mock
from sms_mock.contracts.conformance import media_type

REDACTED = "REDACTED"
REDACTED_HEADERS = frozenset(
    {
        "x-auth-token",
        "x-subject-token",
        "authorization",
        "x-security-token",
        "cookie",
        "set-cookie",
        "x-mock-admin-token",
    }
)
_SECRET_KEYS = frozenset(
    {
        "password",
        "secret",
        "secretkey",
        "secret_key",
        "sk",
        "access",
        "securitytoken",
        "security_token",
        "passphrase",
        "private_key",
    }
)
# Tokens seen pass, redacted wherever they appear later: the last ones are enough, a token is
# seen again soon after it is issued.
TOKENS_KEPT = 256
HTTP_VERSION = "HTTP/1.1"


def _secret_key(key: str) -> bool:
    """A key whose value is a credential: a password (`target_password` too), a secret or
    private key (`target_mgmt_private_key`), an AK, a security token, a passphrase."""
    key = key.lower()
    return key in _SECRET_KEYS or key.endswith(("_password", "_private_key", "_secret"))


def redact_json(value: Any, parent: str = "") -> Any:
    """`value` with every credential's value REDACTED; objects under such a key are walked,
    so that `identity.password.user.name` stays and `...user.password` goes."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, inner in value.items():
            secret = _secret_key(key) or (parent == "token" and key == "id")
            if secret and not isinstance(inner, dict | list):
                out[key] = REDACTED if inner is not None else None
            else:
                out[key] = redact_json(inner, key)
        return out
    if isinstance(value, list):
        return [redact_json(item, parent) for item in value]
    return value


def _replaced(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret and secret in text:
            text = text.replace(secret, REDACTED)
    return text


def _scrub(value: Any, secrets: tuple[str, ...]) -> Any:
    """Every string of a HAR entry with the known secrets replaced, wherever they are."""
    if isinstance(value, str):
        return _replaced(value, secrets)
    if isinstance(value, dict):
        return {key: _scrub(inner, secrets) for key, inner in value.items()}
    if isinstance(value, list):
        return [_scrub(item, secrets) for item in value]
    return value


def _headers(pairs: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    return [
        {"name": name, "value": REDACTED if name.lower() in REDACTED_HEADERS else value}
        for name, value in pairs
    ]


def _query(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(name, REDACTED if _secret_key(name) else value) for name, value in pairs]


def _body_text(body: bytes, content_type: str | None) -> tuple[str, str | None]:
    """(text, encoding): a JSON body redacted key by key, other text as it is, bytes that are
    not UTF-8 in base64 (HAR's `encoding`)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return base64.b64encode(body).decode("ascii"), "base64"
    if media_type(content_type).endswith("json") or text.lstrip().startswith(("{", "[")):
        try:
            parsed = json.loads(text)
        except ValueError:
            return text, None
        return json.dumps(redact_json(parsed), ensure_ascii=False), None
    return text, None


@dataclass(frozen=True)
class Exchange:
    """One request as sent to the upstream and its answer as received."""

    started: datetime
    method: str
    url: str
    request_headers: list[tuple[str, str]]
    request_body: bytes
    status: int
    reason: str
    response_headers: list[tuple[str, str]]
    response_body: bytes
    wait_ms: float
    request_id: str | None = None
    violations: tuple[dict[str, Any], ...] = ()


def _header(pairs: list[tuple[str, str]], name: str) -> str | None:
    return next((value for key, value in pairs if key.lower() == name), None)


def har_entry(exchange: Exchange, secrets: tuple[str, ...] = ()) -> dict[str, Any]:
    """The HAR 1.2 entry of an exchange, redacted."""
    parts = urlsplit(exchange.url)
    query = _query(parse_qsl(parts.query, keep_blank_values=True))
    url = urlunsplit(parts._replace(query=urlencode(query))) if parts.query else exchange.url
    request: dict[str, Any] = {
        "method": exchange.method,
        "url": url,
        "httpVersion": HTTP_VERSION,
        "cookies": [],
        "headers": _headers(exchange.request_headers),
        "queryString": [{"name": name, "value": value} for name, value in query],
        "headersSize": -1,
        "bodySize": len(exchange.request_body),
    }
    if exchange.request_body:
        request_type = _header(exchange.request_headers, "content-type")
        text, _ = _body_text(exchange.request_body, request_type)
        request["postData"] = {"mimeType": request_type or "", "params": [], "text": text}
    response_type = _header(exchange.response_headers, "content-type") or ""
    content: dict[str, Any] = {"size": len(exchange.response_body), "mimeType": response_type}
    if exchange.response_body:
        text, encoding = _body_text(exchange.response_body, response_type)
        content["text"] = text
        if encoding:
            content["encoding"] = encoding
    entry = {
        "startedDateTime": exchange.started.astimezone(UTC).isoformat(timespec="milliseconds"),
        "time": round(exchange.wait_ms, 3),
        "request": request,
        "response": {
            "status": exchange.status,
            "statusText": exchange.reason,
            "httpVersion": HTTP_VERSION,
            "cookies": [],
            "headers": _headers(exchange.response_headers),
            "content": content,
            "redirectURL": _header(exchange.response_headers, "location") or "",
            "headersSize": -1,
            "bodySize": len(exchange.response_body),
        },
        "cache": {},
        "timings": {"send": 0, "wait": round(exchange.wait_ms, 3), "receive": 0},
        # Custom fields start with an underscore (HAR 1.2): what the proxy found.
        "_requestId": exchange.request_id,
        "_violations": list(exchange.violations),
    }
    return _scrub(entry, secrets) if secrets else entry


class HarRecorder:
    """Appends entries to a HAR file, which stays a complete document after each (see above).

    Thread-safe. `secrets` are redacted wherever they appear; tokens seen pass are added with
    `saw_tokens`.
    """

    def __init__(self, path: Path, secrets: Iterable[str] = ()) -> None:
        self.path = Path(path)
        self._static = tuple(s for s in secrets if s)
        self._tokens: deque[str] = deque(maxlen=TOKENS_KEPT)
        self._lock = threading.Lock()
        self.entries = 0
        creator = {"name": "sms-mock proxy", "version": sms_mock.__version__}
        head = json.dumps({"log": {"version": "1.2", "creator": creator, "pages": []}})
        # `{"log": {..., "pages": []` then the entries' array: the document's end is the tail.
        self._head = (head[: -len("}}")] + ', "entries": [').encode()
        self._tail = b"\n]}}\n"
        # Owner-only: the recording holds the service's answers, whatever was redacted.
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self._file = os.fdopen(fd, "r+b", buffering=0)
        self._file.write(self._head + self._tail)
        self._end = len(self._head)  # where the tail starts

    def saw_tokens(self, tokens: Iterable[str | None]) -> None:
        with self._lock:
            for token in tokens:
                if token and token not in self._tokens:
                    self._tokens.append(token)

    def add(self, exchange: Exchange) -> None:
        with self._lock:
            if self._file.closed:
                return
            # The longest first: a token holding another secret is redacted whole.
            secrets = tuple(sorted({*self._static, *self._tokens}, key=len, reverse=True))
            line = json.dumps(har_entry(exchange, secrets), ensure_ascii=False).encode()
            lead = b"\n" if self.entries == 0 else b",\n"
            self._file.seek(self._end)
            self._write(lead + line + self._tail)  # one write: the tail moves behind it
            self._end += len(lead) + len(line)
            self.entries += 1

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[self._file.write(view) or 0 :]

    def close(self) -> None:
        with self._lock:
            if not self._file.closed:
                self._file.close()
