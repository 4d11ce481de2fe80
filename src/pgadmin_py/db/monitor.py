"""Watches whether the database is reachable, and recovers on its own.

In a compose file the app may start before PostgreSQL, and PostgreSQL may restart under a running
app. Instead of crashing, the app serves a "waiting for the database" page while this monitor
retries with capped exponential backoff (at most 5 s between tries, so recovery comes within
seconds of the server coming back); requests that hit a dead connection call :meth:`mark_down`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine

from pgadmin_py.core.dburl import mask_urls_in
from pgadmin_py.db.engine import ping

log = logging.getLogger(__name__)
BACKOFF_START_S = 0.5
BACKOFF_MAX_S = 5.0
HEALTHY_INTERVAL_S = 10.0


def describe_error(exc: BaseException) -> str:
    """The first meaningful line of a connection error, without credentials."""
    original = getattr(exc, "orig", None) or exc
    lines = [ln.strip() for ln in str(original).splitlines() if ln.strip()]
    return mask_urls_in(lines[0] if lines else type(original).__name__)


@dataclass
class DatabaseMonitor:
    engine: Engine
    on_ready: list[Callable[[str], None]] = field(default_factory=list)
    up: bool = False
    checked: bool = False
    last_error: str | None = None
    attempt: int = 0
    server_version: str | None = None
    where: str = ""  # user@host:port/db libpq connected to (what a service or libpq's environment resolved to)
    _wake: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def retry_in(self) -> float:
        return float(min(BACKOFF_MAX_S, BACKOFF_START_S * 2 ** max(0, self.attempt - 1)))

    def check_now(self) -> bool:
        """One synchronous check; updates the state and returns whether the database answered."""
        try:
            version, where = ping(self.engine)
        except Exception as exc:  # noqa: BLE001 - any failure to connect means "down", with its reason kept
            self.mark_down(describe_error(exc))
            return False
        was_up, self.up, self.checked = self.up, True, True
        self.server_version, self.last_error, self.attempt, self.where = version, None, 0, where
        if not was_up:
            log.info("Database is reachable (PostgreSQL %s)", version)
            for callback in self.on_ready:
                callback(version)
        return True

    def mark_down(self, error: str) -> None:
        if self.up or not self.checked:
            log.warning("Database unreachable: %s; retrying with backoff", error)
        self.up, self.checked, self.last_error = False, True, error
        self.attempt += 1
        self.engine.dispose()
        self._wake.set()

    async def run(self) -> None:
        """Loop forever (cancelled at shutdown): back off while down, check rarely while up."""
        while True:
            await asyncio.to_thread(self.check_now)
            delay = HEALTHY_INTERVAL_S if self.up else self.retry_in
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=delay)
                if not self.up:
                    await asyncio.sleep(self.retry_in)
            except TimeoutError:
                pass
