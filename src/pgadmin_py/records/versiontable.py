"""Alembic's version table: a row there is what Alembic believes the schema is, not data.

Changing it by hand (an edit, a new row) makes ``alembic upgrade`` skip migrations the schema never got,
or run again ones it already has. Records refuses such a write until the person confirms it, on the
server: the form comes back with the consequence in words and a confirmation that the next save carries.
"""

from __future__ import annotations

from dataclasses import dataclass

from pgadmin_py.catalog.tables import TableInfo

CONFIRM_FIELD = "_confirm_version"  # posted by the confirmation (templates/tables/form.html)
CONSEQUENCE = ("Alembic will believe the database is at another revision than its schema is: alembic upgrade will "
               "skip the migrations the schema never got, or run again ones it already has (and fail, or apply "
               "them twice), and autogenerate compares against the wrong history.")


def is_version_table(info: TableInfo) -> bool:
    """``alembic_version``, or any table shaped like one (``version_table=`` in env.py renames it)."""
    shaped = info.column_names == ("version_num",) and info.primary_key == ("version_num",)
    return info.name == "alembic_version" or shaped


@dataclass(frozen=True, slots=True)
class VersionChange:
    """A write to the version table waiting for its confirmation."""

    table: str
    before: str | None  # the revision the row records now (None: a new row)
    after: str | None  # the revision it would record

    @property
    def consequence(self) -> str:
        return CONSEQUENCE
