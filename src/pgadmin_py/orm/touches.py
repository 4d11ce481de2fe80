"""Which tables a migration script touches, read from its source with a regex (never imported).

Good enough to answer "which revisions changed this table?" on a model page: ``op.create_table("t"``,
``op.add_column("t"``, ``op.create_index("ix", "t"`` and friends, and ``batch_alter_table("t")``.
Raw SQL in ``op.execute`` is not parsed.
"""

from __future__ import annotations

import re

_CALL = re.compile(r"\b(?:op|batch_op)\.(\w+)\(")
_NEXT_CALL = re.compile(r"\b(?:op|batch_op)\.(?!f\()\w+\(")  # op.f("name") is an argument, not a call
_BATCH = re.compile(r"\bbatch_alter_table\(\s*[\"']([^\"']+)[\"']")
_STRING = re.compile(r"[\"']([^\"']*)[\"']")
_TABLE_KW = re.compile(r"\btable_name\s*=\s*[\"']([^\"']+)[\"']")
_TABLE_FIRST = {"create_table", "drop_table", "add_column", "drop_column", "alter_column", "rename_table",
                "create_table_comment", "drop_table_comment", "bulk_insert"}
_TABLE_SECOND = {"create_index", "drop_index", "create_unique_constraint", "create_check_constraint",
                 "create_foreign_key", "drop_constraint", "create_primary_key", "create_exclude_constraint"}


def tables_touched(source: str) -> dict[str, tuple[str, ...]]:
    """Table name -> the operations on it, in source order (``create_table``, ``add_column notes``...)."""
    found: dict[str, list[str]] = {}
    for match in _CALL.finditer(source):
        op, rest = match.group(1), source[match.end():match.end() + 400]
        following = _NEXT_CALL.search(rest)
        args = rest[:following.start()] if following else rest
        strings = _STRING.findall(args)
        table = None
        if op in _TABLE_FIRST and strings:
            table = strings[0]
        elif op in _TABLE_SECOND:
            kw = _TABLE_KW.search(args)
            table = kw.group(1) if kw else (strings[1] if len(strings) > 1 else None)
        if table:
            detail = f" {strings[1]}" if op in ("add_column", "drop_column", "alter_column") and len(strings) > 1 \
                else ""
            if op == "add_column":
                col = re.search(r"Column\(\s*[\"']([^\"']+)[\"']", args)
                detail = f" {col.group(1)}" if col else ""
            found.setdefault(table, []).append(op + detail)
    for match in _BATCH.finditer(source):
        found.setdefault(match.group(1), []).append("batch_alter_table")
    return {t: tuple(dict.fromkeys(ops)) for t, ops in found.items()}
