"""Splitting SQL with PostgreSQL's own parser, without a database."""

from __future__ import annotations

import pytest

from pgadmin_py.console.statements import SqlSyntaxError, line_col, split, statement_at


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
    ("select 'é'; select 2 /* x */ ;", ["select 'é'", "select 2 /* x */"]),
    ("select U&'d\\0061t\\+000061'; select 2", ["select U&'d\\0061t\\+000061'", "select 2"]),
    ("-- lead\nselect 1 -- trail", ["select 1 -- trail"]),
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


def test_query_like_and_explainable() -> None:
    read, write, show, cte, into, copy = split("select 1; delete from t; show all; "
                                               "with d as (delete from t returning 1) select * from d; "
                                               "select 1 into x; copy t to stdout")
    assert read.query_like and not write.query_like and not show.query_like
    assert not cte.query_like and not into.query_like and not copy.query_like
    assert read.explainable and write.explainable and not show.explainable and not copy.explainable
    assert copy.copies_out and not read.copies_out


def test_node_locations_count_from_the_statement() -> None:
    _, second = split("select 'éé';\n  select nextval('s')")
    call = second.node.targetList[0].val
    assert second.text[call.location:].startswith("nextval")


@pytest.mark.parametrize(("sql", "offset", "message"), [
    ("selec 1", 0, 'syntax error at or near "selec"'),
    ("select 1;\nselect 'é', x frm t", 28, 'syntax error at or near "t"'),
    ("select 'open", 7, "unterminated quoted string"),
])
def test_a_batch_that_does_not_parse_says_where(sql: str, offset: int, message: str) -> None:
    with pytest.raises(SqlSyntaxError) as caught:
        split(sql, base=5)
    assert caught.value.offset == offset + 5 and caught.value.message.startswith(message)


@pytest.mark.parametrize(("offset", "expected"), [(0, (1, 1)), (3, (1, 4)), (5, (2, 1)), (7, (2, 3))])
def test_line_col(offset: int, expected: tuple[int, int]) -> None:
    assert line_col("abcd\nefgh", offset) == expected


@pytest.mark.parametrize(("marked", "expected"), [
    ("select 1;\nsel|ect 2;\nselect 3", "select 2"),
    ("|select 1; select 2", "select 1"),
    ("select 1;| select 2", "select 1"),  # right after the semicolon: the statement just typed
    ("select 1;\n\n|\nselect 2", "select 1"),
    ("  |  select 1; select 2", "select 1"),  # before the first one: the first
    ("select ';' as a; sel|ect 2", "select 2"),  # a semicolon in a string splits nothing
    ("do $$ begin perform 1; end $$; select| 2", "select 2"),
    ("do $$ begin perf|orm 1; end $$; select 2", "do $$ begin perform 1; end $$"),
    ("select 1 -- c; not a split\n; select| 2", "select 2"),
    ("select 1;\n-- only a note|", "select 1"),  # a comment is no statement
    ("select 1; select (\nno|pe", "select (\nnope"),  # does not parse: still this statement alone
    ("select 'é'; select| 2", "select 2"),  # offsets count characters, as PostgreSQL's do
])
def test_statement_at_the_cursor(marked: str, expected: str) -> None:
    sql, cursor = marked.replace("|", ""), marked.index("|")
    bounds = statement_at(sql, cursor)
    assert bounds is not None
    assert sql[bounds[0]:bounds[1]] == expected


def test_statement_at_gives_up_when_even_the_scanner_does() -> None:
    assert statement_at("select 1; select $$ unterminated", 12) is None  # the whole batch runs; its error says where
    assert statement_at("  -- nothing\n", 3) is None
