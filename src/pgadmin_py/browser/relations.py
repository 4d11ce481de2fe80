"""The list of tables as a tree: partitions under their partitioned table, which shows their sums.

A partitioned table stores nothing itself: its size and rows are those of its partitions, at every
level (a partition may be partitioned again). The list keeps each tree together, parent first, and a
search keeps a matching partition with the tables above it (and a matching parent with all below it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from pgadmin_py.browser.model import Count, RelationRow
from pgadmin_py.catalog.tables import RelationSummary

Key = tuple[str, str]


def _key(r: RelationSummary) -> Key:
    return (r.schema, r.name)


def _parent(r: RelationSummary) -> Key | None:
    return (r.parent_schema, r.parent_name) if r.parent_schema and r.parent_name else None


def _sum(counts: Sequence[Count | None]) -> Count:
    """Rows of a partitioned table: its partitions' rows; exact only when each of them is."""
    known = [c for c in counts if c is not None and c.value is not None]
    if not known:
        return Count(None, False)
    exact = len(known) == len(counts) and all(c.exact for c in known)
    return Count(sum(c.value or 0 for c in known), exact, "" if exact else "the sum of its partitions' estimates")


def _children(found: Sequence[RelationSummary]) -> dict[Key, list[Key]]:
    keys = {_key(r) for r in found}
    children: dict[Key, list[Key]] = defaultdict(list)
    for r in found:
        parent = _parent(r)
        if parent in keys and parent is not None:
            children[parent].append(_key(r))
    return children


def visible(found: Sequence[RelationSummary], needle: str = "") -> list[tuple[Key, int]]:
    """(relation, depth) of the rows the list shows, in order: each tree parent first, and with ``needle``
    (lower case) only the trees holding a relation whose ``schema.name`` holds it: the match, the
    tables above it and the partitions below it."""
    children = _children(found)

    def hit(key: Key) -> bool:
        return needle in f"{key[0]}.{key[1]}".lower()

    def below(key: Key) -> bool:
        return any(hit(k) or below(k) for k in children.get(key, ()))

    out: list[tuple[Key, int]] = []

    def walk(key: Key, depth: int, shown: bool) -> None:
        shown = shown or not needle or hit(key)
        if shown or below(key):
            out.append((key, depth))
            for k in children.get(key, ()):
                walk(k, depth + 1, shown)

    keys = {_key(r) for r in found}
    for r in found:
        if _parent(r) not in keys:
            walk(_key(r), 0, False)
    return out


def arrange(found: Sequence[RelationSummary], exact: Mapping[Key, int], needle: str = "") -> tuple[RelationRow, ...]:
    """The rows of the list (see :func:`visible`); a partitioned table's rows and size are summed over its
    partitions at every level, and ``exact`` holds the relations counted with count(*)."""
    by_key = {_key(r): r for r in found}
    children = _children(found)
    memo: dict[Key, tuple[Count | None, int, int]] = {}

    def totals(key: Key) -> tuple[Count | None, int, int]:
        """(rows, bytes, partitions) of a relation with everything below it."""
        if key not in memo:
            r = by_key[key]
            kids = [totals(k) for k in children.get(key, ())]
            if kids:
                memo[key] = (_sum([k[0] for k in kids]), r.total_bytes + sum(k[1] for k in kids),
                             len(kids) + sum(k[2] for k in kids))
            else:
                rows = None if r.kind == "view" else Count(exact[key], True) if key in exact else Count(
                    r.estimated_rows, False)
                memo[key] = (rows, r.total_bytes, 0)
        return memo[key]

    out = []
    for key, depth in visible(found, needle):
        r = by_key[key]
        rows, size, partitions = totals(key)
        out.append(RelationRow(r.schema, r.name, r.kind, rows, size, r.comment, r.size_estimated, depth,
                               r.parent_name if depth else None, partitions, r.populated))
    return tuple(out)
