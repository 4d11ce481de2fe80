"""E2E property: an edit form saved untouched in Chromium changes nothing, for every type the forms support.

Each row of ``edge_values`` holds, in every column, one of that type's edge values (newlines, CRLF, lone
CR, control characters, padding, BC and far-future dates, infinities, NaN, -0, 1000-digit numerics, empty
arrays, arrays with NULLs and quotes, JSON whose whitespace and key order only ``json`` keeps, …). The
edit form of each row is opened and saved as it is: the row must stay byte-identical (every column's
text output), PostgreSQL must not have been asked to write it at all (``xmin`` unchanged), and the save
says that nothing changed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page
from sqlalchemy import Engine, create_engine

from pgadmin_py.core.dburl import DatabaseUrl
from support.edge_values import NOTHING_CHANGED, ROWS, fill, state


@pytest.fixture
def db(demo_db: DatabaseUrl) -> Iterator[Engine]:
    engine = create_engine(demo_db.sqlalchemy(), isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


def test_an_untouched_edit_form_saves_nothing_for_every_type(live_server: Any, page: Page, db: Engine,
                                                            shots: Path) -> None:
    edges = fill(db)
    changed: dict[int, dict[str, tuple[str | None, str | None]]] = {}
    refused: dict[int, str] = {}
    said: dict[int, str] = {}
    for row in range(1, ROWS + 1):
        xmin, whole, before = state(db, row, edges)
        page.goto(f"{live_server.url}/tables/public/edge_values/rows/{row}/edit")
        if row == 2:  # CR LF in text, a varchar and a char: multi-line boxes; BC and far-future dates as text
            page.screenshot(path=str(shots / "records-edge-values-form.png"), full_page=True)
        page.get_by_test_id("record-save").click()
        page.locator("#flash .flash-message, .field-error, .record-errors").first.wait_for()
        flash = page.locator("#flash .flash-message")
        if not flash.count():
            errors = page.locator(".record-field.has-error, .record-errors").all_inner_texts()
            refused[row] = " | ".join(e.replace("\n", " ") for e in errors)[:600]
        elif (message := flash.inner_text().strip()) != NOTHING_CHANGED.format(row=row):
            said[row] = message
        after_xmin, after_whole, after = state(db, row, edges)
        diff = {n: (before[n], after[n]) for n in edges if before[n] != after[n]}
        if diff or after_whole != whole or after_xmin != xmin:
            changed[row] = diff or {"xmin": (xmin, after_xmin)}
    print(f"no-op edit round trip: {len(changed)} changed and {len(refused)} refused rows of {ROWS}, "
          f"over {len(edges)} columns of {len({t for t, _ in edges.values()})} types; columns written: "
          f"{sorted({c for diff in changed.values() for c in diff})}")
    assert not refused, f"{len(refused)} of {ROWS} untouched rows could not be saved: {refused}"
    assert not changed, f"{len(changed)} of {ROWS} untouched rows were written: {changed}"
    assert not said, f"the save did not say that nothing changed: {said}"
