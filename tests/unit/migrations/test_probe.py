"""probe.py: Alembic's own resolution of an ini, in a child interpreter, as JSON facts (no revision is loaded)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from pgadmin_py.migrations.project import PROBE_SCRIPT

REVISION = 'revision = "{rev}"\ndown_revision = None\nraise RuntimeError("a revision script was imported")\n'


def probe(project: Path, ini: str, section: str = "alembic") -> dict[str, Any]:
    result = subprocess.run([sys.executable, str(PROBE_SCRIPT), "--ini", ini, "--section", section], cwd=project,
                            capture_output=True, text=True, timeout=60, check=True)
    facts = json.loads(result.stdout)
    assert isinstance(facts, dict)
    return facts


def scripts_dir(path: Path, env: str = "") -> Path:
    (path / "versions").mkdir(parents=True)
    (path / "env.py").write_text(env or "from alembic import context\n")
    return path


def test_paths_resolve_as_alembic_resolves_them(tmp_path: Path) -> None:
    scripts_dir(tmp_path / "db" / "migrations")
    (tmp_path / "db" / "migrations" / "versions" / "a1.py").write_text(REVISION.format(rev="a1"))
    (tmp_path / "more" / "deep").mkdir(parents=True)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "alembic.ini").write_text(
        "[alembic]\nscript_location = db/migrations\npath_separator = ;\n"
        "version_locations = db/migrations/versions;%(here)s/../more\nrecursive_version_locations = true\n"
        "prepend_sys_path = .;src\nsqlalchemy.url = postgresql://app:Secret-pw@db/app\n")
    facts = probe(tmp_path, "config/alembic.ini")
    assert facts["ok"], facts
    assert facts["script_dir"] == str(tmp_path / "db" / "migrations")  # relative to the working directory
    assert [Path(p).resolve() for p in facts["version_locations"]] == [tmp_path / "db" / "migrations" / "versions",
                                                                        tmp_path / "more"]
    assert facts["recursive"] is True and facts["path_separator"] == ";"
    assert facts["prepend_sys_path"] == [str(tmp_path), str(tmp_path / "src")]
    assert facts["has_url"] is True and "Secret-pw" not in json.dumps(facts)  # presence only, never the value
    assert facts["alembic"] and facts["sqlalchemy"] and facts["flask_migrate_layout"] is False


def test_package_resource_and_flask_migrate_layout(tmp_path: Path) -> None:
    scripts_dir(tmp_path / "pkgapp" / "migrations")
    (tmp_path / "pkgapp" / "__init__.py").write_text("")
    (tmp_path / "alembic.ini").write_text("[alembic]\nscript_location = pkgapp:migrations\nprepend_sys_path = .\n")
    facts = probe(tmp_path, "alembic.ini")
    assert facts["ok"] and facts["script_dir"] == str(tmp_path / "pkgapp" / "migrations"), facts
    flask = scripts_dir(tmp_path / "migrations", "from flask import current_app\nfrom alembic import context\n")
    (flask / "alembic.ini").write_text("[alembic]\n\n[loggers]\nkeys = root\n")
    facts = probe(tmp_path, "migrations/alembic.ini")
    assert facts["ok"] and facts["flask_migrate_layout"] and facts["env_uses_app_context"], facts
    assert facts["script_dir"] == str(flask) and facts["version_locations"] == [str(flask / "versions")]


def test_errors_name_the_cause_and_the_fix(tmp_path: Path) -> None:
    (tmp_path / "alembic.ini").write_text("[app_a]\nscript_location = nowhere\n[app_b]\nscript_location = x\n")
    facts = probe(tmp_path, "alembic.ini")
    assert not facts["ok"] and "no [alembic] section" in facts["error"] and "app_a, app_b" in facts["fix"]
    facts = probe(tmp_path, "alembic.ini", "app_a")
    assert not facts["ok"] and "nowhere" in facts["error"] and "PROJECT_DIR" in facts["fix"]
    (tmp_path / "bare.ini").write_text("[alembic]\n")
    facts = probe(tmp_path, "bare.ini")
    assert not facts["ok"] and "sets no script_location" in facts["error"]
    facts = probe(tmp_path, "missing.ini")
    assert not facts["ok"] and "ALEMBIC_CONFIG" in facts["fix"]


def test_missing_modules_are_found_without_importing(tmp_path: Path) -> None:
    migrations = scripts_dir(tmp_path / "migrations", "import acme_settings\nfrom alembic import context\n")
    (migrations / "versions" / "a1.py").write_text("from acme_billing.types import Money\n" + REVISION.format(rev="a1"))
    (tmp_path / "acme_settings.py").write_text("")  # the project's own module: found in the project directory
    (tmp_path / "alembic.ini").write_text("[alembic]\nscript_location = migrations\n")
    facts = probe(tmp_path, "alembic.ini")
    assert facts["missing_modules"] == [["acme_billing", "a1.py"]]
