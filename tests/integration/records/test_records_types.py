"""Every PostgreSQL type of the issue round-trips through the generated form: create via a form POST,
read back equal; then the edit form, posted back untouched, leaves every value exactly as it was."""

from __future__ import annotations

import re
from typing import Any

from records_formhtml import form_values
from sqlalchemy import Engine, text

from pgadmin_py.forms import field_name

DDL = """
create type mood as enum ('sad', 'ok', 'happy');
create table all_types (
  id serial primary key,
  c_int2 smallint, c_int4 integer, c_int8 bigint, c_num numeric(10,2), c_real real, c_double double precision,
  c_text text, c_varchar varchar(20), c_char char(5), c_bool boolean, c_bool_nn boolean not null default true,
  c_date date, c_time time, c_ts timestamp, c_tstz timestamptz, c_interval interval, c_uuid uuid,
  c_json json, c_jsonb jsonb, c_int_arr integer[], c_text_arr text[], c_enum mood, c_enum_arr mood[],
  c_inet inet, c_cidr cidr, c_mac macaddr, c_bytea bytea, c_money money, c_int4range int4range,
  c_daterange daterange, c_created timestamptz not null default now(),
  c_ident bigint generated always as identity, c_gen bigint generated always as (c_int4::bigint * 2) stored
);
"""

# column, what a person types, what PostgreSQL then holds (as text, TimeZone UTC), how to read it
ROWS: list[tuple[str, str, str, str | None]] = [
    ("c_int2", "-32768", "-32768", None),
    ("c_int4", "-2147483648", "-2147483648", None),
    ("c_int8", "9223372036854775807", "9223372036854775807", None),
    ("c_num", "12345678.91", "12345678.91", None),
    ("c_real", "1.5", "1.5", None),
    ("c_double", "3.141592653589793", "3.141592653589793", None),
    ("c_text", "it's; a \"test\" ✓ -- drop table x;\nline 2", "it's; a \"test\" ✓ -- drop table x;\nline 2", None),
    ("c_varchar", "héllo wörld ünïcode", "héllo wörld ünïcode", None),
    ("c_char", "ab", "ab", None),
    ("c_bool", "false", "false", None),
    ("c_bool_nn", "false", "false", None),
    ("c_date", "2024-02-29", "2024-02-29", None),
    ("c_time", "13:45:30", "13:45:30", None),
    ("c_ts", "2024-02-29T13:45:30.123", "2024-02-29 13:45:30.123", None),
    ("c_tstz", "2024-02-29T13:45:30", "2024-02-29 13:45:30+00", None),
    ("c_interval", "1 day 02:03:04", "1 day 02:03:04", None),
    ("c_uuid", "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", None),
    ("c_json", '{"b": 1, "a": [1, 2]}', '{"b": 1, "a": [1, 2]}', None),
    ("c_jsonb", '{"b": 1, "a": 1.10, "s": "x\'y"}', '{"a": 1.10, "b": 1, "s": "x\'y"}', None),
    ("c_int_arr", "1\n2\n3", "{1,2,3}", None),
    ("c_text_arr", '["a,b", null, "c\\"d", "{}"]', '{"a,b",NULL,"c\\"d","{}"}', None),
    ("c_enum", "happy", "happy", None),
    ("c_enum_arr", "ok\nsad", "{ok,sad}", None),
    ("c_inet", "192.168.0.1/24", "192.168.0.1/24", None),
    ("c_cidr", "10.0.0.0/8", "10.0.0.0/8", None),
    ("c_mac", "08:00:2b:01:02:03", "08:00:2b:01:02:03", None),
    ("c_bytea", "\\x48656c6c6f00ff", "\\x48656c6c6f00ff", None),
    ("c_money", "1234.56", "1234.56", "c_money::numeric::text"),
    ("c_int4range", "[1,10)", "[1,10)", None),
    ("c_daterange", "[2024-01-01,2024-02-01)", "[2024-01-01,2024-02-01)", None),
]


_ERRORS = r"(f_[a-z0-9_]+)\">.{0,400}?field-error\">([^<]*)|record-errors[^>]*>\s*<p>([^<]*)"


def _read(db: Engine, column: str, expr: str | None, row_id: int) -> Any:
    with db.connect() as conn:
        conn.execute(text("set TimeZone = 'UTC'"))
        return conn.execute(text(f"select {expr or column + '::text'} from all_types where id = :id"),
                            {"id": row_id}).scalar_one()


def _new_id(response: Any) -> int:
    assert response.status_code == 303, re.findall(_ERRORS, response.text, re.S)
    return int(response.headers["location"].rsplit("/", 1)[1])


def test_every_type_round_trips_through_the_form(client: Any, db: Engine, token: str) -> None:
    with db.begin() as conn:
        conn.execute(text(DDL))
    page = client.get("/tables/public/all_types/new")
    assert page.status_code == 200
    for column, _, _, _ in ROWS:
        assert f'name="{field_name(column)}"' in page.text
    assert 'name="f_c_ident"' in page.text and "disabled" in page.text  # identity ALWAYS: read-only
    data = {field_name(column): typed for column, typed, _, _ in ROWS}
    created = client.post("/tables/public/all_types/new", data=data, headers={"x-csrftoken": token},
                          follow_redirects=False)
    row_id = _new_id(created)
    mismatches = {c: (got, want) for c, _, want, expr in ROWS if (got := _read(db, c, expr, row_id)) != want}
    assert not mismatches
    assert _read(db, "c_gen", None, row_id) == str(-2147483648 * 2)  # generated: computed by PostgreSQL
    assert _read(db, "c_created", None, row_id) is not None  # blank + default: the default applied

    # the edit form shows every value so that posting it back unchanged changes nothing
    edit = client.get(f"/tables/public/all_types/rows/{row_id}/edit")
    assert edit.status_code == 200
    before = {c: _read(db, c, expr, row_id) for c, _, _, expr in ROWS} | {"c_created": _read(db, "c_created", None,
                                                                                                  row_id)}
    saved = client.post(f"/tables/public/all_types/rows/{row_id}/edit", data=form_values(edit.text),
                        headers={"x-csrftoken": token}, follow_redirects=False)
    assert saved.status_code == 303, saved.text[-3000:]
    after = {c: _read(db, c, expr, row_id) for c, _, _, expr in ROWS} | {"c_created": _read(db, "c_created", None,
                                                                                                 row_id)}
    assert after == before


def test_blank_means_null_or_default(client: Any, db: Engine, token: str) -> None:
    with db.begin() as conn:
        conn.execute(text(DDL))
    created = client.post("/tables/public/all_types/new", data={}, headers={"x-csrftoken": token},
                          follow_redirects=False)
    row_id = _new_id(created)
    assert _read(db, "c_bool_nn", None, row_id) == "true"  # the server default
    assert _read(db, "c_text", None, row_id) is None
    assert _read(db, "c_int_arr", None, row_id) is None


def test_bytea_can_be_uploaded(client: Any, db: Engine, token: str) -> None:
    with db.begin() as conn:
        conn.execute(text(DDL))
    payload = bytes(range(256)) * 10
    created = client.post("/tables/public/all_types/new", data={"f_c_text": "with a file"},
                          files={"f_c_bytea__upload": ("blob.bin", payload, "application/octet-stream")},
                          headers={"x-csrftoken": token}, follow_redirects=False)
    row_id = _new_id(created)
    with db.connect() as conn:
        stored = conn.execute(text("select c_bytea from all_types where id = :id"), {"id": row_id}).scalar_one()
    assert bytes(stored) == payload
    page = client.get("/tables/public/all_types/new").text
    assert 'enctype="multipart/form-data"' in page and 'name="f_c_bytea__upload"' in page


def test_every_edge_value_survives_its_converter(client: Any, db: Engine, token: str) -> None:
    """Written through the converters, not only left alone: the values each edge row's edit form shows, posted
    as a new row the way a browser posts them, are stored exactly as the original. Two things a form cannot
    carry are left out: line endings (a textarea posts LF; an untouched value is never rewritten, see the e2e
    round trip) and an empty string (an empty box means NULL)."""
    from support.edge_values import ROWS, fill, state

    edges = fill(db)
    lost: dict[int, Any] = {}
    for row in range(1, ROWS + 1):
        shown = form_values(client.get(f"/tables/public/edge_values/rows/{row}/edit").text)
        posted = {k: v.replace("\r\n", "\n").replace("\r", "\n") for k, v in shown.items()
                  if k.startswith("f_")} | {"f_id": str(1000 + row)}
        created = client.post("/tables/public/edge_values/new", data=posted, headers={"x-csrftoken": token},
                              follow_redirects=False)
        if created.status_code != 303:
            lost[row] = re.findall(_ERRORS, created.text, re.S)
            continue
        original, copy = state(db, row, edges)[2], state(db, 1000 + row, edges)[2]
        lost[row] = {c: (original[c], copy[c]) for c in edges if original[c] != copy[c]
                     and "\r" not in (original[c] or "") and not (original[c] == "" and copy[c] is None)}
    lost = {row: what for row, what in lost.items() if what}
    assert not lost, f"{len(lost)} of {ROWS} rows changed on the way through the form: {lost}"
