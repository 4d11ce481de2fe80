"""The one place where exceptions become responses.

Services raise :class:`AppError` subclasses with words for the user; here they become a full error
page, or for an htmx request a flash message retargeted into ``#flash``. Connection failures show
the "waiting for the database" page and wake the monitor; any other database error (a statement
timeout, a lock wait, ...) failed one query and is said on its page (db/failures.py tells them apart
by SQLSTATE). Nothing here ever shows a traceback.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, PermissionDeniedException
from litestar.types import ExceptionHandlersMap

from pgadmin_py.core.errors import AppError, DatabaseUnavailable
from pgadmin_py.db.failures import is_connection_failure, query_failure, sqlstate_of
from pgadmin_py.db.monitor import describe_error
from pgadmin_py.web.htmx import swap_into, wants_fragment
from pgadmin_py.web.state import AppState

log = logging.getLogger(__name__)

CSRF_DETAIL = "The page's security token is missing or out of date, so the request was refused."
CSRF_HINT = "Reload the page and try again. If it keeps happening, allow cookies for this site."


class ErrorPages:
    """The app's exception handlers, bound to its state (renderer, monitor, settings)."""

    def __init__(self, state: AppState) -> None:
        self.state = state

    def handlers(self) -> ExceptionHandlersMap:
        return {AppError: self.handle_app_error, HTTPException: self.handle_http_error,
                Exception: self.handle_unexpected}

    def error_response(self, request: Request[Any, Any, Any], status: int, title: str, detail: str,
                       hint: str | None, request_id: str | None = None) -> Response[str]:
        renderer = self.state.renderer
        if wants_fragment(request):
            body = renderer.render(request, "errors/flash.html", section="", title=title, block=None,
                                   level="error", message=f"{title}: {detail}", hint=hint)
            return swap_into(body, "#flash", "beforeend", status_code=status)
        return renderer.page(request, "errors/error.html", section="", title=title, status_code=status, block=None,
                             status=status, detail=detail, hint=hint, request_id=request_id)

    def waiting_response(self, request: Request[Any, Any, Any], detail: str) -> Response[str]:
        monitor = self.state.monitor
        retry = max(1, round(monitor.retry_in))
        if wants_fragment(request):
            return self.error_response(request, 503, "Waiting for the database", detail,
                                       "pgadmin-py retries by itself; reload in a few seconds.")
        return self.state.renderer.page(request, "errors/waiting.html", section="", title="Waiting for the database",
                                        status_code=503, headers={"Retry-After": str(retry)}, block=None,
                                        detail=detail, attempt=monitor.attempt, retry_seconds=retry)

    def handle_app_error(self, request: Request[Any, Any, Any], exc: AppError) -> Response[str]:
        if isinstance(exc, DatabaseUnavailable):
            return self.waiting_response(request, exc.detail)
        return self.error_response(request, exc.status_code, exc.title, exc.detail, exc.hint)

    def handle_http_error(self, request: Request[Any, Any, Any], exc: HTTPException) -> Response[str]:
        status = exc.status_code
        if isinstance(exc, PermissionDeniedException) and "csrf" in str(exc.detail).lower():
            return self.error_response(request, 403, "Request refused", CSRF_DETAIL, CSRF_HINT)
        if status == 404:
            return self.error_response(request, 404, "Page not found", f"There is no page at {request.url.path}.",
                                       "Check the address, or start again from the dashboard.")
        if status == 405:
            return self.error_response(request, 405, "Method not allowed",
                                       f"{request.method} is not accepted at {request.url.path}.", None)
        if isinstance(exc, NotAuthorizedException):
            return self.error_response(request, 401, "Login required", "Log in to continue.", None)
        detail = exc.detail if isinstance(exc.detail, str) else "The request could not be handled."
        if status == 400 and getattr(exc, "extra", None):
            detail = f"{detail}: {exc.extra}"
        return self.error_response(request, status, "Bad request" if status == 400 else "Request refused",
                                   detail, None)

    def handle_unexpected(self, request: Request[Any, Any, Any], exc: Exception) -> Response[str]:
        monitor = self.state.monitor
        if is_connection_failure(exc):
            monitor.mark_down(describe_error(exc))
            return self.waiting_response(request, monitor.last_error or "connection lost")
        failure = query_failure(exc, statement_timeout_ms=self.state.settings.statement_timeout_ms)
        if failure is not None and failure.status_code != 500:  # timeout, lock, not populated...: the pool stays
            log.warning("Query failed on %s %s: SQLSTATE %s: %s", request.method, request.url.path,
                        sqlstate_of(exc), failure.detail)
            return self.error_response(request, failure.status_code, failure.title, failure.detail, failure.hint)
        request_id = secrets.token_hex(4)
        if failure is not None:  # an error no rule explains may be a bug of ours: the traceback goes to the log
            log.exception("Query failed [%s] on %s %s", request_id, request.method, request.url.path)
            return self.error_response(request, 500, failure.title, failure.detail,
                                       failure.hint or "The server log has the details; quote this request id in "
                                       "a bug report.", request_id)
        log.exception("Unhandled error [%s] on %s %s", request_id, request.method, request.url.path)
        return self.error_response(request, 500, "Unexpected error",
                                   "pgadmin-py hit a bug while handling this request. Nothing was changed.",
                                   "The server log has the details; quote this request id in a bug report.",
                                   request_id)
