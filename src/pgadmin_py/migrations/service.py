"""The migrations feature's facade: one call per page or action, each returning a typed value."""

from __future__ import annotations

import concurrent.futures
import logging
import re
import threading
from concurrent.futures import Future
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text

from pgadmin_py.catalog.overview import server_major, user_table_count, user_tables
from pgadmin_py.catalog.tables import catalog_fingerprint
from pgadmin_py.core.cache import BoundedCache
from pgadmin_py.core.errors import AppError, NotFound
from pgadmin_py.core.interpreter import ProjectPython, find_project_python
from pgadmin_py.core.processes import ChildProcesses
from pgadmin_py.core.settings import Settings
from pgadmin_py.migrations.analysis import analyze_source
from pgadmin_py.migrations.backup_scope import scope_of
from pgadmin_py.migrations.backups import BackupPolicy, check_source, is_of, refuse_unless_restorable
from pgadmin_py.migrations.drift import autogenerate_script, matching_revision, merge_script
from pgadmin_py.migrations.envpy import read_env
from pgadmin_py.migrations.graph import (
    RevisionGraph,
    build_graph,
    plan_downgrade,
    plan_upgrade,
    resolve,
)
from pgadmin_py.migrations.highlight import python_html
from pgadmin_py.migrations.history import RunHistory, RunRecord
from pgadmin_py.migrations.layout import layout
from pgadmin_py.migrations.pgtools import (
    ToolChoice,
    archive_toc,
    backup_path,
    choose_tools,
    find_backup,
    list_backups,
    read_identity,
)
from pgadmin_py.migrations.plantoken import ReviewedPlan, sign, verify
from pgadmin_py.migrations.previews import PreviewCache, content_hash
from pgadmin_py.migrations.project import AlembicProject, ProjectProbe
from pgadmin_py.migrations.review.model import Blocker, Review
from pgadmin_py.migrations.runner import RunnerConfig, SqlPreview, offline_sql
from pgadmin_py.migrations.runs import RunJob, RunRegistry
from pgadmin_py.migrations.schema_watch import RunSchema, SchemaWatch, run_schema
from pgadmin_py.migrations.scripts import RevisionScript, ScriptCache, read_scripts
from pgadmin_py.migrations.status import MigrationSummary, read_current
from pgadmin_py.migrations.targeted_backup import restore_list, with_related
from pgadmin_py.migrations.views import (
    BackupsView,
    ConfirmationMismatch,
    Detail,
    Drift,
    NotConfigured,
    Notice,
    Overview,
    Plan,
    PlanChanged,
    RestorePlan,
    SqlView,
    heads_notice,
)
from pgadmin_py.migrations.watch import LogChunk, RunView, log_chunk, run_record, run_view
from pgadmin_py.orm.models import ProjectModels
from pgadmin_py.orm.probe import DriftFacts, ProbeFailed

if TYPE_CHECKING:
    from pgadmin_py.migrations.review.reviewer import Reviewer

log = logging.getLogger(__name__)
ACTIONS = ("upgrade", "downgrade", "stamp")
TOOLS_SECONDS = 60.0
TARGETED_WAIT_SECONDS = 10.0  # Apply with a targeted backup waits this long for the (normally kept) review
SQL_WAIT_SECONDS = 0.0  # a full page never waits: a cached preview is there at once, a render takes seconds


class MigrationsService:
    """One per app (built by ``create_app``): it owns the probe cache, the parsed revision files and the
    SQL previews' thread pool."""

    def __init__(self, settings: Settings, engine: Engine, registry: RunRegistry,
                 models: ProjectModels | None = None, *, python: ProjectPython | None = None, secret: str = "",
                 scripts: ScriptCache | None = None, children: ChildProcesses | None = None) -> None:
        self.settings = settings
        self.engine = engine
        self.registry = registry
        self.models = models  # the project's models as facts; drift is computed by their probe
        self.python = python or find_project_python(settings.alembic_python, settings.project_dir)
        self.secret = secret or settings.secret_key or "pgadmin-py"
        self.children = children  # probes and previews start through the app's children (stopped with it)
        self.probe = ProjectProbe(settings.project_dir, children)
        self.previews = PreviewCache()
        self.scripts = scripts if scripts is not None else ScriptCache()  # revision files parsed once per content
        self._reviewer: Reviewer | None = None  # made on the first review: see reviewer
        self._reviewer_lock = threading.Lock()
        self._tools: BoundedCache[int, ToolChoice] = BoundedCache(4, max_age=TOOLS_SECONDS)  # server major -> choice

    @property
    def reviewer(self) -> Reviewer:
        """The reviews' thread and cache, made on the first review: the review reads SQL with pglast (3 MiB),
        imported then rather than when the server starts."""
        with self._reviewer_lock:
            if self._reviewer is None:
                from pgadmin_py.migrations.review.reviewer import Reviewer

                self._reviewer = Reviewer(self.engine, lock_timeout_ms=self.settings.migration_lock_timeout_ms)
            return self._reviewer

    @property
    def history(self) -> RunHistory:
        """The run history, opened on first use (it asks the database whether a run was left behind)."""
        return self.registry.history(self.settings.data_dir, self.settings.database_url, self._current_revisions)

    def run_view(self, run_id: int) -> RunView:
        """A run's page: its record and log (:class:`NotFound` when there is no such run)."""
        return run_view(self.registry, self.history, run_id)

    def run_record(self, run_id: int) -> RunRecord:
        return run_record(self.history, run_id)

    def run_schema(self, record: RunRecord) -> RunSchema:
        """The run's schema before and after, and for a downgrade whether it is back where it was."""
        return run_schema(self.history, record)

    def _schema_watch(self) -> SchemaWatch:
        assert self.settings.database_url is not None
        env = read_env(self.project().script_location)
        return SchemaWatch(self.settings.database_url, self.history, (env.version_table, env.version_table_schema))

    def log_chunk(self, run_id: int, after: int) -> LogChunk:
        """The run's log lines from index ``after`` on, and whether the run has ended."""
        return log_chunk(self.registry, self.history, run_id, after)

    def shutdown(self) -> None:
        """Stop the SQL preview and review workers (app shutdown)."""
        self.previews.shutdown()
        with self._reviewer_lock:
            if self._reviewer is not None:
                self._reviewer.shutdown()

    def _current_revisions(self) -> tuple[str, ...] | None:
        exists, current = read_current(self.engine, read_env(self.project().script_location).qualified)
        return current if exists else None

    # -- reading -------------------------------------------------------------------------------------
    def revision_scripts(self) -> list[RevisionScript]:
        """The project's revision scripts (parsed once per content); none without a readable Alembic project."""
        if self.settings.alembic_config is None:
            return []
        try:
            return read_scripts(self.project(), self.scripts)
        except AppError:
            return []

    def project(self) -> AlembicProject:
        """The configuration as Alembic resolves it in the project's interpreter (probe.py, cached)."""
        ini = self.settings.alembic_config
        if ini is None:
            raise NotConfigured("No alembic.ini was found in the project directory.",
                                "Set ALEMBIC_CONFIG=path/to/alembic.ini (and ALEMBIC_SECTION for multi-db ini files).")
        return self.probe.project(ini, self.settings.alembic_section, self.python)

    def runner(self, project: AlembicProject) -> RunnerConfig:
        assert self.settings.database_url is not None
        flask = not self.settings.migrate_command and (
            project.env_uses_app_context or (project.flask_migrate_layout and bool(project.flask_migrate_version)))
        return RunnerConfig(project.ini_path, project.section, self.settings.project_dir, self.settings.database_url,
                            project.python, migrate_command=self.settings.migrate_command, flask=flask,
                            version_table=read_env(project.script_location).qualified,
                            lock_timeout_ms=self.settings.migration_lock_timeout_ms)

    def graph(self) -> tuple[AlembicProject, RevisionGraph, bool]:
        project = self.project()
        scripts = read_scripts(project, self.scripts)
        exists, current = read_current(self.engine, read_env(project.script_location).qualified)
        return project, build_graph(scripts, current), exists

    def summary(self) -> MigrationSummary:
        """Counts for the startup report; a configuration problem is reported, not raised."""
        ini = self.settings.alembic_config
        if ini is None:
            return MigrationSummary(None)
        try:
            _, graph, exists = self.graph()
        except AppError as exc:
            return MigrationSummary(ini, problem=exc.detail)
        return MigrationSummary(ini, len(graph.revisions), graph.heads, graph.current, graph.pending, exists,
                                unknown_current=graph.unknown_current)

    def overview(self) -> Overview:
        project, graph, exists = self.graph()
        parents = {r: rev.parents for r, rev in graph.revisions.items()}
        deps = {r: rev.script.depends_on for r, rev in graph.revisions.items() if rev.script.depends_on}
        lay = layout(graph.order, parents, deps)
        tables = user_table_count(self.engine)
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
            notes.append(heads_notice(graph))
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
        if runner.mode == "alembic":
            for module, where in project.missing_modules[:3]:
                notes.append(Notice("warning", f"Module {module!r} is not importable here",
                                    f"{where} imports {module}, which is not installed in {project.python.path} "
                                    f"({project.python.reason}), so migrations cannot run there (the graph is "
                                    "still shown).", self._missing_hint(project)))
        if runner.flask and not project.flask_migrate_version:
            notes.append(Notice("error", "Flask-Migrate is not installed",
                                f"env.py needs the Flask app (current_app), but Flask-Migrate is not installed in "
                                f"{project.python.path} ({project.python.reason}).",
                                "Install the project's requirements there, set ALEMBIC_PYTHON to the project's "
                                "interpreter, or MIGRATE_COMMAND to its own migration command."))
        return notes

    @staticmethod
    def _missing_hint(project: AlembicProject) -> str:
        if project.python.own:
            return ("Set ALEMBIC_PYTHON to the project's interpreter (or create the project's .venv), or "
                    "MIGRATE_COMMAND to its own migration command.")
        return (f"Install the project's requirements in {project.python.path}, or set ALEMBIC_PYTHON / "
                "MIGRATE_COMMAND.")

    def _blocking_import(self, project: AlembicProject, runner: RunnerConfig) -> tuple[str, str] | None:
        """A module the run would fail to import, when we can be sure: our child runs the project, and
        env.py does not extend sys.path itself."""
        if runner.mode != "alembic" or not project.missing_modules:
            return None
        try:
            if "sys.path" in project.env_py.read_text(encoding="utf-8", errors="replace"):
                return None
        except OSError:
            return None
        module, where = project.missing_modules[0]
        return (f"The project cannot be imported: no module named {module!r} ({where} imports it) in "
                f"{project.python.path}.", self._missing_hint(project))

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

    # -- offline SQL, cached by content ---------------------------------------------------------------
    def _preview(self, project: AlembicProject, runner: RunnerConfig, scripts: tuple[Path, ...], action: str,
                 target: str, start: tuple[str, ...], direction: str | None) -> Future[SqlPreview]:
        """The preview's render, started now unless it is cached (keyed by everything it depends on)."""
        key = content_hash((*scripts, project.env_py, project.ini_path), action, target, ",".join(start),
                           direction or "", runner.interpreter, runner.mode, project.section)
        return self.previews.get(key, lambda: offline_sql(runner, action, target, start, direction,
                                                          children=self.children))

    @staticmethod
    def _views(futures: tuple[Future[SqlPreview], ...], wait: float) -> tuple[SqlView, ...]:
        """Each preview that is ready within ``wait`` seconds (together), else a placeholder."""
        done, _ = concurrent.futures.wait(futures, timeout=wait)
        return tuple(SqlView.of(f.result() if f in done else None) for f in futures)

    def detail(self, rev: str, *, wait: float = SQL_WAIT_SECONDS) -> Detail:
        project, graph, _ = self.graph()
        if rev not in graph.revisions:
            raise NotFound(f"No revision {rev!r} in this project.", "Pick a revision from the graph.")
        revision = graph.revisions[rev]
        source = revision.script.path.read_text(encoding="utf-8", errors="replace")
        analysis = analyze_source(source)
        runner = self.runner(project)
        scripts = (revision.script.path,)
        parents = revision.script.down_revisions
        # Flask-Migrate renders one step down as the range rev:parent; our child from the revision itself
        up, down = self._views((
            self._preview(project, runner, scripts, "sql-step", rev, parents, "up"),
            self._preview(project, runner, scripts, "sql-step", rev, parents if runner.flask else (rev,), "down"),
        ), wait)
        return Detail(revision, graph, python_html(source, analysis.flagged_lines), analysis, up, down,
                      revision.script.path, runner)

    # -- planning ------------------------------------------------------------------------------------
    def tools(self) -> ToolChoice:
        """pg_dump / pg_restore for this server; looked up (a process per candidate) once a minute at most."""
        major = server_major(self.engine)
        return self._tools.get_or_build(major, lambda: choose_tools(major))

    def plan(self, action: str, target: str, *, wait: float = SQL_WAIT_SECONDS, with_sql: bool = True) -> Plan:
        """What ``action target`` would do. The SQL is the cached preview (or None while it renders);
        ``with_sql=False`` skips it entirely (Apply runs the reviewed plan and never renders SQL)."""
        if action not in ACTIONS:
            raise AppError(f"Unknown action {action!r}.", "Use upgrade, downgrade or stamp.")
        project, graph, _ = self.graph()
        runner = self.runner(project)
        current = graph.current
        if action == "downgrade" and target == "one":
            target = "-1"
        # Alembic's own RevisionMap answers which revisions run, in its order (graph.plan_upgrade/_downgrade)
        targets: tuple[str, ...] = ()
        if action == "upgrade":
            ids = list(plan_upgrade(graph, target).revisions)
            label = f"upgrade to {target}"
        elif action == "downgrade":
            planned = plan_downgrade(graph, target)
            ids = list(planned.revisions)
            # the typed confirmation: the target itself when it names revisions, else where the database ends up
            relative = re.search(r"[+-]\d+$", target) is not None
            targets = tuple(sorted(planned.heads_after)) if relative else resolve(graph, target)
            label = "downgrade one step" if target == "-1" else f"downgrade to {target}"
        else:
            targets = resolve(graph, target)
            ids = []
            label = f"stamp {target}"
        revisions = tuple(graph.revisions[r] for r in ids)
        paths = tuple(rev.script.path for rev in revisions)
        digest = content_hash((*paths, project.env_py, project.ini_path))
        sql = SqlView(SqlPreview("", True))
        if with_sql and ids:
            (sql,) = self._views((self._preview(project, runner, paths, f"sql-{action}", target, current, None),), wait)
        direction = "upgrade" if action == "upgrade" else "downgrade"
        source_flags: list[str] = []
        irreversible: list[str] = []
        for rev in revisions:
            analysis = rev.script.analysis or analyze_source(rev.script.path.read_text(encoding="utf-8",
                                                                                       errors="replace"))
            source_flags += [f"{rev.id}: {f.text} (line {f.line})" for f in analysis.for_direction(direction)]
            if analysis.irreversible and action == "upgrade":
                irreversible.append(f"{rev.id}: {analysis.irreversible_reason}")
            elif analysis.irreversible and action == "downgrade":  # flagged before the downgrade runs it
                irreversible.append(f"{rev.id} ({rev.script.path}): {analysis.irreversible_reason}, so this "
                                    "downgrade cannot undo that revision's changes")
        tools = self.tools()
        path = None
        if tools.tools is not None and action != "stamp":
            assert self.settings.database_url is not None
            path = backup_path(self.settings.backup_dir, self._database_name(), current)
        blocked, hint = None, None
        if action != "stamp" and not ids:
            blocked = "Nothing to do: the database is already at that revision."
        elif action != "stamp" and (problem := self._blocking_import(project, runner)) is not None:
            blocked, hint = problem
        confirm = None if action == "upgrade" else (",".join(targets) or "base")
        token = sign(ReviewedPlan(action, target, current, tuple(ids), digest), self.secret)
        review, in_the_way = self._review(sql, wait) if with_sql else (None, {})
        pending = with_sql and bool(ids) and sql.preview is not None and sql.preview.ok and bool(sql.preview.sql) \
            and review is None
        scope = None if pending or sql.pending or not with_sql else with_related(
            self.engine, scope_of(review, sql.preview is not None and sql.preview.ok))
        return Plan(action, target, label, revisions, current, sql, tuple(source_flags), tuple(irreversible),
                    tools, path, confirm, runner, blocked, hint, token, digest, review, pending, in_the_way,
                    runner.lock_timeout_ms, scope)

    def _review(self, sql: SqlView, wait: float) -> tuple[Review | None, dict[int, tuple[Blocker, ...]]]:
        """The rendered SQL reviewed against the database (kept, or started now in the background), and the
        sessions in the way of its statements right now."""
        if sql.preview is None or not sql.preview.ok or not sql.preview.sql:
            return None, {}
        future = self.reviewer.get(sql.preview.sql)
        done, _ = concurrent.futures.wait((future,), timeout=wait)
        if future not in done:
            return None, {}
        review = future.result()
        try:
            return review, self.reviewer.blockers(review)
        except Exception:
            log.exception("looking up the sessions in the way failed")
            return review, {}

    def _database_name(self) -> str:
        """The database's name for backup file names: from DATABASE_URL, else (a service, libpq's environment)
        what the server says it is."""
        assert self.settings.database_url is not None
        if name := self.settings.database_url.database:
            return name
        with self.engine.connect() as conn:
            return str(conn.execute(text("select current_database()")).scalar_one())

    def start(self, action: str, target: str, *, confirm: str, backup: bool, proceed_without_backup: bool,
              started_by: str, reviewed_from: str | None = None, token: str | None = None,
              backup_kind: str = "full") -> int:
        """Start the reviewed run. ``token`` (from the confirmation page) names the plan the user reviewed:
        the run starts only while the database is at the same revisions and the scripts are unchanged.
        Nothing is rendered again: the run goes the way the CLI would run it."""
        plan = self.plan(action, target, with_sql=False)
        if token:
            reviewed = verify(token, self.secret)
            if (reviewed.action, reviewed.target) != (action, target):
                raise PlanChanged("The confirmed form does not match the reviewed plan.",
                                  "Open the plan again and confirm from there.")
            reviewed_from = ",".join(reviewed.current)
            if reviewed_from == ",".join(plan.current) and (reviewed.revisions != tuple(r.id for r in plan.revisions)
                                                           or reviewed.scripts_hash != plan.scripts_hash):
                raise PlanChanged(f"The revision scripts changed since you reviewed this {plan.label}.",
                                  "Review the plan again: the revisions or their code that would run have changed.")
        if reviewed_from is not None and reviewed_from != ",".join(plan.current):
            raise PlanChanged(f"The database moved from {reviewed_from or 'base'} to "
                              f"{','.join(plan.current) or 'base'} since you reviewed this {plan.label}.",
                              "Review the plan again: the revisions and SQL that would run have changed.")
        if plan.blocked:
            raise AppError(f"This {plan.label} cannot run: {plan.blocked}", plan.blocked_hint)
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
                     proceed_without_backup=proceed_without_backup, backup_policy=self.backup_policy(),
                     schema_watch=self._schema_watch() if action != "stamp" else None)
        if want_backup and backup_kind == "targeted":
            job = self._targeted(job, action, target)
        return self.registry.start(job, self.history)

    def _targeted(self, job: RunJob, action: str, target: str) -> RunJob:
        """``job`` with a targeted backup of the tables the reviewed SQL touches (and the version table), or
        with the reason it stays full."""
        scope = self.plan(action, target, wait=TARGETED_WAIT_SECONDS).backup_scope or scope_of(None, True)
        if not scope.targeted:
            return replace(job, backup_why=f"a targeted one was asked for, but {scope.reason}")
        env = read_env(self.project().script_location)
        tables = (*scope.tables, (env.version_table_schema, env.version_table))
        return replace(job, backup_tables=tables)

    # -- backups -------------------------------------------------------------------------------------
    def backup_policy(self) -> BackupPolicy:
        return BackupPolicy(self.settings.backup_keep, self.settings.backup_max_mb * 1024 * 1024)

    def backups(self) -> BackupsView:
        assert self.settings.database_url is not None
        here = read_identity(self.settings.database_url)
        every = list_backups(self.settings.backup_dir)
        mine = tuple(b for b in every if is_of(b, here))
        return BackupsView(here, mine, len(every) - len(mine), self.backup_policy().describe())

    def restore_plan(self, name: str) -> RestorePlan:
        assert self.settings.database_url is not None
        backup = find_backup(self.settings.backup_dir, name)
        here = read_identity(self.settings.database_url)
        _, current = read_current(self.engine, read_env(self.project().script_location).qualified)
        tools = self.tools()
        extra: tuple[tuple[str, str], ...] = ()
        archive_db = None
        if tools.tools is not None:
            archive_db, in_archive = archive_toc(tools.tools, backup.path)
            now = user_tables(self.engine)
            extra = tuple(sorted(now - in_archive))
        check = check_source(backup, here, archive_db)
        refuse_unless_restorable(check)
        revisions = ",".join(backup.revisions) or ("base" if backup.has_sidecar else "")
        confirm = f"{here.database}@{revisions}" if revisions else here.database
        safety = backup_path(self.settings.backup_dir, here.database, current) if tools.tools is not None else None
        return RestorePlan(backup, tools, current, confirm, extra, check, safety)

    def restore(self, name: str, *, confirm: str, started_by: str, unknown_source: bool = False) -> int:
        plan = self.restore_plan(name)
        if confirm.strip() != plan.confirm_word:
            raise ConfirmationMismatch(f"Type {plan.confirm_word} to confirm the restore.",
                                       "The typed text must be exactly the backup's database and revision.")
        if plan.check is not None and plan.check.needs_extra_confirmation and not unknown_source:
            raise ConfirmationMismatch(f"Nothing proves that {name} was taken from this server.",
                                       "Tick the box confirming you know where it comes from, or pick a backup "
                                       "whose source is recorded.")
        if plan.tools.tools is None:
            raise AppError(f"pg_restore cannot be used: {plan.tools.problem}", None)
        project = self.project()
        job = RunJob(kind="restore", target=plan.backup.name, started_by=started_by, from_revisions=plan.current,
                     revisions=plan.backup.revisions, config=self.runner(project), backup_tools=plan.tools.tools,
                     backup_path=plan.safety_backup, restore_source=plan.backup.path,
                     drop_after_restore=plan.extra_tables, backup_policy=self.backup_policy(),
                     schema_watch=self._schema_watch(),
                     restore_list=restore_list(plan.tools.tools, plan.backup, self.settings.data_dir / "restore-lists"),
                     server_major=plan.tools.server_major)
        return self.registry.start(job, self.history)
