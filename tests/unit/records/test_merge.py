"""Which fields an edit writes: yours vs what you loaded vs what is stored now, one row per case. Pure."""

from __future__ import annotations

import pytest

from pgadmin_py.catalog.tables import Column, TableInfo
from pgadmin_py.forms import RecordForm, build_form_class
from pgadmin_py.forms import baseline as bl
from pgadmin_py.records import merge


class FormData(dict[str, list[str]]):
    def getlist(self, key: str) -> list[str]:
        return self.get(key, [])


def _col(name: str, position: int) -> Column:
    return Column(name=name, type_name="text", base_type="text", type_kind="base", is_array=False, nullable=True,
                  default=None, identity=None, generated=False, position=position, max_length=None,
                  numeric_precision=None, numeric_scale=None, enum_values=None, comment=None)


INFO = TableInfo(oid=1, schema="public", name="t", kind="table", columns=(_col("a", 1), _col("b", 2)),
                 primary_key=("a",), foreign_keys=(), referenced_by=(), indexes=(), unique_constraints=(),
                 checks=(), estimated_rows=0, total_bytes=0, comment=None)


def _stored(b: str | None) -> RecordForm:
    return build_form_class(INFO, None)(mode="edit", data={"a": "1", "b": b})


# what was loaded, what is posted, what is stored now -> written?, the person's change?, kept by "save anyway"
CASES = [
    ("x", "x", "x", False, False, "same"),  # untouched
    ("x", "y", "x", True, True, "yours"),  # you changed it
    ("x", "x", "z", False, False, "theirs"),  # they changed it: theirs stays
    ("x", "y", "z", True, True, "yours"),  # you both changed it: yours
    ("x", "y", "y", False, True, "same"),  # you both made the same change: nothing to write
    ("a\r\nb", "a\nb", "a\r\nb", False, False, "same"),  # a textarea's LF for the stored CR LF
    (None, "", None, False, False, "same"),  # NULL shown as an empty box
]


@pytest.mark.parametrize(("loaded", "posted", "stored", "written", "mine", "kept"), CASES)
def test_three_way(loaded: str | None, posted: str, stored: str | None, written: bool, mine: bool,
                   kept: str) -> None:
    base = bl.snapshot(_stored(loaded).pg_fields())
    form = build_form_class(INFO, None)(FormData({"f_a": ["1"], "f_b": [posted]}), mode="edit")
    edit = merge.plan(form, _stored(stored), base)
    assert ("f_b" in edit.writes, "f_b" in edit.changed) == (written, mine)
    column = next(c for c in edit.conflict if c.column == "b")
    assert column.kept == kept
    assert edit.writes == (("f_b",) if written else ())  # the untouched key is never written


def test_after_a_conflict_the_form_shows_theirs_under_your_changes_and_remembers_your_base() -> None:
    loaded = build_form_class(INFO, None)(mode="edit", data={"a": "1", "b": "x"})
    base = bl.snapshot(loaded.pg_fields())
    theirs = build_form_class(INFO, None)(mode="edit", data={"a": "1", "b": "theirs"})
    form = build_form_class(INFO, None)(FormData({"f_a": ["1"], "f_b": ["x"]}), mode="edit")
    edit = merge.plan(form, theirs, base)
    merge.show_merge(form, theirs, edit)
    assert form._fields["f_b"].data == "theirs"
    assert edit.next_base["f_b"] == bl.digest(form._fields["f_b"], "theirs")  # saving that form writes nothing
    mine = build_form_class(INFO, None)(FormData({"f_a": ["1"], "f_b": ["mine"]}), mode="edit")
    edit = merge.plan(mine, theirs, base)
    assert edit.next_base["f_b"] == base["f_b"]  # still your change against what you loaded


def test_without_a_baseline_the_stored_row_stands_in() -> None:
    form = build_form_class(INFO, None)(FormData({"f_a": ["1"], "f_b": ["y"]}), mode="edit")
    assert merge.plan(form, _stored("y"), None).writes == ()
    assert merge.plan(form, _stored("z"), None).writes == ("f_b",)


def test_a_written_value_takes_back_the_stored_crlf_line_endings() -> None:
    form = build_form_class(INFO, None)(FormData({"f_a": ["1"], "f_b": ["l1\nl2\nl3"]}), mode="edit")
    stored = _stored("l1\r\nl2")
    edit = merge.plan(form, stored, bl.snapshot(stored.pg_fields()))
    merge.keep_unwritten(form, stored, edit)
    assert form.validate() and form.sql_values() == {"b": "l1\r\nl2\r\nl3"}
    mixed = _stored("l1\r\nl2\nl3")  # mixed endings cannot be rebuilt: the browser's LF stays
    form = build_form_class(INFO, None)(FormData({"f_a": ["1"], "f_b": ["l1\nl2"]}), mode="edit")
    edit = merge.plan(form, mixed, bl.snapshot(mixed.pg_fields()))
    merge.keep_unwritten(form, mixed, edit)
    assert form.validate() and form.sql_values() == {"b": "l1\nl2"}
