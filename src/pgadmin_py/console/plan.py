"""Turn PostgreSQL's ``EXPLAIN (FORMAT JSON)`` output into a tree the page can draw. Pure: no I/O.

Per node: inclusive and exclusive ("self") time, rows estimated vs actual (a misestimate is a factor
of 10 or more either way), buffers, and whether it is among the most expensive nodes of the plan.
Without ANALYZE the cost stands in for time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MISESTIMATE_FACTOR = 10.0
HOT_NODES = 3
HOT_SHARE = 0.10  # a node must take at least this share of the total to be marked

_DETAIL_KEYS = ("Join Type", "Strategy", "Index Cond", "Recheck Cond", "Hash Cond", "Merge Cond", "Join Filter",
                "Filter", "Rows Removed by Filter", "Rows Removed by Join Filter", "Sort Key", "Sort Method",
                "Sort Space Used", "Group Key", "Heap Fetches", "Workers Planned", "Workers Launched", "Output",
                "Subplan Name", "CTE Name", "Function Name", "Batches", "Peak Memory Usage")


@dataclass(slots=True)
class PlanNode:
    node_type: str
    title: str
    details: list[tuple[str, str]]
    startup_cost: float
    total_cost: float
    plan_rows: float
    actual_rows: float | None  # per loop, as PostgreSQL reports it
    loops: int | None
    total_ms: float | None  # inclusive, all loops
    self_ms: float | None = None
    self_cost: float = 0.0
    share: float = 0.0  # of the plan's total (time with ANALYZE, cost without)
    hot: bool = False
    buffers: dict[str, int] = field(default_factory=dict)
    children: list[PlanNode] = field(default_factory=list)
    parent_relationship: str = ""
    never_executed: bool = False

    @property
    def misestimate(self) -> float | None:
        """The factor between estimated and actual rows when it is at least MISESTIMATE_FACTOR."""
        if self.actual_rows is None or self.never_executed:
            return None
        est, act = max(self.plan_rows, 1.0), max(self.actual_rows, 1.0)
        factor = max(est, act) / min(est, act)
        return factor if factor >= MISESTIMATE_FACTOR else None

    @property
    def underestimated(self) -> bool:
        return self.actual_rows is not None and self.actual_rows > self.plan_rows


@dataclass(frozen=True, slots=True)
class Plan:
    root: PlanNode
    analyzed: bool
    planning_ms: float | None
    execution_ms: float | None
    nodes: int
    hot: tuple[PlanNode, ...]
    triggers: tuple[tuple[str, float, int], ...] = ()

    def walk(self) -> list[PlanNode]:
        out: list[PlanNode] = []
        stack = [self.root]
        while stack:
            node = stack.pop()
            out.append(node)
            stack.extend(reversed(node.children))
        return out


def parse_plan(document: Any) -> Plan:
    """``document`` is the parsed JSON of one EXPLAIN: a list holding one object with a ``Plan``."""
    top = document[0] if isinstance(document, list) else document
    root = _node(top["Plan"])
    analyzed = root.total_ms is not None
    nodes = _all(root)
    for node in nodes:
        child_ms = sum(c.total_ms or 0.0 for c in node.children)
        child_cost = sum(c.total_cost for c in node.children)
        node.self_cost = max(0.0, node.total_cost - child_cost)
        if node.total_ms is not None:
            node.self_ms = max(0.0, node.total_ms - child_ms)
    whole = sum((n.self_ms or 0.0) for n in nodes) if analyzed else sum(n.self_cost for n in nodes)
    for node in nodes:
        part = (node.self_ms or 0.0) if analyzed else node.self_cost
        node.share = part / whole if whole > 0 else 0.0
    ranked = sorted(nodes, key=lambda n: n.share, reverse=True)
    hot = tuple(n for n in ranked[:HOT_NODES] if n.share >= HOT_SHARE)
    for node in hot:
        node.hot = True
    triggers = tuple((str(t.get("Trigger Name", "")), float(t.get("Time", 0.0)), int(t.get("Calls", 0)))
                     for t in top.get("Triggers", []))
    return Plan(root, analyzed, _float(top.get("Planning Time")), _float(top.get("Execution Time")), len(nodes),
                hot, triggers)


def _all(root: PlanNode) -> list[PlanNode]:
    out = [root]
    for child in root.children:
        out.extend(_all(child))
    return out


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) else None


def node_title(raw: dict[str, Any]) -> str:
    title = str(raw.get("Node Type", "?"))
    if raw.get("Parallel Aware"):
        title = f"Parallel {title}"
    if raw.get("Scan Direction") == "Backward":
        title += " Backward"
    if index := raw.get("Index Name"):
        title += f" using {index}"
    if relation := raw.get("Relation Name"):
        schema = raw.get("Schema")
        title += f" on {schema + '.' if schema else ''}{relation}"
        alias = raw.get("Alias")
        if alias and alias != relation:
            title += f" {alias}"
    elif cte := raw.get("CTE Name"):
        title += f" on {cte}"
    if raw.get("Node Type") == "ModifyTable" and raw.get("Operation"):
        title = title.replace("ModifyTable", str(raw["Operation"]), 1)
    return title


def _node(raw: dict[str, Any]) -> PlanNode:
    loops = raw.get("Actual Loops")
    actual_total = _float(raw.get("Actual Total Time"))
    never = loops == 0
    total_ms = actual_total * int(loops) if actual_total is not None and loops is not None else None
    if never:
        total_ms = 0.0
    buffers = {key.replace(" Blocks", "").lower(): int(raw[key]) for key in (
        "Shared Hit Blocks", "Shared Read Blocks", "Shared Dirtied Blocks", "Shared Written Blocks",
        "Temp Read Blocks", "Temp Written Blocks", "Local Hit Blocks", "Local Read Blocks") if raw.get(key)}
    details = []
    for key in _DETAIL_KEYS:
        if key in raw and raw[key] not in (None, "", []):
            value = raw[key]
            details.append((key, ", ".join(map(str, value)) if isinstance(value, list) else str(value)))
    return PlanNode(
        node_type=str(raw.get("Node Type", "?")),
        title=node_title(raw),
        details=details,
        startup_cost=float(raw.get("Startup Cost", 0.0)),
        total_cost=float(raw.get("Total Cost", 0.0)),
        plan_rows=float(raw.get("Plan Rows", 0.0)),
        actual_rows=_float(raw.get("Actual Rows")),
        loops=int(loops) if loops is not None else None,
        total_ms=total_ms,
        buffers=buffers,
        children=[_node(child) for child in raw.get("Plans", [])],
        parent_relationship=str(raw.get("Parent Relationship", "")),
        never_executed=never,
    )
