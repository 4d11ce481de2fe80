"""The editor's server side on a real PostgreSQL: the completion document (cached per version of the
database's names, ETag and 304), the statement under the cursor, Format with and without JavaScript."""

from __future__ import annotations

import html
import re
from typing import Any

import psycopg
import pytest

from pgadmin_py.core.dburl import DatabaseUrl
from support.web import csrf_token, make_client, make_state

HX = {"hx-request": "true", "hx-target": "results"}


@pytest.fixture
def token(client: Any) -> str:
    return csrf_token(client, "/sql")


def ddl(url: DatabaseUrl, sql: str) -> None:
    with psycopg.connect(url.libpq(), autocommit=True) as conn:
        conn.execute(sql)


def test_completion_document_names_the_live_schema(client: Any) -> None:
    response = client.get("/sql/completions")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    doc = response.json()
    relations = {f"{r[0]}.{r[1]}": r for r in doc["relations"]}
    assert relations["public.clients"][2] == "table"
    assert ["full_name", "character varying(120)"] in relations["public.clients"][3]
    assert "public" in doc["schemas"] and doc["search_path"] == ["public"]
    assert ["pg_catalog", "count"] in doc["functions"] and ["pg_catalog", "int4in"] not in doc["functions"]
    assert "select" in doc["keywords"] and "lateral" in doc["keywords"]


def test_the_browser_gets_a_304_until_the_names_change(client: Any, demo_db: DatabaseUrl) -> None:
    first = client.get("/sql/completions")
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "private, no-cache"
    again = client.get("/sql/completions", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""

    ddl(demo_db, "create table zebra_sightings (id int, spotted_at timestamptz)")
    changed = client.get("/sql/completions", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    zebra = [r for r in changed.json()["relations"] if r[1] == "zebra_sightings"]
    assert zebra and zebra[0][3] == [["id", "integer"], ["spotted_at", "timestamp with time zone"]]

    etag = changed.headers["etag"]
    ddl(demo_db, "create function zebra_count() returns bigint language sql as 'select count(*) from zebra_sightings'")
    with_function = client.get("/sql/completions", headers={"If-None-Match": etag})
    assert with_function.status_code == 200
    assert ["public", "zebra_count"] in with_function.json()["functions"]


def test_the_document_is_built_once_per_version(demo_env: dict[str, str]) -> None:
    state = make_state(demo_env)
    cache = state.console.completions.documents
    with make_client(demo_env, state) as client:
        first = client.get("/sql/completions").json()
        assert cache.misses == 1
        for _ in range(3):
            assert client.get("/sql/completions").json() == first
    assert cache.misses == 1 and cache.hits == 3


def test_the_cursor_runs_only_its_statement(client: Any, token: str) -> None:
    sql = "select 'first' as a;\nselect 'second' as b;\nselect 'third' as c"
    response = client.post("/sql/run", data={"sql": sql, "action": "run", "cursor": str(sql.index("'second'"))},
                           headers={"x-csrftoken": token, **HX})
    assert response.text.count('data-testid="result-set"') == 1
    assert ">second<" in response.text and ">first<" not in response.text and ">third<" not in response.text
    # a selection wins over the cursor; no cursor runs everything
    both = client.post("/sql/run", data={"sql": sql, "action": "run", "cursor": "0", "sel_start": "0",
                                         "sel_end": str(sql.index("select 'third'"))},
                       headers={"x-csrftoken": token, **HX})
    assert both.text.count('data-testid="result-set"') == 2
    everything = client.post("/sql/run", data={"sql": sql, "action": "run"}, headers={"x-csrftoken": token, **HX})
    assert everything.text.count('data-testid="result-set"') == 3


def test_an_error_position_counts_from_the_whole_text(client: Any, token: str) -> None:
    sql = "select 1;\nselect id,\n       nope_column\nfrom clients"
    response = client.post("/sql/run", data={"sql": sql, "action": "run", "cursor": str(len(sql))},
                           headers={"x-csrftoken": token, **HX})
    assert "at line 3, column 8" in response.text
    assert response.text.count('data-testid="result-set"') == 1


def test_format_answers_json_to_the_editor(client: Any, token: str) -> None:
    ok = client.post("/sql/format", data={"sql": "select a,b from t where x=1"},
                     headers={"x-csrftoken": token, "Accept": "application/json"})
    assert ok.status_code == 200 and ok.json() == {"sql": "SELECT a,\n       b\nFROM t\nWHERE x = 1"}
    bad = client.post("/sql/format", data={"sql": "select from where"},
                      headers={"x-csrftoken": token, "Accept": "application/json"})
    assert bad.status_code == 422
    assert bad.json()["error"] == 'Cannot format: syntax error at or near "where" (line 1, column 13).'


def test_format_without_javascript_renders_the_page(client: Any, token: str) -> None:
    ok = client.post("/sql/format", data={"sql": "select 1 as a,2 as b", "_csrf_token": token})
    assert ok.status_code == 200 and "<html" in ok.text
    assert "SELECT 1 AS a,\n       2 AS b</textarea>" in ok.text
    bad = client.post("/sql/format", data={"sql": "select from where", "_csrf_token": token})
    assert bad.status_code == 200
    assert "select from where</textarea>" in bad.text  # the text is kept as typed
    assert "Cannot format: syntax error" in html.unescape(bad.text)


def test_format_needs_the_csrf_token(client: Any) -> None:
    assert client.post("/sql/format", data={"sql": "select 1"}).status_code == 403


def test_a_write_under_the_cursor_is_confirmed_and_runs_alone(client: Any, token: str, demo_db: DatabaseUrl) -> None:
    def count(table: str) -> int:
        with psycopg.connect(demo_db.libpq()) as conn:
            row = conn.execute(f"select count(*) from {table}").fetchone()
        assert row is not None
        return int(row[0])

    payments, client_tags = count("payments"), count("client_tags")
    sql = "delete from client_tags;\ndelete from payments where status = 'failed';\nselect 1"
    headers = {"x-csrftoken": token, **HX}
    cursor = str(sql.index("payments"))
    first = client.post("/sql/run", data={"sql": sql, "action": "run", "cursor": cursor, "allow_writes": "1"},
                        headers=headers)
    assert 'data-testid="confirm-writes"' in first.text and "client_tags" not in first.text.split("Confirm")[1]
    form = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', first.text.split("confirm-form")[1]))
    assert (int(form["sel_start"]), int(form["sel_end"])) == (sql.index("delete from payments"), sql.index(";\nselect"))
    second = client.post("/sql/run", data={**form, "sql": sql}, headers=headers)
    assert "badge-success\">committed" in second.text
    assert count("payments") < payments and count("client_tags") == client_tags > 0
