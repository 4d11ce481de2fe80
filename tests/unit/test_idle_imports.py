"""The server's modules leave out what only some pages need: Alembic (with Mako and Pygments, 10 MiB resident) is
imported when a migration target is resolved, and Pygments (2 MiB) when code is first shown, not when the
server starts (idle memory, issue 15)."""

from __future__ import annotations

import subprocess
import sys

LATER = ("alembic", "mako", "pygments")


def test_starting_the_server_imports_neither_alembic_nor_pygments() -> None:
    code = ("import sys, pgadmin_py.cli, pgadmin_py.web.app, pgadmin_py.web.state\n"
            f"print(sorted(m for m in {LATER!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
