"""The tables pages over HTTP: what a user sees, hostile input, errors in words, export contents."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import psycopg
import pytest
from litestar.testing import TestClient

from pgadmin_py.core.dburl import DatabaseUrl
from pgadmin_py.core.pk import tilde_encode

Client = TestClient[Any]


def test_list_shows_tables_with_estimates_and_filters(client: Client) -> None:
    page = client.get("/tables")
    assert page.status_code == 200
    for name in ("operations", "clients", "brokers", "client_tags", "alembic_version"):
        assert f">{name}</a>" in page.text
    assert 'title="estimate from the catalog (pages as of the last VACUUM or ANALYZE)' in page.text  # sizes
    filtered = client.get("/tables?q=CLIENT")
    assert ">clients</a>" in filtered.text and ">client_tags</a>" in filtered.text
    assert ">operations</a>" not in filtered.text
    fragment = client.get("/tables?q=zzz", headers={"hx-request": "true", "hx-target": "relations"})
    assert "<html" not in fragment.text and "Nothing matches" in fragment.text


def test_table_page_shows_types_nulls_links_and_write_controls(client: Client) -> None:
    page = client.get("/tables/public/clients?_sort=birth_date")
    assert page.status_code == 200
    text = page.text
    assert "character varying(120)" in text and 'class="null"' in text
    assert 'href="/tables/public/brokers/rows/' in text  # FK value -> referenced row
    assert 'name="pk"' in text and "/tables/public/clients/new" in text and "/edit" in text
    assert 'action="/tables/public/clients/delete"' in text
    assert "300 rows" in text


def test_fragment_for_htmx_is_only_the_rows_block(client: Client) -> None:
    response = client.get("/tables/public/operations?_size=25", headers={"hx-request": "true", "hx-target": "browse"})
    assert response.status_code == 200 and "<html" not in response.text and 'data-testid="rows"' in response.text


def test_form_submit_redirects_to_the_canonical_url(client: Client) -> None:
    response = client.get("/tables/public/operations?_fc=side&_fo=eq&_fv=BUY&_fc=&_fo=eq&_fv=",
                          follow_redirects=False)
    assert response.status_code in (302, 303)
    assert response.headers["location"] == "/tables/public/operations?side__eq=BUY"
    pushed = client.get("/tables/public/operations?_fc=side&_fo=eq&_fv=BUY",
                        headers={"hx-request": "true", "hx-target": "browse"})
    assert pushed.headers["hx-push-url"] == "/tables/public/operations?side__eq=BUY"


# A filter PostgreSQL or the parser refuses is explained next to the filter on a 200 page; a malformed view
# parameter (cursor, sort, size, page) is a 400.
EXPLAINED = [
    "quantity__eq=abc",
    "quantity__eq=1;%20drop%20table%20operations",
    "price__gte=1e999999",
    "executed_at__gte=%27%20or%201=1--",
    "side__eq=%22HOLD%22",
    "id__eq=99999999999999999999999999",
    "nope__eq=1",
    "_q=%27%3B%20drop%20table%20operations%3B--",
    "_q=%E2%9C%93%F0%9F%98%80%00",
    "_q=" + "x" * 5000,
    "side__contains=" + "y" * 20000,
]
REFUSED = [
    "_after=not-a-cursor",
    "_after=WyIxIiwiMiJd",
    "_sort=%22%3B%20drop",
    "_sort=preferences",
    "_size=-5",
    "_size=" + "9" * 50,
    "_page=abc",
]
HOSTILE = EXPLAINED + REFUSED


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_query_strings_never_500(client: Client, query: str) -> None:
    response = client.get(f"/tables/public/operations?{query}")
    assert response.status_code == (200 if query in EXPLAINED else 400), response.text[-500:]
    assert "Unexpected error" not in response.text
    still = client.get("/tables/public/operations?_size=1")
    assert still.status_code == 200 and "5,000 rows" in still.text  # nothing was dropped


def test_bad_filter_value_is_explained_next_to_the_filter(client: Client) -> None:
    response = client.get("/tables/public/operations?quantity__eq=abc&side__eq=BUY")
    assert response.status_code == 200
    assert 'data-testid="filter-error"' in response.text and "&#34;abc&#34; is not a whole number" in response.text


@pytest.mark.parametrize("path", [
    "/tables/public/nope", "/tables/nope/operations", "/tables/pg_catalog/pg_class", "/tables/public/operations~2",
    "/tables/public/" + tilde_encode("operations; drop table x"), "/tables/public/%E2%9C%93",
    "/tables/public/~00", "/tables/public/operations/rows/abc", "/tables/public/operations/rows/999999999",
    "/tables/public/operations/rows/1,2", "/tables/public/operations/export/xml",
    "/tables/" + "a" * 3000 + "/b",
])
def test_missing_tables_and_rows_are_404_pages_with_words(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404, response.text[-400:]
    assert "Not found" in response.text or "Page not found" in response.text
    assert "Unexpected error" not in response.text


def test_unicode_and_odd_names_work_through_tilde_encoding(client: Client, demo_db: DatabaseUrl) -> None:
    with psycopg.connect(demo_db.libpq(), autocommit=True) as conn:
        conn.execute('create schema "my schema"')
        conn.execute('create table "my schema"."Wé/ird ; name" ("k/ey" text primary key, "v" text)')
        conn.execute('''insert into "my schema"."Wé/ird ; name" values ('a/b,c', 'x'), ('~7E', null)''')
    base = f"/tables/{tilde_encode('my schema')}/{tilde_encode('Wé/ird ; name')}"
    page = client.get(base)
    assert page.status_code == 200 and "a/b,c" in page.text
    row = client.get(f"{base}/rows/{tilde_encode('a/b,c')}")
    assert row.status_code == 200 and "a/b,c" in row.text
    assert client.get(f"{base}/rows/{tilde_encode('~7E')}").status_code == 200
    export_response = client.get(f"{base}/export/csv")
    assert export_response.status_code == 200 and export_response.text.startswith("k/ey,v\n")
    disposition = export_response.headers["content-disposition"]
    assert 'filename="W__ird ; name.csv"' in disposition
    assert "filename*=UTF-8''W%C3%A9_ird%20%3B%20name.csv" in disposition


def export(client: Client, fmt: str, query: str) -> tuple[str, str]:
    response = client.get(f"/tables/public/operations/export/{fmt}?{query}")
    assert response.status_code == 200
    return response.headers["content-disposition"], response.text


def test_export_equals_the_view(client: Client, demo_db: DatabaseUrl) -> None:
    query = "side__eq=SELL&_sort=price&_desc=1"
    with psycopg.connect(demo_db.libpq()) as conn:
        cur = conn.execute("select id::text, price::text, executed_at::text from operations where side = 'SELL' "
                           "order by operations.price desc, operations.id desc")
        expected = cur.fetchall()
    disposition, text = export(client, "csv", query)
    assert 'filename="operations.csv"' in disposition
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    assert header[:3] == ["id", "account_id", "instrument_id"]
    got = [(r[header.index("id")], r[header.index("price")], r[header.index("executed_at")]) for r in rows[1:]]
    assert got == expected

    disposition, text = export(client, "jsonl", query)
    assert 'filename="operations.jsonl"' in disposition
    lines = [json.loads(line) for line in text.splitlines()]
    assert [str(x["id"]) for x in lines] == [e[0] for e in expected]

    _, text = export(client, "json", query)
    assert [str(x["id"]) for x in json.loads(text)] == [e[0] for e in expected]


def test_export_of_everything_streams_all_rows(client: Client) -> None:
    _, text = export(client, "jsonl", "")
    assert len(text.splitlines()) == 5000
    _, empty = export(client, "json", "side__eq=BUY&quantity__lte=0")
    assert json.loads(empty) == []


def test_export_with_a_bad_filter_is_refused_in_words(client: Client) -> None:
    response = client.get("/tables/public/operations/export/csv?quantity__eq=abc")
    assert response.status_code == 400 and "not a whole number" in response.text


def test_row_page_shows_full_values_and_reverse_relations(client: Client) -> None:
    response = client.get("/tables/public/clients/rows/1")
    assert response.status_code == 200
    assert "Referenced by" in response.text and "/tables/public/accounts?client_id__eq=1" in response.text
    assert "/tables/public/clients/rows/1/edit" in response.text


def test_count_exactly_action(client: Client) -> None:
    response = client.get("/tables/public/operations/count?side__eq=BUY",
                          headers={"hx-request": "true", "hx-target": "count"})
    assert response.status_code == 200 and "rows" in response.text and "<html" not in response.text
    redirect = client.get("/tables/public/operations/count?side__eq=BUY", follow_redirects=False)
    assert redirect.headers["location"] == "/tables/public/operations?side__eq=BUY&_count=exact"


def test_read_only_mode_hides_write_controls(demo_db: DatabaseUrl, tmp_path: Path) -> None:
    from support.web import demo_env, make_client

    with make_client(demo_env(demo_db, tmp_path, READ_ONLY="1")) as ro:
        text = ro.get("/tables/public/clients").text
        assert 'name="pk"' not in text and "/clients/new" not in text and "/edit" not in text
        row = ro.get("/tables/public/clients/rows/1").text
        assert "/edit" not in row and "Delete" not in row
        assert ro.get("/tables/public/clients/export/csv").status_code == 200


def test_views_and_keyless_tables_explain_why_they_are_read_only(client: Client, demo_db: DatabaseUrl) -> None:
    with psycopg.connect(demo_db.libpq(), autocommit=True) as conn:
        conn.execute("create view big_trades as select id, price from operations where quantity >= 50")
        conn.execute("create table log_lines as select g as n from generate_series(1, 10) g")
    view = client.get("/tables/public/big_trades").text
    assert "read-only: this is a view" in view and 'name="pk"' not in view
    heap = client.get("/tables/public/log_lines").text
    # a table without a key takes new rows (nothing needs to find them again), and says why it offers no more
    assert "no primary key: rows can be added, not edited or deleted" in heap and 'name="pk"' not in heap
    assert "/log_lines/new" in heap and "/edit" not in heap and "/cells/" not in heap


def test_timeouts_show_a_message_and_a_hint(demo_db: DatabaseUrl, tmp_path: Path) -> None:
    from support.web import demo_env, make_client

    with psycopg.connect(demo_db.libpq(), autocommit=True) as conn:
        conn.execute("create view slow as select n, pg_sleep(0.05)::text as z from generate_series(1, 40) n")
    with make_client(demo_env(demo_db, tmp_path, STATEMENT_TIMEOUT_MS="300")) as slow:
        response = slow.get("/tables/public/slow")
        assert response.status_code == 200
        assert "took longer than the statement timeout" in response.text and "Add an index" in response.text
        export_response = slow.get("/tables/public/slow/export/csv")
        assert export_response.status_code == 504 and "Add an index" in export_response.text


def test_csv_export_reads_back_like_copy(client: Client, demo_db: DatabaseUrl) -> None:
    """Commas, quotes, line breaks, empty strings vs NULL, unicode, arrays, JSON: the same fields as COPY's CSV."""
    with psycopg.connect(demo_db.libpq(), autocommit=True) as conn:
        conn.execute("create table odd (id int primary key, t text, a text[], j jsonb, n numeric)")
        conn.execute("""insert into odd values
            (1, 'plain', '{a,b}', '{"k": "v, w"}', 1.5), (2, 'comma, here', '{}', null, null),
            (3, 'quote " here', null, '[1, 2]', -2), (4, E'line\\nbreak\\r\\nx', '{"x y"}', '"s"', 0),
            (5, '', '{""}', '{}', 3), (6, null, null, null, null), (7, 'ünï ✓ 😀', '{ü}', '{"ü": 1}', 7)""")
        with conn.cursor().copy("COPY (select * from odd order by id) TO STDOUT WITH (FORMAT csv, HEADER)") as copy:
            expected = b"".join(bytes(chunk) for chunk in copy)
    response = client.get("/tables/public/odd/export/csv")
    assert response.status_code == 200
    ours = list(csv.reader(io.StringIO(response.content.decode("utf-8"), newline="")))
    assert ours == list(csv.reader(io.StringIO(expected.decode("utf-8"), newline="")))
    lines = response.content.decode("utf-8").split("\n")
    assert lines[0] == "id,t,a,j,n"
    assert lines[-3] == '6,,,,' and lines[1].startswith('1,"plain","{a,b}"')  # NULL is empty, text quoted
    assert '5,"",' in response.content.decode("utf-8")  # the empty string stays distinct from NULL
