"""``Server-Timing: app;dur=…`` on every HTTP response: the time the app took to start answering.

Browsers' developer tools show it next to the network timings, so a user can tell a slow database
from a slow page, and the benchmark (tests/bench/bench_browser.py) reads it to report server time
apart from the HTTP client's and the event loop's. It covers everything inside the app (routing,
middleware, guard, handler, rendering) up to the response headers; for a streamed export that is
the time to the first chunk.
"""

from __future__ import annotations

import time

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send


def server_timing(app: ASGIApp) -> ASGIApp:
    """ASGI middleware (outermost in create_app) adding the ``Server-Timing`` header."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        started = time.perf_counter()

        async def timed_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                elapsed_ms = (time.perf_counter() - started) * 1000
                message["headers"] = [*message.get("headers", ()),
                                      (b"server-timing", f"app;dur={elapsed_ms:.2f}".encode())]
            await send(message)

        await app(scope, receive, timed_send)

    return middleware
