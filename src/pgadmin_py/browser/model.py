"""What the browser hands to the pages: frozen values, no I/O, no URLs (web/urls.py builds those)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from pgadmin_py.browser.filters import FilterProblem
from pgadmin_py.browser.kinds import RIGHT_ALIGNED
from pgadmin_py.browser.params import BrowseParams
from pgadmin_py.catalog.tables import Column, ForeignKey, TableInfo

CELL_PREVIEW = 80  # characters shown in a cell before "expand"


@dataclass(frozen=True, slots=True)
class Link:
    """Where a foreign-key value leads: the referenced row when the FK targets its primary key,
    else the referenced table filtered on the FK's columns."""

    schema: str
    table: str
    pk: tuple[str, ...] | None
    filters: tuple[tuple[str, str], ...]  # (query key, value) pairs, e.g. ("id__eq", "5")


@dataclass(frozen=True, slots=True)
class Cell:
    value: str | None  # PostgreSQL's text form; None is NULL
    cut: bool = False  # the server cut it at query.CELL_CHARS: the row page has the rest
    link: Link | None = None
    kind: str = ""  # how the page shows it: null | link | long | plain (computed; a page has thousands of cells)

    def __post_init__(self) -> None:
        if not self.kind:
            object.__setattr__(self, "kind", "null" if self.value is None else "link" if self.link is not None
                               else "long" if self.long else "plain")

    @property
    def long(self) -> bool:
        return self.value is not None and (self.cut or len(self.value) > CELL_PREVIEW or "\n" in self.value)

    @property
    def preview(self) -> str:
        text = (self.value or "").replace("\n", " ")
        return text[:CELL_PREVIEW] + ("…" if len(text) > CELL_PREVIEW or self.cut else "")


class Row(NamedTuple):
    """One page row as the query returned it: no per-cell objects (a page has thousands of cells and
    web.table_rows writes them straight to HTML); :attr:`cells` builds them when asked. A named
    tuple, not a frozen dataclass: a page builds hundreds and a tuple is the cheapest to build."""

    values: tuple[str | None, ...]  # PostgreSQL's text form per column, long ones cut at query.CELL_CHARS
    cut: frozenset[int]  # indexes of the values the server cut (the row page has the rest)
    links: tuple[Link | None, ...] | None  # per column, where a foreign-key value leads; None: no links at all
    pk: tuple[str, ...] | None  # text values of the primary key, in key order; None without a key
    pk_token: str | None  # core.pk.encode_pk(pk): the value a delete checkbox posts

    @property
    def cells(self) -> tuple[Cell, ...]:
        links = self.links
        return tuple(Cell(v, i in self.cut, links[i] if links is not None else None)
                     for i, v in enumerate(self.values))


@dataclass(frozen=True, slots=True)
class ColumnView:
    column: Column
    kind: str
    sortable: bool
    ops: tuple[str, ...]
    in_pk: bool
    fk: ForeignKey | None

    @property
    def name(self) -> str:
        return self.column.name

    @property
    def numeric(self) -> bool:
        return self.kind in RIGHT_ALIGNED


@dataclass(frozen=True, slots=True)
class Count:
    value: int | None
    exact: bool
    note: str = ""  # why it is not exact / what went wrong

    @property
    def text(self) -> str:
        if self.value is None:
            return "unknown number of rows"
        noun = "row" if self.value == 1 else "rows"
        if self.exact:
            return f"{self.value:,} {noun}"
        return f"about {_approx(self.value)} {noun}"


def _approx(n: int) -> str:
    for size, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "k")):
        if n >= size:
            return f"{n / size:.1f}".rstrip("0").rstrip(".") + suffix
    return f"{n:,}"


@dataclass(frozen=True, slots=True)
class QueryProblem:
    """The query ran into a wall (timeout, a value PostgreSQL refused): words and a way out."""

    message: str
    hint: str


@dataclass(frozen=True, slots=True)
class BrowsePage:
    table: TableInfo
    params: BrowseParams
    columns: tuple[ColumnView, ...]
    rows: tuple[Row, ...]
    keyset: bool
    has_prev: bool
    has_next: bool
    prev_cursor: str | None
    next_cursor: str | None
    count: Count
    problems: tuple[FilterProblem, ...]
    error: QueryProblem | None
    readonly_reason: str | None  # why rows cannot be edited here (view, no primary key); None when they can
    searchable: bool

    @property
    def first_row_number(self) -> int | None:
        """1-based number of the first row (OFFSET paging only; keyset pages have no number)."""
        return None if self.keyset else (self.params.page - 1) * self.params.size + 1

    def problem_for(self, index: int) -> str | None:
        return next((p.message for p in self.problems if p.index == index), None)



@dataclass(frozen=True, slots=True)
class Reference:
    """Rows of another table pointing at this row through one foreign key."""

    fk: ForeignKey
    count: int | None  # None: the count timed out
    capped: bool  # more than the count cap
    filters: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class RowPage:
    table: TableInfo
    pk: tuple[str, ...]
    pk_token: str
    fields: tuple[tuple[ColumnView, Cell, str | None], ...]  # column, cell, pretty JSON when it is JSON
    references: tuple[Reference, ...]
    readonly_reason: str | None


@dataclass(frozen=True, slots=True)
class RelationRow:
    schema: str
    name: str
    kind: str
    rows: Count | None  # None for views (no estimate)
    total_bytes: int
    comment: str | None
    size_estimated: bool  # from the catalog's page counts (catalog.tables.list_relations)
    depth: int = 0  # 0 for a table; 1 for its partitions, 2 for theirs (browser/relations.py)
    parent: str | None = None  # a partition's partitioned table
    partitions: int = 0  # a partitioned table's partitions at every level; rows and size are their sums
    populated: bool = True  # False: a materialized view never populated
