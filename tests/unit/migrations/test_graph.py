"""The revision graph from parsed scripts: heads, merges, labels, targets, upgrade/downgrade order."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from pgadmin_py.core.interpreter import ProjectPython
from pgadmin_py.migrations.graph import (
    AmbiguousTarget,
    RevisionNotFound,
    build_graph,
    downgrade_path,
    one_step_down,
    resolve,
    upgrade_path,
)
from pgadmin_py.migrations.project import AlembicProject, AlembicProjectError, ProjectProbe
from pgadmin_py.migrations.scripts import RevisionScript, read_scripts

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
    graph = branchy(("b1000000left",))
    plan = upgrade_path(graph, resolve(graph, "core@head"))
    assert plan[0] == "b2000000rght" and plan[1] == "b3000000merg" and plan[-1] == "b5000000core"
    assert "b4000000feat" not in plan
    top = branchy(("b4000000feat", "b5000000core"))
    down = downgrade_path(top, resolve(top, "b1000000left"))
    assert down.index("b4000000feat") < down.index("b3000000merg") < down.index("b2000000rght")
    assert "b1000000left" not in down and "b0000000base" not in down
    assert one_step_down(branchy(("b3000000merg",))) == "-1"
    assert one_step_down(branchy(("b1000000left",))) == "b0000000base"
    assert one_step_down(branchy(("b0000000base",))) == "base"


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
