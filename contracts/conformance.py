"""The contract checker: whether a request or an answer, seen on the wire, keeps the contracts.

It reads the same operation table the OpenAPI document is built from
(`openapi.operation_table()`), so the two cannot disagree. It serves the proxy (each exchange it
forwards), `sms-mock conform` (any endpoint's answers) and the tests. Nothing here knows a
particular operation.

A request is held to the request schemas as the service reads them (unknown keys of a strict
body are refused); an answer to the response schemas, which keep keys they do not know (the
real service adds some): a wrong type, a missing required key or a value out of an enum is a
violation, an extra key is not. A status the operation does not document is a violation, and an
error body must be in one of the formats documented for its status.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from apispec.ext.marshmallow.common import resolve_schema_instance
from marshmallow import Schema

from sms_mock.contracts.openapi import operation_table

JSON = "application/json"
REQUEST = "request"
RESPONSE = "response"
METHODS = ("get", "head", "post", "put", "delete", "patch")
# Path parameters that take the rest of the path, slashes included, as the service reads them:
# `GET /v3/sha256/{key}` hashes any text.
_GREEDY_PARAMETERS = frozenset({"key"})
_PLACEHOLDER = re.compile(r"\{([^}/]+)\}")


@dataclass(frozen=True)
class Violation:
    """One way a request or an answer breaks the contract."""

    operation: str  # operationId, e.g. "show_task"; "" when no operation matches
    where: str  # "request" or "response"
    field: str  # dotted field path, e.g. "subtasks.2.progress"; "" = the whole body
    message: str  # marshmallow's message, or "status 418 is not documented", ...
    status: int | None = None
    request_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "where": self.where,
            "field": self.field,
            "message": self.message,
            "status": self.status,
            "request_id": self.request_id,
        }

    def line(self) -> str:
        """One line for a log: operation, where, field, message, request id."""
        operation = self.operation or "(no operation)"
        status = f" (status {self.status})" if self.status is not None else ""
        return (
            f"{operation} {self.where}{status} {self.field or '(body)'}: {self.message} "
            f"[request {self.request_id or '-'}]"
        )


@dataclass(frozen=True)
class ContractResponse:
    """One documented status of an operation: its body's schemas (one of them), or the media
    types of a body that is not JSON (a CSV file); neither when it has no body."""

    status: int
    description: str
    schemas: tuple[Schema, ...] = ()
    media_types: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class ContractOperation:
    """One (method, path) of the OpenAPI document, with what the checks need."""

    operation_id: str
    method: str  # upper case
    path: str  # OpenAPI template, e.g. /v3/tasks/{task_id}
    tag: str  # "SMS", "IAM", ... as in the document
    query: Schema | None = None
    path_parameters: Schema | None = None
    body: Schema | None = None
    body_required: bool = False
    max_body_bytes: int | None = None
    responses: Mapping[int, ContractResponse] = field(default_factory=dict)
    pattern: re.Pattern[str] = field(default=re.compile(""), repr=False)

    @property
    def literal_segments(self) -> int:
        """How many of the path's segments are fixed words: the more, the better a match."""
        return sum(1 for segment in self.path.split("/") if not _PLACEHOLDER.search(segment))


def _pattern(template: str) -> re.Pattern[str]:
    parts: list[str] = []
    last = 0
    for match in _PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[last : match.start()]))
        name = match.group(1)
        value = r"[\s\S]+" if name in _GREEDY_PARAMETERS else r"[^/]+"
        parts.append(f"(?P<{name}>{value})")
        last = match.end()
    parts.append(re.escape(template[last:]))
    return re.compile("".join(parts))


def _response(status: int, response: Mapping[str, Any]) -> ContractResponse:
    content = response.get("content", {})
    schemas: tuple[Schema, ...] = ()
    if JSON in content:
        schema = content[JSON]["schema"]
        listed = schema.get("oneOf", [schema]) if isinstance(schema, Mapping) else [schema]
        schemas = tuple(resolve_schema_instance(s) for s in listed)
    others = tuple(media for media in content if media != JSON)
    return ContractResponse(status, response.get("description", ""), schemas, others)


def _operation(path: str, method: str, spec: Mapping[str, Any]) -> ContractOperation:
    query = path_schema = None
    for parameter in spec.get("parameters", ()):
        if parameter["in"] == "query":
            query = resolve_schema_instance(parameter["schema"])
        elif parameter["in"] == "path":
            found = resolve_schema_instance(parameter["schema"])
            if path_schema is None:
                path_schema = found
            else:  # two path parameters, each its own schema: one schema of both
                merged = {**path_schema.fields, **found.fields}
                path_schema = Schema.from_dict(merged)()
    body = required = limit = None
    request_body = spec.get("requestBody")
    if request_body is not None:
        body = resolve_schema_instance(request_body["content"][JSON]["schema"])
        required = bool(request_body.get("required"))
        limit = request_body.get("x-max-body-bytes")
    return ContractOperation(
        operation_id=spec["operationId"],
        method=method.upper(),
        path=path,
        tag=(spec.get("tags") or [""])[0],
        query=query,
        path_parameters=path_schema,
        body=body,
        body_required=bool(required),
        max_body_bytes=limit,
        responses={int(s): _response(int(s), r) for s, r in spec["responses"].items()},
        pattern=_pattern(path),
    )


@cache
def operations() -> tuple[ContractOperation, ...]:
    """Every operation of the OpenAPI document, in its order."""
    return tuple(
        _operation(path, method, spec)
        for path, item in operation_table().items()
        for method, spec in item.items()
        if method in METHODS
    )


@cache
def _by_method() -> dict[str, tuple[ContractOperation, ...]]:
    found: dict[str, list[ContractOperation]] = {}
    for op in operations():
        found.setdefault(op.method, []).append(op)
    # A fixed word beats a parameter: `/v3/sources/overview` is not the source `overview`.
    return {
        method: tuple(sorted(ops, key=lambda op: -op.literal_segments))
        for method, ops in found.items()
    }


def find_operation(method: str, path: str) -> ContractOperation | None:
    """The operation a concrete request path (as the server reads it, unquoted) calls."""
    for op in _by_method().get(method.upper(), ()):
        if _matched(op, path):
            return op
    return None


def path_values(op: ContractOperation, path: str) -> dict[str, str]:
    """The path parameters' values of a concrete path of `op` ({} when it is not one)."""
    match = _matched(op, path)
    return match.groupdict() if match else {}


def _matched(op: ContractOperation, path: str) -> re.Match[str] | None:
    if len(path) > 1 and path.endswith("/"):  # the service takes `/v3/tasks/` as `/v3/tasks`
        path = path[:-1]
    return op.pattern.fullmatch(path)


def _flatten(messages: Any, prefix: str = "") -> list[tuple[str, str]]:
    """marshmallow's nested messages as (dotted path, message); "" is the whole body."""
    if isinstance(messages, Mapping):
        pairs: list[tuple[str, str]] = []
        for key, value in messages.items():
            name = "" if key == "_schema" else str(key)
            path = f"{prefix}.{name}" if prefix and name else (prefix or name)
            pairs.extend(_flatten(value, path))
        return pairs
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [(prefix, " ".join(messages))]
    if isinstance(messages, list):
        return [pair for item in messages for pair in _flatten(item, prefix)]
    return [(prefix, str(messages))]


def _schema_problems(schema: Schema, data: Any) -> list[tuple[str, str]]:
    if not isinstance(data, Mapping):
        return [("", f"The body must be a JSON object, not {type(data).__name__}.")]
    return _flatten(schema.validate(data))


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _parse(body: bytes) -> Any:
    """Strict JSON (UTF-8, no NaN or Infinity); ValueError otherwise."""
    return json.loads(body.decode("utf-8"), parse_constant=_no_constants)


def media_type(content_type: str | None) -> str:
    """A Content-Type's media type, lower case, without its parameters ("" for none)."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def check_request(
    op: ContractOperation,
    query: Mapping[str, str],
    body: bytes | None,
    content_type: str | None,
    *,
    path: str | None = None,
) -> list[Violation]:
    """How a request to `op` breaks the contract: its path values (given `path`), its query and
    its body, each problem with its field path; [] when it keeps it."""

    def violation(field_path: str, message: str) -> Violation:
        return Violation(op.operation_id, REQUEST, field_path, message)

    found: list[Violation] = []
    if path is not None and op.path_parameters is not None:
        values = path_values(op, path)
        found += [violation(f, m) for f, m in _schema_problems(op.path_parameters, values)]
    if op.query is not None:
        found += [violation(f, m) for f, m in _schema_problems(op.query, dict(query))]
    if op.body is None:
        return found
    if body is None or not body.strip():
        if op.body_required:
            found.append(violation("", "A body is required."))
        return found
    if op.max_body_bytes is not None and len(body) > op.max_body_bytes:
        found.append(violation("", f"The body is {len(body):,} bytes, over {op.max_body_bytes:,}."))
    if media_type(content_type) != JSON:
        found.append(violation("", f"Content-Type {content_type or '(none)'} is not {JSON}."))
    try:
        data = _parse(body)
    except ValueError as exc:
        return [*found, violation("", f"The body is not JSON ({exc}).")]
    found += [violation(f, m) for f, m in _schema_problems(op.body, data)]
    return found


def check_response(
    op: ContractOperation, status: int, body: bytes | None, content_type: str | None
) -> list[Violation]:
    """How an answer of `op` breaks the contract: an undocumented status, a body in none of the
    formats documented for its status (each problem with its field path); [] when it keeps it."""

    def violation(field_path: str, message: str) -> Violation:
        return Violation(op.operation_id, RESPONSE, field_path, message, status=status)

    documented = op.responses.get(status)
    if documented is None:
        listed = ", ".join(str(s) for s in sorted(op.responses))
        return [violation("", f"status {status} is not documented (documented: {listed})")]
    if op.method == "HEAD" or not (documented.schemas or documented.media_types):
        return []  # no body to check
    media = media_type(content_type)
    if not documented.schemas:
        if media not in documented.media_types:
            wanted = " or ".join(documented.media_types)
            return [violation("", f"Content-Type {content_type or '(none)'} is not {wanted}.")]
        return []
    if body is None or not body.strip():
        return [violation("", "The body is empty; the contract documents a JSON body.")]
    found: list[Violation] = []
    if media != JSON:
        found.append(violation("", f"Content-Type {content_type or '(none)'} is not {JSON}."))
    try:
        data = _parse(body)
    except ValueError as exc:
        return [*found, violation("", f"The body is not JSON ({exc}).")]
    # One of the documented formats: the one it comes nearest to names the problems.
    best: list[tuple[str, str]] | None = None
    for schema in documented.schemas:
        problems = _schema_problems(schema, data)
        if not problems:
            return found
        if best is None or len(problems) < len(best):
            best = problems
    return found + [violation(f, m) for f, m in best or ()]
