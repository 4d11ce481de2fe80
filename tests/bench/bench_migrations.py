"""Benchmark: the migrations pages on a big history, and apply's overhead over the Alembic CLI.

    .venv/bin/python tests/bench/bench_migrations.py [ROUNDS]

1. The graph page (GET /migrations) of a 400-revision history with 30 merges, served by the real server
   (``python -m pgadmin_py serve``): server time from its ``Server-Timing: app;dur=`` header, cold (first
   visit after start: every file parsed) and warm (files unchanged), and a revision page.
2. Apply's overhead: a 5-revision project (tables, an index, 200 rows each) migrated from an empty
   schema by ``alembic upgrade heads`` (the CLI of this interpreter, in a child process) and by
   pgadmin-py's apply (POST /migrations/apply over HTTP, through the plan, the advisory lock and the
   child process, to the finished run record), paired and interleaved, the order swapped every round;
   without a backup, then the backup timed apart from runs that take one.
Uses TEST_DATABASE_URL when set, else starts an embedded PostgreSQL.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "alembic"))

from synthetic import synthetic_scripts, write_project  # noqa: E402

from pgadmin_py.core.dburl import DatabaseUrl  # noqa: E402
from pgadmin_py.db.conninfo import parse_database_url  # noqa: E402
from pgadmin_py.migrations.history import RunHistory, RunRecord  # noqa: E402

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


@contextmanager
def bench_server(prefix: str) -> Iterator[tuple[Path, DatabaseUrl]]:
    """A scratch directory and the server's admin URL: TEST_DATABASE_URL when set, else an embedded PostgreSQL
    started here and stopped (the directory removed) at the end."""
    work = Path(tempfile.mkdtemp(prefix=prefix))
    embedded = None
    try:
        if raw := os.environ.get("TEST_DATABASE_URL"):
            admin = parse_database_url(raw)
        else:
            from pgadmin_py.db.embedded import EmbeddedPostgres

            embedded = EmbeddedPostgres(work / "pg", fast=True)
            admin = embedded.start()
        yield work, admin
    finally:
        if embedded is not None:
            embedded.stop()
        shutil.rmtree(work, ignore_errors=True)


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


ROUNDS = 5
_TOKEN = re.compile(r'"x-csrftoken":\s*"([^"]+)"')
_BACKUP_DONE = re.compile(r"backup done in ([0-9.]+) s")


class Server:
    """The real app in a child process (as users run it), on a free loopback port."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        self.url = f"http://127.0.0.1:{port}"
        self.log = log.open("w")
        self.process = subprocess.Popen([sys.executable, "-m", "pgadmin_py", "serve"],
                                        env={**os.environ, **env, "HOST": "127.0.0.1", "PORT": str(port)},
                                        stdout=self.log, stderr=subprocess.STDOUT)
        self.http = httpx.Client(base_url=self.url, timeout=300)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {log.read_text()[-2000:]}")
            try:
                self.http.get("/healthz")
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def server_ms(self, path: str) -> float:
        response = self.http.get(path)
        assert response.status_code == 200, (path, response.status_code, response.text[-1500:])
        match = re.search(r"app;dur=([0-9.]+)", response.headers.get("server-timing", ""))
        assert match, response.headers
        return float(match.group(1))

    def apply(self, history: RunHistory, **form: str) -> tuple[float, RunRecord]:
        """POST the apply form as a browser does; wall time from sending it to the finished run record."""
        token = _TOKEN.search(self.http.get("/migrations/plan?action=upgrade&target=heads").text)
        assert token
        started = time.perf_counter()
        response = self.http.post("/migrations/apply", data={"action": "upgrade", "target": "heads", **form},
                                  headers={"x-csrftoken": token.group(1)}, follow_redirects=False)
        assert response.status_code == 303, response.text[-2000:]
        run_id = int(response.headers["location"].rsplit("/", 1)[1])
        while (record := history.get(run_id)) is None or record.finished_at is None:
            time.sleep(0.005)
        elapsed = time.perf_counter() - started
        assert record.status == "succeeded", record.log[-2000:]
        return elapsed, record

    def stop(self) -> None:
        self.http.close()
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def reset_schema(url: DatabaseUrl) -> None:
    """The database as fresh: no table, no version table (the server's own connections stay open)."""
    with psycopg.connect(url.libpq(), autocommit=True) as conn:
        conn.execute("drop schema public cascade")
        conn.execute("create schema public")


def bench_graph_page(dbs: Databases, work: Path, repeat: int) -> None:
    ini = write_project(work / "big", synthetic_scripts(400, 30))
    url = dbs.fresh()
    server = Server({"DATABASE_URL": url.libpq(), "ALEMBIC_CONFIG": str(ini), "PROJECT_DIR": str(ini.parent),
                     "DATA_DIR": str(work / "bigdata")}, work / "big-server.log")
    try:
        cold = server.server_ms("/migrations")
        warm = [server.server_ms("/migrations") for _ in range(repeat)]
        html = server.http.get("/migrations").text
        assert html.count('class="mig-row ') == 400
        rev = sorted(set(re.findall(r'href="/migrations/([0-9a-f]{12})"', html)))[200]
        revision = [server.server_ms(f"/migrations/{rev}") for _ in range(2)]
        for path in (ini.parent / "migrations" / "versions").glob("*.py"):
            path.touch()  # every file changed: parsed again
        touched = server.server_ms("/migrations")
    finally:
        server.stop()
    print("graph page, 400 revisions / 30 merges (server time, Server-Timing app;dur):")
    print(f"  cold (first visit after start)   : {cold:8.0f} ms")
    print(f"  {f'warm (median of {repeat})':<33}: {statistics.median(warm):8.0f} ms  (min {min(warm):.0f},"
          f" max {max(warm):.0f}; target < 300 ms)")
    print(f"  after touching all 400 files     : {touched:8.0f} ms")
    print(f"  revision page (with its two offline-SQL child processes): {min(revision):.0f} ms")


def bench_apply(dbs: Databases, work: Path, rounds: int) -> None:
    ini = make_project(work / "small", 5)
    url = dbs.fresh()
    data_dir = work / "smalldata"
    server = Server({"DATABASE_URL": url.libpq(), "ALEMBIC_CONFIG": str(ini), "PROJECT_DIR": str(ini.parent),
                     "DATA_DIR": str(data_dir)}, work / "small-server.log")
    history = RunHistory(data_dir / "migration-runs.sqlite3")
    alembic_cli = str(Path(sys.executable).parent / "alembic")

    def cli() -> float:
        reset_schema(url)
        started = time.perf_counter()
        subprocess.run([alembic_cli, "-c", str(ini), "upgrade", "heads"], check=True, capture_output=True,
                       cwd=ini.parent, env={**os.environ, "DATABASE_URL": url.libpq()})
        return time.perf_counter() - started

    def app() -> tuple[float, float]:
        reset_schema(url)
        wall, record = server.apply(history, backup="off")
        return wall, record.duration or 0.0

    try:
        cli()
        app()  # warm both paths once (bytecode caches, the server's first plan)
        pairs = []
        for i in range(rounds):  # interleaved, the order swapped every round
            if i % 2:
                app_wall, app_record = app()
                cli_wall = cli()
            else:
                cli_wall = cli()
                app_wall, app_record = app()
            pairs.append((cli_wall, app_wall, app_record))
        backups: list[tuple[float, float, float]] = []
        for _ in range(2):
            reset_schema(url)
            wall, record = server.apply(history, backup="on")
            found = _BACKUP_DONE.search(record.log)
            backups.append((wall, record.duration or 0.0, float(found.group(1)) if found else float("nan")))
    finally:
        server.stop()
    overhead = [(a - c) / c for c, a, _ in pairs]
    record_overhead = [(r - c) / c for c, _, r in pairs]
    print(f"apply a 5-revision project from an empty schema ({rounds} paired, interleaved rounds, no backup):")
    print(f"  alembic upgrade heads (CLI)      : {statistics.median(c for c, _, _ in pairs) * 1000:8.0f} ms (median)")
    print(f"  pgadmin-py apply, POST to record : {statistics.median(a for _, a, _ in pairs) * 1000:8.0f} ms (median)")
    print(f"  pgadmin-py run record duration   : {statistics.median(r for _, _, r in pairs) * 1000:8.0f} ms (median;"
          " from the lock to the outcome, without the request's plan)")
    print(f"  overhead, POST to record         : {statistics.median(overhead) * 100:+7.1f} %  (median of paired rounds;"
          f" each: {', '.join(f'{o * 100:+.0f}' for o in overhead)}; target <= 5 %)")
    print(f"  overhead, run record only        : {statistics.median(record_overhead) * 100:+7.1f} %")
    for wall, duration, backup in backups:
        print(f"  with a backup: POST to record {wall * 1000:.0f} ms, record {duration * 1000:.0f} ms, of which"
              f" pg_dump {backup * 1000:.0f} ms (the run log's 0.1 s resolution)")


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else ROUNDS
    with bench_server("bench-migrations-") as (work, admin):
        dbs = Databases(admin)
        try:
            print(f"(load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
            bench_graph_page(dbs, work, repeat=rounds)
            bench_apply(dbs, work, rounds)
        finally:
            dbs.drop_all()


if __name__ == "__main__":
    main()
