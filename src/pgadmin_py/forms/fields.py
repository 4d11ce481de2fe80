"""One WTForms field class for every column: what differs per type is its parser and its widget.

The field keeps exactly what was typed (so a failed save shows it again) and, once validated,
holds ``sql_value``: the text to cast, ``None`` for NULL, or ``DEFAULT``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from markupsafe import Markup, escape
from wtforms import Field
from wtforms.validators import ValidationError
from wtforms.widgets import html_params

from pgadmin_py.forms.facts import DEFAULT, FieldFacts, SqlValue

Parser = Callable[[str], str]
Display = Callable[[object], str]
# Values a browser's date and time inputs keep; anything else (BC, year 10000, 24:00:00, microseconds, infinity)
# would be emptied or rounded by the browser, so it is shown in a text box instead.
_CLOCK = r"([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,3})?)?"
_HTML_VALUE = {
    "date": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    "time": re.compile(rf"^{_CLOCK}$"),
    "datetime-local": re.compile(rf"^\d{{4}}-\d{{2}}-\d{{2}}T{_CLOCK}$"),
}
_LINE_BREAK = re.compile(r"[\r\n]")
ABSENT = object()  # a read-only column: never part of a write


def _str_display(value: object) -> str:
    return str(value)


class PgWidget:
    """``<input>``, ``<textarea>`` or ``<select>`` as the field's kind asks; never inline styles or scripts.

    ``single_line=True`` (a table cell edited in place) shows a text column's value without a line break in
    a one-line box, where Enter saves; multi-line text, JSON, arrays and bytes keep their larger box.
    """

    def __call__(self, field: PgField, *, single_line: bool = False, **kwargs: Any) -> Markup:
        value = field._value()
        kind = field.input_type
        if single_line and kind == "textarea" and field.blank_means_empty and not _LINE_BREAK.search(value):
            kind = "text"
        kwargs.setdefault("id", field.id)
        attrs: dict[str, Any] = {"name": field.name, **kwargs}
        if field.errors:
            attrs["aria-invalid"] = "true"
        if field.facts.read_only is not None:
            attrs["disabled"] = True
        elif field.flags.required:
            attrs["aria-required"] = "true"
        if field.placeholder and kind != "select":
            attrs["placeholder"] = field.placeholder
        if kind == "select":
            options = [(str(v), str(lbl)) for v, lbl in field.choices]
            blank = [("", field.placeholder or "")] if field.blank_allowed() or not value else []
            items = "".join(
                f'<option {html_params(value=v, selected=(v == value))}>{escape(lbl)}</option>'
                for v, lbl in blank + options)
            return Markup(f"<select {html_params(**attrs)}>{items}</select>")  # noqa: S704 - parts escaped
        if kind != "select" and _LINE_BREAK.search(value):
            kind = "textarea"  # a single-line box would drop the line breaks
        if kind == "textarea":
            rows = min(12, max(3, value.count("\n") + 2))
            return Markup(f"<textarea {html_params(rows=rows, spellcheck='false', **attrs)}>\r\n"  # noqa: S704
                          f"{escape(value)}</textarea>")
        input_type = kind
        pattern = _HTML_VALUE.get(kind)
        if pattern is not None and value and not pattern.match(value):
            input_type = "text"  # e.g. microseconds, BC dates, infinity: a text box keeps them intact
        if input_type in ("time", "datetime-local"):
            attrs["step"] = "0.001" if "." in value else "1"
        if kind == "numeric":
            input_type, attrs["inputmode"] = "text", "decimal"
        return Markup(f"<input {html_params(type=input_type, value=value, **attrs)}>")  # noqa: S704 - escaped


class PgField(Field):  # type: ignore[misc]  # wtforms ships no type hints
    widget = PgWidget()

    def __init__(self, label: str | None = None, validators: Sequence[Any] | None = None, *,
                 facts: FieldFacts, parser: Parser, input_type: str = "text",
                 choices: Sequence[tuple[str, str]] = (), display: Display = _str_display,
                 help_text: str | None = None, blank_means_empty: bool = False, upload: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(label, validators, **kwargs)
        self.facts = facts
        self.parser = parser
        self.input_type = input_type
        self.choices = tuple(choices)
        self.display = display
        self.help_text = help_text
        self.blank_means_empty = blank_means_empty
        self.upload = upload
        self.mode = "new"
        self.sql_value: SqlValue | object = ABSENT
        self.submitted = False
        self.keep = False  # an edit leaves this column as it is (the person did not change it)
        self.flags.required = facts.required

    def process_data(self, value: Any) -> None:
        self.data = None if value is None else self.display(value)

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.submitted = bool(valuelist)
        if valuelist:
            self.data = str(valuelist[0]).replace("\r\n", "\n")

    def _value(self) -> str:
        return "" if self.data is None else str(self.data)

    @property
    def wide(self) -> bool:
        """Shown as a multi-line box (the form gives it a whole row)."""
        return self.input_type == "textarea" or (self.input_type != "select" and bool(_LINE_BREAK.search(
            self._value())))

    @property
    def wide_in_cell(self) -> bool:
        """Shown as a multi-line box when edited in a table cell (``single_line``): a text column only
        when its value has a line break."""
        if self.input_type == "textarea" and self.blank_means_empty:
            return bool(_LINE_BREAK.search(self._value()))
        return self.wide

    @property
    def placeholder(self) -> str:
        facts = self.facts
        if facts.read_only is not None:
            return f"set by the database ({facts.read_only})"
        if self.mode == "new" and facts.default is not None:
            return f"default: {facts.default}"
        if facts.nullable:
            return "NULL"
        if facts.default is not None:
            return f"default: {facts.default}"
        return "— choose —" if self.input_type == "select" else ""

    def blank_allowed(self) -> bool:
        return self.facts.nullable or self.facts.default is not None

    def blank_value(self) -> SqlValue:
        """What an empty box means: the default on a new row, else NULL, else the default."""
        facts = self.facts
        if self.mode == "edit" and facts.is_pk:
            raise ValidationError("Required: a key column cannot be emptied.")
        if self.mode == "new" and facts.default is not None:
            return DEFAULT
        if facts.nullable:
            return None
        if facts.default is not None:
            return DEFAULT
        raise ValidationError("Required: this column cannot be NULL and has no default.")

    def pre_validate(self, form: Any) -> None:
        self.sql_value = ABSENT
        if self.facts.read_only is not None or (self.mode == "edit" and (self.keep or not self.submitted)):
            return  # an edit leaves a column that was not posted, or not changed, as it is
        raw = self._value()
        if "\x00" in raw:
            raise ValidationError("PostgreSQL text cannot contain the NUL character (\\0).")
        if raw == "" or (not self.blank_means_empty and raw.strip() == ""):
            self.sql_value = self.blank_value()
            return
        try:
            self.sql_value = self.parser(raw)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
