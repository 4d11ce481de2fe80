"""The converter registry, table-driven: one row per PostgreSQL type. Pure: no database."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import TypeDecorator, types
from sqlalchemy.dialects import postgresql as pg

from pgadmin_py.catalog.tables import Column, TableInfo
from pgadmin_py.forms import DEFAULT, FormClasses, build_form_class, field_name
from pgadmin_py.forms.registry import REGISTRY, find_converter
from pgadmin_py.orm.introspect import ColumnInfo, ModelInfo


def col(name: str, type_name: str, base: str, *, kind: str = "base", array: bool = False, nullable: bool = True,
        default: str | None = None, identity: str | None = None, generated: bool = False,
        length: int | None = None, precision: int | None = None, scale: int | None = None,
        enum: tuple[str, ...] | None = None, position: int = 1) -> Column:
    return Column(name=name, type_name=type_name, base_type=base, type_kind=kind, is_array=array, nullable=nullable,
                  default=default, identity=identity, generated=generated, position=position, max_length=length,
                  numeric_precision=precision, numeric_scale=scale, enum_values=enum, comment=None)


def table(*columns: Column, pk: tuple[str, ...] = ()) -> TableInfo:
    return TableInfo(oid=1, schema="public", name="t", kind="table", columns=columns, primary_key=pk,
                     foreign_keys=(), referenced_by=(), indexes=(), unique_constraints=(), checks=(),
                     estimated_rows=0, total_bytes=0, comment=None)


# column, input type, a good value -> the text sent to PostgreSQL, a bad value -> the start of its message
TYPES: list[tuple[Column, str, str, str, str | None, str | None]] = [
    (col("c", "smallint", "int2"), "text", "-32768", "-32768", "32768", "Out of range"),
    (col("c", "integer", "int4"), "text", "1_000", "1000", "1.5", "Not a whole number"),
    (col("c", "bigint", "int8"), "text", "9223372036854775807", "9223372036854775807", "9" * 30, "Out of range"),
    (col("c", "numeric(6,2)", "numeric", precision=6, scale=2), "numeric", "1234.5", "1234.5", "12345.6",
     "Too large"),
    (col("c", "numeric(6,2)", "numeric", precision=6, scale=2), "numeric", "-0.01", "-0.01", "1.234", "At most 2"),
    (col("c", "numeric", "numeric"), "numeric", "1e3", "1000", "abc", "Not a number"),
    (col("c", "real", "float4"), "numeric", "1.5", "1.5", "1e39", "Too large"),
    (col("c", "double precision", "float8"), "numeric", "-Infinity", "-Infinity", "x", "Not a number"),
    (col("c", "text", "text"), "textarea", "it's; \"q\"\n✓", "it's; \"q\"\n✓", None, None),
    (col("c", "character varying(5)", "varchar", length=5), "text", "héllo", "héllo", "toolong", "Too long"),
    (col("c", "character(3)", "bpchar", length=3), "text", "ab", "ab", "abcd", "Too long"),
    (col("c", "boolean", "bool"), "select", "t", "true", "maybe", "Choose true or false"),
    (col("c", "date", "date"), "date", "2024-02-29", "2024-02-29", "2023-02-29", "Not a date"),
    (col("c", "time without time zone", "time"), "time", "13:45", "13:45", "25:00", "Not a time"),
    (col("c", "time with time zone", "timetz"), "text", "13:45+02", "13:45+02", None, None),
    (col("c", "timestamp without time zone", "timestamp"), "datetime-local", "2024-02-29T13:45:30.5",
     "2024-02-29 13:45:30.500000", "2024-02-29T13:45+02:00", "This column stores no time zone"),
    (col("c", "timestamp with time zone", "timestamptz"), "datetime-local", "2024-02-29T13:45",
     "2024-02-29 13:45:00+00:00", "yesterday", "Not a date and time"),
    (col("c", "interval", "interval"), "text", "1 day 02:00", "1 day 02:00", None, None),
    (col("c", "uuid", "uuid"), "text", "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
     "123", "Not a UUID"),
    (col("c", "json", "json"), "textarea", '{"a": [1, 2]}', '{"a": [1, 2]}', '{"a": ', "Not valid JSON"),
    (col("c", "jsonb", "jsonb"), "textarea", "[1, null]", "[1, null]", "{'a': 1}", "Not valid JSON"),
    (col("c", "integer[]", "int4", array=True), "textarea", "1\n2\n\n3", '{"1","2","3"}', "[1,", "Not a valid JSON"),
    (col("c", "text[]", "text", array=True), "textarea", '["a,b", null, "c\\"d"]', '{"a,b",NULL,"c\\"d"}', None,
     None),
    (col("c", "integer[]", "int4", array=True), "textarea", "[[1, 2], [3, 4]]", '{{"1","2"},{"3","4"}}', None, None),
    (col("c", "mood", "mood", kind="enum", enum=("sad", "happy")), "select", "happy", "happy", "angry", "Choose one"),
    (col("c", "mood[]", "mood", kind="enum", array=True, enum=("sad", "happy")), "textarea", "sad\nhappy",
     '{"sad","happy"}', None, None),
    (col("c", "inet", "inet"), "text", "10.1.2.3/16", "10.1.2.3/16", "10.1.2.300", "Not a valid IP"),
    (col("c", "cidr", "cidr"), "text", "10.0.0.0/8", "10.0.0.0/8", "10.1.0.0/8", "Not a valid network"),
    (col("c", "macaddr", "macaddr"), "text", "08:00:2b:01:02:03", "08:00:2b:01:02:03", "08:00", "Not a MAC"),
    (col("c", "macaddr8", "macaddr8"), "text", "08:00:2b:01:02:03:04:05", "08:00:2b:01:02:03:04:05", "zz",
     "Not a MAC"),
    (col("c", "bytea", "bytea"), "textarea", "0x48 65", "\\x4865", "\\x4", "Not hex bytes"),
    (col("c", "money", "money"), "numeric", "$1,234.56", "$1,234.56", None, None),
    (col("c", "int4range", "int4range", kind="range"), "text", "[1,10)", "[1,10)", None, None),
    (col("c", "tstzrange", "tstzrange", kind="range"), "text", "empty", "empty", None, None),
    (col("c", "point", "point"), "text", "(1,2)", "(1,2)", None, None),  # unknown to us: PostgreSQL checks it
    # what Python's datetime cannot hold travels as PostgreSQL's own text; what it could but did not parse is wrong
    (col("c", "date", "date"), "date", "0044-03-15 BC", "0044-03-15 BC", None, None),
    (col("c", "date", "date"), "date", "10000-01-01", "10000-01-01", "0999-13-01", "Not a date"),
    (col("c", "time without time zone", "time"), "time", "24:00:00", "24:00:00", "24:00:01", "Not a time"),
    (col("c", "timestamp without time zone", "timestamp"), "datetime-local", "10000-01-01T00:00:00",
     "10000-01-01 00:00:00", "10000-01-01T00:00+02", "This column stores no time zone"),
    (col("c", "timestamp with time zone", "timestamptz"), "datetime-local", "0044-03-15T12:00:00 BC",
     "0044-03-15 12:00:00+00 BC", "0044-03-15T12 BC", "Not a date and time"),
    (col("c", "real", "float4"), "numeric", "3.4028235e+38", "3.4028235e+38", "3.5e38", "Too large"),
    (col("c", "json", "json"), "textarea", ' {"a": 1,  "a": 2}\n', ' {"a": 1,  "a": 2}\n', None, None),
    (col("c", "xml", "xml"), "text", " <a> x </a> ", " <a> x </a> ", None, None),  # spaces are the value's
]


def _field(column: Column, formdata: dict[str, list[str]] | None = None, mode: str = "new") -> Any:
    form = build_form_class(table(column), None)(FormData(formdata) if formdata is not None else None, mode=mode)
    form.validate()
    return form, form._fields[field_name(column.name)]


class FormData(dict[str, list[str]]):
    def getlist(self, key: str) -> list[str]:
        return self.get(key, [])


@pytest.mark.parametrize(("column", "input_type", "good", "sent", "bad", "message"), TYPES,
                         ids=[f"{t[0].type_name}-{i}" for i, t in enumerate(TYPES)])
def test_one_row_per_postgresql_type(column: Column, input_type: str, good: str, sent: str, bad: str | None,
                                     message: str | None) -> None:
    form, field = _field(column, {"f_c": [good]})
    assert field.input_type == input_type
    assert not field.errors, field.errors
    assert form.sql_values() == {"c": sent}
    if bad is not None:
        _, field = _field(column, {"f_c": [bad]})
        assert field.errors and field.errors[0].startswith(message), field.errors
        assert field._value() == bad  # what was typed is kept


def test_blank_means_default_on_a_new_row_then_null_then_required() -> None:
    with_default = col("c", "integer", "int4", nullable=False, default="42")
    nullable = col("c", "integer", "int4")
    required = col("c", "integer", "int4", nullable=False)
    assert _field(with_default, {"f_c": [""]})[0].sql_values() == {"c": DEFAULT}
    assert _field(nullable, {"f_c": [" "]})[0].sql_values() == {"c": None}
    _, field = _field(required, {"f_c": [""]})
    assert field.errors == ["Required: this column cannot be NULL and has no default."]
    assert field.flags.required and not _field(with_default)[1].flags.required
    # text: an empty box is NULL, but spaces are text
    assert _field(col("c", "text", "text"), {"f_c": ["  "]})[0].sql_values() == {"c": "  "}


def test_edit_leaves_unposted_columns_alone_and_never_blanks_a_key() -> None:
    info = table(col("id", "integer", "int4", nullable=False, default="nextval('s')"),
                 col("c", "text", "text", position=2), pk=("id",))
    form = build_form_class(info, None)(FormData({"f_c": ["x"]}), mode="edit")
    assert form.validate() and form.sql_values() == {"c": "x"}
    form = build_form_class(info, None)(FormData({"f_id": [""], "f_c": ["x"]}), mode="edit")
    assert not form.validate() and "key column" in form.f_id.errors[0]


def test_identity_and_generated_columns_are_read_only() -> None:
    info = table(col("a", "bigint", "int8", nullable=False, identity="always"),
                 col("b", "bigint", "int8", generated=True, position=2),
                 col("c", "bigint", "int8", nullable=False, identity="by default", position=3))
    form = build_form_class(info, None)(FormData({"f_a": ["1"], "f_b": ["2"], "f_c": [""]}))
    assert form.validate()
    assert form.sql_values() == {"c": DEFAULT}
    assert "disabled" in form.f_a() and "disabled" in form.f_b()


def test_nullable_boolean_is_tri_state() -> None:
    _, field = _field(col("c", "boolean", "bool"), None, mode="edit")
    html = field()
    assert html.count("<option") == 3 and ">NULL<" in html
    not_null = _field(col("c", "boolean", "bool", nullable=False), None, mode="edit")[1]
    assert not_null().count("<option") == 3  # nothing chosen yet: an empty choice is shown
    chosen = build_form_class(table(col("c", "boolean", "bool", nullable=False)), None)(mode="edit", data={"c": "t"})
    assert chosen.f_c().count("<option") == 2 and 'selected value="true"' in chosen.f_c()


def test_field_names_are_prefixed_so_columns_cannot_shadow_wtforms() -> None:
    info = table(*(col(n, "text", "text", position=i) for i, n in enumerate(
        ["data", "meta", "validate", "errors", "process", "my col", "naïve"], start=1)))
    form = build_form_class(info, None)(FormData({field_name("data"): ["1"], field_name("my col"): ["2"]}))
    assert form.validate()
    assert form.sql_values()["data"] == "1" and form.sql_values()["my col"] == "2"
    assert field_name("my col") == "f_my~20col"


def test_display_of_stored_values() -> None:
    ts = build_form_class(table(col("c", "timestamp with time zone", "timestamptz")), None)(
        mode="edit", data={"c": "2024-02-29 13:45:30.123+00"})
    assert 'type="datetime-local"' in ts.f_c() and 'value="2024-02-29T13:45:30.123"' in ts.f_c()
    micro = build_form_class(table(col("c", "timestamp with time zone", "timestamptz")), None)(
        mode="edit", data={"c": "2024-02-29 13:45:30.123456+00"})
    assert 'type="text"' in micro.f_c()  # a browser's datetime-local would drop the microseconds
    arr = build_form_class(table(col("c", "text[]", "text", array=True)), None)(mode="edit", data={"c": ["a", None]})
    assert arr.f_c._value() == '["a", null]'
    assert build_form_class(table(col("c", "text[]", "text", array=True)), None)(
        mode="edit", data={"c": []}).f_c._value() == "[]"


def test_form_classes_are_cached_per_table_shape() -> None:
    classes = FormClasses(size=2)
    info = table(col("c", "integer", "int4"))
    assert classes.get(info, None) is classes.get(info, None)
    changed = table(col("c", "bigint", "int8"))
    assert classes.get(changed, None) is not classes.get(info, None)
    assert FormClasses().get(info, None) is not classes.get(info, None)  # each owner has its own


class Money(TypeDecorator[Any]):
    impl = pg.NUMERIC
    cache_ok = True


@pytest.mark.parametrize(("type_", "expected"), [
    (pg.DOUBLE_PRECISION(), types.Float), (pg.REAL(), types.Float), (pg.NUMERIC(), types.Numeric),
    (types.BigInteger(), types.Integer), (pg.ENUM("a", name="e"), types.Enum), (types.Text(), types.String),
    (pg.JSONB(), types.JSON), (pg.BYTEA(), types.LargeBinary), (pg.TIMESTAMP(), types.DateTime),
    (pg.INTERVAL(), types.Interval), (pg.UUID(), types.Uuid), (Money(), types.Numeric), (pg.TSVECTOR(),
                                                                                        types.TypeEngine),
])
def test_converters_are_found_by_walking_the_type_mro(type_: Any, expected: type[Any]) -> None:
    assert find_converter(type_) is REGISTRY[expected]


def _model_column(name: str, type_text: str, *, nullable: bool = True, pk: bool = False,
                  initial: str | None = None, length: int | None = None,
                  enum_values: tuple[str, ...] | None = None) -> ColumnInfo:
    return ColumnInfo(name=name, attribute=name, type_text=type_text, annotation=None, primary_key=pk,
                      nullable=nullable, default=initial and repr(initial), server_default=None, unique=False,
                      index=False, foreign_keys=(), comment=None, pg_type=type_text.upper(), initial=initial,
                      length=length, enum_values=enum_values)


def test_the_user_model_drives_lengths_nullability_and_defaults() -> None:
    model = ModelInfo(name="Model", module="app", table="t", schema=None, table_name="t", doc=None, columns=(
        _model_column("id", "Integer", nullable=False, pk=True),
        _model_column("code", "String(3)", nullable=False, initial="abc", length=3),
        _model_column("kind", "Enum('x', 'y')", enum_values=("x", "y"))), relationships=(), constraints=(),
        is_class=True)
    info = table(col("id", "integer", "int4", nullable=False, default="nextval('t_id_seq')"),
                 col("code", "text", "text", position=2),  # the database is laxer than the model
                 col("kind", "kind", "kind", kind="enum", enum=("x", "y"), position=3), pk=("id",))
    form = build_form_class(info, model)(mode="new")
    assert form.f_code.data == "abc"  # the model's scalar default pre-fills a new row
    assert form.f_code.flags.required  # the model says NOT NULL
    bad = build_form_class(info, model)(FormData({"f_code": ["abcd"]}))
    assert not bad.validate() and bad.f_code.errors == ["Too long: 4 characters, at most 3 allowed."]
