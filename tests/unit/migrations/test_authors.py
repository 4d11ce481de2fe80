"""Who wrote a revision: the commit that added its file (through renames), else the docstring's Author: line."""

from pathlib import Path

from pgadmin_py.migrations.authors import docstring_author, parse_git_log

R, F = "\x1e", "\x1f"


def test_the_author_is_who_added_the_file_carried_through_renames() -> None:
    log = (f"{R}Grace{F}grace@example.com{F}2024-01-01T10:00:00+00:00\n\nA\ta.py\nA\tb.py\nA\tgone.py\n"
           f"{R}Alan{F}alan@example.com{F}2024-02-01T10:00:00+00:00\n\nM\ta.py\nR087\tb.py\tb_renamed.py\n"
           f"D\tgone.py\nA\tc.py\n")
    authors = parse_git_log(log)
    assert authors["a.py"].name == "Grace" and authors["a.py"].date == "2024-01-01T10:00:00+00:00"
    assert authors["b_renamed.py"].name == "Grace"  # renamed by Alan, written by Grace
    assert authors["c.py"].name == "Alan" and authors["c.py"].email == "alan@example.com"
    assert "b.py" not in authors and "gone.py" not in authors


def test_the_docstring_author_line_is_the_fallback(tmp_path: Path) -> None:
    script = tmp_path / "r1.py"
    script.write_text('"""add users\n\nRevision ID: r1\nAuthor: Ada Lovelace <ada@example.com>\n"""\nrevision = "r1"\n')
    author = docstring_author(script)
    assert author is not None and (author.name, author.email, author.source) == ("Ada Lovelace", "ada@example.com",
                                                                                  "docstring")
    script.write_text('"""add users"""\nrevision = "r1"\n')
    assert docstring_author(script) is None
