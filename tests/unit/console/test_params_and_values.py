"""URL state of the console, the posted form, and how values are displayed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest

from pgadmin_py.console.model import RunRequest
from pgadmin_py.console.params import ConsoleParams, parse_run_form
from pgadmin_py.console.runner import confirm_token
from pgadmin_py.console.session import display
from pgadmin_py.web.urls import Urls


@pytest.mark.parametrize("params", [
    ConsoleParams(),
    ConsoleParams(q="select 1"),
    ConsoleParams(q="select * from t\nwhere a = 'x & y' -- 100%", search="payments"),
    ConsoleParams(search="ünïcode"),
])
def test_params_round_trip(params: ConsoleParams) -> None:
    assert ConsoleParams.parse(dict(parse_qsl(params.query_string()))) == params
    url = Urls().sql_query(params.q, params.search)
    assert ConsoleParams.parse(dict(parse_qsl(urlsplit(url).query))) == params
    assert urlsplit(url).path == "/sql"


def test_crlf_from_forms_becomes_lf() -> None:
    assert ConsoleParams.parse({"q": "a\r\nb"}).q == "a\nb"
    action, request = parse_run_form({"sql": "select 1;\r\nselect 2", "action": "explain"})
    assert action == "explain" and request.sql == "select 1;\nselect 2"


def test_run_form() -> None:
    action, request = parse_run_form({"sql": "select 1; select 2", "sel_start": "10", "sel_end": "18",
                                      "allow_writes": "1", "confirm": "abc", "run_id": "r1", "action": "bogus"})
    assert action == "run"
    assert request == RunRequest("select 1; select 2", (10, 18), True, "abc", "r1")
    assert request.target == ("select 2", 10)
    _, empty_selection = parse_run_form({"sql": "select 1", "sel_start": "3", "sel_end": "3"})
    assert empty_selection.selection is None and empty_selection.target == ("select 1", 0)
    _, blank = parse_run_form({"sql": "select 1;   ", "sel_start": "9", "sel_end": "12"})
    assert blank.target == ("select 1;   ", 0)  # a selection of blanks runs the whole text


def test_confirm_token_binds_text_and_selection() -> None:
    assert confirm_token("delete from t", None) == confirm_token("delete from t", None)
    assert confirm_token("delete from t", None) != confirm_token("delete from t ", None)
    assert confirm_token("delete from t", None) != confirm_token("delete from t", (0, 6))


@pytest.mark.parametrize(("value", "shown"), [
    (None, None),
    (True, "true"),
    (3, "3"),
    (Decimal("1.50"), "1.50"),
    (Decimal("1E+3"), "1000"),
    (b"\x00\xff", "\\x00ff"),
    ({"a": [1, "é"]}, '{"a": [1, "é"]}'),
    (dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc), "2024-01-02 03:04:05+00:00"),
    (dt.date(2024, 1, 2), "2024-01-02"),
    ("", ""),
])
def test_display(value: object, shown: str | None) -> None:
    assert display(value) == shown
