"""What the SDK compatibility tests share: SDK models built from JSON bodies, and the checks
that an SDK answer holds exactly what the JSON answer said."""

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


def assert_answers(model: Any, plain: Any, where: str = "$") -> None:
    """Every attribute of the SDK model is the JSON key it is read from, present in `plain`,
    with the same value (nested models attribute by attribute)."""
    assert isinstance(plain, dict), f"{where}: {plain!r} is not an object"
    for attr, kind in model.openapi_types.items():
        key = model.attribute_map[attr]
        assert key in plain, f"{where}.{key}: missing from the answer"
        value, wire = getattr(model, attr), plain[key]
        here = f"{where}.{key}"
        inner = kind.removeprefix("list[").removesuffix("]")
        if wire is None:
            assert value is None, f"{here}: {value!r} for null"
        elif hasattr(sms_models, inner) and kind.startswith("list["):
            assert isinstance(wire, list) and len(value) == len(wire), here
            for index, (item, wire_item) in enumerate(zip(value, wire, strict=True)):
                assert_answers(item, wire_item, f"{here}[{index}]")
        elif hasattr(sms_models, inner):
            assert_answers(value, wire, here)
        elif kind == "float":  # the SDK reads a JSON integer here as a float
            assert value == wire and not isinstance(wire, bool), f"{here}: {value!r} != {wire!r}"
        else:
            assert value == wire and type(value) is type(wire), f"{here}: {value!r} != {wire!r}"


def assert_done(answer: Any) -> None:
    """An update or a delete: the SDK takes any status below 400; the emulator answers 200 {}."""
    assert answer.status_code == 200
    assert answer.to_json_object() == {}
