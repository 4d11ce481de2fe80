"""Helpers for the migrations integration tests: fixture projects, forms, waiting for runs."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from litestar.testing import TestClient

from pgadmin_py.core.dburl import DatabaseUrl

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


_PENDING = re.compile(r'<section[^>]*id="(\w+)"[^>]*hx-get="([^"]+)"[^>]*>.*?</section>', re.DOTALL)


def with_sql(client: TestClient, path: str, timeout: float = 60) -> str:  # type: ignore[type-arg]
    """GET ``path`` and, like htmx in the browser, fetch every "rendering the SQL" block from the same URL
    until it is rendered; return the page with the blocks filled in."""
    page = client.get(path).text
    deadline = time.monotonic() + timeout
    while (match := _PENDING.search(page)) is not None:
        assert time.monotonic() < deadline, f"the SQL of {path} did not render in {timeout} s"
        block_id, url = match.group(1), match.group(2).replace("&amp;", "&")
        block = client.get(url, headers={"HX-Request": "true", "HX-Target": block_id})
        assert block.status_code == 200, block.text[-500:]
        assert 'hx-get' in block.text or block_id in block.text
        page = page[:match.start()] + block.text + page[match.end():]
    return page


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&gt;", ">").replace("&#39;", "'")
