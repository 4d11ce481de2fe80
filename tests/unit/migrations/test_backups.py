"""Backups: the pruning policy, the source check, and tool credentials kept off command lines. Pure."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from pgadmin_py.db.conninfo import parse_database_url
from pgadmin_py.migrations.backups import BackupPolicy, check_source, is_of, prunable
from pgadmin_py.migrations.pgtools import Backup, Identity, _dbname_args, _env, probe

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
MB = 1024 * 1024


def backup(name: str, hours: int, *, db: str = "shop", sid: str | None = "42", size: int = MB,
           sidecar: bool = True) -> Backup:
    return Backup(Path(f"/b/{name}.dump"), T0 + timedelta(hours=hours), size, db if sidecar else "", (), "16",
                  sid if sidecar else None, "", has_sidecar=sidecar)


def names(backups: list[Backup]) -> list[str]:
    return [b.path.stem for b in backups]


def test_keep_the_newest_n_per_database() -> None:
    shop = [backup(f"shop{i}", i) for i in range(5)]
    other = [backup(f"crm{i}", i, db="crm") for i in range(2)]
    assert names(prunable(shop + other, BackupPolicy(keep=3))) == ["shop0", "shop1"]


def test_size_budget_deletes_the_oldest_but_never_the_last_good_one() -> None:
    items = [backup("shop-old", 1, size=3 * MB), backup("crm-only", 2, db="crm", size=3 * MB),
             backup("shop-new", 3, size=3 * MB), backup("legacy", 0, sidecar=False, size=3 * MB)]
    # 12 MB against a 4 MB budget: only shop-old may go; each database's newest (and the unknown one) stays
    assert names(prunable(items, BackupPolicy(keep=10, max_bytes=4 * MB))) == ["shop-old"]
    assert prunable(items, BackupPolicy(keep=10, max_bytes=100 * MB)) == []


def test_the_backup_being_restored_is_never_pruned() -> None:
    items = [backup("a", 1), backup("b", 2), backup("c", 3)]
    keep = frozenset({Path("/b/a.dump")})
    assert names(prunable(items, BackupPolicy(keep=1), keep)) == ["b"]


def test_source_check() -> None:
    here = Identity("42", "shop")
    assert check_source(backup("x", 1), here, "shop").verified
    other_db = check_source(backup("x", 1, db="crm"), here, "crm")
    assert other_db.refusal and "backup of database 'crm'" in other_db.refusal
    other_server = check_source(backup("x", 1, sid="7"), here, "shop")
    assert other_server.refusal and "another PostgreSQL server" in other_server.refusal
    unknown = check_source(backup("x", 1, sidecar=False), here, "shop")
    assert unknown.refusal is None and unknown.needs_extra_confirmation and unknown.database == "shop"
    assert check_source(backup("x", 1, sidecar=False), here, "crm").refusal  # pg_dump's header names crm
    assert is_of(backup("x", 1), here) and not is_of(backup("x", 1, db="crm"), here)
    assert is_of(backup("x", 1, sidecar=False), here)  # listed, as "source unknown"


@pytest.mark.parametrize("text", ["postgresql://app@db/shop?password=s%3Dcret&sslmode=require",
                                  "postgresql://app:s%3Dcret@db/shop?sslmode=require"])
def test_tool_credentials_travel_in_the_environment(text: str) -> None:
    url = parse_database_url(text)
    assert _dbname_args(url) == ["--dbname", "user=app host=db dbname=shop sslmode=require"]
    assert _env(url)["PGPASSWORD"] == "s=cret"
    assert "s=cret" not in url.masked() and "s%3Dcret" not in url.masked()


@pytest.mark.parametrize(("printed", "major", "version"), [
    ("pg_dump (PostgreSQL) 18.4", 18, "18.4"),
    ("pg_dump (PostgreSQL) 17.12 (Debian 17.12-0+deb13u1)", 17, "17.12 (Debian 17.12-0+deb13u1)"),
    ("pg_dump (PostgreSQL) 16.3 (Homebrew)", 16, "16.3 (Homebrew)"),
])
def test_the_tools_version_keeps_the_packagers_note(tmp_path: Path, printed: str, major: int, version: str) -> None:
    script = tmp_path / "pg_dump"
    script.write_text(f"#!/bin/sh\necho '{printed}'\n")
    script.chmod(0o755)
    tools = probe(tmp_path)
    assert tools is not None and (tools.major, tools.version) == (major, version)
