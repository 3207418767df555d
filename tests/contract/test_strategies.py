"""The schema-derived strategies: valid bodies load, invalid ones are refused where they say."""

from __future__ import annotations

import datetime as dt
import enum
import inspect
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st
from marshmallow import Schema, ValidationError, fields, validate

from sms_mock.contracts import control, errors, iam, sms
from sms_mock.contracts.base import RequestSchema, error_paths
from sms_mock.contracts.control import ClockAdvanceSchema, DurationsField
from sms_mock.contracts.errors import KeystoneErrorDetailSchema, KeystoneErrorSchema
from sms_mock.contracts.fields import StrictInteger
from sms_mock.contracts.iam import IdentitySchema, ProjectSchema, TokenRequestSchema
from sms_mock.contracts.sms import (
    CreateTaskResponseSchema,
    DeleteTasksRequestSchema,
    EmptyResponseSchema,
    SourceServerSchema,
    SubTaskSchema,
    TargetDiskRequestSchema,
    TargetDiskSchema,
    TaskActionRequestSchema,
    TaskListQuerySchema,
    TaskSchema,
)
from tests.support.strategies import invalid, valid

SCHEMAS = [
    cls
    for module in (sms, iam, errors, control)
    for name, cls in inspect.getmembers(module, inspect.isclass)
    if issubclass(cls, Schema) and cls.__module__ == module.__name__ and not name.startswith("_")
]
# Accepts every object, so nothing can make a body of it wrong.
UNBREAKABLE = {EmptyResponseSchema}


def _ids(schema: type[Schema]) -> str:
    return schema.__name__


def walk(schema: Schema, body: dict[str, Any]) -> Iterator[tuple[Schema, fields.Field, str, Any]]:
    """(schema, field, key, value) of every field a body holds, at every level."""
    for name, fld in schema.load_fields.items():
        key = fld.data_key or name
        if key in body:
            yield from _walk_value(schema, fld, key, body[key])


def _walk_value(
    schema: Schema, fld: fields.Field, key: str, value: Any
) -> Iterator[tuple[Schema, fields.Field, str, Any]]:
    yield schema, fld, key, value
    if isinstance(fld, fields.Nested) and value is not None:
        for item in value if fld.many else [value]:
            yield from walk(fld.schema, item)
    elif isinstance(fld, fields.List) and value is not None:
        for item in value:
            yield from _walk_value(schema, fld.inner, key, item)


def objects(schema: Schema, body: dict[str, Any]) -> Iterator[tuple[Schema, dict[str, Any]]]:
    """(schema, object) of the body and of every nested object in it."""
    yield schema, body
    for _, fld, _, value in walk(schema, body):
        if isinstance(fld, fields.Nested) and value is not None:
            for item in value if fld.many else [value]:
                yield fld.schema, item


def some(strategy: st.SearchStrategy[Any], condition: Callable[[Any], bool]) -> Any:
    """The first example that meets the condition, unshrunk: shrinking a task is slow."""
    return find(
        strategy,
        condition,
        settings=settings(phases=[Phase.generate], database=None, max_examples=2000),
    )


# --- every schema ----------------------------------------------------------------------------


def test_every_public_schema_is_swept() -> None:
    assert len(SCHEMAS) > 50
    assert {TaskSchema, TokenRequestSchema, ClockAdvanceSchema} <= set(SCHEMAS)


def assert_well_formed(schema: Schema, body: dict[str, Any]) -> None:
    """What introspection promises beyond `load`: required keys, enum values, no bool for an int."""
    for level, obj in objects(schema, body):
        for name, fld in level.load_fields.items():
            assert not fld.required or (fld.data_key or name) in obj, (type(level).__name__, name)
    for _, fld, key, value in walk(schema, body):
        if value is None:
            continue
        if isinstance(fld, fields.Integer):
            assert type(value) is int, (key, value)
        for v in fld.validators:
            if isinstance(v, validate.OneOf):
                assert value in v.choices, (key, value)


def assert_refused_at(
    schema: Schema, body: dict[str, Any], path: str, *, partial: bool = False
) -> None:
    """The body is refused, and every error lies at the path or under it."""
    with pytest.raises(ValidationError) as refusal:
        schema.load(body, partial=partial)
    paths = [p for p, _ in error_paths(refusal.value.messages)]
    assert paths
    assert all(p == path or p.startswith(f"{path}.") for p in paths), (path, paths)


# Both sides in one test, at a third of the profile's examples (20 in `ci`): 64 schemas at 60
# examples, valid and invalid apart, would take most of a minute. The tests below draw more.
@pytest.mark.parametrize("schema", SCHEMAS, ids=_ids)
@settings(max_examples=max(10, settings.default.max_examples // 3))
@given(data=st.data())
def test_valid_bodies_load_and_invalid_ones_are_refused_at_their_path(
    schema: type[Schema], data: st.DataObject
) -> None:
    body = data.draw(valid(schema), label="valid")
    schema().load(body)
    assert_well_formed(schema(), body)
    if schema not in UNBREAKABLE:
        wrong, path = data.draw(invalid(schema), label="invalid")
        assert_refused_at(schema(), wrong, path)


def test_a_schema_that_accepts_every_object_cannot_be_broken() -> None:
    with pytest.raises(ValueError, match="accepts every object"):
        invalid(EmptyResponseSchema)


# --- what valid bodies hold ------------------------------------------------------------------
# The sweep checks these on every schema; here each on a small schema that shows it well.


@given(body=valid(SubTaskSchema))
def test_strict_integers_are_never_booleans(body: dict[str, Any]) -> None:
    for _, fld, key, value in walk(SubTaskSchema(), body):
        if isinstance(fld, StrictInteger) and value is not None:
            assert type(value) is int, (key, value)


@given(body=valid(SourceServerSchema))
def test_one_of_fields_hold_only_their_values(body: dict[str, Any]) -> None:
    for _, fld, key, value in walk(SourceServerSchema(), body):
        for v in fld.validators:
            if isinstance(v, validate.OneOf) and value is not None:
                assert value in v.choices, (key, value)


@given(body=valid(TokenRequestSchema))
def test_required_fields_are_always_present(body: dict[str, Any]) -> None:
    for level, obj in objects(TokenRequestSchema(), body):
        for name, fld in level.load_fields.items():
            if fld.required:
                assert (fld.data_key or name) in obj, (type(level).__name__, name)


def test_nullable_fields_are_sometimes_null() -> None:
    some(valid(ProjectSchema), lambda b: b.get("description", "") is None)
    some(valid(TargetDiskSchema), lambda b: b.get("physical_volumes", []) is None)


def test_optional_fields_are_sometimes_absent_and_sometimes_present() -> None:
    some(valid(TargetDiskRequestSchema), lambda b: "disk_id" not in b)
    some(valid(TargetDiskRequestSchema), lambda b: "disk_id" in b)


def test_schema_validators_are_met() -> None:
    clone = some(valid(TaskActionRequestSchema), lambda b: b["operation"] == "clone_test")
    assert clone["template_id"]


@given(body=valid(TaskListQuerySchema))
def test_query_numbers_are_integers_not_booleans(body: dict[str, Any]) -> None:
    for key in ("limit", "offset"):
        assert key not in body or type(body[key]) is int


@given(body=valid(TargetDiskRequestSchema, partial=True))
def test_partial_bodies_load_partially(body: dict[str, Any]) -> None:
    TargetDiskRequestSchema().load(body, partial=True)


def test_partial_bodies_may_lack_required_fields() -> None:
    some(valid(TargetDiskRequestSchema, partial=True), lambda b: "name" not in b)


# --- each kind of mistake --------------------------------------------------------------------


def _at(body: Any, path: str) -> Any:
    """The value at a dotted path, or KeyError."""
    for part in path.split("."):
        body = body[int(part)] if isinstance(body, list) else body[part]
    return body


def _absent(body: dict, path: str) -> bool:
    try:
        _at(body, path)
    except KeyError:
        return True
    return False


def _value_is(check: Callable[[Any], bool]) -> Callable[[tuple[dict, str]], bool]:
    def holds(example: tuple[dict, str]) -> bool:
        body, path = example
        return not _absent(body, path) and check(_at(body, path))

    return holds


def declared(schema: Schema, path: str) -> bool:
    """Whether every key of a dotted path names a field of the schema, at its level."""
    fld: fields.Field | None = None
    for part in path.split("."):
        if part.isdigit() and isinstance(fld, fields.List):
            fld = fld.inner
            continue
        if part.isdigit() and isinstance(fld, fields.Nested) and fld.many:
            continue
        if isinstance(fld, fields.Nested):
            schema = fld.schema
        elif fld is not None:
            return False  # a key below a field that holds no object
        by_key = {f.data_key or name: f for name, f in schema.load_fields.items()}
        if part not in by_key:
            return False
        fld = by_key[part]
    return True


MISTAKES: dict[str, tuple[type[Schema], Callable[[tuple[dict, str]], bool]]] = {
    "required removed": (CreateTaskResponseSchema, lambda e: _absent(*e)),
    "nested required removed": (KeystoneErrorSchema, lambda e: "." in e[1] and _absent(*e)),
    "string for a number": (ClockAdvanceSchema, _value_is(lambda v: isinstance(v, str))),
    "number out of range": (
        ClockAdvanceSchema,
        _value_is(lambda v: type(v) in (int, float) and v < 0),
    ),
    "float for an integer": (KeystoneErrorDetailSchema, _value_is(lambda v: type(v) is float)),
    "integer for a string": (CreateTaskResponseSchema, _value_is(lambda v: type(v) is int)),
    "string for a boolean": (TaskActionRequestSchema, _value_is(lambda v: v == "true")),
    "object for a list": (DeleteTasksRequestSchema, _value_is(lambda v: v == {})),
    "outside the enum": (
        TaskActionRequestSchema,
        lambda e: e[1] == "operation" and isinstance(e[0].get("operation"), str),
    ),
    "list too short": (DeleteTasksRequestSchema, _value_is(lambda v: v == [])),
    "list too long": (
        DeleteTasksRequestSchema,
        _value_is(lambda v: isinstance(v, list) and len(v) == 101),
    ),
    "string too long": (TaskActionRequestSchema, _value_is(lambda v: v == "a" * 256)),
    "pattern broken by a newline": (DeleteTasksRequestSchema, _value_is(lambda v: v == "a\n")),
    "null": (CreateTaskResponseSchema, _value_is(lambda v: v is None)),
    "unknown key": (
        TaskActionRequestSchema,
        lambda e: not declared(TaskActionRequestSchema(), e[1]),
    ),
    "nested unknown key": (
        TargetDiskRequestSchema,
        lambda e: "." in e[1] and not declared(TargetDiskRequestSchema(), e[1]),
    ),
    "bad mapping key": (TaskActionRequestSchema, lambda e: e[1] == "param" and "param" in e[0]),
}


@pytest.mark.parametrize("kind", MISTAKES)
def test_every_kind_of_mistake_is_made(kind: str) -> None:
    schema, made = MISTAKES[kind]
    some(invalid(schema), made)


@given(example=invalid(IdentitySchema))
def test_lenient_schemas_get_no_unknown_key(example: tuple[dict, str]) -> None:
    # IdentitySchema ignores unknown keys, so adding one would not make a body wrong.
    assert declared(IdentitySchema(), example[1]), example[1]


@given(example=invalid(TargetDiskRequestSchema, partial=True))
def test_partial_mistakes_never_remove_a_key(example: tuple[dict, str]) -> None:
    body, path = example
    assert not _absent(body, path)
    assert_refused_at(TargetDiskRequestSchema(), body, path, partial=True)


# --- field types the contracts do not use yet ------------------------------------------------


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


class _Inner(Schema):
    code = fields.String(required=True, validate=validate.Length(2, 4))


class _Everything(RequestSchema):
    uuid = fields.UUID(required=True)
    email = fields.Email()
    when = fields.AwareDateTime()
    naive = fields.NaiveDateTime()
    day = fields.Date()
    colour = fields.Enum(Colour, by_value=True)
    pair = fields.Tuple((fields.String(), StrictInteger()))
    kind = fields.Constant("fixed")
    codes = fields.Pluck(_Inner, "code", many=True)
    durations = DurationsField()
    ratio = fields.Float(validate=validate.Range(0, 1, min_inclusive=False))
    amount = fields.Decimal(places=2)
    flag = fields.Boolean(allow_none=True)
    count = fields.Integer(validate=validate.Range(min=0.5, max=10.5))


@given(body=valid(_Everything))
def test_other_field_types_load(body: dict[str, Any]) -> None:
    _Everything().load(body)
    assert "count" not in body or 1 <= body["count"] <= 10


@given(example=invalid(_Everything))
def test_other_field_types_break(example: tuple[dict, str]) -> None:
    assert_refused_at(_Everything(), *example)


def test_a_field_without_a_strategy_is_named() -> None:
    class Odd(Schema):
        odd = fields.Method(deserialize="load_odd")

        def load_odd(self, value: Any) -> Any:
            return value

    with pytest.raises(TypeError, match="Method"):
        valid(Odd)


def test_time_values_round_trip() -> None:
    body = some(valid(_Everything), lambda b: b.get("when") is not None)
    assert dt.datetime.fromisoformat(body["when"]).tzinfo is not None
