"""Login sessions that logout really ends.

The login cookie carries a random session id and its issue time, signed with the cookie secret and
bound to the current password or token (a new password logs everyone out). Logging out puts the id
on a server-side list of revoked sessions, so a copy of the cookie (stolen, or left in another
browser) stops working at once, not when it expires; the server also enforces the expiry itself.
With ``SECRET_KEY`` set, logins outlive a restart, so the list is kept in ``DATA_DIR`` (0600) too,
and re-read when another replica sharing that directory changes it; without it every restart ends
every session anyway.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

SESSION_SECONDS = 14 * 24 * 3600
REVOKED_FILE = "revoked-sessions.json"
MAX_REVOKED = 10_000  # a bound on the list: logouts are rare, and entries leave when their cookie expires


class Sessions:
    """Issues and checks login cookies; remembers the revoked ones until they would have expired."""

    def __init__(self, cookie_secret: str, token: str, *, store: Path | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self._key = cookie_secret.encode()
        self._token_hash = hashlib.sha256(token.encode()).hexdigest()
        self._store = store
        self.clock = clock
        self._lock = threading.Lock()
        self._seen: tuple[int, int] | None = None  # (mtime_ns, size) of the store when last read
        self._revoked: dict[str, float] = {}  # read from the store on first use (session_of sees it unread)

    def _mac(self, sid: str, issued: int) -> str:
        message = f"login:{sid}:{issued}:{self._token_hash}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def issue(self) -> str:
        """A new session's cookie value."""
        sid, issued = secrets.token_urlsafe(16), int(self.clock())
        return f"{sid}.{issued}.{self._mac(sid, issued)}"

    def session_of(self, cookie: str) -> str | None:
        """The session id of a valid, unexpired, unrevoked cookie; else None."""
        sid, _, rest = cookie.partition(".")
        issued_text, _, mac = rest.partition(".")
        if not sid or not issued_text.isdigit() or len(issued_text) > 12:
            return None
        issued = int(issued_text)
        if not hmac.compare_digest(mac.encode(), self._mac(sid, issued).encode()):
            return None
        if not issued <= self.clock() + 60 < issued + SESSION_SECONDS + 60:
            return None
        with self._lock:
            if self._store is not None and self._stamp() != self._seen:  # another replica logged one out
                self._revoked |= self._load()
            return None if sid in self._revoked else sid

    def revoke(self, cookie: str) -> bool:
        """End the session of ``cookie`` (logout); True when it was a live session."""
        sid = self.session_of(cookie)
        if sid is None:
            return False
        issued = int(cookie.split(".")[1])
        with self._lock:
            now = self.clock()
            merged = self._revoked | self._load()  # keep what other replicas revoked meanwhile
            self._revoked = {s: t for s, t in merged.items() if t > now}
            self._revoked[sid] = issued + SESSION_SECONDS
            while len(self._revoked) > MAX_REVOKED:  # oldest first: the soonest to expire anyway
                del self._revoked[min(self._revoked, key=self._revoked.__getitem__)]
            self._save()
        return True

    def _stamp(self) -> tuple[int, int] | None:
        try:
            info = self._store.stat() if self._store is not None else None
        except OSError:
            return None
        return (info.st_mtime_ns, info.st_size) if info is not None else None

    def _load(self) -> dict[str, float]:
        self._seen = self._stamp()
        if self._store is None or self._seen is None:
            return {}
        try:
            data = json.loads(self._store.read_text())
            now = self.clock()
            return {str(s): float(t) for s, t in data.items() if float(t) > now}
        except (OSError, ValueError, AttributeError, TypeError) as exc:
            log.warning("Could not read the revoked sessions in %s (%s); starting with none", self._store, exc)
            return {}

    def _save(self) -> None:
        if self._store is None:
            return
        try:
            self._store.parent.mkdir(parents=True, exist_ok=True)
            temp = self._store.with_suffix(".tmp")
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as out:
                json.dump(self._revoked, out)
            temp.replace(self._store)
            self._seen = self._stamp()
        except OSError as exc:  # the revocation still holds in memory until a restart
            log.warning("Could not write the revoked sessions to %s: %s", self._store, exc)
