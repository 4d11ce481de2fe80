"""Routes of the sql section (owned by the sql feature)."""

from __future__ import annotations

from typing import Any

ROUTES: list[Any] = []
