"""Helpers of the e2e tests of the table pages: a value from the database, screenshots in each size and theme."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page
from sqlalchemy import Engine, text

SIZES = {"desktop": {"width": 1440, "height": 900}, "tablet": {"width": 820, "height": 1180}}


def scalar(db: Engine, query: str) -> Any:
    with db.connect() as conn:
        return conn.execute(text(query)).scalar()


def shoot(page: Page, shots: Path, name: str, *, full_tablet: bool = True) -> None:
    """The current page at both sizes and both themes (``<name>-<size>-<theme>.png``)."""
    for size, viewport in SIZES.items():
        for theme in ("dark", "light"):
            page.set_viewport_size(viewport)
            page.evaluate("t => { localStorage.setItem('pgadmin-py-theme', t); "
                          "document.documentElement.setAttribute('data-theme', t); }", theme)
            page.screenshot(path=str(shots / f"{name}-{size}-{theme}.png"), full_page=full_tablet and size == "tablet")
    page.set_viewport_size(SIZES["desktop"])
