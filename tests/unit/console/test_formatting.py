"""Format on demand: pglast's prettifier over PostgreSQL's parser, comments kept, bad SQL left alone."""

from __future__ import annotations

import pytest

from pgadmin_py.console.errors import ConsoleError
from pgadmin_py.console.formatting import format_sql


def test_one_clause_a_line_keywords_upper_commas_at_the_end() -> None:
    assert format_sql("select id,full_name from clients where id<10 and birth_date is not null") == (
        "SELECT id,\n       full_name\nFROM clients\nWHERE id < 10\n  AND birth_date IS NOT NULL")


def test_comments_and_statements_are_kept() -> None:
    out = format_sql("-- the count\nselect count(*) from clients; select 2")
    assert out.startswith("-- the count\nSELECT count(*)\nFROM clients;")
    assert out.endswith("SELECT 2")


def test_blank_text_stays_blank() -> None:
    assert format_sql("  \n") == "  \n"


def test_a_syntax_error_says_where_and_changes_nothing() -> None:
    with pytest.raises(ConsoleError) as caught:
        format_sql("select 1;\nselect from where")
    assert caught.value.detail == 'Cannot format: syntax error at or near "where" (line 2, column 13).'
    assert caught.value.hint and "left as it was" in caught.value.hint
