"""Read-only that holds: hostile statements are refused before anything runs, in the console's default
"writes not allowed" mode and with READ_ONLY=1, and the server shows that nothing happened; legitimate
reads still run. Each table is run through the HTTP route, against a real PostgreSQL.

The test prints ``hostile statements refused (<mode>): N/N`` and ``legitimate reads ran (<mode>): M/M``.
"""

from __future__ import annotations

import contextlib
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql as pgsql

from pgadmin_py.core.dburl import DatabaseUrl
from support.web import csrf_token, demo_env, make_client

HX = {"hx-request": "true", "hx-target": "results"}
VICTIM_APP = "guard-victim"


@dataclass(frozen=True)
class Case:
    label: str
    sql: str
    action: str = "run"  # run | explain | analyze (the console's buttons)
    needs: str = ""  # an extension the case needs ("dblink"); skipped when the server has none


# {file} is a path on the server that must never appear, {victim} the pid of a backend that must survive,
# {slot} a replication slot that must never appear, {keep} one that must stay, {dsn} this database.
HOSTILE: list[Case] = [
    # the four from issue 12
    Case("COPY TO PROGRAM", "copy (select 1) to program 'touch {file}'"),
    Case("COPY TO a server file", "copy (select 1) to '{file}'"),
    Case("pg_terminate_backend", "select pg_terminate_backend({victim})"),
    Case("physical replication slot", "select pg_create_physical_replication_slot('{slot}', true)"),
    # COPY in every other direction than the client
    Case("COPY FROM PROGRAM", "copy tags (name) from program 'touch {file}'"),
    Case("COPY FROM a server file", "copy tags (name) from '/etc/hostname'"),
    Case("COPY a table TO a file", "copy payments to '{file}'"),
    Case("COPY FROM STDIN", "copy tags (name) from stdin"),
    # backends and replication
    Case("pg_cancel_backend", "select pg_cancel_backend({victim})"),
    Case("terminate through pg_stat_activity",
         f"select pg_terminate_backend(pid) from pg_stat_activity where application_name = '{VICTIM_APP}'"),
    Case("pg_drop_replication_slot", "select pg_drop_replication_slot('{keep}')"),
    Case("logical replication slot", "select pg_create_logical_replication_slot('{slot}', 'pgoutput')"),
    Case("pg_stat_reset", "select pg_stat_reset()"),
    Case("pg_reload_conf", "select pg_reload_conf()"),
    Case("pg_switch_wal", "select pg_switch_wal()"),
    Case("advisory lock", "select pg_advisory_lock(42)"),
    # the server's files
    Case("lo_import", "select lo_import('/etc/hostname')"),
    Case("lo_export", "select lo_export(lo_from_bytea(0, 'x'), '{file}')"),
    Case("pg_read_file", "select pg_read_file('/etc/hostname')"),
    Case("pg_read_binary_file", "select pg_read_binary_file('/etc/hostname')"),
    Case("pg_ls_dir", "select pg_ls_dir('.')"),
    Case("pg_stat_file", "select pg_stat_file('postgresql.conf', true)"),
    # sequences, wherever the call hides
    Case("nextval in SELECT", "select nextval('guard_seq')"),
    Case("setval in SELECT", "select setval('guard_seq', 1000)"),
    Case("nextval in a CTE", "with n as (select nextval('guard_seq') as v) select v from n"),
    Case("nextval in a subquery", "select (select nextval('guard_seq')) as v"),
    Case("nextval in WHERE", "select 1 from clients where id = nextval('guard_seq')"),
    Case("nextval as a function argument", "select abs(nextval('guard_seq'))"),
    Case("nextval in a LATERAL", "select * from clients, lateral (select nextval('guard_seq')) n limit 1"),
    Case("nextval schema-qualified", "select pg_catalog.nextval('guard_seq')"),
    Case("nextval as a quoted identifier", "select \"nextval\"('guard_seq')"),
    Case("nextval through a view", "select * from guard_next"),
    Case("a user VOLATILE function that deletes rows", "select guard_purge()"),
    Case("table_to_xml reads a view named in a string", "select table_to_xml('guard_next', true, false, '')"),
    Case("query_to_xml runs a query string", "select query_to_xml('select setval(''guard_seq'', 7)', true, false, '')"),
    # settings that protect the transaction or the session
    Case("SET default_transaction_read_only", "set default_transaction_read_only = off; delete from payments"),
    Case("SET transaction_read_only", "set transaction_read_only = off; delete from payments"),
    Case("SET SESSION CHARACTERISTICS", "set session characteristics as transaction read write; delete from payments"),
    Case("SET TRANSACTION READ WRITE", "set transaction read write; delete from payments"),
    Case("RESET ALL", "reset all"),
    Case("SET ROLE", "set role postgres"),
    Case("SET SESSION AUTHORIZATION", "set session authorization postgres"),
    Case("SET statement_timeout = 0", "set statement_timeout = 0; select pg_sleep(1)"),
    Case("SET standard_conforming_strings", "set standard_conforming_strings = off"),
    Case("set_config of the read-only default", "select set_config('default_transaction_read_only', 'off', false)"),
    Case("set_config then a write", "select set_config('transaction_read_only', 'off', true); delete from payments"),
    # transaction juggling
    Case("BEGIN ... COMMIT", "begin; delete from payments; commit"),
    Case("COMMIT; DELETE", "commit; delete from payments"),
    Case("ROLLBACK; DELETE", "rollback; delete from payments"),
    Case("END; DELETE", "end; delete from payments"),
    Case("START TRANSACTION READ WRITE", "start transaction read write; delete from payments"),
    Case("SAVEPOINT", "savepoint s; delete from payments; release s"),
    Case("PREPARE TRANSACTION", "prepare transaction 'guard'"),
    # writes, plain or hidden
    Case("a write hidden after a read", "select 1; delete from payments"),
    Case("a write after comments", "select 1 /* ; */; -- ;\ndelete from payments"),
    Case("a write after dollar quotes", "select $q$ ; $q$ as x; delete from payments"),
    Case("a write inside a dollar-quoted comment trick", "select $$ /* $$; delete from payments; -- */"),
    Case("data-modifying CTE", "with d as (delete from payments returning 1) select count(*) from d"),
    Case("INSERT", "insert into tags (name) values ('guard')"),
    Case("UPDATE", "update clients set full_name = full_name"),
    Case("DELETE", "delete from payments"),
    Case("MERGE", "merge into tags t using (select 'guard' as name) s on t.name = s.name "
                  "when not matched then insert (name) values (s.name)"),
    Case("TRUNCATE", "truncate client_tags"),
    Case("SELECT INTO", "select * into guard_copy from payments"),
    Case("CREATE TEMP TABLE", "create temp table guard_tmp (id int)"),
    Case("CREATE TABLE AS", "create table guard_ctas as select 1 as x"),
    Case("CREATE FUNCTION", "create function guard_evil() returns int language sql as 'select 1'"),
    Case("DROP TABLE", "drop table client_tags"),
    Case("GRANT", "grant all on payments to public"),
    Case("COMMENT ON", "comment on table payments is 'guard'"),
    Case("ALTER SYSTEM", "alter system set work_mem = '1GB'"),
    Case("LOAD", "load 'auto_explain'"),
    # procedural code and other utilities
    Case("DO block", "do $$ begin delete from payments; end $$"),
    Case("CALL", "call guard_proc()"),
    Case("LOCK TABLE", "lock table payments in access exclusive mode"),
    Case("SELECT ... FOR UPDATE", "select * from payments for update"),
    Case("SELECT ... FOR SHARE in a subquery", "select * from (select id from payments for share) p limit 1"),
    Case("LISTEN", "listen guard_channel"),
    Case("NOTIFY", "notify guard_channel, 'x'"),
    Case("pg_notify", "select pg_notify('guard_channel', 'x')"),
    Case("PREPARE / EXECUTE", "prepare guard_p as delete from payments; execute guard_p"),
    Case("DECLARE ... WITH HOLD", "declare guard_c cursor with hold for select 1"),
    Case("VACUUM", "vacuum payments"),
    Case("ANALYZE", "analyze payments"),
    Case("CHECKPOINT", "checkpoint"),
    Case("REFRESH / REINDEX", "reindex table payments"),
    Case("DISCARD", "discard all"),
    # EXPLAIN ANALYZE, typed or through the button
    Case("EXPLAIN ANALYZE DELETE", "explain analyze delete from payments"),
    Case("EXPLAIN ANALYZE SELECT nextval", "explain analyze select nextval('guard_seq')"),
    Case("EXPLAIN (ANALYZE true) setval", "explain (analyze true, costs off) select setval('guard_seq', 99)"),
    Case("EXPLAIN ANALYZE CREATE TABLE AS", "explain analyze create table guard_ea as select 1"),
    Case("Explain analyze button: DELETE", "delete from payments", action="analyze"),
    Case("Explain analyze button: nextval", "select nextval('guard_seq')", action="analyze"),
    Case("Explain analyze button: setval", "select setval('guard_seq', 1000)", action="analyze"),
    Case("Explain analyze button: volatile function", "select guard_purge()", action="analyze"),
    # another connection from the server itself
    Case("dblink_exec", "select dblink_exec('{dsn}', 'delete from payments')", needs="dblink"),
    Case("dblink query", "select * from dblink('{dsn}', 'delete from payments returning 1') as t(x int)",
         needs="dblink"),
]

LEGIT: list[str] = [
    "select count(*) from clients",
    "select c.full_name, count(a.id) as accounts from clients c left join accounts a on a.client_id = c.id "
    "group by c.full_name order by accounts desc limit 5",
    "with recent as (select * from operations order by id desc limit 10) select count(*) from recent",
    "with recursive n(i) as (select 1 union all select i + 1 from n where i < 5) select * from n",
    "select id, row_number() over w, sum(id) over w from clients window w as (order by id) limit 5",
    "select now(), current_date, current_timestamp, clock_timestamp(), statement_timestamp()",
    "select random(), gen_random_uuid()",
    "select setseed(0.5); select random()",
    "select * from generate_series(1, 10) g",
    "select jsonb_build_object('a', 1) -> 'a', '{\"b\": [1, 2]}'::jsonb #> '{b,1}', "
    "jsonb_path_query_array('[1, 2, 3]', '$[*] ? (@ > 1)')",
    "select jsonb_agg(t) from (select id, full_name from clients order by id limit 3) t",
    "select pg_size_pretty(pg_total_relation_size('payments')), pg_size_pretty(pg_database_size(current_database()))",
    "select pg_relation_size('payments'), pg_table_size('payments'), pg_indexes_size('payments')",
    "select current_setting('search_path'), current_user, session_user, version()",
    "select pg_is_in_recovery(), pg_backend_pid() > 0, pg_postmaster_start_time() < now()",
    "explain select * from payments where amount > 10",
    "explain (costs off) delete from payments",
    "explain analyze select count(*) from payments",
    "explain (analyze, buffers, format json) select 1",
    "show search_path",
    "show all",
    "select table_name from information_schema.tables where table_schema = 'public' order by 1",
    "select column_name, data_type from information_schema.columns where table_name = 'clients'",
    "select pid, state from pg_stat_activity",
    "select locktype, mode from pg_locks",
    "select relname, seq_scan from pg_stat_user_tables",
    "select sequencename, last_value from pg_sequences",
    "select name, setting from pg_settings where name like 'work%'",
    "set statement_timeout = '5s'; select 1 as one",
    "set search_path = public, pg_catalog; select count(*) from clients",
    "set work_mem = '64MB'; set local enable_seqscan = off; select count(*) from clients where id = 3",
    "values (1, 'a'), (2, 'b')",
    "table tags",
    "select 'it''s; fine' as a, $$dollar ; quoted$$ as b, E'esc\\'; x' as c",
    "select 1 /* ; */ as a; -- comment ;\nselect 2 as b",
    "select regexp_replace('abc', 'b', 'x'), upper('x'), md5('x'), to_char(now(), 'YYYY')",
    "select array_agg(id order by id) from (select id from clients order by id limit 5) s",
    "select exists(select 1 from payments where amount > 100)",
    "select guard_hello()",
    "declare guard_cur cursor for select id from clients order by id; fetch 3 from guard_cur",
    "select pg_sleep(0.01)",
    "copy (select id, full_name from clients order by id limit 3) to stdout with (format csv, header)",
    "copy tags to stdout",
    "select * from payments p join accounts a on a.id = p.account_id where p.amount > 100 "
    "order by p.created_at desc limit 20",
]


@dataclass
class Arena:
    """The database under test, as its owner sees it, and the things that must not change."""

    url: DatabaseUrl
    admin: psycopg.Connection[Any]
    victim: psycopg.Connection[Any]
    tag: str
    extensions: set[str]
    files: list[str]

    def file(self) -> str:
        path = f"/tmp/pgadmin-guard-{self.tag}-{len(self.files)}"
        self.files.append(path)
        return path

    def fill(self, sql: str) -> str:
        values = {"victim": str(self.victim.info.backend_pid), "slot": f"guard_new_{self.tag}",
                  "keep": f"guard_keep_{self.tag}", "dsn": self.url.libpq().replace("'", "''")}
        if "{file}" in sql:
            values["file"] = self.file()
        return sql.format(**values)

    def state(self) -> dict[str, Any]:
        """What a hostile statement could change, read on the server."""
        conn = self.admin
        tables = [r[0] for r in conn.execute("select tablename from pg_tables where schemaname = 'public' "
                                             "order by 1").fetchall()]
        counts = {t: conn.execute(f'select count(*) from "{t}"').fetchone() for t in tables}
        return {
            "tables": tables,
            "counts": counts,
            "sequence": conn.execute("select last_value, is_called from guard_seq").fetchone(),
            "slots": conn.execute("select array_agg(slot_name order by slot_name) from pg_replication_slots "
                                  "where slot_name like %s", [f"guard_%_{self.tag}"]).fetchone(),
            "files": [conn.execute("select (pg_stat_file(%s, true)).size is not null", [f]).fetchone()
                      for f in self.files],
            "large_objects": conn.execute("select count(*) from pg_largeobject_metadata").fetchone(),
            "stats_reset": conn.execute("select stats_reset from pg_stat_database "
                                        "where datname = current_database()").fetchone(),
            "functions": conn.execute("select count(*) from pg_proc where proname like 'guard_%'").fetchone(),
            "acl": conn.execute("select relacl::text from pg_class where relname = 'payments'").fetchone(),
            "comment": conn.execute("select obj_description('payments'::regclass)").fetchone(),
            "victim_alive": self._victim_alive(),
        }

    def _victim_alive(self) -> bool:
        try:
            self.victim.execute("select 1")
        except psycopg.Error:
            return False
        return True


@pytest.fixture
def arena(demo_db: DatabaseUrl) -> Iterator[Arena]:
    admin = psycopg.connect(demo_db.libpq(), autocommit=True)
    tag = uuid.uuid4().hex[:8]
    admin.execute("create sequence guard_seq")
    admin.execute("create view guard_next as select nextval('guard_seq') as v")
    admin.execute("create function guard_purge() returns bigint language sql as "
                  "'delete from client_tags; delete from payments; select 1::bigint'")
    admin.execute("create procedure guard_proc() language sql as 'delete from payments'")
    admin.execute("create function guard_hello() returns text stable language plpgsql as "
                  "$$ begin raise notice 'hello from plpgsql'; return 'hello'; end $$")
    admin.execute("select pg_create_physical_replication_slot(%s)", [f"guard_keep_{tag}"])
    extensions = set()
    if admin.execute("select 1 from pg_available_extensions where name = 'dblink'").fetchone():
        admin.execute("create extension dblink")
        extensions.add("dblink")
    victim = psycopg.connect(demo_db.libpq(), autocommit=True, application_name=VICTIM_APP)
    _wait_for_database_stats(admin)
    found = Arena(demo_db, admin, victim, tag, extensions, [])
    try:
        yield found
    finally:
        for slot in (f"guard_keep_{tag}", f"guard_new_{tag}"):  # a slot left behind would retain WAL
            admin.execute("select pg_drop_replication_slot(slot_name) from pg_replication_slots "
                          "where slot_name = %s", [slot])
        for path in found.files:
            with contextlib.suppress(psycopg.Error):  # only left behind when a hostile COPY got through
                admin.execute(pgsql.SQL("copy (select 1) to program {}").format(pgsql.Literal(f"rm -f {path}")))
        victim.close()
        admin.close()


def _wait_for_database_stats(admin: psycopg.Connection[Any]) -> None:
    """Before PostgreSQL 15 the statistics collector creates a database's entry, with ``stats_reset`` set to
    that moment, only when the first statistics of the database arrive (every 500 ms at most): a NULL that
    turns into a time later is that, not a reset. Wait for the entry, so that only a real reset moves it."""
    if admin.info.server_version >= 150000:
        return
    deadline = time.monotonic() + 30
    while admin.execute("select stats_reset is null from pg_stat_database "
                        "where datname = current_database()").fetchone() in (None, (True,)):
        assert time.monotonic() < deadline, "the statistics collector never created this database's entry"
        admin.execute("select pg_stat_clear_snapshot()")
        time.sleep(0.2)


def post(client: Any, sql: str, token: str, action: str = "run", **fields: str) -> Any:
    return client.post("/sql/run", data={"sql": sql, "action": action, **fields},
                       headers={"x-csrftoken": token, **HX})


def refused(response: Any) -> bool:
    """Refused before anything ran: a REFUSED message, no result set, no plan."""
    text = response.text
    return (response.status_code == 200 and 'data-testid="sql-error"' in text
            and re.search(r'sql-error-label">REFUSED<', text) is not None
            and 'data-testid="result-set"' not in text and 'data-testid="plan-tree"' not in text)


def ran(response: Any) -> bool:
    text = response.text
    return response.status_code == 200 and 'data-testid="sql-error"' not in text and (
        'data-testid="result-set"' in text or 'data-testid="plan-tree"' in text)


MODES = {"writes not allowed": {}, "READ_ONLY=1": {"READ_ONLY": "1"}}


@pytest.mark.parametrize("mode", list(MODES))
def test_hostile_statements_are_refused_and_nothing_happens(arena: Arena, tmp_path: Path, mode: str,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    cases = [c for c in HOSTILE if not c.needs or c.needs in arena.extensions]
    failures: list[str] = []
    with make_client(demo_env(arena.url, tmp_path, **MODES[mode])) as client:
        token = csrf_token(client, "/sql")
        for case in cases:
            sql = arena.fill(case.sql)
            before = arena.state()
            response = post(client, sql, token, case.action)
            after = arena.state()
            if not refused(response):
                failures.append(f"{case.label}: not refused ({response.status_code}) {_message(response)}")
            elif "REFUSED" in response.text and not _message(response):
                failures.append(f"{case.label}: refused without a message")
            if after != before:
                changed = sorted(k for k in before if before[k] != after[k])
                failures.append(f"{case.label}: the server changed: {', '.join(changed)}")
                if not after["victim_alive"]:
                    arena.victim = psycopg.connect(arena.url.libpq(), autocommit=True, application_name=VICTIM_APP)
    refused_count = len(cases) - len({f.split(":")[0] for f in failures})
    with capsys.disabled():
        print(f"\nhostile statements refused ({mode}): {refused_count}/{len(cases)}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("mode", list(MODES))
def test_legitimate_reads_still_run(arena: Arena, tmp_path: Path, mode: str,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    failures: list[str] = []
    with make_client(demo_env(arena.url, tmp_path, **MODES[mode])) as client:
        token = csrf_token(client, "/sql")
        before = arena.state()
        for sql in LEGIT:
            response = post(client, sql, token)
            if not ran(response):
                failures.append(f"{sql!r}: {response.status_code} {_message(response)}")
        assert arena.state() == before
        hello = post(client, "select guard_hello()", token)
        assert "hello from plpgsql" in hello.text
    with capsys.disabled():
        print(f"\nlegitimate reads ran ({mode}): {len(LEGIT) - len(failures)}/{len(LEGIT)}")
    assert not failures, "\n".join(failures)


def test_a_refusal_names_the_statement_and_why(arena: Arena, tmp_path: Path) -> None:
    with make_client(demo_env(arena.url, tmp_path)) as client:
        token = csrf_token(client, "/sql")
        response = post(client, f"select 1;\nselect pg_terminate_backend({arena.victim.info.backend_pid})", token)
        message = _message(response)
        assert "pg_terminate_backend() is VOLATILE" in message
        assert "Allow writes" in response.text  # the way out in this mode
        assert "at line 2, column 8" in response.text  # points at the call
    with make_client(demo_env(arena.url, tmp_path, READ_ONLY="1")) as client:
        token = csrf_token(client, "/sql")
        response = post(client, "copy (select 1) to program 'true'", token)
        assert "COPY" in _message(response) and "runs read-only" in response.text
        assert "Allow writes" not in response.text


def _message(response: Any) -> str:
    found = re.search(r'data-testid="sql-error".*?</p>', response.text, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0))).strip() if found else ""


def test_explain_analyze_follows_the_rules_of_run_and_runs_once(arena: Arena, tmp_path: Path) -> None:
    def sequence() -> Any:
        return arena.admin.execute("select last_value, is_called from guard_seq").fetchone()

    sql = "select nextval('guard_seq')"
    start = sequence()
    assert start == (1, False)
    with make_client(demo_env(arena.url, tmp_path)) as client:
        token = csrf_token(client, "/sql")
        assert refused(post(client, sql, token, "analyze"))
        assert sequence() == start
        ask = post(client, sql, token, "analyze", allow_writes="1")
        assert 'data-testid="confirm-writes"' in ask.text and "nextval() is VOLATILE" in ask.text
        assert sequence() == start
        confirm = re.search(r'name="confirm" value="([0-9a-f]+)"', ask.text)
        assert confirm and 'name="action" value="analyze"' in ask.text  # confirming runs EXPLAIN ANALYZE again
        done = post(client, sql, token, "analyze", allow_writes="1", confirm=confirm.group(1))
        assert 'data-testid="plan-tree"' in done.text and "(actual time=" in done.text
        assert sequence() == (1, True)  # exactly one nextval: the statement ran once
        again = post(client, sql, token, "analyze", allow_writes="1", confirm=confirm.group(1))
        assert 'data-testid="plan-tree"' in again.text
        assert sequence() == (2, True)
    with make_client(demo_env(arena.url, tmp_path, READ_ONLY="1")) as client:
        token = csrf_token(client, "/sql")
        assert post(client, sql, token, "analyze", allow_writes="1", confirm="x").status_code == 403
        assert refused(post(client, sql, token, "analyze"))
        assert sequence() == (2, True)
