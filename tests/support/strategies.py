"""Hypothesis strategies for any marshmallow schema, derived by walking its fields.

`valid(S)` draws JSON-ready bodies (keyed by data key) that `S().load` accepts. `invalid(S)` draws
`(body, path)`: a valid body with one mutation chosen by hypothesis (a required key removed, a
value of the wrong JSON type, a string outside its enum or breaking its length or pattern, a
number out of range, null where null is refused, an unknown key where unknown keys are refused),
and the dotted path of the field made wrong, at or above every path `error_paths` reports.
`invalid` raises ValueError for a schema that accepts every object.

One mechanism serves every schema: nothing here names a schema of this package. What cannot be
read from the fields (`@validates_schema` and other load hooks) is met by checking bodies through
`load` and filtering away the few it refuses; optional keys are present three times in four, so
that a validator asking for one of them rarely refuses. Sizes stay small (`MAX_TEXT`, `MAX_ITEMS`)
unless a Length asks for more; numbers are bounded only by the field's Range.

Importing this module needs hypothesis, a test dependency (the `test` extra): the emulator and the
client never import it.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import DrawFn, SearchStrategy
from marshmallow import RAISE, Schema, ValidationError, fields, validate
from marshmallow.decorators import POST_LOAD, PRE_LOAD, VALIDATES, VALIDATES_SCHEMA
from marshmallow.exceptions import SCHEMA

from sms_mock.contracts.base import error_paths
from sms_mock.contracts.fields import INT64_MAX, INT64_MIN

__all__ = ["MAX_ITEMS", "MAX_TEXT", "invalid", "valid"]

# Small by default: a whole task document stays quick to draw and short to read in a failure.
MAX_TEXT = 10
MAX_ITEMS = 3
# Lists at most this long are made one item too long; longer limits are not worth the bytes.
_MAX_OVERFLOW = 1000

# Optional keys are present three times in four: schema validators usually want some optional
# key (an id or a name, the section of a method), so few examples are filtered away, and absent
# keys stay common. Index 0 is False, so hypothesis shrinks towards an absent key.
_PRESENT = st.sampled_from((False, True, True, True))

_JSON_SCALARS: SearchStrategy[Any] = (
    st.none()
    | st.booleans()
    | st.integers(INT64_MIN, INT64_MAX)  # the emulator keeps no integer beyond int64
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=MAX_TEXT)
)
_JSON: SearchStrategy[Any] = st.recursive(
    _JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=MAX_ITEMS)
        | st.dictionaries(st.text(max_size=MAX_TEXT), inner, max_size=MAX_ITEMS)
    ),
    max_leaves=2 * MAX_ITEMS,
)

# Values of every JSON type but null; a field keeps, as wrong types, those it refuses.
_OTHER_TYPES: tuple[Any, ...] = (True, 1, 1.5, "", "x", "true", [], {})
# Strings that break usual patterns and enums: `"a\n"` passes `re.match("^[a-z]+$")`.
_ODD_STRINGS = ("", " ", "x", "a\n")
# Keys no schema of ours declares, for the unknown-key mutation.
_UNKNOWN_KEYS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=MAX_TEXT)

_LOAD_HOOKS = (PRE_LOAD, POST_LOAD, VALIDATES, VALIDATES_SCHEMA)

SchemaLike = type[Schema] | Schema
# Changes the body in place and answers the path it made wrong; the number picks among the kinds
# of wrong value, and the draw function draws the value itself.
Mutation = Callable[[DrawFn, int], str]
# The wrong values of a field: a few fixed ones and strategies, each picked about as often.
Wrong = tuple[SearchStrategy[Any], ...]


# --- valid -----------------------------------------------------------------------------------


def valid(schema: SchemaLike, *, partial: bool = False) -> SearchStrategy[dict[str, Any]]:
    """JSON-ready bodies that `schema().load(body, partial=partial)` accepts, keyed by data key."""
    if isinstance(schema, type):
        return _valid_class(schema, partial)
    return _object(schema, partial, check=True)


@cache
def _valid_class(schema: type[Schema], partial: bool) -> SearchStrategy[dict[str, Any]]:
    return _object(schema(), partial, check=True)


@dataclass(frozen=True)
class _Slot:
    """One key of an object: how its value is drawn, and whether it is always there."""

    key: str
    value: SearchStrategy[Any]
    always: bool


@st.composite
def _fill(draw: DrawFn, slots: tuple[_Slot, ...]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for slot in slots:
        if slot.always or draw(_PRESENT):
            body[slot.key] = draw(slot.value)
    return body


def _object(schema: Schema, partial: bool, *, check: bool = False) -> SearchStrategy[dict]:
    """Objects of one schema level; checked through `load` where hooks may refuse them."""
    slots = tuple(
        _Slot(key, _field(fld, partial), fld.required and not partial)
        for key, fld in _loadable(schema)
    )
    strategy = _fill(slots)
    # Checking at the level of the hook, not only at the top, keeps a refused draw cheap.
    if check or _has_load_hooks(schema):
        strategy = strategy.filter(lambda body: _refusal(schema, body, partial) is None)
    return strategy


# The schemas being built: one met again nests itself, and is only built further when drawn.
_BUILDING: set[tuple[type[Schema], bool]] = set()


def _nested(schema: Schema, partial: bool) -> SearchStrategy[dict[str, Any]]:
    key = (type(schema), partial)
    if key in _BUILDING:
        return st.deferred(lambda: _object(schema, partial))
    _BUILDING.add(key)
    try:
        return _object(schema, partial)
    finally:
        _BUILDING.discard(key)


def _field(fld: fields.Field, partial: bool) -> SearchStrategy[Any]:
    """Values of one field, null included where it allows null."""
    base = _typed(fld, partial)
    return st.none() | base if fld.allow_none else base


def _typed(fld: fields.Field, partial: bool) -> SearchStrategy[Any]:
    """Non-null values of one field, by its type and validators."""
    for validator in fld.validators:
        if isinstance(validator, validate.Equal):
            return _checked(
                st.just(validator.comparable), (validate.Equal,), fld=fld, partial=partial
            )
        if isinstance(validator, validate.OneOf) and not _is_container(fld):
            choices = st.sampled_from(list(validator.choices))
            return _checked(choices, _only(fld, validate.OneOf), fld=fld, partial=partial)
    if isinstance(fld, fields.Constant):
        return st.just(fld.constant)
    if isinstance(fld, fields.Pluck):
        inner = _field(fld.schema.fields[fld.field_name], partial)
        return _sized_list(inner, fld) if fld.many else inner
    if isinstance(fld, fields.Nested):
        item = _nested(fld.schema, partial)
        return _sized_list(item, fld) if fld.many else item
    if hasattr(fld, "alternatives"):  # one of several schemas, as contracts.control.FaultField
        return st.one_of([_nested(schema(), partial) for schema in fld.alternatives])
    if isinstance(fld, fields.List):
        return _sized_list(_field(fld.inner, partial), fld)
    if isinstance(fld, fields.Tuple):
        items = [_field(inner, partial) for inner in fld.tuple_fields]
        return st.tuples(*items).map(list)
    if isinstance(fld, fields.Mapping):
        keys = _field(fld.key_field, partial) if fld.key_field else st.text(max_size=MAX_TEXT)
        values = _field(fld.value_field, partial) if fld.value_field else _JSON
        lo, hi = _sizes(fld, MAX_ITEMS)
        mappings = st.dictionaries(keys, values, min_size=lo, max_size=hi)
        return _checked(mappings, (validate.Length,), fld=fld, partial=partial)
    return _checked(*_scalar(fld), fld=fld, partial=partial)


# The validators a strategy meets by construction, or None where the field must check each
# value (its parsing is stricter than the strategy: dates, e-mail addresses, decimals).
Meets = tuple[type[validate.Validator], ...] | None


def _scalar(fld: fields.Field) -> tuple[SearchStrategy[Any], Meets]:
    """Values of a field that holds no other field, and the validators they meet."""

    def serialize(value: Any) -> Any:
        return fld._serialize(value, None, None)

    if isinstance(fld, fields.Enum):
        return st.sampled_from(list(fld.enum)).map(serialize), None
    if isinstance(fld, fields.UUID):
        return st.uuids().map(str), None
    if isinstance(fld, fields.Email):
        return st.emails(), None
    if isinstance(fld, fields.Url):
        from hypothesis.provisional import urls  # only when asked: a provisional API

        return urls(), None
    if isinstance(fld, fields.String):
        patterns = [v for v in fld.validators if isinstance(v, validate.Regexp)]
        if patterns:
            # The pattern decides the length; a Length beside it is checked by filtering.
            return _regex(patterns[0].regex), _only(fld, validate.Regexp)
        lo, hi = _sizes(fld, MAX_TEXT)
        return st.text(min_size=lo, max_size=hi), (validate.Length,)
    if isinstance(fld, fields.Integer):
        lo, hi = _interval(fld).within_int64().integers()
        ints = st.integers(lo, hi) if lo is None or hi is None or lo <= hi else st.nothing()
        return ints, (validate.Range,)
    if isinstance(fld, fields.Float):
        return _numbers(_interval(fld).within_int64()), (validate.Range,)
    if isinstance(fld, fields.Number):
        return _numbers(_interval(fld)), None
    if isinstance(fld, fields.Boolean):
        # Real booleans only, though marshmallow's own field also takes "yes" and 1.
        return st.booleans(), ()
    if isinstance(fld, fields.DateTime):
        zones: SearchStrategy[dt.tzinfo | None] = st.none() | st.just(dt.UTC)
        if isinstance(fld, fields.AwareDateTime):
            zones = st.just(dt.UTC)
        elif isinstance(fld, fields.NaiveDateTime):
            zones = st.none()
        return st.datetimes(timezones=zones).map(serialize), None
    if isinstance(fld, fields.Date | fields.Time):
        values = st.dates() if isinstance(fld, fields.Date) else st.times()
        return values.map(serialize), None
    if isinstance(fld, fields.TimeDelta):
        return st.integers(-(10**6), 10**6), None
    if isinstance(fld, fields.IP | fields.IPInterface):
        return st.ip_addresses().map(str), None
    if type(fld) is fields.Raw:
        return _JSON, ()
    raise TypeError(f"no strategy for the marshmallow field {type(fld).__name__}: add one")


@cache
def _regex(pattern: re.Pattern[str]) -> SearchStrategy[str]:
    # Shared: building a strategy for a wide character class (CJK) is slow.
    return st.from_regex(pattern, fullmatch=True)


def _sized_list(item: SearchStrategy[Any], fld: fields.Field) -> SearchStrategy[list[Any]]:
    lo, hi = _sizes(fld, MAX_ITEMS)
    return st.lists(item, min_size=lo, max_size=hi)


def _only(fld: fields.Field, kind: type[validate.Validator]) -> Meets:
    """What a strategy for the first validator of a kind meets: all of them only if it is alone."""
    return (kind,) if sum(isinstance(v, kind) for v in fld.validators) == 1 else None


def _checked(
    strategy: SearchStrategy[Any], meets: Meets, *, fld: fields.Field, partial: bool
) -> SearchStrategy[Any]:
    """Keep the values the field itself accepts, unless the strategy meets all its validators."""
    if meets is not None and all(isinstance(v, meets) for v in fld.validators):
        return strategy
    return strategy.filter(lambda value: not _refuses(fld, partial, value))


# --- sizes and bounds ------------------------------------------------------------------------


def _length(fld: fields.Field) -> tuple[int, int | None]:
    """The lengths every Length validator of a field allows: (least, most or None)."""
    lo, hi = 0, None
    for v in fld.validators:
        if isinstance(v, validate.Length):
            least, most = (v.equal, v.equal) if v.equal is not None else (v.min, v.max)
            if least is not None:
                lo = max(lo, least)
            if most is not None:
                hi = most if hi is None else min(hi, most)
    return lo, hi


def _sizes(fld: fields.Field, default: int) -> tuple[int, int]:
    """Lengths to draw: within the field's Length, at most `default` above its least."""
    lo, hi = _length(fld)
    return lo, lo + default if hi is None else min(hi, lo + default)


@dataclass(frozen=True)
class _Interval:
    """The numbers every Range validator of a field allows."""

    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False
    hi_open: bool = False

    def within_int64(self) -> _Interval:
        """The interval cut to int64's range, which every strict number field holds to."""
        lo = INT64_MIN if self.lo is None else max(self.lo, INT64_MIN)
        hi = INT64_MAX if self.hi is None else min(self.hi, INT64_MAX)
        # A bound cut to int64's is open: its float (2^63) is just outside.
        lo_open = self.lo_open if lo == self.lo else True
        hi_open = self.hi_open if hi == self.hi else True
        return _Interval(lo, hi, lo_open, hi_open)

    def integers(self) -> tuple[int | None, int | None]:
        """The least and the greatest integer inside."""
        lo = hi = None
        if self.lo is not None:
            lo = math.floor(self.lo) + 1 if self.lo_open else math.ceil(self.lo)
        if self.hi is not None:
            hi = math.ceil(self.hi) - 1 if self.hi_open else math.floor(self.hi)
        return lo, hi


def _interval(fld: fields.Field) -> _Interval:
    lo = hi = None
    lo_open = hi_open = False
    for v in fld.validators:
        if not isinstance(v, validate.Range):
            continue
        if v.min is not None and (
            lo is None or v.min > lo or (v.min == lo and not v.min_inclusive)
        ):
            lo, lo_open = v.min, not v.min_inclusive
        if v.max is not None and (
            hi is None or v.max < hi or (v.max == hi and not v.max_inclusive)
        ):
            hi, hi_open = v.max, not v.max_inclusive
    return _Interval(lo, hi, lo_open, hi_open)


def _numbers(interval: _Interval) -> SearchStrategy[float]:
    """JSON numbers inside: integers (a JSON number need not have a fraction) and finite floats."""
    lo, hi = interval.integers()
    ints = st.integers(lo, hi) if lo is None or hi is None or lo <= hi else st.nothing()
    floats = st.floats(
        min_value=None if interval.lo is None else float(interval.lo),
        max_value=None if interval.hi is None else float(interval.hi),
        exclude_min=interval.lo_open and interval.lo is not None,
        exclude_max=interval.hi_open and interval.hi is not None,
        allow_nan=False,
        allow_infinity=False,
    )
    return ints | floats


# --- invalid ---------------------------------------------------------------------------------


def invalid(schema: SchemaLike, *, partial: bool = False) -> SearchStrategy[tuple[dict, str]]:
    """Bodies `schema().load` refuses, with the dotted path of the one field made wrong."""
    if isinstance(schema, type):
        return _invalid_class(schema, partial)
    return _invalid(schema, partial)


@cache
def _invalid_class(schema: type[Schema], partial: bool) -> SearchStrategy[tuple[dict, str]]:
    return _invalid(schema(), partial)


def _invalid(schema: Schema, partial: bool) -> SearchStrategy[tuple[dict, str]]:
    breaker = _Breaker(schema, partial, valid(schema, partial=partial))
    if not breaker.breakable():
        raise ValueError(f"{type(schema).__name__} accepts every object: nothing to break")
    return _broken(breaker).filter(breaker.refused_at)


@st.composite
def _broken(draw: DrawFn, breaker: _Breaker) -> tuple[dict, str]:
    # The mutation is picked before the body is drawn: picked after it, hypothesis reuses the
    # small numbers it just drew for optional keys, and the first few mutations crowd out the rest.
    pick, variant = draw(st.tuples(st.integers(0, 2**16 - 1), st.integers(0, 2**16 - 1)))
    body = copy.deepcopy(draw(breaker.valid))
    mutations = list(breaker.mutations(breaker.schema, breaker.schema.unknown, body, ""))
    path = mutations[pick % len(mutations)](draw, variant)
    return body, path


@dataclass
class _Breaker:
    """Lists the mutations of a body; the wrong values of each field are worked out once."""

    schema: Schema
    partial: bool
    valid: SearchStrategy[dict[str, Any]]
    _wrong: dict[int, Wrong] = field(default_factory=dict)
    _right: dict[int, SearchStrategy[Any]] = field(default_factory=dict)

    def breakable(self) -> bool:
        """Whether any body can be made wrong: the top level has something to break."""
        required = any(f.required for _, f in _loadable(self.schema)) and not self.partial
        top = self.mutations(self.schema, self.schema.unknown, {}, "")
        return required or next(top, None) is not None

    def refused_at(self, example: tuple[dict, str]) -> bool:
        """Whether the body is refused, and only at or under the path."""
        body, path = example
        paths = _refusal(self.schema, body, self.partial)
        return bool(paths) and all(p == path or p.startswith(f"{path}.") for p in paths)

    def mutations(
        self, schema: Schema, unknown: str, body: dict, prefix: str
    ) -> Iterator[Mutation]:
        """Every mutation of one object level and, where the body holds them, of levels below."""
        for key, fld in _loadable(schema):
            path = _join(prefix, key)
            if fld.required and not self.partial and key in body:
                yield _drop(body, key, path)
            wrong = self.wrong_values(fld)
            if wrong:
                yield _put(body, key, path, wrong)
            if body.get(key) is not None:
                yield from self._within(fld, body[key], path)
        if unknown == RAISE:
            # `_schema` is where marshmallow files errors of the whole object, not a key.
            declared = {f.data_key or name for name, f in schema.fields.items()}
            taken = frozenset(body) | declared | {SCHEMA}
            yield _add_unknown(body, taken, prefix)

    def _within(self, fld: fields.Field, value: Any, path: str) -> Iterator[Mutation]:
        """The mutations inside a nested object, list or mapping."""
        if isinstance(fld, fields.Pluck):
            return
        if isinstance(fld, fields.Nested):
            schema = fld.schema
            unknown = fld.unknown or schema.unknown
            if fld.many and isinstance(value, list):
                for i, item in enumerate(value):
                    if isinstance(item, dict):
                        yield from self.mutations(schema, unknown, item, f"{path}.{i}")
            elif isinstance(value, dict):
                yield from self.mutations(schema, unknown, value, path)
        elif isinstance(fld, fields.List | fields.Tuple) and isinstance(value, list):
            for i, item in enumerate(value):
                inner = fld.inner if isinstance(fld, fields.List) else fld.tuple_fields[i]
                wrong = self.wrong_values(inner)
                if wrong:
                    yield _put(value, i, f"{path}.{i}", wrong)
                if item is not None:
                    yield from self._within(inner, item, f"{path}.{i}")
        elif isinstance(fld, fields.Mapping) and isinstance(value, dict):
            # A bad entry is reported at the mapping: marshmallow adds `.<key>.key` or `.value`.
            keys = self.right_values(fld.key_field) if fld.key_field else st.text(max_size=5)
            values = self.right_values(fld.value_field) if fld.value_field else _JSON
            bad_keys = self.wrong_values(fld.key_field) if fld.key_field else ()
            bad_values = self.wrong_values(fld.value_field) if fld.value_field else ()
            if bad_keys:
                # A JSON object's keys are strings, whatever else the key field refuses.
                strings = tuple(s.filter(lambda k: isinstance(k, str)) for s in bad_keys)
                yield _add_entry(value, path, strings, (values,))
            if bad_values:
                yield _add_entry(value, path, (keys,), bad_values)

    def right_values(self, fld: fields.Field) -> SearchStrategy[Any]:
        """Values the field accepts (built once: a strategy is validated on its first draw)."""
        if id(fld) not in self._right:
            self._right[id(fld)] = _field(fld, self.partial)
        return self._right[id(fld)]

    def wrong_values(self, fld: fields.Field) -> Wrong:
        """Values the field refuses on its own, by kind; empty if it takes anything."""
        if id(fld) not in self._wrong:
            self._wrong[id(fld)] = self._wrong_values(fld)
        return self._wrong[id(fld)]

    def _wrong_values(self, fld: fields.Field) -> Wrong:
        def refused(value: Any) -> bool:
            return _refuses(fld, self.partial, value)

        # One option per fixed value, so that the mutation's number picks among all of them.
        fixed = [None, *_OTHER_TYPES, *_edges(fld)]
        options = [st.just(v).map(copy.deepcopy) for v in fixed if refused(v)]
        if isinstance(fld, fields.String) and any(
            isinstance(v, validate.OneOf | validate.Equal | validate.Regexp) for v in fld.validators
        ):
            options.append(st.text(max_size=MAX_TEXT).filter(refused))
        if isinstance(fld, fields.List):
            lo, hi = _length(fld)
            item = self.right_values(fld.inner)
            if lo > 0:
                options.append(st.lists(item, max_size=lo - 1))
            if hi is not None and hi < _MAX_OVERFLOW:
                options.append(item.map(lambda x: [copy.deepcopy(x) for _ in range(hi + 1)]))
        return tuple(options)


def _edges(fld: fields.Field) -> list[Any]:
    """Values of the right type just outside the field's validators, for strings and numbers."""
    edges: list[Any] = []
    if isinstance(fld, fields.String):
        edges.extend(_ODD_STRINGS)
        for v in fld.validators:
            if isinstance(v, validate.OneOf):
                edges.extend(f"{c}".swapcase() for c in list(v.choices)[:3])
                edges.extend(f"{c} " for c in list(v.choices)[:1])
            elif isinstance(v, validate.Equal):
                edges.extend((f"{v.comparable}".swapcase(), f"{v.comparable} "))
        lo, hi = _length(fld)
        if lo > 0:
            edges.append("a" * (lo - 1))
        if hi is not None and hi < 100_000:
            edges.append("a" * (hi + 1))
    elif isinstance(fld, fields.Number):
        interval = _interval(fld)
        lo, hi = interval.integers()
        if isinstance(fld, fields.Integer):
            if lo is not None:
                edges.append(lo - 1)
            if hi is not None:
                edges.append(hi + 1)
        else:
            if interval.lo is not None:
                edges.append(interval.lo if interval.lo_open else interval.lo - 1)
            if interval.hi is not None:
                edges.append(interval.hi if interval.hi_open else interval.hi + 1)
    return edges


def _drop(body: dict, key: str, path: str) -> Mutation:
    def apply(draw: DrawFn, variant: int) -> str:
        del body[key]
        return path

    return apply


def _put(container: dict | list, key: str | int, path: str, wrong: Wrong) -> Mutation:
    def apply(draw: DrawFn, variant: int) -> str:
        container[key] = draw(wrong[variant % len(wrong)])  # type: ignore[index]
        return path

    return apply


def _add_unknown(body: dict, taken: frozenset[str], prefix: str) -> Mutation:
    def apply(draw: DrawFn, variant: int) -> str:
        key = draw(_UNKNOWN_KEYS.filter(lambda k: k not in taken))
        body[key] = draw(_JSON_SCALARS)
        return _join(prefix, key)

    return apply


def _add_entry(mapping: dict, path: str, keys: Wrong, values: Wrong) -> Mutation:
    def apply(draw: DrawFn, variant: int) -> str:
        key = draw(keys[variant % len(keys)])
        mapping[key] = draw(values[variant % len(values)])
        return path

    return apply


# --- shared ----------------------------------------------------------------------------------


def _loadable(schema: Schema) -> Iterator[tuple[str, fields.Field]]:
    """(key on the wire, field) of every field a body may carry."""
    for name, fld in schema.load_fields.items():
        yield fld.data_key or name, fld


def _has_load_hooks(schema: Schema) -> bool:
    hooks = getattr(type(schema), "_hooks", None)
    return hooks is None or any(hooks.get(tag) for tag in _LOAD_HOOKS)


def _is_container(fld: fields.Field) -> bool:
    return isinstance(fld, fields.Nested | fields.List | fields.Tuple | fields.Mapping)


def _refuses(fld: fields.Field, partial: bool, value: Any) -> bool:
    try:
        fld.deserialize(value, partial=partial)
    except ValidationError:
        return True
    return False


def _refusal(schema: Schema, body: Any, partial: bool) -> list[str] | None:
    """The error paths of loading the body, or None if it loads."""
    try:
        schema.load(body, many=False, partial=partial)
    except ValidationError as exc:
        return [path for path, _ in error_paths(exc.messages)]
    return None


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key
