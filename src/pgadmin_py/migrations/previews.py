"""Offline SQL previews, rendered once per content and in the background.

Rendering a range's SQL starts the project's interpreter and runs env.py (0.6 to 9 s on real
projects), so a preview is kept under the sha256 of everything it depends on (the involved scripts,
env.py and the ini, the action, target, starting revisions and the interpreter): the revision and plan
pages of unchanged files answer at once. A first view starts the render on a small thread pool owned by
the migrations service (stopped with the app) and the page shows a placeholder that htmx fills in.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from pgadmin_py.migrations.runner import SqlPreview

WORKERS = 2  # a render is a child process: two at a time on a small machine
KEEP = 256


def content_hash(paths: Iterable[Path], *extra: str) -> str:
    """sha256 of the files' contents (a missing file counts as empty) and ``extra`` words."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(str(path).encode())
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"\0missing")
    for word in extra:
        digest.update(b"\0" + word.encode())
    return digest.hexdigest()


class PreviewCache:
    """Bounded ``key -> Future[SqlPreview]``; at most one render per key, ever, while it is kept."""

    def __init__(self, workers: int = WORKERS, keep: int = KEEP) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pgadmin-py-sql-preview")
        self._futures: OrderedDict[str, Future[SqlPreview]] = OrderedDict()
        self._keep = keep
        self._mutex = threading.Lock()
        self._closed = False

    def get(self, key: str, render: Callable[[], SqlPreview]) -> Future[SqlPreview]:
        """The render of ``key``, started now when nobody asked for it before."""
        with self._mutex:
            future = self._futures.get(key)
            if future is not None:
                if future.done() and not future.cancelled() and not future.result().ok:
                    del self._futures[key]  # a failure is shown once: the next visit tries again (fixed env?)
                else:
                    self._futures.move_to_end(key)
                return future
            if self._closed:
                future = Future()
                future.set_result(SqlPreview("", False, "The server is shutting down.", None))
                return future
            future = self._pool.submit(render)
            self._futures[key] = future
            while len(self._futures) > self._keep:
                self._futures.popitem(last=False)
            return future

    def shutdown(self) -> None:
        with self._mutex:
            self._closed = True
        self._pool.shutdown(wait=False, cancel_futures=True)
