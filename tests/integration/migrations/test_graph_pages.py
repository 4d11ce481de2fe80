"""The migrations pages over generated projects: head notices, downgrade flags, concurrent visitors."""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Any

import psycopg
from mig_support import FIXTURES, text_of

from pgadmin_py.core.dburl import DatabaseUrl
from pgadmin_py.migrations.scripts import RevisionScript

sys.path.insert(0, str(FIXTURES))
from synthetic import expand_contract_scripts, synthetic_scripts, write_project

ENV_PY = (FIXTURES / "branchy" / "migrations" / "env.py").read_text()


def _client(ini: Path, url: DatabaseUrl, data: Path) -> Any:
    from support.web import make_client

    return make_client({"DATABASE_URL": url.libpq(), "ALEMBIC_CONFIG": str(ini), "PROJECT_DIR": str(ini.parent),
                        "DATA_DIR": str(data)})


def _stamp(url: DatabaseUrl, *revisions: str) -> None:
    with psycopg.connect(url.libpq(), autocommit=True) as conn:
        conn.execute("create table if not exists alembic_version (version_num varchar(32) primary key)")
        conn.execute("delete from alembic_version")
        for rev in revisions:
            conn.execute("insert into alembic_version values (%s)", (rev,))


def test_labelled_heads_are_branches_unlabelled_heads_a_merge_to_do(empty_db: DatabaseUrl, tmp_path: Path) -> None:
    ec = write_project(tmp_path / "ec", expand_contract_scripts(), ENV_PY)
    with _client(ec, empty_db, tmp_path / "d1") as client:
        words = text_of(client.get("/migrations").text)
    assert "2 branches: contract, expand" in words and "merge revision" not in words
    assert "Upgrade to heads" in words
    twins = [RevisionScript("aaaa0001", (), (), (), "base", None, Path("a.py")),
             RevisionScript("aaaa0002", ("aaaa0001",), (), (), "left", None, Path("b.py")),
             RevisionScript("aaaa0003", ("aaaa0001",), (), (), "right", None, Path("c.py"))]
    accidental = write_project(tmp_path / "twins", twins, ENV_PY)
    with _client(accidental, empty_db, tmp_path / "d2") as client:
        words = text_of(client.get("/migrations").text)
    assert "2 heads" in words and "merge revision" in words and "2 branches" not in words


def test_downgrade_through_a_script_without_downgrade_is_flagged(empty_db: DatabaseUrl, tmp_path: Path) -> None:
    scripts = [RevisionScript("nodown01", (), (), (), "one", None, Path("1.py")),
               RevisionScript("nodown02", ("nodown01",), (), (), "two", None, Path("2.py")),
               RevisionScript("nodown03", ("nodown02",), (), (), "three", None, Path("3.py"))]
    ini = write_project(tmp_path / "p", scripts, ENV_PY)
    versions = ini.parent / "migrations" / "versions"
    two = versions / "nodown02.py"
    two.write_text(two.read_text().split("def downgrade")[0])  # no downgrade() at all
    _stamp(empty_db, "nodown03")
    with _client(ini, empty_db, tmp_path / "d") as client:
        one_step = text_of(client.get("/migrations/plan?action=downgrade&target=-1").text)
        to_base = text_of(client.get("/migrations/plan?action=downgrade&target=base").text)
    assert "no downgrade() function" not in one_step  # -1 only undoes nodown03, which has one
    assert "nodown02" in to_base and "the script has no downgrade() function" in to_base and str(two) in to_base
    assert "nodown03" in to_base and "downgrade() does nothing" in to_base  # write_project's downgrade is `pass`


def test_concurrent_visitors_of_a_fresh_400_revision_project(empty_db: DatabaseUrl, tmp_path: Path) -> None:
    """issue 12.11: ast.parse from several request threads at once raised SystemError on CPython 3.11."""
    ini = write_project(tmp_path / "big", synthetic_scripts(400, 30))
    results: list[tuple[int, str]] = []
    with _client(ini, empty_db, tmp_path / "d") as client:
        start = threading.Barrier(8)

        def visit() -> None:
            start.wait()
            for _ in range(2):
                response = client.get("/migrations")
                results.append((response.status_code, response.text[-2000:] if response.status_code != 200 else ""))

        threads = [threading.Thread(target=visit) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    errors = [text for status, text in results if status != 200]
    assert len(results) == 16 and not errors, errors[:1]
