"""Routes of the models section (owned by the models feature)."""

from __future__ import annotations

from typing import Any

ROUTES: list[Any] = []
