"""The error hierarchy every feature raises.

Services raise an :class:`AppError` subclass carrying words for the user (``detail``) and a way out
(``hint``); ``web/errors.py`` is the one place that turns them into status codes and pages, so no
feature ever builds an HTTP response for an error itself.
"""

from __future__ import annotations


class AppError(Exception):
    """A failure the user can understand and act on."""

    status_code = 400
    title = "Something went wrong"

    def __init__(self, detail: str, hint: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.hint = hint


class ConfigError(AppError):
    """A setting from the environment is invalid. Raised at start, before anything is served."""

    title = "Invalid configuration"

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems), "Fix the variable(s) above and start pgadmin-py again.")

    def __str__(self) -> str:
        lines = ["pgadmin-py cannot start: the configuration is invalid."]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


class NotFound(AppError):
    status_code = 404
    title = "Not found"


class ReadOnlyError(AppError):
    """A write was attempted while the server runs in read-only mode."""

    status_code = 403
    title = "Read-only mode"

    def __init__(self, what: str = "This action") -> None:
        super().__init__(
            f"{what} changes the database, and pgadmin-py is running in read-only mode.",
            "Restart without READ_ONLY=1 to allow changes.",
        )


class DatabaseUnavailable(AppError):
    """The database cannot be reached right now; the app keeps retrying in the background."""

    status_code = 503
    title = "Waiting for the database"


class EmbeddedServerError(AppError):
    """No embedded PostgreSQL could be started (no binaries, or initdb/pg_ctl failed)."""

    status_code = 500
    title = "Cannot start the embedded PostgreSQL"


class QueryTimeout(AppError):
    status_code = 504
    title = "The query took too long"
