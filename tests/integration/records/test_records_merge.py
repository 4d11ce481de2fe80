"""Edits write only what the person changed: an untouched save writes nothing, and "save anyway" after a
conflict is a three-way merge against the version the person loaded (the other person's changes to the
columns this person did not touch stay)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from records_formhtml import form_values
from sqlalchemy import Engine, text

URL = "/tables/public/clients/rows/7/edit"


@pytest.fixture(autouse=True)
def notes(db: Engine) -> None:
    """A free-text column (the demo's own ``notes`` comes with a migration not applied here)."""
    with db.begin() as conn:
        conn.execute(text("alter table clients add column notes text"))


def _row(db: Engine, columns: str = "full_name, email, notes") -> Any:
    with db.connect() as conn:
        return tuple(conn.execute(text(f"select {columns} from clients where id = 7")).one())


def _post(client: Any, token: str, data: dict[str, str]) -> Any:
    return client.post(URL, data=data, headers={"x-csrftoken": token}, follow_redirects=False)


def _flash(client: Any) -> str:
    page = client.get("/tables/public/clients").text
    found = re.search(r'class="flash-message">([^<]*)<', page)
    return found.group(1) if found else ""


def test_save_anyway_keeps_the_other_persons_change_to_another_column(client: Any, db: Engine, token: str) -> None:
    tab_a, tab_b = form_values(client.get(URL).text), form_values(client.get(URL).text)
    tab_a["f_full_name"] = "Renamed by A"
    assert _post(client, token, tab_a).status_code == 303
    tab_b["f_email"] = "b.changed@example.com"
    stale = _post(client, token, tab_b)
    assert stale.status_code == 409 and "Someone changed this row after you opened it" in stale.text
    merged = form_values(stale.text)
    assert merged["f_full_name"] == "Renamed by A"  # the form now shows their change, with B's on top
    assert merged["f_email"] == "b.changed@example.com"
    assert _post(client, token, merged).status_code == 303  # "Save anyway"
    assert _row(db, "full_name, email") == ("Renamed by A", "b.changed@example.com")


def test_save_anyway_takes_yours_only_where_you_both_changed(client: Any, db: Engine, token: str) -> None:
    tab_a, tab_b = form_values(client.get(URL).text), form_values(client.get(URL).text)
    tab_a["f_full_name"], tab_a["f_notes"] = "Name from A", "Note from A"
    assert _post(client, token, tab_a).status_code == 303
    tab_b["f_full_name"] = "Name from B"
    stale = _post(client, token, tab_b)
    assert stale.status_code == 409
    both = re.search(r'<tr class="differs both-changed" data-kept="yours">\s*<td>full_name</td>(.*?)</tr>',
                     stale.text, re.S)
    assert both and "Name from A" in both.group(1) and "Name from B" in both.group(1)  # both values shown
    assert re.search(r'data-kept="theirs">\s*<td>notes</td>', stale.text)  # A's note stays
    assert _post(client, token, form_values(stale.text)).status_code == 303
    assert _row(db, "full_name, notes") == ("Name from B", "Note from A")


def test_an_untouched_save_writes_nothing_and_says_so(client: Any, db: Engine, token: str) -> None:
    with db.begin() as conn:
        conn.execute(text("update clients set notes = E'line 1\\r\\nline 2\\r\\n' where id = 7"))
    xmin = _row(db, "xmin::text")
    values = form_values(client.get(URL).text)
    values["f_notes"] = values["f_notes"].replace("\r\n", "\n")  # what a browser's textarea posts
    saved = _post(client, token, values)
    assert saved.status_code == 303
    assert _row(db, "xmin::text") == xmin  # no UPDATE at all
    assert _flash(client) == "Nothing changed: row 7 of clients was left as it was."
    # an untouched save from a stale form changes nothing either (no conflict to resolve)
    with db.begin() as conn:
        conn.execute(text("update clients set full_name = 'Changed meanwhile' where id = 7"))
    assert _post(client, token, values).status_code == 303
    assert _row(db)[:1] == ("Changed meanwhile",) and _row(db, "notes") == ("line 1\r\nline 2\r\n",)


def test_an_edited_text_keeps_its_crlf_line_endings(client: Any, db: Engine, token: str) -> None:
    with db.begin() as conn:
        conn.execute(text("update clients set notes = E'line 1\\r\\nline 2' where id = 7"))
    values = form_values(client.get(URL).text)
    values["f_notes"] = "line 1\nline 2\nline 3"  # edited in a textarea: the browser posts LF
    assert _post(client, token, values).status_code == 303
    assert _row(db, "notes") == ("line 1\r\nline 2\r\nline 3",)


def test_a_damaged_record_of_the_loaded_values_is_refused_in_words(client: Any, db: Engine, token: str) -> None:
    before = _row(db)
    values = form_values(client.get(URL).text)
    values["f_full_name"], values["_loaded"] = "Changed", "{not json"
    page = _post(client, token, values)
    assert page.status_code == 422
    assert "record of the values it loaded is damaged; nothing was saved. Reload the row" in page.text
    assert _row(db) == before
