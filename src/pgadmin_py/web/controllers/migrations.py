"""Routes of the migrations section (owned by the migrations feature)."""

from __future__ import annotations

from typing import Any

ROUTES: list[Any] = []
