"""Primary-key values in URL path segments, Datasette's way ("tilde encoding").

Percent-encoding is undone by servers and proxies before routing, so ``/`` or ``,`` inside a key
would break the path. Tilde encoding keeps ``[A-Za-z0-9_-]`` and writes every other byte as
``~HH``; composite keys join their encoded parts with ``,``.
"""

from __future__ import annotations

import re

_SAFE = re.compile(r"[A-Za-z0-9_-]")
_TILDE = re.compile(r"~([0-9A-F]{2})")


class InvalidKey(ValueError):
    """A key segment that is not tilde-encoded text."""


def tilde_encode(value: str) -> str:
    out: list[str] = []
    for ch in value:
        if _SAFE.match(ch):
            out.append(ch)
        else:
            out.extend(f"~{b:02X}" for b in ch.encode("utf-8"))
    return "".join(out)


def tilde_decode(value: str) -> str:
    if re.search(r"~(?![0-9A-F]{2})", value):
        raise InvalidKey(f"{value!r} is not a valid key: '~' must be followed by two hex digits")
    try:
        raw = _TILDE.sub(lambda m: f"%{m.group(1)}", value.replace("%", "%25"))
        from urllib.parse import unquote_to_bytes

        return unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidKey(f"{value!r} is not valid UTF-8 once decoded") from None


_PLAIN = re.compile(r"[A-Za-z0-9_-]*")


def encode_pk(values: tuple[object, ...]) -> str:
    """``(5, 'a/b')`` -> ``'5,a~2Fb'``. Plain keys (integers, words) encode to themselves: a fast path,
    since a table page encodes a key per row and per foreign-key link."""
    texts = [str(v) for v in values]
    if all(_PLAIN.fullmatch(t) for t in texts):
        return ",".join(texts)
    return ",".join(tilde_encode(t) for t in texts)


def encode_pks(keys: list[tuple[str, ...]]) -> list[str]:
    """``encode_pk`` of every key of a page, checked for the plain fast path with one regex for all."""
    if _PLAIN.fullmatch("".join(v for key in keys for v in key)):
        return [",".join(key) for key in keys]
    return [encode_pk(key) for key in keys]


def decode_pk(segment: str, arity: int) -> tuple[str, ...]:
    """The text values of a key segment; :class:`InvalidKey` unless it has exactly ``arity`` parts."""
    parts = tuple(tilde_decode(p) for p in segment.split(","))
    if len(parts) != arity:
        raise InvalidKey(f"the key {segment!r} has {len(parts)} part(s); this table's primary key has {arity}")
    return parts
