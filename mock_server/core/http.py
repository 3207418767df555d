"""HTTP helpers the services' routes share: the emulator of the request, JSON in and out.

`load` is the one way a body or a query reaches a route: through its schema (a valid one through
the schema's fast check, `contracts/fast_check.py`), or as the documented 400 of the caller's
service, naming every field that is wrong.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from flask import Response, current_app, request
from marshmallow import Schema, ValidationError
from werkzeug.routing import PathConverter

from sms_mock.contracts.base import every_problem
from sms_mock.contracts.fast_check import Refused, fast_check
from sms_mock.contracts.fields import INT64_MAX, INT64_MIN
from sms_mock.mock_server.core.errors import JSON, ApiError, json_bytes

if TYPE_CHECKING:
    from sms_mock.mock_server.emulator import Emulator

# Keys the gateway middleware leaves in the WSGI environ for the app below it.
REQUEST_ID_KEY = "sms_mock.request_id"  # made once per request, by the middleware
PARSED_BODY_KEY = "sms_mock.parsed_body"  # (raw bytes, parsed JSON) when the middleware read it
# A function giving the request's Host when the control plane's allow-list takes it, else the
# bound address: what catalogs and links name (gateway/request_origin.py), never a Host nobody
# vouched for.
TRUSTED_HOST_KEY = "sms_mock.trusted_host"
# Set by the IAM listener's wrapper (serving/waitress_server.py) on the requests it receives.
LISTENER_KEY = "sms_mock.listener"
IAM_LISTENER = "iam"

# How a service answers a bad field: `invalid(field, problem)` gives its 400.
Invalid = Callable[[str, str], ApiError]


def emulator() -> Emulator:
    return current_app.extensions["sms_mock"]


def request_id() -> str:
    """This request's id, made once by the gateway middleware."""
    return request.environ[REQUEST_ID_KEY]


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json_bytes(body), status=status, mimetype=JSON, headers=headers)


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


# What `json.loads(text, parse_constant=_no_constants)` makes on every call, made once.
_DECODER = json.JSONDecoder(parse_constant=_no_constants)


# Every body on every route: no deeper than this (real bodies are under 10 levels), so that
# nothing the emulator keeps can make a later copy or dump recurse too deep.
MAX_DEPTH = 32
# A snapshot holds documents of that depth a few levels down (`sms.tasks.N.doc`).
SNAPSHOT_DEPTH = MAX_DEPTH + 8
_SURROGATE = re.compile("[\ud800-\udfff]")


class UnsafeJson(ValueError):
    """Well-formed JSON the emulator will not keep: `field` names where, `problem` says why."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field, self.problem = field, problem


def parse_json(raw: bytes, max_depth: int = MAX_DEPTH) -> Any:
    """Strict JSON: UTF-8 only, no NaN or Infinity, and `check_document`'s limits. Raises
    ValueError (UnsafeJson for a document that parses but breaks a limit)."""
    text = raw.decode("utf-8")
    # A body that cannot break a limit but by its numbers (no deeper than its brackets, no
    # lone surrogate without a `\\u` escape, UTF-8 holding none) has them checked as they are
    # read, and is not walked again; anything else, and any failure, takes the whole way.
    quick = len(text) <= _QUICK_MAX and "\\u" not in text
    if quick and text.count("[") + text.count("{") <= max_depth:
        try:
            return _CHECKING_DECODER.decode(text)
        except (_OutOfRange, ValueError):
            pass  # the whole way decides, and names the field
    return _parse_checked(text, max_depth)


def _parse_checked(text: str, max_depth: int) -> Any:
    try:
        value = _DECODER.decode(text)
    except RecursionError as exc:  # `[[[[...` thousands deep: bad input, not a crash
        where = _too_deep_at(text, len(text), max_depth) or "body"
        raise UnsafeJson(where, f"Nested deeper than {max_depth} levels.") from exc
    except json.JSONDecodeError as exc:
        # Whether the parser recursed out before it met the malformed part depends on the
        # process's recursion limit (test runners raise it): decide by what it read so far.
        where = _too_deep_at(text, exc.pos, max_depth)
        if where is not None:
            raise UnsafeJson(where, f"Nested deeper than {max_depth} levels.") from exc
        raise
    check_document(value, max_depth)
    return value


class _OutOfRange(Exception):
    """A number `check_document` would refuse, met while parsing."""


def _int64(text: str) -> int:
    value = int(text)
    if not INT64_MIN <= value <= INT64_MAX:
        raise _OutOfRange
    return value


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400 reads as infinity
        raise _OutOfRange
    return value


# Bodies this long at most take the quick way: a number costs a call there, which a large
# snapshot of many numbers would feel.
_QUICK_MAX = 64 * 1024
_CHECKING_DECODER = json.JSONDecoder(
    parse_constant=_no_constants, parse_int=_int64, parse_float=_finite
)


_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}:,]')


def _too_deep_at(text: str, end: int, max_depth: int) -> str | None:
    """Where `text[:end]` first nests deeper than `max_depth`, named as `check_document` names
    it, or None; read only on the error paths, so that the answer does not depend on how deep
    the process's recursion limit let the parser go."""
    path: list[str] = []  # the key or index of each open container's current item
    kinds: list[str] = []
    last_string = ""
    for match in _TOKENS.finditer(text, 0, end):
        token = match.group()
        if token in "[{":
            if len(kinds) >= max_depth:
                return ".".join(path) or "body"
            kinds.append(token)
            path.append("0" if token == "[" else "")
        elif token in "]}":
            if kinds:
                kinds.pop()
                path.pop()
        elif token == ":" and kinds and kinds[-1] == "{":
            path[-1] = last_string
        elif token == "," and kinds and kinds[-1] == "[":
            path[-1] = str(int(path[-1]) + 1)
        elif token.startswith('"'):
            try:
                last_string = json.loads(token)
            except ValueError:
                last_string = token[1:-1]
    return None


def _join(where: str, key: object) -> str:
    return f"{where}.{key}" if where else str(key)


def check_document(value: Any, max_depth: int = MAX_DEPTH) -> None:
    """Nesting within MAX_DEPTH, floats finite and integers within int64 (Python's json reads
    any size; no client could write one back), every string encodable (no lone surrogate,
    which `\\ud800` in JSON makes): UnsafeJson at the first place that is not, so that
    nothing accepted fails when it is copied, dumped or saved."""
    stack: list[tuple[Any, str, int]] = [(value, "", 1)]
    while stack:
        item, where, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > max_depth:
                raise UnsafeJson(where or "body", f"Nested deeper than {max_depth} levels.")
            pairs = item.items() if isinstance(item, dict) else enumerate(item)
            for key, inner in pairs:
                if isinstance(key, str) and _SURROGATE.search(key):
                    raise UnsafeJson(where or "body", "A key is not valid Unicode.")
                stack.append((inner, _join(where, key), depth + 1))
        elif isinstance(item, str):
            if _SURROGATE.search(item):
                raise UnsafeJson(
                    where or "body", "Not valid Unicode: a lone surrogate cannot be encoded."
                )
        elif isinstance(item, float) and not math.isfinite(item):  # 1e400 reads as infinity
            raise UnsafeJson(where or "body", "Out of range: a number a double can hold.")
        elif isinstance(item, int) and not INT64_MIN <= item <= INT64_MAX:
            raise UnsafeJson(where or "body", "Out of range: an integer within int64.")


class Loader(Protocol):
    """A marshmallow schema, or anything else that loads a document or raises ValidationError."""

    def load(self, data: Any) -> Any: ...


def load(
    schema: Loader,
    data: Any,
    invalid: Invalid,
    refused: Callable[[ValidationError], ApiError] | None = None,
) -> Any:
    """`data` loaded through `schema`; `invalid(field, problem)` raised naming every problem,
    or `refused(error)` when given (a service that tells an incomplete body apart)."""
    if not isinstance(data, Mapping):
        raise invalid("body", "The body must be a JSON object.")
    check = fast_check(schema) if isinstance(schema, Schema) else None
    if check is not None:
        try:
            return check(data)
        except Refused:
            pass  # the schema itself loads it, and names every wrong field
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise (refused(exc) if refused else invalid(*every_problem(exc))) from exc


def request_body() -> bytes:
    """`request.get_data(cache=True)`: the bytes the gateway middleware read already when it
    read the whole body (an action's, for its journal entry), else the stream's."""
    environ = request.environ
    peeked = environ.get(PARSED_BODY_KEY)
    if peeked is not None and environ.get("CONTENT_LENGTH") == str(len(peeked[0])):
        return peeked[0]  # all of it: what get_data would read from the stream put back
    return request.get_data(cache=True)


def body_json(invalid: Invalid, max_depth: int = MAX_DEPTH, unsafe: Invalid | None = None) -> Any:
    """The request's body as JSON (parsed once per request); malformed JSON raises invalid.

    `max_depth` is deeper for a snapshot, whose documents sit a few levels down in it. JSON that
    parses but breaks a limit raises `unsafe` when given (it is JSON, just not to spec).
    """
    raw = request_body()
    parsed = request.environ.get(PARSED_BODY_KEY)
    if parsed is not None and parsed[0] == raw:
        return parsed[1]
    try:
        value = parse_json(raw, max_depth)
    except UnsafeJson as exc:
        raise (unsafe or invalid)(exc.field, exc.problem) from exc
    except ValueError as exc:
        raise invalid("body", f"Malformed JSON ({exc}).") from exc
    request.environ[PARSED_BODY_KEY] = (raw, value)
    return value


def load_body(schema: Loader, invalid: Invalid) -> Any:
    """The request's JSON object body through `schema`, or `invalid`'s 400."""
    return load(schema, body_json(invalid), invalid)


def load_query(schema: Loader, invalid: Invalid) -> Any:
    """The query string through `schema`, or `invalid`'s 400."""
    return load(schema, request.args.to_dict(), invalid)


def _host() -> str:
    """The caller's host for this emulator, when the allow-list takes it (see TRUSTED_HOST_KEY);
    the request's own where no middleware ran. Found once a request (a token's catalog asks
    for it twice)."""
    environ = request.environ
    host = environ.get(_HOST_KEY)
    if host is None:
        trusted = environ.get(TRUSTED_HOST_KEY)
        host = environ[_HOST_KEY] = trusted() if trusted is not None else request.host
    return host


_HOST_KEY = "sms_mock.host"


def base_url() -> str:
    """This emulator's own URL as the caller reached it, for catalogs and links."""
    return f"{request.scheme}://{_host()}"


def request_url() -> str:
    """The request's URL without its query, on `base_url()`: a `links.self`."""
    return base_url() + request.base_url[len(request.host_url) - 1 :]


def on_iam_listener() -> bool:
    return request.environ.get(LISTENER_KEY) == IAM_LISTENER


def _url_on_port(port: int) -> str:
    """The caller's host for this emulator, with another of its listeners' port."""
    host = _host()
    if host.startswith("["):  # [::1]:8080
        host = host[: host.index("]") + 1]
    elif host.count(":") == 1:
        host = host.rsplit(":", 1)[0]
    return f"{request.scheme}://{host}:{port}"


def sms_url() -> str:
    """The main listener's URL, SMS's endpoint in catalogs (the request's own without ports)."""
    port = emulator().listen_ports.get("sms")
    return _url_on_port(port) if port is not None and on_iam_listener() else base_url()


def iam_url() -> str:
    """The IAM listener's URL, IAM's endpoint in catalogs; the main one when there is none
    (an app served without `sms-mock serve` or LiveServer, as in Flask's test client)."""
    port = emulator().listen_ports.get("iam")
    if port is None or on_iam_listener():
        return base_url()
    return _url_on_port(port)


def service_urls() -> tuple[str, str]:
    """(`sms_url()`, `iam_url()`), found together: a token's catalog names both."""
    ports = emulator().listen_ports
    sms_port, iam_port = ports.get("sms"), ports.get("iam")
    on_iam, base = on_iam_listener(), base_url()
    sms = _url_on_port(sms_port) if sms_port is not None and on_iam else base
    iam = base if iam_port is None or on_iam else _url_on_port(iam_port)
    return sms, iam


class TextConverter(PathConverter):
    """A path's rest as given, slashes and line breaks included: werkzeug's `path` matches `.`,
    which stops at a newline, so `/v3/sha256/0%0A` was an unknown path rather than a key."""

    regex = r"[^/][\s\S]*?"
