"""The migrations feature's facade: one call per page or action, each returning a typed value."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, text

from pgadmin_py.catalog.tables import catalog_fingerprint
from pgadmin_py.core.errors import AppError, NotFound
from pgadmin_py.core.settings import Settings
from pgadmin_py.migrations.analysis import SourceAnalysis, analyze_source, flag_sql
from pgadmin_py.migrations.drift import autogenerate_script, matching_revision, merge_script
from pgadmin_py.migrations.envpy import read_env
from pgadmin_py.migrations.graph import (
    Revision,
    RevisionGraph,
    build_graph,
    downgrade_path,
    one_step_down,
    resolve,
    upgrade_path,
)
from pgadmin_py.migrations.highlight import python_html, sql_html
from pgadmin_py.migrations.imports import missing_imports
from pgadmin_py.migrations.layout import Layout, layout
from pgadmin_py.migrations.pgtools import (
    Backup,
    ToolChoice,
    archive_tables,
    backup_path,
    choose_tools,
    find_backup,
    list_backups,
)
from pgadmin_py.migrations.project import AlembicProject, read_project
from pgadmin_py.migrations.runner import RunnerConfig, SqlPreview, offline_sql
from pgadmin_py.migrations.runs import LOCK_KEY, RunJob, RunRegistry
from pgadmin_py.migrations.scripts import read_scripts
from pgadmin_py.migrations.status import read_current
from pgadmin_py.orm.models import ProjectModels
from pgadmin_py.orm.probe import DriftFacts, ProbeFailed

ACTIONS = ("upgrade", "downgrade", "stamp")


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
class Detail:
    revision: Revision
    graph: RevisionGraph
    source_html: str
    analysis: SourceAnalysis
    upgrade_sql: SqlPreview
    downgrade_sql: SqlPreview
    upgrade_sql_html: str
    downgrade_sql_html: str
    upgrade_flags: tuple[str, ...]
    downgrade_flags: tuple[str, ...]
    path: Path


@dataclass(frozen=True, slots=True)
class Plan:
    action: str
    target: str  # as passed to Alembic
    label: str  # in words
    revisions: tuple[Revision, ...]
    current: tuple[str, ...]
    sql: SqlPreview
    sql_html: str
    sql_flags: tuple[str, ...]
    source_flags: tuple[str, ...]
    irreversible: tuple[str, ...]
    tools: ToolChoice
    backup_path: Path | None
    confirm_word: str | None  # typed confirmation required when set
    runner: RunnerConfig
    blocked: str | None = None

    @property
    def destructive(self) -> bool:
        return bool(self.sql_flags or self.source_flags)


@dataclass(frozen=True, slots=True)
class RestorePlan:
    backup: Backup
    tools: ToolChoice
    current: tuple[str, ...]
    confirm_word: str
    extra_tables: tuple[tuple[str, str], ...] = ()  # exist now, not in the backup: dropped after the restore


class MigrationsService:
    def __init__(self, settings: Settings, engine: Engine, registry: RunRegistry,
                 models: ProjectModels | None = None) -> None:
        self.settings = settings
        self.engine = engine
        self.registry = registry
        self.models = models  # the project's models as facts; drift is computed by their probe
        self.history = registry.history(settings.data_dir, self._lock_is_free)

    def _lock_is_free(self) -> bool:
        with self.engine.connect() as conn:
            free = bool(conn.execute(text("select pg_try_advisory_lock(:k)"), {"k": LOCK_KEY}).scalar_one())
            if free:
                conn.execute(text("select pg_advisory_unlock(:k)"), {"k": LOCK_KEY})
        return free

    # -- reading -------------------------------------------------------------------------------------
    def project(self) -> AlembicProject:
        ini = self.settings.alembic_config
        if ini is None:
            raise NotConfigured("No alembic.ini was found in the project directory.",
                                "Set ALEMBIC_CONFIG=path/to/alembic.ini (and ALEMBIC_SECTION for multi-db ini files).")
        return read_project(ini, self.settings.alembic_section)

    def runner(self, project: AlembicProject) -> RunnerConfig:
        assert self.settings.database_url is not None
        return RunnerConfig(project.ini_path, project.section, self.settings.project_dir, self.settings.database_url,
                            alembic_python=self.settings.alembic_python, migrate_command=self.settings.migrate_command,
                            version_table=read_env(project.script_location).qualified)

    def graph(self) -> tuple[AlembicProject, RevisionGraph, bool]:
        project = self.project()
        scripts = read_scripts(project)
        exists, current = read_current(self.engine, read_env(project.script_location).qualified)
        return project, build_graph(scripts, current), exists

    def overview(self) -> Overview:
        project, graph, exists = self.graph()
        parents = {r: rev.parents for r, rev in graph.revisions.items()}
        deps = {r: rev.script.depends_on for r, rev in graph.revisions.items() if rev.script.depends_on}
        lay = layout(graph.order, parents, deps)
        with self.engine.connect() as conn:
            tables = conn.execute(text(
                "select count(*) from pg_catalog.pg_tables where schemaname not in ('pg_catalog', "
                "'information_schema') and tablename <> 'alembic_version'")).scalar_one()
        runner = self.runner(project)
        notices = self._notices(project, graph, exists, int(tables), runner)
        return Overview(project, graph, lay, tuple(notices), runner, exists, int(tables), self._drift(),
                        self.registry.running_id(self.history))

    def _notices(self, project: AlembicProject, graph: RevisionGraph, exists: bool, tables: int,
                 runner: RunnerConfig) -> list[Notice]:
        notes: list[Notice] = []
        if not graph.revisions:
            notes.append(Notice("warning", "No revision scripts found",
                                f"Looked in {', '.join(str(p) for p in project.version_locations)}.",
                                "Check script_location / version_locations in alembic.ini."))
        if len(graph.heads) > 1:
            notes.append(Notice("warning", f"{len(graph.heads)} heads",
                                f"The graph has several heads ({', '.join(graph.heads)}): 'alembic upgrade head' "
                                "refuses until they are merged.",
                                "Upgrade to 'heads', or create a merge revision: alembic merge heads -m 'merge'."))
        for rev, missing in graph.missing_parents:
            notes.append(Notice("error", "Missing down_revision",
                                f"Revision {rev} names down_revision {missing}, which no script defines.",
                                "Restore the missing script or fix down_revision."))
        for dup in graph.duplicates:
            notes.append(Notice("error", "Duplicate revision id", f"Two scripts declare revision {dup}.", None))
        for rev in graph.unknown_current:
            notes.append(Notice("error", "Database at an unknown revision",
                                f"alembic_version holds {rev}, which no script in this project defines.",
                                "Point ALEMBIC_CONFIG at the project that migrated this database, or stamp it."))
        if not exists and tables > 0:
            notes.append(self._unversioned(tables, graph))
        if runner.mode == "default":
            for module, where in missing_imports(project, graph, self.settings.project_dir)[:3]:
                notes.append(Notice("warning", f"Module {module!r} is not importable here",
                                    f"{where} imports {module}, which is not installed where pgadmin-py runs, so "
                                    "migrations cannot run in the default runner (the graph is still shown).",
                                    "Set ALEMBIC_PYTHON to the project's interpreter, or MIGRATE_COMMAND to its own "
                                    "migration command."))
        return notes

    def _unversioned(self, tables: int, graph: RevisionGraph) -> Notice:
        """Failure class 8: tables but no version table (``create_all``). The schema is compared with the models
        first (Alembic's autogenerate comparison, in the project's interpreter): the same -> stamp head; what the
        later revisions would add is missing -> stamp the revision it matches; none of the models' tables -> upgrade
        from base; otherwise the differences, so nobody stamps a schema that does not match."""
        title = "Tables exist but no version table"
        said = (f"The database has {tables} tables but no alembic_version: the schema was created without Alembic "
                "(e.g. metadata.create_all).")
        head = graph.heads[0] if len(graph.heads) == 1 else "heads"
        found = self._drift_facts()
        if found is None or found.error:
            why = f" The models could not be compared with it ({found.error})." if found and found.error else (
                " No models are loaded to compare it with (set SQLALCHEMY_BASE, or let env.py set target_metadata).")
            return Notice("warning", title, said + why,
                          f"Compare the schema with the revisions by hand, then stamp the matching one (stamp {head} "
                          "if it is the latest).")
        if not found.items:
            return Notice("info", title, said + " It matches the models exactly (Alembic's autogenerate comparison "
                          "finds no difference).", f"Stamp it at the head revision: stamp {head}, then migrate as "
                          "usual.", stamp=tuple(graph.heads))
        matched = matching_revision(found.items, self._chain(graph)) if len(graph.heads) == 1 else None
        listed = "; ".join(i.message for i in found.items[:8]) + (
            f"; and {len(found.items) - 8} more" if len(found.items) > 8 else "")
        if matched == "base":
            return Notice("warning", title, said + " None of the models' tables exist yet: the schema is at base "
                          f"for this project ({listed}).", f"Upgrade from base (upgrade {head}) rather than "
                          "stamping; the other tables are not the models'.", stamp=())
        if matched is not None:
            return Notice("warning", title, said + f" It differs from the models exactly by what the revisions after "
                          f"{matched} do ({listed}): it is at {matched}.",
                          f"Stamp it at that revision: stamp {matched}, then upgrade to apply the rest.",
                          stamp=(matched,))
        return Notice("warning", title, said + f" It differs from the models in {len(found.items)} way(s): {listed}.",
                      "Do not stamp yet: bring the schema to the revision it matches (or make the models match it), "
                      "then stamp that revision. Stamping a schema that differs hides the difference from Alembic.",
                      stamp=())

    @staticmethod
    def _chain(graph: RevisionGraph) -> list[tuple[str, str]]:
        """(revision, source) of the head's ancestry, newest first (every child before its parents)."""
        wanted: set[str] = set()
        todo = list(graph.heads[:1])
        while todo:
            rev = todo.pop()
            if rev in graph.revisions and rev not in wanted:
                wanted.add(rev)
                todo.extend(graph.revisions[rev].parents)
        chain = []
        for rev, revision in graph.revisions.items():  # newest first
            if rev in wanted:
                try:
                    source = revision.script.path.read_text(encoding="utf-8", errors="replace")
                except OSError:
                    source = ""
                chain.append((rev, source))
        return chain

    def _drift_facts(self) -> DriftFacts | None:
        if self.models is None or not self.models.facts().loaded:
            return None
        try:
            key = catalog_fingerprint(self.engine)
        except Exception:  # noqa: BLE001 - no fingerprint: compare without caching
            key = None
        return self.models.drift(key)

    def _drift(self) -> Drift | None:
        found = self._drift_facts()
        if found is None:
            return None
        if found.error:
            return Drift(0, (), found.error)
        return Drift(len(found.items), tuple(item.message for item in found.items))

    def autogenerate_script(self) -> str:
        """The revision `alembic revision --autogenerate` would write, on top of the current heads."""
        if self.models is None or not self.models.facts().loaded:
            raise NotFound("No models are loaded, so there is nothing to compare the database with.",
                           "Set SQLALCHEMY_BASE=module:Base, or let your env.py set target_metadata.")
        _, graph, _ = self.graph()
        if graph.pending:
            raise AppError(f"The database is not up to date: {len(graph.pending)} migration(s) are pending, and "
                           "their changes would be generated a second time.",
                           "Apply the pending migrations first (as `alembic revision --autogenerate` requires).")
        try:
            rendered = self.models.render_migration()
        except ProbeFailed as failed:
            raise AppError(f"The revision could not be generated: {failed.problem.summary}",
                           failed.problem.hint) from None
        return autogenerate_script(rendered, tuple(graph.heads))

    def merge_script(self) -> str:
        """A merge revision joining every head, as `alembic merge heads` would write it."""
        _, graph, _ = self.graph()
        if len(graph.heads) < 2:
            raise NotFound("The graph has a single head: there is nothing to merge.", None)
        return merge_script(tuple(sorted(graph.heads)))

    def detail(self, rev: str) -> Detail:
        project, graph, _ = self.graph()
        if rev not in graph.revisions:
            raise NotFound(f"No revision {rev!r} in this project.", "Pick a revision from the graph.")
        revision = graph.revisions[rev]
        source = revision.script.path.read_text(encoding="utf-8", errors="replace")
        analysis = analyze_source(source)
        runner = self.runner(project)
        with ThreadPoolExecutor(max_workers=2) as pool:  # two independent child processes: run them side by side
            up_future = pool.submit(offline_sql, runner, "sql-step", rev, revision.script.down_revisions, "up")
            down_future = pool.submit(offline_sql, runner, "sql-step", rev, (rev,), "down")
            up, down = up_future.result(), down_future.result()
        return Detail(revision, graph, python_html(source, analysis.flagged_lines), analysis, up, down,
                      sql_html(up.sql) if up.ok else "", sql_html(down.sql) if down.ok else "",
                      tuple(flag_sql(up.sql)), tuple(flag_sql(down.sql)), revision.script.path)

    # -- planning ------------------------------------------------------------------------------------
    def tools(self) -> ToolChoice:
        with self.engine.connect() as conn:
            major = int(conn.execute(text("select current_setting('server_version_num')::int / 10000")).scalar_one())
        return choose_tools(major)

    def plan(self, action: str, target: str) -> Plan:
        if action not in ACTIONS:
            raise AppError(f"Unknown action {action!r}.", "Use upgrade, downgrade or stamp.")
        project, graph, _ = self.graph()
        runner = self.runner(project)
        current = graph.current
        if action == "downgrade" and target in {"-1", "one"}:
            target = one_step_down(graph)
        if action == "downgrade" and target == "-1":
            targets = graph.revisions[current[0]].parents
        else:
            targets = resolve(graph, target)
        if action == "upgrade":
            ids = upgrade_path(graph, targets)
            label = f"upgrade to {target}"
            sql = offline_sql(runner, "sql-upgrade", target, current) if ids else SqlPreview("", True)
        elif action == "downgrade":
            ids = downgrade_path(graph, targets)
            label = "downgrade one step" if target == "-1" else f"downgrade to {target}"
            sql = offline_sql(runner, "sql-downgrade", target, current) if ids else SqlPreview("", True)
        else:
            ids = []
            label = f"stamp {target}"
            sql = SqlPreview("", True)
        revisions = tuple(graph.revisions[r] for r in ids)
        direction = "upgrade" if action == "upgrade" else "downgrade"
        source_flags: list[str] = []
        irreversible: list[str] = []
        for rev in revisions:
            analysis = analyze_source(rev.script.path.read_text(encoding="utf-8", errors="replace"))
            source_flags += [f"{rev.id}: {f.text} (line {f.line})" for f in analysis.for_direction(direction)]
            if analysis.irreversible and action == "upgrade":
                irreversible.append(f"{rev.id}: {analysis.irreversible_reason}")
        tools = self.tools()
        path = None
        if tools.tools is not None and action != "stamp":
            assert self.settings.database_url is not None
            path = backup_path(self.settings.backup_dir, self.settings.database_url.database, current)
        blocked = None
        if action != "stamp" and not ids:
            blocked = "Nothing to do: the database is already at that revision."
        elif not sql.ok and runner.mode != "MIGRATE_COMMAND":
            blocked = sql.error
        confirm = None if action == "upgrade" else (",".join(targets) or "base")
        return Plan(action, target, label, revisions, current, sql, sql_html(sql.sql) if sql.sql else "",
                    tuple(flag_sql(sql.sql)), tuple(source_flags), tuple(irreversible), tools, path, confirm, runner,
                    blocked)

    def start(self, action: str, target: str, *, confirm: str, backup: bool, proceed_without_backup: bool,
              started_by: str, reviewed_from: str | None = None) -> int:
        """Start the planned run. ``reviewed_from`` is the current revision the user saw on the confirmation
        page: if the database moved since, the plan they approved is no longer the one that would run."""
        plan = self.plan(action, target)
        if reviewed_from is not None and reviewed_from != ",".join(plan.current):
            raise PlanChanged(f"The database moved from {reviewed_from or 'base'} to "
                              f"{','.join(plan.current) or 'base'} since you reviewed this {plan.label}.",
                              "Review the plan again: the revisions and SQL that would run have changed.")
        if plan.blocked:
            raise AppError(f"This {plan.label} cannot run: {plan.blocked}", plan.sql.hint)
        if plan.confirm_word is not None and confirm.strip() != plan.confirm_word:
            raise ConfirmationMismatch(f"Type {plan.confirm_word} to confirm the {plan.label}.",
                                       "The typed text must be exactly the target revision id.")
        want_backup = backup and action != "stamp"
        if want_backup and plan.tools.tools is None and not proceed_without_backup:
            raise AppError(f"No backup can be taken: {plan.tools.problem}",
                           "Install a matching pg_dump, or tick 'proceed without a backup'.")
        job = RunJob(kind=action, target=plan.target, started_by=started_by, from_revisions=plan.current,
                     revisions=tuple(r.id for r in plan.revisions), config=plan.runner,
                     backup_tools=plan.tools.tools if want_backup else None,
                     backup_path=plan.backup_path if want_backup else None,
                     proceed_without_backup=proceed_without_backup)
        return self.registry.start(job, self.history)

    # -- backups -------------------------------------------------------------------------------------
    def backups(self) -> list[Backup]:
        return list_backups(self.settings.backup_dir)

    def restore_plan(self, name: str) -> RestorePlan:
        backup = find_backup(self.settings.backup_dir, name)
        _, current = read_current(self.engine, read_env(self.project().script_location).qualified)
        tools = self.tools()
        extra: tuple[tuple[str, str], ...] = ()
        if tools.tools is not None:
            in_archive = archive_tables(tools.tools, backup.path)
            with self.engine.connect() as conn:
                now = {(r[0], r[1]) for r in conn.execute(text(
                    "select schemaname, tablename from pg_catalog.pg_tables where schemaname not in "
                    "('pg_catalog', 'information_schema') and schemaname not like 'pg_temp%'"))}
            extra = tuple(sorted(now - in_archive))
        return RestorePlan(backup, tools, current, ",".join(backup.revisions) or "base", extra)

    def restore(self, name: str, *, confirm: str, started_by: str) -> int:
        plan = self.restore_plan(name)
        if confirm.strip() != plan.confirm_word:
            raise ConfirmationMismatch(f"Type {plan.confirm_word} to confirm the restore.",
                                       "The typed text must be exactly the backup's revision.")
        if plan.tools.tools is None:
            raise AppError(f"pg_restore cannot be used: {plan.tools.problem}", None)
        project = self.project()
        job = RunJob(kind="restore", target=plan.backup.name, started_by=started_by, from_revisions=plan.current,
                     revisions=plan.backup.revisions, config=self.runner(project), backup_tools=plan.tools.tools,
                     restore_source=plan.backup.path, drop_after_restore=plan.extra_tables)
        return self.registry.start(job, self.history)
