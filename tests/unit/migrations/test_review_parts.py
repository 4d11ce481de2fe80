"""The review's pure parts: statements from offline SQL, lock modes, words, the safe-way code, the lock-timeout
setting and how a lock-timeout failure is read back. No database."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from pglast import ast as pg
from pglast import parse_sql

from pgadmin_py.core.errors import ConfigError
from pgadmin_py.core.settings import Settings, parse_duration_ms
from pgadmin_py.db.conninfo import parse_database_url
from pgadmin_py.migrations.lockwait import LockWait, failing_sql, is_lock_timeout
from pgadmin_py.migrations.review import fixes, locks, words
from pgadmin_py.migrations.review.model import Finding, Review, Severity, StatementReview
from pgadmin_py.migrations.review.statements import parse_statements
from pgadmin_py.migrations.runner import RunnerConfig

OFFLINE = """BEGIN;

CREATE TABLE alembic_version (
    version_num VARCHAR(32) NOT NULL
);

-- Running upgrade  -> a1

CREATE TABLE "Café" (id INTEGER, note TEXT DEFAULT 'déjà vu; really');

INSERT INTO alembic_version (version_num) VALUES ('a1');

-- Running upgrade a1 -> a2

COMMIT;

CREATE INDEX CONCURRENTLY ix ON "Café" (note);

BEGIN;

UPDATE alembic_version SET version_num='a2' WHERE alembic_version.version_num = 'a1';

COMMIT;
"""


def test_statements_keep_their_revision_transaction_and_text() -> None:
    found = parse_statements(OFFLINE)
    assert [s.text.split()[0] for s in found] == ["BEGIN", "CREATE", "CREATE", "INSERT", "COMMIT", "CREATE", "BEGIN",
                                                  "UPDATE", "COMMIT"]
    assert [s.revision for s in found] == [None, None, "a1", "a1", "a2", "a2", "a2", "a2", "a2"]
    table, index = found[2], found[5]
    assert table.text == """CREATE TABLE "Café" (id INTEGER, note TEXT DEFAULT 'déjà vu; really')"""
    assert table.in_transaction and not index.in_transaction  # autocommit_block: COMMIT ... BEGIN
    assert isinstance(index.node, pg.IndexStmt) and index.node.concurrent
    assert [s.bookkeeping for s in found] == [True, True, False, True, True, False, True, True, True]
    assert table.line == 9


def test_downgrade_comments_name_the_revision_undone() -> None:
    found = parse_statements("-- Running downgrade a2 -> a1\n\nALTER TABLE t DROP COLUMN c;\n")
    assert found[0].revision == "a2"


def test_text_that_does_not_parse_is_kept_with_the_parsers_message() -> None:
    found = parse_statements("CREATE TABLE t (id int);\nTHIS IS NOT SQL;\nDROP TABLE t;")
    assert [s.error is None for s in found] == [True, False, True]
    assert found[1].text == "THIS IS NOT SQL" and "syntax error" in (found[1].error or "")
    assert isinstance(found[2].node, pg.DropStmt)


@pytest.mark.parametrize(("wanted", "held", "waits"), [
    ("ACCESS EXCLUSIVE", "ACCESS SHARE", True),
    ("SHARE", "ROW EXCLUSIVE", True),
    ("SHARE", "ACCESS SHARE", False),
    ("SHARE UPDATE EXCLUSIVE", "ROW EXCLUSIVE", False),
    ("SHARE UPDATE EXCLUSIVE", "SHARE UPDATE EXCLUSIVE", True),
    ("SHARE ROW EXCLUSIVE", "ROW EXCLUSIVE", True),
    ("ROW EXCLUSIVE", "ACCESS SHARE", False),
])
def test_lock_conflicts_as_postgresql_documents_them(wanted: str, held: str, waits: bool) -> None:
    assert locks.conflicts(wanted, held) is waits
    assert locks.conflicts(held, wanted) is waits  # the table is symmetric


def test_lock_mode_names() -> None:
    assert locks.from_pg_locks("AccessExclusiveLock") == "ACCESS EXCLUSIVE"
    assert locks.from_pg_locks("ShareUpdateExclusiveLock") == "SHARE UPDATE EXCLUSIVE"
    assert locks.strongest("SHARE", None, "ROW EXCLUSIVE") == "SHARE"
    assert locks.blocks_traffic("SHARE") and not locks.blocks_traffic("SHARE UPDATE EXCLUSIVE")


def test_words() -> None:
    assert words.rows(2000) == "2,000 rows" and words.rows(1) == "1 row"
    assert words.rows(10_234_567, exact=False) == "~10.2M rows" and words.rows(None).startswith("row count unknown")
    assert words.ident("orders") == "orders" and words.ident("Order") == '"Order"' and words.ident("user") == '"user"'
    assert words.qualified("public", "orders") == "orders"
    assert words.qualified("billing", "Orders") == 'billing."Orders"'
    assert words.duration(135) == "2 min 15 s" and words.milliseconds(5000) == "5 s"


def _node(sql: str) -> pg.Node:
    return parse_sql(sql)[0].stmt


def test_concurrent_index_code_uses_alembics_operation_when_it_can() -> None:
    plain = fixes.create_index_concurrently(_node("CREATE UNIQUE INDEX ix_a ON billing.orders (a, b)"))
    assert plain == ('with op.get_context().autocommit_block():\n    op.create_index("ix_a", "orders", ["a", "b"], '
                     'unique=True, schema="billing", postgresql_concurrently=True)')
    partial = fixes.create_index_concurrently(_node("CREATE INDEX ix_b ON orders (lower(email)) WHERE active"))
    assert "CREATE INDEX CONCURRENTLY ix_b ON orders ((lower(email))) WHERE active" in partial
    for code in (plain, partial):
        ast.parse(code)


def test_not_valid_then_validate_is_the_users_statement_with_not_valid() -> None:
    node = _node("ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (customer_id) REFERENCES customers (id) "
                 "ON DELETE CASCADE")
    assert isinstance(node, pg.AlterTableStmt)
    code = fixes.not_valid_then_validate(node, node.cmds[0], "fk")
    assert "REFERENCES customers (id) ON DELETE CASCADE NOT VALID" in code
    assert "VALIDATE CONSTRAINT fk" in code and "autocommit_block" in code
    ast.parse(code)


def test_python_strings_for_sql_with_quotes() -> None:
    assert fixes.py("UPDATE t SET a = 'x'") == '"UPDATE t SET a = \'x\'"'
    assert fixes.py('ALTER TABLE "T" ADD x int') == "'ALTER TABLE \"T\" ADD x int'"
    ast.parse(fixes.execute("""ALTER TABLE "T" ALTER c SET DEFAULT 'a"b'"""))


def test_review_counts_worst_first() -> None:
    findings = (Finding("a", Severity.NOTICE, "n"), Finding("b", Severity.ERROR, "e"),
                Finding("c", Severity.NOTICE, "n"))
    review = Review((StatementReview(0, "x", "", None, False, findings=findings),), 5000)
    assert review.tally() == [(Severity.ERROR, 1), (Severity.NOTICE, 2)]
    assert review.statements[0].worst is Severity.ERROR
    assert Finding("require-concurrent-index-creation", Severity.WARNING, "").docs == \
        "https://squawkhq.com/docs/require-concurrent-index-creation"
    assert Finding("unique-over-duplicates", Severity.ERROR, "").docs is None


@pytest.mark.parametrize(("raw", "ms"), [("5s", 5000), ("1500ms", 1500), ("2", 2000), ("0", 0), ("1.5s", 1500),
                                         ("2min", 120_000), ("soon", None), ("-1", None)])
def test_durations(raw: str, ms: int | None) -> None:
    assert parse_duration_ms(raw) == ms


def test_migration_lock_timeout_setting(tmp_path: Path) -> None:
    base = {"PROJECT_DIR": str(tmp_path), "DATA_DIR": str(tmp_path)}
    assert Settings.from_env(base, parse_url=parse_database_url).migration_lock_timeout_ms == 5000
    off = Settings.from_env({**base, "MIGRATION_LOCK_TIMEOUT": "0"}, parse_url=parse_database_url)
    assert off.migration_lock_timeout_ms == 0
    with pytest.raises(ConfigError, match="MIGRATION_LOCK_TIMEOUT='later' must be a duration"):
        Settings.from_env({**base, "MIGRATION_LOCK_TIMEOUT": "later"}, parse_url=parse_database_url)


def test_the_run_environment_adds_lock_timeout_after_the_users_own_pgoptions(monkeypatch: pytest.MonkeyPatch,
                                                                              tmp_path: Path) -> None:
    monkeypatch.setenv("PGOPTIONS", "-c search_path=app")
    url = parse_database_url("postgresql://u@h/db")
    config = RunnerConfig(tmp_path / "alembic.ini", "alembic", tmp_path, url, python=None,  # type: ignore[arg-type]
                          lock_timeout_ms=5000)
    assert config.env()["PGOPTIONS"] == "-c search_path=app -c lock_timeout=5000"
    off = RunnerConfig(tmp_path / "alembic.ini", "alembic", tmp_path, url, python=None)  # type: ignore[arg-type]
    assert off.env()["PGOPTIONS"] == "-c search_path=app"


def test_a_lock_timeout_failure_is_read_back_from_the_output() -> None:
    output = """psycopg.errors.LockNotAvailable: canceling statement due to lock timeout
sqlalchemy.exc.OperationalError: (psycopg.errors.LockNotAvailable) canceling statement due to lock timeout
[SQL: ALTER TABLE orders ADD COLUMN note TEXT]
(Background on this error at: https://sqlalche.me/e/20/e3q8)"""
    assert is_lock_timeout(output) and not is_lock_timeout("division by zero")
    assert failing_sql(output) == "ALTER TABLE orders ADD COLUMN note TEXT"
    blocker = LockWait.of({"pid": 42, "application_name": "report", "user": "app", "state": "idle in transaction",
                           "seconds": 75.2, "query": "SELECT *\n  FROM orders"})
    assert blocker.describe() == ("pid 42 (application_name 'report', user app), idle in transaction for 1 min 15 s, "
                                  "last query: SELECT * FROM orders")
