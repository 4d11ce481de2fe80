"""Alembic's version table is written only after a confirmation that says what it breaks (server-side)."""

from __future__ import annotations

import re
from typing import Any

from records_formhtml import form_values
from sqlalchemy import Engine, text


def _words(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def _scalar(db: Engine, sql: str) -> Any:
    with db.connect() as conn:
        return conn.execute(text(sql)).scalar_one()


def test_writing_alembic_version_asks_for_a_confirmation_that_names_what_it_breaks(client: Any, db: Engine,
                                                                                   token: str) -> None:
    current = _scalar(db, "select version_num from alembic_version")
    url = f"/tables/public/alembic_version/rows/{current}/edit"
    form = client.get(url).text
    assert 'data-testid="version-note"' in form
    values = form_values(form)
    values["f_version_num"] = "deadbeef0001"
    asked = client.post(url, data=values, headers={"x-csrftoken": token}, follow_redirects=False)
    assert asked.status_code == 200 and 'data-testid="version-confirm"' in asked.text
    assert f"changes the recorded revision from {current} to deadbeef0001" in _words(asked.text)
    assert "Alembic will believe the database is at another revision" in asked.text
    assert "alembic upgrade will skip the migrations" in asked.text
    assert _scalar(db, "select version_num from alembic_version") == current  # nothing written yet
    confirmation = form_values(asked.text)
    assert confirmation["_confirm_version"] == "deadbeef0001"
    changed = {**confirmation, "f_version_num": "deadbeef0002"}  # a confirmation covers only what it named
    again = client.post(url, data=changed, headers={"x-csrftoken": token}, follow_redirects=False)
    assert 'data-testid="version-confirm"' in again.text and "to deadbeef0002" in _words(again.text)
    assert _scalar(db, "select version_num from alembic_version") == current
    done = client.post(url, data=confirmation, headers={"x-csrftoken": token}, follow_redirects=False)
    assert done.status_code == 303
    assert _scalar(db, "select version_num from alembic_version") == "deadbeef0001"
    new = client.post("/tables/public/alembic_version/new", data={"f_version_num": "cafe0001"},
                      headers={"x-csrftoken": token}, follow_redirects=False)
    assert new.status_code == 200 and "records cafe0001 as a revision" in _words(new.text)
    assert _scalar(db, "select count(*) from alembic_version") == 1
    forged = client.post("/tables/public/alembic_version/new", data={"f_version_num": "cafe0001",
                                                                      "_confirm_version": ""},
                         headers={"x-csrftoken": token}, follow_redirects=False)
    assert forged.status_code == 200 and _scalar(db, "select count(*) from alembic_version") == 1
    preview = client.post("/tables/public/alembic_version/delete", data={"pk": "deadbeef0001"},
                          headers={"x-csrftoken": token})
    assert "Alembic will believe" in preview.text  # the delete preview says it too
