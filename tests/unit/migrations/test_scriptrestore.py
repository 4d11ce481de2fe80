"""pg_restore's script cut into statements as psql cuts it, and when pgadmin-py runs the script itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from pgadmin_py.core.dburl import DatabaseUrl
from pgadmin_py.migrations.pgtools import PgTools, restore_command
from pgadmin_py.migrations.scriptrestore import Splitter


def split(script: bytes) -> list[bytes]:
    splitter = Splitter()
    found = [s for line in script.splitlines(keepends=True) for s in splitter.feed(line)]
    assert splitter.rest() == b""
    return found


def test_semicolons_inside_quotes_comments_bodies_and_parentheses_do_not_end_a_statement() -> None:
    script = b"""--
-- Name: f; Type: FUNCTION
--
SET standard_conforming_strings = on;
CREATE FUNCTION public.f() RETURNS text LANGUAGE plpgsql AS $_$
begin return 'a;b'; end; -- $x$ ;
$_$;
SELECT 'it''s; here', E'back\\'s; slash', "we;ird""id", a$b$c FROM t; /* one; /* nested; */ still; */
CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO a VALUES (2));
CREATE OR REPLACE FUNCTION public.g(n integer) RETURNS text LANGUAGE sql
BEGIN ATOMIC
 SELECT CASE WHEN n < 0 THEN 'x;' ELSE 'y' END AS "case";
 SELECT 1;
END;
SELECT $1;
"""
    assert [s.split(None, 2)[:2] for s in split(script)] == [
        [b"SET", b"standard_conforming_strings"], [b"CREATE", b"FUNCTION"], [b"SELECT", b"'it''s;"],
        [b"CREATE", b"RULE"], [b"CREATE", b"OR"], [b"SELECT", b"$1;"]]
    assert split(script)[4].endswith(b"SELECT 1;\nEND;")


def test_backslashes_escape_in_plain_strings_when_standard_conforming_strings_is_off() -> None:
    script = b"SET standard_conforming_strings = off;\nSELECT 'a\\';b';\nSELECT 2;\n"
    assert split(script) == [b"SET standard_conforming_strings = off;", b"SELECT 'a\\';b';", b"SELECT 2;"]


@pytest.mark.parametrize(("tools", "server", "script"),
                         [(18, 16, True), (17, 12, True), (16, 16, False), (18, 17, False), (17, 18, False),
                          (16, 12, False)])
def test_the_script_is_run_exactly_when_pg_restore_is_17_or_newer_and_the_server_older(
        tools: int, server: int, script: bool, tmp_path: Path) -> None:
    url = DatabaseUrl.from_params({"host": "db", "dbname": "app", "password": "secret"})
    command, env = restore_command(PgTools(tmp_path, tools, str(tools)), url, tmp_path / "x.dump", server)
    assert (Path(command[1]).name == "scriptrestore.py") == script
    assert "secret" not in " ".join(command) and env["PGPASSWORD"] == "secret"
