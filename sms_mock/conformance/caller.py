"""The requests of a conformance run: each sent as a client sends it, checked, and recorded.

`Caller.call` names the operation it means (its operationId), fills the path template, signs or
adds the token, sends, and holds both the request and the answer to the contract
(`sms_mock.contracts.conformance`), recording the exchange in the report.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import requests

from sms_mock.conformance.report import Exchange, Report
from sms_mock.contracts import conformance, signing
from sms_mock.contracts.conformance import ContractOperation, Violation

REQUEST_ID_HEADERS = ("X-Request-Id", "X-Openstack-Request-Id")
NO_BODY = None


class Unreachable(Exception):
    """The endpoint answered nothing at all before any answer was seen."""

    def __init__(self, url: str, error: Exception) -> None:
        super().__init__(f"cannot reach {url}: {type(error).__name__}")
        self.url = url


@dataclass(frozen=True)
class TokenAuth:
    """An IAM token, sent in X-Auth-Token."""

    token: str

    def headers(
        self, method: str, url: str, query: list[tuple[str, str]], body: bytes | None, sms: bool
    ) -> dict[str, str]:
        return {"X-Auth-Token": self.token}


@dataclass
class SignedAuth:
    """An AK/SK pair: each request signed as the official SDK signs it (SDK-HMAC-SHA256);
    SMS's calls name the project in X-Project-Id (found from its name first)."""

    ak: str
    sk: str
    security_token: str | None = None
    project_id: str | None = None

    def headers(
        self, method: str, url: str, query: list[tuple[str, str]], body: bytes | None, sms: bool
    ) -> dict[str, str]:
        """`url` without its query; `query` the pairs sent, signed as they are."""
        parts = urlsplit(url)
        headers = {"Host": parts.netloc}
        if sms and self.project_id:
            headers["X-Project-Id"] = self.project_id
        if self.security_token:
            headers["X-Security-Token"] = self.security_token
        if body is not None:
            headers["Content-Type"] = "application/json"
        return signing.sign(
            method,
            parts.path,
            query,
            headers,
            body or b"",
            ak=self.ak,
            sk=self.sk,
            now=datetime.now(UTC),
        )


@dataclass
class Answer:
    """What came back: the status (None: no answer), the parsed JSON body (None when there is
    none or it is not JSON) and the headers."""

    status: int | None
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    def get(self, *keys: str) -> Any:
        """The value at `keys` in the body's objects; None where one is not an object."""
        value = self.body
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        return value

    def text(self, *keys: str) -> str | None:
        value = self.get(*keys)
        return value if isinstance(value, str) and value else None


def objects(value: Any) -> list[dict[str, Any]]:
    """The objects of a JSON list. An answer under test may break its contract in any way, so
    nothing in it is trusted to have its shape."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def is_sms(op: ContractOperation) -> bool:
    """SMS's operations go to the SMS endpoint; IAM's to IAM's."""
    return op.tag.startswith("SMS")


def _error_code(body: Any) -> str | None:
    code = body.get("error_code") if isinstance(body, dict) else None
    return code if isinstance(code, str) else None


class Caller:
    """Sends requests for a run and records each in its report."""

    def __init__(self, url: str, iam_url: str, report: Report, *, timeout: float = 20.0) -> None:
        self.url = url.rstrip("/")
        self.iam_url = iam_url.rstrip("/")
        self.report = report
        self.timeout = timeout
        self.auth: TokenAuth | SignedAuth | None = None
        self.answered = False  # once anything answered, a lost answer is the endpoint's fault
        self._ops = {op.operation_id: op for op in conformance.operations()}
        self._http = requests.Session()

    def close(self) -> None:
        self._http.close()

    def operation(self, operation_id: str) -> ContractOperation:
        return self._ops[operation_id]

    def call(
        self,
        operation_id: str,
        path: Mapping[str, str] | None = None,
        *,
        purpose: str,
        query: Mapping[str, str] | None = None,
        body: Any = NO_BODY,
        headers: Mapping[str, str] | None = None,
        authenticated: bool = True,
        probe: bool = False,
    ) -> Answer:
        """One request to the operation; its answer, recorded and checked."""
        op = self._ops[operation_id]
        concrete = op.path
        for name, value in (path or {}).items():
            concrete = concrete.replace(f"{{{name}}}", quote(value, safe=""))
        pairs = sorted((query or {}).items())
        target = concrete + (f"?{signing.canonical_query(pairs)}" if pairs else "")
        base = self.url if is_sms(op) else self.iam_url
        url = base + target
        raw = None if body is NO_BODY else json.dumps(body).encode("utf-8")
        sent: dict[str, str] = {}
        if raw is not None:
            sent["Content-Type"] = "application/json"
        if authenticated and self.auth is not None:
            sent.update(self.auth.headers(op.method, base + concrete, pairs, raw, is_sms(op)))
        sent.update(headers or {})
        violations = conformance.check_request(
            op, dict(query or {}), raw, sent.get("Content-Type"), path=unquote(concrete)
        )
        started = time.monotonic()
        try:
            response = self._http.request(
                op.method, url, data=raw, headers=sent, timeout=self.timeout,
                allow_redirects=False,
            )  # fmt: skip
        except requests.RequestException as exc:
            if not self.answered:
                raise Unreachable(base, exc) from exc
            lost = Violation(operation_id, "response", "", f"no answer: {type(exc).__name__}")
            self.report.add(
                operation_id,
                Exchange(op.method, target, purpose, None, (*violations, lost),
                         seconds=time.monotonic() - started, probe=probe),
            )  # fmt: skip
            return Answer(None)
        elapsed = time.monotonic() - started
        self.answered = True
        request_id = next(
            (response.headers[h] for h in REQUEST_ID_HEADERS if h in response.headers), None
        )
        content_type = response.headers.get("Content-Type")
        violations += conformance.check_response(
            op, response.status_code, response.content, content_type
        )
        violations = [v if v.request_id else _with_request_id(v, request_id) for v in violations]
        try:
            parsed = response.json() if response.content else None
        except ValueError:
            parsed = None
        self.report.add(
            operation_id,
            Exchange(
                op.method,
                target,
                purpose,
                response.status_code,
                tuple(violations),
                _error_code(parsed) if response.status_code >= 400 else None,
                request_id,
                elapsed,
                probe,
            ),
        )
        return Answer(response.status_code, parsed, response.headers)


def _with_request_id(violation: Violation, request_id: str | None) -> Violation:
    return violation if request_id is None else replace(violation, request_id=request_id)
