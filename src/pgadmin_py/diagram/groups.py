"""Groups of tables for a schema too large to draw readably on one screen.

A group is a set of tables whose own diagram fits a 1440x900 screen's canvas at "Fit" with its text at 10 px.
Deterministic: the connected components of the foreign-key graph that fit are groups as they are; the
tables without any link form groups of their own (in name order); a component too large is split greedily:
a group starts at the table with the most links among those left (ties: the name), and grows by the linked
table with the most links into the group (ties: fewer links elsewhere, then the name) as long as the group's
diagram, actually laid out, still fits. A community split by links alone would not know the screen; this one
keeps linked tables together and each group drawable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pgadmin_py.diagram.graph import GROUP_EDGE, Edge, Graph, Node, NodeColumn
from pgadmin_py.diagram.layout import READABLE, SCREEN, SCREEN_NOTED, Layout, components, layout

FITS = (SCREEN[0] / READABLE, SCREEN[1] / READABLE)  # the largest drawing that fits the page readably
FITS_NOTED = (SCREEN_NOTED[0] / READABLE, SCREEN_NOTED[1] / READABLE)  # the same under the note of groups
SHOWN = 4  # table names a group's box in the overview lists (the first is its name)
TRIES = 4  # linked tables a growing group tries before it is complete


@dataclass(frozen=True, slots=True)
class Group:
    key: str  # its first table ("schema.table"): the `group` URL parameter
    tables: tuple[str, ...]  # in name order
    unlinked: bool = False  # tables without any foreign key, to or from them

    @property
    def name(self) -> str:
        first = self.key.partition(".")[2]  # the schema is the page's
        return first if len(self.tables) == 1 else f"{first} +{len(self.tables) - 1}"


def fits(placed: Layout, *, noted: bool = False) -> bool:
    """The drawing fits a 1440x900 screen's canvas at "Fit" with its text at 10 px (``noted``: the canvas under
    the note of a schema drawn in groups, a little lower)."""
    most = FITS_NOTED if noted else FITS
    return placed.width <= most[0] and placed.height <= most[1]


def subgraph(graph: Graph, keys: set[str] | frozenset[str]) -> Graph:
    return Graph(tuple(n for n in graph.nodes if n.key in keys),
                 tuple(e for e in graph.edges if e.source in keys and e.target in keys), None)


def _links(graph: Graph) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {n.key: {} for n in graph.nodes}
    for e in graph.edges:
        if e.source != e.target and e.source in out and e.target in out:
            out[e.source][e.target] = out[e.source].get(e.target, 0) + 1
            out[e.target][e.source] = out[e.target].get(e.source, 0) + 1
    return out


def _grow(left: set[str], links: dict[str, dict[str, int]], ok: Callable[[set[str]], bool]) -> set[str]:
    seed = min(left, key=lambda k: (-sum(n for o, n in links[k].items() if o in left), k))
    group = {seed}
    refused: set[str] = set()
    while True:
        near = {o for k in group for o in links[k] if o in left and o not in group and o not in refused}
        if not near:
            return group
        ranked = sorted(near, key=lambda o: (-sum(n for g, n in links[o].items() if g in group),
                                             sum(n for g, n in links[o].items() if g in left and g not in group),
                                             o))
        for candidate in ranked[:TRIES]:
            if ok(group | {candidate}):
                group.add(candidate)
                break
            refused.add(candidate)
        else:
            return group


def _merge_small(parts: list[set[str]], links: dict[str, dict[str, int]],
                 ok: Callable[[set[str]], bool]) -> list[set[str]]:
    """The last groups grown are the small leftovers: each joins the group it has the most links to, where the
    two still fit (smallest first)."""
    parts = [set(p) for p in parts]
    for small in sorted(parts, key=lambda p: (len(p), min(p))):
        if small not in parts:
            continue
        count = {i: sum(n for k in small for o, n in links[k].items() if o in p) for i, p in enumerate(parts)
                 if p is not small}
        for i in sorted((i for i, n in count.items() if n), key=lambda i: (-count[i], len(parts[i]))):
            if ok(parts[i] | small):
                parts[i] |= small
                parts.remove(small)
                break
    return parts


def _chunks(keys: list[str], ok: Callable[[set[str]], bool]) -> list[list[str]]:
    """Tables without links in name order, as many per group as fit."""
    out: list[list[str]] = []
    for key in keys:
        if out and ok({*out[-1], key}):
            out[-1].append(key)
        else:
            out.append([key])
    return out


def group_tables(graph: Graph) -> list[Group]:
    """The groups of ``graph`` (all of it in one group when it fits), largest first, then by name."""
    links = _links(graph)

    def ok(keys: set[str]) -> bool:
        return fits(layout(subgraph(graph, keys)), noted=True)

    parts: list[list[str]] = []
    lonely = []
    for comp in components(sorted(links), links):
        if len(comp) == 1 and not links[comp[0]]:
            lonely.append(comp[0])
        elif ok(set(comp)):
            parts.append(comp)
        else:
            left, grown_parts = set(comp), []
            while left:
                grown = _grow(left, links, ok)
                grown_parts.append(grown)
                left -= grown
            parts += [sorted(p) for p in _merge_small(grown_parts, links, ok)]
    groups = [Group(p[0], tuple(p)) for p in parts] + [Group(p[0], tuple(p), True)
                                                       for p in _chunks(sorted(lonely), ok)]
    return sorted(groups, key=lambda g: (-len(g.tables), g.key))


def overview(graph: Graph, groups: list[Group]) -> Graph:
    """The groups as boxes (their table count and first tables) and one line per pair of linked groups, from the
    group holding the foreign keys to the one they point at; its label counts the foreign keys."""
    where = {t: g.key for g in groups for t in g.tables}
    nodes = []  # a group box: its name, its table count
    for g in groups:
        count = NodeColumn(f"{len(g.tables)} table{'s' if len(g.tables) > 1 else ''}"
                           + (" without links" if g.unlinked else ""), "", False, False, False)
        names = [t.partition(".")[2] for t in g.tables]
        if len(names) > SHOWN:
            names = [*names[:SHOWN - 1], "…"]
        nodes.append(Node(g.key, "public", g.name, (count, *(NodeColumn(n, "", False, False, False)
                                                               for n in names[1:])), 0, None, False))
    counts: dict[tuple[str, str], int] = {}
    for e in graph.edges:
        a, b = where.get(e.source), where.get(e.target)
        if a and b and a != b:
            counts[(a, b)] = counts.get((a, b), 0) + 1
    edges = tuple(Edge(id=f"{GROUP_EDGE}{a}:{b}", source=a, target=b, name=f"{n} foreign key{'s' if n > 1 else ''}",
                       columns=(), ref_columns=(), on_delete="NO ACTION", on_update="NO ACTION",
                       child_unique=False, optional=False) for (a, b), n in sorted(counts.items()))
    return Graph(tuple(nodes), edges, None)


def overview_layout(drawn: Graph) -> Layout:
    """The overview in as many columns as fit the screen (fewer columns: more lines share one)."""
    placed = layout(drawn)
    most = len({round(b.x) for b in placed.boxes.values()})
    while not fits(placed, noted=True) and most > 2:
        most -= 1
        placed = layout(drawn, most_layers=most)
    return placed


def linked_groups(graph: Graph, groups: list[Group], key: str) -> list[tuple[Group, int]]:
    """The groups linked to group ``key``, with the number of foreign keys between the two, most first."""
    where = {t: g for g in groups for t in g.tables}
    counts: dict[str, int] = {}
    for e in graph.edges:
        a, b = where.get(e.source), where.get(e.target)
        if a and b and a != b and key in (a.key, b.key):
            other = b if a.key == key else a
            counts[other.key] = counts.get(other.key, 0) + 1
    by_key = {g.key: g for g in groups}
    return [(by_key[k], n) for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
