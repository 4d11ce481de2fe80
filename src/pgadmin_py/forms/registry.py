"""The converter registry: SQL type -> how its field parses, looks and displays.

SQLAdmin's ``@converts`` idea: converters are registered for SQLAlchemy type classes and found by
walking the column type's MRO, so ``DOUBLE_PRECISION`` finds ``Float`` before ``Numeric`` and a
user's ``TypeDecorator`` finds the converter of its ``impl``. The catalog overrides only where the
database knows better (arrays, enums, ranges). Everything here is pure.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from types import MappingProxyType
from typing import Any

from sqlalchemy import types as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.dialects.postgresql.ranges import AbstractRange

from pgadmin_py.catalog.types import INT_RANGES
from pgadmin_py.forms import values as v
from pgadmin_py.forms.facts import FieldFacts


def _passthrough(raw: str) -> str:
    return raw.strip()


@dataclass(frozen=True, slots=True)
class Conversion:
    """The arguments of a :class:`PgField` for one column."""

    parser: Callable[[str], str]
    input_type: str = "text"
    choices: tuple[tuple[str, str], ...] = ()
    display: Callable[[object], str] = str
    help_text: str | None = None
    blank_means_empty: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def extra_html(self) -> dict[str, Any]:
        """HTML attributes for the widget (``upload`` is a template hint, not an attribute)."""
        return {k: val for k, val in self.extra.items() if k != "upload"}

    @property
    def upload(self) -> bool:
        return bool(self.extra.get("upload"))


Converter = Callable[[FieldFacts, sa.TypeEngine[Any]], Conversion]
_MARK = "__pg_converts__"


def converts(*type_classes: type[Any]) -> Callable[[Converter], Converter]:
    """Mark a converter for these SQLAlchemy type classes; :data:`REGISTRY` collects the marks once, at import."""
    def register(func: Converter) -> Converter:
        setattr(func, _MARK, type_classes)
        return func
    return register


def find_converter(type_: sa.TypeEngine[Any]) -> Converter:
    """The converter of the nearest registered class in the type's MRO (``TypeDecorator``: its impl's)."""
    if isinstance(type_, sa.TypeDecorator):
        return find_converter(type_.impl_instance)
    for cls in type(type_).__mro__:
        if cls in REGISTRY:
            return REGISTRY[cls]
    return REGISTRY[sa.TypeEngine]


def convert(facts: FieldFacts, type_: sa.TypeEngine[Any]) -> Conversion:
    if facts.is_array:
        return _array(facts, type_)
    if facts.enum_values is not None:
        return _enum(facts, type_)
    if facts.type_kind == "range":
        return _range(facts, type_)
    return find_converter(type_)(facts, type_)


def _as_typed(raw: str) -> str:
    return raw


@converts(sa.TypeEngine)
def _other(facts: FieldFacts, type_: sa.TypeEngine[Any]) -> Conversion:
    """A type we know nothing of (a domain, xml, tsvector, bit): sent exactly as typed, spaces included."""
    return Conversion(_as_typed, help_text=f"Typed as {facts.sql_type}; PostgreSQL checks the format.")


@converts(sa.Integer)
def _integer(facts: FieldFacts, type_: sa.TypeEngine[Any]) -> Conversion:
    base = facts.base_type if facts.base_type in INT_RANGES else (
        "int2" if isinstance(type_, sa.SmallInteger) else "int8" if isinstance(type_, sa.BigInteger) else "int4")
    return Conversion(partial(v.parse_int, base_type=base), extra={"inputmode": "numeric"})


@converts(sa.Numeric)
def _numeric(facts: FieldFacts, type_: sa.TypeEngine[Any]) -> Conversion:
    precision = facts.precision if facts.precision is not None else getattr(type_, "precision", None)
    scale = facts.scale if facts.precision is not None else getattr(type_, "scale", None)
    hint = f"numeric({precision},{scale or 0})" if precision else None
    return Conversion(partial(v.parse_numeric, precision=precision, scale=scale), input_type="numeric",
                      help_text=hint)


@converts(sa.Float)
def _float(facts: FieldFacts, type_: sa.TypeEngine[Any]) -> Conversion:
    return Conversion(partial(v.parse_float, base_type=facts.base_type), input_type="numeric")


@converts(pg.MONEY)
def _money(facts: FieldFacts, type_: sa.TypeEngine[Any]) -> Conversion:
    return Conversion(_passthrough, input_type="numeric", help_text="An amount like 1234.56 (the server's currency).")


@converts(sa.String)
def _string(facts: FieldFacts, type_: sa.TypeEngine[Any]) -> Conversion:
    short = facts.max_length is not None and facts.max_length <= 255
    hint = f"at most {facts.max_length} characters" if facts.max_length else None
    return Conversion(partial(v.parse_text, max_length=facts.max_length),
                      input_type="text" if short else "textarea", help_text=hint, blank_means_empty=True)


def _bool_display(value: object) -> str:
    return {"t": "true", "f": "false", "True": "true", "False": "false"}.get(str(value), str(value))


@converts(sa.Boolean)
def _boolean(facts: FieldFacts, type_: sa.TypeEngine[Any]) -> Conversion:
    return Conversion(v.parse_bool, input_type="select", choices=(("true", "true"), ("false", "false")),
                      display=_bool_display)


@converts(sa.Date)
def _date(facts: FieldFacts, type_: sa.TypeEngine[Any]) -> Conversion:
    return Conversion(v.parse_date, input_type="date")


@converts(sa.Time)
def _time(facts: FieldFacts, type_: sa.TypeEngine[Any]) -> Conversion:
    if facts.base_type == "timetz":
        return Conversion(_passthrough, help_text="HH:MM:SS with an offset, like 10:30:00+02")
    return Conversion(v.parse_time, input_type="time")


@converts(sa.DateTime)
def _datetime(facts: FieldFacts, type_: sa.TypeEngine[Any]) -> Conversion:
    with_zone = facts.base_type == "timestamptz" or (facts.base_type not in ("timestamp",)
                                                     and bool(getattr(type_, "timezone", False)))
    return Conversion(partial(v.parse_timestamp, with_zone=with_zone), input_type="datetime-local",
                      display=partial(_ts_display, with_zone=with_zone),
                      help_text="in UTC (you may type an offset like +02:00)" if with_zone else "no time zone")


def _ts_display(value: object, *, with_zone: bool) -> str:
    return v.timestamp_display(str(value), with_zone)


@converts(sa.Interval, pg.INTERVAL)
def _interval(facts: FieldFacts, type_: sa.TypeEngine[Any]) -> Conversion:
    return Conversion(_passthrough, help_text="like 1 day 02:30:00, 3 mons, or P1DT2H")


@converts(sa.Uuid)
def _uuid(facts: FieldFacts, type_: sa.TypeEngine[Any]) -> Conversion:
    return Conversion(v.parse_uuid, extra={"spellcheck": "false"})


def _json_display(value: object) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, indent=2, ensure_ascii=False)


@converts(sa.JSON)
def _json(facts: FieldFacts, type_: sa.TypeEngine[Any]) -> Conversion:
    return Conversion(v.parse_json, input_type="textarea", display=_json_display, help_text="JSON")


@converts(sa.Enum)
def _enum(facts: FieldFacts, type_: sa.TypeEngine[Any]) -> Conversion:
    values = facts.enum_values if facts.enum_values is not None else tuple(getattr(type_, "enums", ()))

    def parse(raw: str) -> str:
        if raw not in values:
            raise ValueError(f"Choose one of: {', '.join(values)}.")
        return raw
    return Conversion(parse, input_type="select", choices=tuple((x, x) for x in values))


@converts(pg.INET)
def _inet(facts: FieldFacts, type_: sa.TypeEngine[Any]) -> Conversion:
    return Conversion(partial(v.parse_inet, cidr=False), help_text="an IP address, optionally with /mask")


@converts(pg.CIDR)
def _cidr(facts: FieldFacts, type_: sa.TypeEngine[Any]) -> Conversion:
    return Conversion(partial(v.parse_inet, cidr=True), help_text="a network like 10.0.0.0/8")


@converts(pg.MACADDR, pg.MACADDR8)
def _macaddr(facts: FieldFacts, type_: sa.TypeEngine[Any]) -> Conversion:
    return Conversion(v.parse_macaddr, help_text="like 08:00:2b:01:02:03")


@converts(sa.LargeBinary)
def _bytea(facts: FieldFacts, type_: sa.TypeEngine[Any]) -> Conversion:
    return Conversion(v.parse_bytea, input_type="textarea", help_text="hex like \\x48656c6c6f, or upload a file",
                      extra={"upload": True})


@converts(AbstractRange)
def _range(facts: FieldFacts, type_: sa.TypeEngine[Any]) -> Conversion:
    return Conversion(_passthrough, help_text="like [1,10) or [2024-01-01,2024-02-01); \"empty\" for an empty range")


@converts(sa.ARRAY)
def _array(facts: FieldFacts, type_: sa.TypeEngine[Any]) -> Conversion:
    def parse(raw: str) -> str:
        return v.parse_array(raw)[0]
    return Conversion(parse, input_type="textarea", display=v.array_display,
                      help_text="one item per line, or a JSON array like [\"a\", null]; [] for an empty array")


# SQL type class -> converter: every ``@converts`` above, read-only once the module is imported.
REGISTRY: Mapping[type[Any], Converter] = MappingProxyType(
    {cls: func for func in list(globals().values()) if callable(func) for cls in getattr(func, _MARK, ())})
