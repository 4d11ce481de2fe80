"""The JSON Lines encoder on hand-made COPY rows (quote \\x01, delimiter \\x02, NULL ``null``)."""

from __future__ import annotations

import json

from pgadmin_py.browser.jsonlines import NUMBER, STRING, VERBATIM, Encoder

NAMES = ("100%", 'a"b', "n", "s")
KINDS = ["int", VERBATIM, NUMBER, STRING]


def test_fast_block_keeps_percent_keys_and_nulls() -> None:
    enc = Encoder(NAMES, KINDS)
    rows = [b'1\x02"x"\x021.5\x02"hi"\n', b'null\x02null\x02null\x02null\n']
    assert enc._fast(b"".join(rows), len(rows)) is not None
    assert enc.block(rows) == (b'{"100%":1,"a\\"b":"x","n":1.5,"s":"hi"}\n'
                               b'{"100%":null,"a\\"b":null,"n":null,"s":null}\n')


def test_slow_rows_escape_strings_and_quote_special_numbers() -> None:
    enc = Encoder(NAMES, KINDS)
    rows = [b'1\x02"x"\x02NaN\x02"a\tb\\"\n', b'2\x02null\x02-Infinity\x02\x01"null"\x01\n',
            b'3\x021\x021\x02\x01"l\x01\x01i\x02ne\nx"\x01\n']
    assert enc._fast(b"".join(rows), len(rows)) is None
    lines = [json.loads(line) for line in enc.block(rows).decode().splitlines()]
    assert lines == [{"100%": 1, 'a"b': "x", "n": "NaN", "s": "a\tb\\"},
                     {"100%": 2, 'a"b': None, "n": "-Infinity", "s": "null"},
                     {"100%": 3, 'a"b': 1, "n": 1, "s": "l\x01i\x02ne\nx"}]
    assert b'"a\\tb\\\\"' in enc.block(rows[:1])


def test_a_quote_inside_a_string_takes_the_slow_path() -> None:
    enc = Encoder(("s",), [STRING])
    rows = [b'"a"b"\n', b'null\n']
    assert enc._fast(b"".join(rows), len(rows)) is None
    assert enc.block(rows) == b'{"s":"a\\"b"}\n{"s":null}\n'
