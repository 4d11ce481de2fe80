"""pgadmin-py starts on Windows (and macOS) with an external database.

Windows cannot run here, so a child interpreter is made to look like it where it matters: pwd, grp, fcntl,
resource and termios (POSIX-only modules) raise ImportError. Every module of pgadmin_py is imported there, then
``create_app`` serves a page and ``pgadmin-py check`` runs to its report for an external DATABASE_URL (unreachable:
no database is needed to start). The embedded server's module is imported too but never used (it imports ``pwd``
only when it runs, and says "Linux and macOS" when it cannot); scripts that only ever run as children in the
project's interpreter or Alembic's (child.py, guard.py, probe.py, model_probe.py, the demo's env.py and revisions)
are left out. What this cannot catch: a Linux-only *attribute* (``os.geteuid``, ``select.poll``) used without a
guard; those are guarded by ``hasattr`` where they are used.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

POSIX_ONLY = ("pwd", "grp", "fcntl", "resource", "termios")
CHILD_ONLY = ("pgadmin_py.__main__", "pgadmin_py.migrations.child", "pgadmin_py.migrations.guard",
              "pgadmin_py.migrations.probe", "pgadmin_py.orm.model_probe", "pgadmin_py.demo.migrations")

SCRIPT = textwrap.dedent('''
    import importlib, importlib.abc, pkgutil, sys, traceback

    BLOCKED = set(sys.argv[1].split(","))
    SKIP = tuple(sys.argv[2].split(","))

    class NotOnWindows(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ImportError(f"No module named {name!r} (made unimportable: POSIX only)")
            return None

    for name in list(sys.modules):
        if name.split(".")[0] in BLOCKED:
            del sys.modules[name]
    sys.meta_path.insert(0, NotOnWindows())

    import pgadmin_py
    failed = []
    for info in pkgutil.walk_packages(pgadmin_py.__path__, "pgadmin_py."):
        if info.name.startswith(SKIP):
            continue
        try:
            importlib.import_module(info.name)
        except Exception:
            failed.append(info.name + ": " + traceback.format_exc().strip().splitlines()[-1])
    if failed:
        raise SystemExit("modules that need a POSIX-only module to import:\\n  " + "\\n  ".join(failed))

    from litestar.testing import TestClient
    from pgadmin_py.core.settings import Settings
    from pgadmin_py.db.conninfo import parse_database_url
    from pgadmin_py.web.app import create_app

    env = {"DATABASE_URL": "postgresql://app:pw@127.0.0.1:9/shop", "PROJECT_DIR": sys.argv[3],
           "DATA_DIR": sys.argv[3] + "/data"}
    with TestClient(create_app(Settings.from_env(env, parse_url=parse_database_url)),
                    base_url="http://127.0.0.1") as client:
        assert client.get("/healthz").status_code == 200
        assert client.get("/").status_code == 503  # "waiting for the database": served, not crashed

    import os
    from pgadmin_py import cli
    os.environ.update(env)
    code = cli.main(["check"])
    assert code == 1, code  # the report was printed; the database does not answer
    leaked = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
    assert not leaked, leaked

    # nothing named: on Windows the embedded demo cannot run, and says what to set instead
    for name in ("DATABASE_URL", "PGHOST", "PGUSER", "PGDATABASE", "PGSERVICE", "PGPORT", "PGHOSTADDR"):
        os.environ.pop(name, None)
    sys.platform = "win32"
    assert cli.main(["check"]) == 1
    print("portable: ok")
''')


def test_every_module_imports_and_the_app_starts_without_posix_only_modules(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT, ",".join(POSIX_ONLY), ",".join(CHILD_ONLY), str(tmp_path)],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "portable: ok" in done.stdout
    assert "pgadmin-py" in done.stdout and "waiting:" in done.stdout  # the startup report
    assert "The embedded PostgreSQL runs on Linux and macOS only" in done.stderr
    assert "set DATABASE_URL=" in done.stderr
