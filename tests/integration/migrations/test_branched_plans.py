"""Branched histories: our plans are exactly what the Alembic CLI runs, for many (current, target) pairs.

The oracle is the real CLI on the real script files, in a child process (alembic_oracle.py): the database
is stamped at the current heads, ``alembic upgrade|downgrade TARGET`` runs, and the revisions of its
``Running upgrade X -> Y`` lines are the answer. Our answer is graph.plan_upgrade / plan_downgrade over
the statically parsed scripts. Both must run the same revisions in the same order, or both refuse; where
the CLI only warns that a relative downgrade from several heads is ambiguous (it then picks a head by row
order), we refuse.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from mig_support import FIXTURES

from pgadmin_py.core.dburl import DatabaseUrl
from pgadmin_py.core.errors import AppError
from pgadmin_py.core.interpreter import ProjectPython
from pgadmin_py.migrations.graph import RevisionGraph, ancestors_of, build_graph, plan_downgrade, plan_upgrade
from pgadmin_py.migrations.project import AlembicProject, ProjectProbe
from pgadmin_py.migrations.scripts import read_scripts

sys.path.insert(0, str(FIXTURES))
from synthetic import branched_scripts, expand_contract_scripts, write_project

ORACLE = Path(__file__).with_name("alembic_oracle.py")
ENV_PY = (FIXTURES / "branchy" / "migrations" / "env.py").read_text()


def read_project(ini: Path, section: str = "alembic") -> AlembicProject:
    """The project as Alembic resolves it (probe.py in this interpreter, in the ini's directory)."""
    return ProjectProbe(ini.parent).project(ini, section, ProjectPython(sys.executable, "the test's", own=True))


def _antichains(graph: RevisionGraph, rng: random.Random, count: int) -> list[tuple[str, ...]]:
    """Possible version-table contents: (), the heads, single revisions, pairs on different branches."""
    scripts = {r: rev.script for r, rev in graph.revisions.items()}
    revs = sorted(graph.revisions)
    found: list[tuple[str, ...]] = [(), tuple(sorted(graph.heads))]
    found += [(r,) for r in rng.sample(revs, min(count, len(revs)))]
    for _ in range(200):
        if len(found) >= count + 6:
            break
        a, b = rng.sample(revs, 2)
        if a not in ancestors_of(scripts, [b]) and b not in ancestors_of(scripts, [a]):
            found.append(tuple(sorted((a, b))))
    return list(dict.fromkeys(found))


def _cases(graph: RevisionGraph, seed: int, per_current: int, sql: bool) -> list[dict[str, object]]:
    """Targets of every form for each possible current state. ``sql``: only what ``--sql`` can start from
    (one current revision at most), since those cases run offline."""
    rng = random.Random(seed)
    labels = sorted(graph.labels)
    revs = sorted(graph.revisions)
    cases: list[dict[str, object]] = []
    for current in _antichains(graph, rng, 8):
        if sql and len(current) > 1:
            continue
        ups = ["heads", "head", "+1", "+2", *(f"{label}@head" for label in labels[:3]),
               *rng.sample(revs, 2), rng.choice(revs)[:6]]
        if current:
            ups.append(f"{current[0]}+1")
        downs = ["base", "-1", "-2", "heads", *(f"{label}@-1" for label in labels[:2]),
                 *(f"{label}@base" for label in labels[:1]), *rng.sample(revs, 2), rng.choice(revs)[:6]]
        picked = [("upgrade", t) for t in rng.sample(ups, min(per_current, len(ups)))]
        picked += [("downgrade", t) for t in rng.sample(downs, min(per_current, len(downs)))]
        offline = [sql or (len(current) < 2 and rng.random() < 0.2) for _ in picked]  # some via --sql too
        cases += [{"current": list(current), "action": a, "target": t, "sql": o}
                  for (a, t), o in zip(picked, offline, strict=True)]
    return cases


def _ours(ini: Path, case: dict[str, object]) -> dict[str, object]:
    current = tuple(str(c) for c in case["current"])  # type: ignore[attr-defined]
    graph = build_graph(read_scripts(read_project(ini)), tuple(sorted(current)))
    plan = plan_upgrade if case["action"] == "upgrade" else plan_downgrade
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return {"revisions": list(plan(graph, str(case["target"])).revisions)}
    except AppError as exc:
        return {"error": exc.detail}


def _projects(tmp_path: Path) -> dict[str, Path]:
    return {
        "branchy": FIXTURES / "branchy" / "alembic.ini",
        "expand_contract": write_project(tmp_path / "ec", expand_contract_scripts(), ENV_PY),
        "branched_a": write_project(tmp_path / "a", branched_scripts(36, seed=11), ENV_PY),
        "branched_b": write_project(tmp_path / "b", branched_scripts(30, seed=5), ENV_PY),
    }


@pytest.mark.parametrize("name", ["branchy", "expand_contract", "branched_a", "branched_b"])
def test_plans_match_the_alembic_cli(name: str, empty_db: DatabaseUrl, tmp_path: Path) -> None:
    ini = _projects(tmp_path)[name]
    graph = build_graph(read_scripts(read_project(ini)))
    assert len(graph.revisions) > 5
    # branchy's scripts do real DDL: only offline (--sql) runs can be repeated from any state
    cases = _cases(graph, seed=len(name), per_current=3 if name != "branchy" else 6, sql=name == "branchy")
    env = {"DATABASE_URL": empty_db.libpq(), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, str(ORACLE), str(ini)], input=json.dumps(cases), env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    answers = json.loads(done.stdout)
    mismatches = []
    for case, theirs in zip(cases, answers, strict=True):
        ours = _ours(ini, case)
        if theirs.get("warning") == "ambiguous":  # the CLI warns and picks a head by row order; we refuse
            same = "is ambiguous" in str(ours.get("error"))
        else:
            same = ours.get("revisions") == theirs.get("revisions") if "revisions" in theirs else "error" in ours
        if not same:
            mismatches.append(f"{case}: alembic {theirs}, ours {ours}")
    ran = sum(1 for a in answers if a.get("revisions"))
    assert not mismatches, f"{len(mismatches)}/{len(cases)} differ:\n" + "\n".join(mismatches[:15])
    assert ran >= len(cases) // 3, "too few cases ran anything to prove much"
