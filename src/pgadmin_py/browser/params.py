"""The state of a table view, as it lives in the URL: sort, filters, search, page size and position.

``BrowseParams.from_query`` parses a query string (list of pairs) and ``to_query`` writes the
canonical one back, so every view has exactly one URL. Parsing here is purely syntactic: whether a
column exists or a value fits its type is checked against the catalog by :mod:`browser.filters`.

Query string grammar (Datasette-like; our own keys start with ``_`` so columns never collide)::

    _sort=<column> _desc=1 _size=<n> _q=<search> _after=<cursor> _before=<cursor> _last=1 _page=<n>
    <column>__<op>=<value>        op: eq ne contains startswith gte lte isnull notnull

A plain HTML filter form sends ``_fc`` / ``_fo`` / ``_fv`` triples (column, op, value); they parse
into the same filters, and ``to_query`` always writes the canonical ``column__op`` form.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from pgadmin_py.core.errors import AppError

OPS: dict[str, str] = {
    "eq": "=",
    "ne": "≠",
    "contains": "contains",
    "startswith": "starts with",
    "gte": "≥",
    "lte": "≤",
    "isnull": "is null",
    "notnull": "is not null",
}
VALUELESS_OPS = frozenset({"isnull", "notnull"})
PAGE_SIZES = (25, 50, 100, 250, 500)
DEFAULT_SIZE = 100
MAX_SIZE = 1000
MAX_FILTERS = 20


class BadParams(AppError):
    """A query string that cannot be a view of a table (a broken cursor, a negative page...)."""

    status_code = 400
    title = "This view's address is not valid"


@dataclass(frozen=True, slots=True)
class Filter:
    column: str
    op: str
    value: str = ""

    def key(self) -> str:
        return f"{self.column}__{self.op}"


@dataclass(frozen=True, slots=True)
class BrowseParams:
    sort: str | None = None
    desc: bool = False
    size: int = DEFAULT_SIZE
    search: str = ""
    filters: tuple[Filter, ...] = ()
    after: str | None = None  # opaque keyset cursors (see encode_cursor)
    before: str | None = None
    last: bool = False
    page: int = 1  # only used when keyset pagination cannot apply (no primary key)
    count_exact: bool = False
    from_form: bool = field(default=False, compare=False)  # parsed from _fc/_fo/_fv: not canonical

    @classmethod
    def from_query(cls, pairs: Iterable[tuple[str, str]]) -> BrowseParams:
        items = list(pairs)
        single: dict[str, str] = {}
        form_cols: list[str] = []
        form_ops: list[str] = []
        form_vals: list[str] = []
        filters: list[Filter] = []
        for key, value in items:
            if key == "_fc":
                form_cols.append(value)
            elif key == "_fo":
                form_ops.append(value)
            elif key == "_fv":
                form_vals.append(value)
            elif key.startswith("_"):
                single.setdefault(key, value)
            elif "__" in key:
                column, op = key.rsplit("__", 1)
                if op in OPS and column:
                    filters.append(Filter(column, op, "" if op in VALUELESS_OPS else value))
        for i, column in enumerate(form_cols):
            op = form_ops[i] if i < len(form_ops) else "eq"
            value = form_vals[i] if i < len(form_vals) else ""
            if column and op in OPS and (value != "" or op in VALUELESS_OPS):
                filters.append(Filter(column, op, "" if op in VALUELESS_OPS else value))
        if len(filters) > MAX_FILTERS:
            raise BadParams(f"{len(filters)} filters were given; at most {MAX_FILTERS} are allowed.",
                            "Remove some filters.")
        return cls(
            sort=single.get("_sort") or None,
            desc=single.get("_desc", "") in ("1", "true", "on"),
            size=_size(single.get("_size")),
            search=single.get("_q", "").strip(),
            filters=tuple(dict.fromkeys(filters)),
            after=single.get("_after") or None,
            before=single.get("_before") or None,
            last=single.get("_last", "") in ("1", "true"),
            page=_page(single.get("_page")),
            count_exact=single.get("_count", "") == "exact",
            from_form=bool(form_cols),
        )

    def to_query(self) -> list[tuple[str, str]]:
        """The canonical query string pairs; the defaults are left out so URLs stay short."""
        out: list[tuple[str, str]] = []
        if self.sort:
            out.append(("_sort", self.sort))
        if self.desc:
            out.append(("_desc", "1"))
        if self.size != DEFAULT_SIZE:
            out.append(("_size", str(self.size)))
        if self.search:
            out.append(("_q", self.search))
        out.extend((f.key(), f.value) for f in self.filters)
        if self.after:
            out.append(("_after", self.after))
        if self.before:
            out.append(("_before", self.before))
        if self.last:
            out.append(("_last", "1"))
        if self.page != 1:
            out.append(("_page", str(self.page)))
        if self.count_exact:
            out.append(("_count", "exact"))
        return out

    # Derived views: every link on the page is one of these.

    def first_page(self) -> BrowseParams:
        if (self.after is None and self.before is None and not self.last and self.page == 1
                and not self.count_exact and not self.from_form):
            return self  # already there (frozen, so sharing is safe); a page builds ~20 links from it
        return replace(self, after=None, before=None, last=False, page=1, count_exact=False, from_form=False)

    def sorted_by(self, column: str) -> BrowseParams:
        """Click on a header: sort by it ascending, or flip the direction when it is already the sort."""
        desc = not self.desc if self.sort == column else False
        return replace(self.first_page(), sort=column, desc=desc)

    def with_size(self, size: int) -> BrowseParams:
        return replace(self.first_page(), size=size)

    def without_filter(self, index: int) -> BrowseParams:
        return replace(self.first_page(), filters=self.filters[:index] + self.filters[index + 1:])

    def with_filters(self, filters: Sequence[Filter]) -> BrowseParams:
        return replace(self.first_page(), filters=tuple(filters))

    def after_cursor(self, cursor: str) -> BrowseParams:
        return replace(self.first_page(), after=cursor)

    def before_cursor(self, cursor: str) -> BrowseParams:
        return replace(self.first_page(), before=cursor)

    def last_page(self) -> BrowseParams:
        return replace(self.first_page(), last=True)

    def at_page(self, page: int) -> BrowseParams:
        return replace(self.first_page(), page=max(1, page))

    def exact_count(self) -> BrowseParams:
        return replace(self, count_exact=True, from_form=False)

    def view_only(self) -> BrowseParams:
        """The same rows without a position: what an export of "the current view" covers."""
        return replace(self.first_page(), size=DEFAULT_SIZE)


def _size(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_SIZE
    try:
        size = int(raw)
    except ValueError:
        raise BadParams(f"The page size {raw[:40]!r} is not a number.", "Use one of 25, 50, 100, 250, 500.") from None
    if not 1 <= size <= MAX_SIZE:
        raise BadParams(f"The page size must be between 1 and {MAX_SIZE}; got {size}.", "Pick a smaller page size.")
    return size


def _page(raw: str | None) -> int:
    if raw is None or raw == "":
        return 1
    try:
        page = int(raw)
    except ValueError:
        raise BadParams(f"The page number {raw[:40]!r} is not a number.", "Start again from the first page.") from None
    if not 1 <= page <= 10_000_000:
        raise BadParams(f"The page number must be at least 1; got {page}.", "Start again from the first page.")
    return page


def encode_cursor(values: Sequence[str | None]) -> str:
    """The sort key of a row (PostgreSQL's text form of each value, NULL as None) as a URL-safe token."""
    raw = json.dumps(list(values), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(token: str, arity: int) -> tuple[str | None, ...]:
    hint = "The link is out of date or was edited by hand; start again from the first page."
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        values = json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise BadParams("The page position in the address is not valid.", hint) from None
    if (not isinstance(values, list) or len(values) != arity
            or not all(v is None or isinstance(v, str) for v in values)):
        raise BadParams("The page position in the address does not fit this table's sort order.", hint)
    return tuple(values)
