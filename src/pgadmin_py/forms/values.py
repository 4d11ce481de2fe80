"""Pure parsers from what a person types to the text PostgreSQL will cast, and back.

Every value travels to PostgreSQL as text with an explicit ``CAST(:p AS <catalog type>)``, so the
server does the final parsing and a round trip is exact. These functions only catch, with words a
person understands, what we can see is wrong before asking the database.
"""

from __future__ import annotations

import ipaddress
import json
import re
import uuid
from datetime import date
from decimal import Decimal, InvalidOperation

from pgadmin_py.catalog.types import INT_RANGES
from pgadmin_py.core.compat import datetime_fromisoformat, time_fromisoformat

_TRUE = {"true", "t", "yes", "y", "on", "1"}
_FALSE = {"false", "f", "no", "n", "off", "0"}
_MAC = re.compile(r"^[0-9A-Fa-f]{2}([:.-]?[0-9A-Fa-f]{2}){5}([:.-]?[0-9A-Fa-f]{2}){0,2}$")
_HEX = re.compile(r"^(\\x|0x)?([0-9A-Fa-f\s]*)$")


def parse_int(raw: str, base_type: str = "int4") -> str:
    text = raw.strip().replace("_", "")
    if not re.fullmatch(r"[+-]?\d+", text):
        raise ValueError("Not a whole number.")
    low, high = INT_RANGES.get(base_type, INT_RANGES["int8"])
    if len(text.lstrip("+-").lstrip("0")) > 19:
        raise ValueError(f"Out of range: must be between {low} and {high}.")
    value = int(text)
    if not low <= value <= high:
        raise ValueError(f"Out of range: must be between {low} and {high}.")
    return str(value)


NUMERIC_MAX_INTEGER_DIGITS = 131072  # PostgreSQL's limits for an unconstrained numeric
NUMERIC_MAX_DECIMALS = 16383


def parse_numeric(raw: str, precision: int | None, scale: int | None) -> str:
    """Digit counts come from the decimal's tuple, never from ``int()``: ``1e999999`` must stay cheap."""
    text = raw.strip().replace("_", "")
    if len(text) > 200_000:
        raise ValueError("Too long to be a number.")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError("Not a number.") from None
    if not value.is_finite():
        if precision is not None and not value.is_nan():  # PostgreSQL keeps NaN in a numeric(p,s)
            raise ValueError("Infinity is not allowed in a numeric with a precision (NaN is).")
        return text
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    significant = len(digits) - next((i for i, d in enumerate(digits) if d), len(digits))  # without leading zeros
    integer_digits = max(0, significant + exponent)
    trailing = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    decimals = max(0, -exponent - trailing)  # 1.50 fits numeric(6,1): PostgreSQL keeps 1.5
    max_integer = NUMERIC_MAX_INTEGER_DIGITS if precision is None else precision - (scale or 0)
    max_decimals = NUMERIC_MAX_DECIMALS if precision is None else (scale or 0)
    if decimals > max_decimals:
        raise ValueError(f"At most {max_decimals} digit(s) after the decimal point." if max_decimals
                         else "Must be a whole number (no decimals).")
    if integer_digits > max_integer:
        where = f" (numeric({precision},{scale or 0}))" if precision is not None else ""
        raise ValueError(f"Too large: at most {max_integer} digit(s) before the decimal point{where}.")
    return format(value, "f")


def parse_float(raw: str, base_type: str = "float8") -> str:
    text = raw.strip()
    try:
        value = float(text)
    except ValueError:
        raise ValueError("Not a number.") from None
    low = text.lower().lstrip("+-")
    if low in ("nan", "inf", "infinity"):
        return {"nan": "NaN", "inf": "Infinity", "infinity": "Infinity"}[low] if not text.startswith("-") \
            else "-Infinity"
    # float4: what still rounds to its largest value (PostgreSQL prints that one as 3.4028235e+38)
    limit = 3.4028235677973366e38 if base_type == "float4" else 1.7976931348623157e308
    if value in (float("inf"), float("-inf")) or abs(value) > limit:
        raise ValueError("Too large for this column's type.")
    return text


def parse_bool(raw: str) -> str:
    low = raw.strip().lower()
    if low in _TRUE:
        return "true"
    if low in _FALSE:
        return "false"
    raise ValueError("Choose true or false.")


def parse_text(raw: str, max_length: int | None) -> str:
    if max_length is not None and len(raw) > max_length:
        raise ValueError(f"Too long: {len(raw)} characters, at most {max_length} allowed.")
    return raw


# Dates and times Python's datetime cannot hold (BC, years past 9999, 24:00:00) still are PostgreSQL's: in
# PostgreSQL's own ISO shape they travel as text and PostgreSQL casts them (and says when one is out of range).
# Anything Python could hold but did not parse (2023-02-29, 25:00) is wrong, and said so here.
_PG_DATE = r"(\d{4,7}-\d{2}-\d{2})"
_PG_TIME = r"(\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)"
_MIDNIGHT_END = re.compile(r"24:00(:00(\.0*)?)?")
_PG_OFFSET = r"([+-]\d{2}(?::?\d{2}){0,2})"
_BC = r"(\s+BC)?"
PG_DATE = re.compile(_PG_DATE + _BC, re.IGNORECASE)
PG_TIMESTAMP = re.compile(_PG_DATE + "[T ]" + _PG_TIME + r"\s*" + _PG_OFFSET + "?" + _BC, re.IGNORECASE)


def parse_date(raw: str) -> str:
    text = raw.strip()
    if text.lower() in ("infinity", "-infinity"):
        return text.lower()
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    match = PG_DATE.fullmatch(text)
    if match is None or not _beyond_python(match.group(1), match.group(2)):
        raise ValueError("Not a date: use YYYY-MM-DD (add BC for a date before year 1).")
    return match.group(1) + (" BC" if match.group(2) else "")


def _beyond_python(day: str, bc: str | None) -> bool:
    """A date only PostgreSQL holds: BC, or a year past 9999."""
    return bool(bc) or len(day.split("-", 1)[0]) > 4


def parse_time(raw: str) -> str:
    text = raw.strip()
    try:
        time_fromisoformat(text)
    except ValueError:
        if _MIDNIGHT_END.fullmatch(text) is None:  # 24:00:00 is PostgreSQL's, not Python's
            raise ValueError("Not a time: use HH:MM or HH:MM:SS.") from None
    return text


def parse_timestamp(raw: str, with_zone: bool) -> str:
    """``YYYY-MM-DDTHH:MM[:SS[.ffffff]]``; a timestamptz without an offset is read as UTC."""
    text = raw.strip()
    if text.lower() in ("infinity", "-infinity"):
        return text.lower()
    try:
        value = datetime_fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        return _pg_timestamp(text, with_zone)
    if not with_zone:
        if value.tzinfo is not None:
            raise ValueError("This column stores no time zone: leave the offset out.")
        return value.isoformat(sep=" ")
    if value.tzinfo is None:
        return value.isoformat(sep=" ") + "+00:00"
    return value.isoformat(sep=" ")


def _pg_timestamp(text: str, with_zone: bool) -> str:
    """A timestamp Python cannot hold (BC, year 10000 on), as PostgreSQL's own text for it to cast."""
    match = PG_TIMESTAMP.fullmatch(text)
    if match is None or not _beyond_python(match.group(1), match.group(4)):
        raise ValueError("Not a date and time: use YYYY-MM-DD HH:MM[:SS] (add BC for a date before year 1).")
    day, clock, offset, bc = match.groups()
    if offset and not with_zone:
        raise ValueError("This column stores no time zone: leave the offset out.")
    offset = (offset or "+00") if with_zone else ""
    return f"{day} {clock}{offset}{' BC' if bc else ''}"


def parse_uuid(raw: str) -> str:
    try:
        return str(uuid.UUID(raw.strip()))
    except ValueError:
        raise ValueError("Not a UUID: expected 32 hex digits like 123e4567-e89b-12d3-a456-426614174000.") from None


def parse_json(raw: str) -> str:
    """Sent as typed: ``json`` keeps its text verbatim (whitespace, key order, duplicate keys)."""
    try:
        json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"Not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).") from None
    except RecursionError:
        raise ValueError("Not valid JSON: nested too deeply.") from None
    return raw


def parse_inet(raw: str, cidr: bool) -> str:
    text = raw.strip()
    try:
        if cidr:
            ipaddress.ip_network(text, strict=True)
        else:
            ipaddress.ip_interface(text)
    except ValueError:
        kind = "network (like 10.0.0.0/8), with no bits set after the mask" if cidr else "IP address (like 10.0.0.1)"
        raise ValueError(f"Not a valid {kind}.") from None
    return text


def parse_macaddr(raw: str) -> str:
    text = raw.strip()
    if not _MAC.match(text):
        raise ValueError("Not a MAC address: use 08:00:2b:01:02:03.")
    return text


def parse_bytea(raw: str) -> str:
    """Hex (``\\x0102``, ``0x0102`` or ``0102``); whitespace between bytes is allowed."""
    match = _HEX.match(raw.strip())
    digits = re.sub(r"\s+", "", match.group(2)) if match else None
    if digits is None or len(digits) % 2:
        raise ValueError("Not hex bytes: use \\x followed by pairs of hex digits, or upload a file.")
    return "\\x" + digits.lower()


def _array_item(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, list):
        return "{" + ",".join(_array_item(v) for v in value) + "}"
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = str(value)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def array_literal(items: list[object]) -> str:
    """A PostgreSQL array literal with every element quoted: ``{"a","b \\"c\\""}``."""
    return "{" + ",".join(_array_item(v) for v in items) + "}"


BOUNDED_ARRAY = re.compile(r"^(\[-?\d+:-?\d+\])+=\{")


def parse_array(raw: str) -> tuple[str, list[object]]:
    """One item per line, or a JSON array (which allows nulls and nesting). Returns (literal, items).

    An array whose subscripts do not start at 1 is shown, and taken back, as PostgreSQL's own literal
    (``[0:2]={1,2,3}``): a list would lose its bounds."""
    text = raw.strip()
    if BOUNDED_ARRAY.match(text):
        return text, []
    if text.startswith("["):
        try:
            items = json.loads(text, parse_float=str, parse_int=str)
        except json.JSONDecodeError as exc:
            raise ValueError(f"Not a valid JSON array: {exc.msg} (line {exc.lineno}, column {exc.colno}).") from None
        except RecursionError:
            raise ValueError("Not a valid JSON array: nested too deeply.") from None
        if not isinstance(items, list):
            raise ValueError("Expected a JSON array.")
    else:
        items = [line.strip() for line in text.splitlines() if line.strip()]
    return array_literal(items), items


def array_display(items: object) -> str:
    """Items one per line when that is unambiguous, else a JSON array."""
    if not isinstance(items, list):
        return "" if items is None else str(items)
    simple = all(isinstance(i, str) and i and i == i.strip() and "\n" not in i for i in items)
    if simple and items and not str(items[0]).startswith("["):
        return "\n".join(str(i) for i in items)
    if not items:
        return "[]"
    return json.dumps(items, ensure_ascii=False)


def timestamp_display(text: str, with_zone: bool) -> str:
    """PostgreSQL's ISO output (session time zone UTC) as ``YYYY-MM-DDTHH:MM:SS[.ffffff]``."""
    if with_zone:
        text = re.sub(r"\+00(:00)?( BC)?$", r"\2", text)
    return text.replace(" ", "T", 1)
