"""Benchmark: the plan page with its review, for one revision of 20 statements over tables holding data.

    .venv/bin/python tests/bench/bench_review.py [ROUNDS]

The real server (``python -m pgadmin_py serve``) on a project whose base revision creates four tables with
20,000 rows in all, and whose second revision has 20 statements (indexes, columns, constraints, type changes,
drops: most of them raise a finding, several run a data check). Server time is read from ``Server-Timing:
app;dur=``. Reported: the first view (the SQL renders and the review runs in the background: the page shows
placeholders, htmx asks again), the time until the review is there, and the median of ROUNDS views once both
are kept (the brief: under 300 ms), with the ratio of a warm view to the review's own first computation.
Uses TEST_DATABASE_URL when set, else starts an embedded PostgreSQL.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_migrations import ENV_PY, Databases, Server, bench_server  # noqa: E402

BASE = '''"""base"""
from alembic import op
revision = "base0001"
down_revision = None
branch_labels = None
depends_on = None

def upgrade():
    op.execute("CREATE TABLE accounts (id serial PRIMARY KEY, email text, name text, region text, note text)")
    op.execute("CREATE TABLE invoices (id bigserial PRIMARY KEY, account_id int, total text, qty numeric(10,2), "
               "status text, created_at timestamptz DEFAULT now())")
    op.execute("CREATE TABLE events (id bigserial PRIMARY KEY, kind text, payload text)")
    op.execute("CREATE TABLE archive (id int, body text)")
    op.execute("CREATE INDEX ix_invoices_status ON invoices (status)")
    op.execute("INSERT INTO accounts (email, name, region, note) SELECT 'a' || (g % 4900) || '@x.io', "
               "CASE WHEN g % 50 = 0 THEN NULL ELSE 'A ' || g END, 'EU', 'n' || g FROM generate_series(1, 5000) g")
    op.execute("INSERT INTO invoices (account_id, total, qty, status) SELECT 1 + g % 5100, (g * 2.5)::text, g / 3.0, "
               "'open' FROM generate_series(1, 10000) g")
    op.execute("INSERT INTO events (kind, payload) SELECT 'k' || (g % 7), md5(g::text) FROM generate_series(1, 4000) g")
    op.execute("INSERT INTO archive SELECT g, md5(g::text) FROM generate_series(1, 1000) g")

def downgrade():
    pass
'''
TWENTY = [
    "CREATE INDEX ix_invoices_account_id ON invoices (account_id)",
    "CREATE UNIQUE INDEX ix_accounts_email ON accounts (email)",
    "DROP INDEX ix_invoices_status",
    "ALTER TABLE invoices ADD COLUMN token uuid DEFAULT gen_random_uuid()",
    "ALTER TABLE invoices ADD COLUMN seen_at timestamptz DEFAULT now()",
    "ALTER TABLE accounts ADD COLUMN tier text NOT NULL DEFAULT 'basic'",
    "ALTER TABLE accounts ALTER COLUMN name SET NOT NULL",
    "ALTER TABLE invoices ALTER COLUMN total TYPE numeric(12,2) USING total::numeric(12,2)",
    "ALTER TABLE invoices ALTER COLUMN qty TYPE integer",
    "ALTER TABLE accounts ALTER COLUMN region TYPE varchar",
    "ALTER TABLE invoices ADD CONSTRAINT fk_invoices_account FOREIGN KEY (account_id) REFERENCES accounts (id)",
    "ALTER TABLE accounts ADD CONSTRAINT ck_region CHECK (length(region) = 2)",
    "ALTER TABLE accounts ADD CONSTRAINT uq_accounts_email UNIQUE (email)",
    "ALTER TABLE events ADD COLUMN seq serial",
    "ALTER TABLE accounts DROP COLUMN note",
    "ALTER TABLE events RENAME COLUMN kind TO category",
    "DROP TABLE archive",
    "CREATE TABLE tags (id serial PRIMARY KEY, name text UNIQUE)",
    "CREATE INDEX ix_tags_name ON tags (name)",
    "UPDATE invoices SET status = 'closed' WHERE id < 100",
]


def make_project(root: Path) -> Path:
    versions = root / "migrations" / "versions"
    versions.mkdir(parents=True)
    (root / "migrations" / "env.py").write_text(ENV_PY)
    (versions / "base0001.py").write_text(BASE)
    body = "\n".join(f"    op.execute({stmt!r})" for stmt in TWENTY)
    (versions / "twenty01.py").write_text(
        '"""twenty statements"""\nfrom alembic import op\nrevision = "twenty01"\ndown_revision = "base0001"\n'
        f"branch_labels = None\ndepends_on = None\n\ndef upgrade():\n{body}\n\ndef downgrade():\n    pass\n")
    ini = root / "alembic.ini"
    ini.write_text("[alembic]\nscript_location = %(here)s/migrations\n")
    return ini


def main(rounds: int) -> None:
    with bench_server("bench-review-") as (work, admin):
        dbs = Databases(admin)
        server = None
        try:
            ini = make_project(work / "project")
            url = dbs.fresh()
            env = {"DATABASE_URL": url.libpq(), "ALEMBIC_CONFIG": str(ini), "PROJECT_DIR": str(ini.parent),
                   "DATA_DIR": str(work / "data")}
            server = Server(env, work / "server.log")
            import subprocess

            subprocess.run([sys.executable, "-m", "alembic", "-c", str(ini), "upgrade", "base0001"], check=True,
                           env={**os.environ, "DATABASE_URL": url.libpq()}, capture_output=True)
            plan = "/migrations/plan?action=upgrade&target=heads"
            started = time.perf_counter()
            first = server.server_ms(plan)
            polls = 0
            while 'data-testid="review"' not in server.http.get(plan, headers={"HX-Request": "true",
                                                                                "HX-Target": "plan_sql"}).text:
                polls += 1
                assert time.perf_counter() - started < 120, "the review did not arrive"
                time.sleep(0.05)
            ready = time.perf_counter() - started
            page = server.http.get(plan).text
            took = re.search(r'data-took-ms="(\d+)"', page)
            statements = page.count('data-testid="stmt"')
            findings = page.count('data-testid="finding"')
            warm = [server.server_ms(plan) for _ in range(rounds)]
        finally:
            if server is not None:
                server.stop()
            dbs.drop_all()
    print(f"plan page of a 20-statement revision over 20,000 rows ({statements} statements shown with BEGIN/COMMIT "
          f"and the version table, {findings} findings):")
    print(f"  first view (placeholders; SQL and review start)  : {first:8.1f} ms server time")
    print(f"  from the first request to the review on the page : {ready * 1000:8.0f} ms wall ({polls} polls)")
    print(f"  of which the review itself (catalog + data checks): {int(took.group(1)) if took else -1:8d} ms")
    print(f"  {f'once kept, median of {rounds} full views':<49}: {statistics.median(warm):8.1f} ms server time "
          f"(min {min(warm):.1f}, max {max(warm):.1f}; target < 300 ms)")
    print(f"  ratio warm view / first review on the page       : {statistics.median(warm) / (ready * 1000):8.3f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
