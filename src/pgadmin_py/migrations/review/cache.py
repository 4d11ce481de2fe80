"""A bounded ``key -> Future`` cache on a small thread pool: at most one computation per key while it is
kept, entries older than ``ttl`` seconds computed again (a review reads live data)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

T = TypeVar("T")


class FutureCache(Generic[T]):
    def __init__(self, *, workers: int, keep: int, ttl: float, name: str) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
        self._entries: OrderedDict[str, tuple[float, Future[T]]] = OrderedDict()
        self._keep, self._ttl = keep, ttl
        self._mutex = threading.Lock()
        self._closed = False

    def get(self, key: str, compute: Callable[[], T], closed: Callable[[], T]) -> Future[T]:
        """The computation of ``key``, started now unless a fresh one is kept; ``closed()`` after shutdown."""
        with self._mutex:
            entry = self._entries.get(key)
            if entry is not None and not (entry[1].done() and time.monotonic() - entry[0] > self._ttl):
                self._entries.move_to_end(key)
                return entry[1]
            if self._closed:
                future: Future[T] = Future()
                future.set_result(closed())
                return future
            future = self._pool.submit(compute)
            self._entries[key] = (time.monotonic(), future)
            while len(self._entries) > self._keep:
                self._entries.popitem(last=False)
            return future

    def forget(self, key: str) -> None:
        with self._mutex:
            self._entries.pop(key, None)

    def shutdown(self) -> None:
        with self._mutex:
            self._closed = True
        self._pool.shutdown(wait=False, cancel_futures=True)
