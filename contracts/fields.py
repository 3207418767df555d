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

# SMS's integers are int64; a number beyond is a mistake, and a float cannot even hold it.
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


class StrictBoolean(fields.Boolean):
    """A JSON `true` or `false`, nothing else."""

    default_error_messages = {"invalid": "Not a valid boolean: a JSON true or false."}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class StrictInteger(fields.Integer):
    """A JSON integer: no string, no float, no boolean."""

    default_error_messages = {
        "invalid": "Not a valid integer: a JSON integer.",
        "range": "Out of range: an integer within int64.",
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        # bool is a subclass of int in Python, but `true` is not an integer on the wire.
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise self.make_error("invalid")
        if not INT64_MIN <= value <= INT64_MAX:
            raise self.make_error("range")
        return int(value)


class StrictFloat(fields.Float):
    """A JSON number (integer or decimal), finite: no string, no boolean."""

    default_error_messages = {
        "invalid": "Not a valid number: a JSON number.",
        "range": "Out of range: a number within int64's range.",
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_nan=False, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise self.make_error("invalid")
        # Compared before any float(): a 400-digit integer overflows a float (and isfinite).
        if isinstance(value, numbers.Integral):
            if not INT64_MIN <= value <= INT64_MAX:
                raise self.make_error("range")
        elif not math.isfinite(value):
            raise self.make_error("special")
        elif not INT64_MIN <= value <= INT64_MAX:
            raise self.make_error("range")
        return float(value)


class StrictNumber(StrictFloat):
    """A JSON number kept as given: an integer stays an integer (so a document round-trips)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> float:
        super()._deserialize(value, attr, data, **kwargs)
        return value


def enum_field(enum: type[StrEnum], **kwargs: Any) -> fields.String:
    """A string field whose value must be one of the enum's wire values."""
    return fields.String(validate=validate.OneOf(values(enum)), **kwargs)
