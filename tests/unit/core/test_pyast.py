"""Parsing Python source from several threads at once (issue 12 point 11)."""

from __future__ import annotations

import threading
from pathlib import Path

from pgadmin_py.core.pyast import parse_module

SOURCE = (Path(__file__).resolve().parents[3] / "src" / "pgadmin_py" / "migrations" / "layout.py").read_text()


class Finalized:
    """Cyclic garbage with a finalizer: a collection during a parse runs Python code, so the GIL can pass
    to another thread mid-parse, which is how request threads hit CPython 3.11's AST depth race."""

    def __init__(self) -> None:
        self.cycle = self

    def __del__(self) -> None:
        sum(range(50))


def test_parses_from_eight_threads_never_raise_system_error() -> None:
    errors: list[SystemError] = []
    trees: list[int] = []
    barrier = threading.Barrier(8)

    def work() -> None:
        barrier.wait()
        for _ in range(20):
            junk = [Finalized() for _ in range(50)]
            del junk
            try:
                trees.append(len(parse_module(SOURCE).body))
            except SystemError as exc:  # "AST constructor recursion depth mismatch"
                errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, f"{len(errors)} of 160 parses failed: {errors[0]}"
    assert len(trees) == 160 and len(set(trees)) == 1
