"""The foreign-key search finds a row by part of its label or of its key (records/fk.py)."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Engine, text

from pgadmin_py.catalog.tables import read_table
from pgadmin_py.records.fk import label_column, search_query


def _values(html: str) -> list[str]:
    return re.findall(r'data-fk-value="([^"]*)"', html)


def test_numeric_keys_match_exactly_first_then_by_prefix(client: Any) -> None:
    found = _values(client.get("/tables/public/clients/fk/broker_id?q=1").text)
    assert found[0] == "1"  # the exact key first
    assert sorted(found) == sorted(["1", *(str(n) for n in range(10, 20))])  # then the keys that start with it
    assert _values(client.get("/tables/public/clients/fk/broker_id?q=20").text) == ["20"]
    for q in ("12abc", "-", "99999999999999999999", "1.5", "\u0661"):  # not a key of this type: no error, no match
        page = client.get("/tables/public/clients/fk/broker_id", params={"q": q})
        assert page.status_code == 200 and "No brokers match" in page.text, q


def test_text_keys_match_anywhere_and_labels_still_do(client: Any, db: Engine) -> None:
    with db.connect() as conn:
        conn.execute(text("create table countries (code text primary key, name text not null)"))
        conn.execute(text("insert into countries values ('FRA', 'France'), ('DEU', 'Germany'),"
                          " ('GBR', 'United Kingdom'), ('BRA', 'Brazil'), ('ABW', 'Aruba')"))
        conn.execute(text("create table cities (id serial primary key, country text references countries)"))
    by_key = client.get("/tables/public/cities/fk/country?q=br").text
    assert _values(by_key) == ["BRA", "GBR"]  # "br" is in both keys (and in Brazil): each row once, by label
    assert "Brazil" in by_key and "United Kingdom" in by_key
    exact = _values(client.get("/tables/public/cities/fk/country?q=abw").text)
    assert exact == ["ABW"]
    by_label = _values(client.get("/tables/public/cities/fk/country?q=many").text)
    assert by_label == ["DEU"]
    pattern = client.get("/tables/public/cities/fk/country", params={"q": "_%"}).text  # LIKE's signs are text
    assert "No countries match" in pattern
    with db.connect() as conn:  # a key of a limited length: a longer needle is not cut down to a key
        conn.execute(text("create table codes (code varchar(3) primary key, title text)"))
        conn.execute(text("insert into codes values ('ABC', 'first')"))
        conn.execute(text("create table coded (id int primary key, code varchar(3) references codes)"))
    assert "No codes match" in client.get("/tables/public/coded/fk/code?q=ABCD").text
    assert _values(client.get("/tables/public/coded/fk/code?q=ABC").text) == ["ABC"]


def test_the_exact_key_is_found_through_its_index_and_comes_first(client: Any, db: Engine) -> None:
    with db.connect() as conn:
        conn.execute(text("create table items (id bigint primary key, name text not null)"))
        conn.execute(text("insert into items select g, 'item 7 #' || g from generate_series(1, 5000) g"))
        conn.execute(text("create table picks (id serial primary key, item_id bigint references items)"))
        conn.execute(text("analyze items"))
        items = read_table(conn, "public", "items")
        fk = read_table(conn, "public", "picks").foreign_keys[0]
        query, params = search_query(items, fk, label_column(items, "id"), "4999")
        plan = "\n".join(r[0] for r in conn.execute(text(f"EXPLAIN {query}"), params))
    assert "Index Cond: (id = '4999'::bigint)" in plan  # the key in its own type: the primary key's index
    found = _values(client.get("/tables/public/picks/fk/item_id?q=4999").text)
    assert found[0] == "4999" and len(found) <= 20
    many = _values(client.get("/tables/public/picks/fk/item_id?q=7").text)
    assert many[0] == "7" and len(many) == 20  # limited
