"""What the editor completes, as one JSON document per version of the database's names.

The browser asks with ``If-None-Match``: while nothing changed the answer is a 304 after two cheap catalog
queries; the document itself is built once per version (a new table, column, schema or function makes a new
one) and kept in a small bounded cache.
"""

from __future__ import annotations

import json

from sqlalchemy import Engine

from pgadmin_py.catalog.completion import CompletionNames, completion_names, names_version
from pgadmin_py.core.cache import BoundedCache


def document(names: CompletionNames, version: str) -> str:
    """The JSON the editor reads (static/js/sql-editor.js): compact lists, columns inline with their types."""
    return json.dumps({
        "version": version,
        "search_path": names.search_path,
        "schemas": names.schemas,
        "relations": [[r.schema, r.name, r.kind, [list(c) for c in r.columns]] for r in names.relations],
        "functions": [list(f) for f in names.functions],
        "keywords": names.keywords,
    }, separators=(",", ":"))


class Completions:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.documents: BoundedCache[str, str] = BoundedCache(4)  # version -> JSON (tests read its hits)

    def version(self) -> str:
        return names_version(self.engine)

    def document(self, version: str) -> str:
        return self.documents.get_or_build(version, lambda: document(completion_names(self.engine), version))
