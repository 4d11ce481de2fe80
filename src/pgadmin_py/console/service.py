"""The console as one object the web layer holds: run, explain, cancel, page through and export
results, history and saved queries. Built once per app from the settings."""

from __future__ import annotations

import csv
import io
import threading
from collections import OrderedDict
from dataclasses import replace
from pathlib import Path

from sqlalchemy import Engine

from pgadmin_py.console.completion import Completions
from pgadmin_py.console.errors import ConsoleError, QueryNotFound, ResultExpired
from pgadmin_py.console.explain import ExplainBatch, explain
from pgadmin_py.console.formatting import format_sql
from pgadmin_py.console.highlight import Highlighter
from pgadmin_py.console.library import HistoryEntry, Library, SavedQuery
from pgadmin_py.console.model import CONSOLE_TIMEOUT_MS, Batch, Confirmation, ConsoleLimits, ResultSet, RunRequest
from pgadmin_py.console.runner import Runner
from pgadmin_py.console.session import RunRegistry
from pgadmin_py.core.dburl import DatabaseUrl
from pgadmin_py.core.settings import Settings

KEEP_BATCHES = 16


class Console:
    def __init__(self, url: DatabaseUrl, *, read_only: bool, limits: ConsoleLimits, data_dir: Path,
                 engine: Engine) -> None:
        self.read_only = read_only
        self.limits = limits
        self.runner = Runner(url, app_read_only=read_only, limits=limits, registry=RunRegistry())
        self.library = Library(data_dir / "console.sqlite3")
        self.highlight = Highlighter()
        self.completions = Completions(engine)  # the editor's completion names, read through the app's pool
        self._batches: OrderedDict[str, Batch] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings, engine: Engine) -> Console:
        if settings.database_url is None:
            raise ConsoleError("No database is configured.")
        limits = ConsoleLimits(statement_timeout_ms=min(settings.statement_timeout_ms, CONSOLE_TIMEOUT_MS))
        return cls(settings.database_url, read_only=settings.read_only, limits=limits, data_dir=settings.data_dir,
                   engine=engine)

    def run(self, request: RunRequest) -> Batch | Confirmation:
        outcome = self.runner.run(request)
        if isinstance(outcome, Batch) and outcome.refused is None:
            error = outcome.error
            history_id = self.library.record(request.target[0], "run", outcome.duration_ms, outcome.ok,
                                             outcome.total_rows, error.message if error else None)
            outcome = replace(outcome, history_id=history_id)
            with self._lock:
                self._batches[outcome.id] = outcome
                while len(self._batches) > KEEP_BATCHES:
                    self._batches.popitem(last=False)
        return outcome

    def explain(self, request: RunRequest, *, analyze: bool) -> ExplainBatch | Confirmation:
        outcome = explain(self.runner, request, analyze=analyze)
        if isinstance(outcome, ExplainBatch) and outcome.refused is None:
            error = outcome.error
            self.library.record(request.target[0], "analyze" if analyze else "explain", outcome.duration_ms,
                                outcome.ok, None, error.message if error else None)
        return outcome

    @staticmethod
    def format(sql: str) -> str:
        return format_sql(sql.replace("\r\n", "\n"))

    def cancel(self, run_id: str) -> bool:
        return bool(run_id) and self.runner.cancel(run_id)

    def result_set(self, batch_id: str, index: int) -> tuple[Batch, ResultSet]:
        with self._lock:
            batch = self._batches.get(batch_id)
        if batch is None or not 0 <= index < len(batch.results) or not batch.results[index].has_rows:
            raise ResultExpired()
        return batch, batch.results[index]

    def csv(self, batch_id: str, index: int) -> str:
        """The fetched rows of one result set as CSV (NULL as an empty field)."""
        _, result = self.result_set(batch_id, index)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([c.name for c in result.columns])
        writer.writerows([["" if v is None else v for v in row] for row in result.rows])
        return out.getvalue()

    def history(self, search: str = "") -> list[HistoryEntry]:
        return self.library.history(search)

    def history_entry(self, entry_id: int) -> HistoryEntry:
        entry = self.library.history_entry(entry_id)
        if entry is None:
            raise QueryNotFound(f"There is no query #{entry_id} in the history.", "It may have been pruned.")
        return entry

    def saved(self, search: str = "") -> list[SavedQuery]:
        return self.library.saved(search)

    def saved_query(self, saved_id: int) -> SavedQuery:
        query = self.library.saved_query(saved_id)
        if query is None:
            raise QueryNotFound(f"There is no saved query #{saved_id}.", "It may have been deleted.")
        return query

    def save(self, name: str, sql: str) -> SavedQuery:
        name, sql = name.strip()[:120], sql.replace("\r\n", "\n").strip()
        if not name or not sql:
            raise ConsoleError("A saved query needs a name and some SQL.", "Type a name next to “Save”.")
        return self.saved_query(self.library.save(name, sql))

    def delete_saved(self, saved_id: int) -> None:
        if not self.library.delete_saved(saved_id):
            raise QueryNotFound(f"There is no saved query #{saved_id}.")
