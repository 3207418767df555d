"""What the SDK compatibility tests share: SDK request models built from JSON bodies."""

from __future__ import annotations

from typing import Any

from huaweicloudsdksms.v3 import model as sms_models


def sdk_model(cls: type, data: dict[str, Any]) -> Any:
    """An SDK request model built from a JSON body, through the models' own type table."""
    values = {}
    for key, value in data.items():
        kind = cls.openapi_types[key]  # type: ignore[attr-defined]
        inner = kind.removeprefix("list[").removesuffix("]")
        nested = getattr(sms_models, inner, None)
        if nested is None:
            values[key] = value
        elif kind.startswith("list["):
            values[key] = [sdk_model(nested, item) for item in value]
        else:
            values[key] = sdk_model(nested, value)
    return cls(**values)
