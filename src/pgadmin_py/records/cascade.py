"""What deleting rows would do, found by following foreign keys, then the delete itself.

The preview walks ``referenced_by`` recursively inside a transaction that is rolled back: the rows to
delete are collected per table (by ``ctid``, in temporary tables) until no ON DELETE CASCADE finds
more; then rows that would be set to NULL/DEFAULT, and rows that block the delete (RESTRICT / NO
ACTION references from rows that survive), are counted. Nothing is deleted and no row is locked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from pgadmin_py.catalog.tables import ForeignKey, TableInfo, read_table
from pgadmin_py.records import sql
from pgadmin_py.records.errors import DeleteBlocked, describe

MAX_PASSES = 64
MAX_TABLES = 200


@dataclass(frozen=True, slots=True)
class Effect:
    schema: str
    table: str
    action: str  # "delete", "set null", "set default", "blocked"
    rows: int
    constraint: str | None = None
    columns: tuple[str, ...] = ()
    rule: str | None = None  # the ON DELETE rule that causes it


@dataclass(frozen=True, slots=True)
class DeletePlan:
    info: TableInfo
    keys: tuple[tuple[str, ...], ...]
    found: int  # rows of the table itself that match the keys
    effects: tuple[Effect, ...]  # cascaded deletes and updates in other tables (or other rows of this one)
    blockers: tuple[Effect, ...]

    @property
    def blocked(self) -> bool:
        return bool(self.blockers)

    @property
    def total_deleted(self) -> int:
        return self.found + sum(e.rows for e in self.effects if e.action == "delete")


@dataclass(frozen=True, slots=True)
class DeleteResult:
    info: TableInfo
    deleted: int
    effects: tuple[Effect, ...]  # cascaded deletes and updates, planned in the deleting transaction


def _join(fk: ForeignKey, child: str = "c", parent: str = "p") -> str:
    return " AND ".join(f"{child}.{sql.quote(a)} = {parent}.{sql.quote(b)}"
                        for a, b in zip(fk.columns, fk.ref_columns, strict=True))


class _Walk:
    def __init__(self, conn: Connection, root: TableInfo) -> None:
        self.conn = conn
        self.infos: dict[tuple[str, str], TableInfo] = {(root.schema, root.name): root}
        self.temps: dict[tuple[str, str], str] = {}

    def info(self, schema: str, name: str) -> TableInfo:
        key = (schema, name)
        if key not in self.infos:
            if len(self.infos) >= MAX_TABLES:
                raise DeleteBlocked("The delete reaches too many tables to preview.", "Delete with SQL instead.")
            self.infos[key] = read_table(self.conn, schema, name)
        return self.infos[key]

    def temp(self, key: tuple[str, str]) -> str:
        if key not in self.temps:
            name = f"pg_temp._pgadmin_del_{len(self.temps)}"
            self.conn.execute(text(f"CREATE TEMP TABLE {name.split('.')[1]} (t tid PRIMARY KEY) ON COMMIT DROP"))
            self.temps[key] = name
        return self.temps[key]

    def cascade_pass(self) -> int:
        added = 0
        for key in list(self.temps):
            parent = self.infos[key]
            for fk in parent.referenced_by:
                if fk.on_delete != "CASCADE":
                    continue
                child = self.info(fk.schema, fk.table)
                target = self.temp((child.schema, child.name))
                result = self.conn.execute(text(
                    f"INSERT INTO {target} SELECT c.ctid FROM {sql.relation(child)} c "
                    f"JOIN {sql.relation(parent)} p ON {_join(fk)} "
                    f"WHERE p.ctid IN (SELECT t FROM {self.temps[key]}) ON CONFLICT DO NOTHING"))
                added += result.rowcount or 0
        return added

    def count(self, key: tuple[str, str]) -> int:
        return int(self.conn.execute(text(f"SELECT count(*) FROM {self.temps[key]}")).scalar_one())

    def referencing(self, key: tuple[str, str], fk: ForeignKey) -> int:
        """Rows of the FK's table that point at deleted rows of ``key`` and are not deleted themselves."""
        parent, child = self.infos[key], self.info(fk.schema, fk.table)
        survivors = ""
        if (child.schema, child.name) in self.temps:
            survivors = f" AND c.ctid NOT IN (SELECT t FROM {self.temps[(child.schema, child.name)]})"
        return int(self.conn.execute(text(
            f"SELECT count(DISTINCT c.ctid) FROM {sql.relation(child)} c JOIN {sql.relation(parent)} p "
            f"ON {_join(fk)} WHERE p.ctid IN (SELECT t FROM {self.temps[key]}){survivors}")).scalar_one())


def _plan(conn: Connection, info: TableInfo, keys: Sequence[tuple[str, ...]]) -> DeletePlan:
    walk = _Walk(conn, info)
    root = (info.schema, info.name)
    cond, params = sql.keys_condition(info, keys)
    conn.execute(text(f"INSERT INTO {walk.temp(root)} SELECT ctid FROM {sql.relation(info)} WHERE {cond}"), params)
    found = walk.count(root)
    for _ in range(MAX_PASSES):
        if walk.cascade_pass() == 0:
            break
    effects: list[Effect] = []
    blockers: list[Effect] = []
    for key in walk.temps:
        rows = walk.count(key) - (found if key == root else 0)
        if rows:
            effects.append(Effect(key[0], key[1], "delete", rows, rule="CASCADE"))
        for fk in walk.infos[key].referenced_by:
            if fk.on_delete == "CASCADE":
                continue
            n = walk.referencing(key, fk)
            if not n:
                continue
            action = {"SET NULL": "set null", "SET DEFAULT": "set default"}.get(fk.on_delete, "blocked")
            effect = Effect(fk.schema, fk.table, action, n, fk.name, fk.columns, fk.on_delete)
            (blockers if action == "blocked" else effects).append(effect)
    return DeletePlan(info, tuple(keys), found, tuple(effects), tuple(blockers))


def preview(engine: Engine, info: TableInfo, keys: Sequence[tuple[str, ...]]) -> DeletePlan:
    """The plan, computed in a transaction that is always rolled back."""
    with engine.connect() as conn, conn.begin() as tx:
        try:
            return _plan(conn, info, keys)
        finally:
            tx.rollback()


def delete(engine: Engine, info: TableInfo, keys: Sequence[tuple[str, ...]]) -> DeleteResult:
    """Delete the rows in one transaction, after re-planning in it (the preview may be stale)."""
    cond, params = sql.keys_condition(info, keys)
    try:
        with engine.begin() as conn:
            plan = _plan(conn, info, keys)
            if plan.blocked:
                b = plan.blockers[0]
                raise DeleteBlocked(
                    f"{b.rows} row(s) in {b.schema}.{b.table} still point at these rows "
                    f"({', '.join(b.columns)}, ON DELETE {b.rule}). Nothing was deleted.",
                    "Delete or re-point the referencing rows first.")
            deleted = conn.execute(text(f"DELETE FROM {sql.relation(info)} WHERE {cond}"), params).rowcount or 0
    except DBAPIError as exc:
        primary, detail, state = describe(exc)
        if state == "23503":
            raise DeleteBlocked(f"{primary}. {detail or ''}".strip(),
                                "Delete or re-point the referencing rows first; nothing was deleted.") from None
        if state in ("57014", "40001", "40P01", "55P03", "42501", "25006"):
            raise DeleteBlocked(f"{primary}. Nothing was deleted.", "Try again, or use the SQL console.") from None
        raise
    return DeleteResult(info, deleted, plan.effects)
