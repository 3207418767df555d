"""Small HTTP helpers shared by the services' routes."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from flask import Response, current_app, request
from marshmallow import Schema, ValidationError

from contracts.base import error_paths

if TYPE_CHECKING:
    from mock_server.emulator import Emulator

JSON = "application/json"


def emulator() -> Emulator:
    return current_app.extensions["sms_mock"]


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    data = body if isinstance(body, bytes) else json.dumps(body, separators=(",", ":")).encode()
    return Response(data, status=status, mimetype=JSON, headers=headers)


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json(raw: bytes) -> Any:
    """Strict JSON: UTF-8 only, no NaN or Infinity. Raises ValueError."""
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_no_constants)
    except RecursionError as exc:  # `[[[[...` thousands deep: bad input, not a crash
        raise ValueError("nested too deeply") from exc


def first_problem(exc: ValidationError) -> tuple[str, str]:
    """The first (field path, message) of a validation error, for a one-line answer."""
    return error_paths(exc.messages)[0]


def load_body(schema: Schema, raw: bytes) -> dict[str, Any]:
    """Parse and validate a JSON object body. Raises ValidationError naming the field."""
    try:
        data = parse_json(raw)
    except ValueError as exc:
        raise ValidationError({"body": [f"Malformed JSON ({exc})."]}) from exc
    if not isinstance(data, dict):
        raise ValidationError({"body": ["The body must be a JSON object."]})
    return schema.load(data)


def base_url() -> str:
    """This emulator's own URL as the caller reached it, for catalogs and links."""
    return request.host_url.rstrip("/")
