"""A fast check of a request against its schema, derived from the schema once.

marshmallow loads a body through a stack of generic calls a field (about 50 us for a token
request); most requests are valid, and the emulator needs only the loaded value for them. So
`fast_check(schema)` walks the schema's fields once and writes a function for each level of
the schema that does what `schema.load` does to a value of the usual JSON type, inline: the
same type checks, the same validators, the same missing keys, defaults, unknown keys and output
(about 4 us for a token request). Where it meets anything else (another type, a custom field
class, a hook it does not run), it asks the field's own `deserialize`, or the schema's own
`load`, so that its verdict and its output are marshmallow's by construction.

It never makes an error answer: whenever the value is refused (or anything at all goes wrong)
it raises `Refused`, and the caller loads the body through the schema as before, which names
every wrong field. The schemas stay the one source of truth; this is a cache of what they say.

`@validates_schema` and `@validates` rules, which no JSON Schema can say, are the schema's own
methods: the check calls them on its output exactly as `load` does. A schema with `pre_load` or
`post_load` hooks, `many` or `partial` is loaded by marshmallow itself.
"""

from __future__ import annotations

import contextlib
import math
import threading
from collections.abc import Callable, Mapping
from typing import Any
from weakref import WeakKeyDictionary

from marshmallow import INCLUDE, RAISE, Schema, ValidationError, fields, validate
from marshmallow.decorators import POST_LOAD, PRE_LOAD, VALIDATES, VALIDATES_SCHEMA
from marshmallow.error_store import ErrorStore
from marshmallow.utils import missing

from sms_mock.contracts.fields import (
    INT64_MAX,
    INT64_MIN,
    StrictBoolean,
    StrictFloat,
    StrictInteger,
    StrictNumber,
)

__all__ = ["Check", "Refused", "fast_check"]


class Refused(Exception):
    """The fast check does not vouch for the value: marshmallow decides, and explains."""


# A value in, the loaded value out (as `load` would give it), or Refused raised.
Check = Callable[[Any], Any]
# A value's check and whether it passes its validators, as predicates (False: refused).
Predicate = Callable[[Any], bool]

_checks: WeakKeyDictionary[Schema, Check | None] = WeakKeyDictionary()
_checks_lock = threading.Lock()


def fast_check(schema: Schema) -> Check | None:
    """The schema's fast check, built at its first use and kept while the schema lives; None
    for a schema marshmallow must load itself (see the module's docstring)."""
    try:
        return _checks[schema]
    except KeyError:
        pass
    with _checks_lock:
        if schema not in _checks:
            try:
                _checks[schema] = _top(schema)
            except Exception:  # a schema it cannot write a check for: marshmallow loads it
                _checks[schema] = None
        return _checks[schema]


def _top(schema: Schema) -> Check | None:
    if not isinstance(schema, Schema) or _loads_itself(schema):
        return None
    inner = _object(schema, None)

    def check(data: Any) -> Any:
        try:
            return inner(data)
        except Refused:
            raise
        except Exception as exc:  # a surprise is marshmallow's to meet, never an answer here
            raise Refused from exc

    return check


def _loads_itself(schema: Schema) -> bool:
    """Whether `load` does something the check does not copy: hooks around the fields, many
    objects, partial loads, or a field stored under a dotted attribute."""
    hooks = getattr(schema, "_hooks", None)
    if hooks is None or hooks.get(PRE_LOAD) or hooks.get(POST_LOAD):
        return True
    if schema.many or schema.partial:
        return True
    return any("." in (f.attribute or name) for name, f in schema.load_fields.items())


# --- objects ------------------------------------------------------------------------------------


def _object(schema: Schema, unknown: str | None, within: frozenset[type] = frozenset()) -> Check:
    """What `schema.load(value, unknown=unknown)` does to a value present in the body: a function
    written for this schema, each field's usual case inline, the rest through `_value`'s checks.
    Any exception it raises (a schema validator's ValidationError among them) is a refusal."""
    if _loads_itself(schema):
        return _schema_load(schema, unknown)
    unknown = schema.unknown if unknown is None else unknown
    source = _Source()
    body: list[str] = []
    known: set[str] = set()
    for name, fld in schema.load_fields.items():
        key = fld.data_key if fld.data_key is not None else name
        known.add(key)
        body += _field_lines(source, fld, key, fld.attribute or name, within | {type(schema)})
    if unknown == RAISE:
        body += [f"if not {source.name(frozenset(known))}.issuperset(data):", "    raise Refused"]
    elif unknown == INCLUDE:  # load's own expression: the extra keys in the same order
        body += [f"for extra in set(data) - {source.name(frozenset(known))}:",
                 "    out[extra] = data[extra]"]  # fmt: skip
    if schema._hooks.get(VALIDATES):
        body.append(f"{source.name(_field_validators(schema))}(out)")
    for validator, pass_original in _schema_validators(schema):
        original = "data, " if pass_original else ""
        body.append(
            f"{source.name(validator)}(out, {original}partial=None, many=False, "
            f"unknown={unknown!r})"
        )
    make_out = "{}" if schema.dict_class is dict else f"{source.name(schema.dict_class)}()"
    return source.function(
        [
            "if type(data) is not dict and not isinstance(data, Mapping):",
            "    raise Refused",
            f"out = {make_out}",
            *body,
            "return out",
        ]
    )


class _Source:
    """A check's source: its lines, and the values they name (bound in a closure)."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {"Refused": Refused, "Mapping": Mapping, "missing": missing}

    def name(self, value: Any) -> str:
        name = f"v{len(self.values)}"
        self.values[name] = value
        return name

    def function(self, lines: list[str]) -> Check:
        names = ", ".join(self.values)
        inner = "\n".join(f"        {line}" for line in lines)
        text = f"def make({names}):\n    def check(data):\n{inner}\n    return check\n"
        namespace: dict[str, Any] = {}
        # The text is made here from the schema's keys (as literals) and names bound above.
        exec(compile(text, "<fast_check>", "exec"), namespace)
        return namespace["make"](**self.values)


def _field_lines(
    source: _Source, fld: fields.Field, key: str, attribute: str, within: frozenset[type]
) -> list[str]:
    """The lines that load one field into `out`, as load does; `within`: the schemas this
    field is inside of (one met again is built at its first use, see `_nested`)."""
    get, put = f"data.get({key!r}, missing)", f"out[{attribute!r}]"
    if not _is_known(fld):
        # A field class of its own: its own deserialize, as load calls it.
        own = source.name(_deserialized_with(fld, key))
        return [f"value = {own}({get}, data)", "if value is not missing:", f"    {put} = value"]
    lines = [f"value = {get}", "if value is missing:"]
    default = fld.load_default
    if fld.required:
        lines.append("    raise Refused")
    elif default is missing:
        lines.append("    pass")
    elif callable(default):
        lines += [f"    value = {source.name(default)}()", "    if value is not missing:",
                  f"        {put} = value"]  # fmt: skip
    else:
        lines.append(f"    {put} = {source.name(default)}")
    inner = _inner_object(fld, within)
    if inner is not None:  # an object: its own function, called straight away
        lines += ["elif type(value) is dict:", f"    {put} = {source.name(inner)}(value)"]
    usual = _usual(source, fld, "value")
    if usual is not None:
        lines += [f"elif {usual}:", f"    {put} = value"]
    listed = type(fld) is fields.List and _is_known(fld.inner)
    each = _usual(source, fld.inner, "each") if listed else None
    if each is not None:  # a list of usual items: a new list of the same items
        checks = " and ".join(
            ["type(value) is list", f"all({each} for each in value)",
             *(_inline(source, v, "value") for v in fld.validators)]
        )  # fmt: skip
        lines += [f"elif {checks}:", f"    {put} = list(value)"]
    lines += ["else:", f"    {put} = {source.name(_value(fld))}(value)"]
    return lines


def _inner_object(fld: fields.Field, within: frozenset[type]) -> Check | None:
    """The check of a Nested field's object, when the field adds nothing to it (no validators)
    and its schema is not one it is inside of."""
    if type(fld) is not fields.Nested or fld.validators:
        return None
    schema = fld.schema
    if schema.many or type(schema) in within:
        return None
    return _object(schema, fld.unknown, within)


def _usual(source: _Source, fld: fields.Field, value: str) -> str | None:
    """An expression true when `value` is of the field's usual type and passes its validators:
    then it loads as itself. None for a field with no such case (objects, lists, maps)."""
    kind = type(fld)
    if kind is fields.String:
        typed = f"type({value}) is str"
    elif kind is StrictBoolean:
        typed = f"type({value}) is bool"
    elif kind is StrictInteger or kind is StrictNumber:
        typed = f"type({value}) is int and {INT64_MIN} <= {value} <= {INT64_MAX}"
    elif kind is fields.Raw:
        typed = f"{value} is not None"
    else:
        return None
    return " and ".join([typed, *(_inline(source, v, value) for v in fld.validators)])


def _inline(source: _Source, validator: Any, value: str) -> str:
    """A validator as an expression on `value`: Length and OneOf written out, others called."""
    kind = type(validator)
    if kind is validate.Length:
        low, high, equal = validator.min, validator.max, validator.equal
        if equal is not None:
            return f"len({value}) == {equal}"
        bounds = [f"{low} <= len({value})" if low is not None else "",
                  f"len({value}) <= {high}" if high is not None else ""]  # fmt: skip
        return " and ".join(b for b in bounds if b) or "True"
    if kind is validate.OneOf:
        return f"{source.name(_one_of(validator))}({value})"
    return f"{source.name(_predicate(validator))}({value})"


def _deserialized_with(fld: fields.Field, key: str) -> Callable[[Any, Any], Any]:
    def check(value: Any, data: Any) -> Any:
        try:
            return fld.deserialize(value, key, data)
        except ValidationError as exc:
            raise Refused from exc

    return check


def _field_validators(schema: Schema) -> Callable[[dict[str, Any]], None]:
    """The schema's `@validates` methods, run on the output as load runs them."""

    def run(out: dict[str, Any]) -> None:
        store = ErrorStore()
        schema._invoke_field_validators(error_store=store, data=out, many=False)
        if store.errors:
            raise Refused

    return run


def _schema_validators(schema: Schema) -> list[tuple[Callable[..., Any], bool]]:
    """The schema's `@validates_schema` methods, bound, in the order `load` runs them (those
    taking the collection first, then the others; with no field error, none is skipped)."""
    hooks = schema._hooks.get(VALIDATES_SCHEMA) or []
    ordered = [h for h in hooks if h[1]] + [h for h in hooks if not h[1]]
    return [
        (getattr(schema, attr_name), bool(kwargs.get("pass_original", False)))
        for attr_name, _, kwargs in ordered
    ]


def _schema_load(schema: Schema, unknown: str | None) -> Check:
    def check(value: Any) -> Any:
        try:
            return schema.load(value, unknown=unknown)
        except ValidationError as exc:
            raise Refused from exc

    return check


# --- fields -------------------------------------------------------------------------------------

_TYPED = (fields.String, StrictBoolean, StrictInteger, StrictNumber, StrictFloat, fields.Raw)


def _is_known(fld: fields.Field) -> bool:
    """A field whose deserialize the check copies: these classes exactly (a subclass may
    change anything), with no processors of its own."""
    if getattr(fld, "pre_load", None) or getattr(fld, "post_load", None):
        return False
    kind = type(fld)
    if kind in _TYPED or kind is fields.List or kind is fields.Dict:
        return True
    return kind is fields.Nested and not fld.many


def _value(fld: fields.Field) -> Check:
    """What `fld.deserialize(value)` gives for a value present in the body, or Refused."""
    if not _is_known(fld):
        return _deserialized_by(fld)
    typed = _typed(fld)
    passes = _validators(fld)
    allow_none = fld.allow_none

    def check(value: Any) -> Any:
        if value is None:
            if allow_none:
                return None
            raise Refused
        out = typed(value)
        if passes is not None and not passes(out):
            raise Refused
        return out

    return check


def _deserialized_by(fld: fields.Field) -> Check:
    def check(value: Any) -> Any:
        try:
            return fld.deserialize(value)
        except ValidationError as exc:
            raise Refused from exc

    return check


def _typed(fld: fields.Field) -> Check:
    """`fld._deserialize` for the usual JSON type of the field; any other type goes to the
    field's own, which converts it or refuses it as load would."""
    kind = type(fld)
    own = _own_deserialize(fld)
    if kind is fields.String:

        def string(value: Any) -> Any:
            return value if type(value) is str else own(value)

        return string
    if kind is StrictBoolean:

        def boolean(value: Any) -> Any:
            return value if type(value) is bool else own(value)

        return boolean
    if kind is StrictInteger:

        def integer(value: Any) -> Any:
            if type(value) is int and INT64_MIN <= value <= INT64_MAX:
                return value
            return own(value)

        return integer
    if kind is StrictNumber or kind is StrictFloat:
        as_float = kind is StrictFloat

        def number(value: Any) -> Any:
            if type(value) is int and INT64_MIN <= value <= INT64_MAX:
                return float(value) if as_float else value
            if type(value) is float and math.isfinite(value) and INT64_MIN <= value <= INT64_MAX:
                return value
            return own(value)

        return number
    if kind is fields.Raw:
        return lambda value: value
    if kind is fields.List:
        return _list(fld, own)  # type: ignore[arg-type]
    if kind is fields.Dict:
        return _dict(fld, own)  # type: ignore[arg-type]
    return _nested(fld)  # type: ignore[arg-type]


def _own_deserialize(fld: fields.Field) -> Check:
    """The field's `_deserialize` (before its validators, which the caller runs)."""

    def check(value: Any) -> Any:
        try:
            return fld._deserialize(value, None, None)
        except ValidationError as exc:
            raise Refused from exc

    return check


def _list(fld: fields.List, own: Check) -> Check:
    item = _value(fld.inner)

    def check(value: Any) -> Any:
        if type(value) is list:
            return [item(each) for each in value]
        return own(value)

    return check


def _dict(fld: fields.Dict, own: Check) -> Check:
    key_check = None if fld.key_field is None else _value(fld.key_field)
    value_check = None if fld.value_field is None else _value(fld.value_field)
    mapping_type = fld.mapping_type

    def check(value: Any) -> Any:
        if type(value) is not dict:
            return own(value)
        if key_check is None and value_check is None:
            return mapping_type(value)
        keys = {k: k for k in value} if key_check is None else {k: key_check(k) for k in value}
        result = mapping_type()
        for k, v in value.items():
            result[keys[k]] = v if value_check is None else value_check(v)
        return result

    return check


def _nested(fld: fields.Nested) -> Check:
    """The nested schema's check, built at its first use: a schema that nests itself is built
    only as deep as a body goes."""
    built: list[Check] = []

    def check(value: Any) -> Any:
        if not built:
            schema = fld.schema
            built.append(
                _schema_load(schema, fld.unknown) if schema.many else _object(schema, fld.unknown)
            )
        return built[0](value)

    return check


# --- validators ---------------------------------------------------------------------------------


def _validators(fld: fields.Field) -> Predicate | None:
    """Whether a value passes every validator of the field, as marshmallow's `And` decides;
    None when it has none."""
    predicates = [_predicate(v) for v in fld.validators]
    if not predicates:
        return None
    if len(predicates) == 1:
        return predicates[0]
    return lambda value: all(p(value) for p in predicates)


def _predicate(validator: Callable[[Any], Any]) -> Predicate:
    kind = type(validator)
    if kind is validate.Length:
        return _length(validator)  # type: ignore[arg-type]
    if kind is validate.Range:
        return _range(validator)  # type: ignore[arg-type]
    if kind is validate.OneOf:
        return _one_of(validator)  # type: ignore[arg-type]
    plain_function = not isinstance(validator, validate.Validator)

    def passes(value: Any) -> bool:
        try:
            result = validator(value)
        except ValidationError:
            return False
        # `And`: a plain function returning False refuses, as one raising would.
        return not (plain_function and result is False)

    return passes


def _length(rule: validate.Length) -> Predicate:
    low, high, equal = rule.min, rule.max, rule.equal
    if equal is not None:
        return lambda value: len(value) == equal
    if low is not None and high is not None:
        return lambda value: low <= len(value) <= high
    if low is not None:
        return lambda value: len(value) >= low
    if high is not None:
        return lambda value: len(value) <= high
    return lambda value: True


def _range(rule: validate.Range) -> Predicate:
    low, high = rule.min, rule.max
    low_in, high_in = rule.min_inclusive, rule.max_inclusive

    def passes(value: Any) -> bool:
        if low is not None and (value < low if low_in else value <= low):
            return False
        return not (high is not None and (value > high if high_in else value >= high))

    return passes


def _one_of(rule: validate.OneOf) -> Predicate:
    choices: Any = rule.choices
    with contextlib.suppress(TypeError):  # unhashable choices: the list itself
        choices = frozenset(choices)

    def passes(value: Any) -> bool:
        try:
            return value in choices
        except TypeError:  # an unhashable value: OneOf refuses it too
            return False

    return passes
