"""Model discovery by the probe: env.py's target_metadata, overrides, and failures that never crash the app."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from models_helpers import FIXTURES, clean_env, load, probe

from pgadmin_py.orm.probe import ProbeFailed, flask_migrate_layout, launch


def test_models_spread_over_modules_are_found_through_env_py_with_no_setting() -> None:
    facts = probe(None, "split", ini="alembic.ini")
    assert facts.problem is None, facts.problem
    assert facts.spec == "target_metadata of env.py"
    assert [m.name for m in facts.catalog.models] == ["Invoice", "Member"]
    member = facts.catalog.get("Member")
    assert member is not None and member.column("handle").type_text == "String(30)"  # type: ignore[union-attr]
    assert any(f.endswith("splitapp/users.py") for f in facts.files)  # watched for changes


def test_without_env_py_only_the_base_module_is_seen_and_sqlalchemy_models_fixes_it(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "split" / "splitapp", tmp_path / "splitapp")
    bare = probe("splitapp.base:Base", tmp_path)
    assert bare.problem is None and bare.model_count == 0
    listed = probe("splitapp.base:Base", tmp_path, models=("splitapp.users", "splitapp.billing"))
    assert [m.name for m in listed.catalog.models] == ["Invoice", "Member"]


def test_env_py_that_refuses_offline_mode_is_run_online_and_rolled_back(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "split", tmp_path / "proj")
    env_py = tmp_path / "proj" / "migrations" / "env.py"
    env_py.write_text(env_py.read_text().replace(
        "def run_migrations_offline() -> None:\n", "def run_migrations_offline() -> None:\n"
        "    raise SystemExit('offline mode is not supported')\n"))
    facts = probe(None, tmp_path / "proj", ini="alembic.ini",
                  env=clean_env(DATABASE_URL="postgresql://nobody@127.0.0.1:1/none"))
    # online needs the database: the failure says what was tried, and how to fix it
    assert facts.problem is not None and "env.py" in facts.problem.summary
    assert "alembic check" in facts.problem.hint


def test_missing_dependency_hint() -> None:
    facts = load("brokenapp.models:Base", "broken")
    problem = facts.problem
    assert problem is not None and not facts.catalog.models
    assert problem.missing_module == "not_installed_dependency_xyz"
    assert "not installed" in problem.hint and "requirements" in problem.hint and "ALEMBIC_PYTHON" in problem.hint
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


def test_the_project_directory_never_shadows_the_standard_library(tmp_path: Path) -> None:
    (tmp_path / "logging").mkdir()
    (tmp_path / "logging" / "__init__.py").write_text("raise RuntimeError('the project logging package')\n")
    (tmp_path / "types.py").write_text("raise RuntimeError('the project types module')\n")
    shutil.copytree(FIXTURES / "typed20" / "shop20", tmp_path / "shop20")
    facts = probe("shop20.models:Base", tmp_path)
    assert facts.problem is None and facts.model_count == 5


def test_a_child_that_crashes_prints_garbage_or_hangs_is_a_message(tmp_path: Path) -> None:
    crash = tmp_path / "crash.py"
    crash.write_text("import sys\nprint('Segmentation fault', file=sys.stderr)\nsys.exit(139)\n")
    with pytest.raises(ProbeFailed) as crashed:
        launch(sys.executable, tmp_path, clean_env(), [str(crash)])
    assert "exited with code 139 without an answer" in crashed.value.problem.summary
    assert "Segmentation fault" in crashed.value.problem.traceback
    garbage = tmp_path / "garbage.py"
    garbage.write_text("print('::pgadmin-py-json::')\nprint('{not json')\n")
    with pytest.raises(ProbeFailed) as bad:
        launch(sys.executable, tmp_path, clean_env(), [str(garbage)])
    assert "not JSON" in bad.value.problem.summary
    hang = tmp_path / "hang.py"
    hang.write_text("import time\ntime.sleep(60)\n")
    with pytest.raises(ProbeFailed) as hung:
        launch(sys.executable, tmp_path, clean_env(), [str(hang)], timeout=1)
    assert "longer than 1 s and was stopped" in hung.value.problem.summary
    with pytest.raises(ProbeFailed) as missing:
        launch(str(tmp_path / "no-python"), tmp_path, clean_env(), [str(hang)])
    assert "ALEMBIC_PYTHON" in missing.value.problem.hint


def test_flask_migrate_layout_is_detected(tmp_path: Path) -> None:
    (tmp_path / "migrations").mkdir()
    ini = tmp_path / "migrations" / "alembic.ini"
    ini.write_text("[alembic]\n# script_location is set by Flask-Migrate\n")
    (tmp_path / "migrations" / "env.py").write_text("from flask import current_app\n")
    assert flask_migrate_layout(ini)
    ini.write_text("[alembic]\nscript_location = migrations\n")
    assert not flask_migrate_layout(ini)
    assert not flask_migrate_layout(None)


def test_the_database_password_never_reaches_a_page(tmp_path: Path) -> None:
    leak = tmp_path / "leak.py"
    leak.write_text("import os, sys\nprint('connecting with', os.environ['DATABASE_URL'], file=sys.stderr)\n"
                    "print('the password is', 'Sup3r-Secret', file=sys.stderr)\nsys.exit(1)\n")
    env = clean_env(DATABASE_URL="postgresql://app:Sup3r-Secret@db.example:5432/shop")
    with pytest.raises(ProbeFailed) as failed:
        launch(sys.executable, tmp_path, env, [str(leak)])
    assert "Sup3r-Secret" not in failed.value.problem.traceback
    assert "app:***@db.example" in failed.value.problem.traceback
