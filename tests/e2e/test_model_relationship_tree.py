"""E2E: a model's relationships as a tree on its page: the model, each relationship with its direction (and the
association table of a many-to-many), its target model and the cascade, at desktop and tablet, dark and light."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect


def test_relationship_tree(page: Page, live_server, shots: Path) -> None:  # type: ignore[no-untyped-def]
    for theme in ("dark", "light"):
        page.emulate_media(color_scheme=theme)
        for label, size in (("desktop", {"width": 1440, "height": 900}), ("tablet", {"width": 820, "height": 1180})):
            page.set_viewport_size(size)
            page.goto(f"{live_server.url}/models/Client")
            tree = page.get_by_test_id("relationship-tree")
            expect(tree.locator(".rel-model")).to_have_text("Client")
            accounts = tree.locator('[data-relationship="accounts"]')
            expect(accounts).to_contain_text("one-to-many")
            expect(accounts.locator(".rel-target-name")).to_have_text("Account")
            expect(accounts).to_contain_text('cascade="all, delete-orphan"')
            expect(accounts.locator(".opt-delete")).to_be_visible()  # a cascade that deletes stands out
            broker = tree.locator('[data-relationship="broker"]')
            expect(broker).to_contain_text("many-to-one")
            expect(broker.locator(".rel-target-name")).to_have_text("Broker")
            expect(broker.locator(".opt-delete")).to_have_count(0)
            tags = tree.locator('[data-relationship="tags"]')
            expect(tags).to_contain_text("many-to-many via client_tags")
            tree.scroll_into_view_if_needed()
            page.screenshot(path=str(shots / f"model-tree-{label}-{theme}.png"))
    page.get_by_test_id("relationship-tree").locator('[data-relationship="accounts"] .rel-target-name').click()
    expect(page).to_have_url(re.compile(r"/models/Account$"))
