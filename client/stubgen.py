"""`client/models.pyi`, written from the contract schemas: the static types of the client's results.

The models are dataclasses built at run time from the schemas (`models.model_of`), which a type
checker cannot see; this writes the same classes as a stub it can. Run
`python -m sms_mock.client.stubgen` after changing a contract; `tests/client/test_client_types.py`
fails while the stub and the schemas disagree.
"""

from __future__ import annotations

import sys
from pathlib import Path

from marshmallow import Schema, fields

from sms_mock.client import models

STUB = Path(__file__).with_name("models.pyi")

HEADER = '''"""Static types of `models.py`'s results, written by
`python -m sms_mock.client.stubgen` from the contract schemas: do not edit by hand."""

from typing import Any

from marshmallow import Schema

class TaskMixin:
    sub_tasks: Any
    @property
    def current_subtask(self) -> Any | None: ...

def model_of(schema_class: type[Schema]) -> type: ...
def load(schema_class: type[Schema], body: Any, what: str) -> Any: ...
def to_dict(model: Any, *, extra: bool = True) -> Any: ...
'''


def _exported() -> dict[str, type[Schema]]:
    """The models `models.py` names (`Task`, `SourcePage`, ...), each with its schema."""
    schemas = [v for v in vars(models).values() if isinstance(v, type) and issubclass(v, Schema)]
    by_model = {models.model_of(schema): schema for schema in schemas}
    return {
        name: by_model[value]
        for name, value in vars(models).items()
        if isinstance(value, type) and value in by_model
    }


def _walk(schema: type[Schema], seen: list[type[Schema]]) -> None:
    if schema in seen:
        return
    seen.append(schema)
    for field in schema().fields.values():
        inner = field.inner if isinstance(field, fields.List) else field
        if isinstance(inner, fields.Nested):
            _walk(type(inner.schema), seen)


def _annotation(field: fields.Field) -> str:
    if isinstance(field, fields.Nested):
        return models.model_of(type(field.schema)).__name__
    if isinstance(field, fields.List):
        return f"list[{_annotation(field.inner)}]"  # type: ignore[arg-type]
    python = next((t for kind, t in models.FIELD_TYPES if isinstance(field, kind)), None)
    if python is None:
        return "Any"
    return "dict[str, Any]" if python is dict else python.__name__


def render() -> str:
    """The stub's text."""
    blocks = [HEADER]
    aliases = _exported()
    schemas: list[type[Schema]] = []
    for schema in aliases.values():
        _walk(schema, schemas)
    classes: dict[str, type[Schema]] = {}
    for schema in schemas:
        name = models.model_of(schema).__name__
        if classes.setdefault(name, schema) is not schema:
            raise ValueError(f"two schemas make a model named {name}: {schema}, {classes[name]}")
    for name in sorted(classes):
        schema = classes[name]
        bases = "(TaskMixin)" if models._BASES.get(schema) else ""
        lines = [f"class {name}{bases}:"]
        for field_name, field in schema().fields.items():
            annotation = _annotation(field)
            if not field.required or field.allow_none:
                annotation = f"{annotation} | None"
            lines.append(f"    {field_name}: {annotation}")
        lines.append("    extra: dict[str, Any]")
        lines.append("    def __init__(self, *args: Any, **kwargs: Any) -> None: ...")
        blocks.append("\n".join(lines) + "\n")
    for alias, schema in sorted(aliases.items()):
        name = models.model_of(schema).__name__
        if alias != name:
            blocks.append(f"{alias} = {name}\n")
    return "\n".join(blocks)


def main() -> int:
    STUB.write_text(render(), encoding="utf-8")
    print(f"wrote {STUB}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
