"""What an edit form loaded, compared as a browser sends it back; and widgets that keep values intact. Pure."""

from __future__ import annotations

import pytest
from test_converters import FormData, col, table

from pgadmin_py.forms import baseline as bl
from pgadmin_py.forms import build_form_class, field_name
from pgadmin_py.forms.fields import PgField


def _edit(type_name: str, base: str, value: object, **kw: object) -> PgField:
    form = build_form_class(table(col("c", type_name, base, **kw)), None)(mode="edit", data={"c": value})
    field = form._fields[field_name("c")]
    assert isinstance(field, PgField)
    return field


@pytest.mark.parametrize(("type_name", "base", "value"), [
    ("character varying(40)", "varchar", "a\r\nb"), ("character varying(40)", "varchar", "lone\rcr"),
    ("integer", "int4", "1\n"), ("character(6)", "bpchar", "\r\n    "),
])
def test_a_value_with_a_line_break_gets_a_textarea(type_name: str, base: str, value: str) -> None:
    field = _edit(type_name, base, value, length=40 if base != "int4" else None)
    html = field()
    assert html.startswith("<textarea") and f">\r\n{value}</textarea>" in html and field.wide


@pytest.mark.parametrize(("base", "type_name", "value", "shown_as"), [
    ("time", "time without time zone", "24:00:00", "text"),  # a time input would empty it
    ("time", "time without time zone", "13:45:30", "time"),
    ("timestamp", "timestamp without time zone", "2024-02-29 24:00:00", "text"),
    ("timestamp", "timestamp without time zone", "0044-03-15 12:00:00 BC", "text"),
    ("date", "date", "10000-01-01", "text"), ("date", "date", "2024-02-29", "date"),
])
def test_values_a_browser_input_would_change_are_shown_in_a_text_box(base: str, type_name: str, value: str,
                                                                       shown_as: str) -> None:
    assert f'type="{shown_as}"' in _edit(type_name, base, value)()


def test_a_bc_timestamptz_is_shown_without_its_utc_offset() -> None:
    assert _edit("timestamp with time zone", "timestamptz", "0044-03-15 12:00:00+00 BC")._value() == (
        "0044-03-15T12:00:00 BC")


@pytest.mark.parametrize(("type_name", "base", "loaded", "posted"), [
    ("text", "text", "a\r\nb\rc\n", "a\nb\nc\n"),  # a textarea posts LF for CR LF and a lone CR
    ("time without time zone", "time", "13:45:00", "13:45"),  # a time input drops zero seconds
    ("timestamp without time zone", "timestamp", "2024-02-29 13:45:30.5", "2024-02-29T13:45:30.500"),
    ("timestamp without time zone", "timestamp", "2024-02-29 00:00:00", "2024-02-29T00:00"),
])
def test_values_equal_as_a_browser_sends_them_back(type_name: str, base: str, loaded: str, posted: str) -> None:
    field = _edit(type_name, base, loaded)
    assert bl.digest(field, field._value()) == bl.digest(field, posted)


@pytest.mark.parametrize(("type_name", "base", "loaded", "posted"), [
    ("text", "text", "a b", "a  b"), ("text", "text", "x", " x"), ("text", "text", "a\n", "a"),
    ("time without time zone", "time", "13:45:00", "13:45:01"), ("text", "text", "", "NULL"),
])
def test_real_changes_differ(type_name: str, base: str, loaded: str, posted: str) -> None:
    field = _edit(type_name, base, loaded)
    assert bl.digest(field, field._value()) != bl.digest(field, posted)


def test_the_baseline_round_trips_and_a_damaged_one_is_refused() -> None:
    form = build_form_class(table(col("a", "text", "text"), col("b", "bigint", "int8", identity="always",
                                                                 nullable=False, position=2)), None)(
        mode="edit", data={"a": "x", "b": "1"})
    digests = bl.snapshot(form.pg_fields())
    assert list(digests) == ["f_a"]  # a read-only column is never posted, so never compared
    assert bl.decode(bl.encode(digests)) == digests
    assert bl.decode(None) is None and bl.decode("") is None
    for damaged in ("{not json", "[]", '{"f_a": 1}', "[" * 100_000):
        with pytest.raises(bl.DamagedBaseline, match="damaged"):
            bl.decode(damaged)


def test_an_unchanged_field_is_neither_parsed_nor_written() -> None:
    info = table(col("id", "integer", "int4", nullable=False), col("d", "date", "date", position=2), pk=("id",))
    form = build_form_class(info, None)(FormData({"f_id": ["1"], "f_d": ["not a date at all"]}), mode="edit")
    for field in form.pg_fields():
        field.keep = True
    assert form.validate() and form.sql_values() == {}
