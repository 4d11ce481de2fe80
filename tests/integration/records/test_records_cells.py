"""One cell edited in place (the table page's inline editor): the row's edit with that one field."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from pgadmin_py.core.dburl import DatabaseUrl


def _scalar(db: Engine, query: str) -> Any:
    with db.connect() as conn:
        return conn.execute(text(query)).scalar()


def _editor(client: Any, path: str) -> dict[str, str]:
    page = client.get(path, headers={"hx-request": "true"})
    assert page.status_code == 200 and "<html" not in page.text, page.text[:300]
    return {name: value.replace("&#34;", '"') for name, value in
            re.findall(r'name="(_version|_loaded)" value="([^"]*)"', page.text)}


def test_a_cell_saves_only_its_own_column_and_answers_with_the_cell(client: Any, db: Engine, token: str) -> None:
    hidden = _editor(client, "/tables/public/clients/rows/7/cells/full_name")
    before = _scalar(db, "select email from clients where id = 7")
    saved = client.post("/tables/public/clients/rows/7/cells/full_name",
                        data={**hidden, "f_full_name": "Cell <Name>", "f_email": "sneaked@example.com"},
                        headers={"hx-request": "true", "x-csrftoken": token})
    assert saved.status_code == 200 and saved.text == "Cell &lt;Name&gt;"  # the cell as the table shows it
    assert _scalar(db, "select full_name from clients where id = 7") == "Cell <Name>"
    assert _scalar(db, "select email from clients where id = 7") == before  # another column is not the cell's


def test_a_bad_value_comes_back_in_the_editor_and_a_stale_one_as_a_conflict(client: Any, db: Engine,
                                                                            token: str) -> None:
    hx = {"hx-request": "true", "x-csrftoken": token}
    hidden = _editor(client, "/tables/public/instruments/rows/1/cells/lot_size")
    bad = client.post("/tables/public/instruments/rows/1/cells/lot_size", data={**hidden, "f_lot_size": "x"},
                      headers=hx)
    assert bad.status_code == 200 and "Not a whole number" in bad.text and 'data-cell-editor' in bad.text
    with db.connect() as conn:
        conn.execute(text("update instruments set lot_size = 77 where id = 1"))
    stale = client.post("/tables/public/instruments/rows/1/cells/lot_size", data={**hidden, "f_lot_size": "5"},
                        headers=hx)
    assert 'data-testid="cell-conflict"' in stale.text and ">77<" in stale.text and "Save anyway" in stale.text
    assert _scalar(db, "select lot_size from instruments where id = 1") == 77


def test_keys_generated_columns_and_keyless_tables_are_not_edited_in_place(client: Any, db: Engine) -> None:
    with db.connect() as conn:
        conn.execute(text("create table log_lines (at timestamptz, line text)"))
        conn.execute(text("alter table tags add column shout text generated always as (upper(name)) stored"))
    assert client.get("/tables/public/clients/rows/1/cells/id").status_code == 409
    assert client.get("/tables/public/tags/rows/1/cells/shout").status_code == 409
    assert client.get("/tables/public/clients/rows/1/cells/nope").status_code == 404
    table = client.get("/tables/public/tags").text
    assert re.search(r'data-cell="/cells/name" data-name="name"', table)
    assert not re.search(r'data-cell="[^"]*" data-name="(id|shout)"', table)


def test_read_only_mode_offers_and_takes_no_cell_edit(demo_db: DatabaseUrl, db: Engine, tmp_path: Path) -> None:
    from support.web import csrf_token, demo_env, make_client

    with make_client(demo_env(demo_db, tmp_path, READ_ONLY="1")) as ro:
        token = csrf_token(ro, "/")
        assert ro.get("/tables/public/clients/rows/1/cells/full_name").status_code == 403
        assert ro.post("/tables/public/clients/rows/1/cells/full_name", data={"f_full_name": "x"},
                       headers={"x-csrftoken": token}).status_code == 403
        assert "data-cell" not in ro.get("/tables/public/clients").text
    assert _scalar(db, "select full_name from clients where id = 1") != "x"
