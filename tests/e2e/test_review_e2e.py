"""E2E: the plan page's review in real Chromium: findings next to their statements, the safe way copied to the
clipboard, a link to the rows behind a data finding; screenshots at desktop and tablet width in both themes."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from pgadmin_py.core.dburl import DatabaseUrl

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration" / "migrations"))

from review_support import at_base, project_env

PLAN = "/migrations/plan?action=upgrade&target=heads"


def test_review_findings_next_to_statements(start_server: Any, empty_db: DatabaseUrl, tmp_path: Path, page: Page,
                                            shots: Path) -> None:
    at_base(empty_db)
    server = start_server(project_env(empty_db, tmp_path))
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{server.url}{PLAN}")
    review = page.get_by_test_id("review")
    expect(review).to_be_visible(timeout=120_000)  # htmx fills in the SQL, then its review
    unique = page.locator('[data-testid="stmt"]', has_text="ADD CONSTRAINT uq_customers_email UNIQUE")
    expect(unique.locator('[data-rule="unique-over-duplicates"]')).to_contain_text("100 values of email")
    expect(unique.locator('[data-rule="disallowed-unique-constraint"]')).to_be_visible()
    # a note (the lock: harmless at this size) opens on a click; the safe way is copied as it is shown
    unique.locator('[data-rule="disallowed-unique-constraint"] summary').click()
    unique.locator('[data-rule="disallowed-unique-constraint"] .rv-copy').click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "postgresql_concurrently=True" in copied and "UNIQUE USING INDEX uq_customers_email" in copied
    expect(unique.locator('[data-rule="disallowed-unique-constraint"] .rv-copy')).to_have_text("Copied")

    for theme in ("dark", "light"):
        page.emulate_media(color_scheme=theme)
        page.evaluate("t => { localStorage.setItem('pgadmin-py-theme', t); "
                      "document.documentElement.setAttribute('data-theme', t); }", theme)
        for width, height, tag in ((1280, 900, "desktop"), (820, 1180, "tablet")):
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"{server.url}{PLAN}")
            expect(page.get_by_test_id("review")).to_be_visible()
            page.screenshot(path=str(shots / f"review-plan-{tag}-{theme}.png"))
            spots = {"summary": page.get_by_test_id("review-summary"),
                     "unique": page.locator('[data-testid="stmt"]', has_text="uq_customers_email UNIQUE"),
                     "drop": page.locator('[data-testid="stmt"]', has_text="DROP COLUMN legacy_note")}
            for name, spot in spots.items():
                spot.scroll_into_view_if_needed()
                header = 150 if tag == "tablet" else 90  # the tablet's top bar and tabs stay on screen
                page.evaluate("y => window.scrollTo(0, window.scrollY + y)",
                              spot.bounding_box()["y"] - header)  # type: ignore[index]
                page.screenshot(path=str(shots / f"review-{name}-{tag}-{theme}.png"))

    # a data finding links to its rows in the data browser
    page.locator('[data-rule="not-null-over-nulls"] [data-testid="finding-link"]').first.click()
    expect(page).to_have_url(f"{server.url}/tables/public/customers?name__isnull=")
    expect(page.get_by_test_id("rows").locator("tbody tr")).to_have_count(20)
