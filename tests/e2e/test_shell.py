"""A new user's first minute: the dashboard, every section from the navigation, the theme, shortcuts."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

SECTIONS = [("Migrations", "/migrations"), ("Tables", "/tables"), ("Models", "/models"),
            ("Diagram", "/diagram"), ("SQL", "/sql"), ("Dashboard", "/")]


def test_every_section_from_the_navigation(page: Page, live_server, shots: Path) -> None:  # type: ignore[no-untyped-def]
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_text("Pending migrations", exact=True)).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    for label, path in SECTIONS:
        nav.get_by_role("link", name=re.compile(label)).click()
        expect(page).to_have_url(live_server.url + path)
        expect(nav.get_by_role("link", name=re.compile(label))).to_have_attribute("aria-current", "page")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        expect(page.locator("body")).not_to_contain_text("Unexpected error")
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_theme_toggle_persists(page: Page, live_server, shots: Path) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 1440, "height": 900})
    page.emulate_media(color_scheme="light")  # the system preference is followed until the user chooses
    page.goto(live_server.url + "/")
    html = page.locator("html")
    expect(html).to_have_attribute("data-theme", "light")
    page.emulate_media(color_scheme="dark")
    page.reload()
    expect(html).to_have_attribute("data-theme", "dark")
    page.screenshot(path=str(shots / "dashboard-desktop-dark.png"), full_page=True)
    page.locator("#theme-toggle").click()
    expect(html).to_have_attribute("data-theme", "light")
    page.reload()  # the choice now wins over the system's dark preference
    expect(html).to_have_attribute("data-theme", "light")
    page.screenshot(path=str(shots / "dashboard-desktop-light.png"), full_page=True)
    page.set_viewport_size({"width": 820, "height": 1180})
    page.screenshot(path=str(shots / "dashboard-tablet-light.png"), full_page=True)
    page.locator("#theme-toggle").click()
    expect(html).to_have_attribute("data-theme", "dark")
    page.screenshot(path=str(shots / "dashboard-tablet-dark.png"), full_page=True)


def test_keyboard_shortcuts_navigate(page: Page, live_server) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_server.url + "/")
    page.keyboard.press("g")
    page.keyboard.press("t")
    expect(page).to_have_url(live_server.url + "/tables")
    page.keyboard.press("g")
    page.keyboard.press("h")
    expect(page).to_have_url(live_server.url + "/")
    page.keyboard.press("?")
    expect(page.locator("dialog#shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("dialog#shortcuts")).to_be_hidden()


def test_waiting_and_error_pages_look_finished(page: Page, live_server, shots: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_server.url + "/no/such/page")
    expect(page.get_by_text("Page not found")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    page.screenshot(path=str(shots / "error-404-desktop-dark.png"))
