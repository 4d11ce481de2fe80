"""The confirmation page's URL state round-trips; migration URLs are built in one place."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from pgadmin_py.core.errors import AppError
from pgadmin_py.migrations.params import PlanParams
from pgadmin_py.web.urls import Urls


@pytest.mark.parametrize("params", [PlanParams("upgrade", "heads"), PlanParams("downgrade", "-1"),
                                    PlanParams("upgrade", "feature@head"), PlanParams("stamp", "b3000000merg"),
                                    PlanParams("downgrade", "base")])
def test_plan_params_round_trip(params: PlanParams) -> None:
    url = Urls().migration_plan(params.action, params.target)
    assert urlsplit(url).path == "/migrations/plan"
    assert PlanParams.parse(dict(parse_qsl(urlsplit(url).query))) == params


def test_defaults_and_rejects() -> None:
    assert PlanParams.parse({}) == PlanParams("upgrade", "heads")
    assert PlanParams.parse({"action": "downgrade"}) == PlanParams("downgrade", "-1")
    with pytest.raises(AppError):
        PlanParams.parse({"action": "drop"})
    with pytest.raises(AppError):
        PlanParams.parse({"target": "head; rm -rf /"})


def test_run_and_backup_urls() -> None:
    urls = Urls()
    assert urls.migration("abc123") == "/migrations/abc123"
    assert urls.migration_run(7) == "/migrations/runs/7"
    assert urls.migration_run_events(7, 12) == "/migrations/runs/7/events?after=12"
    assert urls.migration_restore("db-2024.dump") == "/migrations/backups/db-2024.dump/restore"
