"""SQL console vs the bare query, in one run.

Run: .venv/bin/python tests/bench/bench_sql.py   (TEST_DATABASE_URL, else the embedded server)
Env: BENCH_RUNS (default 15).

For a few queries on the demo database, the median time of: the bare query with psycopg (a new connection, as
the console opens one per run, and a reused one), the console service (``Console.run``: own connection,
read-only transaction, cursor, row cap, types, history record), and the whole HTTP round trip
(``POST /sql/run`` through the in-process client, rendering the htmx fragment). Printed as ratios to the bare
query on a new connection.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

from pgadmin_py.console.guard import Inspection, inspect, review  # noqa: E402
from pgadmin_py.console.model import ConsoleLimits, RunRequest  # noqa: E402
from pgadmin_py.console.service import Console  # noqa: E402
from pgadmin_py.db.conninfo import parse_database_url  # noqa: E402
from pgadmin_py.db.engine import create_db_engine  # noqa: E402
from pgadmin_py.demo import bootstrap as demo  # noqa: E402
from support.web import csrf_token, demo_env, make_client  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "15"))
QUERIES = {
    "select 1": "select 1",
    "5,000 rows x 9 cols": "select * from operations",
    "join, 1,000 rows": "select o.*, a.account_number from operations o join accounts a on a.id = o.account_id "
                        "where o.quantity > 50",
    "10,000 rows (cap)": "select g, md5(g::text) from generate_series(1, 20000) g",
}


def median_ms(fn: Callable[[], object]) -> float:
    fn()
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def guard_cost(console: Console, conn: psycopg.Connection) -> None:
    """What the read-only guard adds to a run: parsing and reading the tree (CPU), and the catalog query
    (one round trip, which also takes the transaction's snapshot in place of the former ``SELECT 1``)."""
    print("read-only guard: parse + tree rules, catalog query (in a transaction, as the console asks it), "
          "and their share of Console.run")
    for label, sql in QUERIES.items():
        request = RunRequest(sql)
        parse = median_ms(lambda request=request: [  # type: ignore[misc]
            inspect(s, timeout_ms=30_000) for s in console.runner.statements(request)])
        inspections = [inspect(s, timeout_ms=30_000) for s in console.runner.statements(request)]

        def catalog(inspections: list[Inspection] = inspections) -> object:
            with conn.transaction():
                return review(conn, inspections)

        asked = median_ms(catalog)
        select_1 = median_ms(lambda: conn.execute("select 1").fetchall())
        run = median_ms(lambda request=request: console.run(request))  # type: ignore[misc]
        extra = parse + asked - select_1
        print(f"  {label:<22} parse {parse * 1000:>6.0f} µs   catalog {asked:>5.2f} ms (select 1: {select_1:.2f} ms)"
              f"   extra {extra:>5.2f} ms = {extra / run:>5.1%} of a {run:.1f} ms run")


def main() -> None:
    cleanup: Callable[[], None] = lambda: None  # noqa: E731
    if raw := os.environ.get("TEST_DATABASE_URL"):
        server = parse_database_url(raw)
    else:
        from pgadmin_py.db.embedded import EmbeddedPostgres

        root = Path(tempfile.mkdtemp(prefix="pgadmin-py-bench-"))
        embedded = EmbeddedPostgres(root, fast=True)
        server = embedded.start()
        cleanup = lambda: (embedded.stop(), shutil.rmtree(root, ignore_errors=True))  # noqa: E731
    name = f"pgadmin_bench_sql_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server.libpq(), autocommit=True) as admin:
        admin.execute(f'create database "{name}"')
    url = server.with_database(name)
    data_dir = Path(tempfile.mkdtemp(prefix="pgadmin-py-bench-data-"))
    try:
        demo.prepare(url.libpq())
        console = Console(url, read_only=False, limits=ConsoleLimits(30_000), data_dir=data_dir,
                          engine=create_db_engine(url, read_only=False, statement_timeout_ms=30_000))
        reused = psycopg.connect(url.libpq(), autocommit=True)
        print(f"SQL console benchmark: median of {RUNS} runs, ratios to the bare query on a new connection")
        print(f"{'query':<22}{'bare new conn':>15}{'bare reused':>13}{'console':>10}{'HTTP':>10}{'console/x':>11}"
              f"{'HTTP/x':>9}")
        with make_client(demo_env(url, data_dir)) as client:
            token = csrf_token(client, "/sql")
            headers = {"x-csrftoken": token, "hx-request": "true", "hx-target": "results"}
            for label, sql in QUERIES.items():
                def bare_new(sql: str = sql) -> object:
                    with psycopg.connect(url.libpq()) as conn:
                        return conn.execute(sql).fetchmany(10_001)

                bare = median_ms(bare_new)
                bare_reused = median_ms(lambda sql=sql: reused.execute(sql).fetchmany(10_001))  # type: ignore[misc]
                ours = median_ms(lambda sql=sql: console.run(RunRequest(sql)))  # type: ignore[misc]
                http = median_ms(lambda sql=sql: client.post(  # type: ignore[misc]
                    "/sql/run", data={"sql": sql, "action": "run"}, headers=headers))
                print(f"{label:<22}{bare:>12.1f} ms{bare_reused:>10.1f} ms{ours:>7.1f} ms{http:>7.1f} ms"
                      f"{ours / bare:>10.1f}x{http / bare:>8.1f}x")
            sql = QUERIES["join, 1,000 rows"]

            def bare_explain() -> object:
                with psycopg.connect(url.libpq()) as conn:
                    return conn.execute("explain (analyze, buffers, format json) " + sql).fetchall()

            bare = median_ms(bare_explain)
            ours = median_ms(lambda: console.explain(RunRequest(sql), analyze=True))
            print(f"EXPLAIN ANALYZE (runs once, JSON): console {ours:.1f} ms vs bare JSON explain "
                  f"{bare:.1f} ms = {ours / bare:.1f}x")
            guard_cost(console, reused)
        reused.close()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
        with psycopg.connect(server.libpq(), autocommit=True) as admin:
            admin.execute(f'drop database if exists "{name}" with (force)')
        cleanup()


if __name__ == "__main__":
    main()
