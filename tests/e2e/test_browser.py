"""E2E: a person browses tables in Chromium: list, filter, sort, page deep, count, open a row, export."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect


def test_browse_sort_filter_page_and_export(live_server: Any, page: Page, shots: Path) -> None:
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{live_server.url}/tables")
    expect(page.get_by_test_id("relations")).to_contain_text("operations")

    # live filter of the relation list (htmx), and the URL follows
    page.keyboard.press("/")
    page.keyboard.type("oper")
    expect(page.get_by_test_id("relations").locator("a.rel-name")).to_have_count(1)
    expect(page).to_have_url(f"{live_server.url}/tables?q=oper")
    page.get_by_role("link", name="operations", exact=True).click()
    expect(page.get_by_test_id("row-count")).to_have_text("5,000 rows")
    rows = page.get_by_test_id("rows").locator("tbody tr")
    expect(rows).to_have_count(100)
    page.screenshot(path=str(shots / "browser-operations.png"))

    # sort by price descending: click twice
    page.get_by_test_id("sort-price").click()
    expect(page).to_have_url(f"{live_server.url}/tables/public/operations?_sort=price")
    page.get_by_test_id("sort-price").click()
    expect(page).to_have_url(f"{live_server.url}/tables/public/operations?_sort=price&_desc=1")
    prices = [float(t) for t in rows.locator("td:nth-child(7)").all_inner_texts()[:5]]
    assert prices == sorted(prices, reverse=True)

    # filter: side = SELL, then a bad value shows a message next to the filter
    page.get_by_test_id("filter-column").select_option("side")
    page.get_by_test_id("filter-op").select_option("eq")
    page.get_by_test_id("filter-value").fill("SELL")
    page.get_by_test_id("apply-filters").click()
    expect(page).to_have_url(f"{live_server.url}/tables/public/operations?_sort=price&_desc=1&side__eq=SELL")
    expect(page.get_by_test_id("rows").locator("tbody tr td:nth-child(5)").first).to_have_text("SELL")
    page.get_by_test_id("filter-column").select_option("quantity")
    page.get_by_test_id("filter-value").fill("abc")
    page.get_by_test_id("apply-filters").click()
    expect(page.get_by_test_id("filter-error")).to_contain_text("not a whole number")
    page.screenshot(path=str(shots / "browser-filter-error.png"))

    # page deep with keyset: next, next, then last and back, on the unfiltered table
    page.goto(f"{live_server.url}/tables/public/operations?_size=25")
    first_id = rows.first.locator("td:nth-child(2)").inner_text()
    page.get_by_test_id("next").click()
    expect(rows.first.locator("td:nth-child(2)")).to_have_text(str(int(first_id) + 25))
    page.get_by_test_id("next").click()
    expect(rows.first.locator("td:nth-child(2)")).to_have_text(str(int(first_id) + 50))
    expect(page).to_have_url(re.compile(r"_after="))
    third_first = int(rows.first.locator("td:nth-child(2)").inner_text())
    assert third_first == int(first_id) + 50
    page.get_by_test_id("last").click()
    expect(rows.last.locator("td:nth-child(2)")).to_have_text("5000")
    expect(page.get_by_test_id("next")).to_have_attribute("aria-disabled", "true")
    page.get_by_test_id("prev").click()
    expect(rows.last.locator("td:nth-child(2)")).to_have_text("4975")
    page.reload()  # the URL alone restores the page
    expect(rows.last.locator("td:nth-child(2)")).to_have_text("4975")

    # open a row from the table, see its reverse relations
    page.goto(f"{live_server.url}/tables/public/accounts")
    page.get_by_test_id("rows").locator("tbody tr").first.locator("a.pk").click()  # the key opens the row
    expect(page.get_by_test_id("references")).to_contain_text("operations")
    page.get_by_test_id("references").get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/tables/public/operations\?account_id__eq=\d+$"))

    # export the filtered view as CSV
    page.goto(f"{live_server.url}/tables/public/operations?side__eq=BUY&_sort=quantity")
    with page.expect_download() as info:
        page.get_by_test_id("export-csv").click()
    download = info.value
    assert download.suggested_filename == "operations.csv"
    content = Path(download.path()).read_text()
    exported = list(csv.DictReader(io.StringIO(content)))
    assert exported and all(r["side"] == "BUY" for r in exported)
    quantities = [int(r["quantity"]) for r in exported]
    assert quantities == sorted(quantities)


def test_count_exactly_and_page_size(live_server: Any, page: Page) -> None:
    page.goto(f"{live_server.url}/tables/public/operations?_size=25")
    expect(page.get_by_test_id("rows").locator("tbody tr")).to_have_count(25)
    page.get_by_test_id("size-50").click()
    expect(page.get_by_test_id("rows").locator("tbody tr")).to_have_count(50)
    expect(page).to_have_url(f"{live_server.url}/tables/public/operations?_size=50")


def test_each_view_fits_desktop_and_tablet_in_both_themes(live_server: Any, page: Page, shots: Path) -> None:
    """Each view in both themes at desktop and tablet width: its theme applied, its content shown, nothing wider
    than the window; the pictures (tables-*.png) are for people to look at."""
    views = {"list": "/tables", "table": "/tables/public/clients?_sort=birth_date&birth_date__gte=abc",
             "row": "/tables/public/accounts/rows/1"}
    shown = {"list": lambda: page.get_by_role("link", name="clients", exact=True),
             "table": lambda: page.get_by_test_id("filter-error"),
             "row": lambda: page.get_by_text("accounts", exact=False).first}
    for theme in ("dark", "light"):
        page.emulate_media(color_scheme=theme)
        page.goto(f"{live_server.url}/tables")
        page.evaluate("theme => localStorage.setItem('pgadmin-py-theme', theme)", theme)
        for width, height, tag in ((1440, 900, "desktop"), (820, 1180, "tablet")):
            page.set_viewport_size({"width": width, "height": height})
            for name, path in views.items():
                page.goto(f"{live_server.url}{path}")
                expect(page.locator("html")).to_have_attribute("data-theme", theme)
                expect(shown[name]()).to_be_visible()
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 0, (name, tag, theme, overflow)
                page.screenshot(path=str(shots / f"tables-{name}-{tag}-{theme}.png"))


def test_new_and_edit_open_as_a_modal_over_the_table(live_server: Any, page: Page, shots: Path) -> None:
    """The records forms (records feature) open over the table; saving comes back to the same view."""
    page.set_viewport_size({"width": 1440, "height": 900})
    view = f"{live_server.url}/tables/public/tags?_sort=name&_desc=1"
    page.goto(view)
    page.get_by_test_id("new-row").click()
    dialog = page.locator("dialog[data-record-dialog]")
    expect(dialog).to_be_visible()
    expect(page).to_have_url(view)  # the table stays underneath, its URL unchanged
    dialog.locator("#f_name").fill("zz-from-the-browser")
    dialog.locator("#f_color").fill("#123456")
    page.screenshot(path=str(shots / "browser-new-row-modal.png"))
    dialog.get_by_test_id("record-save").click()
    page.wait_for_url(view)
    expect(page.get_by_test_id("rows").locator("tbody tr").first).to_contain_text("zz-from-the-browser")
    page.get_by_test_id("rows").locator("tbody tr").first.get_by_role("link", name="Edit").click()
    expect(page.locator("dialog[data-record-dialog] #f_name")).to_have_value("zz-from-the-browser")


def test_filter_row_offers_what_fits_the_column(live_server: Any, page: Page) -> None:
    page.goto(f"{live_server.url}/tables/public/operations")
    page.get_by_test_id("filter-column").select_option("side")
    expect(page.get_by_test_id("filter-op").locator("option[value=contains]")).to_be_disabled()
    expect(page.get_by_test_id("filter-value")).to_have_attribute("list", re.compile(r"browse-values-\d+"))
    suggestions = page.locator(f"datalist#{page.get_by_test_id('filter-value').get_attribute('list')} option")
    expect(suggestions).to_have_count(2)
    page.get_by_test_id("filter-column").select_option("price")
    expect(page.get_by_test_id("filter-op").locator("option[value=gte]")).to_be_enabled()
    expect(page.get_by_test_id("filter-op").locator("option[value=startswith]")).to_be_disabled()
    page.get_by_test_id("filter-op").select_option("gte")
    page.get_by_test_id("filter-value").fill("1000")
    page.get_by_test_id("apply-filters").click()
    expect(page).to_have_url(f"{live_server.url}/tables/public/operations?price__gte=1000")
    prices = [float(t) for t in page.get_by_test_id("rows").locator("tbody tr td:nth-child(7)").all_inner_texts()]
    assert prices and min(prices) >= 1000
