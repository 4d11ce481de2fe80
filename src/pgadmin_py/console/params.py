"""The console's URL state: ``/sql?q=<query>&search=<history filter>``. Parses and serialises back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from pgadmin_py.console.model import RunRequest
from pgadmin_py.console.statements import statement_at

MAX_QUERY_CHARS = 100_000


@dataclass(frozen=True, slots=True)
class ConsoleParams:
    q: str = ""
    search: str = ""

    @classmethod
    def parse(cls, query: Mapping[str, str]) -> ConsoleParams:
        return cls(q=(query.get("q") or "").replace("\r\n", "\n")[:MAX_QUERY_CHARS],
                   search=(query.get("search") or "").strip()[:200])

    def query_string(self) -> str:
        pairs = [(k, v) for k, v in (("q", self.q), ("search", self.search)) if v]
        return urlencode(pairs)


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() else None


def parse_run_form(form: Mapping[str, str]) -> tuple[str, RunRequest]:
    """The action (run | explain | analyze) and the request of a posted editor form; ``sel_start`` and
    ``sel_end`` (a selection) or ``cursor`` (the statement under it) narrow what runs."""
    sql = (form.get("sql") or "").replace("\r\n", "\n")[:MAX_QUERY_CHARS]
    start, end = _int(form.get("sel_start")), _int(form.get("sel_end"))
    selection = (start, end) if start is not None and end is not None and start < end else None
    cursor = _int(form.get("cursor"))  # Ctrl+Enter without a selection: the statement under the cursor
    if selection is None and cursor is not None:
        selection = statement_at(sql, cursor)
    action = form.get("action") or "run"
    if action not in ACTIONS:
        action = "run"
    request = RunRequest(sql=sql, selection=selection, allow_writes=(form.get("allow_writes") or "") in TRUTHY,
                         confirm=(form.get("confirm") or "")[:64], run_id=(form.get("run_id") or "")[:64])
    return action, request


ACTIONS = ("run", "explain", "analyze")
TRUTHY = {"1", "on", "true", "yes"}
