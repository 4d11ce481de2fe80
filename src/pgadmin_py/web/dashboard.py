"""The dashboard's facts, gathered from the features (the one place that composes them)."""

from __future__ import annotations

from dataclasses import dataclass

from pgadmin_py.catalog.overview import DatabaseOverview, database_overview, human_size
from pgadmin_py.migrations.status import MigrationSummary
from pgadmin_py.orm.models import ModelFacts
from pgadmin_py.web.state import AppState


@dataclass(frozen=True, slots=True)
class Problem:
    title: str
    detail: str
    href: str | None = None


@dataclass(frozen=True, slots=True)
class Dashboard:
    overview: DatabaseOverview
    migrations: MigrationSummary
    models: ModelFacts
    problems: tuple[Problem, ...]

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


def build_dashboard(state: AppState) -> Dashboard:
    overview = database_overview(state.engine)
    migrations = state.migrations.summary()
    models = state.models.facts()
    problems = find_problems(migrations, models, overview)
    return Dashboard(overview, migrations, models, tuple(problems))
