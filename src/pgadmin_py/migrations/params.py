"""The state of the confirmation page, carried in its URL: ``/migrations/plan?action=upgrade&target=head``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from pgadmin_py.core.errors import AppError

ACTIONS = ("upgrade", "downgrade", "stamp")
_TARGET = re.compile(r"^[\w@.,+-]{1,200}$")


@dataclass(frozen=True, slots=True)
class PlanParams:
    action: str = "upgrade"
    target: str = "heads"

    @classmethod
    def parse(cls, query: Mapping[str, str]) -> PlanParams:
        action = query.get("action", "upgrade").strip() or "upgrade"
        target = query.get("target", "").strip() or ("heads" if action == "upgrade" else "-1")
        if action not in ACTIONS:
            raise AppError(f"Unknown action {action!r}.", "Use upgrade, downgrade or stamp.")
        if not _TARGET.match(target):
            raise AppError(f"{target!r} is not a revision target.",
                           "Use head, heads, base, -1, a revision id or label@head.")
        return cls(action, target)

    def query(self) -> str:
        return urlencode({"action": self.action, "target": self.target})
