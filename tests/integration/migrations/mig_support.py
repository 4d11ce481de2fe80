"""Helpers for the migrations integration tests: fixture projects, forms, waiting for runs."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from litestar.testing import TestClient

from pgadmin_py.core.dburl import DatabaseUrl
from support.web import with_sql

__all__ = ["FIXTURES", "post_form", "project_env", "start_run", "text_of", "wait_run", "with_sql"]

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "alembic"


def project_env(name: str, url: DatabaseUrl, data_dir: Path, **extra: str) -> dict[str, str]:
    project = FIXTURES / name
    return {"DATABASE_URL": url.libpq(), "ALEMBIC_CONFIG": str(project / "alembic.ini"), "PROJECT_DIR": str(project),
            "DATA_DIR": str(data_dir), **extra}


def post_form(client: TestClient, path: str, data: dict[str, str], page: str = "/migrations") -> Any:  # type: ignore[type-arg]
    from support.web import csrf_token

    return client.post(path, data=data, headers={"x-csrftoken": csrf_token(client, page)}, follow_redirects=False)


def start_run(client: TestClient, action: str, target: str, confirm: str = "", **extra: str) -> int:  # type: ignore[type-arg]
    response = post_form(client, "/migrations/apply", {"action": action, "target": target, "confirm": confirm, **extra})
    assert response.status_code == 303, response.text[-1500:]
    match = re.search(r"/migrations/runs/(\d+)$", response.headers["location"])
    assert match
    return int(match.group(1))


def wait_run(client: TestClient, run_id: int, timeout: float = 60) -> str:  # type: ignore[type-arg]
    """Poll the run page until the run has finished; return its page."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page = client.get(f"/migrations/runs/{run_id}").text
        status = re.search(r'data-testid="run-status">(.*?)</dd>', page, re.DOTALL)
        if status and "running" not in text_of(status.group(1)):
            return page
        time.sleep(0.1)
    raise AssertionError(f"run {run_id} did not finish in {timeout} s")


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&gt;", ">").replace("&#39;", "'")
