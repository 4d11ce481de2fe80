"""Build settings and in-process clients for integration tests, and read CSRF tokens like a browser."""

from __future__ import annotations

import re
from pathlib import Path

from litestar.testing import TestClient

from pgadmin_py.core.dburl import DatabaseUrl
from pgadmin_py.core.settings import Settings
from pgadmin_py.db.conninfo import parse_database_url
from pgadmin_py.demo import bootstrap as demo
from pgadmin_py.web.app import create_app

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


def make_client(env: dict[str, str]) -> TestClient:  # type: ignore[type-arg]
    settings = Settings.from_env(env, parse_url=parse_database_url)
    return TestClient(create_app(settings), base_url=BASE_URL, raise_server_exceptions=False)


def csrf_token(client: TestClient, path: str = "/") -> str:  # type: ignore[type-arg]
    """GET a page the way a browser does and read the token htmx would send."""
    response = client.get(path)
    match = _TOKEN.search(response.text)
    assert match, f"no CSRF token on {path} (status {response.status_code})"
    return match.group(1)
