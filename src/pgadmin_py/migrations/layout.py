"""Lane layout of the revision graph, drawn server-side as SVG next to an HTML list of revisions.

One revision per row (newest first), each in a lane (column). The classic ``git log --graph`` sweep:
walking down the rows, every lane remembers which revision it is waiting for; a revision takes the
leftmost lane waiting for it (other lanes waiting for it end there: a branch point), its first parent
continues in that lane and further parents (a merge) open new lanes. Linear in revisions x lanes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

ROW_HEIGHT = 44
LANE_WIDTH = 18
PAD = 12


@dataclass(frozen=True, slots=True)
class Edge:
    child: str
    parent: str
    path: str  # SVG path data
    lane: int
    dashed: bool = False  # depends_on rather than down_revision


@dataclass(frozen=True, slots=True, eq=False)
class Layout:
    """Equal (and hashed) by content, so the drawn graph can be memoized (web/fragments.py)."""

    cells: dict[str, tuple[int, int]]  # revision -> (row, lane)
    edges: tuple[Edge, ...]
    lanes: int
    rows: int

    def _content(self) -> tuple[object, ...]:
        return (tuple(self.cells.items()), self.edges, self.lanes, self.rows)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Layout) and (self is other or self._content() == other._content())

    def __hash__(self) -> int:
        return hash(self._content())

    @property
    def width(self) -> int:
        return PAD * 2 + max(self.lanes - 1, 0) * LANE_WIDTH

    @property
    def height(self) -> int:
        return self.rows * ROW_HEIGHT

    def x(self, rev: str) -> int:
        return x_of(self.cells[rev][1])

    def y(self, rev: str) -> int:
        return y_of(self.cells[rev][0])


def x_of(lane: int) -> int:
    return PAD + lane * LANE_WIDTH


def y_of(row: int) -> int:
    return row * ROW_HEIGHT + ROW_HEIGHT // 2


def _free_lane(lanes: list[str | None], avoid: int = -1) -> int:
    for i, waiting in enumerate(lanes):
        if waiting is None and i != avoid:
            return i
    lanes.append(None)
    return len(lanes) - 1


def _path(c_row: int, c_lane: int, lane: int, p_row: int, p_lane: int) -> str:
    """Leave the child into ``lane``, run down it, and enter the parent's lane in the row above it."""
    half = ROW_HEIGHT // 2
    x0, y0 = x_of(c_lane), y_of(c_row)
    x1, y1 = x_of(lane), y_of(p_row)
    xp = x_of(p_lane)
    if p_row - c_row <= 1 or c_lane == lane == p_lane:
        if x0 == xp:
            return f"M{x0} {y0} L{xp} {y1}"
        return f"M{x0} {y0} C{x0} {y0 + half} {xp} {y1 - half} {xp} {y1}"
    parts = [f"M{x0} {y0}"]
    cur = y0
    if lane != c_lane:
        cur = y0 + ROW_HEIGHT
        parts.append(f"C{x0} {y0 + half} {x1} {y0 + half} {x1} {cur}")
    end = y1 - ROW_HEIGHT if p_lane != lane else y1
    if end > cur:
        parts.append(f"L{x1} {end}")
        cur = end
    if p_lane != lane:
        parts.append(f"C{x1} {cur + half} {xp} {y1 - half} {xp} {y1}")
    return " ".join(parts)


def layout(order: Sequence[str], parents: Mapping[str, Sequence[str]],
           depends_on: Mapping[str, Sequence[str]] | None = None) -> Layout:
    """Place ``order`` (children before parents) in rows and lanes; route every parent edge."""
    lanes: list[str | None] = []
    cells: dict[str, tuple[int, int]] = {}
    pending: list[tuple[str, str, int]] = []  # (child, parent, lane the edge travels in)
    known = set(order)
    width = 0
    for row, rev in enumerate(order):
        waiting = [i for i, w in enumerate(lanes) if w == rev]
        lane = waiting[0] if waiting else _free_lane(lanes)
        for other in waiting[1:]:
            lanes[other] = None
        lanes[lane] = None
        cells[rev] = (row, lane)
        for index, parent in enumerate(p for p in parents.get(rev, ()) if p in known):
            already = [i for i, w in enumerate(lanes) if w == parent]
            if index == 0:
                travel = lane  # the first parent continues straight down; lanes meet at the parent's row
            elif already:
                travel = already[0]
            else:
                travel = _free_lane(lanes, avoid=lane)
            lanes[travel] = parent
            pending.append((rev, parent, travel))
        while lanes and lanes[-1] is None:
            lanes.pop()
        width = max(width, len(lanes), lane + 1)
    edges = []
    for child, parent, travel in pending:
        (c_row, c_lane), (p_row, p_lane) = cells[child], cells[parent]
        edges.append(Edge(child, parent, _path(c_row, c_lane, travel, p_row, p_lane), travel))
    for child, deps in (depends_on or {}).items():
        for dep in deps:
            if dep in cells and child in cells:
                (c_row, c_lane), (d_row, d_lane) = cells[child], cells[dep]
                x0, y0, x1, y1 = x_of(c_lane), y_of(c_row), x_of(d_lane), y_of(d_row)
                bend = x_of(width) - LANE_WIDTH // 2
                edges.append(Edge(child, dep, f"M{x0} {y0} C{bend} {y0} {bend} {y1} {x1} {y1}", -1, dashed=True))
    return Layout(cells, tuple(edges), max(width, 1), len(order))
