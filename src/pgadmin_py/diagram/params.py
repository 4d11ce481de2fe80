"""What a diagram URL asks for: all tables, one schema, or one table and its neighbours to a depth."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

MAX_DEPTH = 5


@dataclass(frozen=True, slots=True)
class DiagramParams:
    schema: str | None = None  # only this schema
    table: str | None = None  # "schema.table": this table and its neighbours
    depth: int = 1  # how many foreign-key hops around ``table``
    keys_only: bool = False  # show only key columns (PK and FK): a compact overview
    group: str | None = None  # "schema.table" naming a group (diagram.groups) of a schema too large for a screen
    whole: bool = False  # every table even when they do not fit a screen readably (no overview of groups)

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> DiagramParams:
        """Lenient: a bad value falls back to the default instead of failing a bookmarked URL."""
        raw_depth = query.get("depth", "")
        depth = int(raw_depth) if raw_depth.isdigit() else 1
        table = (query.get("table") or "").strip() or None
        if table is not None and "." not in table:
            table = f"public.{table}"
        return cls(schema=(query.get("schema") or "").strip() or None, table=table,
                   depth=min(max(depth, 0), MAX_DEPTH), keys_only=query.get("columns") == "keys",
                   group=(query.get("group") or "").strip() or None, whole=query.get("all") == "1")

    def to_query(self) -> dict[str, str]:
        out: dict[str, str] = {}
        if self.schema:
            out["schema"] = self.schema
        if self.table:
            out["table"] = self.table
            if self.depth != 1:
                out["depth"] = str(self.depth)
        if self.keys_only:
            out["columns"] = "keys"
        if self.group:
            out["group"] = self.group
        if self.whole:
            out["all"] = "1"
        return out

    @property
    def cache_key(self) -> tuple[str | None, str | None, int, bool, str | None, bool]:
        return self.schema, self.table, self.depth, self.keys_only, self.group, self.whole
