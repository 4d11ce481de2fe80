"""Build settings and in-process clients for integration tests, and read CSRF tokens like a browser."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from litestar.testing import TestClient

from pgadmin_py.core.dburl import DatabaseUrl
from pgadmin_py.core.settings import Settings
from pgadmin_py.db.conninfo import parse_database_url
from pgadmin_py.demo import bootstrap as demo
from pgadmin_py.web.app import AppState, build_state, create_app

T = TypeVar("T")
_TOKEN = re.compile(r'"x-csrftoken":\s*"([^"]+)"')


def demo_env(url: DatabaseUrl, data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment a user of the demo project would set, pointed at a test database."""
    return {
        "DATABASE_URL": url.libpq(),
        "SQLALCHEMY_BASE": demo.MODELS_SPEC,
        "ALEMBIC_CONFIG": str(demo.ALEMBIC_INI),
        "DATA_DIR": str(data_dir),
        "PROJECT_DIR": str(data_dir),
        **extra,
    }


BASE_URL = "http://127.0.0.1"  # a loopback Host, as a browser on this machine sends (the Host check refuses others)


def make_client(env: dict[str, str], state: AppState | None = None, *,  # type: ignore[type-arg]
                strict_blocks: bool = True) -> TestClient:
    """The app in process (on ``state`` when the test built it with :func:`make_state`). An htmx target that
    names no block of its template fails the request (a 500) unless ``strict_blocks`` is off (a fuzz test's
    made-up targets are the client's mistake, which the app answers with the whole page)."""
    settings = Settings.from_env(env, parse_url=parse_database_url)
    return TestClient(create_app(settings, state=state, strict_blocks=strict_blocks), base_url=BASE_URL,
                      raise_server_exceptions=False)


def make_state(env: dict[str, str]) -> AppState:
    """The app's services, built the way ``create_app`` builds them, for a test that looks at one of them."""
    return build_state(Settings.from_env(env, parse_url=parse_database_url), strict_blocks=True)


def csrf_token(client: TestClient, path: str = "/") -> str:  # type: ignore[type-arg]
    """GET a page the way a browser does and read the token htmx would send."""
    response = client.get(path)
    match = _TOKEN.search(response.text)
    assert match, f"no CSRF token on {path} (status {response.status_code})"
    return match.group(1)


_PENDING = re.compile(r'<(?P<tag>section|fieldset)[^>]*id="(?P<id>\w+)"[^>]*hx-get="(?P<url>[^"]+)"[^>]*>'
                      r'.*?</(?P=tag)>', re.DOTALL)


def with_sql(client: TestClient, path: str, timeout: float = 60) -> str:  # type: ignore[type-arg]
    """GET ``path`` and, like htmx in the browser, fetch every "rendering the SQL" block from the same URL
    until it is rendered; return the page with the blocks filled in."""
    page = client.get(path).text
    deadline = time.monotonic() + timeout
    while (match := _PENDING.search(page)) is not None:
        assert time.monotonic() < deadline, f"the SQL of {path} did not render in {timeout} s"
        block_id, url = match.group("id"), match.group("url").replace("&amp;", "&")
        block = client.get(url, headers={"HX-Request": "true", "HX-Target": block_id})
        assert block.status_code == 200, block.text[-500:]
        assert 'hx-get' in block.text or block_id in block.text
        if _PENDING.search(block.text):
            time.sleep(0.05)
        page = page[:match.start()] + block.text + page[match.end():]
    return page


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` on a thread of its own: a test may run after a Playwright test, whose sync API leaves an
    event loop running on the main thread for the rest of the session (asyncio.run refuses to nest)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
