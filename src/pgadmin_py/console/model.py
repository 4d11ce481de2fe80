"""The values the console hands to the web layer: result sets, errors, notices, batches."""

from __future__ import annotations

from dataclasses import dataclass

from pgadmin_py.console.statements import Statement
from pgadmin_py.core.compat import StrEnum


@dataclass(frozen=True, slots=True)
class ConsoleLimits:
    """What protects the database and the page: a statement timeout, a row cap, a page size."""

    statement_timeout_ms: int
    row_cap: int = 10_000
    page_size: int = 100


CONSOLE_TIMEOUT_MS = 30_000  # the console never waits longer than this, even if the app allows more


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type_name: str
    numeric: bool = False


@dataclass(frozen=True, slots=True)
class Notice:
    severity: str
    message: str


@dataclass(frozen=True, slots=True)
class QueryError:
    """A failed statement: PostgreSQL's words, and where in the editor text it points."""

    message: str
    sqlstate: str | None = None
    detail: str | None = None
    hint: str | None = None
    offset: int | None = None  # 0-based offset in the editor text, from PostgreSQL's position
    line: int | None = None
    column: int | None = None
    line_text: str = ""
    reason: str = "error"  # error | timeout | cancelled | refused


class Mode(StrEnum):
    READ_ONLY = "read-only"  # ran in a read-only transaction, rolled back
    COMMITTED = "committed"  # writes were allowed and confirmed: committed
    ROLLED_BACK = "rolled back"  # writes allowed but a statement failed: nothing kept
    NOTHING_WRITTEN = "no changes"  # writes allowed, the batch wrote nothing


@dataclass(frozen=True, slots=True)
class ResultSet:
    """One statement's outcome. ``rows`` hold display strings (None is SQL NULL), at most the row cap."""

    index: int
    statement: Statement
    status: str = ""
    columns: tuple[Column, ...] = ()
    rows: tuple[tuple[str | None, ...], ...] = ()
    row_count: int | None = None  # rows returned (fetched) or affected
    truncated: bool = False
    duration_ms: float = 0.0
    notices: tuple[Notice, ...] = ()
    error: QueryError | None = None
    skipped: bool = False  # not run because an earlier statement failed

    @property
    def has_rows(self) -> bool:
        return bool(self.columns)

    def page_count(self, page_size: int) -> int:
        return max(1, -(-len(self.rows) // page_size))

    def page(self, number: int, page_size: int) -> tuple[tuple[str | None, ...], ...]:
        start = (max(1, number) - 1) * page_size
        return self.rows[start:start + page_size]


@dataclass(frozen=True, slots=True)
class Batch:
    """A run of the editor's text (or its selection)."""

    id: str
    sql: str  # the whole editor text (positions refer to it)
    results: tuple[ResultSet, ...]
    mode: Mode
    duration_ms: float
    history_id: int | None = None
    refused: QueryError | None = None  # the batch was not run at all (e.g. BEGIN/COMMIT inside)

    @property
    def ok(self) -> bool:
        return self.refused is None and all(r.error is None for r in self.results)

    @property
    def total_rows(self) -> int:
        return sum(r.row_count or 0 for r in self.results)

    @property
    def error(self) -> QueryError | None:
        if self.refused:
            return self.refused
        return next((r.error for r in self.results if r.error), None)


@dataclass(frozen=True, slots=True)
class Confirmation:
    """Writes were asked for: what would change, before anything runs for real."""

    sql: str
    selection: tuple[int, int] | None
    statements: tuple[Statement, ...]  # those that may modify data, schema or the server
    token: str
    wrote_unexpectedly: bool = False  # the text looked read-only but the transaction wrote
    reasons: tuple[str, ...] = ()  # why each statement needs the confirmation (the read-only guard's words)
    action: str = "run"  # run | analyze: what confirming runs

    @property
    def items(self) -> list[tuple[Statement, str]]:
        return list(zip(self.statements, self.reasons or ("",) * len(self.statements), strict=False))


@dataclass(frozen=True, slots=True)
class RunRequest:
    """What the user asked: the editor text, the selection to run (if any), writes or not."""

    sql: str
    selection: tuple[int, int] | None = None
    allow_writes: bool = False
    confirm: str = ""
    run_id: str = ""

    @property
    def target(self) -> tuple[str, int]:
        """The text that runs and its offset in the editor text."""
        if self.selection is not None:
            start, end = self.selection
            if 0 <= start < end <= len(self.sql) and self.sql[start:end].strip():
                return self.sql[start:end], start
        return self.sql, 0
