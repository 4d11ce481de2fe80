"""The list of tables as a tree (browser/relations.py): partitions under their parent, sums, the filter."""

from __future__ import annotations

from pgadmin_py.browser.relations import arrange
from pgadmin_py.catalog.tables import RelationSummary


def _rel(name: str, kind: str = "table", rows: int | None = 10, size: int = 100, parent: str | None = None,
         schema: str = "public", parent_schema: str = "public") -> RelationSummary:
    return RelationSummary(schema, name, kind, rows, size, None, True,
                           parent_schema if parent else None, parent)


FOUND = [
    _rel("a"),
    _rel("log", "partitioned table", None, 0),
    _rel("log_1", rows=5, size=40, parent="log"),
    _rel("log_2", "partitioned table", None, 8, parent="log"),
    _rel("log_2a", rows=7, size=30, parent="log_2"),
    _rel("log_2b", rows=None, size=20, parent="log_2"),
    _rel("z"),
    _rel("log_old", rows=1, size=10, parent="log", schema="archive"),  # a partition in another schema
]


def test_partitions_follow_their_parent_with_summed_rows_and_sizes() -> None:
    rows = arrange(FOUND, {("public", "log_2b"): 3})
    assert [(r.name, r.depth) for r in rows] == [("a", 0), ("log", 0), ("log_1", 1), ("log_2", 1), ("log_2a", 2),
                                                  ("log_2b", 2), ("log_old", 1), ("z", 0)]
    by = {r.name: r for r in rows}
    assert by["log_2"].rows is not None and (by["log_2"].rows.value, by["log_2"].total_bytes) == (10, 58)
    assert by["log"].rows is not None and (by["log"].rows.value, by["log"].total_bytes) == (16, 108)
    assert (by["log"].partitions, by["log_2"].partitions, by["log_1"].partitions) == (5, 2, 0)
    assert by["log_old"].parent == "log" and by["log_old"].schema == "archive"


def test_unknown_counts_make_the_sum_an_estimate_and_the_filter_keeps_the_tree() -> None:
    rows = arrange(FOUND, {})
    by = {r.name: r for r in rows}
    assert by["log_2"].rows is not None and by["log_2"].rows.value == 7 and not by["log_2"].rows.exact
    assert [r.name for r in arrange(FOUND, {}, "2a")] == ["log", "log_2", "log_2a"]
    assert [r.name for r in arrange(FOUND, {}, "log_2")] == ["log", "log_2", "log_2a", "log_2b"]
    assert [r.name for r in arrange(FOUND, {}, "nothing")] == []
