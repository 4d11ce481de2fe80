"""E2E: the SQL console's editor (CodeMirror): completion from the live schema, Ctrl+Enter on the statement under
the cursor, Format, Esc back to the page's shortcuts."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import psycopg
from playwright.sync_api import Page, expect

from pgadmin_py.core.dburl import DatabaseUrl

EXTRA_SHOTS = Path("/tmp/shots")
SIZES = {"desktop": (1440, 900), "tablet": (820, 1180)}
CM = "document.querySelector('.CodeMirror').CodeMirror"


def ddl(url: DatabaseUrl, sql: str) -> None:
    with psycopg.connect(url.libpq(), autocommit=True) as conn:
        conn.execute(sql)


def hints(page: Page) -> Any:
    return page.locator(".CodeMirror-hints .hint-name")


def value(page: Page) -> str:
    return str(page.evaluate(f"() => {CM}.getValue()"))


def replace(page: Page, text: str) -> None:
    page.locator(".CodeMirror").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(text)


def test_completion_offers_live_tables_and_columns(page: Page, live_server: Any, demo_db: DatabaseUrl,
                                                   shots: Path) -> None:
    ddl(demo_db, "create table zebra_sightings (id int primary key, spotted_at timestamptz, herd text)")
    problems: list[str] = []  # CSP violations and script errors show up here
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{live_server.url}/sql")
    page.locator(".CodeMirror").click()
    page.keyboard.type("select * from zebra_s")
    expect(hints(page)).to_have_text(["zebra_sightings"])
    expect(page.locator(".CodeMirror-hints .hint-kind")).to_have_text(["table"])
    page.keyboard.press("Enter")
    assert value(page) == "select * from zebra_sightings"

    # a column of the table the query names, as you type, with its type
    page.keyboard.type(" where spo")
    expect(hints(page)).to_have_text(["spotted_at"])
    expect(page.locator(".CodeMirror-hints li").first).to_contain_text("timestamp with time zone")
    _shots_with_hints(page, shots)
    page.keyboard.press("Enter")
    assert value(page) == "select * from zebra_sightings where spotted_at"

    # after an alias and a dot: that table's columns only
    replace(page, "select * from zebra_sightings z where z.h")
    page.keyboard.press("Control+Space")
    expect(hints(page)).to_have_text(["herd"])
    page.keyboard.press("Escape")  # closes the list, stays in the editor
    expect(page.locator(".CodeMirror-hints")).to_have_count(0)

    # a table created after the page loaded is offered once a run has happened (the document is asked again)
    ddl(demo_db, "create table yak_herds (id int)")
    replace(page, "select 1")
    page.keyboard.press("Control+Enter")
    expect(page.get_by_test_id("result-set")).to_have_count(1)
    page.evaluate(f"() => {{ const cm = {CM}; cm.focus(); cm.execCommand('goDocEnd'); }}")
    page.keyboard.type("; select * from yak_")
    expect(hints(page)).to_have_text(["yak_herds"])

    # a word complete as typed offers nothing more, so Enter starts a new line (not "first_value")
    page.keyboard.press("Escape")
    replace(page, "select 1 as firs")
    page.keyboard.type("t")
    page.keyboard.press("Enter")
    assert value(page) == "select 1 as first\n"

    # Ctrl+Space on nothing typed: the tables and views first, then functions and schemas
    replace(page, "select * from ")
    page.keyboard.press("Control+Space")
    expect(hints(page).first).to_have_text("accounts")
    expect(page.locator(".CodeMirror-hints")).to_contain_text("zebra_sightings")
    page.screenshot(path=str(shots / "sql-editor-tables-desktop-dark.png"))
    assert problems == []


def _shots_with_hints(page: Page, shots: Path) -> None:
    """The console with the completion list open: desktop and tablet, dark and light."""
    EXTRA_SHOTS.mkdir(parents=True, exist_ok=True)
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        for theme in ("dark", "light"):
            page.evaluate("t => document.documentElement.setAttribute('data-theme', t)", theme)
            page.evaluate(f"() => {{ const cm = {CM}; cm.focus(); cm.execCommand('goDocEnd'); cm.showHint(); }}")
            expect(hints(page)).to_have_text(["spotted_at"])
            page.wait_for_timeout(250)
            path = shots / f"sql-editor-completion-{size}-{theme}.png"
            page.screenshot(path=str(path))
            shutil.copy(path, EXTRA_SHOTS / path.name)
    page.evaluate("() => document.documentElement.setAttribute('data-theme', 'dark')")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.evaluate(f"() => {{ const cm = {CM}; cm.focus(); cm.execCommand('goDocEnd'); cm.showHint(); }}")
    expect(hints(page)).to_have_text(["spotted_at"])


def test_ctrl_enter_runs_the_statement_under_the_cursor(page: Page, live_server: Any) -> None:
    page.goto(f"{live_server.url}/sql")
    replace(page, "select 1 as first;\nselect 2 as second;\nselect 3 as third")
    page.evaluate(f"() => {{ const cm = {CM}; cm.focus(); cm.setCursor({{line: 1, ch: 4}}); }}")
    page.keyboard.press("Control+Enter")
    sets = page.get_by_test_id("result-set")
    expect(sets).to_have_count(1)
    expect(sets.locator("th").nth(1)).to_contain_text("second")
    expect(page.get_by_test_id("batch-summary")).to_contain_text("1 statement")

    # the cursor right after a statement's semicolon still means that statement
    page.evaluate(f"() => {{ const cm = {CM}; cm.focus(); cm.setCursor({{line: 0, ch: 18}}); }}")
    page.keyboard.press("Control+Enter")
    expect(sets.locator("th").nth(1)).to_contain_text("first")

    # a syntax error in another statement does not stop this one
    replace(page, "select 4 as fourth;\nselect from where")
    page.evaluate(f"() => {{ const cm = {CM}; cm.focus(); cm.setCursor({{line: 0, ch: 2}}); }}")
    page.keyboard.press("Control+Enter")
    expect(sets.locator("th").nth(1)).to_contain_text("fourth")

    # Ctrl+Shift+Enter (and the Run button) run everything
    replace(page, "select 1 as first;\nselect 2 as second;\nselect 3 as third")
    page.evaluate(f"() => {{ const cm = {CM}; cm.focus(); cm.setCursor({{line: 1, ch: 4}}); }}")
    page.keyboard.press("Control+Shift+Enter")
    expect(sets).to_have_count(3)


def test_format_and_escape_back_to_the_page_shortcuts(page: Page, live_server: Any, shots: Path) -> None:
    page.goto(f"{live_server.url}/sql")
    replace(page, "select id,full_name from clients where id<10 and birth_date is not null")
    page.get_by_role("button", name="Format").click()
    expect(page.locator("#sql-editor")).to_have_value(
        "SELECT id,\n       full_name\nFROM clients\nWHERE id < 10\n  AND birth_date IS NOT NULL")
    page.keyboard.press("Control+z")  # one undoable change
    assert value(page) == "select id,full_name from clients where id<10 and birth_date is not null"
    page.keyboard.press("Shift+Alt+F")
    expect(page.locator("#sql-editor")).to_have_value(re.compile(r"^SELECT id,\n"))

    replace(page, "select from where")
    page.keyboard.press("Shift+Alt+F")
    expect(page.locator("#flash")).to_contain_text("Cannot format: syntax error")
    assert value(page) == "select from where"

    # Esc leaves the editor: "?" shows the help with the editor's keys, "g t" goes to the tables
    page.keyboard.press("Escape")
    page.keyboard.press("?")
    help_dialog = page.locator("#shortcuts")
    expect(help_dialog).to_be_visible()
    expect(help_dialog).to_contain_text("Run the statement under the cursor")
    expect(help_dialog).to_contain_text("Leave the editor")
    page.wait_for_timeout(300)  # the dialog fades in
    page.screenshot(path=str(shots / "sql-editor-shortcuts-desktop-dark.png"))
    page.keyboard.press("Escape")
    expect(help_dialog).to_be_hidden()
    page.locator(".CodeMirror").click()
    page.keyboard.press("Escape")
    page.keyboard.press("g")
    page.keyboard.press("t")
    expect(page).to_have_url(re.compile(r"/tables"))


def test_without_javascript_the_textarea_runs_and_formats(browser: Any, live_server: Any) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/sql")
    expect(page.locator(".CodeMirror")).to_have_count(0)
    page.locator("#sql-editor").fill("select 1 as a,2 as b")
    page.get_by_role("button", name="Format").click()
    expect(page.locator("#sql-editor")).to_have_value("SELECT 1 AS a,\n       2 AS b")
    page.locator("button[data-run]").click()
    expect(page.get_by_test_id("result-set").locator("th").nth(2)).to_contain_text("b")
    context.close()
