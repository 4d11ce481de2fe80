"""What a review says: findings next to their statements, the live numbers behind them, the safe way."""

from __future__ import annotations

from dataclasses import dataclass

from pgadmin_py.core.compat import StrEnum

# squawk's rule ids (https://squawkhq.com/docs/<id>) where one exists; ours are listed in OWN_RULES
SQUAWK_DOCS = "https://squawkhq.com/docs/"
OWN_RULES = frozenset({
    "adding-enum-value-in-transaction", "unique-over-duplicates", "not-null-over-nulls", "foreign-key-over-orphans",
    "type-change-uncastable", "type-change-loses-values", "concurrent-index-deletion-in-transaction", "deletes-rows",
    "updates-rows", "unparsed-statement",
})


class Severity(StrEnum):
    """How bad a finding is, worst first: fails on this data, loses data, blocks traffic, worth knowing."""

    ERROR = "error"
    DANGER = "danger"
    WARNING = "warning"
    NOTICE = "notice"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)

    @property
    def label(self) -> str:
        return {"error": "will fail", "danger": "loses data", "warning": "warning", "notice": "note"}[self.value]


@dataclass(frozen=True, slots=True)
class Link:
    """Rows in the data browser: ``pairs`` are its filter query pairs (``email__eq``, value)."""

    label: str
    schema: str
    table: str
    pairs: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    severity: Severity
    title: str  # one line, with the live numbers
    detail: str = ""  # why, in words
    fix: str = ""  # the safe way, in words
    code: str = ""  # the safe way as Alembic code to paste
    links: tuple[Link, ...] = ()

    @property
    def docs(self) -> str | None:
        return None if self.rule in OWN_RULES else SQUAWK_DOCS + self.rule


@dataclass(frozen=True, slots=True)
class TableLock:
    """A lock a statement takes on an existing table, for the live "who is in the way" check."""

    oid: int
    table: str  # schema-qualified, for display
    mode: str  # ACCESS EXCLUSIVE ...
    name: tuple[str, str] = ("", "")  # (schema, table) as the catalog spells them


@dataclass(frozen=True, slots=True)
class StatementReview:
    index: int
    sql: str
    html: str  # highlighted
    revision: str | None
    bookkeeping: bool  # BEGIN / COMMIT / the version table: shown quietly
    kind: str = ""  # Statement.kind: the parse node's type ("DropStmt:OBJECT_TABLE"); "" when it does not parse
    impact: str = ""  # lock and rewrite impact in words, with the live numbers
    findings: tuple[Finding, ...] = ()
    locks: tuple[TableLock, ...] = ()
    destroys: tuple[str, ...] = ()  # "drops column notes": what it destroys, for the plan's summary

    @property
    def worst(self) -> Severity | None:
        return min((f.severity for f in self.findings), key=lambda s: s.rank, default=None)


@dataclass(frozen=True, slots=True)
class Review:
    statements: tuple[StatementReview, ...]
    lock_timeout_ms: int  # what the run will use (MIGRATION_LOCK_TIMEOUT); 0: none
    server_version: int = 0
    problems: tuple[str, ...] = ()  # what could not be looked at (e.g. the database was unreachable)
    took_ms: float = 0.0
    checked_at: str = ""  # HH:MM:SS UTC: the data checks are kept for a few minutes

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for s in self.statements for f in s.findings)

    @property
    def destroys(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(words for s in self.statements for words in s.destroys))

    @property
    def tables(self) -> tuple[int, ...]:
        return tuple(dict.fromkeys(lock.oid for s in self.statements for lock in s.locks))

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)

    def tally(self) -> list[tuple[Severity, int]]:
        """(severity, how many findings), worst first, severities without findings left out."""
        return [(s, n) for s in Severity if (n := self.count(s))]


@dataclass(frozen=True, slots=True)
class Blocker:
    """A session in the way of a statement right now."""

    pid: int
    application_name: str
    user: str
    state: str
    mode: str  # the lock it holds or waits for, in words (ACCESS SHARE)
    granted: bool
    table: str
    seconds: float | None  # how long its transaction (or, without one, its current state) has lasted
    query: str
