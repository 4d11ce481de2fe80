"""The diagram without a database: URL params, graph selection, layout without overlaps, SVG."""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET

import pytest

from pgadmin_py.catalog.tables import Column, ForeignKey, TableInfo
from pgadmin_py.diagram.graph import build_graph, rule_words
from pgadmin_py.diagram.groups import fits, group_tables, overview, overview_layout, subgraph
from pgadmin_py.diagram.layout import layout
from pgadmin_py.diagram.params import DiagramParams
from pgadmin_py.diagram.svg import Links, render_svg
from support import er_geometry


def col(name: str, nullable: bool = False) -> Column:
    return Column(name, "integer", "int4", "base", False, nullable, None, None, False, 1, None, None, None, None,
                  None)


def table(name: str, fks: list[tuple[str, str, str]] = (), n_cols: int = 3, schema: str = "public",  # type: ignore[assignment]
          unique: tuple[tuple[str, ...], ...] = ()) -> TableInfo:
    fk_cols = [c for c, _, _ in fks]
    cols = (col("id"), *(col(c, nullable=c.startswith("opt")) for c in fk_cols),
            *(col(f"c{i}") for i in range(n_cols)))
    foreign = tuple(ForeignKey(f"fk_{name}_{c}", schema, name, (c,), schema, target, ("id",), rule, "NO ACTION")
                    for c, target, rule in fks)
    return TableInfo(1, schema, name, "table", cols, ("id",), foreign, (), (), unique, (), None, 0, None)


@pytest.mark.parametrize("params", [
    DiagramParams(), DiagramParams(schema="sales"), DiagramParams(table="public.a", depth=3),
    DiagramParams(table="x.y", keys_only=True), DiagramParams(schema="big", group="big.t3", keys_only=True),
    DiagramParams(schema="big", whole=True),
])
def test_params_round_trip(params: DiagramParams) -> None:
    assert DiagramParams.from_query(params.to_query()) == params


def test_params_are_lenient() -> None:
    assert DiagramParams.from_query({"depth": "lots", "table": "clients"}) == DiagramParams(table="public.clients")
    assert DiagramParams.from_query({"depth": "99", "table": "a.b"}).depth == 5


def test_graph_neighbourhood_and_cardinality() -> None:
    tables = [table("a"), table("b", [("a_id", "a", "CASCADE")]), table("c", [("opt_b_id", "b", "SET NULL")]),
              table("d", [("c_id", "c", "NO ACTION")]),
              table("e", [("a_id", "a", "RESTRICT")], unique=(("a_id",),))]
    graph = build_graph(tables, DiagramParams(table="public.b", depth=1))
    assert {n.key for n in graph.nodes} == {"public.a", "public.b", "public.c"}
    every = build_graph(tables, DiagramParams())
    bc = every.edge("public.c.fk_c_opt_b_id")
    assert bc is not None and bc.optional and not bc.child_unique and bc.cardinality == "0..1 to many"
    ea = every.edge("public.e.fk_e_a_id")
    assert ea is not None and ea.child_unique and ea.cardinality == "1 to 0..1"
    ab = every.edge("public.b.fk_b_a_id")
    assert ab is not None and "also deletes the public.b rows" in rule_words(ab)


def test_model_links_only_where_no_fk() -> None:
    tables = [table("a"), table("b", [("a_id", "a", "CASCADE")]), table("z")]
    graph = build_graph(tables, DiagramParams(), model_links=[("public.b", "public.a", "B.a"),
                                                              ("public.z", "public.a", "Z.a")])
    assert [e.name for e in graph.edges if e.from_model] == ["Z.a"]


def generated(n: int, seed: int = 7) -> list[TableInfo]:
    rnd = random.Random(seed)
    tables = []
    for i in range(n):
        fks = [(f"t{j}_id", f"t{j}", rnd.choice(["CASCADE", "SET NULL", "NO ACTION"]))
               for j in rnd.sample(range(i), min(i, rnd.randint(0, 3)))] if i else []
        if i % 17 == 5:
            fks.append(("parent_id", f"t{i}", "SET NULL"))  # self-reference
        tables.append(table(f"t{i}", fks, n_cols=rnd.randint(1, 20)))
    tables.append(table("t0b", [("t99_id", "t99", "CASCADE")]))  # makes no cycle, just a late edge
    return tables


def test_layout_has_no_overlaps_for_100_tables() -> None:
    graph = build_graph(generated(100), DiagramParams())
    placed = layout(graph)
    boxes = list(placed.boxes.values())
    assert len(boxes) == 101
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.overlaps(b)
        assert a.x >= 0 and a.y >= 0 and a.x + a.w <= placed.width and a.y + a.h <= placed.height
    assert placed.width < 12000 and placed.height < 12000  # readable, not one endless row


def test_parents_left_of_children() -> None:
    graph = build_graph([table("a"), table("b", [("a_id", "a", "CASCADE")])], DiagramParams())
    boxes = layout(graph).boxes
    assert boxes["public.a"].x + boxes["public.a"].w < boxes["public.b"].x


def test_svg_is_valid_and_has_no_style_attributes() -> None:
    tables = generated(30)
    graph = build_graph(tables, DiagramParams())
    links = Links(table=lambda n: f"/tables/{n.schema}/{n.name}", edge=lambda e: f"/diagram/edges/{e.id}")
    svg = render_svg(graph, layout(graph), links, title="t & <all>")
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert "style=" not in svg and "<script" not in svg and "<style" not in svg
    hrefs = [el.get("href") for el in root.iter() if el.tag.endswith("}a")]
    assert "/tables/public/t3" in hrefs and any(h.startswith("/diagram/edges/") for h in hrefs)
    assert "CASCADE" in svg and "SET NULL" in svg
    file_svg = render_svg(graph, layout(graph), Links(table=None), title="x", standalone=True)
    assert file_svg.startswith("<?xml") and "href" not in file_svg


def _measured(tables: list[TableInfo]) -> er_geometry.Measure:
    graph = build_graph(tables, DiagramParams())
    links = Links(table=lambda n: f"/tables/{n.schema}/{n.name}", edge=lambda e: f"/diagram/edges/{e.id}")
    m = er_geometry.measure(render_svg(graph, layout(graph), links, title="t"))
    assert len(m.lines) == len(graph.edges)  # every FK is drawn, and read back
    return m


BOOKS = [table("authors"), table("publishers"), table("books", [("author_id", "authors", "CASCADE"),
                                                                  ("opt_publisher_id", "publishers", "SET NULL")]),
         table("tags"), table("book_tags", [("book_id", "books", "CASCADE"), ("tag_id", "tags", "CASCADE")]),
         table("reviews", [("book_id", "books", "CASCADE")])]


@pytest.mark.parametrize(("name", "tables"), [("books", BOOKS), ("generated-100", generated(100)),
                                              ("generated-100b", generated(100, seed=3))])
def test_lines_cross_no_table_and_end_at_their_rows(name: str, tables: list[TableInfo]) -> None:
    """The issue's 6-table case (tags -> book_tags ran behind books) and a 100-table schema: no line passes
    through a table it does not connect, each ends on its FK column's row and the referenced column's row."""
    m = _measured(tables)
    assert m.intersections == []
    assert m.misplaced_ends == []
    assert m.overlaps == []  # no two lines run along each other, where one could be taken for the other
    print(f"{name}: {len(m.lines)} lines, {m.crossings} crossings")


def test_key_columns_are_shown_past_the_column_limit() -> None:
    """A wide table's FK column beyond the 16 shown still gets its own row, so its line ends there."""
    wide = table("wide", n_cols=30)
    wide = TableInfo(1, "public", "wide", "table", (*wide.columns, col("late_id")), ("id",),
                     (ForeignKey("fk_late", "public", "wide", ("late_id",), "public", "a", ("id",), "CASCADE",
                                 "NO ACTION"),), (), (), (), (), None, 0, None)
    m = _measured([table("a"), wide])
    assert "late_id" in m.tables["public.wide"].rows and m.misplaced_ends == [] and m.intersections == []


@pytest.mark.parametrize("seed", [7, 3])
def test_large_schema_in_groups_that_each_fit_a_screen(seed: int) -> None:
    """100 tables do not fit a 1440x900 canvas readably: every table lands in exactly one group, each group's
    keys-only diagram and the overview of groups fit it, with no line through a box; the same every time."""
    graph = build_graph(generated(100, seed), DiagramParams(keys_only=True))
    assert not fits(layout(graph))
    groups = group_tables(graph)
    assert sorted(t for g in groups for t in g.tables) == sorted(n.key for n in graph.nodes)
    assert groups == group_tables(graph)
    for g in groups:
        part = subgraph(graph, frozenset(g.tables))
        placed = layout(part)
        assert fits(placed, noted=True), g
        assert er_geometry.measure(render_svg(part, placed, Links(table=None), title="g")).intersections == []
    drawn = overview(graph, groups)
    placed = overview_layout(drawn)
    assert fits(placed, noted=True) and len(drawn.nodes) == len(groups) >= 2
    m = er_geometry.measure(render_svg(drawn, placed, Links(table=None), title="o"))
    assert m.intersections == [] and len(m.lines) == len(drawn.edges)
    print(f"seed {seed}: {len(groups)} groups, overview {len(m.lines)} lines, {m.crossings} crossings")


def test_a_schema_that_fits_is_one_group() -> None:
    assert [len(g.tables) for g in group_tables(build_graph(BOOKS, DiagramParams()))] == [6]
