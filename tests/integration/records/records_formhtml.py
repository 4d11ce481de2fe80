"""Read a rendered form the way a browser would submit it (inputs, textareas, selected options)."""

from __future__ import annotations

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}
        self._textarea: str | None = None
        self._select: str | None = None
        self._first_option: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if "disabled" in a or not a.get("name"):
            if tag == "option" and self._select is not None:
                pass
            elif tag != "option":
                return
        if tag == "input" and a.get("type") not in ("file", "submit", "button", "search"):
            self.values[a["name"]] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.values[a["name"]] = ""
        elif tag == "select":
            self._select = a["name"]
            self._first_option = None
        elif tag == "option" and self._select is not None:
            if self._first_option is None:
                self._first_option = a.get("value", "")
                self.values.setdefault(self._select, self._first_option)
            if "selected" in a:
                self.values[self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self.values[self._textarea] += data


def form_values(page: str) -> dict[str, str]:
    """The fields of the record form (the first form with class record-form), as a browser posts them."""
    start = page.index('class="form record-form"')
    end = page.index("</form>", start)
    reader = _FormReader()
    reader.feed(page[page.rindex("<form", 0, start):end])
    values = reader.values
    for name, value in values.items():  # a browser drops the newline right after <textarea>
        if value.startswith("\r\n"):
            values[name] = value[2:]
        elif value.startswith("\n"):
            values[name] = value[1:]
    return values
