"""The revision graph from parsed scripts: heads, merges, labels, targets, upgrade/downgrade order."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from pgadmin_py.core.interpreter import ProjectPython
from pgadmin_py.migrations.graph import (
    AmbiguousTarget,
    PlanRefused,
    RevisionNotFound,
    build_graph,
    plan_downgrade,
    plan_upgrade,
    resolve,
)
from pgadmin_py.migrations.project import AlembicProject, AlembicProjectError, ProjectProbe
from pgadmin_py.migrations.scripts import RevisionScript, ScriptCache, parse_script, read_scripts

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "alembic"


def read_project(ini: Path, section: str = "alembic") -> AlembicProject:
    """The project as Alembic resolves it (probe.py in this interpreter, in the ini's directory)."""
    return ProjectProbe(ini.parent).project(ini, section, ProjectPython(sys.executable, "the test's", own=True))


def branchy(current: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    return build_graph(read_scripts(read_project(FIXTURES / "branchy" / "alembic.ini")), current)


def test_version_locations_and_parse_without_import() -> None:
    project = read_project(FIXTURES / "branchy" / "alembic.ini")
    assert [p.name for p in project.version_locations] == ["versions", "extra_versions"]
    graph = branchy()
    assert set(graph.revisions) == {"b0000000base", "b1000000left", "b2000000rght", "b3000000merg",
                                    "b4000000feat", "b5000000core"}
    assert set(graph.heads) == {"b4000000feat", "b5000000core"}
    assert graph.merges == ("b3000000merg",)
    assert graph.labels == {"feature": "b4000000feat", "core": "b5000000core"}
    merge = graph.revisions["b3000000merg"]
    assert merge.is_merge and merge.is_branchpoint and merge.script.create_date == "2024-02-04 09:00:00"
    assert graph.revisions["b0000000base"].is_branchpoint
    assert graph.revisions["b5000000core"].script.depends_on == ("b1000000left",)


def test_children_come_before_parents() -> None:
    graph = branchy()
    position = {r: i for i, r in enumerate(graph.order)}
    for rev in graph.revisions.values():
        for parent in rev.parents:
            assert position[rev.id] < position[parent]


def test_status_from_current() -> None:
    graph = branchy(("b1000000left",))
    statuses = {r: rev.status for r, rev in graph.revisions.items()}
    assert statuses["b1000000left"] == "current"
    assert statuses["b0000000base"] == "applied"
    assert statuses["b2000000rght"] == "pending"
    assert set(graph.pending) == {"b2000000rght", "b3000000merg", "b4000000feat", "b5000000core"}


def test_resolve_targets() -> None:
    graph = branchy()
    assert set(resolve(graph, "heads")) == {"b4000000feat", "b5000000core"}
    with pytest.raises(AmbiguousTarget):
        resolve(graph, "head")
    assert resolve(graph, "feature@head") == ("b4000000feat",)
    assert resolve(graph, "core") == ("b5000000core",)
    assert resolve(graph, "b300") == ("b3000000merg",)
    assert resolve(graph, "base") == ()
    with pytest.raises(RevisionNotFound):
        resolve(graph, "nope")
    twins = build_graph([RevisionScript("abcd1111", (), (), (), "", None, Path("1.py")),
                         RevisionScript("abcd2222", ("abcd1111",), (), (), "", None, Path("2.py"))])
    with pytest.raises(AmbiguousTarget):
        resolve(twins, "abcd")
    with pytest.raises(RevisionNotFound):
        resolve(graph, "missing@head")


def test_upgrade_and_downgrade_order() -> None:
    """Plans are Alembic's own answers (tests/integration/migrations/test_branched_plans.py checks them
    against the CLI on real scripts); these pin the branched cases the old re-implementation got wrong."""
    graph = branchy(("b1000000left",))
    assert plan_upgrade(graph, "core@head").revisions == ("b2000000rght", "b3000000merg", "b5000000core")
    top = branchy(("b4000000feat", "b5000000core"))
    # down to b1000000left: the right branch (b2000000rght) is not below the target's line, Alembic keeps it
    down = plan_downgrade(top, "b1000000left")
    assert down.revisions == ("b4000000feat", "b5000000core", "b3000000merg")
    assert set(down.heads_after) == {"b1000000left", "b2000000rght"}
    assert plan_downgrade(top, "feature@-1").revisions == ("b4000000feat",)
    assert plan_downgrade(top, "core@-1").revisions == ("b5000000core",)
    assert plan_downgrade(top, "base").revisions[-1] == "b0000000base"
    assert plan_downgrade(branchy(("b1000000left",)), "-1").heads_after == ("b0000000base",)
    assert plan_downgrade(branchy(("b0000000base",)), "-1").revisions == ("b0000000base",)
    with pytest.raises(PlanRefused) as walk:  # -1 from a merge: the CLI refuses it too
        plan_downgrade(branchy(("b3000000merg",)), "-1")
    assert "name the target revision" in (walk.value.hint or "")
    with pytest.raises(AmbiguousTarget):
        plan_upgrade(branchy(), "head")
    assert plan_upgrade(branchy(("b4000000feat", "b5000000core")), "heads").revisions == ()


def test_branch_labels_in_odd_forms(tmp_path: Path) -> None:
    forms = {
        "one_tuple": "('expand',)", "list": "['expand']", "string": "'expand'", "none": "None",
        "set": "{'expand'}", "frozenset": "frozenset({'expand'})", "frozenset_list": "frozenset(['expand'])",
        "name": "LABELS", "annotated": "('expand',)",
    }
    expected = {"none": ()}
    for name, value in forms.items():
        body = "LABELS = ('expand',)\n" if name == "name" else ""
        assign = f"branch_labels: tuple[str, ...] | None = {value}" if name == "annotated" else \
            f"branch_labels = {value}"
        path = tmp_path / f"{name}.py"
        path.write_text(f'"""{name}"""\n{body}revision = "r_{name}"\ndown_revision = None\n{assign}\n'
                        "depends_on = None\n\ndef upgrade():\n    pass\n")
        script = parse_script(path)
        assert script is not None, name
        assert script.branch_labels == expected.get(name, ("expand",)), name
    rebound = tmp_path / "rebound.py"
    rebound.write_text("PARENT = 'aaa'\nrevision = 'bbb'\ndown_revision = PARENT\nPARENT = 'zzz'\n"
                       "branch_labels = frozenset(('x', 'y'))\n")
    script = parse_script(rebound)
    assert script is not None and script.down_revisions == ("aaa",) and script.branch_labels == ("x", "y")


def test_script_cache_parses_each_file_content_once(tmp_path: Path) -> None:
    project_ini = tmp_path / "alembic.ini"
    versions = tmp_path / "migrations" / "versions"
    versions.mkdir(parents=True)
    project_ini.write_text("[alembic]\nscript_location = %(here)s/migrations\n")
    for i in range(3):
        (versions / f"r{i}.py").write_text(f"revision = 'r{i}'\ndown_revision = {repr(f'r{i - 1}') if i else None}\n")
    project = read_project(project_ini)
    cache = ScriptCache()
    first = read_scripts(project, cache)
    assert cache.parses == 3 and [s.revision for s in first] == ["r0", "r1", "r2"]
    assert read_scripts(project, cache) == first and cache.parses == 3
    (versions / "r2.py").write_text("revision = 'r2'\ndown_revision = 'r0'  # rebased\n")
    again = read_scripts(project, cache)
    assert cache.parses == 4 and again[2].down_revisions == ("r0",)
    small = ScriptCache(max_files=2)
    read_scripts(project, small)
    read_scripts(project, small)
    assert small.parses == 6  # bounded: with room for 2 of 3 files, the least recently read is dropped


def test_missing_parent_and_unknown_current() -> None:
    scripts = [RevisionScript("aaa1", (), (), (), "one", None, Path("a.py")),
               RevisionScript("bbb2", ("gone",), (), (), "two", None, Path("b.py"))]
    graph = build_graph(scripts, ("zzz9",))
    assert graph.missing_parents == [("bbb2", "gone")]
    assert graph.unknown_current == ("zzz9",)
    assert set(graph.bases) == {"aaa1"}


def test_multi_section_ini_and_package_location(tmp_path: Path) -> None:
    ini = FIXTURES / "multisection" / "alembic.ini"
    assert [s.revision for s in read_scripts(read_project(ini, "app_a"))] == ["s1000000appa"]
    assert {s.revision for s in read_scripts(read_project(ini, "app_b"))} == {"s2000000appb", "s3000000appb"}
    with pytest.raises(AlembicProjectError) as info:
        read_project(ini, "app_c")
    assert "app_a" in (info.value.hint or "")
    pkg_ini = tmp_path / "alembic.ini"
    pkg_ini.write_text("[alembic]\nscript_location = pgadmin_py.demo:migrations\n")
    assert len(read_scripts(read_project(pkg_ini))) == 8


def test_missing_module_does_not_stop_the_graph() -> None:
    graph = build_graph(read_scripts(read_project(FIXTURES / "missingmod" / "alembic.ini")))
    assert list(graph.revisions) == ["m1000000miss"]


def test_one_parse_gives_imports_and_analysis(tmp_path: Path) -> None:
    path = tmp_path / "r.py"
    path.write_text("import os\nfrom a.b import c\ntry:\n    import q\nexcept ImportError:\n    import r\n"
                    "from .rel import s\nrevision = 'r1'\ndown_revision = None\n\n"
                    "def upgrade():\n    from app.models import M\n    op.drop_table('t')\n")
    script = parse_script(path)
    assert script is not None and script.imports == frozenset({"os", "a", "q", "r", "app"})
    assert script.analysis is not None
    assert script.analysis.irreversible_reason == "the script has no downgrade() function"
    assert [f.text for f in script.analysis.flags] == ["drops table t"]


def test_graphs_are_equal_by_content_so_pages_can_be_memoized() -> None:
    scripts = read_scripts(read_project(FIXTURES / "branchy" / "alembic.ini"))
    same = build_graph(scripts, ("b1000000left",))
    assert same == build_graph(list(scripts), ("b1000000left",))
    assert hash(same) == hash(build_graph(list(scripts), ("b1000000left",)))
    assert same != build_graph(scripts, ("b2000000rght",))
