"""REFRESH MATERIALIZED VIEW from the table page: CONCURRENTLY when PostgreSQL allows it (readers are not
blocked), else the plain form (which also populates a view created WITH NO DATA). The name is the
catalog's, quoted; the statement is one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from pgadmin_py.catalog.matviews import matview_state
from pgadmin_py.catalog.tables import TableInfo
from pgadmin_py.core.errors import QueryTimeout
from pgadmin_py.db.engine import is_connection_error
from pgadmin_py.records import sql
from pgadmin_py.records.errors import NotWritable, RowNotFound, describe


@dataclass(frozen=True, slots=True)
class Refreshed:
    info: TableInfo
    concurrently: bool

    @property
    def message(self) -> str:
        how = " concurrently (readers were not blocked)" if self.concurrently else ""
        return f"Refreshed {self.info.name}{how}."


def refresh(engine: Engine, info: TableInfo) -> Refreshed:
    if info.kind != "materialized view":
        raise NotWritable(f"{info.schema}.{info.name} is a {info.kind}, not a materialized view: it has nothing "
                          "to refresh.", "Only materialized views are refreshed.")
    try:
        with engine.begin() as conn:
            state = matview_state(conn, info.oid)
            if state is None:
                raise RowNotFound(f"{info.schema}.{info.name} is no longer a materialized view.",
                                  "Go back to the list of tables.")
            how = "CONCURRENTLY " if state.concurrently else ""
            conn.execute(text(f"REFRESH MATERIALIZED VIEW {how}{sql.relation(info)}"))
    except DBAPIError as exc:
        primary, detail, code = describe(exc)
        if is_connection_error(exc):
            raise
        if code == "57014":
            raise QueryTimeout(f"Refreshing {info.schema}.{info.name} took longer than the statement timeout and "
                               "was cancelled; the view is as it was.",
                               "Refresh it from the SQL console or psql, where no timeout applies.") from None
        suffix = f" ({detail})" if detail else ""
        raise NotWritable(f"PostgreSQL refused to refresh {info.schema}.{info.name}: {primary}{suffix}",
                          "Check the view's query and your role's rights.") from None
    return Refreshed(info, state.concurrently)
