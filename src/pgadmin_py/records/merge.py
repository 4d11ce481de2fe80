"""Which fields an edit writes: a three-way comparison of what was loaded, what is posted, what is stored.

``yours`` is what the person posted, ``base`` the digests of what their form showed when loaded
(:mod:`pgadmin_py.forms.baseline`), ``theirs`` the row as stored now. A field is the person's change
when ``yours`` differs from ``base``; it is written only when it also differs from ``theirs``. Every
other field is left as stored, so a form saved untouched writes nothing, and "save anyway" after a
conflict keeps the other person's changes to the fields this person did not touch. Pure: no I/O.

Without a base (a form posted by something other than our page), the stored row stands in for it:
the no-op is still detected, but after a conflict every differing field counts as the person's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pgadmin_py.forms import RecordForm
from pgadmin_py.forms import baseline as bl


@dataclass(frozen=True, slots=True)
class ConflictColumn:
    """One column of a conflict: the person's value, the stored one, and who changed it since the load."""

    column: str
    yours: str
    theirs: str
    yours_changed: bool = True
    theirs_changed: bool = True
    differs: bool = True  # compared as the browser sends values back (line endings aside)

    @property
    def kept(self) -> str:
        """What "save anyway" leaves in this column: "yours" (written), "theirs" (left as stored), or "same"."""
        if not self.differs:
            return "same"
        return "yours" if self.yours_changed else "theirs"


@dataclass(frozen=True, slots=True)
class EditPlan:
    changed: tuple[str, ...]  # columns the person changed since the load (field names)
    writes: tuple[str, ...]  # of those, the ones that differ from the stored row (field names)
    conflict: tuple[ConflictColumn, ...]  # every writable column, for the conflict view
    next_base: dict[str, str]  # the baseline of a form that shows this merge (after a conflict)


def plan(form: RecordForm, theirs: RecordForm, base: Mapping[str, str] | None) -> EditPlan:
    """Compare a posted edit form with the stored row (``theirs``, a form filled from it) and the baseline."""
    changed, writes, conflict, next_base = [], [], [], {}
    for field in bl.writable(form.pg_fields()):
        stored = theirs.field_for(field.facts.column)
        assert stored is not None
        theirs_text, theirs_digest = stored._value(), bl.digest(stored, stored._value())
        if not field.submitted:  # not posted at all: left as it is
            next_base[field.name] = theirs_digest
            continue
        yours_digest = bl.digest(field, field._value())
        loaded = base.get(field.name) if base is not None else None
        mine = yours_digest != (loaded if loaded is not None else theirs_digest)
        if mine:
            changed.append(field.name)
            if yours_digest != theirs_digest:
                writes.append(field.name)
        next_base[field.name] = loaded if mine and loaded is not None else theirs_digest
        their_change = loaded is None or theirs_digest != loaded
        conflict.append(ConflictColumn(field.facts.column, field._value(), theirs_text, mine, their_change,
                                       yours_digest != theirs_digest))
    return EditPlan(tuple(changed), tuple(writes), tuple(conflict), next_base)


def keep_unwritten(form: RecordForm, theirs: RecordForm, edit: EditPlan) -> None:
    """Mark every field the plan does not write, so validation skips it and it stays as stored; a written
    value takes the stored value's CR LF line endings back (a textarea posts LF), when it had only those."""
    for field in form.pg_fields():
        field.keep = field.name not in edit.writes
        stored = theirs.field_for(field.facts.column)
        if not field.keep and stored is not None and _crlf_only(stored._value()) and "\r" not in field._value():
            field.data = field._value().replace("\n", "\r\n")


def _crlf_only(text: str) -> bool:
    return "\r\n" in text and text.count("\n") == text.count("\r\n") == text.count("\r")


def show_merge(form: RecordForm, theirs: RecordForm, edit: EditPlan) -> None:
    """After a conflict: the person's changes stay in the form, every other field shows the stored value."""
    for field in form.pg_fields():
        if field.name in edit.changed:
            continue
        stored = theirs.field_for(field.facts.column)
        if stored is not None:
            field.data = stored.data
