"""The read-only guard's rules on parse trees, without a database (the catalog half is tested on a real
server in tests/integration/console/test_read_only_guard.py)."""

from __future__ import annotations

import pytest

from pgadmin_py.console.guard import inspect
from pgadmin_py.console.statements import split
from pgadmin_py.console.volatility import allowed

LIMIT_MS = 30_000


def findings(sql: str) -> list[tuple[str, bool]]:
    (statement,) = split(sql)
    return [(f.message, f.never) for f in inspect(statement, timeout_ms=LIMIT_MS).findings]


@pytest.mark.parametrize("sql", [
    "select * from t",
    "(select 1) union (select 2)",
    "with x as (select 1) select * from x",
    "values (1)",
    "table t",
    "show search_path",
    "explain select 1",
    "explain delete from t",  # a plan only: nothing runs
    "explain (analyze) select * from t",
    "explain (analyze false) delete from t",
    "declare c cursor for select 1",
    "fetch 10 from c",
    "close c",
    "copy t to stdout",
    "copy (select 1) to stdout with (format csv)",
    "set search_path = public",
    "set local work_mem = '64MB'",
    "set time zone 'UTC'",
    "set statement_timeout = '5s'",
    "set statement_timeout to 1000",
    "set statement_timeout = default",
    "reset search_path",
    "select 'delete from t; drop table t'",
    "/* hi */ -- there\n select 1",
])
def test_reads_have_no_findings(sql: str) -> None:
    assert findings(sql) == []


@pytest.mark.parametrize(("sql", "words"), [
    ("insert into t values (1)", "INSERT changes data."),
    ("update t set a = 1", "UPDATE changes data."),
    ("delete from t", "DELETE changes data."),
    ("merge into t using s on t.id = s.id when matched then delete", "MERGE changes data."),
    ("with d as (delete from t returning *) select * from d", "DELETE changes data."),
    ("select * from (select 1) s where exists (with d as (update t set a = 1 returning 1) select 1 from d)",
     "UPDATE changes data."),
    ("select * into new_t from t", "SELECT ... INTO creates a table."),
    ("select * from t for update", "SELECT ... FOR UPDATE locks rows."),
    ("select * from (select * from t for key share) s", "SELECT ... FOR KEY SHARE locks rows."),
    ("explain analyze delete from t", "EXPLAIN ANALYZE runs the statement: DELETE changes data."),
    ("explain (analyze on, buffers) insert into t values (1)", "EXPLAIN ANALYZE runs the statement: INSERT"),
    ("explain analyze create table x as select 1", "EXPLAIN ANALYZE runs the statement: CREATE TABLE AS"),
    ("copy t to '/tmp/x'", "COPY TO a file writes the server's files."),
    ("copy t from '/etc/passwd'", "COPY FROM a file reads the server's files."),
    ("copy (select 1) to program 'touch x'", "COPY TO PROGRAM runs a command on the server"),
    ("copy t from program 'id'", "COPY FROM PROGRAM runs a command on the server"),
    ("copy t from stdin", "COPY FROM STDIN writes rows"),
    ("copy (delete from t returning *) to stdout", "DELETE changes data."),
    ("declare c cursor with hold for select 1", "DECLARE ... WITH HOLD"),
    ("create temp table x (i int)", "CREATE TABLE is not a read"),
    ("create table x as select 1", "CREATE TABLE AS is not a read"),
    ("drop table t", "DROP is not a read"),
    ("truncate t", "TRUNCATE is not a read"),
    ("do $$ begin end $$", "DO is not a read: it runs procedural code"),
    ("call p()", "CALL is not a read"),
    ("lock table t", "LOCK is not a read"),
    ("listen c", "LISTEN is not a read"),
    ("notify c", "NOTIFY is not a read"),
    ("prepare p as select 1", "PREPARE is not a read"),
    ("execute p", "EXECUTE is not a read"),
    ("vacuum t", "VACUUM is not a read"),
    ("analyze t", "ANALYZE is not a read"),
    ("checkpoint", "CHECKPOINT is not a read"),
    ("load 'auto_explain'", "LOAD is not a read"),
    ("discard all", "DISCARD is not a read"),
    ("grant select on t to public", "GRANT / REVOKE is not a read"),
    ("alter system set work_mem = '1GB'", "ALTER SYSTEM is not a read"),
    ("refresh materialized view m", "REFRESH is not a read"),
    ("set role postgres", "SET role changes who runs the statements."),
    ("set session authorization postgres", "SET session_authorization changes who runs"),
    ("set application_name = 'x'", "SET application_name is not one of the session settings"),
    ("select table_to_xml('v', true, false, '')", "table_to_xml() reads relations named in a string"),
])
def test_writes_need_allow_writes(sql: str, words: str) -> None:
    found = findings(sql)
    assert found, sql
    assert words in found[0][0]
    assert not any(never for _, never in found)


@pytest.mark.parametrize(("sql", "words"), [
    ("begin", "Transaction control"),
    ("commit", "Transaction control"),
    ("end", "Transaction control"),
    ("rollback", "Transaction control"),
    ("savepoint a", "Transaction control"),
    ("start transaction read write", "Transaction control"),
    ("prepare transaction 'x'", "Transaction control"),
    ("set transaction read write", "Transaction control"),
    ("set session characteristics as transaction read write", "Transaction control"),
    ("set default_transaction_read_only = off", "the console's read-only transaction"),
    ("set session transaction_read_only = off", "the console's read-only transaction"),
    ("reset transaction_read_only", "the console's read-only transaction"),
    ("set standard_conforming_strings = off", "string literals"),
    ("reset all", "RESET ALL"),
    ("set statement_timeout = 0", "0 would lift it"),
    ("set statement_timeout = '1h'", "may only lower"),
    ("set local statement_timeout = 60000", "may only lower"),
])
def test_never_allowed(sql: str, words: str) -> None:
    found = findings(sql)
    assert found and words in found[0][0] and found[0][1], found


def test_names_are_collected_everywhere_with_their_position() -> None:
    sql = ("with n as (select nextval('s') as v) select pg_catalog.abs(x.v) + 1 from n x, "
           "lateral (select f(1) from other.t) l where x.v > (select max(id) from u)")
    (statement,) = split(sql)
    inspection = inspect(statement, timeout_ms=LIMIT_MS)
    names = {(schema, name) for schema, name, _ in inspection.functions}
    assert names == {(None, "nextval"), ("pg_catalog", "abs"), (None, "f"), (None, "max")}
    for _, name, offset in inspection.functions:
        assert sql[offset:].split("(")[0].endswith(name)
    assert {o for o, _ in inspection.operators} == {"+", ">"}
    assert {r for r, _ in inspection.relations} == {"t", "u"}  # n is the CTE, not a relation


def test_explain_without_analyze_names_nothing_to_check() -> None:
    (statement,) = split("explain select nextval('s')")
    assert inspect(statement, timeout_ms=LIMIT_MS).functions == ()
    (analyzed,) = split("explain analyze select nextval('s')")
    assert [n for _, n, _ in inspect(analyzed, timeout_ms=LIMIT_MS).functions] == ["nextval"]


def test_the_allowlist_is_qualified() -> None:
    assert allowed("pg_catalog", "random", None)
    assert allowed("pg_catalog", "pg_total_relation_size", None)
    assert not allowed("public", "random", None)  # a twin in another schema is not trusted
    assert not allowed("pg_catalog", "pg_terminate_backend", None)
    assert not allowed("pg_catalog", "pg_read_file", None)
    assert allowed("public", "uuid_generate_v4", "uuid-ossp")
    assert not allowed("public", "dblink_exec", "dblink")
