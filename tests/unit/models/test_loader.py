"""Model discovery: env.py parsing, SQLALCHEMY_MODELS, and import failures that never crash the app."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from models_helpers import FIXTURES, load

from pgadmin_py.orm.envpy import find_env_py, read_env_py

SRC = Path(__file__).resolve().parents[3] / "src"


def _fresh(code: str) -> str:
    """Run in a fresh interpreter: model modules register once per process."""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                            env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"}, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_env_py_is_parsed_not_executed() -> None:
    env = find_env_py(FIXTURES / "split")
    assert env == FIXTURES / "split" / "migrations" / "env.py"
    facts = read_env_py(env, FIXTURES / "split")
    assert facts is not None
    assert facts.target_spec == "splitapp.base:Base"
    assert set(facts.modules) >= {"splitapp", "splitapp.billing", "splitapp.users", "splitapp.base"}
    assert "alembic" not in facts.modules


def test_sibling_modules_found_through_env_py() -> None:
    out = _fresh(f"""
from pathlib import Path
from pgadmin_py.orm.loader import load_models
m = load_models("splitapp.base:Base", Path({str(FIXTURES / 'split')!r}))
print(m.problem, sorted(x.class_.__name__ for x in m.mappers))""")
    assert out == "None ['Invoice', 'Member']"


def test_without_env_py_only_the_base_module_is_seen_and_sqlalchemy_models_fixes_it(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(FIXTURES / "split" / "splitapp", tmp_path / "splitapp")
    out = _fresh(f"""
from pathlib import Path
from pgadmin_py.orm.loader import load_models
bare = load_models("splitapp.base:Base", Path({str(tmp_path)!r}))
print(len(bare.mappers))
listed = load_models("splitapp.base:Base", Path({str(tmp_path)!r}), ("splitapp.users", "splitapp.billing"))
print(sorted(x.class_.__name__ for x in listed.mappers))""")
    assert out.splitlines() == ["0", "['Invoice', 'Member']"]


def test_no_spec_uses_target_metadata() -> None:
    loaded = load(None, "split")
    assert loaded.spec == "splitapp.base:Base" and loaded.problem is None
    assert any("target_metadata" in n for n in loaded.notes)


def test_missing_dependency_hint() -> None:
    loaded = load("brokenapp.models:Base", "broken")
    problem = loaded.problem
    assert problem is not None and loaded.metadata is None
    assert problem.missing_module == "not_installed_dependency_xyz"
    assert "not installed" in problem.hint and "requirements" in problem.hint
    assert "Traceback" in problem.traceback and str(FIXTURES / "broken") in problem.sys_path


def test_wrong_path_says_what_was_tried() -> None:
    problem = load("nosuch.models:Base", "broken").problem
    assert problem is not None and "PYTHONPATH" in problem.hint and "nosuch" in problem.hint


def test_error_while_importing() -> None:
    problem = load("brokenapp.crash:Base", "broken").problem
    assert problem is not None and "KeyError" in problem.summary and "SECRET_KEY" in problem.traceback


def test_wrong_attribute_and_wrong_kind() -> None:
    missing = load("shop20.models:Nope", "typed20").problem
    assert missing is not None and "has no attribute" in missing.summary and "Base" in missing.hint
    wrong = load("shop20.models:String", "typed20").problem
    assert wrong is not None and "not a declarative base" in wrong.summary
