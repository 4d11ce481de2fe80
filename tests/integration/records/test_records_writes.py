"""Edits on real PostgreSQL: optimistic concurrency, database errors in words, hostile input, FK search,
composite keys, read-only tables and read-only mode."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from records_formhtml import form_values
from sqlalchemy import Engine, text

from pgadmin_py.core.dburl import DatabaseUrl


def _errors(page: str) -> dict[str, list[str]]:
    """Field errors by field id, plus form-level errors under ''."""
    out: dict[str, list[str]] = {}
    for block in re.findall(r'<div class="field record-field[^"]*">(.*?)</div>\s*(?=<div class="field|</div>)',
                            page, re.S):
        field = re.search(r'<label for="([^"]+)"', block)
        msgs = re.findall(r'class="field-error">([^<]*)<', block)
        if field and msgs:
            out[field.group(1)] = msgs
    form_level = re.search(r'class="record-errors"[^>]*>(.*?)</div>', page, re.S)
    if form_level:
        out[""] = re.findall(r"<p>([^<]*)</p>", form_level.group(1))
    return out


def _scalar(db: Engine, query: str, **params: Any) -> Any:
    with db.connect() as conn:
        return conn.execute(text(query), params).scalar()


def test_concurrent_edit_is_refused_and_shows_both_versions(client: Any, db: Engine, token: str) -> None:
    url = "/tables/public/clients/rows/7/edit"
    tab_a, tab_b = form_values(client.get(url).text), form_values(client.get(url).text)
    tab_a["f_full_name"] = "Saved by tab A"
    first = client.post(url, data=tab_a, headers={"x-csrftoken": token}, follow_redirects=False)
    assert first.status_code == 303
    tab_b["f_full_name"] = "Saved by tab B"
    stale = client.post(url, data=tab_b, headers={"x-csrftoken": token}, follow_redirects=False)
    assert stale.status_code == 409
    assert "Someone changed this row after you opened it" in stale.text
    assert "Saved by tab A" in stale.text and "Saved by tab B" in stale.text  # theirs and yours
    assert _scalar(db, "select full_name from clients where id = 7") == "Saved by tab A"
    # saving again from the conflict page overwrites, knowingly
    again = client.post(url, data=form_values(stale.text), headers={"x-csrftoken": token}, follow_redirects=False)
    assert again.status_code == 303
    assert _scalar(db, "select full_name from clients where id = 7") == "Saved by tab B"


def test_database_errors_become_messages_in_words(client: Any, db: Engine, token: str) -> None:
    taken = _scalar(db, "select email from clients where id = 2")
    base = {"f_full_name": "Dup", "f_email": taken}
    page = client.post("/tables/public/clients/new", data=base, headers={"x-csrftoken": token})
    assert page.status_code == 422
    assert any("already has this value" in m for m in _errors(page.text)["f_email"])
    assert 'value="Dup"' in page.text  # what was typed is kept

    page = client.post("/tables/public/clients/new", data={"f_full_name": "X", "f_email": "new@example.com",
                                                            "f_broker_id": "999999"}, headers={"x-csrftoken": token})
    assert any("No matching row" in m for m in _errors(page.text)["f_broker_id"])

    page = client.post("/tables/public/tags/new", data={"f_name": "t1", "f_color": "red"},
                       headers={"x-csrftoken": token})
    assert any("Breaks the rule" in m and "color" in m for m in _errors(page.text)["f_color"])

    page = client.post("/tables/public/accounts/new", data={
        "f_client_id": "1", "f_account_number": "ACC-TEST-1", "f_currency": "EUR", "f_opened_on": "2024-02-01",
        "f_closed_on": "2024-01-01"}, headers={"x-csrftoken": token})
    errors = _errors(page.text)
    assert any("closed_after_opened" in m for m in errors.get("f_closed_on", []) + errors.get("f_opened_on", []))


def test_not_null_violation_is_placed_on_its_field(client: Any, db: Engine, token: str) -> None:
    # the form cannot know: a trigger nulls the column, so only PostgreSQL sees the violation
    with db.begin() as conn:
        conn.execute(text("""
            create table notes (id serial primary key, body text not null default 'x');
            create function blank_body() returns trigger language plpgsql as
              $$ begin new.body := null; return new; end $$;
            create trigger notes_blank before insert on notes for each row execute function blank_body();"""))
    page = client.post("/tables/public/notes/new", data={"f_body": "hello"}, headers={"x-csrftoken": token})
    assert page.status_code == 422
    assert any("cannot be NULL" in m for m in _errors(page.text)["f_body"])


def test_validation_errors_sit_next_to_their_fields_with_the_typed_value(client: Any, token: str) -> None:
    page = client.post("/tables/public/instruments/new", data={
        "f_ticker": "ABC", "f_exchange": "X", "f_name": "n", "f_kind": "stock", "f_currency": "EUR",
        "f_lot_size": "12.5", "f_attributes": "{not json"}, headers={"x-csrftoken": token})
    errors = _errors(page.text)
    assert errors["f_lot_size"] == ["Not a whole number."]
    assert errors["f_attributes"][0].startswith("Not valid JSON")
    assert 'value="12.5"' in page.text and "{not json</textarea>" in page.text


HOSTILE = [
    "'; drop table clients; --", 'a"b', "x' OR '1'='1", "\\", "%_", "😀 ünïcödé ﷽", "\x00nul", "9" * 400,
    "x" * 200_000, "[1,", "{\"a\": ", "-", "1e999999", "NaN", "2024-13-45", "25:61", "null", "<script>x</script>",
]


@pytest.mark.parametrize("table", ["clients", "operations", "accounts"])
def test_hostile_input_never_reaches_sql_as_text_and_never_500s(client: Any, db: Engine, token: str,
                                                                 table: str) -> None:
    names = re.findall(r'name="(f_[^"]+)"', client.get(f"/tables/public/{table}/new").text)
    before = _scalar(db, f"select count(*) from {table}")
    for value in HOSTILE:  # every one breaks some field's rule of these tables: the form comes back, explained
        response = client.post(f"/tables/public/{table}/new", data=dict.fromkeys(names, value),
                               headers={"x-csrftoken": token}, follow_redirects=False)
        assert response.status_code == 422, (value[:40], response.status_code)
        assert "field-error" in response.text, value[:40]
    assert _scalar(db, "select count(*) from clients") >= 1  # still there
    assert _scalar(db, f"select count(*) from {table}") == before  # nothing written


@pytest.mark.parametrize("path", [
    "/tables/public/cl'ients/new", "/tables/x~ZZ/y/new", "/tables/public/clients/rows/1,2/edit",
    "/tables/public/clients/rows/abc/edit", "/tables/public/clients/rows/99999999999999999999/edit",
    "/tables/public/clients/rows/~00/edit", "/tables/pg_catalog/pg_class/new",
    "/tables/public/clients/fk/full_name?q=x", "/tables/public/clients/fk/nope?q=x",
])
def test_hostile_urls_are_not_found_not_500(client: Any, path: str) -> None:
    assert client.get(path).status_code == 404


def test_hostile_delete_keys(client: Any, token: str) -> None:
    for keys in (["abc"], ["1,2"], ["~ZZ"]):
        response = client.post("/tables/public/clients/delete", data={"pk": keys}, headers={"x-csrftoken": token})
        assert response.status_code == 404, keys
        assert "Unexpected error" not in response.text
    for confirm in ({}, {"confirm": "1"}):  # "Delete selected" without a ticked row (a browser without JS)
        empty = client.post("/tables/public/clients/delete", data=confirm, headers={"x-csrftoken": token})
        assert empty.status_code == 400 and "No rows were selected, so nothing was deleted." in empty.text
        assert "tick the rows to delete" in empty.text and "Unexpected error" not in empty.text


def test_fk_autocomplete_searches_the_label_column(client: Any) -> None:
    page = client.get("/tables/public/clients/fk/broker_id?q=alice", headers={"hx-request": "true"})
    assert page.status_code == 200
    assert "Alice Rossi" in page.text and "Alice Zimmermann" in page.text
    assert "Umar" not in page.text
    by_key = client.get("/tables/public/clients/fk/broker_id?q=3").text
    assert by_key.index('data-fk-value="3"') < by_key.index("</li>")  # the exact key first
    many = client.get("/tables/public/operations/fk/account_id?q=").text
    assert many.count("data-fk-value=") == 20 and "First 20 matches" in many
    hostile = client.get("/tables/public/clients/fk/broker_id", params={"q": "%'; drop table x; --\x00"})
    assert hostile.status_code == 200 and "No brokers match" in hostile.text
    form = client.get("/tables/public/clients/rows/1/edit").text
    assert 'hx-get="/tables/public/clients/fk/broker_id"' in form
    assert re.search(r'class="btn btn-sm btn-ghost fk-link[^"]*"[^>]*href="/tables/public/brokers/rows/\d+"', form,
                     re.S)


def test_composite_key_rows_can_be_edited_and_deleted(client: Any, db: Engine, token: str) -> None:
    client_id, tag_id = 1, _scalar(db, "select tag_id from client_tags where client_id = 1 limit 1")
    other_tag = _scalar(db, "select id from tags where id not in (select tag_id from client_tags where client_id = 1)"
                            " limit 1")
    url = f"/tables/public/client_tags/rows/{client_id},{tag_id}/edit"
    values = form_values(client.get(url).text)
    values["f_tag_id"] = str(other_tag)
    saved = client.post(url, data=values, headers={"x-csrftoken": token}, follow_redirects=False)
    assert saved.status_code == 303
    assert saved.headers["location"].endswith(f"/rows/{client_id},{other_tag}")
    client.post("/tables/public/client_tags/delete", data={"pk": f"{client_id},{other_tag}", "confirm": "1"},
                headers={"x-csrftoken": token})
    assert _scalar(db, "select count(*) from client_tags where client_id = :c and tag_id = :t",
                   c=client_id, t=other_tag) == 0


def test_tables_without_a_key_take_inserts_only_and_views_none(client: Any, db: Engine, token: str) -> None:
    with db.begin() as conn:
        conn.execute(text("create table log_lines (at timestamptz, line text); "
                          "create view rich_clients as select * from clients"))
    assert client.get("/tables/public/log_lines/new").status_code == 200
    saved = client.post("/tables/public/log_lines/new", data={"f_line": "x"}, headers={"x-csrftoken": token},
                        follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == "/tables/public/log_lines"
    assert _scalar(db, "select count(*) from log_lines where line = 'x'") == 1
    # editing or deleting needs a key: refused with the explanation
    page = client.post("/tables/public/log_lines/delete", data={"pk": "x"}, headers={"x-csrftoken": token})
    assert page.status_code == 409 and "has no primary key" in page.text
    assert client.get("/tables/public/rich_clients/new").status_code == 409
    assert client.post("/tables/public/rich_clients/new", data={"f_full_name": "x"},
                       headers={"x-csrftoken": token}).status_code == 409


def test_read_only_mode_refuses_writes_server_side(demo_db: DatabaseUrl, db: Engine, tmp_path: Path) -> None:
    from support.web import csrf_token, demo_env, make_client

    with make_client(demo_env(demo_db, tmp_path, READ_ONLY="1")) as ro:
        token = csrf_token(ro, "/")
        assert ro.get("/tables/public/clients/new").status_code == 403
        assert ro.get("/tables/public/clients/rows/1/edit").status_code == 403
        posted = ro.post("/tables/public/clients/new", data={"f_full_name": "x", "f_email": "ro@example.com"},
                         headers={"x-csrftoken": token})
        assert posted.status_code == 403 and "read-only" in posted.text
        assert ro.post("/tables/public/clients/delete", data={"pk": "1", "confirm": "1"},
                       headers={"x-csrftoken": token}).status_code == 403
        assert ro.get("/tables/public/clients/fk/broker_id?q=a").status_code == 200  # reading is fine
    assert _scalar(db, "select count(*) from clients where id = 1") == 1
    assert _scalar(db, "select count(*) from clients where email = 'ro@example.com'") == 0


def test_opened_from_the_table_the_form_is_a_dialog_and_saving_returns_to_the_table(client: Any, db: Engine,
                                                                                     token: str) -> None:
    hx = {"hx-request": "true", "hx-target": "record_modal", "x-csrftoken": token,
          "hx-current-url": "http://testserver/tables/public/tags?_sort=name"}
    modal = client.get("/tables/public/tags/new", headers=hx)
    assert modal.status_code == 200
    assert modal.text.lstrip().startswith("<dialog") and "<html" not in modal.text
    assert 'hx-target="#record_form"' in modal.text
    # a failed save re-renders only the form (status 200 so htmx swaps it), typed values kept
    failed = client.post("/tables/public/tags/new", data={"f_name": "modal tag", "f_color": "nope"},
                         headers={**hx, "hx-target": "record_form"})
    assert failed.status_code == 200 and "<dialog" not in failed.text and "Breaks the rule" in failed.text
    assert 'value="modal tag"' in failed.text
    saved = client.post("/tables/public/tags/new", data={"f_name": "modal tag", "f_color": "#abcdef"},
                        headers={**hx, "hx-target": "record_form"})
    assert saved.headers["hx-redirect"] == "/tables/public/tags?_sort=name"
    assert _scalar(db, "select color from tags where name = 'modal tag'") == "#abcdef"
    preview = client.post("/tables/public/clients/delete", data={"pk": ["1", "2"]}, headers=hx)
    assert preview.text.lstrip().startswith("<dialog") and 'data-testid="delete-effects"' in preview.text
    done = client.post("/tables/public/clients/delete", data={"pk": ["1", "2"], "confirm": "1"},
                       headers={**hx, "hx-target": "record_delete"})
    assert "Deleted 2 rows from clients" in done.text and "<dialog" not in done.text
    assert 'href="/tables/public/tags?_sort=name"' in done.text  # back to where the person was


def test_composite_foreign_keys_are_searched_from_their_first_column(client: Any, db: Engine, token: str) -> None:
    with db.connect() as conn:
        conn.execute(text("create table regions (country char(2), code text, name text not null,"
                          " primary key (code, country))"))  # key order differs from the FK's
        conn.execute(text("insert into regions values ('FR', 'IDF', 'Île-de-France'), ('FR', 'BRE', 'Bretagne'),"
                          " ('DE', 'BY', 'Bayern')"))
        conn.execute(text("create table shops (id serial primary key, country char(2), region text,"
                          " foreign key (country, region) references regions (country, code))"))
    form = client.get("/tables/public/shops/new").text
    assert 'hx-get="/tables/public/shops/fk/country"' in form  # the search sits on the key's first column
    assert "/fk/region" not in form
    found = client.get("/tables/public/shops/fk/country?q=bret").text
    assert found.count("data-fk-value=") == 1 and 'data-fk-value="FR"' in found and "Bretagne" in found
    assert 'data-fk-fill="{&#34;f_region&#34;: &#34;BRE&#34;}"' in found  # the pick fills the other column
    assert 'data-fk-href="/tables/public/regions/rows/BRE,FR"' in found  # the row URL in the table's key order
    assert client.get("/tables/public/shops/fk/region?q=b").status_code == 404  # not the first column
    saved = client.post("/tables/public/shops/new", data={"f_country": "FR", "f_region": "BRE"},
                        headers={"x-csrftoken": token}, follow_redirects=False)
    assert saved.status_code == 303
    assert _scalar(db, "select region from shops where country = 'FR'") == "BRE"


def test_a_foreign_key_to_a_unique_column_links_to_the_row_it_names(client: Any, db: Engine) -> None:
    """The FK holds the referenced row's code, not its key: a link built as /rows/<code> opens another row."""
    with db.connect() as conn:
        conn.execute(text("create table codes (id int primary key, code text unique not null)"))
        conn.execute(text("insert into codes values (1, '2'), (2, '1')"))  # codes that look like the other's id
        conn.execute(text("create table coded (id int primary key, code text references codes (code))"))
        conn.execute(text("insert into coded values (1, '1')"))
    form = client.get("/tables/public/coded/rows/1/edit").text
    link = re.search(r'data-fk-link="f_code"\s+href="([^"]*)"', form)
    assert link and link.group(1) == "/tables/public/codes?code__eq=1"
    found = client.get("/tables/public/coded/fk/code?q=1").text
    assert 'data-fk-href="/tables/public/codes?code__eq=1"' in found
