"""The dashboard's facts, gathered from the features (the one place that composes them)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from pgadmin_py.catalog.overview import DatabaseOverview, database_overview, human_size
from pgadmin_py.console.readonly_role import DEFAULT_ROLE, read_only_role_sql
from pgadmin_py.core.dburl import DatabaseUrl
from pgadmin_py.migrations.status import MigrationSummary
from pgadmin_py.orm.models import ModelFacts
from pgadmin_py.web.state import AppState


@dataclass(frozen=True, slots=True)
class Problem:
    title: str
    detail: str
    href: str | None = None


@dataclass(frozen=True, slots=True)
class RoleNotice:
    """pgadmin-py connects as a role that can write anything: say so, and how to make one that cannot."""

    role_name: str
    superuser: bool
    database: str
    sql: str  # creates a read-only role, with a fresh password
    database_url: str  # the URL that connects as that role


@dataclass(frozen=True, slots=True)
class Dashboard:
    overview: DatabaseOverview
    migrations: MigrationSummary
    models: ModelFacts
    problems: tuple[Problem, ...]
    role_notice: RoleNotice | None = None

    @property
    def size(self) -> str:
        return human_size(self.overview.size_bytes)


def find_problems(migrations: MigrationSummary, models: ModelFacts, overview: DatabaseOverview) -> list[Problem]:
    problems: list[Problem] = []
    if models.problem is not None:
        problems.append(Problem(f"Models could not be imported ({models.spec})",
                                f"{models.problem.summary}. {models.problem.hint}", "/models"))
    if migrations.problem is not None:
        problems.append(Problem("The Alembic project cannot be read", migrations.problem, "/migrations"))
    if migrations.configured:
        if len(migrations.heads) > 1:
            problems.append(Problem(f"{len(migrations.heads)} heads", "The revision graph has several heads; "
                                    "`alembic upgrade head` will refuse until they are merged.", "/migrations"))
        if migrations.unknown_current:
            problems.append(Problem("The database is at an unknown revision",
                                    f"{', '.join(migrations.unknown_current)} is recorded in alembic_version "
                                    "but no script defines it.", "/migrations"))
        if not migrations.version_table_exists and overview.table_count > 0:
            problems.append(Problem("Tables exist but no version table",
                                    "The schema was created without Alembic (e.g. create_all); stamp it to "
                                    "the matching revision before migrating.", "/migrations"))
    return problems


def role_notice(overview: DatabaseOverview, url: DatabaseUrl | None) -> RoleNotice | None:
    """A notice when the connected role is a superuser or owns the database (None otherwise)."""
    if not (overview.superuser or overview.owns_database):
        return None
    password = secrets.token_urlsafe(18)
    sql = read_only_role_sql(overview.database, overview.schemas, overview.role_name, password,
                             overview.reserved_words)
    target = "" if url is None else url.replace(user=DEFAULT_ROLE, password=password).libpq()
    return RoleNotice(overview.role_name, overview.superuser, overview.database, sql, target)


def build_dashboard(state: AppState) -> Dashboard:
    overview = database_overview(state.engine)
    migrations = state.migrations.summary()
    models = state.models.facts()
    problems = find_problems(migrations, models, overview)
    return Dashboard(overview, migrations, models, tuple(problems),
                     role_notice(overview, state.settings.database_url))
