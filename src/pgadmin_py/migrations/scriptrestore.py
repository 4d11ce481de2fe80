"""Restore a custom-format archive with a pg_restore newer than the server: its script, run by us in one transaction.

pg_restore 17 and newer start every restore with ``SET transaction_timeout = 0``, a setting PostgreSQL 16 and
older do not have; connected to such a server, ``pg_restore --single-transaction`` (which implies
``--exit-on-error``) stops right there and restores nothing. No pg_restore option leaves the line out, and a
machine (or the container image) often has only the newest client. So for that pair we do what
``pg_restore -f - | psql`` does: pg_restore writes the restore as a script and this child runs it on its own
connection, statement by statement (split the way psql splits them), ``COPY ... FROM stdin`` data streamed
through the COPY protocol. Only that one statement is left out, and only when the server lacks the setting.

The script comes from ``--single-transaction``: its BEGIN opens the transaction and its COMMIT is sent only
after pg_restore has exited successfully; any error, or a script that ends early, rolls everything back.

Run by the migration guard like pg_restore itself (``PGAPPNAME``, ``PGPASSWORD`` in the environment):
``python scriptrestore.py PG_RESTORE [--dbname CONNINFO] ARCHIVE``. Standard library and psycopg only.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator, Sequence
from typing import IO, Any

import psycopg
from psycopg import pq, sql

SKIPPED_WITHOUT_SETTING = b"SET transaction_timeout = 0;"
PG_RESTORE_ARGS = ("--clean", "--if-exists", "--single-transaction", "--file", "-")

# What psql's lexer (psqlscan.l) must tell apart to find where a statement ends: comments, the kinds of
# quoted text, dollar quotes, words (for BEGIN ATOMIC ... END bodies), parentheses and semicolons.
_TOKEN = re.compile(rb"""--|/\*|[eE]'|'|"|\$(?:[A-Za-z_\x80-\xff][A-Za-z0-9_\x80-\xff]*)?\$"""
                    rb"""|[A-Za-z_\x80-\xff][A-Za-z0-9_$\x80-\xff]*|[0-9][A-Za-z0-9_.]*|[();]""")
_STRING_END = {b"'": re.compile(rb"(?:[^']|'')*'(?!')"), b"E'": re.compile(rb"(?:[^'\\]|\\.|'')*'(?!')", re.DOTALL),
               b'"': re.compile(rb'(?:[^"]|"")*"(?!")')}
_COPY_FROM_STDIN = re.compile(rb"COPY\s.+\sFROM\s+stdin;", re.DOTALL)
_COMMENT_MARK = re.compile(rb"/\*|\*/")
_DATA_END = (b"\\.\n", b"\\.\r\n", b"\\.")


def strip_comments(text: bytes) -> bytes:
    """``text`` without the comments (``--`` and nested ``/* */``) and white space it starts with; stripped."""
    text = text.strip()
    while text.startswith((b"--", b"/*")):
        if text.startswith(b"--"):
            text = text.partition(b"\n")[2].strip()
            continue
        depth, pos = 0, 0
        for mark in _COMMENT_MARK.finditer(text):
            depth += 1 if mark.group(0) == b"/*" else -1
            pos = mark.end()
            if depth == 0:
                break
        text = text[pos:].strip() if depth == 0 else b""
    return text


class Splitter:
    """Cuts a script into statements the way psql does: at a semicolon outside quotes, comments, dollar quotes,
    parentheses and the ``BEGIN ATOMIC ... END`` body of a ``CREATE [OR REPLACE] FUNCTION|PROCEDURE``."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.quote: bytes | None = None  # "'", "E'", '"', a dollar tag, or "/*" inside a block comment
        self.comment_depth = 0
        self.parens = 0
        self.begin_depth = 0
        self.words: list[bytes] = []  # the statement's first words, for CREATE [OR REPLACE] FUNCTION|PROCEDURE
        self.standard_strings = True

    @property
    def at_start(self) -> bool:
        """Nothing but white space and comments since the last statement ended."""
        return self.quote is None and not self.words and not strip_comments(bytes(self.buffer))

    def feed(self, line: bytes) -> Iterator[bytes]:
        """The statements ``line`` completes."""
        pos = 0
        while pos < len(line):
            if self.quote is not None:
                pos = self._inside(line, pos)
                continue
            match = _TOKEN.search(line, pos)
            if match is None:
                break
            token, pos = match.group(0), match.end()
            if token == b"--":
                pos = len(line)
            elif token == b"/*":
                self.quote, self.comment_depth = b"/*", 1
            elif token == b'"':
                self.quote = b'"'
            elif token in (b"E'", b"e'") or (token == b"'" and not self.standard_strings):
                self.quote = b"E'"  # backslash escapes
            elif token == b"'":
                self.quote = b"'"
            elif token.startswith(b"$"):
                if match.start() == 0 or not re.match(rb"[A-Za-z0-9_\x80-\xff]", line[match.start() - 1:match.start()]):
                    self.quote = token
            elif token == b"(":
                self.parens += 1
            elif token == b")":
                self.parens = max(0, self.parens - 1)
            elif token == b";":
                if self.parens == 0 and self.begin_depth == 0:
                    self.buffer += line[:pos]
                    line, pos = line[pos:], 0
                    yield self._finish()
            elif token[:1].isalpha() or token[:1] == b"_":
                self._word(token.lower())
        self.buffer += line

    def _inside(self, line: bytes, pos: int) -> int:
        """Past the end of the quoted text or comment begun earlier, or the end of the line."""
        quote = self.quote
        assert quote is not None
        if quote == b"/*":
            while self.comment_depth:
                found = _COMMENT_MARK.search(line, pos)
                if found is None:
                    return len(line)
                pos = found.end()
                self.comment_depth += 1 if found.group(0) == b"/*" else -1
            self.quote = None
            return pos
        if quote.startswith(b"$"):
            end = line.find(quote, pos)
            if end < 0:
                return len(line)
            self.quote = None
            return end + len(quote)
        found = _STRING_END[quote].match(line, pos)
        if found is None:
            return len(line)
        self.quote = None
        return found.end()

    def _word(self, word: bytes) -> None:
        if len(self.words) < 4:
            self.words.append(word if word in (b"create", b"or", b"replace", b"function", b"procedure") else b"")
        w = self.words + [b""] * 4
        routine = w[0] == b"create" and (w[1] in (b"function", b"procedure")
                                         or (w[1:3] == [b"or", b"replace"] and w[3] in (b"function", b"procedure")))
        if not routine or self.parens:
            return
        if word == b"begin" or (word == b"case" and self.begin_depth):  # CASE ... END inside a body
            self.begin_depth += 1
        elif word == b"end" and self.begin_depth:
            self.begin_depth -= 1

    def _finish(self) -> bytes:
        statement = bytes(self.buffer)
        self.buffer.clear()
        self.words, self.parens, self.begin_depth = [], 0, 0
        body = strip_comments(statement)
        if re.fullmatch(rb"SET standard_conforming_strings = (on|off);", body):
            self.standard_strings = body.endswith(b"on;")
        return body

    def rest(self) -> bytes:
        """What is left after the last complete statement (only comments and white space in a whole script)."""
        return strip_comments(bytes(self.buffer))


def _setting_exists(conn: psycopg.Connection[Any], name: str) -> bool:
    return conn.execute("select 1 from pg_catalog.pg_settings where name = %s", (name,)).fetchone() is not None


def _short(statement: bytes) -> str:
    text = statement.decode("utf-8", "replace")
    return text if len(text) <= 300 else text[:300] + " ..."


def run_script(script: IO[bytes], conn: psycopg.Connection[Any], first: Sequence[sql.Composed] = ()
               ) -> tuple[int, int, bytes | None]:
    """Execute the script's statements up to (not including) its final ``COMMIT``, ``first`` right after its
    ``BEGIN``; (statements run, tables whose data was copied, that COMMIT or None)."""
    skip = b"" if _setting_exists(conn, "transaction_timeout") else SKIPPED_WITHOUT_SETTING
    splitter = Splitter()
    done = copied = 0
    commit: bytes | None = None
    for line in script:
        if splitter.at_start and line.startswith(b"\\"):
            # psql meta-commands pg_restore 17.6+ writes around a script (\restrict / \unrestrict KEY)
            if not re.match(rb"\\(un)?restrict\s", line):
                raise ValueError(f"the script has a psql command we cannot run: {_short(line.strip())}")
            continue
        for statement in splitter.feed(line):
            if commit is not None:
                raise ValueError(f"the script goes on after its COMMIT: {_short(statement)}")
            if statement == skip:
                print(f"pgadmin-py: left out {statement.decode()} (the server has no such setting)", flush=True)
                continue
            if statement.upper() == b"COMMIT;" and conn.info.transaction_status == pq.TransactionStatus.INTRANS:
                commit = statement  # sent once pg_restore has exited successfully
                continue
            if not statement.upper().startswith((b"SET ", b"SELECT PG_CATALOG.SET_CONFIG(", b"BEGIN")) \
                    and conn.info.transaction_status != pq.TransactionStatus.INTRANS:
                raise ValueError(f"the script runs a statement outside its transaction: {_short(statement)}")
            try:
                if _COPY_FROM_STDIN.fullmatch(statement):
                    with conn.cursor().copy(statement.removesuffix(b";")) as copy:
                        for data in script:
                            if data in _DATA_END:
                                break
                            copy.write(data)
                        else:
                            raise ValueError(f"the script ends inside the data of {_short(statement)}")
                    copied += 1
                else:
                    conn.execute(statement)
                    if first and statement.upper() in (b"BEGIN;", b"START TRANSACTION;"):
                        for query in first:
                            conn.execute(query)
                        first = ()
            except psycopg.Error as exc:
                raise ValueError(f"{str(exc).strip()}\nCommand was: {_short(statement)}") from exc
            done += 1
    if first:
        raise ValueError("the script has no BEGIN: the tables created after the backup were not dropped")
    if splitter.rest():
        raise ValueError(f"the script ends inside a statement: {_short(splitter.rest())}")
    return done, copied, commit


USAGE = ("usage: scriptrestore.py PG_RESTORE [--use-list FILE] [--drop-first SCHEMA TABLE]... "
         "[--dbname CONNINFO] ARCHIVE")


def parse(argv: list[str]) -> tuple[str, list[str], list[tuple[str, str]], str | None, str]:
    """(pg_restore, its extra options, tables to drop first, conninfo or None, archive); ValueError on bad usage."""
    if len(argv) < 2:
        raise ValueError(USAGE)
    pg_restore, *rest = argv
    archive = rest.pop()
    options: list[str] = []
    drops: list[tuple[str, str]] = []
    conninfo: str | None = None
    while rest:
        flag = rest.pop(0)
        if flag == "--use-list" and rest:
            options += [flag, rest.pop(0)]
        elif flag == "--drop-first" and len(rest) >= 2:
            drops.append((rest.pop(0), rest.pop(0)))
        elif flag == "--dbname" and rest:
            conninfo = rest.pop(0)
        else:
            raise ValueError(f"{USAGE}, not {argv}")
    return pg_restore, options, drops, conninfo, archive


def main(argv: list[str]) -> int:
    try:
        pg_restore, options, drops, conninfo, archive = parse(argv)
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    first = [sql.SQL("DROP TABLE IF EXISTS {}.{} CASCADE").format(sql.Identifier(schema), sql.Identifier(table))
             for schema, table in drops]
    try:  # libpq's environment as pg_restore would read it: PGAPPNAME, PGPASSWORD, PGHOST...
        conn = psycopg.connect(conninfo or "", autocommit=True)
    except psycopg.Error as exc:
        print(f"pg_restore: error: connection failed: {str(exc).strip()}", file=sys.stderr)
        return 1
    try:  # never `with conn`: leaving that block commits whatever the script had done so far
        with subprocess.Popen([pg_restore, *PG_RESTORE_ARGS, *options, archive], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE) as tool:
            assert tool.stdout is not None and tool.stderr is not None
            try:
                done, copied, commit = run_script(tool.stdout, conn, first)
            except (ValueError, psycopg.Error) as exc:
                tool.kill()
                print(f"pg_restore: error: {exc}\nrolled back: nothing was changed", file=sys.stderr)
                return 1
            errors = tool.stderr.read().decode("utf-8", "replace").strip()
            if tool.wait() != 0 or commit is None:
                why = f"pg_restore exited with code {tool.returncode}" if tool.returncode else "no COMMIT in its script"
                print(f"pg_restore: error: {why}: {errors}\nrolled back: nothing was changed", file=sys.stderr)
                return 1
        try:
            conn.execute(commit)
        except psycopg.Error as exc:
            print(f"pg_restore: error: COMMIT failed: {str(exc).strip()}", file=sys.stderr)
            return 1
    finally:
        conn.close()  # with the transaction still open: the server rolls it back
    if errors:
        print(errors, file=sys.stderr)
    for schema, table in drops:
        print(f"pgadmin-py: dropped {schema}.{table}: it was created after the backup was taken", flush=True)
    print(f"pgadmin-py: restored with {pg_restore}'s script in one transaction: {done} statements, "
          f"{copied} tables' data", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
