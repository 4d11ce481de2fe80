"""A layered layout, written for ER diagrams: referenced tables on the left, the tables that point at
them to the right, one column per layer, components packed on shelves.

No overlaps by construction: nodes are stacked inside columns with a gap, columns are placed side by
side, components and lone tables are packed into rows that never intersect. Tall layers wrap into
several columns so a star schema with 60 children stays readable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pgadmin_py.diagram.graph import Graph, Node

HEADER = 30.0
ROW = 20.0
PAD_BOTTOM = 6.0
GAP_X = 110.0  # room for edge labels between columns
GAP_Y = 28.0
MARGIN = 24.0
MAX_COLUMN_HEIGHT = 1500.0
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


def _components(keys: list[str], links: dict[str, set[str]]) -> list[list[str]]:
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

    for key in comp:  # iterative deepening is not needed: ER graphs are shallow (recursion depth = chain length)
        visit(key)
    return layer


def _order(columns: list[list[str]], links: dict[str, set[str]]) -> None:
    """Barycentre sweeps: put each table near the tables it is linked to in the previous column."""
    for _ in range(4):
        for i in range(1, len(columns)):
            pos = {k: j for j, k in enumerate(columns[i - 1])}
            columns[i].sort(key=lambda k: _bary(k, pos, links))
        for i in range(len(columns) - 2, -1, -1):
            pos = {k: j for j, k in enumerate(columns[i + 1])}
            columns[i].sort(key=lambda k: _bary(k, pos, links))


def _bary(key: str, pos: dict[str, int], links: dict[str, set[str]]) -> float:
    near = [pos[k] for k in links[key] if k in pos]
    return sum(near) / len(near) if near else math.inf


def _place_component(comp: list[str], layer: dict[str, int], sizes: dict[str, tuple[float, float]],
                     links: dict[str, set[str]]) -> tuple[dict[str, Box], float, float]:
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
    _order(columns, links)
    heights = [sum(sizes[k][1] for k in col) + GAP_Y * (len(col) - 1) for col in columns]
    total_h = max(heights)
    boxes: dict[str, Box] = {}
    x = 0.0
    for col, col_h in zip(columns, heights, strict=True):
        width = max(sizes[k][0] for k in col)
        y = (total_h - col_h) / 2
        for key in col:
            w, h = sizes[key]
            boxes[key] = Box(x, y, w, h)
            y += h + GAP_Y
        x += width + GAP_X
    return boxes, x - GAP_X, total_h


def layout(graph: Graph) -> Layout:
    keys = [n.key for n in graph.nodes]
    sizes = {n.key: node_size(n) for n in graph.nodes}
    links: dict[str, set[str]] = {k: set() for k in keys}
    parents: dict[str, set[str]] = {k: set() for k in keys}
    for e in graph.edges:
        if e.source in links and e.target in links and e.source != e.target:
            links[e.source].add(e.target)
            links[e.target].add(e.source)
            parents[e.source].add(e.target)
    placed: list[tuple[dict[str, Box], float, float]] = []
    lonely: list[str] = []
    for comp in _components(keys, links):
        if len(comp) == 1:
            lonely.append(comp[0])
            continue
        placed.append(_place_component(comp, _layers(comp, parents), sizes, links))
    placed.sort(key=lambda p: -(p[1] * p[2]))
    for key in lonely:
        w, h = sizes[key]
        placed.append(({key: Box(0, 0, w, h)}, w, h))
    area = sum((w + GAP_X) * (h + GAP_Y) for _, w, h in placed)
    target = max([w for _, w, _ in placed] + [math.sqrt(area) * 1.6, 600.0])
    boxes: dict[str, Box] = {}
    x = y = shelf_h = 0.0
    width = 0.0
    for comp_boxes, w, h in placed:
        if x > 0 and x + w > target:
            x, y, shelf_h = 0.0, y + shelf_h + GAP_Y * 2, 0.0
        for key, b in comp_boxes.items():
            boxes[key] = Box(MARGIN + x + b.x, MARGIN + y + b.y, b.w, b.h)
        x += w + GAP_X
        shelf_h = max(shelf_h, h)
        width = max(width, x - GAP_X)
    return Layout(boxes, width + 2 * MARGIN, y + shelf_h + 2 * MARGIN)
