"""E2E: a developer reads the models, searches, opens one, jumps to its data."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect


def test_models_search_open_and_jump_to_data(page: Page, live_server, shots: Path) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{live_server.url}/models")
    expect(page.locator('[data-model="Client"]')).to_be_visible()
    expect(page.get_by_test_id("cascade-note").first).to_contain_text("Instrument")
    page.screenshot(path=str(shots / "models-index.png"))

    page.keyboard.press("/")
    page.keyboard.type("email")
    expect(page.locator('[data-model="Operation"]')).to_have_count(0)
    expect(page.locator('[data-model="Client"]')).to_be_visible()
    expect(page).to_have_url(re.compile(r"/models\?q=email"))
    expect(page.locator('[data-model="Client"] [data-column="email"]')).to_be_visible()

    page.locator('[data-model="Client"] .model-name a').click()
    expect(page.get_by_role("heading", name="Client", exact=True)).to_be_visible()
    expect(page.get_by_test_id("model-drift")).to_contain_text("notes")
    expect(page.get_by_test_id("touches")).to_contain_text("add_column notes")
    page.screenshot(path=str(shots / "models-client.png"), full_page=True)

    page.get_by_test_id("model-data").click()
    expect(page).to_have_url(re.compile(r"/tables/public/clients"))


GADGETS_DDL = """
create table ct_gadgets (
    id serial primary key,
    name varchar(40) not null,
    price numeric(12, 2) not null default 0,
    blob text,
    made_at timestamp not null default timezone('utc', current_timestamp),
    shard integer not null default 1
)"""


def test_custom_types_on_the_models_page_the_diagram_and_the_form(page: Page, demo_db, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                   start_server, shots: Path) -> None:
    from sqlalchemy import create_engine, text

    from support.web import demo_env

    engine = create_engine(demo_db.sqlalchemy())
    with engine.begin() as conn:
        conn.execute(text(GADGETS_DDL))
    engine.dispose()
    project = Path(__file__).resolve().parents[1] / "fixtures" / "models" / "customtypes"
    server = start_server(demo_env(demo_db, tmp_path, SQLALCHEMY_BASE="ctapp.models:Base", PROJECT_DIR=str(project)))
    assert "1 models, 1 tables from ctapp.models:Base" in server.output()  # the startup report
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{server.url}/models")
    gadget = page.locator('[data-model="Gadget"]')
    expect(gadget).to_be_visible()
    expect(gadget.locator('[data-column="blob"]')).to_contain_text("Wrapped")  # will not compile: class name
    expect(gadget.locator('[data-column="shard"]')).to_contain_text("shard_default")
    page.screenshot(path=str(shots / "models-custom-types.png"), full_page=True)
    page.goto(f"{server.url}/diagram?table=public.ct_gadgets")
    expect(page.locator('[data-table="public.ct_gadgets"]')).to_be_visible()
    page.goto(f"{server.url}/tables/public/ct_gadgets/new")
    page.locator("#f_name").fill("sprocket")
    page.get_by_test_id("record-save").click()
    expect(page.locator("body")).to_contain_text("sprocket")
    engine = create_engine(demo_db.sqlalchemy())
    with engine.connect() as conn:
        assert conn.execute(text("select name, price, shard from ct_gadgets")).one() == ("sprocket", 0, 1)
    engine.dispose()
