"""A delete confirmed in the dialog over the table tells the page to refresh the table (HX-Trigger), and
"Delete selected" is marked as needing a ticked row (static/js/tables.js disables it until then)."""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import Engine, text


def test_a_delete_in_the_dialog_triggers_the_tables_refresh(client: Any, db: Engine, token: str) -> None:
    hx = {"hx-request": "true", "x-csrftoken": token,
          "hx-current-url": "http://testserver/tables/public/tags?_sort=name&_size=25"}
    with db.connect() as conn:
        tag = conn.execute(text("insert into tags (name, color) values ('short-lived', '#abcdef') returning id")
                           ).scalar_one()
    preview = client.post("/tables/public/tags/delete", data={"pk": str(tag)},
                          headers={**hx, "hx-target": "record_modal"})
    assert "hx-trigger" not in preview.headers  # the preview changes nothing
    done = client.post("/tables/public/tags/delete", data={"pk": str(tag), "confirm": "1"},
                       headers={**hx, "hx-target": "record_delete"})
    assert "Deleted 1 row from tags" in done.text and "<dialog" not in done.text
    assert "rows-deleted" in json.loads(done.headers["hx-trigger"])
    assert 'href="/tables/public/tags?_sort=name&amp;_size=25"' in done.text  # the view under the dialog
    plain = client.post("/tables/public/tags/delete", data={"pk": "1", "confirm": "1"}, headers={"x-csrftoken": token})
    assert plain.status_code == 200 and "hx-trigger" not in plain.headers and "<html" in plain.text


def test_delete_selected_needs_a_ticked_row(client: Any) -> None:
    page = client.get("/tables/public/tags").text
    button = re.search(r'<button[^>]*data-testid="delete-selected"[^>]*>', page)
    assert button and 'data-needs-selection="bulk-delete"' in button.group(0)
    assert "disabled" not in button.group(0)  # without JavaScript it stays usable; the server checks
