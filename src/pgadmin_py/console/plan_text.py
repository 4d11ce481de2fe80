"""PostgreSQL's text layout of a plan, drawn from the JSON plan of the same run.

EXPLAIN ANALYZE runs the statement, so the console runs it once, in JSON (the tree needs it), and draws the
text plan from that JSON rather than running the statement a second time for ``FORMAT TEXT``. Pure: no I/O.
"""

from __future__ import annotations

from typing import Any

from pgadmin_py.console.plan import node_title

_AGGREGATES = {"Sorted": "GroupAggregate", "Hashed": "HashAggregate", "Mixed": "MixedAggregate"}
_DETAILS = ("Join Type", "Hash Cond", "Merge Cond", "Index Cond", "Recheck Cond", "Join Filter",
            "Rows Removed by Join Filter", "Filter", "Rows Removed by Filter", "Sort Key", "Group Key",
            "Sort Method", "Sort Space Used", "Heap Fetches", "Workers Planned", "Workers Launched",
            "Function Name", "Subplan Name", "Output")
_BUFFERS = (("shared", ("Hit", "Read", "Dirtied", "Written")), ("local", ("Hit", "Read", "Dirtied", "Written")),
            ("temp", ("Read", "Written")))


def text_plan(document: Any) -> str:
    """``document`` is the parsed JSON of one EXPLAIN: a list holding one object with a ``Plan``."""
    top = document[0] if isinstance(document, list) else document
    lines: list[str] = []
    _node(top["Plan"], 0, lines)
    if (planning := top.get("Planning")) and (buffers := _buffers(planning)):
        lines += ["Planning:", f"  {buffers}"]
    for trigger in top.get("Triggers", []):
        lines.append(f"Trigger {trigger.get('Trigger Name', '?')}: time={_num(trigger.get('Time', 0))} "
                     f"calls={trigger.get('Calls', 0)}")
    for key in ("Planning Time", "Execution Time"):
        if key in top:
            lines.append(f"{key}: {float(top[key]):.3f} ms")
    return "\n".join(lines)


def _node(raw: dict[str, Any], depth: int, lines: list[str]) -> None:
    title = node_title(raw)
    if raw.get("Node Type") == "Aggregate" and raw.get("Strategy") in _AGGREGATES:
        title = title.replace("Aggregate", _AGGREGATES[raw["Strategy"]], 1)
    head = (f"{title}  (cost={float(raw.get('Startup Cost', 0)):.2f}..{float(raw.get('Total Cost', 0)):.2f} "
            f"rows={_num(raw.get('Plan Rows', 0))} width={raw.get('Plan Width', 0)})")
    if raw.get("Actual Loops") == 0:
        head += " (never executed)"
    elif "Actual Total Time" in raw:
        head += (f" (actual time={float(raw['Actual Startup Time']):.3f}..{float(raw['Actual Total Time']):.3f} "
                 f"rows={_num(raw.get('Actual Rows', 0))} loops={raw.get('Actual Loops', 1)})")
    indent = 0 if depth == 0 else 2 + 6 * (depth - 1)
    lines.append(" " * indent + ("->  " if depth else "") + head)
    pad = " " * (indent + (6 if depth else 2))
    for key in _DETAILS:
        value = raw.get(key)
        if value not in (None, "", []):
            lines.append(f"{pad}{key}: {', '.join(map(str, value)) if isinstance(value, list) else value}")
    if "Hash Buckets" in raw:
        lines.append(f"{pad}Buckets: {raw['Hash Buckets']}  Batches: {raw.get('Hash Batches', 1)}  "
                     f"Memory Usage: {raw.get('Peak Memory Usage', 0)}kB")
    if buffers := _buffers(raw):
        lines.append(f"{pad}{buffers}")
    for child in raw.get("Plans", []):
        _node(child, depth + 1, lines)


def _buffers(raw: dict[str, Any]) -> str:
    parts = []
    for scope, kinds in _BUFFERS:
        counts = [f"{kind.lower()}={raw[key]}" for kind in kinds
                  if raw.get(key := f"{scope.title()} {kind} Blocks")]
        if counts:
            parts.append(f"{scope} {' '.join(counts)}")
    return f"Buffers: {', '.join(parts)}" if parts else ""


def _num(value: Any) -> str:
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:.2f}"
