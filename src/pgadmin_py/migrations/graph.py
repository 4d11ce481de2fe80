"""The revision graph built from parsed scripts, with each revision's status against the database.

Everything here is pure (no I/O): it takes :class:`RevisionScript` facts and the database's current
heads, and answers what Alembic would: heads, bases, merges, which revisions an upgrade or downgrade
runs and in which order. Targets are resolved the way Alembic does for the common forms
(``head``, ``heads``, ``base``, a full or unique-prefix revision id, a branch label, ``label@head``).
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pgadmin_py.core.errors import AppError
from pgadmin_py.migrations.scripts import RevisionScript

if TYPE_CHECKING:
    from alembic.script.revision import RevisionMap

# Alembic's revision map is imported where a target is resolved, not with this module: importing Alembic brings
# Mako and Pygments (10 MiB resident) into a server that may never plan a migration.


class RevisionNotFound(AppError):
    status_code = 404
    title = "Unknown revision"


class AmbiguousTarget(AppError):
    title = "Ambiguous target"


@dataclass(frozen=True, slots=True)
class Revision:
    script: RevisionScript
    parents: tuple[str, ...]  # down_revisions that exist
    missing_parents: tuple[str, ...]  # down_revisions that no script defines
    children: tuple[str, ...]
    status: str  # current | applied | pending
    is_head: bool

    @property
    def id(self) -> str:
        return self.script.revision

    @property
    def is_merge(self) -> bool:
        return len(self.script.down_revisions) > 1

    @property
    def is_branchpoint(self) -> bool:
        return len(self.children) > 1

    @property
    def is_base(self) -> bool:
        return not self.script.down_revisions


@dataclass(frozen=True, slots=True, eq=False)
class RevisionGraph:
    """Equal (and hashed) by content: what was parsed and where the database stands, so a page drawn from
    an unchanged graph can be memoized (web/fragments.py)."""

    revisions: dict[str, Revision]  # newest first: every child comes before its parents
    heads: tuple[str, ...]
    bases: tuple[str, ...]
    current: tuple[str, ...]
    duplicates: tuple[str, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)  # branch label -> revision that declares it
    file_order: tuple[str, ...] = ()  # revisions in the order Alembic loads their files

    def _content(self) -> tuple[object, ...]:
        return (tuple(self.revisions.values()), self.current, self.duplicates, self.file_order)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RevisionGraph) and (self is other or self._content() == other._content())

    def __hash__(self) -> int:
        return hash(self._content())

    @property
    def order(self) -> list[str]:
        return list(self.revisions)

    @property
    def pending(self) -> tuple[str, ...]:
        return tuple(r for r, rev in self.revisions.items() if rev.status == "pending")

    @property
    def merges(self) -> tuple[str, ...]:
        return tuple(r for r, rev in self.revisions.items() if rev.is_merge)

    @property
    def unknown_current(self) -> tuple[str, ...]:
        return tuple(c for c in self.current if c not in self.revisions)

    @property
    def missing_parents(self) -> list[tuple[str, str]]:
        return [(r, m) for r, rev in self.revisions.items() for m in rev.missing_parents]

    def lineage(self, rev: str) -> set[str]:
        """``rev`` and everything below it by down_revision (depends_on edges left out)."""
        seen: set[str] = set()
        stack = [rev]
        while stack:
            r = stack.pop()
            if r in self.revisions and r not in seen:
                seen.add(r)
                stack.extend(self.revisions[r].parents)
        return seen

    @property
    def head_labels(self) -> dict[str, str]:
        """Head -> the branch label of its own line: the nearest label on a revision below the head (by
        down_revision, not depends_on) that no other head builds on (expand / contract). Heads off any
        labelled line are left out."""
        below = {h: self.lineage(h) for h in self.heads}
        out: dict[str, str] = {}
        for head, mine in below.items():
            shared = set().union(*(other for h, other in below.items() if h != head))
            for rev in self.order:  # newest first: the nearest label wins
                if rev in mine and rev not in shared and self.revisions[rev].script.branch_labels:
                    out[head] = self.revisions[rev].script.branch_labels[0]
                    break
        return out


def _deps(script: RevisionScript) -> tuple[str, ...]:
    return (*script.down_revisions, *script.depends_on)


def ancestors_of(scripts: dict[str, RevisionScript], starts: Iterable[str]) -> set[str]:
    """``starts`` and everything below them (down_revision and depends_on)."""
    seen: set[str] = set()
    stack = [s for s in starts if s in scripts]
    while stack:
        rev = stack.pop()
        if rev not in seen:
            seen.add(rev)
            stack.extend(r for r in _deps(scripts[rev]) if r in scripts and r not in seen)
    return seen


def topo_order(scripts: dict[str, RevisionScript]) -> list[str]:
    """Children before parents; among ready revisions the newest (create date, then file name) first."""
    children: dict[str, list[str]] = {r: [] for r in scripts}
    for rev, script in scripts.items():
        for parent in script.down_revisions:
            if parent in children:
                children[parent].append(rev)
    waiting = {r: len(c) for r, c in children.items()}

    def key(rev: str) -> tuple[str, str, str]:
        script = scripts[rev]
        return (script.create_date or "", script.path.name, rev)

    # heapq is a min-heap: invert the key by sorting on a negated rank instead.
    ranked = {rev: i for i, rev in enumerate(sorted(scripts, key=key))}
    ready = [(-ranked[r], r) for r, n in waiting.items() if n == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        _, rev = heapq.heappop(ready)
        order.append(rev)
        for parent in scripts[rev].down_revisions:
            if parent in waiting:
                waiting[parent] -= 1
                if waiting[parent] == 0:
                    heapq.heappush(ready, (-ranked[parent], parent))
    if len(order) < len(scripts):  # a cycle: show the rest anyway rather than lose revisions
        order += sorted((r for r in scripts if r not in set(order)), key=lambda r: -ranked[r])
    return order


def build_graph(scripts: list[RevisionScript], current: Iterable[str] = ()) -> RevisionGraph:
    by_id: dict[str, RevisionScript] = {}
    duplicates: list[str] = []
    for script in scripts:
        if script.revision in by_id:
            duplicates.append(script.revision)
        by_id[script.revision] = script
    current_t = tuple(current)
    applied = ancestors_of(by_id, current_t)
    children: dict[str, list[str]] = {r: [] for r in by_id}
    for rev, script in by_id.items():
        for parent in script.down_revisions:
            if parent in children:
                children[parent].append(rev)
    revisions: dict[str, Revision] = {}
    for rev in topo_order(by_id):
        script = by_id[rev]
        status = "current" if rev in current_t else "applied" if rev in applied else "pending"
        revisions[rev] = Revision(
            script=script,
            parents=tuple(p for p in script.down_revisions if p in by_id),
            missing_parents=tuple(p for p in script.down_revisions if p not in by_id),
            children=tuple(children[rev]),
            status=status,
            is_head=not children[rev],
        )
    labels = {label: rev for rev, s in by_id.items() for label in s.branch_labels}
    return RevisionGraph(
        revisions=revisions,
        heads=tuple(r for r in revisions if revisions[r].is_head),
        bases=tuple(r for r in revisions if revisions[r].is_base),
        current=current_t,
        duplicates=tuple(duplicates),
        labels=labels,
        file_order=tuple(dict.fromkeys(s.revision for s in scripts)),
    )


class PlanRefused(AppError):
    title = "Alembic would refuse this target"


@dataclass(frozen=True, slots=True)
class Planned:
    """What ``alembic upgrade|downgrade TARGET`` would run from the database's current heads."""

    revisions: tuple[str, ...]  # in the order Alembic runs them
    heads_after: tuple[str, ...]  # the version table's revisions once they have run (() is base)


def alembic_map(graph: RevisionGraph) -> RevisionMap:
    """Alembic's own :class:`RevisionMap` over the parsed facts (no script is imported), fed in the order
    Alembic's ScriptDirectory would load the files, so its answers (and their order) are the CLI's."""
    from alembic.script.revision import Revision as AlembicRevision
    from alembic.script.revision import RevisionMap

    if graph.missing_parents:
        rev, missing = graph.missing_parents[0]
        raise PlanRefused(f"Revision {rev} names down_revision {missing}, which no script defines: Alembic "
                          "refuses every upgrade and downgrade of this project.",
                          "Restore the missing script or fix down_revision.")
    scripts = [graph.revisions[r].script for r in graph.file_order if r in graph.revisions]

    def generate() -> Iterator[AlembicRevision]:
        for s in scripts:
            yield AlembicRevision(s.revision, _scalar(s.down_revisions), dependencies=_scalar(s.depends_on),
                                  branch_labels=s.branch_labels or None)

    return RevisionMap(generate)


def _scalar(revisions: tuple[str, ...]) -> str | tuple[str, ...] | None:
    """How a script spells it: None, one id, or a tuple (Alembic's ``tuple_rev_as_scalar``)."""
    return None if not revisions else revisions[0] if len(revisions) == 1 else revisions


@contextmanager
def _alembic_errors(target: str) -> Iterator[None]:
    """Alembic's revision errors, in words, with the way out (as the CLI's ``_catch_revision_errors``)."""
    from alembic.script.revision import MultipleHeads, RangeNotAncestorError, ResolutionError, RevisionError

    try:
        yield
    except MultipleHeads as exc:
        raise AmbiguousTarget(
            f"{target!r} is ambiguous: it names several heads ({', '.join(exc.heads)}), and Alembic refuses it.",
            "Use 'heads' for all of them, or label@head / a revision id for one branch.") from exc
    except ResolutionError as exc:
        if str(exc).startswith("Multiple revisions start with"):
            raise AmbiguousTarget(f"{target!r} matches several revisions: {exc}",
                                  "Type more characters of the revision id.") from exc
        raise RevisionNotFound(f"No revision {target!r} in this project: {exc}",
                               "Pick a revision from the graph (or heads, base, label@head, -1).") from exc
    except RangeNotAncestorError as exc:
        raise PlanRefused(f"{target!r} is not reachable from the current head(s) in that direction: {exc}",
                          "Pick a target above the current revision to upgrade, below it to downgrade.") from exc
    except RevisionError as exc:
        hint = None
        if str(exc) in {"Ambiguous walk", "Walked too far"}:
            hint = ("A relative target (-1, +2, label@-1) walks a single line of revisions; across a merge or a "
                    "branch point, name the target revision instead.")
        raise PlanRefused(f"Alembic refuses {target!r}: {exc}.", hint) from exc
    except (AssertionError, KeyError, ValueError, TypeError) as exc:  # Alembic's CLI dies with a traceback here
        raise PlanRefused(f"Alembic cannot plan {target!r} in this graph ({type(exc).__name__} inside Alembic).",
                          "Name the target revision explicitly, or upgrade/downgrade one branch at a time "
                          "(label@head, label@-1).") from exc


def resolve(graph: RevisionGraph, target: str) -> tuple[str, ...]:
    """The revision ids an absolute target names (as ``alembic show``); ``()`` means base."""
    target = target.strip()
    if target == "base":
        return ()
    from alembic.script.revision import Revision as AlembicRevision

    with _alembic_errors(target):
        found = alembic_map(graph).get_revisions(target)
    return tuple(r.revision for r in found if isinstance(r, AlembicRevision))


def _heads_of(graph: RevisionGraph, applied: set[str]) -> tuple[str, ...]:
    """The revisions of ``applied`` that no other applied revision builds on, in graph order."""
    below = {p for r in applied if r in graph.revisions for p in graph.revisions[r].parents}
    return tuple(r for r in graph.order if r in applied and r not in below)


def plan_upgrade(graph: RevisionGraph, target: str) -> Planned:
    """What ``alembic upgrade TARGET`` runs from the current heads (ScriptDirectory._upgrade_revs)."""
    target = target.strip()
    rmap = alembic_map(graph)
    with _alembic_errors(target):
        revs = list(rmap.iterate_revisions(target, graph.current, implicit_base=True))
    ids = tuple(r.revision for r in reversed(revs))
    applied = ancestors_of(_scripts(graph), (*graph.current, *ids))
    return Planned(ids, _heads_of(graph, applied))


_RELATIVE_DOWN = re.compile(r"-\d+")


def plan_downgrade(graph: RevisionGraph, target: str) -> Planned:
    """What ``alembic downgrade TARGET`` undoes from the current heads (ScriptDirectory._downgrade_revs)."""
    target = target.strip()
    if _RELATIVE_DOWN.fullmatch(target) and len(set(graph.current)) > 1:
        # Alembic warns ("will be disallowed in a future release") and walks down from whichever head the
        # version table happens to list first: a downgrade must not depend on row order.
        raise AmbiguousTarget(
            f"{target!r} from several current heads ({', '.join(graph.current)}) is ambiguous: Alembic would "
            "undo from whichever head alembic_version lists first.",
            "Name the branch to step back (label@-1) or the revision to go down to.")
    rmap = alembic_map(graph)
    with _alembic_errors(target):
        revs = list(rmap.iterate_revisions(graph.current, target, select_for_downgrade=True))
    ids = tuple(r.revision for r in revs)
    applied = ancestors_of(_scripts(graph), graph.current) - set(ids)
    return Planned(ids, _heads_of(graph, applied))


def _scripts(graph: RevisionGraph) -> dict[str, RevisionScript]:
    return {r: rev.script for r, rev in graph.revisions.items()}
