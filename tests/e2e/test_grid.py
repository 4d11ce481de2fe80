"""E2E: the data grid in Chromium: inline edits of every kind of column round-trip to the database, a conflict
shows both values in the cell and writes nothing, keys move and act, columns hide and stay hidden, tables without
a key take new rows, and read-only relations offer no editing."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page, expect
from sqlalchemy import Engine, text

from support import pages

SIZES = pages.SIZES


def _scalar(db: Engine, query: str) -> Any:
    return pages.scalar(db, query)


def _shoot(page: Page, shots: Path, name: str) -> None:
    pages.shoot(page, shots, "grid-" + name)


def _cell(page: Page, key: int, column: str) -> Locator:
    """The cell of ``column`` in the row whose key is ``key`` (the page is filtered to that row)."""
    index = page.locator("table.browse-table thead th").evaluate_all(
        "(ths, c) => ths.findIndex(th => th.dataset.name === c)", column)
    assert index >= 0, column
    return page.locator(f'table.browse-table tbody tr:has(input[name=pk][value="{key}"]) > td').nth(index)


def _edit(page: Page, live: Any, table: str, key: int, column: str, fill: Callable[[Locator], None],
          save: str = "Enter") -> Locator:
    page.goto(f"{live.url}/tables/public/{table}?id__eq={key}")
    cell = _cell(page, key, column)
    cell.dblclick()
    editor = cell.get_by_test_id("cell-editor")
    expect(editor).to_be_visible()
    fill(editor)
    page.keyboard.press(save)
    expect(cell.get_by_test_id("cell-editor")).to_have_count(0)
    return cell


def test_inline_edits_round_trip_for_every_kind_of_column(live_server: Any, page: Page, db: Engine,
                                                          shots: Path) -> None:
    page.set_viewport_size(SIZES["desktop"])
    done: list[str] = []

    def typed(value: str) -> Callable[[Locator], None]:
        return lambda e: e.locator(".cell-input").fill(value)

    def chosen(value: str) -> Callable[[Locator], None]:
        return lambda e: e.locator("select").select_option(value)

    # text (a one-line box: Enter saves)
    cell = _edit(page, live_server, "clients", 5, "full_name", typed("Inline Name ✓"))
    expect(cell).to_have_text("Inline Name ✓")
    assert _scalar(db, "select full_name from clients where id = 5") == "Inline Name ✓"
    done.append("text")
    # integer
    cell = _edit(page, live_server, "instruments", 2, "lot_size", typed("25"))
    expect(cell).to_have_text("25")
    assert _scalar(db, "select lot_size from instruments where id = 2") == 25
    done.append("integer")
    # numeric
    cell = _edit(page, live_server, "operations", 3, "fee", typed("1.25"))
    expect(cell).to_have_text("1.25")
    assert str(_scalar(db, "select fee from operations where id = 3")) == "1.25"
    done.append("numeric")
    # boolean (a select)
    cell = _edit(page, live_server, "clients", 5, "is_verified", chosen("false"))
    expect(cell).to_have_text("false")
    assert _scalar(db, "select is_verified from clients where id = 5") is False
    done.append("boolean")
    # date and timestamp
    cell = _edit(page, live_server, "clients", 5, "birth_date", typed("1990-05-17"))
    expect(cell).to_have_text("1990-05-17")
    assert str(_scalar(db, "select birth_date from clients where id = 5")) == "1990-05-17"
    cell = _edit(page, live_server, "clients", 5, "created_at", typed("2024-03-01T10:20:30"))
    expect(cell).to_contain_text("2024-03-01 10:20:30")
    assert _scalar(db, "select created_at at time zone 'UTC' from clients where id = 5").isoformat() == (
        "2024-03-01T10:20:30")
    done.append("date/timestamp")
    # enum
    side = _scalar(db, "select side from operations where id = 3")
    other = "SELL" if side == "BUY" else "BUY"
    cell = _edit(page, live_server, "operations", 3, "side", chosen(other))
    expect(cell).to_have_text(other)
    assert _scalar(db, "select side::text from operations where id = 3") == other
    done.append("enum")
    # JSON: the larger box, Ctrl+Enter saves; bad JSON is refused in the cell with the form's message
    page.goto(f"{live_server.url}/tables/public/clients?id__eq=5")
    cell = _cell(page, 5, "preferences")
    cell.dblclick()
    box = cell.locator("textarea.cell-input")
    expect(cell.locator(".cell-editor.is-wide")).to_be_visible()
    box.fill('{"lang": "fr"')
    page.keyboard.press("Control+Enter")
    expect(cell.get_by_test_id("cell-error")).to_contain_text("Not valid JSON")
    _shoot(page, shots, "json-editor")
    box.fill('{"lang": "fr", "n": [1, 2]}')
    page.keyboard.press("Control+Enter")
    expect(cell.get_by_test_id("cell-editor")).to_have_count(0)
    assert _scalar(db, "select preferences::text from clients where id = 5") == '{"n": [1, 2], "lang": "fr"}'
    done.append("JSON")
    # array: one item per line
    cell = _edit(page, live_server, "clients", 5, "phone_numbers", typed("+33 1 11\n+33 2 22"), "Control+Enter")
    assert _scalar(db, "select phone_numbers from clients where id = 5") == ["+33 1 11", "+33 2 22"]
    done.append("array")
    # foreign key: picked from the autocomplete, then Enter
    alice = _scalar(db, "select id from brokers where full_name = 'Alice Rossi'")
    page.goto(f"{live_server.url}/tables/public/clients?id__eq=5")
    cell = _cell(page, 5, "broker_id")
    cell.dblclick()
    cell.locator(".fk-search").fill("alice")
    cell.locator(".fk-option", has_text="Alice Rossi").click()
    expect(cell.locator(".fk-value")).to_have_value(str(alice))
    cell.locator(".fk-value").press("Enter")
    expect(cell.locator("a.fk")).to_have_text(str(alice))
    assert _scalar(db, "select broker_id from clients where id = 5") == alice
    done.append("FK")
    # a wrong value is refused in place and nothing is written; Esc puts the cell back
    page.goto(f"{live_server.url}/tables/public/instruments?id__eq=2")
    cell = _cell(page, 2, "lot_size")
    cell.dblclick()
    cell.locator(".cell-input").fill("many")
    page.keyboard.press("Enter")
    expect(cell.get_by_test_id("cell-error")).to_contain_text("Not a whole number")
    page.keyboard.press("Escape")
    expect(cell).to_have_text("25")
    assert _scalar(db, "select lot_size from instruments where id = 2") == 25
    print(f"inline edits round-tripped: {', '.join(done)}")


def test_tab_saves_and_moves_on(live_server: Any, page: Page, db: Engine) -> None:
    page.goto(f"{live_server.url}/tables/public/clients?id__eq=6")
    name = _cell(page, 6, "full_name")
    name.dblclick()
    name.locator(".cell-input").fill("Tabbed Name")
    page.keyboard.press("Tab")
    email = _cell(page, 6, "email")
    expect(email.get_by_test_id("cell-editor")).to_be_visible()  # the next editable cell opened
    expect(name).to_have_text("Tabbed Name")
    assert _scalar(db, "select full_name from clients where id = 6") == "Tabbed Name"
    page.keyboard.press("Escape")
    expect(email.get_by_test_id("cell-editor")).to_have_count(0)


def test_enter_right_after_the_editor_appears_saves_in_place(live_server: Any, page: Page, db: Engine) -> None:
    """Enter pressed the moment the editor shows (before htmx's swap has settled, made long here so the moment
    is certain) saves in the cell; it does not post the form as a page and leave the table."""
    url = f"{live_server.url}/tables/public/clients?id__eq=7"
    page.goto(url)
    page.evaluate("() => { htmx.config.defaultSettleDelay = 1500; }")
    name = _cell(page, 7, "full_name")
    name.dblclick()
    name.locator(".cell-input").fill("Quick Enter")
    page.keyboard.press("Enter")
    expect(name).to_have_text("Quick Enter")
    assert page.url == url
    assert _scalar(db, "select full_name from clients where id = 7") == "Quick Enter"


def test_a_conflict_shows_both_values_in_the_cell_and_writes_nothing(live_server: Any, page: Page, db: Engine,
                                                                     shots: Path) -> None:
    page.set_viewport_size(SIZES["desktop"])
    page.goto(f"{live_server.url}/tables/public/clients?_sort=id")
    cell = _cell(page, 5, "full_name")
    cell.dblclick()
    expect(cell.get_by_test_id("cell-editor")).to_be_visible()
    _shoot(page, shots, "editing")
    with db.connect() as conn:  # someone else, behind the page
        conn.execute(text("update clients set full_name = 'Changed behind' where id = 5"))
    cell.locator(".cell-input").fill("Mine in the cell")
    page.keyboard.press("Enter")
    conflict = cell.get_by_test_id("cell-conflict")
    expect(conflict).to_be_visible()
    expect(conflict.get_by_test_id("cell-theirs")).to_have_text("Changed behind")
    expect(conflict.get_by_test_id("cell-yours")).to_have_text("Mine in the cell")
    assert _scalar(db, "select full_name from clients where id = 5") == "Changed behind"
    _shoot(page, shots, "conflict")
    cell.get_by_test_id("cell-save").click()  # "Save anyway"
    expect(cell.get_by_test_id("cell-editor")).to_have_count(0)
    expect(cell).to_have_text("Mine in the cell")
    assert _scalar(db, "select full_name from clients where id = 5") == "Mine in the cell"


def test_keys_move_and_act(live_server: Any, page: Page, shots: Path) -> None:
    page.set_viewport_size(SIZES["desktop"])
    page.goto(f"{live_server.url}/tables/public/operations?_size=25")
    first = page.locator("table.browse-table tbody tr").first
    page.keyboard.press("ArrowDown")
    expect(page.locator("td.is-current")).to_have_count(1)
    page.keyboard.press("ArrowRight")
    expect(first.locator("td").nth(1)).to_have_class(re.compile("is-current"))
    page.keyboard.press("]")
    expect(page).to_have_url(re.compile(r"_after="))
    page.keyboard.press("[")
    expect(page).to_have_url(re.compile(r"_before=|operations\?_size=25$"))
    page.keyboard.press("n")
    dialog = page.locator("dialog[data-record-dialog]")
    expect(dialog).to_contain_text("New row in operations")
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("e")
    expect(page.locator("dialog[data-record-dialog]")).to_contain_text("Edit operations")
    page.keyboard.press("Escape")
    page.keyboard.press("Delete")
    expect(page.locator("dialog[data-record-dialog]")).to_contain_text("Deleting 1 row of public.operations")
    page.keyboard.press("Escape")
    boxes = page.locator("table.browse-table input[name=pk]")
    boxes.nth(2).check()
    boxes.nth(3).check()  # the focus stays on the ticked box: Delete still means the ticked rows
    page.keyboard.press("Delete")
    expect(page.locator("dialog[data-record-dialog]")).to_contain_text("Deleting 2 rows of public.operations")
    page.keyboard.press("Escape")
    cell = page.locator("table.browse-table tbody tr").nth(1).locator("td").nth(4)
    cell.click()
    page.keyboard.press("Enter")  # the clicked cell is the current one: Enter edits it
    expect(cell.get_by_test_id("cell-editor")).to_be_visible()
    page.keyboard.press("Escape")
    expect(cell.get_by_test_id("cell-editor")).to_have_count(0)
    page.keyboard.press("?")
    expect(page.get_by_test_id("grid-shortcuts")).to_contain_text("Previous / next page")
    _shoot(page, shots, "shortcuts")


def test_hidden_and_resized_columns_are_kept_per_table(live_server: Any, page: Page, shots: Path) -> None:
    page.set_viewport_size(SIZES["desktop"])
    page.goto(f"{live_server.url}/tables/public/clients")
    page.get_by_test_id("columns-menu").click()
    page.locator("[data-col-toggle=email]").uncheck()
    page.locator("[data-col-toggle=public_id]").uncheck()
    expect(page.locator("th[data-name=email]")).to_be_hidden()
    expect(page.locator("table.browse-table tbody tr").first.locator("td").nth(4)).to_be_hidden()
    grip = page.locator("th[data-name=full_name] .col-resize")
    box = grip.bounding_box()
    assert box
    page.mouse.move(box["x"] + 3, box["y"] + 5)
    page.mouse.down()
    page.mouse.move(box["x"] - 60, box["y"] + 5)
    page.mouse.up()
    width = page.locator("th[data-name=full_name]").bounding_box()
    page.get_by_test_id("columns-menu").click()
    _shoot(page, shots, "hidden-columns")
    page.reload()
    expect(page.locator("th[data-name=email]")).to_be_hidden()
    expect(page.get_by_test_id("columns-menu")).to_have_text("Columns (2 hidden)")
    again = page.locator("th[data-name=full_name]").bounding_box()
    assert width and again and abs(width["width"] - again["width"]) < 2
    page.goto(f"{live_server.url}/tables/public/brokers")  # another table keeps its own choice
    expect(page.locator("th[data-name=email]")).to_be_visible()


def test_keyless_tables_take_inserts_and_read_only_relations_offer_no_editing(live_server: Any, page: Page,
                                                                              db: Engine) -> None:
    with db.connect() as conn:
        conn.execute(text("create table log_lines (at timestamptz default now(), line text)"))
        conn.execute(text("insert into log_lines (line) values ('first')"))
        conn.execute(text("create view rich_clients as select * from clients"))
    page.goto(f"{live_server.url}/tables/public/log_lines")
    expect(page.get_by_text("no primary key: rows can be added, not edited or deleted")).to_be_visible()
    expect(page.locator("table.browse-table[data-rows]")).to_have_count(0)
    expect(page.locator("th[data-cell]")).to_have_count(0)
    page.locator("table.browse-table tbody td").nth(1).dblclick()
    expect(page.get_by_test_id("cell-editor")).to_have_count(0)
    page.get_by_test_id("new-row").click()
    dialog = page.locator("dialog[data-record-dialog]")
    dialog.locator("#f_line").fill("second")
    dialog.get_by_test_id("record-save").click()
    expect(page.locator("#flash .flash-message")).to_contain_text("Row created in log_lines")
    assert _scalar(db, "select count(*) from log_lines where line = 'second'") == 1
    page.goto(f"{live_server.url}/tables/public/rich_clients")
    expect(page.locator("th[data-cell]")).to_have_count(0)
    expect(page.get_by_test_id("new-row")).to_have_count(0)
