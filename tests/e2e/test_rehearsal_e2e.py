"""E2E: rehearse a plan in real Chromium (Rehearse next to Apply, the run's page labelled a rehearsal, the result
on the plan and in the run history), and the revision facts (the author, View file); screenshots at desktop and
tablet width in both themes."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from pgadmin_py.core.dburl import DatabaseUrl

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration" / "migrations"))

from rehearsal_support import alembic, copy_project, env_for, git, scratch_left


def themed(page: Page, theme: str) -> None:
    page.emulate_media(color_scheme=theme)
    page.evaluate("t => { localStorage.setItem('pgadmin-py-theme', t); "
                  "document.documentElement.setAttribute('data-theme', t); }", theme)


def test_rehearse_from_the_plan_and_read_the_result(start_server: Any, empty_db: DatabaseUrl, tmp_path: Path,
                                                    page: Page, shots: Path) -> None:
    project = copy_project(tmp_path)
    git(project, "init", "-q")
    git(project, "add", ".", author="Grace Hopper")
    git(project, "commit", "-qm", "the shop's first revisions", author="Grace Hopper")
    alembic(empty_db, "upgrade", "rh01")
    server = start_server(env_for(project, empty_db, tmp_path / "data"))
    page.set_viewport_size({"width": 1440, "height": 900})
    # a failing rehearsal: the unique index over duplicates
    page.goto(f"{server.url}/migrations/plan?action=upgrade&target=rh03")
    expect(page.get_by_test_id("rehearsal")).to_contain_text("Not rehearsed yet")
    page.get_by_test_id("rehearse-button").click()
    expect(page.get_by_test_id("run-rehearsal")).to_be_visible()
    expect(page.get_by_test_id("run-status")).to_contain_text("rehearsal failed", timeout=120_000)
    expect(page.get_by_test_id("rehearsal-statement")).to_contain_text("CREATE UNIQUE INDEX uq_customers_email")
    expect(page.get_by_test_id("rehearsal-error")).to_contain_text("could not create unique index")
    # a passing one
    page.goto(f"{server.url}/migrations/plan?action=upgrade&target=rh02")
    page.get_by_test_id("rehearse-button").click()
    expect(page.get_by_test_id("run-status")).to_contain_text("rehearsal passed", timeout=120_000)
    run_url = page.url
    page.goto(f"{server.url}/migrations/plan?action=upgrade&target=rh02")
    card = page.get_by_test_id("rehearsal")
    expect(card).to_contain_text("rehearsal passed")
    card.locator("details.rh-stmts summary").first.click()
    expect(card.locator("details.rh-stmts li")).to_have_count(3)
    assert scratch_left(empty_db) == []

    for theme in ("dark", "light"):
        themed(page, theme)
        for width, height, tag in ((1440, 900, "desktop"), (820, 1180, "tablet")):
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"{server.url}/migrations/plan?action=upgrade&target=rh03")
            page.get_by_test_id("rehearsal").scroll_into_view_if_needed()
            page.evaluate("window.scrollBy(0, -120)")
            page.screenshot(path=str(shots / f"rehearsal-plan-failed-{tag}-{theme}.png"))
            page.goto(f"{server.url}/migrations/plan?action=upgrade&target=rh02")
            page.get_by_test_id("rehearsal").locator("details.rh-stmts summary").first.click()
            page.get_by_test_id("rehearsal").scroll_into_view_if_needed()
            page.evaluate("window.scrollBy(0, -120)")
            page.screenshot(path=str(shots / f"rehearsal-plan-passed-{tag}-{theme}.png"))
            page.goto(run_url)
            page.screenshot(path=str(shots / f"rehearsal-run-{tag}-{theme}.png"))
            page.goto(f"{server.url}/migrations/runs")
            page.screenshot(path=str(shots / f"rehearsal-runs-{tag}-{theme}.png"))
            page.goto(f"{server.url}/migrations")
            page.screenshot(path=str(shots / f"rehearsal-graph-{tag}-{theme}.png"))
            page.goto(f"{server.url}/migrations/rh01")
            expect(page.get_by_test_id("author")).to_contain_text("Grace Hopper")
            page.screenshot(path=str(shots / f"revision-author-{tag}-{theme}.png"))
            page.get_by_test_id("view-file").click()
            expect(page.get_by_test_id("file-source")).to_contain_text("def upgrade")
            page.screenshot(path=str(shots / f"revision-file-{tag}-{theme}.png"))
