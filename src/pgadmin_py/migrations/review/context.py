"""What a review knows while it walks a plan's statements: the catalog (looked up once per name), the data
checks, and what earlier statements of the plan did (tables they created, columns they added, constraints
added NOT VALID in the open transaction, a ``SET lock_timeout``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import psycopg
from pglast import ast

from pgadmin_py.catalog import impact
from pgadmin_py.catalog.impact import IndexFact, TableFact
from pgadmin_py.migrations.review import words
from pgadmin_py.migrations.review.datachecks import DataChecks
from pgadmin_py.migrations.review.statements import Statement, relation_name

SMALL_ROWS = 10_000
SMALL_BYTES = 16 * 1024 * 1024


@dataclass
class PlanState:
    """What the statements reviewed so far did (in the order the plan runs them)."""

    created: set[str] = field(default_factory=set)  # table names created by the plan (unqualified)
    created_indexes: set[str] = field(default_factory=set)
    added_columns: set[tuple[int, str]] = field(default_factory=set)  # (table oid, column)
    not_valid: set[tuple[int, str]] = field(default_factory=set)  # (table oid, constraint) in the open transaction
    not_null_checks: dict[tuple[int, str], str] = field(default_factory=dict)  # CHECK (col IS NOT NULL) NOT VALID
    proven_not_null: set[tuple[int, str]] = field(default_factory=set)  # (table oid, column) a valid CHECK covers
    lock_timeout_set: bool = False
    transaction: int = 0  # increments at each BEGIN


class Context:
    def __init__(self, conn: psycopg.Connection[Any], checks: DataChecks, statements: list[Statement], *,
                 lock_timeout_ms: int, server_version: int) -> None:
        self.conn = conn
        self.checks = checks
        self.statements = statements
        self.lock_timeout_ms = lock_timeout_ms
        self.server_version = server_version
        self.state = PlanState()
        self._tables: dict[tuple[str | None, str], TableFact | None] = {}
        self._indexes: dict[tuple[str | None, str], IndexFact | None] = {}
        self._volatility: dict[tuple[str | None, str], str | None] = {}

    # -- the catalog, once per name --------------------------------------------------------------------
    def table(self, name: tuple[str | None, str] | ast.RangeVar | None) -> TableFact | None:
        """The existing table a statement names; None when the plan created it or it does not exist."""
        key = relation_name(name) if isinstance(name, ast.RangeVar) or name is None else name
        if key is None or key[1] in self.state.created:
            return None
        if key not in self._tables:
            self._tables[key] = impact.find_table(self.conn, *key)
        return self._tables[key]

    def index(self, key: tuple[str | None, str]) -> IndexFact | None:
        if key[1] in self.state.created_indexes:
            return None
        if key not in self._indexes:
            self._indexes[key] = impact.find_index(self.conn, *key)
        return self._indexes[key]

    def volatility(self, schema: str | None, name: str) -> str | None:
        key = (schema, name)
        if key not in self._volatility:
            self._volatility[key] = impact.volatility(self.conn, schema, name)
        return self._volatility[key]

    # -- live numbers ----------------------------------------------------------------------------------
    def rows(self, table: TableFact) -> tuple[int | None, bool]:
        """(row count, exact?): counted when the table is small enough, else the planner's estimate."""
        counted = self.checks.rows(table)
        if counted.ok and counted.value is not None:
            return counted.value, True
        return table.estimated_rows, False

    def sized(self, table: TableFact) -> str:
        """``orders (2,000 rows, 432 kB)``."""
        count, exact = self.rows(table)
        return f"{words.shown(table.schema, table.name)} ({words.rows(count, exact)}, {words.size(table.total_bytes)})"

    def small(self, table: TableFact) -> bool:
        """Small enough that a scan, a rewrite or an index build takes a moment (milliseconds to a second)."""
        count, _ = self.rows(table)
        return count is not None and count <= SMALL_ROWS and table.total_bytes <= SMALL_BYTES

    def empty(self, table: TableFact) -> bool:
        count, exact = self.rows(table)
        return exact and count == 0
