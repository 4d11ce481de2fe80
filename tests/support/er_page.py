"""What a person sees of the ER diagram page in the browser, measured the same way by every e2e test."""

from __future__ import annotations

import random

import psycopg
from playwright.sync_api import Page

from pgadmin_py.core.dburl import DatabaseUrl

MIN_FONT_JS = """() => {
  const svg = document.querySelector('.diagram-canvas svg.er');
  const scale = svg.getScreenCTM().a;
  return Math.min(...[...svg.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize) * scale));
}"""

# Every table (or group) box not wholly inside the canvas's visible area (its client box: no scrollbars) and the
# window (no scrolling the page either).
OUTSIDE_CANVAS_JS = """() => {
  const canvas = document.querySelector('.diagram-canvas');
  const c = canvas.getBoundingClientRect();
  const left = c.left + canvas.clientLeft, top = c.top + canvas.clientTop;
  const right = Math.min(left + canvas.clientWidth, innerWidth);
  const bottom = Math.min(top + canvas.clientHeight, innerHeight);
  return [...canvas.querySelectorAll('[data-table] > .er-box')].map(box => {
    const r = box.getBoundingClientRect();
    const name = box.parentElement.dataset.table;
    return r.left >= left - 0.5 && r.top >= top - 0.5 && r.right <= right + 0.5 && r.bottom <= bottom + 0.5
      ? null : `${name} at (${r.left.toFixed(0)},${r.top.toFixed(0)})-(${r.right.toFixed(0)},${r.bottom.toFixed(0)})`
        + ` canvas (${left.toFixed(0)},${top.toFixed(0)})-(${right.toFixed(0)},${bottom.toFixed(0)})`;
  }).filter(Boolean);
}"""


def fit(page: Page) -> float:
    """Press Fit; the smallest text on the canvas in screen pixels."""
    page.get_by_role("button", name="Fit").click()
    return float(page.evaluate(MIN_FONT_JS))


def hundred_tables(url: DatabaseUrl) -> None:
    """A schema ``big`` of 100 tables, each referencing up to 3 earlier ones (seeded: always the same)."""
    rnd = random.Random(7)
    statements = ["create schema big"]
    for i in range(100):
        parents = rnd.sample(range(i), min(i, rnd.randint(0, 3))) if i else []
        cols = ["id integer primary key"] + [f"t{j}_id integer references big.t{j}(id)" for j in parents]
        cols += [f"c{k} text" for k in range(rnd.randint(1, 12))]
        statements.append(f"create table big.t{i} ({', '.join(cols)})")
    with psycopg.connect(url.libpq(), autocommit=True) as conn:
        for sql in statements:
            conn.execute(sql)  # type: ignore[arg-type]
