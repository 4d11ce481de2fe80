"""A layered layout for ER diagrams: referenced tables on the left, the tables that point at them to the
right, one column per layer, components packed on shelves; then orthogonal lines routed in the channels
between the columns (``diagram.routing``).

No line can pass through a table it does not connect, by construction: a line only runs vertically in a
channel (no table stands there), horizontally along its own table's row, or horizontally through a column
at a slot reserved for it between two tables (a "dummy" of the layered-layout literature). Tall layers wrap
into several columns so a star schema with 60 children stays readable.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from itertools import pairwise

from pgadmin_py.diagram.graph import MAX_COLUMNS as MAX_ROWS
from pgadmin_py.diagram.graph import Edge, Graph, Node
from pgadmin_py.diagram.routing import Route, Wire, route

HEADER = 30.0
ROW = 20.0
PAD_BOTTOM = 6.0
GAP_Y = 28.0  # between two tables in a column
PASS_GAP = 12.0  # between a line passing through a column and its neighbours there
GAP_COMPONENTS = 60.0
MARGIN = 24.0
MAX_COLUMN_HEIGHT = 1500.0
TAG = 130.0  # the stub and ON DELETE tag at a line's start (svg._edge), kept clear by unlinked tables
# The diagram's canvas on a 1440x900 screen, less the 4 px "Fit" leaves (static/css/diagram.css: its max-height
# is 100vh - 230 px, 100vh - 290 px under the note of a schema drawn in groups), and the smallest zoom that keeps
# the 12 px text at 10 px: a drawing up to SCREEN / READABLE fits there readably at "Fit".
SCREEN = (1146.0, 664.0)
SCREEN_NOTED = (1146.0, 604.0)
READABLE = 10 / 12
CHAR = 7.0  # monospace 12px advance, close enough for sizing
TYPE_CHARS = 22


@dataclass(frozen=True, slots=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    def overlaps(self, other: Box) -> bool:
        return (self.x < other.x + other.w and other.x < self.x + self.w
                and self.y < other.y + other.h and other.y < self.y + self.h)

    def row_y(self, index: int) -> float:
        """The vertical centre of column row ``index`` (-1: the header)."""
        return self.y + HEADER / 2 if index < 0 else self.y + HEADER + ROW * index + ROW / 2


@dataclass(frozen=True, slots=True)
class Layout:
    boxes: dict[str, Box]
    routes: dict[str, Route]  # edge id -> its line
    width: float
    height: float


_ABBREVIATIONS = (("timestamp with time zone", "timestamptz"), ("timestamp without time zone", "timestamp"),
                  ("time with time zone", "timetz"), ("time without time zone", "time"),
                  ("character varying", "varchar"), ("double precision", "float8"), ("character", "char"))


def short_type(type_name: str) -> str:
    """PostgreSQL's long type names in the short form developers type (``varchar(120)``, ``timestamptz``)."""
    for long, short in _ABBREVIATIONS:
        type_name = type_name.replace(long, short)
    return type_name if len(type_name) <= TYPE_CHARS else type_name[:TYPE_CHARS - 1] + "…"


def node_size(node: Node) -> tuple[float, float]:
    label = len(node.label) + (len(node.model) + 3 if node.model and node.model != node.name else 0)
    widest = max([len(c.name) + len(short_type(c.type_name)) + 3 for c in node.columns] + [label, 12])
    rows = len(node.columns) + (1 if node.hidden_columns else 0)
    return min(max(widest * CHAR + 40, 170.0), 420.0), HEADER + ROW * rows + PAD_BOTTOM


def row_of(node: Node, columns: tuple[str, ...]) -> int:
    """The row a line ends at: the first of ``columns`` shown, else the header (-1)."""
    names = [c.name for c in node.columns]
    return next((names.index(c) for c in columns if c in names), -1)


def components(keys: list[str], links: Mapping[str, Collection[str]]) -> list[list[str]]:
    """The connected parts of the graph ``links`` (each in name order), in the order of ``keys``."""
    seen: set[str] = set()
    out = []
    for key in keys:
        if key in seen:
            continue
        comp, stack = [], [key]
        seen.add(key)
        while stack:
            cur = stack.pop()
            comp.append(cur)
            for other in sorted(links[cur]):
                if other not in seen:
                    seen.add(other)
                    stack.append(other)
        out.append(sorted(comp))
    return out


def _layers(comp: list[str], parents: dict[str, set[str]]) -> dict[str, int]:
    """Longest path from the roots (tables referencing nothing), ignoring back edges of cycles."""
    layer: dict[str, int] = {}
    visiting: set[str] = set()

    def visit(key: str) -> int:
        if key in layer:
            return layer[key]
        visiting.add(key)
        depth = 0
        for parent in sorted(parents[key]):
            if parent != key and parent not in visiting:
                depth = max(depth, visit(parent) + 1)
        visiting.discard(key)
        layer[key] = depth
        return depth

    for key in comp:  # ER graphs are shallow: recursion depth = the longest FK chain
        visit(key)
    return layer


def _columns(comp: list[str], layer: dict[str, int], sizes: dict[str, tuple[float, float]]) -> list[list[str]]:
    by_layer: dict[int, list[str]] = {}
    for key in comp:
        by_layer.setdefault(layer[key], []).append(key)
    columns: list[list[str]] = []
    for index in sorted(by_layer):
        current: list[str] = []
        height = 0.0
        for key in by_layer[index]:
            h = sizes[key][1]
            if current and height + h > MAX_COLUMN_HEIGHT:
                columns.append(current)
                current, height = [], 0.0
            current.append(key)
            height += h + GAP_Y
        columns.append(current)
    return columns


@dataclass
class _Chain:
    """One edge through the columns: its two tables and one pass-through slot per column in between."""

    edge: Edge
    items: list[str]  # source node, pass slots ("~i:c"), target node
    source_row: int
    target_row: int


def _chains(edges: list[Edge], col_of: dict[str, int], nodes: dict[str, Node],
            columns: list[list[str]]) -> list[_Chain]:
    out = []
    for i, e in enumerate(edges):
        a, b = col_of[e.source], col_of[e.target]
        step = -1 if a > b else 1
        passes = [f"~{i}:{c}" for c in range(a + step, b, step)] if a != b else []
        for slot in passes:
            columns[int(slot.rsplit(":", 1)[1])].append(slot)
        out.append(_Chain(e, [e.source, *passes, e.target], row_of(nodes[e.source], e.columns),
                          row_of(nodes[e.target], e.ref_columns)))
    return out


Pair = tuple[str, str, float, float]  # two linked items in neighbouring columns, where in each the line is (0..1)


def _port(row: int) -> float:
    """Where a row sits in its table, between 0 (top) and 1 (bottom): two lines from one table are told apart."""
    return (row + 2) / (MAX_ROWS + 4)


def _crossings(columns: list[list[str]], pairs: list[Pair]) -> int:
    pos = {k: (c, j) for c, col in enumerate(columns) for j, k in enumerate(col)}
    by_gap: dict[int, list[tuple[float, float]]] = {}
    for u, v, fu, fv in pairs:
        (cu, ju), (cv, jv) = pos[u], pos[v]
        left, right = (ju + fu, jv + fv) if cu < cv else (jv + fv, ju + fu)
        by_gap.setdefault(min(cu, cv), []).append((left, right))
    return sum(1 for segs in by_gap.values() for i, (a, b) in enumerate(segs) for c, d in segs[i + 1:]
               if (a - c) * (b - d) < 0)


def _order(columns: list[list[str]], pairs: list[Pair]) -> list[list[str]]:
    """Barycentre sweeps: each table (and pass slot) near what it is linked to in the neighbouring column, at
    the rows the lines leave from; the order with the fewest crossings between neighbouring columns wins."""
    near: dict[str, list[tuple[str, float]]] = {}
    for u, v, fu, fv in pairs:
        near.setdefault(u, []).append((v, fv))
        near.setdefault(v, []).append((u, fu))
    best, best_count = [list(c) for c in columns], _crossings(columns, pairs)
    for sweep in range(8):
        indices = range(1, len(columns)) if sweep % 2 == 0 else range(len(columns) - 2, -1, -1)
        for i in indices:
            other = columns[i - 1] if sweep % 2 == 0 else columns[i + 1]
            pos = {k: j for j, k in enumerate(other)}
            current = {k: j for j, k in enumerate(columns[i])}

            def bary(key: str, pos: dict[str, int] = pos, current: dict[str, int] = current) -> float:
                linked = [pos[k] + f for k, f in near.get(key, ()) if k in pos]
                return sum(linked) / len(linked) if linked else current[key]

            columns[i].sort(key=bary)
        count = _crossings(columns, pairs)
        if count < best_count:
            best, best_count = [list(c) for c in columns], count
    return best


def _isotonic(values: list[float]) -> list[float]:
    """Pool adjacent violators: the non-decreasing sequence closest to ``values`` (least squares)."""
    blocks: list[list[float]] = []  # [mean, weight]
    for v in values:
        blocks.append([v, 1.0])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, w2 = blocks.pop()
            m1, w1 = blocks.pop()
            blocks.append([(m1 * w1 + m2 * w2) / (w1 + w2), w1 + w2])
    return [m for m, w in blocks for _ in range(int(w))]


def _place_rows(columns: list[list[str]], chains: list[_Chain], pairs: list[Pair],
                sizes: dict[str, tuple[float, float]]) -> dict[str, float]:
    """Top y of every item: stacked in its column's order with gaps, then moved (order kept) towards the
    rows it links to, so most lines run straight."""
    height = {k: sizes[k][1] if k in sizes else 0.0 for col in columns for k in col}
    linked = {(u, v) for u, v, _, _ in pairs}
    links: dict[str, list[tuple[str, float, float]]] = {}  # item -> (neighbour, row offset in item, in neighbour)
    for ch in chains:
        offsets = [_row_offset(ch.source_row)] + [0.0] * (len(ch.items) - 2) + [_row_offset(ch.target_row)]
        for (u, ou), (v, ov) in pairwise(zip(ch.items, offsets, strict=True)):
            if (u, v) in linked:
                links.setdefault(u, []).append((v, ou, ov))
                links.setdefault(v, []).append((u, ov, ou))

    def gap(a: str, b: str) -> float:
        return GAP_Y if a in sizes and b in sizes else PASS_GAP

    top: dict[str, float] = {}
    for col in columns:
        y = 0.0
        for j, k in enumerate(col):
            top[k] = y
            y += height[k] + (gap(k, col[j + 1]) if j + 1 < len(col) else 0.0)
    for sweep in range(6):
        order = range(len(columns)) if sweep % 2 == 0 else range(len(columns) - 1, -1, -1)
        for c in order:
            col = columns[c]
            offset, desired = 0.0, []
            for j, k in enumerate(col):
                wanted = [top[n] + on - ok for n, ok, on in links.get(k, ())]
                desired.append((sum(wanted) / len(wanted) if wanted else top[k]) - offset)
                offset += height[k] + (gap(k, col[j + 1]) if j + 1 < len(col) else 0.0)
            offset = 0.0
            for j, (k, s) in enumerate(zip(col, _isotonic(desired), strict=True)):
                top[k] = s + offset
                offset += height[k] + (gap(k, col[j + 1]) if j + 1 < len(col) else 0.0)
    low = min(top.values(), default=0.0)
    return {k: v - low for k, v in top.items()}


def _row_offset(row: int) -> float:
    return HEADER / 2 if row < 0 else HEADER + ROW * row + ROW / 2


def _part_near_lines(columns: list[list[str]], chains: list[_Chain], col_of: dict[str, int],
                     top: dict[str, float]) -> None:
    """Move a pass slot 4 px off a row where another line leaves a neighbouring column within 3 px of it:
    two lines that close would read as one (the slot keeps 8 px from the tables around it)."""
    ys: dict[int, list[tuple[float, int]]] = {}  # column -> (y of a line there, its chain)
    for i, ch in enumerate(chains):
        ys.setdefault(col_of[ch.edge.source], []).append((top[ch.items[0]] + _row_offset(ch.source_row), i))
        ys.setdefault(col_of[ch.edge.target], []).append((top[ch.items[-1]] + _row_offset(ch.target_row), i))
        for slot in ch.items[1:-1]:
            ys.setdefault(int(slot.rsplit(":", 1)[1]), []).append((top[slot], i))
    for i, ch in enumerate(chains):
        for slot in ch.items[1:-1]:
            c = int(slot.rsplit(":", 1)[1])
            near = [y for side in (c - 1, c + 1) for y, j in ys.get(side, ()) if j != i and abs(y - top[slot]) < 3]
            if near:
                top[slot] += 4.0 if top[slot] >= near[0] else -4.0


def _squeeze(layer: dict[str, int], most: int | None) -> dict[str, int]:
    """At most ``most`` layers: neighbouring layers share a column (their lines then run in its channel)."""
    deepest = max(layer.values(), default=0) + 1
    if most is None or deepest <= most:
        return layer
    return {k: v * most // deepest for k, v in layer.items()}


def _place_component(comp: list[str], edges: list[Edge], parents: dict[str, set[str]], nodes: dict[str, Node],
                     sizes: dict[str, tuple[float, float]],
                     most_layers: int | None) -> tuple[dict[str, Box], dict[str, Route], float, float]:
    columns = _columns(comp, _squeeze(_layers(comp, parents), most_layers), sizes)
    col_of = {k: c for c, col in enumerate(columns) for k in col}
    chains = _chains(edges, col_of, nodes, columns)
    pairs: list[Pair] = []
    for ch in chains:
        if col_of[ch.edge.source] != col_of[ch.edge.target]:
            ports = [_port(ch.source_row)] + [0.5] * (len(ch.items) - 2) + [_port(ch.target_row)]
            pairs += [(u, v, fu, fv) for (u, fu), (v, fv) in pairwise(zip(ch.items, ports, strict=True))]
    columns = _order(columns, pairs)
    top = _place_rows(columns, chains, pairs, sizes)
    _part_near_lines(columns, chains, col_of, top)
    widths = [max((sizes[k][0] for k in col if k in sizes), default=0.0) for col in columns]
    wires = []
    for ch in chains:
        ys = [top[ch.items[0]] + _row_offset(ch.source_row)] + [top[k] for k in ch.items[1:-1]] + [
            top[ch.items[-1]] + _row_offset(ch.target_row)]
        wires.append(Wire(ch.edge.id, col_of[ch.edge.source], col_of[ch.edge.target], ys,
                          sizes[ch.edge.source][0], sizes[ch.edge.target][0]))
    xs, routes, width = route(wires, widths)
    boxes = {k: Box(xs[col_of[k]], top[k], *sizes[k]) for k in comp}
    height = max(b.y + b.h for b in boxes.values())
    return boxes, routes, width, height


def _shelves(placed: list[tuple[dict[str, Box], dict[str, Route], float, float]]) -> Layout:
    """Components side by side on shelves, the biggest first, wrapping at a width near the square's."""
    placed.sort(key=lambda p: (-(p[2] * p[3]), min(p[0])))
    area = sum((w + GAP_COMPONENTS) * (h + GAP_COMPONENTS) for _, _, w, h in placed)
    target = max([w for _, _, w, _ in placed] + [math.sqrt(area) * 1.6, 600.0])
    boxes: dict[str, Box] = {}
    routes: dict[str, Route] = {}
    x = y = shelf_h = width = 0.0
    for comp_boxes, comp_routes, w, h in placed:
        if x > 0 and x + w > target:
            x, y, shelf_h = 0.0, y + shelf_h + GAP_COMPONENTS, 0.0
        dx, dy = MARGIN + x, MARGIN + y
        for key, b in comp_boxes.items():
            boxes[key] = Box(b.x + dx, b.y + dy, b.w, b.h)
        for eid, r in comp_routes.items():
            routes[eid] = r.moved(dx, dy)
        x += w + GAP_COMPONENTS
        shelf_h = max(shelf_h, h)
        width = max(width, x - GAP_COMPONENTS)
    return Layout(boxes, routes, width + 2 * MARGIN, y + shelf_h + 2 * MARGIN)


def _stack(keys: list[str], sizes: dict[str, tuple[float, float]], limit: float,
           vertical: bool) -> tuple[dict[str, Box], float, float]:
    """Tables in name order, in columns no taller than ``limit`` (``vertical``) or rows no wider than it."""
    boxes: dict[str, Box] = {}
    along = across = line = 0.0  # along: position in the current column/row; across: where it starts
    for key in keys:
        w, h = sizes[key]
        length, thick = (h, w) if vertical else (w, h)
        if along and along + length > limit:
            along, across, line = 0.0, across + line + GAP_Y, 0.0
        boxes[key] = Box(across, along, w, h) if vertical else Box(along, across, w, h)
        along += length + GAP_Y
        line = max(line, thick)
    return boxes, max((b.x + b.w for b in boxes.values()), default=0.0), max(
        (b.y + b.h for b in boxes.values()), default=0.0)


def _obstacles(placed: Layout) -> list[Box]:
    """What a table without lines must keep clear of: tables, lines and the ON DELETE tags on them."""
    out = [Box(b.x - GAP_Y, b.y - GAP_Y, b.w + 2 * GAP_Y, b.h + 2 * GAP_Y) for b in placed.boxes.values()]
    for r in placed.routes.values():
        for (x1, y1), (x2, y2) in pairwise(r.points):
            out.append(Box(min(x1, x2) - PASS_GAP, min(y1, y2) - PASS_GAP, abs(x2 - x1) + 2 * PASS_GAP,
                           abs(y2 - y1) + 2 * PASS_GAP))
        sx, sy = r.points[0]
        out.append(Box(sx - TAG if r.source_side < 0 else sx, sy - 10, TAG, 20))
    return out


def _free_spot(placed: Layout, w: float, h: float) -> tuple[float, float] | None:
    """The top-left corner of an empty place for a ``w`` x ``h`` block inside the drawing, leftmost first."""
    obstacles = _obstacles(placed)
    for x in sorted({MARGIN} | {b.x for b in placed.boxes.values()}):
        if x + w > placed.width - MARGIN:
            continue
        taken = sorted((o.y, o.y + o.h) for o in obstacles if o.x < x + w and x < o.x + o.w)
        y = MARGIN
        for lo, hi in taken:
            if lo >= y + h:
                break
            y = max(y, hi)
        if y + h <= placed.height - MARGIN:
            return x, y
    return None


def _add_unlinked(placed: Layout, keys: list[str], sizes: dict[str, tuple[float, float]]) -> Layout:
    """Tables without any link, in name order, where they do not widen the picture: in an empty place of it
    if there is one, else a column of their own at the left or a row at the bottom, whichever leaves the
    drawing the larger on a 1440x900 screen's canvas."""
    inner_w, inner_h = placed.width - 2 * MARGIN, placed.height - 2 * MARGIN
    column, cw, ch = _stack(keys, sizes, max(inner_h, max(sizes[k][1] for k in keys)), vertical=True)
    spot = _free_spot(placed, cw, ch)
    if spot is not None:
        boxes = {k: Box(b.x + spot[0], b.y + spot[1], b.w, b.h) for k, b in column.items()}
        return Layout({**placed.boxes, **boxes}, placed.routes, placed.width, placed.height)
    row, rw, rh = _stack(keys, sizes, max(inner_w, max(sizes[k][0] for k in keys)), vertical=False)
    left = (placed.width + cw + GAP_COMPONENTS, max(placed.height, ch + 2 * MARGIN))
    below = (max(placed.width, rw + 2 * MARGIN), placed.height + rh + GAP_COMPONENTS)
    if min(SCREEN[0] / left[0], SCREEN[1] / left[1]) >= min(SCREEN[0] / below[0], SCREEN[1] / below[1]):
        dx = cw + GAP_COMPONENTS
        boxes = {k: Box(b.x + dx, b.y, b.w, b.h) for k, b in placed.boxes.items()}
        boxes |= {k: Box(b.x + MARGIN, b.y + MARGIN, b.w, b.h) for k, b in column.items()}
        return Layout(boxes, {i: r.moved(dx, 0.0) for i, r in placed.routes.items()}, *left)
    top = placed.height - MARGIN + GAP_COMPONENTS
    boxes = dict(placed.boxes) | {k: Box(b.x + MARGIN, b.y + top, b.w, b.h) for k, b in row.items()}
    return Layout(boxes, placed.routes, *below)


def layout(graph: Graph, *, most_layers: int | None = None) -> Layout:
    """``most_layers``: put the tables of a deep graph in at most that many columns (narrower, more lines)."""
    keys = [n.key for n in graph.nodes]
    nodes = {n.key: n for n in graph.nodes}
    sizes = {n.key: node_size(n) for n in graph.nodes}
    links: dict[str, set[str]] = {k: set() for k in keys}
    parents: dict[str, set[str]] = {k: set() for k in keys}
    edges = [e for e in graph.edges if e.source in links and e.target in links]
    for e in edges:
        if e.source != e.target:
            links[e.source].add(e.target)
            links[e.target].add(e.source)
            parents[e.source].add(e.target)
    with_lines = {e.source for e in edges}
    unlinked = sorted(k for k in keys if not links[k] and k not in with_lines)
    placed: list[tuple[dict[str, Box], dict[str, Route], float, float]] = []
    for comp in components([k for k in keys if k not in unlinked] or keys, links):
        members = set(comp)
        own = [e for e in edges if e.source in members]
        placed.append(_place_component(comp, own, parents, nodes, sizes, most_layers))
    drawn = _shelves(placed)
    return _add_unlinked(drawn, unlinked, sizes) if unlinked and len(unlinked) < len(keys) else drawn
