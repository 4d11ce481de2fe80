"""E2E (issue 13 §4): in real Chromium, an upgrade with a targeted backup shows its schema change in words and
as a diff; a faithful downgrade is verified; a forgetful one lists what differs; the backups page says which
kind each backup is. Screenshots at desktop and tablet width in both themes."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from pgadmin_py.core.dburl import DatabaseUrl

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration" / "migrations"))

from mig_support import project_env


def apply(page: Page, base: str, action: str, target: str, confirm: str = "", backup: str = "") -> str:
    """Confirm ``action target`` on its plan page; the run page's URL once the run succeeded."""
    page.goto(f"{base}/migrations/plan?action={action}&target={target}")
    expect(page.get_by_test_id("backup-choice")).not_to_have_attribute("aria-busy", "true", timeout=60_000)
    if backup:
        page.get_by_test_id(f"backup-{backup}").check()
    if confirm:
        page.get_by_test_id("confirm-input").fill(confirm)
    page.get_by_test_id("confirm-button").click()
    expect(page.get_by_test_id("run-ok")).to_be_visible(timeout=60_000)
    return page.url


def test_schema_change_verified_downgrades_and_backup_kinds(start_server: Any, empty_db: DatabaseUrl,
                                                           tmp_path: Path, page: Page, shots: Path) -> None:
    server = start_server(project_env("rollback", empty_db, tmp_path))
    page.set_viewport_size({"width": 1440, "height": 900})
    base = server.url
    apply(page, base, "upgrade", "b1000000000a")

    page.goto(f"{base}/migrations/plan?action=upgrade&target=b2000000000b")
    expect(page.get_by_test_id("backup-targeted")).to_be_checked(timeout=60_000)
    expect(page.get_by_test_id("backup-choice")).to_contain_text("plus the rows of orders, customers")
    page.get_by_test_id("confirm-button").click()
    expect(page.get_by_test_id("schema-words")).to_contain_text("type of customers.age: integer → bigint",
                                                                timeout=60_000)
    upgrade_run = page.url
    expect(page.get_by_test_id("log")).to_contain_text("targeted: every definition + the rows of")

    matching = apply(page, base, "downgrade", "b1000000000a", "b1000000000a")
    expect(page.get_by_test_id("run-verified")).to_contain_text("Schema matches the state before revision "
                                                                "b2000000000b")
    apply(page, base, "upgrade", "b2000000000b")
    apply(page, base, "upgrade", "b3000000000c", backup="full")
    differing = apply(page, base, "downgrade", "b2000000000b", "b2000000000b")
    verified = page.get_by_test_id("run-verified")
    expect(verified).to_contain_text("does not match the state before revision b3000000000c")
    expect(page.get_by_test_id("verify-differences")).to_contain_text(
        "left behind: index ix_customers_name on customers")
    page.goto(f"{base}/migrations/backups")
    expect(page.get_by_test_id("backups")).to_contain_text("targeted")
    expect(page.get_by_test_id("backups")).to_contain_text("the whole database")
    targeted_row = page.locator("[data-testid=backups] tbody tr", has_text="rows of alembic_version").first
    restore = f"{base}{targeted_row.get_by_role('link', name='Restore…').get_attribute('href')}"
    page.goto(restore)
    expect(page.get_by_test_id("restore-what")).to_contain_text("only the tables it holds rows of are dropped")

    for theme in ("dark", "light"):
        page.emulate_media(color_scheme=theme)
        page.evaluate("t => { localStorage.setItem('pgadmin-py-theme', t); "
                      "document.documentElement.setAttribute('data-theme', t); }", theme)
        for width, height, tag in ((1440, 900, "desktop"), (820, 1180, "tablet")):
            page.set_viewport_size({"width": width, "height": height})
            for name, url, spot in (("run-upgrade", upgrade_run, "schema-change"),
                                    ("run-downgrade-matches", matching, "run-verified"),
                                    ("run-downgrade-differs", differing, "run-verified")):
                page.goto(url)
                for details in page.locator("[data-testid=outcome] details").all():
                    details.locator("summary").click()
                target = page.get_by_test_id(spot)
                target.scroll_into_view_if_needed()
                header = 150 if tag == "tablet" else 90
                page.evaluate("y => window.scrollTo(0, window.scrollY + y)",
                              target.bounding_box()["y"] - header)  # type: ignore[index]
                page.screenshot(path=str(shots / f"schema-{name}-{tag}-{theme}.png"))
            page.goto(f"{base}/migrations/plan?action=upgrade&target=b3000000000c")
            choice = page.get_by_test_id("backup-choice")
            expect(choice).to_contain_text("Targeted", timeout=60_000)
            choice.scroll_into_view_if_needed()
            page.screenshot(path=str(shots / f"schema-plan-backup-{tag}-{theme}.png"))
            page.goto(f"{base}/migrations/backups")
            page.screenshot(path=str(shots / f"schema-backups-{tag}-{theme}.png"))
            page.goto(restore)
            page.screenshot(path=str(shots / f"schema-restore-{tag}-{theme}.png"))
    assert re.search(r"/migrations/runs/\d+$", differing)
