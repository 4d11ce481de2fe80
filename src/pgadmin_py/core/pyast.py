"""Parse Python source into an AST, one thread at a time.

CPython 3.11 keeps the AST builder's recursion counter in per-interpreter state. When a garbage
collection during ``ast.parse`` runs a finalizer and the GIL passes to another thread that is parsing
too, the counter is corrupted and ``ast.parse`` raises ``SystemError: AST constructor recursion depth
mismatch`` (python/cpython gh-106905). Under a few concurrent requests the migrations pages hit it.
Every parse in pgadmin-py's own process goes through :func:`parse_module`, which serializes them.
"""

from __future__ import annotations

import ast
import threading

# A process-wide lock (not a cache): the race is between any two parses in the process.
_PARSE_LOCK = threading.Lock()


def parse_module(source: str, filename: str = "<unknown>") -> ast.Module:
    """``ast.parse(source)`` under the process-wide parse lock; raises what ``ast.parse`` raises."""
    with _PARSE_LOCK:
        return ast.parse(source, filename=filename)
