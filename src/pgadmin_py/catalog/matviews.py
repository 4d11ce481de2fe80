"""What REFRESH MATERIALIZED VIEW may do to a materialized view, read from the catalog in the same transaction.

CONCURRENTLY keeps the view readable while it refreshes, but PostgreSQL allows it only on a populated view
with a unique index over plain columns that covers every row (no expression, no WHERE).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text

_STATE = text("""
select c.relispopulated as populated,
       exists(select 1 from pg_index x where x.indrelid = c.oid and x.indisunique and x.indisvalid
                and x.indpred is null and x.indexprs is null) as unique_index
  from pg_class c where c.oid = :oid and c.relkind = 'm'""")


@dataclass(frozen=True, slots=True)
class MatviewState:
    populated: bool
    unique_index: bool  # a unique index CONCURRENTLY can use

    @property
    def concurrently(self) -> bool:
        return self.populated and self.unique_index


def matview_state(conn: Connection, oid: int) -> MatviewState | None:
    """None when ``oid`` is no longer a materialized view (dropped meanwhile)."""
    row = conn.execute(_STATE, {"oid": oid}).first()
    return MatviewState(bool(row.populated), bool(row.unique_index)) if row is not None else None
