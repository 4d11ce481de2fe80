"""SQL for one page of a table: keyset (seek) pagination when the order is unique, OFFSET otherwise.

The order is the sort column (if any) followed by the primary key, all in the same direction, so
``(sort, pk)`` is unique and a page boundary is a row comparison an index can serve. A nullable
sort column splits the order into two *segments* (non-NULL values, then NULLs for ascending; the
reverse for descending, PostgreSQL's default placement): each segment is its own index-friendly
query with ``LIMIT``, glued with ``UNION ALL`` and ordered by segment, so a page that crosses from
values into NULLs is still exact. Cursor values are PostgreSQL's own text form of the key and are
bound as parameters of unknown type, so the server parses them back into the column's type.

Only the page's rows are converted to text: an inner select takes the table's columns as stored, in
table order (aliased ``r<i>``, nothing else, so the scan hands its tuples to the sort unprojected),
with the WHERE, ORDER BY and LIMIT; the outer select applies the casts and cuts to those rows under
the same ORDER BY. PostgreSQL evaluates a select list before its top-N sort, so with the casts
inside, a sort on an unindexed column converted every column of every row of the table (7.6x the
bare query on 1M rows; a constant or repeated column in the inner list still cost 2x).
"""

from __future__ import annotations

from dataclasses import dataclass

from psycopg import sql

from pgadmin_py.browser.filters import Params
from pgadmin_py.browser.kinds import SHORT_KINDS, kind_of
from pgadmin_py.catalog.tables import Column, TableInfo

CELL_CHARS = 2000  # characters of a long value fetched for the page; the row page shows it all


@dataclass(frozen=True, slots=True)
class Order:
    """The page order: an optional sort column, then the primary key (or ctid, or nothing)."""

    sort: Column | None
    desc: bool
    key: tuple[str, ...]  # the primary key columns; empty when keyset cannot apply

    @property
    def keyset(self) -> bool:
        return bool(self.key)

    @property
    def cursor_columns(self) -> tuple[str, ...]:
        """The values a cursor carries: sort column (unless it is the whole key) then the key."""
        if self.sort is not None and (self.sort.name,) != self.key:
            return (self.sort.name, *self.key)
        return self.key

    @property
    def split_nulls(self) -> bool:
        return self.sort is not None and self.sort.nullable and (self.sort.name,) != self.key


def display_expr(col: Column, full: bool, ref: str | None = None) -> sql.Composable:
    """The text a cell shows: PostgreSQL's own output; long values cut to CELL_CHARS + 1 characters.

    ``ref`` names the value when it is not the column itself (the inner select's alias).
    """
    ident = sql.Identifier(col.name if ref is None else ref)
    if full or kind_of(col) in SHORT_KINDS:
        return sql.SQL("{}::text").format(ident)
    if col.base_type == "bytea" and not col.is_array:
        return sql.SQL("substring({} from 1 for {})::text").format(ident, sql.Literal(CELL_CHARS // 2))
    return sql.SQL("left({}::text, {})").format(ident, sql.Literal(CELL_CHARS + 1))


def table_ident(table: TableInfo) -> sql.Composable:
    return sql.Identifier(table.schema, table.name)


def select_list(table: TableInfo, order: Order, full_columns: frozenset[str]) -> list[sql.Composable]:
    """The outer select: display texts ``c<i>`` of the inner ``r<i>``, then the cursor keys ``k<i>``."""
    cols: list[sql.Composable] = [
        sql.SQL("{} AS {}").format(display_expr(c, c.name in full_columns, f"r{i}"), sql.Identifier(f"c{i}"))
        for i, c in enumerate(table.columns)
    ]
    cols += [sql.SQL("{}::text AS {}").format(_ref(table, name), sql.Identifier(f"k{i}"))
             for i, name in enumerate(order.cursor_columns)]
    return cols


def raw_list(table: TableInfo) -> list[sql.Composable]:
    """The inner select's columns: every column as it is stored, aliased ``r<i>`` (no name can collide)."""
    return [sql.SQL("{} AS {}").format(sql.Identifier(c.name), sql.Identifier(f"r{i}"))
            for i, c in enumerate(table.columns)]


def _ref(table: TableInfo, name: str) -> sql.Composable:
    """The inner select's alias of column ``name``."""
    return sql.Identifier(f"r{table.column_names.index(name)}")


def _where(parts: list[sql.Composable]) -> sql.Composable:
    return sql.SQL(" WHERE ") + sql.SQL(" AND ").join(parts) if parts else sql.SQL("")


def _row(names: tuple[str, ...]) -> sql.Composable:
    inner = sql.SQL(", ").join(sql.Identifier(n) for n in names)
    return sql.SQL("({})").format(inner) if len(names) > 1 else inner


def _order_by(names: tuple[str, ...], desc: bool, table: TableInfo) -> sql.Composable:
    """``ORDER BY`` terms qualified with the table: a bare name would mean an output column first,
    and the inner select's aliases ``r<i>`` may be the names of other columns."""
    direction = sql.SQL(" DESC") if desc else sql.SQL(" ASC")
    return sql.SQL(", ").join(sql.Identifier(table.schema, table.name, n) + direction for n in names)


def _segments(order: Order, desc: bool) -> list[tuple[str, tuple[str, ...]]]:
    """(which rows, ordering columns) per segment, in scan order for direction ``desc``."""
    full = order.cursor_columns
    if not order.split_nulls:
        return [("all", full)]
    segs = [("notnull", full), ("null", order.key)]
    return list(reversed(segs)) if desc else segs  # NULLs come last ascending, first descending


def rendered_select(table: TableInfo, order: Order, full_columns: frozenset[str]) -> list[sql.Composable]:
    """:func:`select_list` and :func:`raw_list` rendered once to plain SQL text (names only), for caching."""
    return [sql.SQL(sql.SQL(", ").join(select_list(table, order, full_columns)).as_string(None)),
            sql.SQL(sql.SQL(", ").join(raw_list(table)).as_string(None))]


def keyset_query(table: TableInfo, order: Order, filters: list[sql.Composable], bind: Params, *,
                 cursor: tuple[str | None, ...] | None, backwards: bool, limit: int,
                 full_columns: frozenset[str] = frozenset(),
                 select: list[sql.Composable] | None = None) -> sql.Composed:
    """Rows strictly after ``cursor`` (or from the start) in the order, reversed when ``backwards``.

    ``select`` is :func:`rendered_select`'s pair (outer list, inner list), cached by the caller.
    """
    desc = order.desc != backwards
    segments = _segments(order, desc)
    start = 0
    if cursor is not None and order.split_nulls:
        in_null = cursor[0] is None
        start = next(i for i, (which, _) in enumerate(segments) if (which == "null") == in_null)
    if select is None:
        select = rendered_select(table, order, full_columns)
    outer_cols, inner_cols = select
    branches: list[sql.Composable] = []
    cmp = sql.SQL(" < ") if desc else sql.SQL(" > ")
    for n, (which, names) in enumerate(segments[start:]):
        parts = list(filters)
        if which != "all":
            fmt = "{} IS NULL" if which == "null" else "{} IS NOT NULL"
            parts.append(sql.SQL(fmt).format(sql.Identifier(order.cursor_columns[0])))
        if cursor is not None and n == 0:
            values = cursor if which != "null" else cursor[1:]
            placeholders = [bind(v) for v in values]
            target = sql.SQL("({})").format(sql.SQL(", ").join(placeholders)) if len(values) > 1 else placeholders[0]
            parts.append(_row(names) + cmp + target)
        branches.append(sql.SQL("SELECT {} FROM {}{} ORDER BY {} LIMIT {}").format(
            inner_cols, table_ident(table), _where(parts), _order_by(names, desc, table),
            sql.Literal(limit)))
    # The outer order is the whole order: the segments need no marker, as each is where PostgreSQL's
    # default places NULLs (last ascending, first descending), and inside the NULL segment the key decides.
    outer = sql.SQL(", ").join(_ref(table, c) + (sql.SQL(" DESC") if desc else sql.SQL(" ASC"))
                               for c in order.cursor_columns)
    if len(branches) == 1:
        return sql.SQL("SELECT {} FROM ({}) AS p ORDER BY {}").format(outer_cols, branches[0], outer)
    union = sql.SQL(" UNION ALL ").join(sql.SQL("({})").format(b) for b in branches)
    return sql.SQL("SELECT {} FROM ({}) AS p ORDER BY {} LIMIT {}").format(outer_cols, union, outer, sql.Literal(limit))


def offset_query(table: TableInfo, order: Order, filters: list[sql.Composable], *, offset: int,
                 limit: int) -> sql.Composed:
    """OFFSET paging for relations without a primary key (views, heap tables): stable by ctid on tables.

    As in :func:`keyset_query`, the inner select pages the raw columns and the outer one converts them,
    in the same order (the ctid as ``__ctid``).
    """
    cols = select_list(table, order, frozenset())
    inner = raw_list(table)
    terms: list[sql.Composable] = []
    outer_terms: list[sql.Composable] = []
    direction = sql.SQL(" DESC") if order.desc else sql.SQL(" ASC")
    if order.sort is not None:
        terms.append(_order_by((order.sort.name,), order.desc, table))
        outer_terms.append(_ref(table, order.sort.name) + direction)
    if table.kind in ("table", "materialized view"):
        inner.append(sql.SQL("ctid AS __ctid"))
        terms.append(sql.SQL("ctid"))
        outer_terms.append(sql.SQL("__ctid"))
    order_sql = sql.SQL(" ORDER BY ") + sql.SQL(", ").join(terms) if terms else sql.SQL("")
    outer_sql = sql.SQL(" ORDER BY ") + sql.SQL(", ").join(outer_terms) if outer_terms else sql.SQL("")
    page = sql.SQL("SELECT {} FROM {}{}{} LIMIT {} OFFSET {}").format(
        sql.SQL(", ").join(inner), table_ident(table), _where(filters), order_sql, sql.Literal(limit),
        sql.Literal(offset))
    return sql.SQL("SELECT {} FROM ({}) AS p{}").format(sql.SQL(", ").join(cols), page, outer_sql)


def copy_query(table: TableInfo, order: Order, filters: list[sql.Composable], fmt: str) -> sql.Composed:
    """``COPY (rows of the view) TO STDOUT``: the server streams, Python only forwards bytes.

    CSV is COPY's own, with ``FORCE_QUOTE`` on every column whose kind may hold a comma, quote or
    line break (JSON and JSON Lines are built by export.stream_json).
    """
    inner = export_rows(table, order, filters)
    if fmt == "csv":
        # ::text, not COPY's output function: booleans are "true", char(n) unpadded
        texts = sql.SQL(", ").join(sql.SQL("{}::text AS {}").format(sql.Identifier(c.name), sql.Identifier(c.name))
                                   for c in table.columns)
        quoted = [sql.Identifier(c.name) for c in table.columns if kind_of(c) not in CSV_SAFE_KINDS]
        force = sql.SQL(", FORCE_QUOTE ({})").format(sql.SQL(", ").join(quoted)) if quoted else sql.SQL("")
        return sql.SQL("COPY (SELECT {} FROM ({}) AS x) TO STDOUT WITH (FORMAT csv{})").format(texts, inner, force)
    raise ValueError(f"copy_query writes CSV; {fmt} goes through export.stream_json")


def export_rows(table: TableInfo, order: Order, filters: list[sql.Composable]) -> sql.Composed:
    terms: list[sql.Composable] = []
    if order.sort is not None:
        terms.append(sql.Identifier(order.sort.name) + (sql.SQL(" DESC") if order.desc else sql.SQL(" ASC")))
    terms += [sql.Identifier(k) + (sql.SQL(" DESC") if order.desc else sql.SQL(" ASC")) for k in order.key
              if order.sort is None or k != order.sort.name]
    order_sql = sql.SQL(" ORDER BY ") + sql.SQL(", ").join(terms) if terms else sql.SQL("")
    every = sql.SQL(", ").join(sql.Identifier(c.name) for c in table.columns)
    return sql.SQL("SELECT {} FROM {}{}{}").format(every, table_ident(table), _where(filters), order_sql)


# Values of these kinds never contain a comma, a quote or a line break: no CSV quoting needed.
CSV_SAFE_KINDS = frozenset({"integer", "number", "boolean", "date", "timestamp", "time", "uuid"})


def count_query(table: TableInfo, filters: list[sql.Composable], cap: int | None = None) -> sql.Composed:
    if cap is None:
        return sql.SQL("SELECT count(*) FROM {}{}").format(table_ident(table), _where(filters))
    return sql.SQL("SELECT count(*) FROM (SELECT 1 FROM {}{} LIMIT {}) AS x").format(
        table_ident(table), _where(filters), sql.Literal(cap))


def rows_query(table: TableInfo, filters: list[sql.Composable]) -> sql.Composed:
    """The bare filtered scan, for EXPLAIN's row estimate."""
    return sql.SQL("SELECT 1 FROM {}{}").format(table_ident(table), _where(filters))
