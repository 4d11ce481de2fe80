"""The schema before and after every run, and downgrades verified against the upgrade they undo (issue 13 §4).

Real PostgreSQL and real Alembic children on the ``rollback`` fixture project: ``b2``'s downgrade undoes all
of its upgrade, ``b3``'s forgets an index. The run page must say so in words.
"""

from __future__ import annotations

from typing import Any

import pytest
from mig_support import start_run, text_of, wait_run


@pytest.fixture
def client(project_client: Any) -> Any:
    return project_client("rollback")


def run(client: Any, action: str, target: str, confirm: str = "") -> str:
    page = wait_run(client, start_run(client, action, target, confirm))
    assert "succeeded" in text_of(page), text_of(page)[-2000:]
    return text_of(page)


def test_an_upgrade_shows_its_schema_change_in_words_and_as_a_diff(client: Any) -> None:
    page = run(client, "upgrade", "b1000000000a")
    assert "added table customers (3 columns, 1 constraint)" in page
    assert "added table orders (3 columns, 2 constraints)" in page
    page = run(client, "upgrade", "b2000000000b")
    assert "added column orders.note text NULL" in page
    assert "added index ix_orders_amount on orders: CREATE INDEX ix_orders_amount ON public.orders USING btree " \
           "(amount)" in page
    assert "type of customers.age: integer → bigint" in page
    assert "+ column note text NULL" in page  # the unified diff
    assert "- column age integer NULL" in page and "+ column age bigint NULL" in page
    assert "alembic_version" not in page.split("Schema before")[1].split("Log")[0]  # the version table is Alembic's


def test_a_faithful_downgrade_is_verified(client: Any) -> None:
    run(client, "upgrade", "b1000000000a")
    run(client, "upgrade", "b2000000000b")
    page = run(client, "downgrade", "b1000000000a", "b1000000000a")
    assert "Schema matches the state before revision b2000000000b" in page
    assert "dropped column orders.note" in page and "dropped index ix_orders_amount on orders" in page


def test_a_downgrade_that_forgets_an_index_says_what_differs(client: Any) -> None:
    run(client, "upgrade", "b2000000000b")
    run(client, "upgrade", "b3000000000c")
    page = run(client, "downgrade", "b2000000000b", "b2000000000b")
    assert "does not match the state before revision b3000000000c" in page
    assert "left behind: index ix_customers_name on customers: CREATE INDEX ix_customers_name ON " \
           "public.customers USING btree (name)" in page
    assert "dropped column customers.email" in page  # what the downgrade did undo
    assert "Schema matches" not in page


def test_a_downgrade_without_a_recorded_upgrade_is_not_verified(client: Any) -> None:
    run(client, "upgrade", "b2000000000b")  # base -> b2 in one run: no run went from b1 to b2
    page = run(client, "downgrade", "b1000000000a", "b1000000000a")
    assert "Not verified: no upgrade run through pgadmin-py recorded the schema" in page
