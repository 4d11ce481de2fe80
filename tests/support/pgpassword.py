"""A throwaway PostgreSQL that really checks passwords (the shared test server may be trust-only).

Started like the suite's own embedded server, then ``pg_hba.conf`` is rewritten so the superuser keeps trust
(for the tests' own set-up) and every other role must give its password (scram-sha-256) over TCP.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg

from pgadmin_py.core.dburl import DatabaseUrl
from pgadmin_py.db.embedded import EmbeddedPostgres

HBA = """# written by tests/support/pgpassword.py
host all postgres 127.0.0.1/32 trust
host all all 127.0.0.1/32 scram-sha-256
"""


@dataclass(frozen=True)
class PasswordServer:
    admin: DatabaseUrl  # postgres, trust
    user: str
    password: str
    database: str

    @property
    def host(self) -> str:
        return self.admin.host or "127.0.0.1"

    @property
    def port(self) -> int:
        return self.admin.port or 5432

    def url(self, password: str | None = None) -> DatabaseUrl:
        """The application role's URL, with ``password`` (or none)."""
        return self.admin.replace(user=self.user, password=password, dbname=self.database)


def password_server() -> Iterator[PasswordServer]:
    root = Path(tempfile.mkdtemp(prefix="pgadmin-py-pw-"))
    server = EmbeddedPostgres(root, fast=True)
    try:
        admin = server.start()
        user, password, database = "app", f"pw-{uuid.uuid4().hex[:12]}", "shop"
        with psycopg.connect(admin.conninfo(), autocommit=True) as conn:
            conn.execute(f"create role {user} login password '{password}'")
            conn.execute(f"create database {database} owner {user}")
            (server.pgdata / "pg_hba.conf").write_text(HBA)
            conn.execute("select pg_reload_conf()")
        yield PasswordServer(admin, user, password, database)
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
