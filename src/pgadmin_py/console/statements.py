"""Split a SQL batch into statements and classify each one, without a database.

The splitter knows PostgreSQL's lexical rules that can hide a semicolon: quoted strings (with ``''``
and, for ``E'...'``, backslash escapes), quoted identifiers, dollar quotes, ``--`` and nested
``/* */`` comments. Each statement keeps its offset in the editor text, so an error position
reported by PostgreSQL can be shown at the right line and column of what the user typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pgadmin_py.core.compat import StrEnum

_DOLLAR_TAG = re.compile(r"\$([A-Za-z_\x80-\uffff][\w\x80-\uffff]*)?\$")
_WORD = re.compile(r"[A-Za-z_][\w$]*")


class Kind(StrEnum):
    """What a statement may do, as far as its text tells."""

    READ = "read"  # SELECT/VALUES/TABLE/WITH without DML, SHOW, plain EXPLAIN
    WRITE = "write"  # changes data or schema (or might: CALL, DO, COPY, ...)
    SESSION = "session"  # SET/RESET of harmless session settings
    TRANSACTION = "transaction"  # BEGIN/COMMIT/...: the console owns the transaction, so refused
    GUARDED = "guarded"  # SET of a setting the console relies on (timeout, read-only): refused


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement of a batch: its text and where it starts in the editor text."""

    text: str
    offset: int  # 0-based character offset of text[0] in the whole editor text
    kind: Kind

    @property
    def query_like(self) -> bool:
        """True when the statement can stand inside ``DECLARE ... CURSOR FOR`` (a pure read)."""
        first = first_word(self.text)
        return self.kind is Kind.READ and first in {"select", "values", "table", "with"}

    @property
    def explainable(self) -> bool:
        first = first_word(self.text)
        return first in {"select", "values", "table", "with", "insert", "update", "delete", "merge", "execute"} or (
            first == "create" and " as " in f" {' '.join(words(self.text)[:8])} ")


def split(sql: str, base: int = 0) -> list[Statement]:
    """The non-empty statements of ``sql``; ``base`` is added to every offset (a selection's start)."""
    out: list[Statement] = []
    start = 0
    i = 0
    n = len(sql)
    while i < n:
        ch = sql[i]
        nxt = sql[i + 1] if i + 1 < n else ""
        if ch == "-" and nxt == "-":
            end = sql.find("\n", i)
            i = n if end < 0 else end + 1
        elif ch == "/" and nxt == "*":
            i = _skip_block_comment(sql, i)
        elif ch == "'":
            escapes = i > 0 and sql[i - 1] in "eE" and (i < 2 or not (sql[i - 2].isalnum() or sql[i - 2] == "_"))
            i = _skip_quoted(sql, i, "'", backslash=escapes)
        elif ch == '"':
            i = _skip_quoted(sql, i, '"', backslash=False)
        elif ch == "$" and (i == 0 or not (sql[i - 1].isalnum() or sql[i - 1] == "_")):
            match = _DOLLAR_TAG.match(sql, i)
            if match:
                end = sql.find(match.group(0), match.end())
                i = n if end < 0 else end + len(match.group(0))
            else:
                i += 1
        elif ch == ";":
            _append(out, sql, start, i, base)
            i += 1
            start = i
        else:
            i += 1
    _append(out, sql, start, n, base)
    return out


def _skip_block_comment(sql: str, i: int) -> int:
    depth = 0
    n = len(sql)
    while i < n:
        if sql.startswith("/*", i):
            depth += 1
            i += 2
        elif sql.startswith("*/", i):
            depth -= 1
            i += 2
            if depth == 0:
                return i
        else:
            i += 1
    return n


def _skip_quoted(sql: str, i: int, quote: str, *, backslash: bool) -> int:
    i += 1
    n = len(sql)
    while i < n:
        ch = sql[i]
        if backslash and ch == "\\":
            i += 2
            continue
        if ch == quote:
            if i + 1 < n and sql[i + 1] == quote:
                i += 2
                continue
            return i + 1
        i += 1
    return n


def _append(out: list[Statement], sql: str, start: int, end: int, base: int) -> None:
    chunk = sql[start:end]
    stripped = chunk.strip()
    if not stripped or not strip_comments(stripped).strip():
        return
    lead = len(chunk) - len(chunk.lstrip())
    out.append(Statement(stripped, base + start + lead, classify(stripped)))


def strip_comments(sql: str) -> str:
    """``sql`` with comments replaced by spaces and string/identifier contents blanked (for keyword scans)."""
    parts: list[str] = []
    i = 0
    n = len(sql)
    while i < n:
        ch = sql[i]
        nxt = sql[i + 1] if i + 1 < n else ""
        if ch == "-" and nxt == "-":
            end = sql.find("\n", i)
            i = n if end < 0 else end
            parts.append(" ")
        elif ch == "/" and nxt == "*":
            i = _skip_block_comment(sql, i)
            parts.append(" ")
        elif ch in "'\"":
            escapes = ch == "'" and i > 0 and sql[i - 1] in "eE"
            i = _skip_quoted(sql, i, ch, backslash=escapes)
            parts.append(" '' ")
        elif ch == "$" and (i == 0 or not (sql[i - 1].isalnum() or sql[i - 1] == "_")) and _DOLLAR_TAG.match(sql, i):
            match = _DOLLAR_TAG.match(sql, i)
            assert match is not None
            end = sql.find(match.group(0), match.end())
            i = n if end < 0 else end + len(match.group(0))
            parts.append(" '' ")
        else:
            parts.append(ch)
            i += 1
    return "".join(parts)


def words(sql: str) -> list[str]:
    """The lower-cased bare words of ``sql`` outside strings and comments."""
    return [w.lower() for w in _WORD.findall(strip_comments(sql))]


def first_word(sql: str) -> str:
    found = words(sql.lstrip("( \t\r\n"))
    return found[0] if found else ""


_READ_FIRST = {"select", "values", "table", "show", "fetch", "move", "close", "declare", "listen", "unlisten"}
_TRANSACTION_FIRST = {"begin", "start", "commit", "end", "rollback", "abort", "savepoint", "release", "prepare"}
_DML = {"insert", "update", "delete", "merge"}
_GUARDED_SETTINGS = {"statement_timeout", "transaction_read_only", "default_transaction_read_only",
                     "session_authorization", "idle_in_transaction_session_timeout", "lock_timeout"}


def classify(sql: str) -> Kind:
    """The :class:`Kind` of one statement, judged from its words (PostgreSQL has the last word)."""
    ws = words(sql.lstrip("( \t\r\n"))
    if not ws:
        return Kind.READ
    first = ws[0]
    if first in _TRANSACTION_FIRST:
        if first == "prepare" and (len(ws) < 2 or ws[1] != "transaction"):
            return Kind.WRITE if _DML & set(ws) else Kind.SESSION
        return Kind.TRANSACTION
    if first in {"set", "reset"}:
        rest = [w for w in ws[1:] if w not in {"session", "local"}]
        if rest[:1] == ["transaction"] or rest[:2] == ["characteristics", "as"] or rest[:1] == ["all"]:
            return Kind.GUARDED if first == "reset" or rest[:1] == ["all"] else Kind.TRANSACTION
        if rest[:1] and rest[0] in _GUARDED_SETTINGS:
            return Kind.GUARDED
        return Kind.SESSION
    if first == "explain":
        options = ws[1:4]
        if "analyze" in options or "analyse" in options:
            return Kind.WRITE if _DML & set(ws) or "create" in ws else Kind.READ
        return Kind.READ
    if first == "with":
        return Kind.WRITE if _DML & set(ws) else Kind.READ
    if first == "select":
        return Kind.WRITE if "into" in ws else Kind.READ
    if first == "declare":
        return Kind.WRITE if _DML & set(ws) else Kind.READ
    if first in _READ_FIRST:
        return Kind.READ
    if first in {"discard", "load"}:
        return Kind.SESSION
    return Kind.WRITE


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of the 0-based character ``offset`` in ``text``."""
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col
