"""Revision facts (issue 13, section 5): each revision's author from the project's git history, else its
docstring's Author: line, on the revision page and the graph; "View file" serves the revision's source
highlighted, and nothing but the project's revision files, whatever path is asked for."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from mig_support import text_of as tags_out
from rehearsal_support import copy_project, env_for, git

from pgadmin_py.core.dburl import DatabaseUrl


def text_of(page: str) -> str:
    return html.unescape(tags_out(page))


def test_authors_come_from_the_git_history_through_renames(empty_db: DatabaseUrl, tmp_path: Path) -> None:
    from support.web import make_client

    project = copy_project(tmp_path)
    versions = project / "migrations" / "versions"
    git(project, "init", "-q")
    git(project, "add", "alembic.ini", "migrations/env.py", "migrations/script.py.mako", "migrations/versions/rh01.py",
        author="Grace Hopper")
    git(project, "commit", "-qm", "first", author="Grace Hopper")
    git(project, "add", "migrations/versions/rh02.py", "migrations/versions/rh03.py", author="Alan Turing")
    git(project, "commit", "-qm", "second", author="Alan Turing")
    git(project, "mv", "migrations/versions/rh03.py", "migrations/versions/rh03_unique_email.py")
    git(project, "commit", "-qm", "rename", author="Barbara Liskov")
    assert (versions / "rh03_unique_email.py").exists()
    with make_client(env_for(project, empty_db, tmp_path / "data")) as client:
        page = text_of(client.get("/migrations/rh01").text)
        assert "Author Grace Hopper <grace@example.com> · added " in page and "from the git history" in page
        assert "Alan Turing" in text_of(client.get("/migrations/rh02").text)
        renamed = text_of(client.get("/migrations/rh03").text)
        assert "Alan Turing" in renamed and "Barbara" not in renamed  # renamed by Barbara, written by Alan
        graph = text_of(client.get("/migrations").text)
        assert "Grace Hopper" in graph and "Alan Turing" in graph


def test_without_git_the_docstring_names_the_author(empty_db: DatabaseUrl, tmp_path: Path) -> None:
    from support.web import make_client

    project = copy_project(tmp_path)
    with make_client(env_for(project, empty_db, tmp_path / "data")) as client:
        page = text_of(client.get("/migrations/rh01").text)
        assert "Author Ada Lovelace <ada@example.com> · from the docstring" in page
        assert "unknown (no git history, no Author: line in the docstring)" in text_of(
            client.get("/migrations/rh02").text)


def test_view_file_shows_the_revision_source_highlighted(empty_db: DatabaseUrl, tmp_path: Path) -> None:
    from support.web import make_client

    project = copy_project(tmp_path)
    with make_client(env_for(project, empty_db, tmp_path / "data")) as client:
        page = client.get("/migrations/rh03")
        assert 'href="/migrations/file?path=migrations%2Fversions%2Frh03.py"' in page.text
        shown = client.get("/migrations/file?path=migrations%2Fversions%2Frh03.py")
        assert shown.status_code == 200
        assert '<span class="nf">upgrade</span>' in shown.text  # highlighted
        assert 'id="L-16"' in shown.text  # line anchors
        text = text_of(shown.text)
        assert "migrations/versions/rh03.py" in text and "Revision rh03" in text and "Ada Lovelace" not in text
        absolute = client.get("/migrations/file", params={"path": str(project / "migrations/versions/rh01.py")})
        assert absolute.status_code == 200 and "Ada Lovelace" in text_of(absolute.text)


HOSTILE = [
    "../../../../../../etc/passwd",
    "/etc/passwd",
    "alembic.ini",
    "migrations/env.py",
    "migrations/versions/../env.py",
    "migrations/versions/../../alembic.ini",
    "migrations/versions/rh01.py\x00.txt",
    "migrations/versions/evil.py",  # a symlink to /etc/passwd inside the versions directory
    "migrations/versions/",
    "",
    "~/.bashrc",
    "%2e%2e/%2e%2e/etc/passwd",
    "migrations\\versions\\..\\..\\alembic.ini",
]


@pytest.mark.parametrize("path", HOSTILE)
def test_view_file_serves_nothing_but_revision_files(empty_db: DatabaseUrl, tmp_path: Path, path: str) -> None:
    from support.web import make_client

    project = copy_project(tmp_path)
    (project / "migrations" / "versions" / "evil.py").symlink_to("/etc/passwd")
    with make_client(env_for(project, empty_db, tmp_path / "data")) as client:
        response = client.get("/migrations/file", params={"path": path})
    assert response.status_code == 404, response.text[-500:]
    assert "is not a revision file of this project" in text_of(response.text)
    assert "root:" not in response.text and "script_location" not in response.text
    assert "context.configure" not in response.text
