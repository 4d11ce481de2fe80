"""E2E: the small fixes of the data grid, clicked through in Chromium: "Delete selected" waits for a ticked
row, a delete from the edit dialog refreshes the table, Alembic's version table asks before a change, the
list of tables nests partitions, an unpopulated materialized view offers REFRESH. Screenshots of each."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect
from sqlalchemy import Engine, text
from test_records import SIZES, _scalar, _shoot

from support.partitions import ANALYZE, PARTITIONS


def test_delete_selected_waits_for_a_ticked_row(live_server: Any, page: Page) -> None:
    page.set_viewport_size(SIZES["desktop"])
    page.goto(f"{live_server.url}/tables/public/operations?_size=25")
    button = page.get_by_test_id("delete-selected")
    boxes = page.locator("input[type=checkbox][name=pk]")
    expect(button).to_be_disabled()
    boxes.nth(0).check()
    expect(button).to_be_enabled()
    boxes.nth(0).uncheck()
    expect(button).to_be_disabled()
    page.locator("input[data-select-all]").check()
    expect(button).to_be_enabled()
    page.locator("input[data-select-all]").uncheck()
    expect(button).to_be_disabled()
    boxes.nth(3).check()
    first_key = boxes.nth(0).get_attribute("value")
    page.get_by_test_id("next").click()  # htmx swaps in the next page: nothing is ticked there
    expect(page.locator("input[type=checkbox][name=pk]").nth(0)).not_to_have_attribute("value", first_key or "")
    expect(page.get_by_test_id("delete-selected")).to_be_disabled()
    page.locator("input[type=checkbox][name=pk]").nth(1).check()
    expect(page.get_by_test_id("delete-selected")).to_be_enabled()


def test_deleting_from_the_edit_dialog_refreshes_the_table(live_server: Any, page: Page, db: Engine,
                                                          shots: Path) -> None:
    with db.connect() as conn:
        conn.execute(text("insert into tags (name, color) values ('aaa-doomed', '#aa0000'), ('aab-kept', '#00aa00')"))
    view = f"{live_server.url}/tables/public/tags?_sort=name&_size=25"
    page.set_viewport_size(SIZES["desktop"])
    page.goto(view)
    rows = page.get_by_test_id("rows")
    expect(rows).to_contain_text("aaa-doomed")
    page.get_by_test_id("rows").locator("tbody tr").first.get_by_role("link", name="Edit").click()
    dialog = page.locator("dialog[data-record-dialog]")
    expect(dialog.locator("#f_name")).to_have_value("aaa-doomed")
    dialog.get_by_test_id("record-delete").click()
    page.get_by_test_id("delete-confirm").click()
    expect(page.get_by_test_id("delete-done")).to_contain_text("Deleted 1 row from tags")
    expect(rows).not_to_contain_text("aaa-doomed")  # the table under the dialog, refreshed in place
    expect(rows).to_contain_text("aab-kept")
    assert page.url == view  # same view: filters, sort and size kept
    _shoot(page, shots, "deleted-in-dialog")
    page.get_by_test_id("delete-close").click()
    expect(page.locator("dialog[data-record-dialog]")).to_have_count(0)
    expect(rows.locator("tbody tr").first).to_contain_text("aab-kept")
    assert _scalar(db, "select count(*) from tags where name = 'aaa-doomed'") == 0


def test_changing_alembic_version_asks_first(live_server: Any, page: Page, db: Engine, shots: Path) -> None:
    current = _scalar(db, "select version_num from alembic_version")
    page.set_viewport_size(SIZES["desktop"])
    page.goto(f"{live_server.url}/tables/public/alembic_version")
    page.get_by_test_id("rows").locator("tbody tr").first.get_by_role("link", name="Edit").click()
    dialog = page.locator("dialog[data-record-dialog]")
    expect(dialog.get_by_test_id("version-note")).to_be_visible()
    dialog.locator("#f_version_num").fill("deadbeef0001")
    dialog.get_by_test_id("record-save").click()
    confirm = dialog.get_by_test_id("version-confirm")
    expect(confirm).to_contain_text(f"changes the recorded revision from {current} to deadbeef0001")
    expect(confirm).to_contain_text("Alembic will believe the database is at another revision")
    expect(dialog.get_by_test_id("record-save")).to_have_text("Yes, change the recorded revision")
    assert _scalar(db, "select version_num from alembic_version") == current  # nothing written yet
    _shoot(page, shots, "alembic-version-confirm")
    dialog.get_by_test_id("record-save").click()
    expect(page.locator("#flash .flash-message")).to_contain_text("saved")
    assert _scalar(db, "select version_num from alembic_version") == "deadbeef0001"




def test_partitions_fold_under_their_table(live_server: Any, page: Page, db: Engine, shots: Path) -> None:
    with db.connect() as conn:
        conn.execute(text(PARTITIONS))
        conn.execute(text(ANALYZE))
    page.set_viewport_size(SIZES["desktop"])
    page.goto(f"{live_server.url}/tables")
    partition = page.get_by_role("link", name="events_2024_low", exact=True)
    expect(partition).to_be_hidden()  # folded under events
    page.get_by_test_id("partitions-events").click()
    expect(partition).to_be_visible()
    parent = page.locator("tr", has=page.get_by_role("link", name="events", exact=True))
    expect(parent).to_contain_text("2,999")
    page.get_by_role("link", name="events", exact=True).scroll_into_view_if_needed()
    _shoot(page, shots, "partitions")
    page.get_by_test_id("partitions-events").click()
    expect(partition).to_be_hidden()


def test_an_unpopulated_materialized_view_is_refreshed_from_its_page(live_server: Any, page: Page, db: Engine,
                                                                      shots: Path) -> None:
    with db.connect() as conn:
        conn.execute(text("create materialized view broker_load as select broker_id, count(*) as clients"
                          " from clients group by broker_id with no data"))
    page.set_viewport_size(SIZES["desktop"])
    page.goto(f"{live_server.url}/tables/public/broker_load")
    expect(page.get_by_test_id("not-populated")).to_contain_text("broker_load has never been populated")
    _shoot(page, shots, "matview-unpopulated")
    page.get_by_test_id("refresh-matview").click()
    expect(page.locator("#flash .flash-message")).to_have_text("Refreshed broker_load.")
    expect(page.get_by_test_id("not-populated")).to_have_count(0)
    expect(page.get_by_test_id("rows")).to_be_visible()
    assert re.search(r"/tables/public/broker_load$", page.url)
