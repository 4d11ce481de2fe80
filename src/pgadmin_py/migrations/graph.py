"""The revision graph built from parsed scripts, with each revision's status against the database.

Everything here is pure (no I/O): it takes :class:`RevisionScript` facts and the database's current
heads, and answers what Alembic would: heads, bases, merges, which revisions an upgrade or downgrade
runs and in which order. Targets are resolved the way Alembic does for the common forms
(``head``, ``heads``, ``base``, a full or unique-prefix revision id, a branch label, ``label@head``).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field

from pgadmin_py.core.errors import AppError
from pgadmin_py.migrations.scripts import RevisionScript


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


@dataclass(frozen=True, slots=True)
class RevisionGraph:
    revisions: dict[str, Revision]  # newest first: every child comes before its parents
    heads: tuple[str, ...]
    bases: tuple[str, ...]
    current: tuple[str, ...]
    duplicates: tuple[str, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)  # branch label -> revision that declares it

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
    )


def _branch_members(graph: RevisionGraph, label: str) -> set[str]:
    """The revisions on a labelled branch: the labelled revision and its descendants."""
    start = graph.labels[label]
    seen: set[str] = set()
    stack = [start]
    while stack:
        rev = stack.pop()
        if rev not in seen:
            seen.add(rev)
            stack.extend(graph.revisions[rev].children)
    return seen


def resolve(graph: RevisionGraph, target: str) -> tuple[str, ...]:
    """The revision ids a target names; ``()`` means base."""
    target = target.strip()
    if target == "base":
        return ()
    if target == "heads":
        return graph.heads
    if target == "head":
        if len(graph.heads) > 1:
            raise AmbiguousTarget(
                f"The project has {len(graph.heads)} heads ({', '.join(graph.heads)}), so 'head' is ambiguous.",
                "Upgrade to 'heads', to one branch (label@head), or merge the heads first.")
        return graph.heads
    if "@" in target:
        label, _, what = target.partition("@")
        if label not in graph.labels:
            raise RevisionNotFound(f"No branch is labelled {label!r}.",
                                   f"Known labels: {', '.join(sorted(graph.labels)) or '(none)'}.")
        members = _branch_members(graph, label)
        if what == "head":
            return tuple(h for h in graph.heads if h in members)
        return resolve(graph, what)
    if target in graph.labels:
        return (graph.labels[target],)
    if target in graph.revisions:
        return (target,)
    matches = [r for r in graph.revisions if r.startswith(target)] if len(target) >= 4 else []
    if len(matches) == 1:
        return (matches[0],)
    if matches:
        raise AmbiguousTarget(f"{target!r} matches several revisions: {', '.join(matches)}.",
                              "Type more characters of the revision id.")
    raise RevisionNotFound(f"No revision {target!r} in this project.", "Pick a revision from the graph.")


def _scripts(graph: RevisionGraph) -> dict[str, RevisionScript]:
    return {r: rev.script for r, rev in graph.revisions.items()}


def upgrade_path(graph: RevisionGraph, targets: Iterable[str]) -> list[str]:
    """Revisions an upgrade to ``targets`` runs, in the order it runs them (parents first)."""
    scripts = _scripts(graph)
    wanted = ancestors_of(scripts, targets) - ancestors_of(scripts, graph.current)
    return [r for r in reversed(graph.order) if r in wanted]


def downgrade_path(graph: RevisionGraph, targets: Iterable[str]) -> list[str]:
    """Revisions a downgrade to ``targets`` undoes, in the order it undoes them (children first)."""
    scripts = _scripts(graph)
    undone = ancestors_of(scripts, graph.current) - ancestors_of(scripts, targets)
    return [r for r in graph.order if r in undone]


def one_step_down(graph: RevisionGraph) -> str:
    """The downgrade target that undoes exactly the current revision (Alembic's ``-1``)."""
    if len(graph.current) != 1 or graph.current[0] not in graph.revisions:
        raise AmbiguousTarget("One-step downgrade needs exactly one known current revision.",
                              "Pick the target revision explicitly.")
    parents = graph.revisions[graph.current[0]].script.down_revisions
    if not parents:
        return "base"
    if len(parents) == 1:
        return parents[0]
    return "-1"
