"""The SQL console on a real PostgreSQL: safety (read-only, confirmation, timeout, cancel), results,
EXPLAIN, errors with positions, history, saved queries, CSV and CSRF."""

from __future__ import annotations

import html
import re
import threading
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest

from pgadmin_py.core.dburl import DatabaseUrl
from support.web import csrf_token, demo_env, make_client

HX = {"hx-request": "true", "hx-target": "results"}


def count(url: DatabaseUrl, table: str) -> int:
    with psycopg.connect(url.libpq()) as conn:
        row = conn.execute(f"select count(*) from {table}").fetchone()
    assert row is not None
    return int(row[0])


def run(client: Any, sql: str, *, token: str, action: str = "run", htmx: bool = True, **fields: str) -> Any:
    headers = {"x-csrftoken": token, **(HX if htmx else {})}
    return client.post("/sql/run", data={"sql": sql, "action": action, **fields}, headers=headers)


@pytest.fixture
def token(client: Any) -> str:
    return csrf_token(client, "/sql")


def test_editor_page_renders_with_shared_query(client: Any) -> None:
    response = client.get("/sql", params={"q": "select 42 as answer"})
    assert response.status_code == 200
    assert "select 42 as answer</textarea>" in response.text
    assert 'name="allow_writes"' in response.text


def test_a_write_is_refused_by_default(client: Any, token: str, demo_db: DatabaseUrl) -> None:
    before = count(demo_db, "payments")
    response = run(client, "delete from payments", token=token)
    assert response.status_code == 200
    assert "REFUSED" in response.text and "DELETE changes data." in response.text
    assert "Allow writes" in response.text
    assert count(demo_db, "payments") == before > 0


def test_allow_writes_commits_only_on_confirm(client: Any, token: str, demo_db: DatabaseUrl) -> None:
    before = count(demo_db, "payments")
    sql = "delete from payments where status = 'failed';\nselect count(*) from payments"
    first = run(client, sql, token=token, allow_writes="1")
    assert 'data-testid="confirm-writes"' in first.text
    assert "Nothing has run yet" in first.text
    assert count(demo_db, "payments") == before
    confirm = re.search(r'name="confirm" value="([0-9a-f]+)"', first.text)
    assert confirm
    wrong = run(client, sql + " ", token=token, allow_writes="1", confirm=confirm.group(1))
    assert 'data-testid="confirm-writes"' in wrong.text  # a confirmation binds to the exact text
    second = run(client, sql, token=token, allow_writes="1", confirm=confirm.group(1))
    assert "badge-success\">committed" in second.text
    assert count(demo_db, "payments") < before


def test_a_failing_statement_rolls_back_the_whole_confirmed_batch(client: Any, token: str,
                                                                  demo_db: DatabaseUrl) -> None:
    before = count(demo_db, "tags")
    sql = "delete from client_tags; delete from tags; select 1/0"
    first = run(client, sql, token=token, allow_writes="1")
    confirm = re.search(r'name="confirm" value="([0-9a-f]+)"', first.text)
    assert confirm
    second = run(client, sql, token=token, allow_writes="1", confirm=confirm.group(1))
    assert "rolled back" in second.text and "division by zero" in second.text
    assert count(demo_db, "tags") == before


def test_a_volatile_function_asks_for_confirmation(client: Any, token: str, demo_db: DatabaseUrl) -> None:
    with psycopg.connect(demo_db.libpq()) as conn:
        conn.execute("create function purge_tags() returns int language sql as "
                     "'delete from client_tags; delete from tags returning 1'")
    before = count(demo_db, "tags")
    response = run(client, "select purge_tags()", token=token, allow_writes="1")
    assert 'data-testid="confirm-writes"' in response.text and "Nothing has run yet" in response.text
    assert "purge_tags() is VOLATILE" in response.text
    assert count(demo_db, "tags") == before
    read_only = run(client, "select purge_tags()", token=token)
    assert "REFUSED" in read_only.text and "purge_tags() is VOLATILE" in read_only.text
    assert count(demo_db, "tags") == before


def test_a_batch_that_wrote_unseen_is_rolled_back_and_sent_to_confirmation(client: Any, token: str) -> None:
    """The backstop behind the guard: txid_current() is STABLE, yet it makes the transaction take an id."""
    response = run(client, "select txid_current()", token=token, allow_writes="1")
    assert "This batch wrote to the database" in response.text


def test_transaction_control_cannot_escape_the_console_transaction(client: Any, token: str,
                                                                   demo_db: DatabaseUrl) -> None:
    before = count(demo_db, "payments")
    for sql in ("commit; delete from payments", "set transaction read write; delete from payments",
                "rollback; delete from payments", "set statement_timeout = 0; select 1"):
        response = run(client, sql, token=token)
        assert "REFUSED" in response.text, sql
    assert count(demo_db, "payments") == before


def _in_background(call: Any) -> tuple[threading.Event, dict[str, Any]]:
    """Run ``call()`` in a thread; the event is set when it has answered."""
    answered, outcome = threading.Event(), {}

    def worker() -> None:
        outcome["response"] = call()
        answered.set()

    threading.Thread(target=worker, daemon=True).start()
    return answered, outcome


def _running(url: DatabaseUrl) -> bool:
    """A console query is running on the server now (its sessions carry their own application_name)."""
    with psycopg.connect(url.libpq(), autocommit=True) as conn:
        row = conn.execute("select count(*) from pg_stat_activity where state = 'active' "
                           "and application_name = 'pgadmin-py console'").fetchone()
    return bool(row and row[0])


def test_timeout_fires_and_says_so(demo_db: DatabaseUrl, tmp_path: Path) -> None:
    with make_client(demo_env(demo_db, tmp_path, STATEMENT_TIMEOUT_MS="400")) as client:
        token = csrf_token(client, "/sql")
        answered, outcome = _in_background(lambda: run(client, "select pg_sleep(120)", token=token))
        assert answered.wait(60), "the statement timeout did not end a two-minute query"  # a hang guard
        response = outcome["response"]
        assert "TIMEOUT" in response.text
        assert "limit of 0.4 s" in response.text and "statement timeout" in response.text
        assert not _running(demo_db)


def test_cancel_stops_a_running_query(client: Any, token: str, demo_db: DatabaseUrl) -> None:
    answered, outcome = _in_background(
        lambda: run(client, "select pg_sleep(120)", token=token, run_id="run-abc123"))
    deadline = time.monotonic() + 60  # a hang guard: the query shows up at once
    while not _running(demo_db):
        assert time.monotonic() < deadline, "the query never started"
        time.sleep(0.05)
    cancelled = client.post("/sql/cancel", data={"run_id": "run-abc123"},
                            headers={"x-csrftoken": token, "hx-request": "true"})
    assert "Cancelling" in cancelled.text
    assert answered.wait(60), "the cancelled two-minute query did not end"
    assert "You cancelled the query." in outcome["response"].text
    assert not _running(demo_db)
    unknown = client.post("/sql/cancel", data={"run_id": "nope"}, headers={"x-csrftoken": token, "hx-request": "true"})
    assert "No query of this page is running" in unknown.text


def test_several_statements_give_several_result_sets(client: Any, token: str, demo_db: DatabaseUrl) -> None:
    with psycopg.connect(demo_db.libpq()) as conn:
        conn.execute("create function hello() returns int stable language plpgsql as "
                     "$$ begin raise notice 'hello from plpgsql'; return 1; end $$")
    sql = ("select id, full_name from clients order by id limit 3;\n"
           "select null::int as nothing, 'x' as text_value;\n"
           "select hello();\n"
           "select count(*) from operations")
    response = run(client, sql, token=token)
    text = response.text
    assert text.count('data-testid="result-set"') == 4
    assert "3 rows" in text and "character varying" in text and "integer" in text
    assert '<span class="null">NULL</span>' in text
    assert "hello from plpgsql" in text and "NOTICE" in text
    assert ">5000<" in text
    assert re.search(r'data-testid="duration">[\d.]+ ms', text)


def test_selection_runs_only_the_selected_text(client: Any, token: str) -> None:
    sql = "select 'first' as a;\nselect 'second' as b;"
    start = sql.index("select 'second'")
    response = run(client, sql, token=token, sel_start=str(start), sel_end=str(len(sql)))
    assert response.text.count('data-testid="result-set"') == 1
    assert ">second<" in response.text and ">first<" not in response.text


def test_errors_show_the_position_in_the_editor_text(client: Any, token: str) -> None:
    sql = "select 1;\nselect id,\n       nope_column\nfrom clients"
    response = run(client, sql, token=token)
    assert 'column "nope_column" does not exist' in html.unescape(response.text)
    assert "at line 3, column 8" in response.text
    caret = re.search(r'data-testid="error-caret">(.*?)</pre>', response.text, re.S)
    assert caret
    lines = re.sub(r"<[^>]+>", "", caret.group(1)).splitlines()
    assert lines[0].endswith("       nope_column")
    assert lines[1].index("^") == lines[0].index("nope_column")
    offset = re.search(r'data-error-offset="(\d+)"', response.text)
    assert offset and sql[int(offset.group(1)):].startswith("nope_column")


def test_row_cap_pages_and_csv(client: Any, token: str) -> None:
    response = run(client, "select g as n, case when g % 2 = 0 then null else 'odd' end as parity "
                           "from generate_series(1, 10050) g", token=token)
    assert "10,000+ rows" in response.text and "Only the first 10,000 rows" in response.text
    assert "page 1 / 100" in response.text
    link = re.search(r'hx-get="(/sql/results/[0-9a-f]+/0\?page=2)"', response.text)
    assert link
    page2 = client.get(link.group(1), headers={"hx-request": "true"})
    assert "page 2 / 100" in page2.text and ">101<" in page2.text
    full = client.get(link.group(1))
    assert "<html" in full.text and "page 2 / 100" in full.text
    csv_link = re.search(r'href="(/sql/results/[0-9a-f]+/0/csv)"', response.text)
    assert csv_link
    csv = client.get(csv_link.group(1))
    assert csv.headers["content-type"].startswith("text/csv")
    rows = csv.text.splitlines()
    assert rows[0] == "n,parity" and rows[1] == "1,odd" and rows[2] == "2," and len(rows) == 10_001
    expired = client.get("/sql/results/deadbeef/0")
    assert expired.status_code == 404


def test_explain_shows_a_plan_tree_and_the_text_plan(client: Any, token: str) -> None:
    sql = "select * from operations o join accounts a on a.id = o.account_id where o.quantity > 10"
    plain = run(client, sql, token=token, action="explain")
    assert 'data-testid="plan-tree"' in plain.text and "Hash Join" in plain.text
    assert "% of cost" in plain.text and "plan only" in plain.text
    analyzed = run(client, sql, token=token, action="analyze")
    assert "actual" in analyzed.text and "% of time" in analyzed.text and "buffers" in analyzed.text
    assert "(actual time=" in analyzed.text  # PostgreSQL's own text plan
    assert 'data-testid="plan-hot"' in analyzed.text


def test_explain_analyze_of_a_delete_leaves_the_rows(client: Any, token: str, demo_db: DatabaseUrl) -> None:
    before = count(demo_db, "operations")
    sql = "delete from operations where quantity > 0"
    refused = run(client, sql, token=token, action="analyze")
    assert "REFUSED" in refused.text and "DELETE changes data." in refused.text
    ask = run(client, sql, token=token, action="analyze", allow_writes="1")
    confirm = re.search(r'name="confirm" value="([0-9a-f]+)"', ask.text)
    assert confirm and "Run EXPLAIN ANALYZE" in ask.text
    response = run(client, sql, token=token, action="analyze", allow_writes="1", confirm=confirm.group(1))
    assert "Delete on operations" in response.text and "rolled back" in response.text
    assert count(demo_db, "operations") == before
    plain = run(client, sql, token=token, action="explain")  # a plan only: nothing runs, no confirmation
    assert "Delete on operations" in plain.text and "plan only" in plain.text


def test_misestimates_are_highlighted(client: Any, token: str, demo_db: DatabaseUrl) -> None:
    with psycopg.connect(demo_db.libpq()) as conn:
        conn.execute("create table skew as select g as v from generate_series(1, 20000) g")
        conn.execute("analyze skew")
        conn.execute("update skew set v = 7 where v < 15000")  # stale stats: the planner expects 1 row
    response = run(client, "select * from skew where v = 7", token=token, action="analyze")
    assert 'data-testid="plan-misestimate"' in response.text and "underestimated" in response.text


def test_history_persists_across_app_instances(demo_db: DatabaseUrl, tmp_path: Path) -> None:
    env = demo_env(demo_db, tmp_path)
    with make_client(env) as first:
        token = csrf_token(first, "/sql")
        run(first, "select 'remember me' as note", token=token)
    with make_client(env) as second:
        page = second.get("/sql")
        assert "select &#39;remember me&#39; as note" in page.text
        entry = re.search(r'href="(/sql/history/\d+)"', page.text)
        assert entry
        opened = second.get(entry.group(1))
        assert "select &#39;remember me&#39; as note</textarea>" in opened.text
        found = second.get("/sql", params={"search": "remember"},
                           headers={"hx-request": "true", "hx-target": "library"})
        assert "remember me" in found.text and "<html" not in found.text
        missing = second.get("/sql", params={"search": "no such query"})
        assert "remember me" not in missing.text.split('id="library"')[1]
    assert (tmp_path / "console.sqlite3").is_file()


def test_saved_queries_have_their_own_url(client: Any, token: str) -> None:
    response = client.post("/sql/saved",
                           data={"name": "big payments", "sql": "select * from payments\r\nwhere amount > 1000"},
                           headers={"x-csrftoken": token, "hx-request": "true"})
    assert response.status_code == 200 and "big payments" in response.text
    link = re.search(r'href="(/sql/saved/(\d+))"', response.text)
    assert link
    opened = client.get(link.group(1))
    assert "select * from payments\nwhere amount &gt; 1000</textarea>" in opened.text
    assert "Saved query <strong>big payments</strong>" in opened.text
    plain = client.post("/sql/saved", data={"name": "plain", "sql": "select 1", "_csrf_token": token},
                        follow_redirects=False)
    assert plain.status_code in (302, 303) and plain.headers["location"].startswith("/sql/saved/")
    deleted = client.post(f"/sql/saved/{link.group(2)}/delete", headers={"x-csrftoken": token, "hx-request": "true"})
    assert "big payments" not in deleted.text
    assert client.get(link.group(1)).status_code == 404


def test_posts_require_the_csrf_token(client: Any) -> None:
    for path, data in (("/sql/run", {"sql": "select 1"}), ("/sql/cancel", {"run_id": "x"}),
                       ("/sql/saved", {"name": "n", "sql": "select 1"})):
        response = client.post(path, data=data)
        assert response.status_code == 403, path


def test_plain_form_post_renders_the_whole_page(client: Any, token: str) -> None:
    response = client.post("/sql/run", data={"sql": "select 7 as seven", "action": "run", "_csrf_token": token})
    assert response.status_code == 200
    assert "<html" in response.text and ">7<" in response.text and "select 7 as seven</textarea>" in response.text


class TestReadOnlyMode:
    @pytest.fixture
    def ro_client(self, demo_db: DatabaseUrl, tmp_path: Path) -> Any:
        with make_client(demo_env(demo_db, tmp_path, READ_ONLY="1")) as client:
            yield client

    def test_no_allow_writes_toggle_and_reads_work(self, ro_client: Any) -> None:
        page = ro_client.get("/sql")
        assert 'name="allow_writes"' not in page.text and "read-only mode" in page.text
        token = csrf_token(ro_client, "/sql")
        response = run(ro_client, "select count(*) from clients; show default_transaction_read_only", token=token)
        assert ">300<" in response.text and ">on<" in response.text

    def test_allow_writes_is_refused_server_side(self, ro_client: Any, demo_db: DatabaseUrl) -> None:
        token = csrf_token(ro_client, "/sql")
        before = count(demo_db, "payments")
        response = run(ro_client, "delete from payments", token=token, allow_writes="1", confirm="x")
        assert response.status_code == 403
        assert count(demo_db, "payments") == before

    def test_writes_never_run(self, ro_client: Any, demo_db: DatabaseUrl) -> None:
        token = csrf_token(ro_client, "/sql")
        before = count(demo_db, "payments")
        for sql in ("delete from payments", "with d as (delete from payments returning 1) select count(*) from d",
                    "set transaction read write; delete from payments", "commit; delete from payments",
                    "select set_config('transaction_read_only', 'off', true); delete from payments",
                    "create table evil (id int)"):
            response = run(ro_client, sql, token=token)
            assert "read-only transaction" in response.text or "REFUSED" in response.text or \
                "transaction_read_only" in response.text, sql
        analyze = run(ro_client, "delete from payments", token=token, action="analyze")
        assert "REFUSED" in analyze.text and "runs read-only" in analyze.text
        assert count(demo_db, "payments") == before

    def test_saving_queries_still_works(self, ro_client: Any) -> None:
        token = csrf_token(ro_client, "/sql")
        response = ro_client.post("/sql/saved", data={"name": "ro", "sql": "select 1"},
                                  headers={"x-csrftoken": token, "hx-request": "true"})
        assert response.status_code == 200 and ">ro<" in response.text


def test_boosted_navigation_gets_a_full_page_load(client: Any) -> None:
    response = client.get("/sql?q=select+1", headers={"hx-request": "true", "hx-boosted": "true"})
    assert response.headers["hx-redirect"] == "/sql?q=select+1"


def test_nothing_to_run(client: Any, token: str) -> None:
    response = run(client, "  -- just a comment\n;", token=token)
    assert "There is no SQL to run." in response.text
