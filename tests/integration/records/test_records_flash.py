"""After a save the page the person lands on says what happened, once (web/flash.py)."""

from __future__ import annotations

import re
from typing import Any

from records_formhtml import form_values

FLASH = re.compile(r'<div class="flash flash-(\w+)"[^>]*>.*?<p class="flash-message">([^<]*)</p>', re.S)


def test_an_edit_lands_on_the_row_with_a_message_shown_once(client: Any, token: str) -> None:
    url = "/tables/public/clients/rows/7/edit"
    values = form_values(client.get(url).text)
    values["f_full_name"] = "Flash Gordon"
    saved = client.post(url, data=values, headers={"x-csrftoken": token}, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == "/tables/public/clients/rows/7"
    landing = client.get("/tables/public/clients/rows/7")
    assert FLASH.findall(landing.text) == [("success", "Row 7 of clients saved.")]
    assert "Flash Gordon" in landing.text
    assert "pgadmin_py_flash=;" in landing.headers.get("set-cookie", "")  # cleared by the page that showed it
    assert FLASH.findall(client.get("/tables/public/clients/rows/7").text) == []  # a reload shows nothing


def test_a_create_from_the_table_modal_returns_to_the_table_with_a_message(client: Any, token: str) -> None:
    hx = {"hx-request": "true", "hx-target": "record_form", "x-csrftoken": token,
          "hx-current-url": "http://testserver/tables/public/tags?_sort=name"}
    saved = client.post("/tables/public/tags/new", data={"f_name": "flashy", "f_color": "#123456"}, headers=hx)
    assert saved.headers["hx-redirect"] == "/tables/public/tags?_sort=name"
    # an htmx partial (paging, sorting, the count) neither shows nor consumes a waiting message
    partial = client.get("/tables/public/tags?_sort=name", headers={"hx-request": "true", "hx-target": "browse"})
    assert partial.status_code == 200 and "flash-message" not in partial.text
    assert "pgadmin_py_flash" not in partial.headers.get("set-cookie", "")
    table = client.get("/tables/public/tags?_sort=name")
    (level, message), = FLASH.findall(table.text)
    assert level == "success" and re.fullmatch(r"Row \d+ created in tags\.", message)


def test_a_forged_flash_cookie_is_ignored_and_cleared(client: Any) -> None:
    client.cookies.set("pgadmin_py_flash", "WyJlcnJvciIsICJZb3VyIGFjY291bnQgaXMgbG9ja2VkIl0.0000")
    page = client.get("/tables")
    assert FLASH.findall(page.text) == [] and "account is locked" not in page.text
    assert "pgadmin_py_flash=;" in page.headers.get("set-cookie", "")
