"""The key shape of a response schema, for building answers without a marshmallow dump per request.

`shape_of(TaskSchema)` walks the schema once and gives the keys of every level; `fill_nulls`
adds the keys a document lacks as `null` (the real service answers every key), and
`with_shape_keys` keeps only a shape's keys (the list view of a task is the full one cut down).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from marshmallow import Schema, fields


@dataclass(frozen=True)
class Shape:
    """The keys of one object level; nested objects and lists of objects carry their own shape."""

    keys: tuple[str, ...]
    nested: dict[str, Shape] = field(default_factory=dict)
    nested_lists: dict[str, Shape] = field(default_factory=dict)


def _schema_of(nested: fields.Nested) -> Schema:
    return nested.schema


@cache
def shape_of(schema_class: type[Schema]) -> Shape:
    schema = schema_class()
    keys: list[str] = []
    nested: dict[str, Shape] = {}
    nested_lists: dict[str, Shape] = {}
    for name, fld in schema.fields.items():
        key = fld.data_key or name
        keys.append(key)
        if isinstance(fld, fields.Nested):
            nested[key] = shape_of(type(_schema_of(fld)))
        elif isinstance(fld, fields.List) and isinstance(fld.inner, fields.Nested):
            nested_lists[key] = shape_of(type(_schema_of(fld.inner)))
    return Shape(tuple(keys), nested, nested_lists)


def fill_nulls(doc: dict[str, Any], shape: Shape) -> dict[str, Any]:
    """Add, in place, every key of the shape that `doc` lacks, as None, at every level."""
    for key in shape.keys:
        if key not in doc:
            doc[key] = None
    for key, sub in shape.nested.items():
        value = doc.get(key)
        if isinstance(value, dict):
            fill_nulls(value, sub)
    for key, sub in shape.nested_lists.items():
        value = doc.get(key)
        if isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    fill_nulls(item, sub)
    return doc


def with_shape_keys(doc: dict[str, Any], shape: Shape) -> dict[str, Any]:
    """A new document with exactly the shape's keys (missing ones as None), at every level."""
    out: dict[str, Any] = {}
    for key in shape.keys:
        value = doc.get(key)
        if key in shape.nested and isinstance(value, dict):
            value = with_shape_keys(value, shape.nested[key])
        elif key in shape.nested_lists and isinstance(value, list):
            sub = shape.nested_lists[key]
            value = [
                with_shape_keys(item, sub) if isinstance(item, dict) else item for item in value
            ]
        out[key] = value
    return out
