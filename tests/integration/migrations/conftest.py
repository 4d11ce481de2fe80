"""Fixtures for the migrations integration tests (helpers live in mig_support.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient
from mig_support import project_env

from pgadmin_py.core.dburl import DatabaseUrl


@pytest.fixture
def project_client(empty_db: DatabaseUrl, tmp_path: Path) -> Iterator[Callable[..., Any]]:
    """``project_client("linear", MIGRATE_COMMAND=...)``: a client of the app on a fresh empty database."""
    from support.web import make_client

    opened: list[TestClient] = []  # type: ignore[type-arg]

    def build(name: str, **extra: str) -> TestClient:  # type: ignore[type-arg]
        client = make_client(project_env(name, empty_db, tmp_path, **extra))
        client.__enter__()
        opened.append(client)
        return client

    yield build
    for client in opened:
        client.__exit__(None, None, None)
