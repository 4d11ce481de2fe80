"""E2E: a developer reads the models, searches, opens one, jumps to its data."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect


def test_models_search_open_and_jump_to_data(page: Page, live_server, shots: Path) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{live_server.url}/models")
    expect(page.locator('[data-model="Client"]')).to_be_visible()
    expect(page.get_by_test_id("cascade-note").first).to_contain_text("Instrument")
    page.screenshot(path=str(shots / "models-index.png"))

    page.keyboard.press("/")
    page.keyboard.type("email")
    expect(page.locator('[data-model="Operation"]')).to_have_count(0)
    expect(page.locator('[data-model="Client"]')).to_be_visible()
    expect(page).to_have_url(re.compile(r"/models\?q=email"))
    expect(page.locator('[data-model="Client"] [data-column="email"]')).to_be_visible()

    page.locator('[data-model="Client"] .model-name a').click()
    expect(page.get_by_role("heading", name="Client", exact=True)).to_be_visible()
    expect(page.get_by_test_id("model-drift")).to_contain_text("notes")
    expect(page.get_by_test_id("touches")).to_contain_text("add_column notes")
    page.screenshot(path=str(shots / "models-client.png"), full_page=True)

    page.get_by_test_id("model-data").click()
    expect(page).to_have_url(re.compile(r"/tables/public/clients"))
