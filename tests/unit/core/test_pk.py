"""Key values and names travel in URL path segments through tilde encoding, losslessly."""

from __future__ import annotations

import pytest

from pgadmin_py.core.pk import InvalidKey, decode_pk, encode_pk, tilde_decode, tilde_encode

VALUES = ["42", "a/b", "x,y", "~tilde~", "100%", "é 東京 🐘", "", "a.b-c_d", "'; drop table x;--"]


@pytest.mark.parametrize("value", VALUES)
def test_round_trip(value: str) -> None:
    encoded = tilde_encode(value)
    assert all(ch.isalnum() or ch in "_-~" for ch in encoded)
    assert tilde_decode(encoded) == value


def test_composite_keys() -> None:
    assert encode_pk((5, "a/b")) == "5,a~2Fb"
    assert decode_pk("5,a~2Fb", 2) == ("5", "a/b")


@pytest.mark.parametrize(("segment", "arity", "words"), [
    ("1,2", 1, "has 2 part(s)"), ("1", 2, "has 1 part(s)"), ("a~zz", 1, "two hex digits"), ("~FF", 1, "UTF-8"),
])
def test_bad_keys_say_why(segment: str, arity: int, words: str) -> None:
    with pytest.raises(InvalidKey, match=words.replace("(", r"\(").replace(")", r"\)")):
        decode_pk(segment, arity)


KEYS = [("1",), ("a", "b"), ("x/y", "1"), ("é,z",), ("~7E",), ("k 1", "<2>"), ("",), (42, "w_-")]


@pytest.mark.parametrize("pk", KEYS)
def test_fast_path_encodes_like_tilde_encoding(pk: tuple[object, ...]) -> None:
    assert encode_pk(pk) == ",".join(tilde_encode(str(v)) for v in pk)
    assert decode_pk(encode_pk(pk), len(pk)) == tuple(str(v) for v in pk)
