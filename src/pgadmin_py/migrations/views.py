"""What the migrations pages show: the facade's errors and typed values (migrations/service.py builds them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pgadmin_py.core.errors import AppError
from pgadmin_py.migrations.analysis import SourceAnalysis, flag_sql
from pgadmin_py.migrations.backup_scope import BackupScope
from pgadmin_py.migrations.backups import SourceCheck
from pgadmin_py.migrations.graph import (
    Revision,
    RevisionGraph,
)
from pgadmin_py.migrations.highlight import sql_html
from pgadmin_py.migrations.layout import Layout
from pgadmin_py.migrations.pgtools import (
    Backup,
    Identity,
    ToolChoice,
)
from pgadmin_py.migrations.project import AlembicProject
from pgadmin_py.migrations.review.model import Blocker, Review
from pgadmin_py.migrations.review.words import milliseconds
from pgadmin_py.migrations.runner import RunnerConfig, SqlPreview

if TYPE_CHECKING:
    pass


class NotConfigured(AppError):
    title = "Migrations are not configured"


class PlanChanged(AppError):
    status_code = 409
    title = "The database changed"


class ConfirmationMismatch(AppError):
    title = "Confirmation does not match"


@dataclass(frozen=True, slots=True)
class Notice:
    level: str  # warning | error | info
    title: str
    detail: str
    hint: str | None = None
    stamp: tuple[str, ...] | None = None  # the revisions to stamp this notice advises; () advises not stamping


@dataclass(frozen=True, slots=True)
class Drift:
    count: int
    messages: tuple[str, ...]
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Overview:
    project: AlembicProject
    graph: RevisionGraph
    layout: Layout
    notices: tuple[Notice, ...]
    runner: RunnerConfig
    version_table_exists: bool
    table_count: int
    drift: Drift | None
    running_id: int | None

    @property
    def needs_stamp(self) -> bool:
        return not self.version_table_exists and self.table_count > 0

    @property
    def stamp_targets(self) -> tuple[str, ...]:
        """The revisions worth stamping: the schema comparison's advice when there is one, else the heads."""
        advised = [n.stamp for n in self.notices if n.stamp is not None]
        return advised[0] if advised else tuple(self.graph.heads)


@dataclass(frozen=True, slots=True)
class SqlView:
    """An offline SQL preview as a page shows it; ``preview`` is None while it renders in the background."""

    preview: SqlPreview | None
    html: str = ""
    flags: tuple[str, ...] = ()

    @property
    def pending(self) -> bool:
        return self.preview is None

    @classmethod
    def of(cls, preview: SqlPreview | None) -> SqlView:
        if preview is None or not preview.ok:
            return cls(preview)
        return cls(preview, sql_html(preview.sql) if preview.sql else "", tuple(flag_sql(preview.sql)))


@dataclass(frozen=True, slots=True)
class Detail:
    revision: Revision
    graph: RevisionGraph
    source_html: str
    analysis: SourceAnalysis
    upgrade: SqlView
    downgrade: SqlView
    path: Path
    runner: RunnerConfig


@dataclass(frozen=True, slots=True)
class Plan:
    action: str
    target: str  # as passed to Alembic
    label: str  # in words
    revisions: tuple[Revision, ...]
    current: tuple[str, ...]
    sql: SqlView
    source_flags: tuple[str, ...]
    irreversible: tuple[str, ...]
    tools: ToolChoice
    backup_path: Path | None
    confirm_word: str | None  # typed confirmation required when set
    runner: RunnerConfig
    blocked: str | None = None
    blocked_hint: str | None = None
    token: str = ""  # the reviewed plan, signed: Apply runs exactly this (plantoken.py)
    scripts_hash: str = ""
    review: Review | None = None  # the SQL reviewed against the database (review/), None while it runs
    review_pending: bool = False
    in_the_way: dict[int, tuple[Blocker, ...]] = field(default_factory=dict)  # statement -> sessions, live
    lock_timeout_ms: int = 0
    backup_scope: BackupScope | None = None  # what a targeted backup would hold; None while the SQL is reviewed

    @property
    def sql_flags(self) -> tuple[str, ...]:
        """What the SQL destroys; once reviewed, without type changes the database shows to be harmless."""
        return self.review.destroys if self.review is not None and not self.review.problems else self.sql.flags

    @property
    def destructive(self) -> bool:
        return bool(self.sql_flags or self.source_flags)

    @property
    def lock_timeout_words(self) -> str:
        return milliseconds(self.lock_timeout_ms)

    @property
    def reviewing(self) -> bool:
        """The SQL block still has something to fill in (the SQL itself, or its review)."""
        return self.sql.pending or self.review_pending


@dataclass(frozen=True, slots=True)
class RestorePlan:
    backup: Backup
    tools: ToolChoice
    current: tuple[str, ...]
    confirm_word: str  # the source database and revision, typed to confirm
    extra_tables: tuple[tuple[str, str], ...] = ()  # exist now, not in the backup: dropped after the restore
    check: SourceCheck | None = None
    safety_backup: Path | None = None  # the current state, dumped first (restorable in turn)


@dataclass(frozen=True, slots=True)
class BackupsView:
    here: Identity
    backups: tuple[Backup, ...]  # of this database (and those of unknown source)
    others: int  # backups of other databases in the same directory: never offered here
    policy: str


def heads_notice(graph: RevisionGraph) -> Notice:
    """Several heads: labelled independent branches (expand / contract) are a design, unlabelled heads an
    accident to merge. A head is on a labelled branch when it or one of its ancestors declares a label."""
    labelled = graph.head_labels
    if all(labelled.get(h) for h in graph.heads):
        names = sorted({labelled[h] for h in graph.heads})
        return Notice("info", f"{len(graph.heads)} branches: {', '.join(names)}",
                      f"Independent labelled branches ({', '.join(f'{labelled[h]}@head = {h}' for h in graph.heads)}). "
                      "'alembic upgrade heads' upgrades them all; each can also move alone with label@head.",
                      None)
    unlabelled = [h for h in graph.heads if not labelled.get(h)]
    return Notice("warning", f"{len(graph.heads)} heads",
                  f"The graph has several heads ({', '.join(graph.heads)}), {len(unlabelled)} on no labelled branch "
                  f"({', '.join(unlabelled)}): 'alembic upgrade head' refuses until they are merged.",
                  "Upgrade to 'heads', or create a merge revision: alembic merge heads -m 'merge'.")
