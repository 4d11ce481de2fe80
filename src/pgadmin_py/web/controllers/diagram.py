"""Routes of the diagram section (owned by the diagram feature)."""

from __future__ import annotations

from typing import Any

ROUTES: list[Any] = []
