"""Lane layout: every revision gets its own cell, every edge joins child to parent, width stays small."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from pgadmin_py.migrations.graph import build_graph
from pgadmin_py.migrations.layout import layout, x_of, y_of

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "fixtures" / "alembic"))
from synthetic import synthetic_scripts


def _lay(graph):  # type: ignore[no-untyped-def]
    return layout(graph.order, {r: rev.parents for r, rev in graph.revisions.items()},
                  {r: rev.script.depends_on for r, rev in graph.revisions.items()})


def _ends(path: str) -> tuple[tuple[float, float], tuple[float, float]]:
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path)]
    return (numbers[0], numbers[1]), (numbers[-2], numbers[-1])


def test_large_graph_is_laid_out_readably() -> None:
    scripts = synthetic_scripts(400, 30)
    graph = build_graph(scripts)
    assert len(graph.merges) == 30
    lay = _lay(graph)
    assert lay.rows == 400
    assert len(set(lay.cells.values())) == 400  # no two revisions share a cell
    assert sorted(row for row, _ in lay.cells.values()) == list(range(400))
    assert lay.lanes <= 12  # readable: a handful of lanes, not one per branch ever opened
    parent_edges = [e for e in lay.edges if not e.dashed]
    assert len(parent_edges) == sum(len(rev.parents) for rev in graph.revisions.values())
    for edge in parent_edges:
        start, end = _ends(edge.path)
        assert start == (lay.x(edge.child), lay.y(edge.child))
        assert end == (lay.x(edge.parent), lay.y(edge.parent))
        assert lay.y(edge.child) < lay.y(edge.parent)  # edges always run downwards to the parent


def test_linear_history_is_one_straight_lane() -> None:
    from pgadmin_py.migrations.scripts import RevisionScript

    scripts = [RevisionScript(f"r{i:03d}", (f"r{i - 1:03d}",) if i else (), (), (), "", None, Path(f"{i}.py"))
               for i in range(20)]
    lay = _lay(build_graph(scripts))
    assert lay.lanes == 1
    assert [lay.cells[f"r{i:03d}"][0] for i in range(20)] == list(range(19, -1, -1))  # newest on top
    assert all("C" not in e.path for e in lay.edges)


def test_merge_takes_two_lanes_then_closes() -> None:
    from pgadmin_py.migrations.scripts import RevisionScript

    def s(rev: str, *down: str) -> RevisionScript:
        return RevisionScript(rev, down, (), (), rev, None, Path(f"{rev}.py"))

    graph = build_graph([s("base"), s("left", "base"), s("right", "base"), s("merge", "left", "right"),
                         s("top", "merge")])
    lay = _lay(graph)
    assert lay.cells["top"][1] == lay.cells["merge"][1] == lay.cells["base"][1] == 0
    assert {lay.cells["left"][1], lay.cells["right"][1]} == {0, 1}
    assert lay.lanes == 2
    assert lay.width == x_of(1) + 12 and lay.height == y_of(4) + 22
