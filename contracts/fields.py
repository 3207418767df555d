"""Strict JSON fields: a JSON boolean for a boolean, a JSON integer for an integer.

marshmallow's own fields are lenient on input (`"true"`, `1` and `"yes"` load as a boolean, `True`
loads as the integer 1, `"1.5"` as a number). The wire contract is not: the service answers 400
to them. These subclasses keep the parent's OpenAPI type, so apispec and the strategy builder see
an ordinary Boolean, Integer or Float.
"""

from __future__ import annotations

import math
import numbers
from enum import StrEnum
from typing import Any

from marshmallow import fields, validate

from sms_mock.contracts.enums import values


class StrictBoolean(fields.Boolean):
    """A JSON `true` or `false`, nothing else."""

    default_error_messages = {"invalid": "Not a valid boolean: a JSON true or false."}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class StrictInteger(fields.Integer):
    """A JSON integer: no string, no float, no boolean."""

    default_error_messages = {"invalid": "Not a valid integer: a JSON integer."}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        # bool is a subclass of int in Python, but `true` is not an integer on the wire.
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise self.make_error("invalid")
        return int(value)


class StrictFloat(fields.Float):
    """A JSON number (integer or decimal), finite: no string, no boolean."""

    default_error_messages = {"invalid": "Not a valid number: a JSON number."}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_nan=False, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise self.make_error("invalid")
        if not math.isfinite(value):
            raise self.make_error("special")
        return float(value)


class StrictNumber(StrictFloat):
    """A JSON number kept as given: an integer stays an integer (so a document round-trips)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> float:
        super()._deserialize(value, attr, data, **kwargs)
        return value


def enum_field(enum: type[StrEnum], **kwargs: Any) -> fields.String:
    """A string field whose value must be one of the enum's wire values."""
    return fields.String(validate=validate.OneOf(values(enum)), **kwargs)
