"""What every SMS route checks before it reads a request: the caller's project, ids in paths,
and a body's size, Content-Type and content, in the service's order."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import request
from marshmallow import ValidationError

from sms_mock.contracts.base import TASK_ID_RE
from sms_mock.mock_server.core.errors import JSON, ApiError
from sms_mock.mock_server.core.http import Loader, body_json, load, load_query, request_body
from sms_mock.mock_server.sms import errors

MAX_BODY_BYTES = 10240  # documented limit of an SMS request body

# Ids of sources, templates and migprojects in a path: the emulator's own are 32 hex
# characters; fixtures and the control plane may give others of this alphabet.
RESOURCE_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")

Refused = Callable[[ValidationError], ApiError]

# The SDK models the answer of an update or a delete as a bare string; it accepts `{}`.
EMPTY = b"{}"


def checked_task_id(task_id: str) -> str:
    if not TASK_ID_RE.fullmatch(task_id):
        raise errors.invalid_task_id()
    return task_id


def checked_id(kind: str, value: str) -> str:
    if not RESOURCE_ID_RE.fullmatch(value):
        raise errors.invalid_id(kind)
    return value


def _checked_envelope() -> bytes:
    length = request.content_length
    if length is not None and length > MAX_BODY_BYTES:
        raise errors.body_too_large()
    raw = request_body()
    if len(raw) > MAX_BODY_BYTES:
        raise errors.body_too_large()
    content_type = request.environ.get("CONTENT_TYPE")  # request.headers' Content-Type
    if not content_type:
        raise errors.content_type_missing()
    # Most say exactly JSON: only others need their parameters parsed away.
    if content_type != JSON and request.mimetype != JSON:
        raise errors.content_type_not_json()
    return raw


def _document() -> Any:
    """The body's JSON, in the service's order: size, Content-Type, presence, syntax."""
    raw = _checked_envelope()
    if not raw.strip():
        raise errors.body_empty()
    return body_json(errors.body_not_json, unsafe=errors.invalid_body)


def sms_body(schema: Loader, refused: Refused = errors.body_fault) -> Any:
    """An SMS POST or PUT body, checked in the service's order, then through its contract;
    `refused` makes the answer for a body the contract refuses."""
    return load(schema, _document(), errors.invalid_body, refused=refused)


def no_body() -> None:
    """A call whose body means nothing: none at all (the SDK) or `{}` (Terraform's provider)."""
    if not request_body().strip():
        return
    if _document() != {}:
        raise errors.invalid_parameter("body", "This call takes no body (or an empty object).")


def sms_query(schema: Loader) -> Any:
    return load_query(schema, errors.invalid_parameter)
