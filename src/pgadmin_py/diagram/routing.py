"""Orthogonal lines in the channels between the diagram's columns.

A line leaves its table's side at the row of its FK column, runs to a lane of the channel, vertically to
the row of the next column it meets (a slot between two tables, or the referenced column's row), and so on.
Each channel's lanes are ordered to cross the fewest other lines (several orders are tried and counted), and
the channel is as wide as its lanes need, so two lines never share a vertical stretch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

STUB = 34.0  # the straight piece at each end: the crow's foot and the ON DELETE tag sit on it
LANE = 6.0
MIN_CHANNEL = 110.0  # room for a tag between two columns
BUSY = 20  # a channel with more lines tries only the lane orders that win there (the count is quadratic)

Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Route:
    points: tuple[Point, ...]
    source_side: int  # -1: the line leaves the child's left side; 1: its right side
    target_side: int  # the same at the referenced table

    def moved(self, dx: float, dy: float) -> Route:
        return Route(tuple((x + dx, y + dy) for x, y in self.points), self.source_side, self.target_side)


@dataclass(frozen=True, slots=True)
class Wire:
    """One edge to route: its columns, the y it has at each column it meets, its tables' widths."""

    id: str
    source_col: int
    target_col: int
    ys: list[float]
    source_w: float
    target_w: float


@dataclass
class _Seg:
    wire: int
    y_from: float
    y_to: float
    side_from: int  # -1: the channel's left side (the column before it), 1: its right side
    side_to: int
    lane: int = -1
    horizontals: list[tuple[float, int]] = field(default_factory=list)
    lo: float = 0.0
    hi: float = 0.0
    straight: bool = False

    def __post_init__(self) -> None:
        self.horizontals = [(self.y_from, self.side_from), (self.y_to, self.side_to)]
        self.lo, self.hi = min(self.y_from, self.y_to), max(self.y_from, self.y_to)
        self.straight = self.side_from != self.side_to and abs(self.y_from - self.y_to) < 0.5


def _y_at(seg: _Seg, side: int) -> float:
    return seg.y_from if seg.side_from == side else seg.y_to


_KEYS: list[Callable[[_Seg], tuple[float, ...]]] = [
    lambda s: (_y_at(s, -1),), lambda s: (-_y_at(s, -1),), lambda s: (_y_at(s, 1),), lambda s: (-_y_at(s, 1),),
    lambda s: (float(_y_at(s, -1) > _y_at(s, 1)), _y_at(s, 1) * (1 if _y_at(s, -1) > _y_at(s, 1) else -1)),
    lambda s: (float(_y_at(s, -1) < _y_at(s, 1)), _y_at(s, 1) * (1 if _y_at(s, -1) > _y_at(s, 1) else -1)),
    lambda s: (s.hi - s.lo,), lambda s: (s.lo - s.hi,), lambda s: (s.lo,), lambda s: (-s.hi,),
]


def _crossings(segs: list[_Seg]) -> int:
    """Crossings inside one channel with the lanes as assigned; a horizontal lying on another counts twice."""
    bent = [(s.lane, s.lo, s.hi) for s in segs if not s.straight]
    count = 0
    for s in segs:
        if s.straight:
            y = s.y_from
            count += sum(1 for _, lo, hi in bent if lo < y < hi)
            continue
        for y, side in s.horizontals:
            if side < 0:
                count += sum(1 for lane, lo, hi in bent if lane < s.lane and lo < y < hi)
            else:
                count += sum(1 for lane, lo, hi in bent if lane > s.lane and lo < y < hi)
    ends = sorted((y, side, s.lane) for s in segs if not s.straight for y, side in s.horizontals)
    for i, (y, side, lane) in enumerate(ends):  # a horizontal running on (or within 2 px of) another
        for y2, side2, lane2 in ends[i + 1:]:
            if y2 - y >= 2.0:
                break
            if side != side2 and ((side < 0 and lane2 < lane) or (side > 0 and lane < lane2)):
                count += 2
    return count


def _assign(segs: list[_Seg], order: list[_Seg], compact: bool) -> int:
    lanes: list[list[_Seg]] = []
    for s in order:
        free = next((i for i, lane in enumerate(lanes) if compact and all(
            s.lo >= o.hi + LANE or s.hi <= o.lo - LANE for o in lane)), None)
        if free is None:
            lanes.append([])
            free = len(lanes) - 1
        lanes[free].append(s)
        s.lane = free
    return len(lanes)


def _lanes(segs: list[_Seg]) -> int:
    """Give every bent segment of a channel a lane; the number of lanes."""
    bent = [s for s in segs if not s.straight]
    if not bent:
        return 0
    best: tuple[int, int, list[int]] | None = None
    for key in _KEYS if len(bent) <= BUSY else _KEYS[4:6]:  # the two that win in busy channels
        for compact in (True, False):
            n = _assign(segs, sorted(bent, key=key), compact)
            score = (_crossings(segs), n, [s.lane for s in bent])
            if best is None or score[:2] < best[:2]:
                best = score
    assert best is not None
    for s, lane in zip(bent, best[2], strict=True):
        s.lane = lane
    return best[1]


def _segments(wires: list[Wire]) -> tuple[dict[int, list[_Seg]], list[list[tuple[int, _Seg]]]]:
    by_channel: dict[int, list[_Seg]] = {}
    per_wire: list[list[tuple[int, _Seg]]] = []
    for i, w in enumerate(wires):
        a, b, ys = w.source_col, w.target_col, list(w.ys)
        if a > b:
            channels, sides = list(range(a, b, -1)), (1, -1)
        elif a < b:
            channels, sides = list(range(a + 1, b + 1)), (-1, 1)
        else:
            channels, sides = [a + 1], (-1, -1)
            if abs(ys[0] - ys[1]) < 1:  # a table whose key points at its own row: a small loop
                ys = [ys[0] - 3, ys[1] + 3]
        mine = []
        for j, ch in enumerate(channels):
            seg = _Seg(i, ys[j], ys[j + 1], *sides)
            by_channel.setdefault(ch, []).append(seg)
            mine.append((ch, seg))
        per_wire.append(mine)
    return by_channel, per_wire


def _simplify(points: list[Point]) -> tuple[Point, ...]:
    out: list[Point] = []
    for p in points:
        if out and abs(out[-1][0] - p[0]) < 0.05 and abs(out[-1][1] - p[1]) < 0.05:
            continue
        if len(out) >= 2 and ((abs(out[-2][0] - out[-1][0]) < 0.05 and abs(out[-1][0] - p[0]) < 0.05)
                              or (abs(out[-2][1] - out[-1][1]) < 0.05 and abs(out[-1][1] - p[1]) < 0.05)):
            out[-1] = p
            continue
        out.append(p)
    return tuple(out)


def route(wires: list[Wire], widths: list[float]) -> tuple[list[float], dict[str, Route], float]:
    """Columns' x (from the channels' widths), every wire's line, and the total width."""
    n = len(widths)
    by_channel, per_wire = _segments(wires)
    lanes = {ch: _lanes(segs) for ch, segs in by_channel.items()}
    channel_w = [0.0] + [max(MIN_CHANNEL if ch < n else 0.0, 2 * STUB + max(lanes.get(ch, 0) - 1, 0) * LANE)
                         if ch < n or lanes.get(ch) else 0.0 for ch in range(1, n + 1)]
    xs = [0.0]
    for c in range(1, n):
        xs.append(xs[c - 1] + widths[c - 1] + channel_w[c])

    def lane_x(ch: int, lane: int) -> float:
        left = xs[ch - 1] + widths[ch - 1]
        return left + (channel_w[ch] - (lanes[ch] - 1) * LANE) / 2 + lane * LANE

    routes: dict[str, Route] = {}
    for w, mine in zip(wires, per_wire, strict=True):
        a, b = w.source_col, w.target_col
        source_side, target_side = (-1 if a > b else 1), (1 if a >= b else -1)
        points: list[Point] = [(xs[a] + (w.source_w if source_side > 0 else 0.0), mine[0][1].y_from)]
        for ch, seg in mine:
            if not seg.straight:
                points += [(lane_x(ch, seg.lane), seg.y_from), (lane_x(ch, seg.lane), seg.y_to)]
        points.append((xs[b] + (w.target_w if target_side > 0 else 0.0), mine[-1][1].y_to))
        routes[w.id] = Route(_simplify(points), source_side, target_side)
    return xs, routes, xs[-1] + widths[-1] + channel_w[n]
