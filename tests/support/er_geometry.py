"""Geometry of a drawn ER diagram, read back from its SVG: what a reader would see.

- ``intersections``: (edge, table) pairs where an edge's line passes through a table box it does not connect.
- ``crossings``: points where two edges' lines cross (two lines meeting at a shared port are not a crossing).
- ``overlaps``: two lines running along each other (collinear for more than a few px), which would make one
  look like the other; lines that share an end (several FKs into one key) may merge there.
- ``misplaced_ends``: edges whose end does not sit on the box side at the row of its FK column (child end) or
  of the referenced column (parent end).

Paths are read from ``M``/``L``/``H``/``V`` commands (straight segments) and ``C`` (sampled), so the same
measure applies to any drawing the diagram has ever made.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from itertools import pairwise

NS = "{http://www.w3.org/2000/svg}"
Point = tuple[float, float]
Segment = tuple[Point, Point]


@dataclass(frozen=True)
class Table:
    key: str
    x: float
    y: float
    w: float
    h: float
    rows: dict[str, float]  # column name -> the row's vertical centre


@dataclass(frozen=True)
class Line:
    id: str
    source: str
    target: str
    columns: tuple[str, ...]
    ref_columns: tuple[str, ...]
    points: tuple[Point, ...]

    @property
    def segments(self) -> list[Segment]:
        return list(pairwise(self.points))


@dataclass
class Measure:
    tables: dict[str, Table]
    lines: list[Line]
    intersections: list[tuple[str, str]] = field(default_factory=list)
    crossings: int = 0
    overlaps: list[tuple[str, str]] = field(default_factory=list)  # lines running on top of each other
    misplaced_ends: list[str] = field(default_factory=list)


def _num(el: ET.Element, name: str) -> float:
    return float(el.get(name, "0"))


def _cubic(p0: Point, p1: Point, p2: Point, p3: Point, steps: int = 24) -> list[Point]:
    out = []
    for i in range(1, steps + 1):
        t = i / steps
        a, b, c, d = (1 - t) ** 3, 3 * t * (1 - t) ** 2, 3 * t * t * (1 - t), t ** 3
        out.append((a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0], a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1]))
    return out


def path_points(d: str) -> list[Point]:
    tokens = re.findall(r"[MLHVCZmlhvcz]|-?\d+(?:\.\d+)?", d)
    pts: list[Point] = []
    i, cmd = 0, ""
    while i < len(tokens):
        if tokens[i].isalpha():
            cmd = tokens[i]
            i += 1
            continue
        nums = tokens[i:]
        if cmd in "ML":
            pts.append((float(nums[0]), float(nums[1])))
            i += 2
        elif cmd == "H":
            pts.append((float(nums[0]), pts[-1][1]))
            i += 1
        elif cmd == "V":
            pts.append((pts[-1][0], float(nums[0])))
            i += 1
        elif cmd == "C":
            c = [float(n) for n in nums[:6]]
            pts += _cubic(pts[-1], (c[0], c[1]), (c[2], c[3]), (c[4], c[5]))
            i += 6
        else:
            raise ValueError(f"unsupported path command {cmd!r} in {d!r}")
    return pts


def read(svg: str) -> Measure:
    root = ET.fromstring(svg.split("?>", 1)[-1] if svg.startswith("<?xml") else svg)
    tables: dict[str, Table] = {}
    lines: list[Line] = []
    for el in root.iter():
        key = el.get("data-table")
        if key:
            rect = next(r for r in el.iter(f"{NS}rect") if "er-box" in (r.get("class") or ""))
            rows = {t.text or "": _num(t, "y") - 4 for t in el.iter(f"{NS}text")
                    if "er-col" in (t.get("class") or "").split()}
            tables[key] = Table(key, _num(rect, "x"), _num(rect, "y"), _num(rect, "width"), _num(rect, "height"),
                                rows)
        edge = el.get("data-edge")
        if edge and el.get("data-from"):
            line = next(p for p in el.iter(f"{NS}path") if "er-line" in (p.get("class") or ""))
            lines.append(Line(edge, el.get("data-from", ""), el.get("data-to", ""),
                              tuple(c for c in el.get("data-columns", "").split(",") if c),
                              tuple(c for c in el.get("data-ref-columns", "").split(",") if c),
                              tuple(path_points(line.get("d", "")))))
    return Measure(tables, lines)


def _hits_box(seg: Segment, t: Table, inset: float = 1.0) -> bool:
    """Liang-Barsky: does the segment enter the box (shrunk by ``inset`` so touching a side is not entering)?"""
    (x0, y0), (x1, y1) = seg
    lo, hi = 0.0, 1.0
    dx, dy = x1 - x0, y1 - y0
    for p, q in ((-dx, x0 - (t.x + inset)), (dx, t.x + t.w - inset - x0),
                 (-dy, y0 - (t.y + inset)), (dy, t.y + t.h - inset - y0)):
        if p == 0:
            if q < 0:
                return False
        else:
            r = q / p
            if p < 0:
                lo = max(lo, r)
            else:
                hi = min(hi, r)
            if lo > hi:
                return False
    return True


def _cross(a: Segment, b: Segment) -> Point | None:
    """The point where two segments properly cross (each passes through the other's interior)."""
    (x1, y1), (x2, y2) = a
    (x3, y3), (x4, y4) = b
    den = (x1 - x2) * (y3 - y4) - (y1 - y2) * (x3 - x4)
    if abs(den) < 1e-9:
        return None
    t = ((x1 - x3) * (y3 - y4) - (y1 - y3) * (x3 - x4)) / den
    u = ((x1 - x3) * (y1 - y2) - (y1 - y3) * (x1 - x2)) / den
    eps = 1e-6
    if eps < t < 1 - eps and eps < u < 1 - eps:
        return x1 + t * (x2 - x1), y1 + t * (y2 - y1)
    return None


def _on_row(point: Point, table: Table, column: str) -> bool:
    x, y = point
    on_side = abs(x - table.x) <= 1.5 or abs(x - (table.x + table.w)) <= 1.5
    row = table.rows.get(column)
    return on_side and row is not None and abs(y - row) <= 4.0


def measure(svg: str) -> Measure:
    m = read(svg)
    for line in m.lines:
        for seg in line.segments:
            for t in m.tables.values():
                if t.key not in (line.source, line.target) and _hits_box(seg, t):
                    m.intersections.append((line.id, t.key))
        if line.columns and not (_on_row(line.points[0], m.tables[line.source], line.columns[0])
                                 and _on_row(line.points[-1], m.tables[line.target], line.ref_columns[0])):
            m.misplaced_ends.append(line.id)
    m.intersections = sorted(set(m.intersections))
    for i, a in enumerate(m.lines):
        for b in m.lines[i + 1:]:
            m.crossings += sum(1 for sa in a.segments for sb in b.segments if _cross(sa, sb) is not None)
            shared = {a.points[0], a.points[-1]} & {b.points[0], b.points[-1]}
            if not shared and any(_overlap(sa, sb) > 2.0 for sa in a.segments for sb in b.segments):
                m.overlaps.append((a.id, b.id))
    return m


def _overlap(a: Segment, b: Segment) -> float:
    """How long two axis-parallel segments run on one line (0 when they are not collinear)."""
    (ax0, ay0), (ax1, ay1) = a
    (bx0, by0), (bx1, by1) = b
    if abs(ay0 - ay1) < 0.01 and abs(by0 - by1) < 0.01 and abs(ay0 - by0) < 0.5:
        return min(max(ax0, ax1), max(bx0, bx1)) - max(min(ax0, ax1), min(bx0, bx1))
    if abs(ax0 - ax1) < 0.01 and abs(bx0 - bx1) < 0.01 and abs(ax0 - bx0) < 0.5:
        return min(max(ay0, ay1), max(by0, by1)) - max(min(ay0, ay1), min(by0, by1))
    return 0.0
