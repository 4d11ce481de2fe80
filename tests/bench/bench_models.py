"""Models page and ER diagram for a generated project with 100 models / 100 tables.

Run: .venv/bin/python tests/bench/bench_models.py   (TEST_DATABASE_URL, or the embedded server)
Prints cold (first request after start: introspection, catalog read, drift, layout) and warm (cached by the
catalog fingerprint) times, and the ratio to the bare fingerprint query every warm request still runs.
Targets: cold < 1 s, warm < 100 ms.
"""

from __future__ import annotations

import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pgadmin_py.catalog.tables import catalog_fingerprint
from pgadmin_py.db.conninfo import parse_database_url
from support.web import make_client

N = 100


def write_project(root: Path) -> None:
    rnd = random.Random(42)
    pkg = root / "bench100"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    lines = ["from __future__ import annotations",
             "from sqlalchemy import ForeignKey, String, Text",
             "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship",
             "class Base(DeclarativeBase):", "    pass"]
    for i in range(N):
        parents = rnd.sample(range(i), min(i, rnd.randint(0, 3))) if i else []
        lines += [f"class M{i}(Base):", f"    __tablename__ = 't{i}'",
                  "    id: Mapped[int] = mapped_column(primary_key=True)",
                  "    name: Mapped[str] = mapped_column(String(80), index=True)",
                  "    note: Mapped[str | None] = mapped_column(Text)"]
        lines += [f"    extra{k}: Mapped[int | None]" for k in range(rnd.randint(0, 8))]
        for p in parents:
            rule = rnd.choice(["CASCADE", "SET NULL", None])
            ondelete = f", ondelete='{rule}'" if rule else ""
            lines.append(f"    t{p}_id: Mapped[int | None] = mapped_column(ForeignKey('t{p}.id'{ondelete}))")
            lines.append(f"    t{p}: Mapped[M{p}] = relationship()")
    (pkg / "models.py").write_text("\n".join(lines) + "\n")


def timed(client, path: str) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    response = client.get(path)
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, response.text[:2000]
    return elapsed


def settle(client) -> None:  # type: ignore[no-untyped-def]
    """Wait (untimed) until the background drift comparison is cached, as it is for every later visitor."""
    for _ in range(100):
        if 'data-testid="drift-pending"' not in client.get("/models").text:
            return
        time.sleep(0.1)


def main() -> None:
    admin = parse_database_url(os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    name = f"pgadmin_bench_models_{uuid.uuid4().hex[:8]}"
    engine = create_engine(admin.sqlalchemy(), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'create database "{name}"'))
    url = admin.with_database(name)
    root = Path(tempfile.mkdtemp(prefix="bench-models-"))
    try:
        write_project(root)
        sys.path.insert(0, str(root))
        from bench100.models import Base  # type: ignore[import-not-found]

        db = create_engine(url.sqlalchemy())
        Base.metadata.create_all(db)
        env = {"DATABASE_URL": url.libpq(), "SQLALCHEMY_BASE": "bench100.models:Base", "PROJECT_DIR": str(root),
               "DATA_DIR": str(root / "data")}
        results = {}
        first = 0.0
        for path in ("/models", "/diagram", "/models/M50", "/diagram?table=public.t50&depth=2", "/diagram.svg"):
            with make_client(env) as client:  # a fresh app per page: every cold number starts from empty caches
                first = timed(client, "/healthz")  # the app is up
                cold = timed(client, path)
                settle(client)
                warm = min(timed(client, path) for _ in range(5))
                results[path] = (cold, warm)
        bare = min(_bare(db) for _ in range(5))
        db.dispose()
        print(f"models/diagram bench: {N} models, {N} tables")
        print(f"{'page':42} {'cold ms':>9} {'warm ms':>9} {'warm / bare fingerprint':>24}")
        for path, (cold, warm) in results.items():
            ok = "ok" if cold < 1 and warm < 0.1 else "SLOW"
            print(f"{path:42} {cold * 1000:9.1f} {warm * 1000:9.1f} {warm / bare:23.1f}x  {ok}")
        print(f"bare catalog_fingerprint query: {bare * 1000:.1f} ms; /healthz warm-up request: {first * 1000:.1f} ms")
        print("cold = first view of a freshly started app (empty caches); the models page waits at most "
              "DRIFT_BUDGET_SECONDS for the drift comparison, then shows it when ready (htmx poll)")
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'drop database if exists "{name}" with (force)'))
        engine.dispose()
        shutil.rmtree(root, ignore_errors=True)


def _bare(db) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    catalog_fingerprint(db)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
