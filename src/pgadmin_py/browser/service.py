"""The data browser: list relations, page through rows, count, show one row, export.

The app holds one service (web/app.py build_state), which keeps table descriptions for a few seconds,
so a page costs one catalog-free round trip for its rows in the common case. Every query runs on a
connection whose ``statement_timeout`` the engine sets; counts use a shorter one of their own.
A timeout or a value PostgreSQL refuses becomes a :class:`QueryProblem` shown on the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import Engine

from pgadmin_py.browser import query as q
from pgadmin_py.browser.errors import TIMEOUT_HINT
from pgadmin_py.browser.export import Export, export_view
from pgadmin_py.browser.filters import Params, check_filters, where_parts
from pgadmin_py.browser.kinds import is_sortable, kind_of, ops_for
from pgadmin_py.browser.model import (
    BrowsePage,
    Cell,
    ColumnView,
    Count,
    Link,
    QueryProblem,
    RelationRow,
    Row,
    RowPage,
)
from pgadmin_py.browser.params import BadParams, BrowseParams, decode_cursor, encode_cursor
from pgadmin_py.browser.relations import arrange, visible
from pgadmin_py.browser.rowpage import read_cell, read_row
from pgadmin_py.catalog.keys import primary_keys
from pgadmin_py.catalog.tables import RelationSummary, TableInfo, list_relations, read_table
from pgadmin_py.core.cache import BoundedCache
from pgadmin_py.core.pk import encode_pks
from pgadmin_py.db.engine import autocommit_connection

CACHE_SECONDS = 3.0
DESCRIBED_TABLES = 256  # descriptions kept (each for CACHE_SECONDS)
CHEAP_COUNT_ROWS = 20_000
SMALL_TABLE_BYTES = 1 << 20  # never-analysed tables up to this size get an exact count in the list
MAX_LIST_COUNTS = 200  # below this estimate an exact count is cheap enough to run on every page
COUNT_TIMEOUT_MS = 5_000

@dataclass(frozen=True, slots=True)
class LinkPlan:
    """How one foreign key turns a row tuple into a :class:`Link`, decided once per table."""

    slot: int  # the column (index) whose cell shows the link: the FK's first column
    indexes: tuple[int, ...]  # the FK's columns in the row tuple
    schema: str
    table: str
    key_order: tuple[int, ...] | None  # row indexes in the referenced primary key's order; None: filter link
    filter_keys: tuple[str, ...]  # "<ref column>__eq" per FK column (filter links)


@dataclass(frozen=True, slots=True)
class Described:
    """A table plus the primary keys of the tables its foreign keys point at (for cell links).

    The per-column facts a page needs (column views, link plans, which columns come in full) are
    computed here once and cached with the description, not per page or per row.
    """

    table: TableInfo
    ref_pks: dict[tuple[str, str], tuple[str, ...]]
    views: tuple[ColumnView, ...] = ()
    link_plans: tuple[LinkPlan, ...] = ()
    full_columns: frozenset[str] = frozenset()
    selects: dict[q.Order, list[sql.Composable]] = field(default_factory=dict, compare=False, repr=False)

    def select(self, order: q.Order) -> list[sql.Composable]:
        """The page's select list for ``order``, rendered once per description (query.rendered_select)."""
        found = self.selects.get(order)
        if found is None:
            if len(self.selects) > 64:
                self.selects.clear()
            found = self.selects[order] = q.rendered_select(self.table, order, self.full_columns)
        return found

    @classmethod
    def build(cls, table: TableInfo, ref_pks: dict[tuple[str, str], tuple[str, ...]]) -> Described:
        fk_of: dict[str, Any] = {}
        for fk in table.foreign_keys:
            fk_of.setdefault(fk.columns[0], fk)
        views = tuple(ColumnView(c, kind_of(c), is_sortable(c), ops_for(c), c.name in table.primary_key,
                                 fk_of.get(c.name)) for c in table.columns)
        position = {n: i for i, n in enumerate(table.column_names)}
        plans = []
        for fk in table.foreign_keys:
            indexes = tuple(position[c] for c in fk.columns)
            ref_pk = ref_pks.get((fk.ref_schema, fk.ref_table), ())
            key_order = None
            if ref_pk and set(ref_pk) == set(fk.ref_columns):
                key_order = tuple(indexes[fk.ref_columns.index(c)] for c in ref_pk)
            plans.append(LinkPlan(indexes[0], indexes, fk.ref_schema, fk.ref_table, key_order,
                                  tuple(f"{c}__eq" for c in fk.ref_columns)))
        full = frozenset(table.primary_key) | {c for fk in table.foreign_keys for c in fk.columns}
        return cls(table, ref_pks, views, tuple(plans), full)


class Browser:
    def __init__(self, engine: Engine, cache_seconds: float = CACHE_SECONDS,
                 cheap_count_rows: int = CHEAP_COUNT_ROWS) -> None:
        self.engine = engine
        self.cache_seconds = cache_seconds
        self.cheap_count_rows = cheap_count_rows
        self._described: BoundedCache[tuple[str, str], Described] = BoundedCache(DESCRIBED_TABLES,
                                                                                  max_age=cache_seconds)

    # ── catalog ──────────────────────────────────────────────────────────

    def describe(self, schema: str, name: str) -> Described:
        return self._described.get_or_build((schema, name), lambda: self._describe(schema, name))

    def _describe(self, schema: str, name: str) -> Described:
        with self.engine.connect() as conn:
            table = read_table(conn, schema, name)
        refs = {(fk.ref_schema, fk.ref_table) for fk in table.foreign_keys}
        return Described.build(table, primary_keys(self.engine, refs))

    def forget(self, schema: str, name: str) -> None:
        self._described.pop((schema, name))

    def relations(self, search: str = "") -> tuple[RelationRow, ...]:
        """Every table and view, partitions under their table (browser/relations.py), filtered by a
        case-insensitive substring of ``schema.name``.

        Counts are catalog estimates; a small table never analysed (no estimate yet) is counted exactly
        in one ``UNION ALL`` query under a short timeout, so the list stays one or two round trips.
        """
        found, needle = list_relations(self.engine), search.strip().lower()
        shown = {key for key, _ in visible(found, needle)}
        unknown = [r for r in found if (r.schema, r.name) in shown and r.populated
                   and r.kind in ("table", "materialized view", "foreign table")
                   and r.estimated_rows is None and r.total_bytes <= SMALL_TABLE_BYTES][:MAX_LIST_COUNTS]
        exact = self._count_small(unknown) if unknown else {}
        return arrange(found, exact, needle)

    def _count_small(self, relations: list[RelationSummary]) -> dict[tuple[str, str], int]:
        parts = [sql.SQL("SELECT {}, count(*) FROM {}").format(sql.Literal(i), sql.Identifier(r.schema, r.name))
                 for i, r in enumerate(relations)]
        try:
            with autocommit_connection(self.engine) as raw, raw.transaction(), raw.cursor() as cur:
                cur.execute("select set_config('statement_timeout', '300', true)")
                cur.execute(sql.SQL(" UNION ALL ").join(parts))
                return {(relations[i].schema, relations[i].name): int(n) for i, n in cur.fetchall()}
        except (psycopg.errors.QueryCanceled, psycopg.errors.InsufficientPrivilege,
                psycopg.errors.ObjectNotInPrerequisiteState):  # a materialized view not populated yet
            return {}

    # ── one page ─────────────────────────────────────────────────────────

    def columns(self, described: Described) -> tuple[ColumnView, ...]:
        return described.views or Described.build(described.table, described.ref_pks).views

    def order_for(self, table: TableInfo, params: BrowseParams) -> q.Order:
        sort = None
        if params.sort is not None:
            if params.sort not in table.column_names:
                raise BadParams(f'{table.name} has no column "{params.sort[:60]}" to sort by.',
                                "Click a column header to sort by it.")
            sort = table.column(params.sort)
            if not is_sortable(sort):
                raise BadParams(f'Rows cannot be sorted by "{sort.name}": {sort.type_name} has no order.',
                                "Sort by another column.")
        return q.Order(sort, params.desc, table.primary_key)

    def browse(self, described: Described, params: BrowseParams) -> BrowsePage:
        table = described.table
        if not table.populated:  # reading it fails until REFRESH MATERIALIZED VIEW: the page says so instead
            return BrowsePage(table=table, params=params, columns=self.columns(described), rows=(), keyset=False,
                              has_prev=False, has_next=False, prev_cursor=None, next_cursor=None,
                              count=Count(None, False, "never populated"), problems=(), error=None,
                              readonly_reason=f"read-only: this is a {table.kind}", searchable=False)
        order = self.order_for(table, params)
        checked, problems = check_filters(table, params)
        bind = Params()
        filters = where_parts(table, checked, params.search, bind)
        full = described.full_columns
        size = params.size
        rows: list[tuple[Any, ...]] = []
        has_prev = has_next = False
        error: QueryProblem | None = None
        count: Count = Count(None, False)
        cursor_arity = len(order.cursor_columns)
        after = decode_cursor(params.after, cursor_arity) if params.after and order.keyset else None
        before = decode_cursor(params.before, cursor_arity) if params.before and order.keyset else None
        try:
            with autocommit_connection(self.engine) as raw, raw.cursor() as cur:
                if order.keyset:
                    backwards = before is not None or params.last
                    stmt = q.keyset_query(table, order, filters, bind, cursor=before or after, backwards=backwards,
                                          limit=size + 1, full_columns=full, select=described.select(order))
                    cur.execute(stmt, bind.values)
                    rows = cur.fetchall()
                    more = len(rows) > size
                    rows = rows[:size]
                    if backwards:
                        rows.reverse()
                        if before is not None and not more:  # ran into the start: show the real first page
                            bind2 = Params()
                            filters2 = where_parts(table, checked, params.search, bind2)
                            cur.execute(q.keyset_query(table, order, filters2, bind2, cursor=None, backwards=False,
                                                       limit=size + 1, full_columns=full,
                                                       select=described.select(order)), bind2.values)
                            rows = cur.fetchall()
                            has_next, rows = len(rows) > size, rows[:size]
                        else:
                            has_prev, has_next = more, True
                            if params.last:
                                has_next = False
                    else:
                        has_next, has_prev = more, after is not None
                else:
                    stmt = q.offset_query(table, order, filters, offset=(params.page - 1) * size, limit=size + 1)
                    cur.execute(stmt, bind.values)
                    rows = cur.fetchall()
                    has_next, rows, has_prev = len(rows) > size, rows[:size], params.page > 1
                count = self._count(raw, table, filters, bind.values, params)
        except psycopg.errors.QueryCanceled:
            error = QueryProblem("The query took longer than the statement timeout and was stopped.", TIMEOUT_HINT)
        except psycopg.errors.DataError as exc:
            error = QueryProblem(f"PostgreSQL refused a value: {exc.diag.message_primary or exc}",
                                 "Check the filter values against the column types.")
        except psycopg.errors.ObjectNotInPrerequisiteState as exc:  # emptied (REFRESH ... WITH NO DATA) meanwhile
            self.forget(table.schema, table.name)
            error = QueryProblem(f"PostgreSQL cannot read {table.name}: {exc.diag.message_primary or exc}",
                                 "Reload the page; a materialized view needs REFRESH MATERIALIZED VIEW first.")
        except (psycopg.errors.UndefinedColumn, psycopg.errors.UndefinedTable):
            self.forget(table.schema, table.name)
            error = QueryProblem(f"{table.name} changed while this page was being built (a migration?).",
                                 "Reload the page to see its new columns.")
        except psycopg.ProgrammingError as exc:  # no ordering for a domain type, permission denied...
            error = QueryProblem(f"PostgreSQL could not run this view: {exc.diag.message_primary or exc}",
                                 "Remove the last sort or filter you added, or check the database role's rights.")
        built = self._rows(described, order, rows)
        prev_cursor = next_cursor = None
        if order.keyset and built:
            width = len(table.columns)
            prev_cursor = encode_cursor(list(rows[0][width:width + cursor_arity]))
            next_cursor = encode_cursor(list(rows[-1][width:width + cursor_arity]))
        reason = None
        if not table.is_table:
            reason = f"read-only: this is a {table.kind}"
        elif not table.primary_key:
            reason = "no primary key: rows can be added, not edited or deleted"
        return BrowsePage(
            table=table, params=params, columns=self.columns(described), rows=built, keyset=order.keyset,
            has_prev=has_prev, has_next=has_next, prev_cursor=prev_cursor, next_cursor=next_cursor,
            count=count, problems=tuple(problems), error=error, readonly_reason=reason,
            searchable=any(kind_of(c) == "text" for c in table.columns),
        )

    def _rows(self, described: Described, order: q.Order, rows: list[tuple[Any, ...]]) -> tuple[Row, ...]:
        """Page rows: the display values (long ones cut), FK links and the key that addresses each row.

        Each query tuple holds the display columns, then the cursor keys (query.select_list). A page
        has thousands of cells, so this is one plain loop with the per-table facts decided up front.
        """
        width = len(described.table.columns)
        plans = described.link_plans
        limit = q.CELL_CHARS
        key_end = width + len(order.cursor_columns)
        key_start = key_end - len(order.key)
        keyset = order.keyset
        keys = [r[key_start:key_end] for r in rows] if keyset else []  # the key's ::text values (select_list)
        tokens = encode_pks(keys)
        out: list[Row] = []
        for n, r in enumerate(rows):
            values = r[:width]
            cut: frozenset[int] = _NO_CUT
            if len("".join(filter(None, values))) > limit:  # one C call per row; a cell can only be long then
                cut = frozenset(i for i, v in enumerate(values) if v is not None and len(v) > limit)
                if cut:
                    values = tuple(v[:limit] if i in cut else v for i, v in enumerate(values))
            links: tuple[Link | None, ...] | None = None
            if plans:
                slots: list[Link | None] = [None] * width
                for plan in plans:
                    if slots[plan.slot] is None:
                        vals = [r[i] for i in plan.indexes]
                        if None in vals:
                            continue
                        if plan.key_order is not None:
                            slots[plan.slot] = Link(plan.schema, plan.table, tuple(r[i] for i in plan.key_order), ())
                        else:
                            pairs = tuple(zip(plan.filter_keys, vals, strict=True))
                            slots[plan.slot] = Link(plan.schema, plan.table, None, pairs)
                links = tuple(slots)
            if keyset:
                out.append(Row(values, cut, links, keys[n], tokens[n]))
            else:
                out.append(Row(values, cut, links, None, None))
        return tuple(out)

    def _count(self, raw: psycopg.Connection[Any], table: TableInfo, filters: list[sql.Composable],
               values: dict[str, Any], params: BrowseParams) -> Count:
        """Exact when cheap (a small stored relation), else the catalog's or the planner's estimate.

        A plain view's cost is unknown, so it is never counted unasked: the planner estimates it.
        """
        estimate = table.estimated_rows
        if params.count_exact:
            return self._exact(raw, table, filters, values, COUNT_TIMEOUT_MS)
        if table.kind != "view":
            small = estimate <= self.cheap_count_rows if estimate is not None else table.total_bytes < 8 << 20
            if small:
                cheap = self._exact(raw, table, filters, values, 500)
                if cheap.exact:
                    return cheap
            if not filters and estimate is not None:
                return Count(estimate, False, "estimate from the catalog")
        with raw.cursor() as cur:
            cur.execute(sql.SQL("EXPLAIN (FORMAT JSON) ") + q.rows_query(table, filters), values)
            plan = cur.fetchone()
        rows = _plan_rows(plan[0] if plan else None)
        return Count(rows, False, "estimate from the query plan")

    def _exact(self, raw: psycopg.Connection[Any], table: TableInfo, filters: list[sql.Composable],
               values: dict[str, Any], timeout_ms: int) -> Count:
        try:
            with raw.transaction(), raw.cursor() as cur:
                cur.execute("select set_config('statement_timeout', %s, true)", [str(timeout_ms)])
                cur.execute(q.count_query(table, filters), values)
                found = cur.fetchone()
        except psycopg.errors.QueryCanceled:
            return Count(table.estimated_rows, False, f"counting took more than {timeout_ms / 1000:g} s")
        return Count(int(found[0]) if found else 0, True)

    def count(self, described: Described, params: BrowseParams) -> Count:
        """The "count exactly" action: ``count(*)`` under a statement timeout of its own."""
        table = described.table
        checked, _ = check_filters(table, params)
        bind = Params()
        filters = where_parts(table, checked, params.search, bind)
        with autocommit_connection(self.engine) as raw:
            return self._exact(raw, table, filters, bind.values, COUNT_TIMEOUT_MS)

    # ── one row ──────────────────────────────────────────────────────────

    def row(self, described: Described, segment: str) -> RowPage:
        """One row in full (``segment`` is its tilde-encoded key) with the rows pointing at it."""
        with autocommit_connection(self.engine) as raw:
            return read_row(raw, described, self.columns(described), segment)

    def cell(self, described: Described, segment: str, column: str) -> tuple[ColumnView, Cell]:
        """One cell of a row as a page shows it (after an inline edit)."""
        with autocommit_connection(self.engine) as raw:
            return read_cell(raw, described, self.columns(described), segment, column)

    # ── export ───────────────────────────────────────────────────────────

    def export(self, described: Described, params: BrowseParams, fmt: str) -> Export:
        """Every row of the view (its filters and order), streamed through COPY in chunks (constant memory)."""
        return export_view(self.engine, described.table, self.order_for(described.table, params), params, fmt)


_NO_CUT: frozenset[int] = frozenset()


def _plan_rows(plan: Any) -> int | None:
    try:
        return int(plan[0]["Plan"]["Plan Rows"])
    except (TypeError, KeyError, IndexError, ValueError):
        return None
