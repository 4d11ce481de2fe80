"""PostgreSQL's table lock modes: their names, their order, and which ones conflict (the table in
"Explicit Locking", https://www.postgresql.org/docs/current/explicit-locking.html)."""

from __future__ import annotations

# weakest first; pg_locks names them in CamelCase
MODES = ("ACCESS SHARE", "ROW SHARE", "ROW EXCLUSIVE", "SHARE UPDATE EXCLUSIVE", "SHARE", "SHARE ROW EXCLUSIVE",
         "EXCLUSIVE", "ACCESS EXCLUSIVE")
ACCESS_EXCLUSIVE = "ACCESS EXCLUSIVE"
SHARE = "SHARE"
SHARE_ROW_EXCLUSIVE = "SHARE ROW EXCLUSIVE"
SHARE_UPDATE_EXCLUSIVE = "SHARE UPDATE EXCLUSIVE"
ROW_EXCLUSIVE = "ROW EXCLUSIVE"

_CONFLICTS: dict[str, frozenset[str]] = {
    "ACCESS SHARE": frozenset({"ACCESS EXCLUSIVE"}),
    "ROW SHARE": frozenset({"EXCLUSIVE", "ACCESS EXCLUSIVE"}),
    "ROW EXCLUSIVE": frozenset({"SHARE", "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE"}),
    "SHARE UPDATE EXCLUSIVE": frozenset({"SHARE UPDATE EXCLUSIVE", "SHARE", "SHARE ROW EXCLUSIVE", "EXCLUSIVE",
                                         "ACCESS EXCLUSIVE"}),
    "SHARE": frozenset({"ROW EXCLUSIVE", "SHARE UPDATE EXCLUSIVE", "SHARE ROW EXCLUSIVE", "EXCLUSIVE",
                        "ACCESS EXCLUSIVE"}),
    "SHARE ROW EXCLUSIVE": frozenset({"ROW EXCLUSIVE", "SHARE UPDATE EXCLUSIVE", "SHARE", "SHARE ROW EXCLUSIVE",
                                      "EXCLUSIVE", "ACCESS EXCLUSIVE"}),
    "EXCLUSIVE": frozenset({"ROW SHARE", "ROW EXCLUSIVE", "SHARE UPDATE EXCLUSIVE", "SHARE", "SHARE ROW EXCLUSIVE",
                            "EXCLUSIVE", "ACCESS EXCLUSIVE"}),
    "ACCESS EXCLUSIVE": frozenset(MODES),
}

# what each mode stops other sessions from doing while it is held (and while it waits: later requests queue)
BLOCKS = {
    "ACCESS EXCLUSIVE": "blocks reads and writes",
    "EXCLUSIVE": "blocks writes (reads go on)",
    "SHARE ROW EXCLUSIVE": "blocks writes (reads go on)",
    "SHARE": "blocks writes (reads go on)",
    "SHARE UPDATE EXCLUSIVE": "reads and writes go on",
    "ROW EXCLUSIVE": "reads and writes go on",
    "ROW SHARE": "reads and writes go on",
    "ACCESS SHARE": "reads and writes go on",
}


def from_pg_locks(mode: str) -> str:
    """``AccessExclusiveLock`` (pg_locks.mode) -> ``ACCESS EXCLUSIVE``."""
    words = []
    current = ""
    for char in mode.removesuffix("Lock"):
        if char.isupper() and current:
            words.append(current)
            current = ""
        current += char
    if current:
        words.append(current)
    return " ".join(words).upper()


def strongest(*modes: str | None) -> str | None:
    present = [m for m in modes if m]
    return max(present, key=MODES.index) if present else None


def conflicts(wanted: str, held: str) -> bool:
    """Would a request for ``wanted`` wait for a session holding (or queued ahead with) ``held``?"""
    return held in _CONFLICTS.get(wanted, frozenset())


def blocks_traffic(mode: str | None) -> bool:
    """Does holding ``mode`` stop the application's ordinary reads or writes?"""
    return mode is not None and MODES.index(mode) >= MODES.index(SHARE)
