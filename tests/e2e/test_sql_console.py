"""E2E: the SQL console in Chromium, clicked and typed through as a user would."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from pgadmin_py.core.dburl import DatabaseUrl
from support.web import demo_env

EXTRA_SHOTS = Path("/tmp/shots")
SIZES = {"desktop": (1280, 800), "tablet": (820, 1180)}


def snap(page: Page, shots: Path, name: str) -> None:
    """Screenshots of the current state at desktop and tablet size, dark and light."""
    EXTRA_SHOTS.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        for theme in ("dark", "light"):
            page.evaluate("t => document.documentElement.setAttribute('data-theme', t)", theme)
            page.wait_for_timeout(250)  # let colour transitions finish
            path = shots / f"sql-{name}-{size}-{theme}.png"
            page.screenshot(path=str(path), full_page=True)
            shutil.copy(path, EXTRA_SHOTS / path.name)
    page.evaluate("() => document.documentElement.setAttribute('data-theme', 'dark')")
    if original:
        page.set_viewport_size(original)


def editor(page: Page) -> Any:
    """The form's textarea: the editor (CodeMirror) keeps it up to date, and it is what the form posts."""
    return page.locator("#sql-editor")


def fill(page: Page, text: str) -> None:
    """Replace the editor's text as a paste would: click into it, select all, insert."""
    page.locator(".CodeMirror").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(text)


def keys(page: Page, combo: str) -> None:
    """Press keys in the editor, its cursor where it was (Control+Enter runs the statement under it)."""
    page.evaluate("() => document.querySelector('.CodeMirror').CodeMirror.focus()")
    page.keyboard.press(combo)


def selected(page: Page, length: int) -> str:
    """``length`` characters of the editor's text from the start of its selection."""
    return str(page.evaluate("n => { const cm = document.querySelector('.CodeMirror').CodeMirror; "
                             "const i = cm.indexFromPos(cm.getCursor('from')); return cm.getValue().slice(i, i + n); }",
                             length))


def test_type_a_query_and_run_it_with_the_keyboard(page: Page, live_server: Any, shots: Path) -> None:
    page.goto(live_server.url)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="SQL").click()
    expect(page.get_by_role("heading", name="SQL console")).to_be_visible()
    snap(page, shots, "empty")
    page.locator(".CodeMirror").click()
    page.keyboard.type("select id, full_name, birth_date from clients order by id;\nselect null as nothing, 1/1 as one")
    page.keyboard.press("Control+Shift+Enter")  # everything (Control+Enter: the statement under the cursor)
    sets = page.get_by_test_id("result-set")
    expect(sets).to_have_count(2)
    expect(sets.first.get_by_test_id("row-count")).to_have_text("300 rows")
    expect(sets.first.locator("th").nth(1)).to_contain_text("integer")
    expect(sets.nth(1).locator(".null")).to_have_text("NULL")
    expect(page.get_by_text("page 1 / 3")).to_be_visible()
    snap(page, shots, "results")
    sets.first.get_by_role("link", name="Next →").click()
    expect(page.get_by_text("page 2 / 3")).to_be_visible()
    expect(sets.first.locator("tbody tr").first.locator("td").first).to_have_text("101")

    # select only the second statement and run it
    page.evaluate("() => { const cm = document.querySelector('.CodeMirror').CodeMirror; const v = cm.getValue(); "
                  "cm.focus(); cm.setSelection(cm.posFromIndex(v.indexOf('select null')), "
                  "cm.posFromIndex(v.length)); }")
    expect(page.locator("button[data-run]")).to_contain_text("Run selection")
    snap(page, shots, "selection")
    page.keyboard.press("Control+Enter")
    expect(page.get_by_test_id("result-set")).to_have_count(1)
    expect(page.get_by_test_id("result-set").locator(".null")).to_be_visible()


def test_error_points_at_the_position(page: Page, live_server: Any, shots: Path) -> None:
    page.goto(f"{live_server.url}/sql")
    fill(page, "select id,\n       nope\nfrom clients")
    keys(page, "Control+Enter")
    error = page.get_by_test_id("sql-error")
    expect(error).to_contain_text('column "nope" does not exist')
    expect(error).to_contain_text("at line 2, column 8")
    expect(page.get_by_test_id("error-caret")).to_contain_text("^")
    snap(page, shots, "error")
    error.get_by_role("button", name="Show in editor").click()
    assert selected(page, 4) == "nope"


def test_explain_analyze_shows_the_plan_tree(page: Page, live_server: Any, shots: Path) -> None:
    page.goto(f"{live_server.url}/sql")
    fill(page, "select * from operations o join accounts a on a.id = o.account_id where o.quantity > 50")
    page.get_by_role("button", name="Explain", exact=True).click()
    expect(page.get_by_test_id("plan-tree")).to_be_visible()
    expect(page.get_by_text("plan only, nothing ran")).to_be_visible()
    page.get_by_role("button", name="Explain analyze").click()
    expect(page.get_by_text("ran inside a transaction that was rolled back")).to_be_visible()
    nodes = page.get_by_test_id("plan-node")
    expect(nodes.first).to_contain_text("Hash Join")
    expect(page.get_by_test_id("plan-hot").first).to_contain_text("% of time")
    snap(page, shots, "explain")
    page.get_by_text("Text plan").click()
    expect(page.get_by_test_id("plan-text")).to_contain_text("actual time=")
    fill(page, "select * from generate_series(1, 50000) g where g % 2 = 0")
    page.get_by_role("button", name="Explain analyze").click()
    expect(page.get_by_test_id("plan-misestimate").first).to_contain_text("underestimated")
    snap(page, shots, "explain-misestimate")


def test_writes_need_the_toggle_and_a_confirmation(page: Page, live_server: Any, shots: Path) -> None:
    page.goto(f"{live_server.url}/sql")
    fill(page, "delete from payments where status = 'failed'")
    keys(page, "Control+Enter")
    expect(page.get_by_test_id("sql-error")).to_contain_text("DELETE changes data.")
    page.get_by_label("Allow writes").check()
    keys(page, "Control+Enter")
    confirm = page.get_by_test_id("confirm-writes")
    expect(confirm).to_contain_text("Nothing has run yet")
    snap(page, shots, "confirm")
    confirm.get_by_role("button", name="Run and commit").click()
    expect(page.get_by_test_id("batch-summary")).to_contain_text("committed")
    fill(page, "select count(*) from payments where status = 'failed'")
    page.get_by_label("Allow writes").uncheck()
    keys(page, "Control+Enter")
    expect(page.get_by_test_id("result-set").locator("tbody td").nth(1)).to_have_text("0")


def test_cancel_a_running_query(page: Page, live_server: Any, shots: Path) -> None:
    page.goto(f"{live_server.url}/sql")
    fill(page, "select pg_sleep(25)")
    keys(page, "Control+Enter")
    cancel = page.get_by_role("button", name="Cancel query")
    expect(cancel).to_be_visible()
    snap(page, shots, "running")
    cancel.click()
    expect(page.get_by_test_id("sql-error")).to_contain_text("You cancelled the query.", timeout=10_000)
    expect(cancel).to_be_hidden()


def test_history_survives_a_reload_and_loads_in_one_click(page: Page, live_server: Any, shots: Path) -> None:
    page.goto(f"{live_server.url}/sql")
    fill(page, "select 'from history' as origin")
    keys(page, "Control+Enter")
    expect(page.get_by_test_id("result-set")).to_contain_text("from history")
    expect(page.get_by_test_id("history-list")).to_contain_text("select 'from history' as origin")
    page.reload()
    expect(editor(page)).to_have_value("")
    history = page.get_by_test_id("history-list")
    expect(history).to_contain_text("select 'from history' as origin")
    page.get_by_placeholder("Search history…").fill("nothing like this")
    expect(page.get_by_text("Nothing matches")).to_be_visible()
    page.get_by_placeholder("Search history…").fill("from history")
    expect(history.get_by_role("link")).to_have_count(1)
    snap(page, shots, "history")
    history.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/sql/history/\d+$"))
    expect(editor(page)).to_have_value("select 'from history' as origin")
    expect(page.get_by_test_id("loaded-from")).to_contain_text("From history")


def test_shared_and_saved_urls_open_the_query(page: Page, live_server: Any, shots: Path) -> None:
    sql = "select count(*) as n\nfrom operations"
    page.goto(f"{live_server.url}/sql?q={quote(sql)}")
    expect(editor(page)).to_have_value(sql)
    keys(page, "Control+Enter")
    expect(page.get_by_test_id("result-set")).to_contain_text("5000")
    share = page.get_by_role("link", name="Link to this query")
    href = share.get_attribute("href")
    assert href and href.startswith("/sql?q=")
    page.get_by_placeholder("Name…").fill("operation count")
    page.get_by_role("button", name="Save", exact=True).click()
    saved = page.get_by_test_id("saved-list")
    expect(saved).to_contain_text("operation count")
    expect(page.get_by_placeholder("Name…")).to_have_value("")
    snap(page, shots, "saved")
    page.goto(live_server.url + href)
    expect(editor(page)).to_have_value(sql)
    page.goto(f"{live_server.url}/sql")
    page.get_by_test_id("saved-list").get_by_role("link", name=re.compile("operation count")).click()
    expect(page).to_have_url(re.compile(r"/sql/saved/\d+$"))
    expect(editor(page)).to_have_value(sql)


@pytest.fixture
def read_only_url(demo_db: DatabaseUrl, tmp_path: Path) -> Iterator[str]:
    """The real app in READ_ONLY mode, as a child process."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    env = {**os.environ, **demo_env(demo_db, tmp_path, READ_ONLY="1"), "HOST": "127.0.0.1", "PORT": str(port)}
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "pgadmin_py", "serve"], env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(10)
        log.close()


def test_read_only_mode_has_no_write_toggle(page: Page, read_only_url: str, shots: Path) -> None:
    page.goto(f"{read_only_url}/sql")
    expect(page.get_by_label("Allow writes")).to_have_count(0)
    fill(page, "delete from payments;\nselect 1")
    keys(page, "Control+Shift+Enter")
    expect(page.get_by_test_id("sql-error")).to_contain_text("DELETE changes data.")
    expect(page.get_by_test_id("sql-error")).to_contain_text("runs read-only")
    snap(page, shots, "read-only")
    fill(page, "select 1 as fine;\ncopy (select 1) to program 'touch /tmp/pgadmin-e2e-never'")
    keys(page, "Control+Shift+Enter")
    error = page.get_by_test_id("sql-error")
    expect(error).to_contain_text("COPY TO PROGRAM runs a command on the server")
    expect(error).to_contain_text("at line 2, column 1")
    expect(page.get_by_test_id("result-set")).to_have_count(0)  # nothing of the batch ran
    snap(page, shots, "refused-read-only")


def test_a_hostile_statement_is_refused_with_its_reason(page: Page, live_server: Any, shots: Path) -> None:
    page.goto(f"{live_server.url}/sql")
    fill(page, "select count(*) from clients;\n"
                      "select pg_terminate_backend(pid)\n  from pg_stat_activity\n where datname = current_database()")
    keys(page, "Control+Shift+Enter")
    error = page.get_by_test_id("sql-error")
    expect(error).to_contain_text("REFUSED")
    expect(error).to_contain_text("pg_terminate_backend() is VOLATILE")
    expect(error).to_contain_text("Allow writes")
    expect(error).to_contain_text("at line 2, column 8")
    expect(page.get_by_test_id("result-set")).to_have_count(0)
    snap(page, shots, "refused")
    error.get_by_role("button", name="Show in editor").click()
    assert selected(page, 20) == "pg_terminate_backend"

    # Explain analyze follows the same rules, and with "allow writes" asks first
    fill(page, "select nextval('payments_id_seq')")
    page.get_by_role("button", name="Explain analyze").click()
    expect(page.get_by_test_id("sql-error")).to_contain_text("nextval() is VOLATILE")
    page.get_by_label("Allow writes").check()
    page.get_by_role("button", name="Explain analyze").click()
    confirm = page.get_by_test_id("confirm-writes")
    expect(confirm).to_contain_text("Confirm EXPLAIN ANALYZE with writes")
    expect(confirm).to_contain_text("nextval() is VOLATILE")
    snap(page, shots, "analyze-confirm")
    confirm.get_by_role("button", name="Run EXPLAIN ANALYZE").click()
    expect(page.get_by_test_id("plan-tree")).to_be_visible()
    expect(page.get_by_text("ran with writes allowed")).to_be_visible()
