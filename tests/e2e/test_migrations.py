"""E2E: the migrations pages in real Chromium against the real server, as a user clicks through them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

OBSERVE_LOG = """() => {
  window.__logBatches = [];
  const log = document.querySelector('#log');
  new MutationObserver((records) => {
    const added = records.reduce((n, r) => n + r.addedNodes.length, 0);
    if (added) window.__logBatches.push([performance.now(), added]);
  }).observe(log, {childList: true});
  return log.querySelectorAll('.log-line').length;
}"""


def test_graph_revision_apply_rollback_restore(live_server: Any, page: Page, shots: Path) -> None:
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{live_server.url}/migrations")
    rows = page.locator(".mig-row")
    expect(rows).to_have_count(8)
    expect(page.locator('.mig-row[data-rev="4c0d8a2e9f65"]')).to_contain_text("pending")
    expect(page.get_by_test_id("mig-stats")).to_contain_text("7a6c0f9e3b18")
    page.screenshot(path=str(shots / "migrations-e2e-graph.png"))

    # open a revision: highlighted source, its SQL both ways (rendered in the background, filled in by htmx)
    page.locator('.mig-row[data-rev="4c0d8a2e9f65"] a.rev-id').click()
    expect(page.get_by_test_id("source").locator(".hl")).to_be_visible()
    expect(page.get_by_test_id("sql-up")).to_contain_text("ALTER TABLE clients ADD COLUMN notes TEXT", timeout=60_000)
    expect(page.get_by_test_id("sql-down")).to_contain_text("drops column notes", timeout=60_000)
    page.screenshot(path=str(shots / "migrations-e2e-revision.png"))

    # apply the two pending migrations, watching the log stream in
    page.get_by_role("link", name="Back to the graph").click()
    page.get_by_test_id("upgrade-heads").click()
    expect(page.get_by_test_id("plan-revisions")).to_contain_text("2 revisions will run")
    page.get_by_test_id("confirm-button").click()
    expect(page).to_have_url(re.compile(r"/migrations/runs/\d+$"))
    first_paint = page.evaluate(OBSERVE_LOG)
    expect(page.get_by_test_id("run-status")).to_contain_text("succeeded", timeout=60_000)
    batches = page.evaluate("window.__logBatches")
    total = page.locator("#log .log-line").count()
    assert total > first_paint, "no line arrived after the page was shown"
    assert len(batches) >= 2, f"the log arrived in one piece, not streamed: {batches}"
    expect(page.get_by_test_id("log")).to_contain_text("Running upgrade 4c0d8a2e9f65 -> b93e1f7c5a20")
    expect(page.get_by_test_id("run-now")).to_contain_text("b93e1f7c5a20")
    page.screenshot(path=str(shots / "migrations-e2e-run.png"), full_page=True)

    # roll back one step, with the typed confirmation
    page.get_by_role("link", name="Graph", exact=True).first.click()
    page.get_by_test_id("downgrade-one").click()
    page.get_by_test_id("confirm-input").fill("4c0d8a2e9f65")
    page.get_by_test_id("confirm-button").click()
    expect(page.get_by_test_id("run-status")).to_contain_text("succeeded", timeout=60_000)
    expect(page.get_by_test_id("run-now")).to_contain_text("4c0d8a2e9f65")

    # restore the backup taken before the rollback: the database is back at b93e1f7c5a20
    page.get_by_role("link", name="Backups").click()
    backups = page.get_by_test_id("backups").locator("tbody tr")
    expect(backups).to_have_count(2)
    expect(backups.first).to_contain_text("b93e1f7c5a20")
    page.screenshot(path=str(shots / "migrations-e2e-backups.png"))
    backups.first.get_by_role("link", name="Restore…").click()
    database = page.get_by_test_id("restore-source").locator("strong.mono").inner_text()
    expect(page.get_by_test_id("restore-source")).to_contain_text("on this server")
    page.screenshot(path=str(shots / "migrations-e2e-restore.png"), full_page=True)
    page.get_by_test_id("confirm-input").fill(f"{database}@b93e1f7c5a20")  # names the source: database, revision
    page.get_by_test_id("confirm-button").click()
    expect(page.get_by_test_id("run-status")).to_contain_text("succeeded", timeout=60_000)
    expect(page.get_by_test_id("run-now")).to_contain_text("b93e1f7c5a20")
    page.goto(f"{live_server.url}/migrations/runs")
    expect(page.get_by_test_id("runs").locator("tbody tr")).to_have_count(3)
    expect(page.get_by_test_id("runs")).to_contain_text("restore")
    page.goto(f"{live_server.url}/migrations")
    expect(page.get_by_test_id("mig-stats")).to_contain_text("b93e1f7c5a20")
