"""E2E: a person creates, edits and deletes rows in Chromium: validation, FK search, a conflicting edit in
two tabs, the cascade preview. Screenshots of every records page, desktop and tablet, dark and light."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine, text

from support import pages

SIZES = pages.SIZES


def _scalar(db: Engine, query: str) -> Any:
    return pages.scalar(db, query)


def _shoot(page: Page, shots: Path, name: str) -> None:
    pages.shoot(page, shots, "records-" + name)


def test_create_edit_and_delete_a_row(live_server: Any, page: Page, db: Engine, shots: Path) -> None:
    page.set_viewport_size(SIZES["desktop"])
    page.goto(f"{live_server.url}/tables/public/tags/new")  # opened by URL: a full page (from the table: a modal)
    expect(page.get_by_role("heading", level=1)).to_contain_text("tags")
    form = page.get_by_test_id("record-form")
    expect(form.locator("label[for=f_name] .record-req")).to_have_text("*")  # required, no default
    expect(form.locator("#f_color")).to_have_attribute("placeholder", re.compile("default: '#888888'"))

    # a CHECK violation comes back next to its field, with what was typed kept
    form.locator("#f_name").fill("e2e-tag ✓")
    form.locator("#f_color").fill("red")
    page.get_by_test_id("record-save").click()
    expect(form.locator(".record-field.has-error .field-error")).to_contain_text("Breaks the rule")
    expect(form.locator("#f_name")).to_have_value("e2e-tag ✓")
    _shoot(page, shots, "form-errors")

    form.locator("#f_color").fill("#12ab34")
    page.get_by_test_id("record-save").click()
    page.wait_for_url(re.compile(r"/tables/public/tags/rows/\d+$"))
    tag_id = int(page.url.rsplit("/", 1)[1])
    assert _scalar(db, f"select color from tags where id = {tag_id}") == "#12ab34"
    expect(page.locator("#flash .flash-success .flash-message")).to_have_text(f"Row {tag_id} created in tags.")
    _shoot(page, shots, "saved-flash")

    # edit it
    page.goto(f"{live_server.url}/tables/public/tags/rows/{tag_id}/edit")
    expect(page.locator("#f_name")).to_have_value("e2e-tag ✓")
    page.locator("#f_color").fill("#ffffff")
    page.get_by_test_id("record-save").click()
    page.wait_for_url(re.compile(rf"/tables/public/tags/rows/{tag_id}$"))
    assert _scalar(db, f"select color from tags where id = {tag_id}") == "#ffffff"
    expect(page.locator("#flash .flash-message")).to_have_text(f"Row {tag_id} of tags saved.")
    page.reload()
    expect(page.locator("#flash .flash-message")).to_have_count(0)  # shown once

    # delete it: the preview opens in a dialog over the form, then confirm
    page.goto(f"{live_server.url}/tables/public/tags/rows/{tag_id}/edit")
    page.get_by_test_id("record-delete").click()
    dialog = page.locator("dialog[data-record-dialog]")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Deleting 1 row of public.tags changes nothing else.")
    dialog.get_by_test_id("delete-confirm").click()
    expect(dialog.get_by_test_id("delete-done")).to_contain_text("Deleted 1 row from tags")
    assert _scalar(db, f"select count(*) from tags where id = {tag_id}") == 0


def test_delete_a_client_shows_the_cascade_first(live_server: Any, page: Page, db: Engine, shots: Path) -> None:
    page.set_viewport_size(SIZES["desktop"])
    accounts = _scalar(db, "select count(*) from accounts where client_id = 4")
    page.goto(f"{live_server.url}/tables/public/clients/rows/4/edit")
    _shoot(page, shots, "edit")
    page.get_by_test_id("record-delete").click()
    dialog = page.locator("dialog[data-record-dialog]")
    effects = dialog.get_by_test_id("delete-effects")
    expect(effects).to_contain_text("public.accounts")
    expect(effects.locator("tr", has_text="public.accounts").locator("td.num")).to_have_text(str(accounts))
    expect(effects).to_contain_text("public.operations")
    _shoot(page, shots, "delete-preview")
    dialog.get_by_test_id("delete-confirm").click()
    expect(dialog.get_by_test_id("delete-done")).to_contain_text("Deleted 1 row from clients")
    assert _scalar(db, "select count(*) from accounts where client_id = 4") == 0

    # an instrument with trades cannot go: the preview says why and offers no delete button
    page.goto(f"{live_server.url}/tables/public/instruments/rows/1/edit")
    page.get_by_test_id("record-delete").click()
    expect(dialog.get_by_test_id("delete-blocked")).to_contain_text("public.operations")
    expect(dialog.get_by_test_id("delete-confirm")).to_have_count(0)
    _shoot(page, shots, "delete-blocked")


def test_conflicting_edit_in_two_tabs(live_server: Any, browser: Browser, db: Engine, shots: Path) -> None:
    context = browser.new_context(viewport=SIZES["desktop"])
    tab_a, tab_b = context.new_page(), context.new_page()
    url = f"{live_server.url}/tables/public/clients/rows/5/edit"
    tab_a.goto(url)
    tab_b.goto(url)
    tab_a.locator("#f_full_name").fill("Name from tab A")
    tab_a.get_by_test_id("record-save").click()
    tab_a.wait_for_url(re.compile(r"/tables/public/clients/rows/5$"))

    tab_b.locator("#f_full_name").fill("Name from tab B")
    tab_b.get_by_test_id("record-save").click()
    conflict = tab_b.get_by_test_id("conflict")
    expect(conflict).to_contain_text("Someone changed this row after you opened it")
    expect(conflict.locator("tr.differs", has_text="full_name")).to_contain_text("Name from tab A")
    expect(conflict.locator("tr.differs", has_text="full_name")).to_contain_text("Name from tab B")
    expect(tab_b.locator("#f_full_name")).to_have_value("Name from tab B")
    assert _scalar(db, "select full_name from clients where id = 5") == "Name from tab A"
    _shoot(tab_b, shots, "conflict")

    tab_b.get_by_test_id("record-save").click()  # "Save anyway"
    tab_b.wait_for_url(re.compile(r"/tables/public/clients/rows/5$"))
    assert _scalar(db, "select full_name from clients where id = 5") == "Name from tab B"
    context.close()


def test_foreign_key_autocomplete(live_server: Any, page: Page, db: Engine, shots: Path) -> None:
    page.set_viewport_size(SIZES["desktop"])
    page.goto(f"{live_server.url}/tables/public/clients/new")
    search = page.locator(".fk-search[data-fk-for=f_broker_id]")
    search.fill("alice")
    options = page.locator(".fk-field:has(#f_broker_id) .fk-option")
    expect(options).to_have_count(2)
    _shoot(page, shots, "fk-search")
    options.filter(has_text="Alice Rossi").click()
    alice = str(_scalar(db, "select id from brokers where full_name = 'Alice Rossi'"))
    expect(page.locator("#f_broker_id")).to_have_value(alice)
    expect(page.locator("[data-fk-link=f_broker_id]")).to_have_attribute("href", f"/tables/public/brokers/rows/{alice}")
    page.locator("#f_full_name").fill("Fk Person")
    page.locator("#f_email").fill("fk.person@example.com")
    page.locator("#f_preferences").fill('{"lang": "en"')
    page.get_by_test_id("record-save").click()
    expect(page.locator(".record-field.has-error")).to_contain_text("Not valid JSON")
    page.locator("#f_preferences").fill('{"lang": "en"}')
    page.get_by_test_id("record-save").click()
    page.wait_for_url(re.compile(r"/tables/public/clients/rows/\d+$"))
    assert str(_scalar(db, "select broker_id from clients where email = 'fk.person@example.com'")) == alice


def test_a_composite_foreign_key_is_picked_whole(live_server: Any, page: Page, db: Engine, shots: Path) -> None:
    with db.connect() as conn:
        conn.execute(text("create table regions (country char(2), code text, name text not null,"
                          " primary key (country, code))"))
        conn.execute(text("insert into regions values ('FR', 'BRE', 'Bretagne'), ('DE', 'BY', 'Bayern')"))
        conn.execute(text("create table shops (id serial primary key, country char(2), region text,"
                          " foreign key (country, region) references regions)"))
    page.set_viewport_size(SIZES["desktop"])
    page.goto(f"{live_server.url}/tables/public/shops/new")
    page.locator(".fk-search[data-fk-for=f_country]").fill("bay")
    option = page.locator(".fk-field:has(#f_country) .fk-option")
    expect(option).to_have_count(1)
    expect(option).to_contain_text("DE, BY")
    _shoot(page, shots, "fk-composite")
    option.click()
    expect(page.locator("#f_country")).to_have_value("DE")
    expect(page.locator("#f_region")).to_have_value("BY")  # the key's other column, filled by the same pick
    expect(page.locator("[data-fk-link=f_country]")).to_have_attribute("href", "/tables/public/regions/rows/DE,BY")
    page.get_by_test_id("record-save").click()
    page.wait_for_url(re.compile(r"/tables/public/shops/rows/\d+$"))
    assert _scalar(db, "select country || '/' || region from shops") == "DE/BY"


def test_form_as_a_modal_over_the_table(live_server: Any, page: Page, db: Engine, shots: Path) -> None:
    """The table page (browser feature) opens the form with hx-target="#record_modal" from its own "new row"
    button; the form is validated in the dialog and saving comes back to the same view."""
    page.set_viewport_size(SIZES["desktop"])
    page.goto(f"{live_server.url}/tables/public/tags?_sort=name")
    page.get_by_test_id("new-row").click()
    dialog = page.locator("dialog[data-record-dialog]")
    expect(dialog).to_be_visible()
    dialog.locator("#f_name").fill("modal-tag")
    dialog.locator("#f_color").fill("blue")
    dialog.get_by_test_id("record-save").click()
    expect(dialog.locator(".field-error")).to_contain_text("Breaks the rule")  # still in the dialog
    _shoot(page, shots, "modal")
    dialog.locator("#f_color").fill("#0000ff")
    dialog.get_by_test_id("record-save").click()
    page.wait_for_url(f"{live_server.url}/tables/public/tags?_sort=name")  # back to the table, its state kept
    expect(page.locator("dialog[data-record-dialog]")).to_have_count(0)
    expect(page.locator("#flash .flash-message")).to_have_text(re.compile(r"^Row \d+ created in tags\.$"))
    assert _scalar(db, "select color from tags where name = 'modal-tag'") == "#0000ff"


def test_bulk_delete_from_the_table_page(live_server: Any, page: Page, db: Engine, shots: Path) -> None:
    page.set_viewport_size(SIZES["desktop"])
    page.goto(f"{live_server.url}/tables/public/tags?_sort=name")
    boxes = page.locator("input[type=checkbox][name=pk]")
    keys = [boxes.nth(i).get_attribute("value") for i in range(2)]
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.get_by_test_id("delete-selected").click()
    expect(page).to_have_url(f"{live_server.url}/tables/public/tags/delete")
    expect(page.locator(".record-lead")).to_contain_text("Deleting 2 rows of public.tags")
    tagged = _scalar(db, f"select count(*) from client_tags where tag_id in ({keys[0]}, {keys[1]})")
    if tagged:
        expect(page.get_by_test_id("delete-effects")).to_contain_text("public.client_tags")
    _shoot(page, shots, "bulk-delete")
    page.get_by_test_id("delete-confirm").click()
    expect(page.get_by_test_id("delete-done")).to_contain_text("Deleted 2 rows from tags")
    assert _scalar(db, f"select count(*) from tags where id in ({keys[0]}, {keys[1]})") == 0
    page.get_by_role("link", name="Back to table").first.click()
    expect(page).to_have_url(f"{live_server.url}/tables/public/tags")


def test_save_anyway_keeps_the_other_tabs_change_and_shows_the_conflict(live_server: Any, browser: Browser,
                                                                          db: Engine, shots: Path) -> None:
    """Tab A renames client 5; tab B, opened before, changes the e-mail in the dialog over the table. B's save
    shows the conflict where B looks (the banner scrolled into the dialog's view), and "Save anyway" writes
    B's e-mail while A's name stays."""
    short = {"width": 1280, "height": 620}  # the form is taller than the dialog: its body scrolls
    tab_a, tab_b = (browser.new_context(viewport=short).new_page() for _ in range(2))
    tab_b.goto(f"{live_server.url}/tables/public/clients?_sort=id")
    tab_b.locator('table.browse-table a[hx-get][href$="/rows/5/edit"]').click()
    dialog = tab_b.locator("dialog[data-record-dialog]")
    expect(dialog.locator("#f_email")).to_be_visible()

    tab_a.goto(f"{live_server.url}/tables/public/clients/rows/5/edit")
    tab_a.locator("#f_full_name").fill("Renamed in tab A")
    tab_a.get_by_test_id("record-save").click()
    tab_a.wait_for_url(re.compile(r"/tables/public/clients/rows/5$"))

    dialog.locator("#f_email").fill("changed.in.tab.b@example.com")
    dialog.get_by_test_id("record-save").click()  # scrolled to the bottom of the dialog to reach it
    conflict = dialog.get_by_test_id("conflict")
    expect(conflict).to_contain_text("Someone changed this row after you opened it")
    expect(conflict.locator(".record-conflict-title")).to_be_in_viewport(ratio=1)
    body, banner = dialog.locator(".dialog-body").bounding_box(), conflict.bounding_box()
    assert body and banner and body["y"] <= banner["y"] < body["y"] + body["height"], (body, banner)
    expect(conflict.locator("tr[data-kept=theirs]", has_text="full_name")).to_contain_text("Renamed in tab A")
    expect(conflict.locator("tr[data-kept=yours]", has_text="email")).to_contain_text("changed.in.tab.b@")
    expect(dialog.locator("#f_full_name")).to_have_value("Renamed in tab A")  # their change is in the form
    _shoot(tab_b, shots, "conflict-merge")

    dialog.get_by_test_id("record-save").click()  # "Save anyway"
    expect(tab_b.locator("#flash .flash-message")).to_have_text("Row 5 of clients saved.")
    assert _scalar(db, "select full_name || ' / ' || email from clients where id = 5") == (
        "Renamed in tab A / changed.in.tab.b@example.com")
    tab_a.context.close()
    tab_b.context.close()
