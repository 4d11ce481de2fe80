"""The one module that builds URLs. Templates call these; they never concatenate paths.

Feature URLs that carry state (sort, filters, cursor, revision, query) get a method here that
takes the typed value and serialises it, so every state has exactly one URL.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote, urlencode

from pgadmin_py.core.pk import encode_pk, tilde_encode


class Urls:
    """Bound into every template as ``urls``."""

    def home(self) -> str:
        return "/"

    def migrations(self) -> str:
        return "/migrations"

    def tables(self) -> str:
        return "/tables"

    def models(self) -> str:
        return "/models"

    def diagram(self) -> str:
        return "/diagram"

    def sql(self) -> str:
        return "/sql"

    def login(self, next_url: str | None = None) -> str:
        return "/login" + (f"?{urlencode({'next': next_url})}" if next_url and next_url != "/" else "")

    def logout(self) -> str:
        return "/logout"

    def healthz(self) -> str:
        return "/healthz"

    def readyz(self) -> str:
        return "/readyz"

    def static(self, path: str) -> str:
        return "/static/" + quote(path.lstrip("/"))

    # --- migrations: URLs of the migrations feature (edit only inside this section) ---

    # --- end migrations ---

    # --- tables: URLs of the data browser (edit only inside this section) ---
    # Schema, table and key values are tilde-encoded path segments (core/pk.py): safe for any name.

    def table(self, schema: str, name: str, query: Mapping[str, str] | None = None) -> str:
        base = f"/tables/{tilde_encode(schema)}/{tilde_encode(name)}"
        return base + (f"?{urlencode(query)}" if query else "")

    def row(self, schema: str, name: str, pk: tuple[object, ...]) -> str:
        return f"{self.table(schema, name)}/rows/{encode_pk(pk)}"

    # --- end tables ---

    # --- records: URLs of create / edit / delete (edit only inside this section) ---

    def row_new(self, schema: str, name: str) -> str:
        return f"{self.table(schema, name)}/new"

    def row_edit(self, schema: str, name: str, pk: tuple[object, ...]) -> str:
        return f"{self.row(schema, name, pk)}/edit"

    def rows_delete(self, schema: str, name: str) -> str:
        return f"{self.table(schema, name)}/delete"

    def fk_search(self, schema: str, name: str, column: str) -> str:
        return f"{self.table(schema, name)}/fk/{tilde_encode(column)}"

    # --- end records ---

    # --- models: URLs of the models and diagram features (edit only inside this section) ---

    # --- end models ---

    # --- sql: URLs of the SQL console (edit only inside this section) ---

    # --- end sql ---


def safe_next(target: str | None) -> str:
    """A post-login redirect target that stays on this site (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
