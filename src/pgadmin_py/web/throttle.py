"""A limit on password guessing: token buckets of failed logins, per client address and for the server.

Each client address (an IPv6 client by its /64, which one machine usually owns whole) may fail
``PER_CLIENT`` times in a burst, then once every ``PER_CLIENT_WINDOW_S / PER_CLIENT`` seconds; all
clients together may fail ``OVERALL`` times per ``OVERALL_WINDOW_S``, whatever addresses an attacker
spreads over. A refused attempt is not checked at all, so it teaches nothing. Only failures spend
tokens, and buckets refill by themselves, so nobody is locked out for longer than the wait the 429
names: a right password from another address goes through while one address is being refused.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

PER_CLIENT = 5
PER_CLIENT_WINDOW_S = 60.0
OVERALL = 30
OVERALL_WINDOW_S = 60.0
MAX_CLIENTS = 10_000  # bucket memory bound: the least recently seen client is forgotten first


@dataclass(slots=True)
class Bucket:
    capacity: float
    per_second: float
    tokens: float
    updated: float

    def refill(self, now: float) -> None:
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.per_second)
        self.updated = now

    def wait(self) -> float:
        """Seconds until one token is there (0 when one is)."""
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.per_second


@dataclass(frozen=True, slots=True)
class Refusal:
    retry_after: int  # whole seconds, for the Retry-After header
    overall: bool  # the server-wide limit (else this client's)


def client_key(address: str | None) -> str:
    """The address a limit applies to: IPv4 as is, IPv6 by its /64, anything else by its text."""
    if not address:
        return "unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


class LoginThrottle:
    def __init__(self, *, clock: Callable[[], float] = time.monotonic, per_client: int = PER_CLIENT,
                 per_client_window_s: float = PER_CLIENT_WINDOW_S, overall: int = OVERALL,
                 overall_window_s: float = OVERALL_WINDOW_S) -> None:
        self.clock = clock
        self._per_client = (float(per_client), per_client / per_client_window_s)
        self._overall = Bucket(float(overall), overall / overall_window_s, float(overall), clock())
        self._clients: OrderedDict[str, Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def _bucket(self, key: str, now: float) -> Bucket:
        bucket = self._clients.get(key)
        if bucket is None:
            capacity, rate = self._per_client
            bucket = self._clients[key] = Bucket(capacity, rate, capacity, now)
            while len(self._clients) > MAX_CLIENTS:
                self._clients.popitem(last=False)
        self._clients.move_to_end(key)
        bucket.refill(now)
        return bucket

    def refusal(self, address: str | None) -> Refusal | None:
        """Why an attempt from ``address`` may not be checked now (None: it may)."""
        with self._lock:
            now = self.clock()
            mine = self._bucket(client_key(address), now)
            self._overall.refill(now)
            if mine.tokens >= 1 and self._overall.tokens >= 1:
                return None
            overall = mine.tokens >= 1
            wait = max(mine.wait(), self._overall.wait())
            return Refusal(max(1, math.ceil(wait)), overall)

    def failed(self, address: str | None) -> None:
        """Spend a token of the client's and of the server's for a wrong password."""
        with self._lock:
            now = self.clock()
            mine = self._bucket(client_key(address), now)
            self._overall.refill(now)
            mine.tokens = max(0.0, mine.tokens - 1)
            self._overall.tokens = max(0.0, self._overall.tokens - 1)

    @property
    def rates(self) -> tuple[float, float]:
        """Sustained failed attempts per second allowed: one client's, and all clients' together."""
        return self._per_client[1], self._overall.per_second
