"""The fast check of a request (`contracts/fast_check.py`) gives the schema's own verdict.

A route loads a body through its schema's fast check, and through the schema itself only when
the fast check refuses, so that the error answer is the schema's. Held here, on the contract
tests' generated bodies, valid and invalid, for every request schema (and more examples for the
two on the hot path, token issue and task action): the fast check loads exactly what
`schema.load` loads, in the same key order, and refuses exactly what it refuses, `@validates_schema`
rules included, which no JSON Schema can say.
"""

from __future__ import annotations

import copy
import importlib
import inspect
import json
import pkgutil
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from marshmallow import Schema, ValidationError, fields, pre_load, validates_schema

import sms_mock.contracts
from sms_mock.contracts.base import LenientRequestSchema, RequestSchema
from sms_mock.contracts.fast_check import Refused, fast_check
from sms_mock.contracts.iam import TokenRequestSchema
from sms_mock.contracts.sms import TaskActionRequestSchema
from tests.support.strategies import invalid, valid


def _request_schemas() -> list[type[Schema]]:
    found = []
    for info in pkgutil.iter_modules(sms_mock.contracts.__path__):
        module = importlib.import_module(f"sms_mock.contracts.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and issubclass(
                cls, RequestSchema | LenientRequestSchema
            ):
                found.append(cls)
    return sorted(found, key=lambda cls: (cls.__module__, cls.__name__))


REQUEST_SCHEMAS = _request_schemas()
HOT_PATH = (TokenRequestSchema, TaskActionRequestSchema)


def _breakable(schema: type[Schema]) -> bool:
    try:
        invalid(schema)
    except ValueError:  # accepts every object: nothing makes a body of it wrong
        return False
    return True


BREAKABLE = [schema for schema in REQUEST_SCHEMAS if _breakable(schema)]


def _as_json(value: Any) -> str:
    """The value as JSON, keys in their order: two loads that differ only in order differ."""
    return json.dumps(value, default=repr)


def verdicts(schema_class: type[Schema], body: Any) -> tuple[Any, Any]:
    """(the schema's load, the fast check's), each the loaded value as JSON or "refused"; each
    on its own copy of the body, which neither may change."""
    schema = schema_class()
    check = fast_check(schema)
    assert check is not None, schema_class.__name__
    given_body = copy.deepcopy(body)
    try:
        loaded = _as_json(schema.load(copy.deepcopy(body)))
    except ValidationError:
        loaded = "refused"
    try:
        checked = _as_json(check(body))
    except Refused:
        checked = "refused"
    assert body == given_body
    return loaded, checked


def test_every_request_schema_has_a_fast_check() -> None:
    assert len(REQUEST_SCHEMAS) > 100
    assert set(HOT_PATH) <= set(REQUEST_SCHEMAS)
    declined = [s.__name__ for s in REQUEST_SCHEMAS if fast_check(s()) is None]
    assert declined == []


@pytest.mark.parametrize("schema", HOT_PATH, ids=lambda s: s.__name__)
@given(data=st.data())
def test_on_the_hot_path_a_valid_body_loads_as_the_schema_loads_it(
    schema: type[Schema], data: st.DataObject
) -> None:
    loaded, checked = verdicts(schema, data.draw(valid(schema)))
    assert loaded != "refused"
    assert checked == loaded


@pytest.mark.parametrize("schema", HOT_PATH, ids=lambda s: s.__name__)
@given(data=st.data())
def test_on_the_hot_path_an_invalid_body_is_refused_as_the_schema_refuses_it(
    schema: type[Schema], data: st.DataObject
) -> None:
    body, _ = data.draw(invalid(schema))
    assert verdicts(schema, body) == ("refused", "refused")


# Any JSON at all where the body goes: mostly refused, now and then a body that loads.
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)


@pytest.mark.parametrize("schema", HOT_PATH, ids=lambda s: s.__name__)
@given(data=st.data())
def test_on_the_hot_path_any_json_gets_the_schemas_verdict(
    schema: type[Schema], data: st.DataObject
) -> None:
    # A valid body with one value anywhere in it replaced by any JSON.
    body = data.draw(valid(schema))
    where = body
    while isinstance(where, dict) and where:
        key = data.draw(st.sampled_from(sorted(where)))
        if not isinstance(where[key], dict) or data.draw(st.booleans()):
            where[key] = data.draw(_JSON)
            break
        where = where[key]
    loaded, checked = verdicts(schema, body)
    assert checked == loaded


@given(data=st.data())
def test_every_request_schema_loads_a_valid_body_as_the_schema_does(data: st.DataObject) -> None:
    schema = data.draw(st.sampled_from(REQUEST_SCHEMAS), label="schema")
    loaded, checked = verdicts(schema, data.draw(valid(schema), label="body"))
    assert loaded != "refused"
    assert checked == loaded


@given(data=st.data())
def test_every_request_schema_refuses_an_invalid_body_as_the_schema_does(
    data: st.DataObject,
) -> None:
    schema = data.draw(st.sampled_from(BREAKABLE), label="schema")
    body, _ = data.draw(invalid(schema), label="body")
    assert verdicts(schema, body) == ("refused", "refused")


# --- what it leaves to marshmallow ---------------------------------------------------------------


class _Trimmed(RequestSchema):
    name = fields.String(required=True)

    @pre_load
    def _trim(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return {**data, "name": str(data.get("name", "")).strip()}


def test_a_schema_with_a_load_hook_is_loaded_by_the_schema_itself() -> None:
    assert fast_check(_Trimmed()) is None


class _Pair(RequestSchema):
    low = fields.Integer(required=True)  # marshmallow's own lenient integer: "1" loads as 1
    high = fields.Integer(required=True)

    @validates_schema
    def _ordered(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["low"] > data["high"]:
            raise ValidationError("low is above high", "low")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"low": 1, "high": 2}, {"low": 1, "high": 2}),
        ({"low": "1", "high": 2}, {"low": 1, "high": 2}),  # the field's own conversion
        ({"low": 3, "high": 2}, "refused"),  # the schema's own rule
        ({"low": 1}, "refused"),
        ({"low": 1, "high": 2, "other": 0}, "refused"),
    ],
)
def test_fields_and_rules_of_its_own_are_the_schemas(body: dict[str, Any], expected: Any) -> None:
    loaded, checked = verdicts(_Pair, body)
    assert checked == loaded == (expected if expected == "refused" else _as_json(expected))
