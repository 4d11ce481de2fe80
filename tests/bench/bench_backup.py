"""Benchmark: a targeted backup (every definition + the rows of the touched table) vs a full one, 1M rows.

    .venv/bin/python tests/bench/bench_backup.py

A database with four tables holding 1,000,000 rows in all (events 700k, orders 250k, customers 49,900,
settings 100) and an index each. A migration that touches ``settings`` gets the targeted backup
(:func:`pgadmin_py.migrations.targeted_backup.targeted_backup`: one ``pg_dump -Fc`` with ``--exclude-table-data``
for every other table); the full backup is :func:`pgadmin_py.migrations.pgtools.run_backup`. Both with the same
pg_dump, one run each, after a warm-up dump so both read from a warm cache. Reported: times, sizes, the ratio.
Uses TEST_DATABASE_URL when set, else starts an embedded PostgreSQL.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from bench_migrations import Databases, bench_server  # noqa: E402

from pgadmin_py.migrations.pgtools import Backup, choose_tools, run_backup  # noqa: E402
from pgadmin_py.migrations.targeted_backup import targeted_backup  # noqa: E402

SCHEMA = """
create table customers (id bigserial primary key, name text not null, email text,
                        created timestamptz default now());
create table orders (id bigserial primary key, customer_id bigint not null references customers, amount numeric(12,2),
                     note text);
create table events (id bigserial primary key, kind text not null, payload jsonb, at timestamptz default now());
create table settings (key text primary key, value text);
insert into customers (name, email) select 'customer ' || g, 'c' || g || '@example.com'
  from generate_series(1, 49900) g;
insert into orders (customer_id, amount, note) select 1 + g % 49900, g % 1000, md5(g::text)
  from generate_series(1, 250000) g;
insert into events (kind, payload) select 'k' || g % 20, jsonb_build_object('n', g, 'h', md5(g::text))
  from generate_series(1, 700000) g;
insert into settings select 'key' || g, md5(g::text) from generate_series(1, 100) g;
create index ix_orders_customer on orders (customer_id);
create index ix_events_kind on events (kind);
analyze;
"""


def main() -> None:
    with bench_server("bench-backup-") as (work, admin):
        dbs = Databases(admin)
        try:
            url = dbs.fresh()
            with psycopg.connect(url.libpq(), autocommit=True) as conn:
                conn.execute(SCHEMA)
                major = int(str(conn.execute("show server_version_num").fetchone()[0])) // 10000  # type: ignore[index]
                rows = sum(int(conn.execute(f"select count(*) from {t}").fetchone()[0])  # type: ignore[index]
                           for t in ("customers", "orders", "events", "settings"))
            tools = choose_tools(major).tools
            assert tools is not None, "no pg_dump for this server"
            run_backup(tools, url, work / "warmup.dump", ())
            started = time.perf_counter()
            targeted = targeted_backup(tools, url, work / "targeted.dump", (), (("public", "settings"),), "bench")
            targeted_s = time.perf_counter() - started
            assert isinstance(targeted, Backup) and targeted.coverage is not None, targeted
            started = time.perf_counter()
            full = run_backup(tools, url, work / "full.dump", ())
            full_s = time.perf_counter() - started
        finally:
            dbs.drop_all()
    print(f"backup before a migration that touches 1 of 4 tables, {rows:,} rows in all (pg_dump {tools.version}):")
    label = f"targeted (definitions + rows of {', '.join(targeted.coverage.table_names)})"
    print(f"  {label:<42}: {targeted_s * 1000:8.0f} ms, {targeted.size:>12,} bytes")
    print(f"  {'full (the whole database)':<42}: {full_s * 1000:8.0f} ms, {full.size:>12,} bytes")
    print(f"  ratio targeted / full: time {targeted_s / full_s:.3f}, size {targeted.size / full.size:.4f}")


if __name__ == "__main__":
    main()
