"""Partitioned tables in the list of tables, and materialized views that were never populated.

Both read catalog columns that moved between PostgreSQL versions: in PG_MATRIX_TESTS (Makefile).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import psycopg
from litestar.testing import TestClient

from pgadmin_py.browser.service import Browser
from pgadmin_py.core.dburl import DatabaseUrl
from support.partitions import ANALYZE, PARTITIONS

Client = TestClient[Any]


def _rows(html: str) -> list[tuple[str, int]]:
    """(name, depth) of each relation row of the list, in order."""
    return [(m.group(2), int(m.group(1))) for m in
            re.finditer(r'<tr[^>]*data-depth="(\d+)"[^>]*>\s*<td[^>]*>.*?<a class="rel-name"[^>]*>([^<]+)</a>',
                        html, re.S)]


def test_partitions_are_listed_under_their_table_which_sums_them(client: Client, demo_db: DatabaseUrl,
                                                                 browser: Browser) -> None:
    with psycopg.connect(demo_db.libpq(), autocommit=True) as conn:
        conn.execute(PARTITIONS)
        conn.execute(ANALYZE)
    page = client.get("/tables")
    assert page.status_code == 200
    listed = _rows(page.text)
    at = listed.index(("events", 0))
    assert listed[at:at + 5] == [("events", 0), ("events_2024", 1), ("events_2024_high", 2), ("events_2024_low", 2),
                                 ("events_2025", 1)]
    assert 'data-testid="partitions-events"' in page.text and "4 partitions" in page.text  # the collapse toggle
    by_name = {r.name: r for r in browser.relations()}
    leaves = [by_name[n] for n in ("events_2024_low", "events_2024_high", "events_2025")]
    assert [r.rows.value for r in leaves if r.rows] == [999, 1500, 500]
    assert by_name["events"].rows is not None and by_name["events"].rows.value == 2999
    assert by_name["events_2024"].rows is not None and by_name["events_2024"].rows.value == 2499
    assert by_name["events_2024"].total_bytes >= sum(r.total_bytes for r in leaves[:2]) > 0
    assert by_name["events"].total_bytes >= by_name["events_2024"].total_bytes + leaves[2].total_bytes
    assert by_name["events"].partitions == 4 and by_name["events_2025"].parent == "events"
    # the filter keeps a matching partition with the tables above it
    found = _rows(client.get("/tables?q=2024_low").text)
    assert found == [("events", 0), ("events_2024", 1), ("events_2024_low", 2)]


def test_a_partition_opens_like_a_table(client: Client, demo_db: DatabaseUrl) -> None:
    with psycopg.connect(demo_db.libpq(), autocommit=True) as conn:
        conn.execute(PARTITIONS)
    page = client.get("/tables/public/events_2025")
    assert page.status_code == 200 and "500 rows" in page.text


def _matview(demo_db: DatabaseUrl, populated: bool = False, unique: bool = False) -> None:
    with psycopg.connect(demo_db.libpq(), autocommit=True) as conn:
        conn.execute('create materialized view "Broker ""stats""" as select broker_id, count(*) as n from clients'
                     f' group by broker_id with {"" if populated else "no "}data')
        if unique:
            conn.execute('create unique index on "Broker ""stats""" (broker_id)')


MV = "/tables/public/Broker~20~22stats~22"


def test_an_unpopulated_materialized_view_says_so_and_offers_refresh(client: Client, demo_db: DatabaseUrl) -> None:
    from support.web import csrf_token

    _matview(demo_db)
    page = client.get(MV)
    assert page.status_code == 200, page.text[-400:]
    assert 'data-testid="not-populated"' in page.text and "has never been populated" in page.text
    assert f'action="{MV}/refresh"' in page.text and 'name="_csrf_token"' in page.text
    listed = client.get("/tables").text
    assert "not populated" in listed
    assert client.post(f"{MV}/refresh").status_code == 403  # no CSRF token: refused
    token = csrf_token(client, MV)
    done = client.post(f"{MV}/refresh", headers={"x-csrftoken": token}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == MV
    after = client.get(MV).text
    assert 'data-testid="not-populated"' not in after and 'data-testid="rows"' in after
    assert "Refreshed Broker &#34;stats&#34;" in after or "Refreshed Broker &quot;stats&quot;" in after
    with psycopg.connect(demo_db.libpq()) as conn:
        assert conn.execute("select relispopulated from pg_class where relname = 'Broker \"stats\"'").fetchone() == (
            True,)


def test_refresh_is_concurrent_only_when_populated_with_a_unique_index(client: Client, demo_db: DatabaseUrl) -> None:
    from support.web import csrf_token

    _matview(demo_db, populated=False, unique=True)
    token = csrf_token(client, MV)
    first = client.post(f"{MV}/refresh", headers={"x-csrftoken": token})
    assert "concurrently" not in first.text.lower()  # not populated yet: CONCURRENTLY would be refused
    second = client.post(f"{MV}/refresh", headers={"x-csrftoken": token})
    assert "Refreshed Broker" in second.text and "concurrently" in second.text
    plain = client.post("/tables/public/clients/refresh", headers={"x-csrftoken": token})
    assert plain.status_code == 409 and "not a materialized view" in plain.text


def test_refresh_is_refused_in_read_only_mode(demo_db: DatabaseUrl, tmp_path: Path) -> None:
    from support.web import csrf_token, demo_env, make_client

    _matview(demo_db)
    with make_client(demo_env(demo_db, tmp_path, READ_ONLY="1")) as ro:
        page = ro.get(MV).text
        assert "has never been populated" in page and "/refresh" not in page
        refused = ro.post(f"{MV}/refresh", headers={"x-csrftoken": csrf_token(ro, "/")})
        assert refused.status_code == 403
    with psycopg.connect(demo_db.libpq()) as conn:
        assert conn.execute("select relispopulated from pg_class where relname = 'Broker \"stats\"'").fetchone() == (
            False,)
