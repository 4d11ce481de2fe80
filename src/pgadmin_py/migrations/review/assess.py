"""Shared pieces of the rules: the per-statement result and walking a parse tree."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from pglast import ast

from pgadmin_py.catalog.impact import TableFact
from pgadmin_py.migrations.review import locks, words
from pgadmin_py.migrations.review.context import Context
from pgadmin_py.migrations.review.model import Finding, Severity, TableLock


@dataclass
class Assessment:
    """What the rules found for one statement."""

    impact: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    locks: list[TableLock] = field(default_factory=list)

    def lock(self, table: TableFact, mode: str) -> None:
        label = words.shown(table.schema, table.name)
        for i, held in enumerate(self.locks):
            if held.oid == table.oid:
                self.locks[i] = TableLock(table.oid, label, locks.strongest(held.mode, mode) or mode,
                                          (table.schema, table.name))
                return
        self.locks.append(TableLock(table.oid, label, mode, (table.schema, table.name)))

    def add(self, finding: Finding) -> None:
        self.findings.append(finding)


def nodes(node: object) -> Iterator[ast.Node]:
    """Every node under ``node`` (itself included), depth first."""
    if isinstance(node, ast.Node):
        yield node
        for name in getattr(type(node), "__slots__", ()):
            yield from nodes(getattr(node, name, None))
    elif isinstance(node, tuple | list):
        for item in node:
            yield from nodes(item)


def by_size(ctx: Context, table: TableFact) -> Severity:
    """A lock or rewrite that matters at this table's size is a warning; on a small table, a note."""
    return Severity.NOTICE if ctx.small(table) else Severity.WARNING


def at_this_size(ctx: Context, table: TableFact) -> str:
    return " At this size it takes a moment; on a large table it is an outage." if ctx.small(table) else ""


def names(items: tuple[object, ...] | None) -> list[str]:
    return [n.sval for n in items or () if isinstance(n, ast.String) and n.sval is not None]


def first_line(sql: str, limit: int = 90) -> str:
    """A statement shortened for a finding's title."""
    text = " ".join(sql.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"
