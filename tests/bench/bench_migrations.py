"""Benchmark: applying N revisions through pgadmin-py's runner vs the plain ``alembic upgrade`` CLI.

    .venv/bin/python tests/bench/bench_migrations.py [N]

Same project (N generated revisions, each creating a table and an index), same server, fresh database
for every attempt; best of 5 interleaved rounds. The app's number is wall time from starting the run (advisory lock,
child process, log capture, history record) to the recorded outcome, *without* the backup, which is
timed separately. Also times the /migrations page on a 400-revision / 30-merge project.
Uses TEST_DATABASE_URL when set, else starts an embedded PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "alembic"))

from synthetic import synthetic_scripts, write_project  # noqa: E402

from pgadmin_py.core.dburl import DatabaseUrl  # noqa: E402
from pgadmin_py.core.interpreter import ProjectPython  # noqa: E402
from pgadmin_py.migrations.history import RunHistory  # noqa: E402
from pgadmin_py.migrations.pgtools import choose_tools, run_backup  # noqa: E402
from pgadmin_py.migrations.runner import RunnerConfig  # noqa: E402
from pgadmin_py.migrations.runs import RunJob, RunRegistry  # noqa: E402

ENV_PY = '''import os
from alembic import context
from sqlalchemy import create_engine, pool
config = context.config
raw = config.get_main_option("sqlalchemy.url") or os.environ["DATABASE_URL"]
url = "postgresql+psycopg://" + raw.split("://", 1)[1]
engine = create_engine(url, poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
'''


def make_project(root: Path, count: int) -> Path:
    versions = root / "migrations" / "versions"
    versions.mkdir(parents=True)
    (root / "migrations" / "env.py").write_text(ENV_PY)
    previous = None
    for i in range(count):
        rev = f"bench{i:04d}"
        (versions / f"{rev}.py").write_text(
            f'"""bench {i}"""\nfrom alembic import op\nimport sqlalchemy as sa\n'
            f"revision = {rev!r}\ndown_revision = {previous!r}\nbranch_labels = None\ndepends_on = None\n\n"
            f"def upgrade():\n    op.create_table('t{i}', sa.Column('id', sa.Integer, primary_key=True),"
            f" sa.Column('v', sa.Text))\n    op.create_index('ix_t{i}_v', 't{i}', ['v'])\n"
            f"    op.execute(\"insert into t{i} (v) select md5(g::text) from generate_series(1, 200) g\")\n\n"
            f"def downgrade():\n    op.drop_table('t{i}')\n")
        previous = rev
    ini = root / "alembic.ini"
    ini.write_text("[alembic]\nscript_location = %(here)s/migrations\n\n[loggers]\nkeys = root,alembic\n"
                   "[handlers]\nkeys = console\n[formatters]\nkeys = generic\n[logger_root]\nlevel = WARNING\n"
                   "handlers = console\nqualname =\n[logger_alembic]\nlevel = INFO\nhandlers =\nqualname = alembic\n"
                   "[handler_console]\nclass = StreamHandler\nargs = (sys.stderr,)\nlevel = NOTSET\n"
                   "formatter = generic\n[formatter_generic]\nformat = %(levelname)-5.5s [%(name)s] %(message)s\n")
    return ini


class Databases:
    def __init__(self, admin: DatabaseUrl) -> None:
        self.admin = admin
        self.created: list[str] = []

    def fresh(self) -> DatabaseUrl:
        name = f"bench_mig_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(self.admin.libpq(), autocommit=True) as conn:
            conn.execute(f'create database "{name}"')
        self.created.append(name)
        return self.admin.with_database(name)

    def drop_all(self) -> None:
        with psycopg.connect(self.admin.libpq(), autocommit=True) as conn:
            for name in self.created:
                conn.execute(f'drop database if exists "{name}" with (force)')


ROUNDS = 11


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    work = Path(tempfile.mkdtemp(prefix="bench-migrations-"))
    server = None
    if raw := os.environ.get("TEST_DATABASE_URL"):
        admin = DatabaseUrl.parse(raw)
    else:
        from pgadmin_py.db.embedded import EmbeddedPostgres

        server = EmbeddedPostgres(work / "pg", fast=True)
        admin = server.start()
    dbs = Databases(admin)
    try:
        ini = make_project(work / "project", count)
        alembic_cli = str(Path(sys.executable).parent / "alembic")

        def cli(command: tuple[str, ...] = (alembic_cli,)) -> float:
            url = dbs.fresh()
            env = {**os.environ, "DATABASE_URL": url.libpq()}
            started = time.perf_counter()
            subprocess.run([*command, "-c", str(ini), "upgrade", "head"], env=env, check=True,
                           capture_output=True, cwd=ini.parent)
            return time.perf_counter() - started

        registry = RunRegistry()
        history = RunHistory(work / "data" / "runs.sqlite3")

        def app() -> float:
            url = dbs.fresh()
            config = RunnerConfig(ini, "alembic", ini.parent, url, ProjectPython(sys.executable, "the bench's", True))
            job = RunJob("upgrade", "head", "bench", (), (), config)
            started = time.perf_counter()
            run_id = registry.start(job, history)
            live = registry.live(run_id)
            assert live is not None
            live.done.wait()
            elapsed = time.perf_counter() - started
            record = history.get(run_id)
            assert record is not None and record.status == "succeeded", record.log if record else None
            return elapsed

        cli()  # warm the page cache and the interpreter's bytecode cache
        rounds = [(cli(), cli((sys.executable, "-m", "alembic")), app()) for _ in range(ROUNDS)]  # interleaved
        cli_time, module_time, app_time = (min(r[i] for r in rounds) for i in range(3))
        # Paired ratios (each round runs the three back to back) cancel the machine's drift between rounds.
        paired_cli = statistics.median(app / cli for cli, _, app in rounds)
        paired_module = statistics.median(app / module for _, module, app in rounds)
        noise = statistics.median(module / cli for cli, module, _ in rounds)
        migrated = dbs.fresh()
        subprocess.run([alembic_cli, "-c", str(ini), "upgrade", "head"], check=True, capture_output=True,
                       env={**os.environ, "DATABASE_URL": migrated.libpq()})
        with psycopg.connect(migrated.libpq()) as conn:
            row = conn.execute("select current_setting('server_version_num')::int / 10000").fetchone()
        major = int(row[0]) if row else 16
        tools = choose_tools(major).tools
        backup_time = None
        if tools is not None:
            started = time.perf_counter()
            run_backup(tools, migrated, work / "backups" / "bench.dump", ())
            backup_time = time.perf_counter() - started

        page_time = bench_graph_page(dbs, work)
        print(f"apply {count} revisions (best of {ROUNDS} interleaved rounds, fresh database each):")
        print(f"  plain `alembic upgrade head` CLI : {cli_time * 1000:8.0f} ms")
        print(f"  plain `python -m alembic upgrade`: {module_time * 1000:8.0f} ms")
        print(f"  pgadmin-py runner (no backup)    : {app_time * 1000:8.0f} ms")
        print(f"  overhead vs the alembic CLI      : {(paired_cli - 1) * 100:+7.1f} %  (median of paired rounds;"
              f" target < 5 %; best-of: {(app_time / cli_time - 1) * 100:+.1f} %)")
        print(f"  overhead vs python -m alembic    : {(paired_module - 1) * 100:+7.1f} %")
        print(f"  noise floor: python -m alembic vs the alembic CLI (same work): {(noise - 1) * 100:+.1f} %")
        if backup_time is not None:
            version = tools.version if tools else ""
            print(f"  pg_dump -Fc backup (separately)  : {backup_time * 1000:8.0f} ms  ({version})")
        print(f"/migrations page, 400 revisions / 30 merges: {page_time * 1000:.0f} ms (best of 5, full HTML)")
    finally:
        dbs.drop_all()
        if server is not None:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)


def bench_graph_page(dbs: Databases, work: Path) -> float:
    from support.web import make_client

    ini = write_project(work / "big", synthetic_scripts(400, 30))
    url = dbs.fresh()
    env = {"DATABASE_URL": url.libpq(), "ALEMBIC_CONFIG": str(ini), "PROJECT_DIR": str(ini.parent),
           "DATA_DIR": str(work / "bigdata")}
    with make_client(env) as client:
        client.get("/migrations")
        times = []
        for _ in range(5):
            started = time.perf_counter()
            response = client.get("/migrations")
            times.append(time.perf_counter() - started)
            assert response.status_code == 200 and response.text.count('class="mig-row ') == 400
    return min(times)


if __name__ == "__main__":
    main()
