"""The plan's review (issue 13, section 1): each statement of the pending SQL, parsed by PostgreSQL's parser,
with the lock it takes, the live size of its table, what today's data says and the safe way, next to it.

The `review` fixture project (tests/fixtures/alembic/review) has a base revision with data that trips the
checks (duplicate e-mails, NULL names, orphan orders, amounts that are not numbers, fractional quantities),
ten safe revisions written the careful way, and eighteen risky ones, one rule each.
"""

from __future__ import annotations

import ast
import re
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest
from mig_support import text_of, with_sql
from review_support import BASE, EXPECTED, LAST_SAFE, RISKY, SAFE, alembic, at_base, project_env, statements
from sqlalchemy import create_engine

from pgadmin_py.core.dburl import DatabaseUrl
from pgadmin_py.migrations.review.model import Severity
from pgadmin_py.migrations.review.reviewer import review_sql

PLAN = "/migrations/plan?action=upgrade&target=heads"

# live numbers each statement's notes must carry (the fixture's data: tests/fixtures/alembic/review/.../rv00.py)
NUMBERS: dict[str, list[str]] = {
    "rk01": ["SHARE on orders (3,000 rows", "Blocks writes to orders (3,000 rows"],
    "rk03": ["ACCESS EXCLUSIVE on orders (3,000 rows"],
    "rk04": ["Rewrites orders (3,000 rows", "under ACCESS EXCLUSIVE", "gen_random_uuid() is volatile"],
    "rk05": ["customers has 2,000 rows and the new NOT NULL column has no default"],
    "rk06": ["20 rows of customers have name NULL today", "Scans customers (2,000 rows"],
    "rk07": ["15 of the 3,000 non-null values of amount cannot become numeric(12, 2)", "'n/a'",
             'invalid input syntax for type numeric: "n/a"'],
    "rk08": ["2,250 of the 3,000 non-null values of quantity change (0.25 becomes 0)"],
    "rk09": ["20 rows of orders have a customer_id with no row in customers today",
             "SHARE ROW EXCLUSIVE on orders and customers"],
    "rk10": ["Scans customers (2,000 rows"],
    "rk11": ["100 values of email appear more than once in customers (200 rows)"],
    "rk12": ["Rewrites events_raw (250 rows"],
    "rk13": ["666 non-null values of legacy_note lost"],
    "rk14": ["300 rows lost: audit_log (300 rows"],
    "rk17": ["1,200 rows lost in sessions (400 rows), session_events (800 rows)"],
    "rk18": ["A later statement of the same transaction uses 'archived'"],
}
# the rows behind a data finding, one click away in the data browser
LINKS: dict[str, str] = {
    "rk06": "/tables/public/customers?name__isnull=",
    "rk07": "/tables/public/orders?amount__eq=n%2Fa",
    "rk09": "/tables/public/orders?customer_id__eq=10",
    "rk11": "/tables/public/customers?email__eq=u",
}
SAFE_CODE: dict[str, list[str]] = {
    "rk01": ["with op.get_context().autocommit_block():",
             'op.create_index("ix_orders_customer_id", "orders", ["customer_id"], postgresql_concurrently=True)'],
    "rk02": ["with op.get_context().autocommit_block():"],
    "rk03": ['op.drop_index("ix_orders_status", table_name="orders", postgresql_concurrently=True)'],
    "rk09": ["NOT VALID", "VALIDATE CONSTRAINT fk_orders_customer_id"],
    "rk11": ['unique=True, postgresql_concurrently=True', "UNIQUE USING INDEX uq_customers_email"],
    "rk18": ["with op.get_context().autocommit_block():", "ALTER TYPE order_state ADD VALUE 'archived'"],
}


@pytest.fixture
def review_client(empty_db: DatabaseUrl, tmp_path: Path) -> Any:
    from support.web import make_client

    at_base(empty_db)
    with make_client(project_env(empty_db, tmp_path)) as client:
        yield client


def findings_by_revision(page: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for stmt in statements(page):
        found.setdefault(stmt.revision, set()).update(stmt.rules)
    return {rev: rules for rev, rules in found.items() if rules}


def test_each_rule_reported_next_to_its_statement_with_live_numbers(review_client: Any) -> None:
    page = with_sql(review_client, PLAN, timeout=120)
    assert 'data-testid="review"' in page, text_of(page)[-2000:]
    assert findings_by_revision(page) == EXPECTED  # every risky rule, none on the ten safe revisions
    shown = {s.revision: [] for s in statements(page)}
    for stmt in statements(page):
        shown[stmt.revision].append(stmt)
    for rev, expected in NUMBERS.items():
        (stmt,) = [s for s in shown[rev] if s.rules]  # one reviewed statement per risky revision
        for words in expected:
            assert words in stmt.text, (rev, words, stmt.text)
    for rev, href in LINKS.items():
        (stmt,) = [s for s in shown[rev] if s.rules]
        assert f'href="{href}' in stmt.html.replace("&amp;", "&"), (rev, stmt.html)
    for rev, snippets in SAFE_CODE.items():
        (stmt,) = [s for s in shown[rev] if s.rules]
        code = "\n".join(re.findall(r'data-testid="finding-code">(.*?)</pre>', stmt.html, re.S))
        for snippet in snippets:
            assert snippet in code.replace("&#34;", '"').replace("&#39;", "'"), (rev, snippet, code)
    words = text_of(page)
    assert "lock_timeout = 5 s" in words  # the guard the run will use, shown on the plan


def test_safe_way_code_is_python_a_user_can_paste(review_client: Any) -> None:
    page = with_sql(review_client, PLAN, timeout=120)
    blocks = re.findall(r'data-testid="finding-code">(.*?)</pre>', page, re.S)
    assert len(blocks) >= 15
    for block in blocks:
        import html

        ast.parse(html.unescape(block))  # every block is valid Python (statements of an upgrade() body)


def test_safe_revisions_give_no_finding(review_client: Any) -> None:
    page = with_sql(review_client, f"/migrations/plan?action=upgrade&target={LAST_SAFE}", timeout=120)
    reviewed = statements(page)
    assert {s.revision for s in reviewed} >= set(SAFE)
    assert [s.rules for s in reviewed if s.rules] == []
    assert 'data-testid="review-clean"' in page
    # and their impact is still said: the lock and the live numbers, metadata only
    alter = next(s for s in reviewed if s.revision == "sf03")
    assert "ACCESS EXCLUSIVE on orders (3,000 rows" in alter.text and "metadata only" in alter.text


def test_demo_revisions_give_no_false_finding(client: Any, empty_db: DatabaseUrl, tmp_path: Path) -> None:
    from support.web import demo_env, make_client

    # the seeded demo: two pending revisions; a nullable column (no finding) and a plain CREATE INDEX on payments,
    # a true finding (squawk's require-concurrent-index-creation), a note at this size
    page = with_sql(client, PLAN, timeout=120)
    found = [(s.revision, s.rules) for s in statements(page) if s.rules]
    assert found == [("b93e1f7c5a20", ["require-concurrent-index-creation"])]
    assert 'data-severity="notice"' in page and "At this size it takes a moment" in text_of(page)
    # the whole history from base on an empty database: every table is created by the plan itself
    (tmp_path / "fresh").mkdir()
    with make_client(demo_env(empty_db, tmp_path / "fresh")) as fresh:
        page = with_sql(fresh, PLAN, timeout=120)
        assert len(statements(page)) > 20
        assert [s.rules for s in statements(page) if s.rules] == []


def test_missing_lock_timeout_is_a_finding_when_the_guard_is_off(empty_db: DatabaseUrl, tmp_path: Path) -> None:
    from support.web import make_client

    at_base(empty_db)
    with make_client(project_env(empty_db, tmp_path, MIGRATION_LOCK_TIMEOUT="0")) as client:
        page = with_sql(client, "/migrations/plan?action=upgrade&target=sf01", timeout=120)
        (stmt,) = [s for s in statements(page) if s.rules]
        assert stmt.rules == ["require-lock-timeout"] and "ALTER TABLE orders ADD COLUMN note" in stmt.sql
        assert "Waits for ACCESS EXCLUSIVE on orders with no lock_timeout" in stmt.text
        assert "without a lock_timeout" in text_of(page)


def test_sessions_in_the_way_are_named_next_to_the_statement(review_client: Any, empty_db: DatabaseUrl) -> None:
    with psycopg.connect(empty_db.libpq(), application_name="nightly-report") as blocker:
        blocker.execute("select count(*) from orders")  # idle in transaction, holding ACCESS SHARE on orders
        page = with_sql(review_client, "/migrations/plan?action=upgrade&target=sf01", timeout=120)
        (stmt,) = [s for s in statements(page) if "ADD COLUMN note" in s.sql]
        pid = blocker.info.backend_pid
        assert 'data-testid="in-the-way"' in stmt.html
        assert f"pid {pid}" in stmt.text and "nightly-report" in stmt.text and "idle in transaction" in stmt.text
        assert "holds ACCESS SHARE on orders" in stmt.text


def test_review_is_cached_and_the_second_view_is_fast(review_client: Any) -> None:
    with_sql(review_client, PLAN, timeout=120)
    response = review_client.get(PLAN)
    assert 'data-testid="review"' in response.text  # the full page has the review at once: nothing to poll
    assert 'hx-get="/migrations/plan' not in response.text


def test_what_the_review_says_is_what_postgresql_does(empty_db: DatabaseUrl) -> None:
    """An oracle: each risky revision's statements run (and are rolled back) on the database the review looked
    at. A revision the review says fails, fails; one it says rewrites a table changes its relfilenode; the
    others succeed without a rewrite."""
    at_base(empty_db, LAST_SAFE)
    sql = alembic(empty_db, "upgrade", f"{LAST_SAFE}:heads", "--sql")
    engine = create_engine(empty_db.sqlalchemy())
    try:
        review = review_sql(engine, sql, lock_timeout_ms=5000)
    finally:
        engine.dispose()
    by_revision: dict[str, list[Any]] = {}
    for stmt in review.statements:
        if not stmt.bookkeeping and stmt.revision in RISKY:
            by_revision.setdefault(stmt.revision, []).append(stmt)
    assert set(by_revision) == set(RISKY)
    for rev, stmts in by_revision.items():
        fails = any(f.severity is Severity.ERROR for s in stmts for f in s.findings)
        rewrites = {lock.table for s in stmts for lock in s.locks if "rewrites the table" in s.impact}
        rewrites |= {lock.table for s in stmts for lock in s.locks if s.sql.upper().startswith("TRUNCATE")}
        with psycopg.connect(empty_db.libpq(), autocommit=True) as conn:
            before = dict(conn.execute("select relname::text, relfilenode::int8 from pg_class where relkind = 'r'"))
            conn.execute("begin")
            error = None
            try:
                for stmt in stmts:
                    conn.execute(stmt.sql)
                after = dict(conn.execute("select relname::text, relfilenode::int8 from pg_class where relkind = 'r'"))
            except psycopg.Error as exc:
                error, after = exc, before
            finally:
                conn.execute("rollback")
        assert (error is not None) == fails, (rev, error, [f.rule for s in stmts for f in s.findings])
        if not fails:
            rewritten = {name for name, node in before.items() if name in after and after[name] != node}
            assert rewritten == rewrites, (rev, rewritten, rewrites)
    assert BASE  # the base revision's data is what every number above was computed from


def _review_of(url: DatabaseUrl, start: str, end: str, **options: Any) -> Any:
    sql = alembic(url, "upgrade", f"{start}:{end}", "--sql")
    engine = create_engine(url.sqlalchemy())
    try:
        return review_sql(engine, sql, lock_timeout_ms=5000, **options)
    finally:
        engine.dispose()


def test_a_check_that_cannot_finish_says_so(empty_db: DatabaseUrl) -> None:
    at_base(empty_db, LAST_SAFE)  # the risky revisions cannot run online: they are reviewed from here
    review = _review_of(empty_db, LAST_SAFE, "rk07", check_timeout_ms=1)  # 3,000 casts, one subtransaction each
    (stmt,) = [s for s in review.statements if s.revision == "rk07" and not s.bookkeeping]
    assert "Conversion check could not finish within 0.001 s." in stmt.impact
    assert [f.rule for f in stmt.findings] == ["changing-column-type"]  # the lock finding stands without the data


def test_a_table_locked_by_another_session_is_reviewed_without_waiting(empty_db: DatabaseUrl) -> None:
    at_base(empty_db, LAST_SAFE)
    sql = alembic(empty_db, "upgrade", f"{LAST_SAFE}:rk06", "--sql")
    engine = create_engine(empty_db.sqlalchemy())
    with psycopg.connect(empty_db.libpq()) as holder:
        holder.execute("lock table customers in access exclusive mode")  # e.g. somebody else's migration
        started = time.monotonic()
        try:
            review = review_sql(engine, sql, lock_timeout_ms=5000)
        finally:
            engine.dispose()
        took = time.monotonic() - started
    (stmt,) = [s for s in review.statements if s.revision == "rk06" and not s.bookkeeping]
    assert "NULL check another session holds an exclusive lock on the table, so it could not be read now." \
        in stmt.impact
    assert "adding-not-nullable-field" in [f.rule for f in stmt.findings] and not review.problems
    assert took < 10, took  # each read gives up after the review's 1 s lock_timeout
