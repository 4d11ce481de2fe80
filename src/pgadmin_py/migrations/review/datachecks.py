"""What the data says: read-only queries over the tables a statement touches.

Every table and column name comes from the catalog (``TableFact``) and reaches SQL as a quoted identifier;
every step runs in a savepoint of the review's READ ONLY transaction under a statement timeout, so a check on
a huge table says it could not finish instead of holding the page. Types that reach a cast are the
catalog's ``format_type`` of the column and the target type re-printed by PostgreSQL's parser from the
statement (a type name, never an expression).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import psycopg
from psycopg import sql

from pgadmin_py.catalog.impact import TableFact
from pgadmin_py.db.readonly import Bounded, bounded

T = TypeVar("T")

CHECK_TIMEOUT_MS = 3000
CATALOG_TIMEOUT_MS = 10_000  # the review's own catalog lookups
BUDGET_SECONDS = 20.0  # all data checks of one review together; past it, the rest are not run
COUNT_EXACT_BYTES = 64 * 1024 * 1024  # count(*) tables up to this size; past it, the planner's estimate
CAST_SAMPLE = 10_000
EXAMPLES = 3


@dataclass(frozen=True, slots=True)
class Duplicates:
    groups: int  # distinct values held more than once
    rows: int  # rows holding them
    examples: tuple[tuple[str | None, ...], ...]


@dataclass(frozen=True, slots=True)
class Orphans:
    rows: int
    examples: tuple[tuple[str | None, ...], ...]


@dataclass(frozen=True, slots=True)
class CastSample:
    sampled: int
    failed: int
    first_value: str | None
    first_error: str | None
    changed: int  # values that come back different (rounded, truncated)
    change_from: str | None
    change_to: str | None


def _table(table: TableFact) -> sql.Composed:
    return sql.SQL("{}.{}").format(sql.Identifier(table.schema), sql.Identifier(table.name))


def _not_null(columns: Sequence[str], alias: str | None = None) -> sql.Composable:
    parts = [sql.SQL("{} is not null").format(sql.Identifier(*([alias] if alias else []), c)) for c in columns]
    return sql.SQL(" and ").join(parts)


class DataChecks:
    """The checks of one review, on its READ ONLY connection; each result is :class:`Bounded`."""

    def __init__(self, conn: psycopg.Connection[Any], timeout_ms: int = CHECK_TIMEOUT_MS,
                 budget: float = BUDGET_SECONDS) -> None:
        self.conn = conn
        self.timeout_ms = timeout_ms
        self.deadline = time.monotonic() + budget
        self.budget = budget
        self._rows: dict[int, Bounded[int]] = {}

    def _bounded(self, step: Callable[[], T]) -> Bounded[T]:
        """One check: in a savepoint under the check timeout, unless the review's budget is spent."""
        if time.monotonic() > self.deadline:
            return Bounded(None, f"was not run (the review's {self.budget:g} s for data checks are spent)")
        return bounded(self.conn, step, self.timeout_ms, restore_ms=CATALOG_TIMEOUT_MS)

    def _one(self, query: sql.Composed, params: Sequence[object] = ()) -> Any:
        row = self.conn.execute(query, params).fetchone()
        return row[0] if row else None

    def rows(self, table: TableFact) -> Bounded[int]:
        """The exact row count of a table of up to COUNT_EXACT_BYTES (the estimate says the rest)."""
        if table.oid not in self._rows:
            if table.total_bytes > COUNT_EXACT_BYTES and table.estimated_rows is not None:
                self._rows[table.oid] = Bounded(None, "not counted (large table): the planner's estimate")
            else:
                query = sql.SQL("select count(*) from {}").format(_table(table))
                self._rows[table.oid] = self._bounded(lambda: int(self._one(query)))
        return self._rows[table.oid]

    def non_null(self, table: TableFact, column: str) -> Bounded[int]:
        query = sql.SQL("select count({}) from {}").format(sql.Identifier(column), _table(table))
        return self._bounded(lambda: int(self._one(query)))

    def nulls(self, table: TableFact, column: str) -> Bounded[int]:
        query = sql.SQL("select count(*) from {} where {} is null").format(_table(table), sql.Identifier(column))
        return self._bounded(lambda: int(self._one(query)))

    def duplicates(self, table: TableFact, columns: Sequence[str], *, nulls_distinct: bool = True
                   ) -> Bounded[Duplicates]:
        cols = sql.SQL(", ").join(sql.Identifier(c) for c in columns)
        texts = sql.SQL(", ").join(sql.SQL("{}::text").format(sql.Identifier(c)) for c in columns)
        where = _not_null(columns) if nulls_distinct else sql.SQL("true")
        totals = sql.SQL("select count(*), coalesce(sum(n), 0) from (select count(*) as n from {} where {} "
                         "group by {} having count(*) > 1) d").format(_table(table), where, cols)
        examples = sql.SQL("select {}, count(*) from {} where {} group by {} having count(*) > 1 "
                           "order by count(*) desc, {} limit {}").format(texts, _table(table), where, cols, cols,
                                                                         sql.Literal(EXAMPLES))

        def run() -> Duplicates:
            groups, count = self.conn.execute(totals).fetchone() or (0, 0)
            found = tuple(tuple(r[:-1]) for r in self.conn.execute(examples)) if groups else ()
            return Duplicates(int(groups), int(count), found)

        return self._bounded(run)

    def orphans(self, child: TableFact, columns: Sequence[str], parent: TableFact,
                parent_columns: Sequence[str]) -> Bounded[Orphans]:
        """Rows of ``child`` whose (non-null) key has no row in ``parent``: what a FOREIGN KEY refuses."""
        match = sql.SQL(" and ").join(sql.SQL("p.{} = c.{}").format(sql.Identifier(p), sql.Identifier(c))
                                      for c, p in zip(columns, parent_columns, strict=True))
        body = sql.SQL("from {} c where {} and not exists (select 1 from {} p where {})").format(
            _table(child), _not_null(columns, "c"), _table(parent), match)
        texts = sql.SQL(", ").join(sql.SQL("c.{}::text").format(sql.Identifier(c)) for c in columns)
        total = sql.SQL("select count(*) ") + body
        examples = sql.SQL("select distinct {} ").format(texts) + body + sql.SQL(" limit {}").format(
            sql.Literal(EXAMPLES))

        def run() -> Orphans:
            count = int(self._one(total))
            found = tuple(tuple(r) for r in self.conn.execute(examples)) if count else ()
            return Orphans(count, found)

        return self._bounded(run)

    def cast_sample(self, table: TableFact, column: str, source_type: str, target_type: str, *,
                    explicit: bool, compare_as: str | None = None, sample: int = CAST_SAMPLE) -> Bounded[CastSample]:
        """Cast up to ``sample`` non-null values of ``column`` to ``target_type`` one by one (a PL/pgSQL loop,
        each value in its own subtransaction): how many fail, the first failure, and how many come back
        different when cast back (what a lossy change loses). ``explicit``: ``value::type`` (a USING cast),
        else an assignment, as ALTER COLUMN ... TYPE without USING converts. ``compare_as``: compare the new
        value with the old one read as this type (text parsed into a number) instead of casting it back."""
        col = sql.Identifier(column).as_string(self.conn)
        convert = f"r.v::{target_type}" if explicit else "r.v"
        same = (f"t is distinct from r.v::{compare_as}" if compare_as else f"t::{source_type} is distinct from r.v")
        body = f"""
declare r record; t {target_type}; seen int := 0; bad int := 0; changed int := 0;
  first_value text; first_error text; change_from text; change_to text;
begin
  for r in select {col} as v from {_table(table).as_string(self.conn)} where {col} is not null limit {int(sample)} loop
    seen := seen + 1;
    begin
      t := {convert};
      begin
        if {same} then
          changed := changed + 1;
          if change_from is null then change_from := r.v::text; change_to := t::text; end if;
        end if;
      exception when others then null;
      end;
    exception when others then
      bad := bad + 1;
      if first_value is null then first_value := r.v::text; first_error := sqlerrm; end if;
    end;
  end loop;
  raise notice 'pgadmin-py-cast %', json_build_object('seen', seen, 'bad', bad, 'first_value', first_value,
    'first_error', first_error, 'changed', changed, 'change_from', change_from, 'change_to', change_to);
end"""
        heard: list[str] = []

        def listen(diag: psycopg.errors.Diagnostic) -> None:
            if diag.message_primary and diag.message_primary.startswith("pgadmin-py-cast "):
                heard.append(diag.message_primary.removeprefix("pgadmin-py-cast "))

        def run() -> CastSample:
            self.conn.add_notice_handler(listen)
            try:
                self.conn.execute(sql.SQL("do {}").format(sql.Literal(body)))
            finally:
                self.conn.remove_notice_handler(listen)
            data = json.loads(heard[-1])
            return CastSample(int(data["seen"]), int(data["bad"]), data["first_value"], data["first_error"],
                              int(data["changed"]), data["change_from"], data["change_to"])

        return self._bounded(run)
