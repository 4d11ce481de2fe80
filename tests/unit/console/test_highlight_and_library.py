"""Highlighting markup, and the history / saved-query store on a temporary SQLite file."""

from __future__ import annotations

from pathlib import Path

from pgadmin_py.console.highlight import highlight_sql
from pgadmin_py.console.library import HISTORY_LIMIT, Library


def test_highlight_escapes_and_marks_tokens() -> None:
    html = highlight_sql("select '<b>' as x -- note\nfrom t where n = 42")
    assert '<span class="k">select</span>' in html
    assert "&lt;b&gt;" in html and "<b>" not in html
    assert 'class="c1"' in html and 'class="mf">42<' in html


def test_history_search_and_pruning(tmp_path: Path) -> None:
    library = Library(tmp_path / "deep" / "console.sqlite3")
    first = library.record("select 100% of_it", "run", 1.5, True, 1, None)
    library.record("select _x from y", "explain", 2.0, False, None, "boom")
    assert [h.sql for h in library.history()] == ["select _x from y", "select 100% of_it"]
    assert [h.sql for h in library.history("100%")] == ["select 100% of_it"]
    assert [h.sql for h in library.history("_x")] == ["select _x from y"]
    entry = library.history_entry(first)
    assert entry is not None and entry.ok and entry.rows == 1 and entry.action == "run"
    assert Library(tmp_path / "deep" / "console.sqlite3").history_entry(first) == entry
    for i in range(HISTORY_LIMIT + 5):
        library.record(f"select {i}", "run", 0.1, True, 1, None)
    assert library.history_entry(first) is None


def test_saved_queries(tmp_path: Path) -> None:
    library = Library(tmp_path / "console.sqlite3")
    b = library.save("b report", "select 2")
    a = library.save("A report", "select 1")
    assert [q.name for q in library.saved()] == ["A report", "b report"]
    assert [q.id for q in library.saved("select 2")] == [b]
    assert library.delete_saved(a) and not library.delete_saved(a)
    assert library.saved_query(a) is None
