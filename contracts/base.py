"""Base schemas: how strictly a request is read and how tolerantly a response is."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import EXCLUDE, INCLUDE, RAISE, Schema, ValidationError, validate

# A task id in a path: 1 to 36 characters of [A-Za-z0-9_-] (README, "The HTTP API"), so the seed's
# 34-character id works; ids the emulator makes are 32 lowercase hex characters.
TASK_ID_PATTERN = r"^[A-Za-z0-9_-]{1,36}$"


class Pattern(validate.Regexp):
    """A regular expression the whole value must match.

    marshmallow's Regexp uses `re.match`, where `$` also matches before a final newline, so
    `"abc\\n"` would pass `^[a-z]+$`. The pattern stays as written, for OpenAPI.
    """

    def __init__(self, regex: str, **kwargs: Any) -> None:
        super().__init__(regex, **kwargs)
        self._whole = re.compile(regex.removeprefix("^").removesuffix("$"))

    def __call__(self, value: str) -> str:  # type: ignore[override]
        if not isinstance(value, str) or self._whole.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value


# Use with fullmatch: a task id in a path, exactly.
TASK_ID_RE = re.compile(TASK_ID_PATTERN.removeprefix("^").removesuffix("$"))
task_id_validator = Pattern(
    TASK_ID_PATTERN, error="Must be 1 to 36 characters of A-Z, a-z, 0-9, '_' and '-'."
)


def any_of_required(*groups: tuple[str, ...], non_empty: bool = False) -> dict[str, Any]:
    """The OpenAPI form of a `@validates_schema` rule "one of these groups of keys is given"
    (a schema's `json_schema_rules`); `non_empty`: an empty string counts as not given."""

    def group(keys: tuple[str, ...]) -> dict[str, Any]:
        rule: dict[str, Any] = {"required": list(keys)}
        if non_empty:
            rule["properties"] = {key: {"minLength": 1} for key in keys}
        return rule

    return {"anyOf": [group(keys) for keys in groups]}


class RequestSchema(Schema):
    """A body a client sends: unknown keys are an error, types are strict."""

    class Meta:
        unknown = RAISE


class LenientRequestSchema(Schema):
    """A request body from Keystone clients, which add keys of their own: ignore unknown keys."""

    class Meta:
        unknown = EXCLUDE


class ResponseSchema(Schema):
    """A body the service answers: keys this contract does not know are kept, not refused.

    The real service adds fields the SDK models lack (Terraform reads `use_public_ip` from
    task responses), so a reader must tolerate them.
    """

    class Meta:
        unknown = INCLUDE


def error_paths(messages: object, prefix: str = "") -> list[tuple[str, str]]:
    """Flatten marshmallow's nested error messages into (dotted field path, message) pairs.

    `{"auth": {"identity": {"methods": ["Missing data."]}}}` gives
    `[("auth.identity.methods", "Missing data.")]`; list items are numbered (`ids.0`).
    """
    if isinstance(messages, dict):
        pairs: list[tuple[str, str]] = []
        for key, value in messages.items():
            name = "" if key == "_schema" else str(key)
            path = f"{prefix}.{name}" if prefix and name else (prefix or name)
            pairs.extend(error_paths(value, path))
        return pairs
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [(prefix or "body", " ".join(messages))]
    if isinstance(messages, list):
        return [pair for item in messages for pair in error_paths(item, prefix)]
    return [(prefix or "body", str(messages))]


def problems(exc: ValidationError) -> list[tuple[str, str]]:
    """Every (field path, message) of a validation error, in the order of the schema."""
    messages = exc.messages
    if isinstance(messages, list) and exc.field_name != "_schema":
        messages = {exc.field_name: messages}  # raised as ValidationError(message, field)
    return error_paths(messages)


def first_problem(exc: ValidationError) -> tuple[str, str]:
    """The first (field path, message) of a validation error, for a one-line answer."""
    return problems(exc)[0]


def every_problem(exc: ValidationError) -> tuple[str, str]:
    """(the first field, its message then every other field's): one answer names them all,
    so that a client fixes a body in one round trip, `a: Missing data.; b: Not a valid ...`."""
    found = problems(exc)
    field, message = found[0]
    rest = "".join(f"; {f}: {m}" for f, m in found[1:])
    return field, message + rest
