"""Pure partials, rendered once per distinct input: the Jinja global ``fragment``.

A data-browser page wraps new rows in the same chrome as the page before: the filter form, the
export links, the page sizes, the header. Each piece is a small template whose only inputs are the
keyword arguments of ``{{ fragment("tables/_filters.html", params=p, ...) }}`` (plus the
environment's stateless globals, such as ``urls``). Its HTML is memoized on exactly those arguments,
so it cannot go stale: a changed input is a different key. Arguments must be hashable, which in
practice means immutable (frozen dataclasses, tuples, strings); a list or dict fails loudly, and so
(StrictUndefined) does a fragment that reads a name it was not given.

The chrome of a table page cost about half of its template time; rows are never memoized.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from pgadmin_py.core.cache import BoundedCache

MAX_ENTRIES = 2048
MAX_CHARS = 4_000_000  # of HTML held in all: the list of a 5,000-table database is ~1.5M characters


class Fragments:
    def __init__(self, env: Environment, max_entries: int = MAX_ENTRIES, max_chars: int = MAX_CHARS) -> None:
        self._env = env
        self.memo: BoundedCache[tuple[Any, ...], Markup] = BoundedCache(max_entries, weigh=len, max_weight=max_chars)

    def __call__(self, template: str, /, **values: Any) -> Markup:
        key = (template, *values.items())
        return self.memo.get_or_build(key, lambda: self.render(template, **values))

    def render(self, template: str, /, **values: Any) -> Markup:
        """The fragment rendered afresh (what the memo holds; tests compare the two)."""
        return Markup(self._env.get_template(template).render(values))  # noqa: S704 - autoescaped template
