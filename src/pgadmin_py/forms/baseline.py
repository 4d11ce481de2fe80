"""What an edit form showed when it was loaded, so a save can tell which fields the person changed.

The edit form carries, in one hidden field, a digest of each writable field's value as it was shown.
On save, a field whose submitted value has the same digest was not touched: it is not parsed and not
written, so the stored value stays exactly as it was (CRLF line endings, BC dates, 1000-digit numerics,
``json`` whitespace), and a form saved untouched writes nothing at all. A save after a conflict writes
only the fields that differ from this baseline: a three-way merge against the version the person loaded.

Digests, not values: a row holding megabytes of ``bytea`` would otherwise travel twice. The digest
is not signed: it only tells the server which of the person's own posted values to write.

Values are compared the way a browser can send them back: a ``<textarea>`` turns CR LF and a lone CR
into LF (HTML's newline normalisation), and a time or datetime-local input drops zero seconds and the
trailing zeros of a fraction. Two values equal under these rules count as unchanged.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping

from pgadmin_py.forms.fields import PgField

FIELD_NAME = "_loaded"
_ZERO_FRACTION = re.compile(r"(:\d{2})\.(\d*?)0+$")
_ZERO_SECONDS = re.compile(r"(\d{2}:\d{2}):00$")


class DamagedBaseline(ValueError):
    """The hidden record of the loaded values is not one this app wrote."""


def comparable(field: PgField, text: str) -> str:
    """``text`` as the browser would send it back for this field."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if field.input_type in ("time", "datetime-local"):
        text = _ZERO_FRACTION.sub(lambda m: m.group(1) + ("." + m.group(2) if m.group(2) else ""), text)
        text = _ZERO_SECONDS.sub(r"\1", text)
    return text


def digest(field: PgField, text: str) -> str:
    data = comparable(field, text).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def writable(fields: Iterable[PgField]) -> list[PgField]:
    """The fields a person can change (read-only ones are never posted)."""
    return [f for f in fields if f.facts.read_only is None]


def snapshot(fields: Iterable[PgField]) -> dict[str, str]:
    """Field name -> digest of the value each field shows now."""
    return {f.name: digest(f, f._value()) for f in writable(fields)}


def encode(digests: Mapping[str, str]) -> str:
    return json.dumps(dict(sorted(digests.items())), separators=(",", ":"))


def decode(raw: str | None) -> dict[str, str] | None:
    """The digests posted back; None when the form carried none (then the stored row is the baseline)."""
    if raw is None or raw == "":
        return None
    try:
        found = json.loads(raw)
    except (ValueError, RecursionError):
        found = None
    if not isinstance(found, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in found.items()):
        raise DamagedBaseline("The form's record of the values it loaded is damaged; nothing was saved.")
    return found
