"""Recording the schema around a run, and what its page says about it.

The run's worker calls :meth:`SchemaWatch.record` once the lock is held (before the backup and the migration)
and once the run has ended (before its outcome is recorded, so the finished page has both). A downgrade is
verified against the schema recorded before the upgrade it undoes: the most recent successful upgrade run
that went from where the downgrade ended to where it started.
"""

from __future__ import annotations

from dataclasses import dataclass

from pgadmin_py.catalog.schema_snapshot import SchemaSnapshot, read_schema
from pgadmin_py.core.dburl import DatabaseUrl
from pgadmin_py.db.engine import direct_connection
from pgadmin_py.migrations.history import RunHistory, RunRecord
from pgadmin_py.migrations.schema_diff import SchemaChange, Verification, changes, left_over, unified

SNAPSHOT_TIMEOUT_MS = 30_000
LOOK_BACK = 500  # runs searched for the upgrade a downgrade undoes


@dataclass(frozen=True, slots=True)
class SchemaWatch:
    url: DatabaseUrl
    history: RunHistory
    version_table: tuple[str, str | None]  # (table, schema or None): left out of every snapshot

    def record(self, run_id: int, phase: str) -> SchemaSnapshot:
        with direct_connection(self.url, "schema snapshot",
                               options=f"-c statement_timeout={SNAPSHOT_TIMEOUT_MS}") as conn:
            snapshot = read_schema(conn, leave_out=self.version_table)
        self.history.set_schema(run_id, phase, snapshot.to_json())
        return snapshot


@dataclass(frozen=True, slots=True)
class RunSchema:
    """The schema facts of one run's page; each None when the run has no such record."""

    change: SchemaChange | None = None
    verification: Verification | None = None


def snapshots(history: RunHistory, run_id: int) -> dict[str, SchemaSnapshot]:
    return {phase: SchemaSnapshot.from_json(text) for phase, text in history.schemas(run_id).items()}


def _undone_upgrade(history: RunHistory, downgrade: RunRecord
                    ) -> tuple[RunRecord, SchemaSnapshot] | None:
    if downgrade.to_revisions is None:
        return None
    start, end = set(downgrade.to_revisions), set(downgrade.from_revisions)
    for run in history.recent(LOOK_BACK):
        if run.id >= downgrade.id or run.kind != "upgrade" or run.status != "succeeded":
            continue
        if set(run.from_revisions) == start and set(run.to_revisions or ()) == end:
            before = snapshots(history, run.id).get("before")
            if before is not None:
                return run, before
    return None


def run_schema(history: RunHistory, record: RunRecord) -> RunSchema:
    """What changed in the run's schema, and for a finished downgrade, whether it is back where it was."""
    recorded = snapshots(history, record.id)
    before, after = recorded.get("before"), recorded.get("after")
    if before is None or after is None:
        return RunSchema()
    change = SchemaChange.between(before, after, f"before run #{record.id}", f"after run #{record.id}")
    verification = None
    if record.kind == "downgrade" and record.status == "succeeded":
        found = _undone_upgrade(history, record)
        if found is not None:
            upgrade, reference = found
            verification = Verification(
                upgrade.id, upgrade.revisions, tuple(left_over(changes(reference, after))),
                unified(reference, after, f"before run #{upgrade.id} (upgrade)", f"after run #{record.id}"))
    return RunSchema(change, verification)
