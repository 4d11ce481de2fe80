"""Fuzzing every route: no input gets a 5xx, and no input writes to the database (issue 12, point 12).

The routes come from the app's own route table, so a new route is fuzzed without editing this file.
First a sweep sends every route the inputs that once gave a 500 (a NUL in a name, a 23-digit id, an
over-long static path, a non-ASCII download name, the events of a run that does not exist); then
Hypothesis draws path parameters, query strings, form posts (carrying a valid CSRF token, so they
reach the handlers) and htmx headers. Hypothesis runs derandomized with a fixed example budget and a
per-example deadline, so CI sees the same few hundred requests each time; FUZZ_EXAMPLES raises the
budget and FUZZ_RANDOM=1 draws new ones, for a longer hunt by hand.

"No write" is proved on the database itself: each table's content hash and row count, the schema,
and the sequences are the same before and after. Values are hostile text, never a bare integer key
nor a revision word (head, upgrade...), because a well-formed request (delete row 1, confirmed;
upgrade to heads) is meant to write.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import TestClient

from pgadmin_py.core.dburl import DatabaseUrl
from pgadmin_py.core.pk import tilde_encode
from support.web import csrf_token, demo_env, make_client

PARAM = re.compile(r"\{(\w+):(\w+)\}")
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "250"))
TABLES = ["clients", "operations", "payments", "accounts", "brokers", "instruments", "tags", "client_tags",
          "alembic_version"]
HOSTILE = [
    "", " ", "\x00", "a\x00b", "clients\x00", "ü", "Ünïcödé", "😀", "\u202e", "\r\n", "\t", "x" * 300, "y" * 5000,
    "..", "../../etc/passwd", "%", "%00", "%2F", "/", "~", "~~", "~ZZ", "~00", "~2F", "'", '"', "' or '1'='1",
    "1' --", "<script>alert(1)</script>", "{{7*7}}", "${x}", "-1", "-0", "1.5", "1e309", "NaN", "Infinity",
    "99999999999999999999999", "-99999999999999999999999", "9223372036854775808", "0x10", "null", "true", "[]",
    "{}", "public", "pg_catalog", "pg_class", "information_schema", "id", "email", "csv", "json", "jsonl", "tsv",
    "Heads", "head\x00", "upgrade\x00", "down grade", "on", "off", *TABLES,
]
QUERY_NAMES = ["_sort", "_page", "_size", "_fc", "_fo", "_fv", "_count", "_after", "_before", "_cols", "q", "page",
               "after", "next", "table", "schema", "depth", "layout", "rev", "action", "target", "token", "tab",
               "search", "format", "view", "sql", "x"]
FORM_NAMES = ["pk", "confirm", "sql", "action", "target", "backup", "proceed_without_backup", "reviewed_from",
              "token", "next", "name", "run_id", "_version", "allow_writes", "limit", "explain", "f_full_name",
              "f_email", "f_id", "f_broker_id", "f_preferences", "f_birth_date", "f_phone_numbers", "f_x__upload"]


def _not_a_bare_key(value: str) -> bool:
    return not value.strip().lstrip("+-").isdigit()


TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
VALUE = st.one_of(st.sampled_from(HOSTILE), TEXT).filter(_not_a_bare_key)
NAME_SEGMENT = st.one_of(st.sampled_from(HOSTILE + [tilde_encode(t) for t in TABLES]), TEXT)
INTEGER = st.one_of(st.integers(-5, 50), st.integers(-(2**80), 2**80),
                    st.sampled_from([2**63 - 1, 2**63, -(2**63) - 1, 10**22]))
STATIC = st.lists(st.one_of(st.sampled_from(["css", "app.css", "vendor", "js", "docs", "..", "x" * 300, "\x00",
                                             "%00", "ü", ""]), TEXT), min_size=1, max_size=4).map("/".join)
PAIRS = st.lists(st.tuples(st.one_of(st.sampled_from(QUERY_NAMES), TEXT), VALUE), max_size=4)
FORM = st.lists(st.tuples(st.one_of(st.sampled_from(FORM_NAMES), TEXT), VALUE), max_size=6)
HTMX = st.one_of(st.just({}), st.fixed_dictionaries({"hx-request": st.just("true"),
                                                     "hx-target": st.sampled_from(["content", "rows", "x", ""])}))


def routes(app: Any) -> list[tuple[str, str]]:
    """(method, path template) of every handler in the app's route table."""
    found = set()
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            found |= {(method, route.path) for method in handler.http_methods}
    return sorted(found)


def fill(template: str, values: dict[str, Any]) -> str:
    """The path with each ``{name:type}`` replaced by its value, percent-encoded as a browser would."""
    from urllib.parse import quote

    def one(match: re.Match[str]) -> str:
        value = values[match.group(1)]
        return quote(str(value), safe="/" if match.group(2) == "path" else "")

    return PARAM.sub(one, template)


def param_strategy(kind: str, name: str) -> st.SearchStrategy[Any]:
    if kind == "int":
        return INTEGER
    if kind == "path":
        return STATIC
    if name == "pk":
        return NAME_SEGMENT.filter(_not_a_bare_key)
    return NAME_SEGMENT


def fingerprint(url: DatabaseUrl) -> dict[str, str]:
    """Everything a write would change: each table's rows (hash and count), the schema, the sequences."""
    with psycopg.connect(url.libpq(), autocommit=True) as conn:
        tables = conn.execute("select format('%I.%I', schemaname, relname) from pg_stat_user_tables").fetchall()
        prints = {}
        for (table,) in tables:
            prints[table] = str(conn.execute(
                f"select count(*), md5(coalesce(string_agg(t::text, E'\\n' order by t::text), '')) from {table} t"
            ).fetchone())
        prints["schema"] = str(conn.execute("""
            select md5(string_agg(format('%s.%s.%s:%s:%s:%s', n.nspname, c.relname, c.relkind, a.attname,
                                         a.atttypid::regtype, a.attnotnull), ',' order by 1))
              from pg_class c join pg_namespace n on n.oid = c.relnamespace
              left join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
             where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')""").fetchone())
        prints["constraints"] = str(conn.execute("""
            select count(*), md5(string_agg(conname || ':' || pg_get_constraintdef(oid), ',' order by conname))
              from pg_constraint where connamespace = 'public'::regnamespace""").fetchone())
        prints["sequences"] = str(conn.execute(
            "select string_agg(format('%s=%s', sequencename, last_value), ',' order by sequencename) "
            "from pg_sequences").fetchone())
        return prints


class Fuzzer:
    """Sends requests, remembers every one, and fails on a 5xx with the request that caused it."""

    def __init__(self, client: TestClient[Any]) -> None:
        self.client = client
        self.token = csrf_token(client)
        self.sent = 0
        self.seen_routes: set[tuple[str, str]] = set()

    def send(self, route: tuple[str, str], path: str, query: list[tuple[str, str]] | None = None,
             form: list[tuple[str, str]] | None = None, headers: dict[str, str] | None = None) -> int:
        method, _ = route
        all_headers = {**(headers or {}), "x-csrftoken": self.token}
        content = None
        if method == "POST":
            from urllib.parse import urlencode

            content = urlencode(form or []).encode()
            all_headers["content-type"] = "application/x-www-form-urlencoded"
        response = self.client.request(method, path, params=query or [], content=content, headers=all_headers,
                                       follow_redirects=False)
        self.sent += 1
        self.seen_routes.add(route)
        assert response.status_code < 500, (method, path, query, form, response.status_code, response.text[:400])
        return response.status_code


@pytest.fixture
def fuzzed(demo_db: DatabaseUrl, tmp_path: Path) -> Iterator[tuple[Fuzzer, list[tuple[str, str]]]]:
    with make_client(demo_env(demo_db, tmp_path, STATEMENT_TIMEOUT_MS="3000"), strict_blocks=False) as client:
        yield Fuzzer(client), routes(client.app)


@pytest.mark.parametrize(("method", "path", "status", "words"), [
    ("GET", "/tables/public/cl%00ients/new", 400, "NUL character"),
    ("POST", "/tables/public/cl%00ients/rows/1/edit", 400, "NUL character"),
    ("GET", "/tables/public/cl%00ients/fk/broker_id", 400, "NUL character"),
    ("GET", "/migrations/runs/99999999999999999999999", 404, "There is no run id 99999999999999999999999"),
    ("GET", "/migrations/runs/99999999999999999999999/events", 404, "ids are at most 9223372036854775807"),
    ("GET", "/sql/history/99999999999999999999999", 404, "There is no entry id"),
    ("GET", "/sql/saved/-99999999999999999999999", 404, "There is no saved id"),
    ("GET", "/static/" + "a" * 5000, 404, "There is no file at"),
    ("GET", "/static/css/%00.css", 400, "NUL character"),
    ("GET", "/migrations/runs/12345/events", 404, "There is no run #12345"),
    ("POST", "/migrations/apply", 400, "runs only from its confirmation page"),
])
def test_the_causes_of_past_500s_get_a_4xx_with_a_message(client: TestClient[Any], method: str, path: str,
                                                           status: int, words: str) -> None:
    response = client.request(method, path, headers={"x-csrftoken": csrf_token(client)}, follow_redirects=False)
    assert response.status_code == status, response.text[:300]
    assert words in response.text


def test_a_non_ascii_diagram_name_downloads(client: TestClient[Any]) -> None:
    response = client.get("/diagram.svg", params={"table": "ünïcödé"})
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="er-diagram-public._n_c_d_.svg"'


DEFAULTS = {"schema": "public", "table": "clients"}
SWEEP = {"none": ["\x00", "ü"], "str": ["\x00", "cl\x00ients", "ü", "x" * 300, "~ZZ", "..", "clients"],
         "int": [99999999999999999999999, -1, 0, 2**63, 12345],
         "path": ["x" * 5000, "\x00", "css/\x00.css", "../pyproject.toml", "ü/ü", "a/" * 600]}


def test_no_route_answers_5xx_or_writes(fuzzed: tuple[Fuzzer, list[tuple[str, str]]], demo_db: DatabaseUrl) -> None:
    fuzzer, table = fuzzed
    before = fingerprint(demo_db)

    for route in table:  # the sweep: every route, every known cause of a past 500
        params = PARAM.findall(route[1])
        for kind in sorted({kind for _, kind in params}) or ["none"]:
            for value in SWEEP[kind]:
                values = {n: value if k == kind else DEFAULTS.get(n, 1 if k == "int" else "x") for n, k in params}
                text = str(value)
                fuzzer.send(route, fill(route[1], values), [(n, text) for n in ("q", "table", "action", "target")],
                            [(n, text) for n in ("pk", "name", "sql", "action", "target", "confirm")])
    fuzzer.send(("GET", "/diagram.svg"), "/diagram.svg", [("table", "ünïcödé")])
    fuzzer.send(("GET", "/diagram.png"), "/diagram.png", [("schema", "😀")])
    assert fuzzer.seen_routes == set(table)

    @st.composite
    def requests(draw: st.DrawFn) -> tuple[tuple[str, str], str, list[tuple[str, str]], list[tuple[str, str]],
                                           dict[str, str]]:
        route = draw(st.sampled_from(table))
        values = {name: draw(param_strategy(kind, name)) for name, kind in PARAM.findall(route[1])}
        return route, fill(route[1], values), draw(PAIRS), draw(FORM), draw(HTMX)

    @settings(max_examples=EXAMPLES, deadline=timedelta(seconds=30), database=None,
              derandomize=os.environ.get("FUZZ_RANDOM") != "1",
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                     HealthCheck.filter_too_much, HealthCheck.data_too_large])
    @given(requests())
    def one_request(request: tuple[tuple[str, str], str, list[tuple[str, str]], list[tuple[str, str]],
                                   dict[str, str]]) -> None:
        route, path, query, form, headers = request
        fuzzer.send(route, path, query, form, headers)

    one_request()
    after = fingerprint(demo_db)
    assert after == before, {k: (before.get(k), after.get(k)) for k in before.keys() | after.keys()
                             if before.get(k) != after.get(k)}
    print(f"\nfuzz: 0 x 5xx over {fuzzer.sent} requests ({len(table)} routes), no write to the database")
