"""A rehearsal's timings, read from the child's log: per revision (our child's ``begin``/``done`` markers, the
``done`` marker carrying the revision's time; through Flask-Migrate or a wrapper, Alembic's own "Running
upgrade a -> b" lines, the revision's time then the sum of its statements') and per statement (``stmt <ms>
<sql>``, ``stmt-failed <ms> <sql>``, printed by SQLAlchemy cursor events in rehearsal_site/sitecustomize.py).
Pure: the log in, frozen values out."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pgadmin_py.migrations.runner import MARK, progress_revision

_MARKER = re.compile(rf"^{re.escape(MARK)} (begin|done|stmt|stmt-failed) (.*)$")
_DONE = re.compile(r"^(?:upgrade|downgrade) (\S+)(?: ([\d.]+)ms)?$")
_STMT = re.compile(r"^([\d.]+) (.*)$", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Statement:
    sql: str
    ms: float
    failed: bool = False


@dataclass(frozen=True, slots=True)
class RevisionTime:
    revision: str
    ms: float | None  # None: it did not finish
    statements: tuple[Statement, ...]

    @property
    def slowest(self) -> Statement | None:
        return max(self.statements, key=lambda s: s.ms) if self.statements else None


@dataclass(frozen=True, slots=True)
class Timings:
    revisions: tuple[RevisionTime, ...]
    failed_statement: Statement | None  # the statement that raised, wherever it ran
    other_ms: float  # Alembic's own statements outside the revisions (version table)


def read_timings(lines: list[str] | tuple[str, ...], *, finished: bool = False) -> Timings:
    """Group the statement markers under the revision that ran them; ``finished``: the run succeeded, so the
    last revision ended too (without our ``done`` marker, a revision ends where the next one begins)."""
    done: list[RevisionTime] = []
    current: str | None = None
    statements: list[Statement] = []
    failed: Statement | None = None
    other = 0.0

    def close() -> None:
        done.append(RevisionTime(current or "", round(sum(s.ms for s in statements), 1), tuple(statements)))

    for line in lines:
        match = _MARKER.match(line.strip())
        if match is None:
            begun = progress_revision(line) if "Running " in line else None
            if begun is not None and begun[1] != current:
                if current is not None:
                    close()
                current, statements = begun[1], []
            continue
        word, rest = match.groups()
        if word == "begin":
            if rest.split()[-1] != current:
                if current is not None:
                    close()
                current, statements = rest.split()[-1], []
        elif word == "done" and (found := _DONE.match(rest)) is not None:
            ms = float(found.group(2)) if found.group(2) else None
            done.append(RevisionTime(found.group(1), ms, tuple(statements)))
            current, statements = None, []
        elif (stmt := _STMT.match(rest)) is not None:
            statement = Statement(stmt.group(2), float(stmt.group(1)), word == "stmt-failed")
            if statement.failed:
                failed = statement
            if current is not None:
                statements.append(statement)
            else:
                other += statement.ms
    if current is not None and finished:
        close()
    elif current is not None:  # the revision that failed
        done.append(RevisionTime(current, None, tuple(statements)))
    return Timings(tuple(done), failed, other)
