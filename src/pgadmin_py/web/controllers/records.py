"""Routes of create / edit / delete of rows (owned by the records feature)."""

from __future__ import annotations

from typing import Any

ROUTES: list[Any] = []
