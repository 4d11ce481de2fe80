"""``Server-Timing`` on every routed HTTP response: the time the app took, and where it went.

Browsers' developer tools show it next to the network timings, so a user can tell a slow query from
a slow page: ``data;dur=…`` is the service call (queries and shaping their rows, :func:`timed` in a
controller), ``html;dur=…`` the template (web/render.py), ``app;dur=…`` everything inside the app
(routing, middleware, guard, handler) up to the response headers; for a streamed export that is the
time to the first chunk. The benchmark (tests/bench/bench_browser.py) reads ``app`` as server time.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

# name -> milliseconds of the current request; a sync handler's worker thread runs in a copy of the
# request's context, which holds this same dict
_SPANS: ContextVar[dict[str, float] | None] = ContextVar("pgadmin_py_server_timing", default=None)


@contextmanager
def timed(name: str) -> Iterator[None]:
    """Add the time spent in the block to the current response's ``Server-Timing`` as ``name``."""
    spans = _SPANS.get()
    started = time.perf_counter()
    try:
        yield
    finally:
        if spans is not None:
            spans[name] = spans.get(name, 0.0) + (time.perf_counter() - started) * 1000


def server_timing(app: ASGIApp) -> ASGIApp:
    """ASGI middleware (outermost in create_app) adding the ``Server-Timing`` header."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        started = time.perf_counter()
        spans: dict[str, float] = {}
        token = _SPANS.set(spans)

        async def timed_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                total = (time.perf_counter() - started) * 1000
                value = ", ".join([*(f"{name};dur={ms:.2f}" for name, ms in spans.items()), f"app;dur={total:.2f}"])
                message["headers"] = [*message.get("headers", ()), (b"server-timing", value.encode())]
            await send(message)

        try:
            await app(scope, receive, timed_send)
        finally:
            _SPANS.reset(token)

    return middleware
