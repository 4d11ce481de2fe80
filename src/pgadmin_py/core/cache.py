"""The one cache of pgadmin-py: bounded in entries and, where asked, in age and in weight.

Every cache is an instance owned by the service that needs it (built once by ``create_app``), never a
module- or class-level dict: a cache dies with its owner, and tests build their own. Eviction is one
policy everywhere: least recently used first, an entry older than ``max_age`` is never returned.
Thread-safe: handlers run in worker threads. A value is built outside the lock, so two threads that miss
the same key at once may both build it (the builds here are pure or idempotent); the later one wins.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedCache(Generic[K, V]):
    """At most ``size`` entries (and ``max_weight`` in all when ``weigh`` is given), each younger than
    ``max_age`` seconds when that is set; least recently used out first."""

    def __init__(self, size: int, *, max_age: float | None = None, weigh: Callable[[V], int] | None = None,
                 max_weight: int | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        if size < 1:
            raise ValueError("a cache holds at least one entry")
        if (weigh is None) != (max_weight is None):
            raise ValueError("weigh and max_weight go together")
        self.size = size
        self.max_age = max_age
        self._weigh = weigh
        self._max_weight = max_weight
        self._clock = clock
        self._data: OrderedDict[K, tuple[float, int, V]] = OrderedDict()  # key -> (stored at, weight, value)
        self._weight = 0
        self._lock = threading.Lock()
        self.hits = 0  # answers served from the cache (tests read them to prove a memo works)
        self.misses = 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)

    @property
    def weight(self) -> int:
        """The summed weight of the entries (0 without ``weigh``)."""
        with self._lock:
            return self._weight

    def get(self, key: K) -> V | None:
        """The fresh value of ``key``, or None (an entry past its age is dropped)."""
        with self._lock:
            found = self._data.get(key)
            if found is None:
                self.misses += 1
                return None
            stored, weight, value = found
            if self.max_age is not None and self._clock() - stored >= self.max_age:
                del self._data[key]
                self._weight -= weight
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: K, value: V) -> None:
        """Keep ``value``; a value heavier than half of ``max_weight`` is not kept at all."""
        weight = self._weigh(value) if self._weigh is not None else 0
        if self._max_weight is not None and weight > self._max_weight // 2:
            self.pop(key)
            return
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self._weight -= old[1]
            self._data[key] = (self._clock(), weight, value)
            self._weight += weight
            while len(self._data) > self.size or (
                    self._max_weight is not None and self._weight > self._max_weight):
                _, (_, dropped, _) = self._data.popitem(last=False)
                self._weight -= dropped

    def get_or_build(self, key: K, build: Callable[[], V]) -> V:
        """The cached value of ``key``, else ``build()`` kept and returned."""
        found = self.get(key)
        if found is not None:
            return found
        value = build()
        self.put(key, value)
        return value

    def pop(self, key: K) -> V | None:
        with self._lock:
            found = self._data.pop(key, None)
            if found is None:
                return None
            self._weight -= found[1]
            return found[2]

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._weight = 0
