"""Splitting and classifying SQL without a database."""

from __future__ import annotations

import pytest

from pgadmin_py.console.statements import Kind, classify, line_col, split


@pytest.mark.parametrize(("sql", "texts"), [
    ("select 1; select 2;", ["select 1", "select 2"]),
    ("select ';' as a; select 2", ["select ';' as a", "select 2"]),
    ("select 'it''s; fine'", ["select 'it''s; fine'"]),
    ("select E'a\\';b'; select 3", ["select E'a\\';b'", "select 3"]),
    ('select 1 as "a;b"; select 2', ['select 1 as "a;b"', "select 2"]),
    ("do $$ begin perform 1; end $$; select 2", ["do $$ begin perform 1; end $$", "select 2"]),
    ("do $fn$ begin perform ';'; end $fn$;", ["do $fn$ begin perform ';'; end $fn$"]),
    ("select 1 -- c; not a split\n; select 2", ["select 1 -- c; not a split", "select 2"]),
    ("select /* a /* nested; */ b; */ 1; select 2", ["select /* a /* nested; */ b; */ 1", "select 2"]),
    ("  ;; -- only a comment\n ; ", []),
    ("select $1::int", ["select $1::int"]),
])
def test_split(sql: str, texts: list[str]) -> None:
    assert [s.text for s in split(sql)] == texts


def test_offsets_point_into_the_editor_text() -> None:
    sql = "select 1;\n\n  select 2;"
    statements = split(sql, base=0)
    assert [s.offset for s in statements] == [0, 13]
    assert sql[statements[1].offset:].startswith("select 2")
    shifted = split("select 3", base=40)
    assert shifted[0].offset == 40


@pytest.mark.parametrize(("sql", "kind"), [
    ("select * from t", Kind.READ),
    ("(select 1) union (select 2)", Kind.READ),
    ("with x as (select 1) select * from x", Kind.READ),
    ("with d as (delete from t returning *) select * from d", Kind.WRITE),
    ("select * into new_t from t", Kind.WRITE),
    ("select 'delete' from t", Kind.READ),
    ("values (1)", Kind.READ),
    ("table t", Kind.READ),
    ("show search_path", Kind.READ),
    ("explain select 1", Kind.READ),
    ("explain analyze delete from t", Kind.WRITE),
    ("insert into t values (1)", Kind.WRITE),
    ("update t set a = 1", Kind.WRITE),
    ("delete from t", Kind.WRITE),
    ("create table t (id int)", Kind.WRITE),
    ("truncate t", Kind.WRITE),
    ("do $$ begin end $$", Kind.WRITE),
    ("call p()", Kind.WRITE),
    ("set search_path = public", Kind.SESSION),
    ("set local work_mem = '64MB'", Kind.SESSION),
    ("begin", Kind.TRANSACTION),
    ("commit", Kind.TRANSACTION),
    ("end", Kind.TRANSACTION),
    ("rollback", Kind.TRANSACTION),
    ("savepoint a", Kind.TRANSACTION),
    ("start transaction", Kind.TRANSACTION),
    ("set transaction read write", Kind.TRANSACTION),
    ("set session characteristics as transaction read write", Kind.TRANSACTION),
    ("prepare transaction 'x'", Kind.TRANSACTION),
    ("set statement_timeout = 0", Kind.GUARDED),
    ("set session default_transaction_read_only = off", Kind.GUARDED),
    ("reset all", Kind.GUARDED),
    ("/* hi */ -- there\n select 1", Kind.READ),
])
def test_classify(sql: str, kind: Kind) -> None:
    assert classify(sql) is kind


def test_query_like_and_explainable() -> None:
    read, write, show = split("select 1; delete from t; show all")
    assert read.query_like and not write.query_like and not show.query_like
    assert read.explainable and write.explainable and not show.explainable


@pytest.mark.parametrize(("offset", "expected"), [(0, (1, 1)), (3, (1, 4)), (5, (2, 1)), (7, (2, 3))])
def test_line_col(offset: int, expected: tuple[int, int]) -> None:
    assert line_col("abcd\nefgh", offset) == expected
