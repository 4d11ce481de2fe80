"""Routes of the tables section (owned by the tables feature)."""

from __future__ import annotations

from typing import Any

ROUTES: list[Any] = []
