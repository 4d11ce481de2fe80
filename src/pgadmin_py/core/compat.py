"""What Python 3.11 added that we use, for Python 3.10."""

from __future__ import annotations

import re
import sys
from datetime import datetime, time
from enum import Enum

if sys.version_info >= (3, 11):
    from enum import StrEnum
else:  # pragma: no cover - Python 3.10

    class StrEnum(str, Enum):
        """``enum.StrEnum``: members are their values in ``str()`` and f-strings, as on 3.11."""

        def __str__(self) -> str:
            return str(self.value)

        def __format__(self, spec: str) -> str:
            return str(self.value).__format__(spec)


# The ISO shapes Python 3.11's fromisoformat reads and 3.10's does not: a fraction of 1-6 digits (3.10 wants 3
# or 6), "Z", and offsets written +HH or +HHMM.
_CLOCK = re.compile(r"(?P<head>(?:.*[T ])?\d{2}:\d{2}(?::\d{2})?)(?:\.(?P<frac>\d{1,6}))?"
                    r"(?P<off>Z|[+-]\d{2}(?::?\d{2}){0,2})?")


def _as_310(text: str) -> str:
    match = _CLOCK.fullmatch(text)
    if match is None:
        return text
    frac, off = match.group("frac"), match.group("off") or ""
    if off == "Z":
        off = "+00:00"
    elif off:
        digits = off[1:].replace(":", "").ljust(4, "0")
        off = off[0] + ":".join(digits[i:i + 2] for i in range(0, len(digits), 2))
    return match.group("head") + (f".{frac.ljust(6, '0')}" if frac else "") + off


def datetime_fromisoformat(text: str) -> datetime:
    """``datetime.fromisoformat`` as on Python 3.11, on 3.10 too."""
    return datetime.fromisoformat(text if sys.version_info >= (3, 11) else _as_310(text))


def time_fromisoformat(text: str) -> time:
    """``time.fromisoformat`` as on Python 3.11, on 3.10 too."""
    return time.fromisoformat(text if sys.version_info >= (3, 11) else _as_310(text))


__all__ = ["StrEnum", "datetime_fromisoformat", "time_fromisoformat"]
