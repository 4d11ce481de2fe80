"""The ER diagram of real schemas (the demo and every fixture project, migrated by its own CLI): no line
passes through a table it does not connect, and every line ends at its FK column's and referenced column's rows.

Crossings are printed (``-s``): lower is better, the count is not a pass/fail line.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from pgadmin_py.catalog.tables import all_tables
from pgadmin_py.core.dburl import DatabaseUrl
from pgadmin_py.diagram.graph import build_graph
from pgadmin_py.diagram.layout import layout
from pgadmin_py.diagram.params import DiagramParams
from pgadmin_py.diagram.svg import Links, render_svg
from support import er_geometry
from support.parity import migrate_with_cli
from support.projects import FACTS

LINKS = Links(table=lambda n: f"/tables/{n.schema}/{n.name}", edge=lambda e: f"/diagram/edges/{e.id}")


def _check(name: str, url: DatabaseUrl) -> int:
    engine = create_engine(url.sqlalchemy())
    try:
        tables = all_tables(engine)
    finally:
        engine.dispose()
    counts = []
    for params in (DiagramParams(), DiagramParams(keys_only=True)):
        graph = build_graph(tables, params)
        for drawn in (render_svg(graph, layout(graph), LINKS, title=name),
                      render_svg(graph, layout(graph), Links(table=None), title=name, standalone=True)):
            m = er_geometry.measure(drawn)
            assert len(m.lines) == len(graph.edges)
            assert m.intersections == [], f"{name}: lines through tables they do not connect: {m.intersections}"
            assert m.misplaced_ends == [], f"{name}: lines not ending at their rows: {m.misplaced_ends}"
            assert m.overlaps == [], f"{name}: lines running along each other: {m.overlaps}"
        counts.append(m.crossings)
    print(f"\n{name}: {len(graph.nodes)} tables, {len(graph.edges)} lines, "
          f"crossings {counts[0]} (keys only {counts[1]})")
    return len(graph.edges)


def test_demo_schema(demo_db: DatabaseUrl) -> None:
    assert _check("demo", demo_db) >= 8


@pytest.mark.parametrize("name", sorted(FACTS))
def test_fixture_project_schema(name: str, project_copy: Callable[[str], Path],
                                project_python: Callable[[str], str], fresh_db: Callable[[], DatabaseUrl]) -> None:
    project, url = project_copy(name), fresh_db()
    migrate_with_cli(name, project, project_python(name), url, check=FACTS[name].fails_in is None)
    assert _check(name, url) >= 1  # every fixture project has tables with foreign keys
