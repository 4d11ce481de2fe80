"""Compose discovery found a server that wants a password: the page a person sees, and what happens next."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect


def test_the_credentials_page_asks_then_opens_the_dashboard(page: Page, password_server: Any, start_server: Any,
                                                             tmp_path: Path, shots: Path) -> None:
    server = start_server({"DISCOVER_HOSTS": f"127.0.0.1:{password_server.port}",
                           "POSTGRES_USER": password_server.user, "POSTGRES_DB": password_server.database,
                           "PROJECT_DIR": str(tmp_path), "DATA_DIR": str(tmp_path / "data")})
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    for theme in ("dark", "light"):
        page.emulate_media(color_scheme=theme)
        page.goto(server.url + "/")
        page.evaluate("theme => localStorage.setItem('pgadmin-py-theme', theme)", theme)
        for width, height, tag in ((1280, 800, "desktop"), (820, 1180, "tablet")):
            page.set_viewport_size({"width": width, "height": height})
            page.goto(server.url + "/")
            expect(page.locator("html")).to_have_attribute("data-theme", theme)
            expect(page.get_by_role("heading", name="Connect to PostgreSQL")).to_be_visible()
            page.screenshot(path=str(shots / f"credentials-{tag}-{theme}.png"))

    page.set_viewport_size({"width": 1280, "height": 800})
    where = f"{password_server.user}@127.0.0.1:{password_server.port}/{password_server.database}"
    expect(page.get_by_text(where)).to_be_visible()
    expect(page.get_by_label("User")).to_have_value(password_server.user)
    expect(page.get_by_label("Database")).to_have_value(password_server.database)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Connect").click()
    expect(page.get_by_role("alert")).to_contain_text("Password authentication failed for user")
    page.get_by_text("How it was found").click()
    expect(page.locator(".credentials-found p")).to_contain_text(f"127.0.0.1:{password_server.port}")
    page.screenshot(path=str(shots / "credentials-desktop-light-wrong-password.png"))

    page.get_by_label("Password").fill(password_server.password)
    page.get_by_role("button", name="Connect").click()
    expect(page.get_by_role("heading", name="Connected")).to_be_visible()
    expect(page).to_have_url(server.url + "/", timeout=60_000)
    expect(page.locator(".db-label")).to_contain_text(password_server.database, timeout=60_000)
    expect(page.locator("body")).not_to_contain_text(password_server.password)
    page.screenshot(path=str(shots / "credentials-then-dashboard.png"))
    assert password_server.password not in server.output()
    assert not [e for e in errors if "Content Security Policy" in e], errors
