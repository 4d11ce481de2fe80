"""Benchmark: a rehearsal against a real apply of the same revisions.

    .venv/bin/python tests/bench/bench_rehearsal.py [ROUNDS]

The `rehearse` fixture project at rh01 (300 customers, 30,000 events of about 100 bytes, 3,000 tags: about
6 MB), upgraded to rh02 (a column, an index, an UPDATE of every event). Per round, on fresh databases, paired
and the order swapped every round: a rehearsal (POST /migrations/rehearse to the finished run: the copy, the
migration on it through the guard and the project's interpreter, the drop), and a real apply of the same
revision without a backup (POST /migrations/apply to the finished run). The rehearsal is measured three ways:
the copy by CREATE DATABASE … TEMPLATE (nothing else connected), by pg_dump / pg_restore (another session
connected), and with the events sampled (REHEARSAL_SAMPLE_ABOVE_MB=1). The app runs in process (Litestar's test
client); the times are wall clock from the POST to the finished run record. Uses TEST_DATABASE_URL when set,
else starts an embedded PostgreSQL.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "integration" / "migrations")]

from bench_migrations import bench_server  # noqa: E402
from mig_support import start_run, wait_run  # noqa: E402
from rehearsal_support import alembic, project_env, rehearse  # noqa: E402

from conftest import create_database, drop_database  # noqa: E402
from pgadmin_py.core.dburl import DatabaseUrl  # noqa: E402
from support.web import make_client  # noqa: E402


def timed_rehearsal(server: DatabaseUrl, work: Path, *, other_session: bool = False,
                    **extra: str) -> tuple[float, dict[str, object]]:
    url = create_database(server, prefix="bench")
    try:
        alembic(url, "upgrade", "rh01")
        data = Path(tempfile.mkdtemp(dir=work))
        with ExitStack() as stack:
            client = stack.enter_context(make_client(project_env(url, data, **extra)))
            if other_session:
                stack.enter_context(psycopg.connect(url.libpq())).execute("select 1")
            client.get("/migrations/plan?action=upgrade&target=rh02")
            started = time.perf_counter()
            run_id = rehearse(client, "rh02")
            page = wait_run(client, run_id, timeout=600)
            took = time.perf_counter() - started
        assert "rehearsal passed" in page, page[-2000:]
        result = json.loads((data / "runs" / f"{run_id}.rehearsal.json").read_text())
        return took, result
    finally:
        drop_database(server, url.database)


def timed_apply(server: DatabaseUrl, work: Path) -> float:
    url = create_database(server, prefix="bench")
    try:
        alembic(url, "upgrade", "rh01")
        with make_client(project_env(url, Path(tempfile.mkdtemp(dir=work)))) as client:
            client.get("/migrations/plan?action=upgrade&target=rh02")
            started = time.perf_counter()
            page = wait_run(client, start_run(client, "upgrade", "rh02", backup="off"), timeout=600)
            took = time.perf_counter() - started
        assert "succeeded" in page
        return took
    finally:
        drop_database(server, url.database)


def main(rounds: int) -> None:
    kinds: dict[str, list[float]] = {"apply": [], "template": [], "dump": [], "sample": []}
    parts: dict[str, list[dict[str, object]]] = {"template": [], "dump": [], "sample": []}
    with bench_server("bench-rehearsal-") as (work, server):
        for n in range(rounds):
            order = ["apply", "template", "dump", "sample"]
            for kind in (order if n % 2 == 0 else order[::-1]):
                if kind == "apply":
                    kinds[kind].append(timed_apply(server, work))
                    continue
                took, result = timed_rehearsal(server, work, other_session=kind == "dump",
                                               **({"REHEARSAL_SAMPLE_ABOVE_MB": "1"} if kind == "sample" else {}))
                kinds[kind].append(took)
                parts[kind].append(result)
    apply = statistics.median(kinds["apply"])
    print(f"rounds: {rounds}; the rehearse fixture at rh01 (about 6 MB), upgraded to rh02; wall clock, POST to the "
          "finished run")
    print(f"real apply (no backup)                {apply:6.2f} s")
    for kind, label in (("template", "rehearsal, copy by TEMPLATE"), ("dump", "rehearsal, pg_dump/pg_restore"),
                        ("sample", "rehearsal, events sampled")):
        median = statistics.median(kinds[kind])
        copy = statistics.median(float(r["copy_seconds"]) for r in parts[kind])  # type: ignore[arg-type]
        run = statistics.median(float(r["run_seconds"]) for r in parts[kind])  # type: ignore[arg-type]
        drop = statistics.median(float(r["drop_seconds"]) for r in parts[kind])  # type: ignore[arg-type]
        print(f"{label:37s} {median:6.2f} s = {median / apply:4.2f}x the apply "
              f"(copy {copy:.2f} s, migrations {run:.2f} s, drop {drop:.2f} s)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
