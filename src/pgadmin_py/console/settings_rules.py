"""Which ``SET`` / ``RESET`` the console allows, read from the parse tree.

Three answers: harmless (a short allowlist of settings that only change how this one session plans,
formats or finds things), a write (any other setting, the session's identity included: it needs "allow
writes"), or never (a setting the console's own safety rests on: the read-only transaction, the
statement timeout, and how the server reads string literals, which our parser must read the same way).
"""

from __future__ import annotations

import re

from pglast import ast
from pglast.enums import VariableSetKind

# Settings that change only this session's planning, formatting or name lookup.
HARMLESS = frozenset({
    "search_path", "work_mem", "hash_mem_multiplier", "maintenance_work_mem", "temp_buffers", "timezone",
    "datestyle", "intervalstyle", "extra_float_digits", "bytea_output", "random_page_cost", "seq_page_cost",
    "cpu_tuple_cost", "cpu_index_tuple_cost", "cpu_operator_cost", "parallel_setup_cost", "parallel_tuple_cost",
    "effective_cache_size", "effective_io_concurrency", "default_statistics_target", "constraint_exclusion",
    "cursor_tuple_fraction", "from_collapse_limit", "join_collapse_limit", "geqo", "geqo_threshold",
    "max_parallel_workers_per_gather", "min_parallel_table_scan_size", "min_parallel_index_scan_size",
    "plan_cache_mode", "jit", "jit_above_cost", "jit_inline_above_cost", "jit_optimize_above_cost",
    "recursive_worktable_factor", "enable_async_append", "enable_bitmapscan", "enable_gathermerge",
    "enable_group_by_reordering", "enable_hashagg", "enable_hashjoin", "enable_incremental_sort",
    "enable_indexonlyscan", "enable_indexscan", "enable_material", "enable_memoize", "enable_mergejoin",
    "enable_nestloop", "enable_parallel_append", "enable_parallel_hash", "enable_partition_pruning",
    "enable_partitionwise_join", "enable_partitionwise_aggregate", "enable_presorted_aggregate", "enable_seqscan",
    "enable_sort", "enable_tidscan", "enable_distinct_reordering", "enable_self_join_elimination",
})

# Settings the console's safety rests on: refused even with writes allowed.
PROTECTED = {
    "transaction_read_only": "the console's read-only transaction",
    "default_transaction_read_only": "the console's read-only transaction",
    "transaction_isolation": "the console's transaction",
    "default_transaction_isolation": "the console's transaction",
    "standard_conforming_strings": "how the server reads string literals (the console's parser must read them alike)",
    "backslash_quote": "how the server reads string literals (the console's parser must read them alike)",
}

# Settings that change who runs the statements: they need "allow writes", like any other setting.
IDENTITY = frozenset({"role", "session_authorization"})

_UNITS_MS = {"us": 0.001, "ms": 1, "s": 1000, "min": 60_000, "h": 3_600_000, "d": 86_400_000}
_DURATION = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?\s*")


def timeout_ms(value: ast.Node | None) -> float | None:
    """The milliseconds a ``SET statement_timeout`` value stands for, or None when it is not a plain value."""
    if not isinstance(value, ast.A_Const) or value.isnull:
        return None
    raw = value.val
    if isinstance(raw, ast.Integer):
        return float(raw.ival or 0)
    if isinstance(raw, ast.Float):
        return float(raw.fval or 0)
    if isinstance(raw, ast.String):
        match = _DURATION.fullmatch(raw.sval or "")
        if match:
            return float(match.group(1)) * _UNITS_MS[match.group(2) or "ms"]
    return None


def judge(node: ast.VariableSetStmt, limit_ms: int) -> tuple[str, bool] | None:
    """None when harmless, else (why, never): ``never`` is True when even "allow writes" does not lift it."""
    kind = node.kind
    if kind == VariableSetKind.VAR_RESET_ALL:
        return "RESET ALL would reset the console's own settings (statement timeout, read-only mode).", True
    if kind == VariableSetKind.VAR_SET_MULTI:
        return ("Transaction control (SET TRANSACTION, SET SESSION CHARACTERISTICS) is not allowed: "
                "the console runs each batch in one transaction of its own."), True
    name = (node.name or "").lower()
    verb = "RESET" if kind == VariableSetKind.VAR_RESET else "SET"
    if name == "statement_timeout":
        if kind != VariableSetKind.VAR_SET_VALUE:
            return None  # back to the connection's value, which is the console's limit
        wanted = timeout_ms(node.args[0]) if node.args and len(node.args) == 1 else None
        if wanted is not None and 0 < wanted <= limit_ms:
            return None
        return (f"SET statement_timeout may only lower the console's limit of {limit_ms / 1000:g} s "
                "(0 would lift it)."), True
    if name in PROTECTED:
        return f"{verb} {name} would change {PROTECTED[name]}.", True
    if name in HARMLESS:
        return None
    if name in IDENTITY:
        return f"{verb} {name} changes who runs the statements.", False
    return f"{verb} {name} is not one of the session settings the console allows without writes.", False
