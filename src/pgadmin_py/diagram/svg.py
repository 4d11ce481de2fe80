"""Draw a laid-out graph as SVG: tables with their columns, FK edges with crow's-foot ends and the
ON DELETE rule written on the edge.

No ``style=`` attributes (the page's CSP forbids them): colours are presentation attributes (the
light palette, what a downloaded file shows) and classes, which the page's CSS re-colours per theme.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pgadmin_py.diagram.graph import GROUP_EDGE, Edge, Graph, Node
from pgadmin_py.diagram.layout import CHAR, Box, Layout, short_type
from pgadmin_py.diagram.params import DiagramParams
from pgadmin_py.diagram.routing import Route

FONT = "DejaVu Sans Mono, Menlo, Consolas, monospace"
RULE_CLASS = {"CASCADE": "cascade", "SET NULL": "setnull", "SET DEFAULT": "setnull", "RESTRICT": "restrict"}
RULE_COLOUR = {"cascade": "#c92a2a", "setnull": "#b7791f", "restrict": "#6b7280", "noaction": "#8a90a0",
               "model": "#7048e8"}


@dataclass(frozen=True, slots=True)
class Links:
    table: Callable[[Node], str] | None  # None: no links (a downloaded file)
    edge: Callable[[Edge], str] | None = None  # None: no edge links (a downloaded file)
    view: Callable[[DiagramParams], str] | None = None  # another diagram (a group of tables): its page


def _a(value: str) -> str:
    from xml.sax.saxutils import quoteattr  # with urllib.request: 0.6 MiB, imported when a diagram is drawn

    return quoteattr(value)


def _t(value: str) -> str:
    from xml.sax.saxutils import escape

    return escape(value)


def _node(node: Node, box: Box, links: Links, focus: str | None) -> str:
    classes = ["er-table"] + (["er-drift"] if node.drift else []) + (["er-focus"] if node.key == focus else [])
    stroke = "#d9480f" if node.drift else ("#7048e8" if node.key == focus else "#c3c7d1")
    x, y, w, h = box.x, box.y, box.w, box.h
    title = node.label + (f" (model {node.model})" if node.model else "") + (
        " — the model differs from the database" if node.drift else "")
    opener = (f'<a class={_a(" ".join(classes))} href={_a(links.table(node))} data-table={_a(node.key)}>'
              if links.table is not None else f'<g class={_a(" ".join(classes))} data-table={_a(node.key)}>')
    out = [opener, f"<title>{_t(title)}{' — open its rows' if links.table is not None else ''}</title>",
           f'<rect class="er-box" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="6" fill="#ffffff" '
           f'stroke="{stroke}" stroke-width="{2 if node.drift or node.key == focus else 1}"'
           + (' stroke-dasharray="5 3"' if node.drift else "") + "/>",
           f'<path class="er-head" d="M{x:.1f},{y + 30:.1f} V{y + 6:.1f} a6,6 0 0 1 6,-6 H{x + w - 6:.1f} '
           f'a6,6 0 0 1 6,6 V{y + 30:.1f} Z" fill="#eef0fb"/>',
           f'<text class="er-name" x="{x + 10:.1f}" y="{y + 19.5:.1f}" font-weight="600" font-size="12.5" '
           f'fill="#1f2330">{_t(node.label)}']
    if node.model and node.model != node.name:
        out.append(f'<tspan class="er-model" fill="#7048e8" font-weight="400"> · {_t(node.model)}</tspan>')
    out.append("</text>")
    if node.drift:
        out.append(f'<text class="er-drift-mark" x="{x + w - 10:.1f}" y="{y + 19.5:.1f}" text-anchor="end" '
                   f'font-size="12" fill="#d9480f">drift</text>')
    for i, col in enumerate(node.columns):
        cy = box.row_y(i) + 4
        mark, mark_cls, colour = ("PK", "er-pk", "#b7791f") if col.primary_key else (
            ("FK", "er-fk", "#4c6ef5") if col.foreign_key else ("", "", ""))
        if mark:
            out.append(f'<text class="{mark_cls}" x="{x + 8:.1f}" y="{cy:.1f}" font-size="12" font-weight="700" '
                       f'fill="{colour}">{mark}</text>')
        out.append(f'<text class="er-col{" er-null" if col.nullable else ""}" x="{x + 30:.1f}" y="{cy:.1f}" '
                   f'font-size="12" fill="#30343f">{_t(col.name)}</text>')
        out.append(f'<text class="er-type" x="{x + w - 8:.1f}" y="{cy:.1f}" font-size="12" text-anchor="end" '
                   f'fill="#7a7f8c">{_t(short_type(col.type_name))}</text>')
    if node.hidden_columns:
        cy = box.row_y(len(node.columns)) + 4
        out.append(f'<text class="er-more" x="{x + 30:.1f}" y="{cy:.1f}" font-size="12" fill="#7a7f8c">'
                   f"+ {node.hidden_columns} more columns</text>")
    out.append("</a>" if links.table is not None else "</g>")
    return "\n".join(out)


def _glyph_one(x: float, y: float, d: float, optional: bool) -> str:
    """|| (exactly one) or o| (zero or one) at the parent end; ``d`` is the direction away from the box."""
    bar = f"M{x + 8 * d:.1f},{y - 6:.1f} V{y + 6:.1f} "
    if optional:
        return bar + f"M{x + 20 * d:.1f},{y:.1f} m-4,0 a4,4 0 1 0 8,0 a4,4 0 1 0 -8,0 "
    return bar + f"M{x + 13 * d:.1f},{y - 6:.1f} V{y + 6:.1f} "


def _glyph_many(x: float, y: float, d: float, unique: bool) -> str:
    """o< (zero or many) or o| (zero or one) at the child end."""
    circle = f"M{x + 20 * d:.1f},{y:.1f} m-4,0 a4,4 0 1 0 8,0 a4,4 0 1 0 -8,0 "
    if unique:
        return f"M{x + 8 * d:.1f},{y - 6:.1f} V{y + 6:.1f} " + circle
    return (f"M{x:.1f},{y - 7:.1f} L{x + 12 * d:.1f},{y:.1f} L{x:.1f},{y + 7:.1f} "
            f"M{x + 12 * d:.1f},{y - 6:.1f} V{y + 6:.1f} ") + circle.replace(f"M{x + 20 * d:.1f}", f"M{x + 22 * d:.1f}")


def _edge(edge: Edge, route: Route, links: Links) -> tuple[str, str]:
    """The line with its crow's-foot ends, and its ON DELETE tag (drawn later, above every line).

    The line is the route's orthogonal polyline: it starts at the FK column's row of the child and ends at the
    referenced column's row of the parent."""
    (sx, sy), (ex, ey) = route.points[0], route.points[-1]
    rule = "model" if edge.from_model else RULE_CLASS.get(edge.on_delete, "noaction")
    colour = RULE_COLOUR[rule]
    path = "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in route.points)
    label = "relationship" if edge.from_model else ("" if edge.on_delete == "NO ACTION" else edge.on_delete)
    cols = ", ".join(edge.columns)
    title = (f"{edge.name}: {edge.source}({cols}) → {edge.target}({', '.join(edge.ref_columns)}), "
             f"ON DELETE {edge.on_delete}, ON UPDATE {edge.on_update}, {edge.cardinality}"
             if not edge.from_model else f"{edge.name}: a relationship in the models with no foreign key")
    if edge.id.startswith(GROUP_EDGE):  # a line of the overview of groups (diagram.groups)
        title = f"{edge.name} from the tables of group {edge.source} to those of group {edge.target}"
    dash = ' stroke-dasharray="6 4"' if edge.from_model else ""
    data = (f"data-edge={_a(edge.id)} data-from={_a(edge.source)} data-to={_a(edge.target)} "
            f"data-columns={_a(','.join(edge.columns))} data-ref-columns={_a(','.join(edge.ref_columns))} "
            f'data-sides="{route.source_side},{route.target_side}"')
    if links.edge is not None:
        opener = f'<a class="er-edge er-{rule}" href={_a(links.edge(edge))} {data}>'
    else:
        opener = f'<g class="er-edge er-{rule}" {data}>'
    closer = "</a>" if links.edge is not None else "</g>"
    line = [opener, f"<title>{_t(title)}</title>",
            f'<path class="er-hit" d="{path}" fill="none" stroke="transparent" stroke-width="12"/>',
            f'<path class="er-line" d="{path}" fill="none" stroke="{colour}" stroke-width="1.4" '
            f'stroke-linejoin="round"{dash}/>',
            f'<path class="er-ends er-end-from" d="{_glyph_many(sx, sy, route.source_side, edge.child_unique)}" '
            f'fill="none" stroke="{colour}" stroke-width="1.4"/>',
            f'<path class="er-ends er-end-to" d="{_glyph_one(ex, ey, route.target_side, edge.optional)}" '
            f'fill="none" stroke="{colour}" stroke-width="1.4"/>', closer]
    if not label:
        return "\n".join(line), ""
    width = len(label) * 7.3 + 10
    mx = sx + route.source_side * (30 + width / 2)
    tag = [opener.replace(data, f"data-edge={_a(edge.id)}"), f"<title>{_t(title)}</title>",
           f'<rect class="er-label-bg" x="{mx - width / 2:.1f}" y="{sy - 8:.1f}" width="{width:.1f}" '
           f'height="16" rx="3" fill="#ffffff" stroke="{colour}" stroke-width="0.8"/>',
           f'<text class="er-label" x="{mx:.1f}" y="{sy + 3.5:.1f}" text-anchor="middle" font-size="12" '
           f'fill="{colour}">{_t(label)}</text>', closer]
    return "\n".join(line), "\n".join(tag)


def render_svg(graph: Graph, layout: Layout, links: Links, *, title: str, standalone: bool = False) -> str:
    """The diagram as an ``<svg>`` element (``standalone``: a complete file with an XML prolog)."""
    w, h = max(layout.width, 200.0), max(layout.height, 120.0)
    head = '<?xml version="1.0" encoding="UTF-8"?>\n' if standalone else ""
    out = [head + f'<svg xmlns="http://www.w3.org/2000/svg" class="er" width="{w:.0f}" height="{h:.0f}" '
           f'viewBox="0 0 {w:.0f} {h:.0f}" font-family={_a(FONT)} role="img" aria-label={_a(title)}>',
           f"<title>{_t(title)}</title>"]
    if standalone:
        out.append(f'<rect x="0" y="0" width="{w:.0f}" height="{h:.0f}" fill="#f7f8fb"/>')
    drawn = [_edge(e, layout.routes[e.id], links) for e in graph.edges if e.id in layout.routes]
    out.append('<g class="er-edges">')
    out += [line for line, _ in drawn]
    out.append('</g>\n<g class="er-labels">')
    out += [tag for _, tag in drawn if tag]
    out.append('</g>\n<g class="er-nodes">')
    out += [_node(n, layout.boxes[n.key], links, graph.focus) for n in graph.nodes]
    out.append("</g>\n</svg>")
    return "\n".join(out)


def text_width(text: str) -> float:
    return len(text) * CHAR
