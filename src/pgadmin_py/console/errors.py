"""Errors of the SQL console, in words for the user."""

from __future__ import annotations

from pgadmin_py.core.errors import AppError, NotFound


class ConsoleError(AppError):
    title = "SQL console"


class ResultExpired(NotFound):
    title = "Result no longer available"

    def __init__(self) -> None:
        super().__init__("This result set is no longer kept in memory (the server keeps the last few runs only).",
                         "Run the query again.")


class QueryNotFound(NotFound):
    title = "Query not found"
