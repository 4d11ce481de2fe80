"""The one module that builds URLs. Templates call these; they never concatenate paths.

Feature URLs that carry state (sort, filters, cursor, revision, query) get a method here that
takes the typed value and serialises it, so every state has exactly one URL.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote, urlencode

from pgadmin_py.core.cache import BoundedCache
from pgadmin_py.core.pk import encode_pk, tilde_encode

TABLE_PATHS = 4096  # a page links every row: each table's path is encoded once per Urls


class Urls:
    """Bound into every template as ``urls`` (one per renderer, so its memo of table paths lives with the app)."""

    def __init__(self) -> None:
        self._table_paths: BoundedCache[tuple[str, str], str] = BoundedCache(TABLE_PATHS)

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
    def migration(self, rev: str) -> str:
        return f"/migrations/{quote(rev, safe='')}"

    def migration_plan(self, action: str, target: str) -> str:
        from pgadmin_py.migrations.params import PlanParams

        return "/migrations/plan?" + PlanParams(action, target).query()

    def migration_plan_form(self) -> str:
        """Where the "plan an action" GET form submits (its fields are PlanParams)."""
        return "/migrations/plan"

    def migration_apply(self) -> str:
        return "/migrations/apply"

    def migration_file(self, path: str) -> str:
        return "/migrations/file?" + urlencode({"path": path})

    def migration_rehearse(self) -> str:
        return "/migrations/rehearse"

    def migration_run_cancel(self, run_id: int) -> str:
        return f"/migrations/runs/{int(run_id)}/cancel"

    def migration_runs(self) -> str:
        return "/migrations/runs"

    def migration_run(self, run_id: int) -> str:
        return f"/migrations/runs/{int(run_id)}"

    def migration_run_events(self, run_id: int, after: int = 0) -> str:
        return f"/migrations/runs/{int(run_id)}/events?{urlencode({'after': int(after)})}"

    def migration_backups(self) -> str:
        return "/migrations/backups"

    def migration_restore(self, name: str) -> str:
        return f"/migrations/backups/{quote(name, safe='')}/restore"

    def migration_autogenerate(self) -> str:
        return "/migrations/download/autogenerate"

    def migration_merge_script(self) -> str:
        return "/migrations/download/merge"

    # --- end migrations ---

    # --- tables: URLs of the data browser (edit only inside this section) ---
    # Schema, table and key values are tilde-encoded path segments (core/pk.py): safe for any name.

    def table(self, schema: str, name: str, query: Mapping[str, str] | None = None) -> str:
        base = self._table_paths.get_or_build((schema, name),
                                              lambda: f"/tables/{tilde_encode(schema)}/{tilde_encode(name)}")
        return base + (f"?{urlencode(query)}" if query else "")

    def row(self, schema: str, name: str, pk: tuple[object, ...]) -> str:
        return f"{self.table(schema, name)}/rows/{encode_pk(pk)}"

    def row_by_token(self, schema: str, name: str, pk_token: str) -> str:
        """``row()`` for a key already encoded with core.pk.encode_pk (a browser Row's ``pk_token``)."""
        return f"{self.table(schema, name)}/rows/{pk_token}"

    def row_urls_by_token(self, schema: str, name: str) -> tuple[str, str]:
        """``(before, after)``: ``row_by_token(..., t) == before + t`` and ``row_edit_by_token(..., t) ==
        before + t + after``. A table page links 100 rows: it builds their URLs by concatenation."""
        return f"{self.table(schema, name)}/rows/", "/edit"

    def row_edit_by_token(self, schema: str, name: str, pk_token: str) -> str:
        """``row_edit()`` (records section) for a key already encoded: a table page links every row's form."""
        return f"{self.row_by_token(schema, name, pk_token)}/edit"

    def browse(self, schema: str, name: str, params: object) -> str:
        """A view of a table (a browser.params.BrowseParams: sort, filters, size, position), canonically."""
        return self.table_filtered(schema, name, self._browse_pairs(params))

    def table_filtered(self, schema: str, name: str, pairs: tuple[tuple[str, str], ...] | list[tuple[str, str]]) -> str:
        """The table with these query pairs, e.g. ``(("account_id__eq", "5"),)`` for FK and reverse links."""
        return self.table(schema, name) + (f"?{urlencode(list(pairs))}" if pairs else "")

    def table_count(self, schema: str, name: str, params: object) -> str:
        pairs = self._browse_pairs(params, "first_page")
        return f"{self.table(schema, name)}/count" + (f"?{urlencode(pairs)}" if pairs else "")

    def export(self, schema: str, name: str, fmt: str, params: object) -> str:
        pairs = self._browse_pairs(params, "view_only")
        return f"{self.table(schema, name)}/export/{tilde_encode(fmt)}" + (f"?{urlencode(pairs)}" if pairs else "")

    def tables_search(self, search: str) -> str:
        return self.tables() + (f"?{urlencode({'q': search})}" if search else "")

    @staticmethod
    def _browse_pairs(params: object, view: str | None = None) -> list[tuple[str, str]]:
        from pgadmin_py.browser.params import BrowseParams  # local: keeps this module's imports shared-free

        if not isinstance(params, BrowseParams):
            raise TypeError(f"expected BrowseParams, got {type(params).__name__}")
        return (getattr(params, view)() if view else params).to_query()

    # --- end tables ---

    # --- records: URLs of create / edit / delete (edit only inside this section) ---

    def row_new(self, schema: str, name: str) -> str:
        return f"{self.table(schema, name)}/new"

    def row_edit(self, schema: str, name: str, pk: tuple[object, ...]) -> str:
        return f"{self.row(schema, name, pk)}/edit"

    def rows_delete(self, schema: str, name: str) -> str:
        return f"{self.table(schema, name)}/delete"

    def matview_refresh(self, schema: str, name: str) -> str:
        return f"{self.table(schema, name)}/refresh"
    def row_cell(self, schema: str, name: str, pk: tuple[object, ...], column: str) -> str:
        """One cell of a row: GET its inline editor, POST its new value."""
        return self.row(schema, name, pk) + self.cell_suffix(column)

    def cell_suffix(self, column: str) -> str:
        """What follows a row's URL to address one of its cells: a table page names it once per column
        (``data-cell``), and its script appends it to the row's URL (``row_urls_by_token`` plus the key)."""
        return f"/cells/{tilde_encode(column)}"

    def fk_search(self, schema: str, name: str, column: str) -> str:
        return f"{self.table(schema, name)}/fk/{tilde_encode(column)}"

    # --- end records ---

    # --- models: URLs of the models and diagram features (edit only inside this section) ---
    # Diagram URLs take DiagramParams.to_query(): schema, table ("schema.table"), depth, columns=keys.

    def models_search(self, q: str) -> str:
        return "/models" + (f"?{urlencode({'q': q})}" if q else "")

    def model(self, name: str) -> str:
        return f"/models/{tilde_encode(name)}"

    def diagram_of(self, query: Mapping[str, str] | None = None) -> str:
        return "/diagram" + (f"?{urlencode(query)}" if query else "")

    def diagram_svg(self, query: Mapping[str, str] | None = None) -> str:
        return "/diagram.svg" + (f"?{urlencode(query)}" if query else "")

    def diagram_png(self, query: Mapping[str, str] | None = None) -> str:
        return "/diagram.png" + (f"?{urlencode(query)}" if query else "")

    def diagram_edge(self, schema: str, table: str, name: str) -> str:
        return f"/diagram/edges/{tilde_encode(schema)}/{tilde_encode(table)}/{tilde_encode(name)}"


    # --- end models ---

    # --- sql: URLs of the SQL console (edit only inside this section) ---

    def sql_query(self, sql: str = "", search: str = "") -> str:
        """The console with ``sql`` in the editor: the shareable link of any query."""
        pairs = [(k, v) for k, v in (("q", sql), ("search", search)) if v]
        return "/sql" + (f"?{urlencode(pairs)}" if pairs else "")

    def sql_run(self) -> str:
        return "/sql/run"

    def sql_cancel(self) -> str:
        return "/sql/cancel"

    def sql_format(self) -> str:
        return "/sql/format"

    def sql_completions(self) -> str:
        return "/sql/completions"

    def sql_history(self, entry_id: int) -> str:
        return f"/sql/history/{int(entry_id)}"

    def sql_saved(self, saved_id: int) -> str:
        return f"/sql/saved/{int(saved_id)}"

    def sql_save(self) -> str:
        return "/sql/saved"

    def sql_saved_delete(self, saved_id: int) -> str:
        return f"/sql/saved/{int(saved_id)}/delete"

    def sql_result(self, batch_id: str, index: int, page: int = 1) -> str:
        return f"/sql/results/{quote(batch_id)}/{int(index)}" + (f"?page={int(page)}" if page > 1 else "")

    def sql_result_csv(self, batch_id: str, index: int) -> str:
        return f"/sql/results/{quote(batch_id)}/{int(index)}/csv"

    # --- end sql ---


def safe_next(target: str | None) -> str:
    """A post-login redirect target that stays on this site (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
