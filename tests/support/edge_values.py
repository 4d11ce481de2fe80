"""Edge values of every PostgreSQL type the record forms support, in one table (``edge_values``).

Each row holds, in every column, one of that type's edge values: row i holds value i % len(values).
Then come ``RANDOM_ROWS`` rows drawn with a fixed seed: random strings of the characters that break forms
(CR, LF, control characters, spaces, quotes, backslashes, braces, commas, non-ASCII) in the text-like
columns, arrays and JSON, and a random edge value in every other column. Shared by the e2e no-op round trip
and the integration test of the converters.
"""

from __future__ import annotations

import json
import random

from sqlalchemy import Engine, exc, text

LONG_NUMERIC = "-" + "9" * 600 + "." + "0" * 399 + "1"  # 1000 digits
C0 = "".join(chr(c) for c in range(1, 32) if c not in (9, 10, 13)) + "\x7f"  # control characters but NUL

# column -> (its type, edge values as PostgreSQL text; None is NULL). Row i holds value i % len(values).
EDGES: dict[str, tuple[str, list[str | None]]] = {
    "c_int2": ("smallint", ["-32768", "32767", "0", None]),
    "c_int4": ("integer", ["-2147483648", "2147483647", None]),
    "c_int8": ("bigint", ["-9223372036854775808", "9223372036854775807", None]),
    "c_num": ("numeric", ["NaN", "Infinity", "-Infinity", "-0", LONG_NUMERIC, "0.000000000000000000001",
                          "123.4500", "1e-20", None]),
    "c_num_p": ("numeric(12,4)", ["NaN", "-0.0001", "99999999.9999", "1.5000", "-0", None]),
    "c_real": ("real", ["NaN", "Infinity", "-Infinity", "-0", "3.4028235e+38", "1.4e-45", "0.1", None]),
    "c_double": ("double precision", ["NaN", "Infinity", "-Infinity", "-0", "1.7976931348623157e+308", "5e-324",
                                      "0.1", None]),
    "c_money": ("money", ["-$1,234.56", "$0.00", "$92,233,720,368,547,758.07", None]),
    "c_text": ("text", ["line 1\nline 2", "crlf\r\nline 2\r\n", "lone\rcr", "  lead and trail  ", f"ctl {C0} end",
                        "\n\nleading newlines", "trailing newline\n", "\ttab\t", "unicode ✓ é \u2028 \u00a0 ﷽",
                        "", "<b>&amp;</b> \"q\" 'a'", "\r\n", None]),
    "c_varchar": ("character varying(40)", ["a\nb", "x\r\ny", "  spaced  ", f"c{C0[:20]}", "tab\there", "",
                                            "trailing space ", "\rcr first", "NULL", None]),
    "c_varchar_long": ("character varying(1000)", ["multi\r\nline\r\n\r\n", " x ", "", None]),
    "c_char": ("character(6)", ["ab", " a", "a\nb", "\r\n", "", None]),
    "c_bool": ("boolean", ["true", "false", None]),
    "c_bool_nn": ("boolean", ["false", "true"]),
    "c_date": ("date", ["0044-03-15 BC", "infinity", "-infinity", "10000-01-01", "4713-01-01 BC", "2024-02-29",
                        "0001-01-01", "5874897-12-31", None]),
    "c_time": ("time without time zone", ["24:00:00", "00:00:00", "13:45:30.123456", "23:59:59.999999",
                                          "12:00:00", "13:45:30.5", None]),
    "c_timetz": ("time with time zone", ["13:45:30+05:30", "00:00:00-15:59", "24:00:00+00", None]),
    "c_ts": ("timestamp without time zone", ["0044-03-15 12:00:00 BC", "infinity", "-infinity",
                                             "10000-01-01 00:00:00", "2024-02-29 13:45:00",
                                             "2024-02-29 13:45:30.123456", "294276-12-31 23:59:59",
                                             "2024-02-29 13:45:30.5", None]),
    "c_tstz": ("timestamp with time zone", ["0044-03-15 12:00:00+00 BC", "infinity", "-infinity",
                                            "10000-01-01 00:00:00+00", "2024-02-29 13:45:00+00",
                                            "2024-02-29 13:45:30.123456+00", "4713-01-01 00:00:00+00 BC", None]),
    "c_interval": ("interval", ["1 year 2 mons 3 days 04:05:06.789", "-1 days +02:00:00", "00:00:00",
                                "178000000 years", "-00:00:00.000001", None]),
    "c_uuid": ("uuid", ["00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff", None]),
    "c_json": ("json", ['  {"b": 1,   "a": [1, 2.50, null], "a": "dup", "u": "\\u00e9\\ud83d\\ude00"}  ',
                        '{\r\n  "nested": {"deep": [{"x": "\\n"}]}\r\n}\n', '"just a string"', "[]", "null",
                        "1e400", None]),
    "c_jsonb": ("jsonb", ['{"b": 1, "a": {"c": [1, 2.50, null]}, "u": "\\u00e9", "e": ""}', "[]", "{}", "null",
                          '"\\r\\n"', '[1e400, -0, 0.10]', None]),
    "c_int_arr": ("integer[]", ["{}", "{1,NULL,3}", "{{1,2},{3,4}}", "[0:2]={1,2,3}", None]),
    "c_text_arr": ("text[]", ["{}", '{"a,b",NULL,"q\\"uote","back\\\\slash"}', '{"",NULL}', '{"NULL"}',
                              '{"line\nbreak","crlf\r\nx"}', '{" spaced "}', '{"[x"}', '{{a,b},{c,NULL}}', None]),
    "c_num_arr": ("numeric[]", ["{NaN,1.50,-0}", "{}", "{NULL}", None]),
    "c_enum": ("mood", ["with space ", 'quo"te', "sad", None]),
    "c_enum_arr": ("mood[]", ["{}", '{sad,NULL,"with space "}', None]),
    "c_inet": ("inet", ["::ffff:1.2.3.4", "192.168.0.1/24", "2001:db8::1/64", "10.0.0.1", None]),
    "c_cidr": ("cidr", ["10.0.0.0/8", "2001:db8::/32", "192.168.1.0/24", None]),
    "c_mac": ("macaddr", ["08:00:2b:01:02:03", "ff:ff:ff:ff:ff:ff", None]),
    "c_mac8": ("macaddr8", ["08:00:2b:01:02:03:04:05", None]),
    "c_bytea": ("bytea", ["\\x", "\\x00ff0d0a0d", "\\x" + "ab" * 3000, None]),
    "c_int4range": ("int4range", ["empty", "[1,10)", "(,5)", "[3,)", None]),
    "c_numrange": ("numrange", ["(-Infinity,5]", "[1.50,2.5)", None]),
    "c_daterange": ("daterange", ["[2024-01-01,infinity)", "[0044-03-15 BC,2024-01-01)", None]),
    "c_tstzrange": ("tstzrange", ['["2024-01-01 00:00:00+00",)', "empty", None]),
    "c_bit": ("bit(5)", ["10101", "00000", None]),
    "c_varbit": ("bit varying", ["", "1", "0101010101", None]),
    "c_point": ("point", ["(1.5,-2)", "(0,0)", None]),
    "c_xml": ("xml", ["<a>  x  </a>\n", " <b/>", None]),
    "c_tsvector": ("tsvector", ["'a' 'b':1A", "", None]),
    "c_domain": ("padded", ["  padded domain  ", "multi\r\nline", None]),
}
NOTHING_CHANGED = "Nothing changed: row {row} of edge_values was left as it was."
EDGE_ROWS = max(len(values) for _, values in EDGES.values())
RANDOM_ROWS, SEED = 6, 20261202
ROWS = EDGE_ROWS + RANDOM_ROWS
_ALPHABET = "ab Z09 \t\n\r\r\n\x01\x1b\x7f\"'\\{}[],:;NULL ✓é\u00a0\u2028😀"
TYPES_DDL = """
create type mood as enum ('sad', 'ok', 'happy', 'with space ', 'quo"te');
create domain padded as text;
"""
Edges = dict[str, tuple[str, list[str | None]]]


def server_edges(db: Engine) -> Edges:
    """EDGES less the values this server cannot hold: numeric infinity is PostgreSQL 14+, and a server built
    without libxml (the embedded one) refuses every xml value; a column left with no value is left out."""
    edges: Edges = {}
    with db.connect() as conn:
        for name, (type_, values) in EDGES.items():
            held: list[str | None] = []
            for value in values:
                try:
                    conn.execute(text(f"select cast(:v as {type_})"), {"v": value})
                    held.append(value)
                except exc.DBAPIError:
                    conn.rollback()
            if any(v is not None for v in held):
                edges[name] = (type_, held)
    return edges


def _string(rnd: random.Random, longest: int) -> str:
    return "".join(rnd.choice(_ALPHABET) for _ in range(rnd.randint(0, longest)))[:longest]


def _quoted(item: str | None) -> str:
    return "NULL" if item is None else '"' + item.replace("\\", "\\\\").replace('"', '\\"') + '"'


def random_row(rnd: random.Random, edges: Edges) -> dict[str, str | None]:
    """One row: random troublesome strings where a column holds text, a random edge value elsewhere."""
    row = {name: rnd.choice(values) for name, (_, values) in edges.items()}
    items = [None if rnd.random() < 0.2 else _string(rnd, 8) for _ in range(rnd.randint(0, 4))]
    nested = {_string(rnd, 6): [_string(rnd, 6), rnd.randint(-9, 9), None, {"k": _string(rnd, 4)}]}
    row.update({
        "c_text": _string(rnd, 60), "c_varchar": _string(rnd, 40), "c_varchar_long": _string(rnd, 200),
        "c_char": _string(rnd, 6).rstrip(" "), "c_domain": _string(rnd, 30),
        "c_text_arr": "{" + ",".join(_quoted(i) for i in items) + "}",
        "c_json": rnd.choice(["", " ", "\n", "\r\n"]) + json.dumps(nested, ensure_ascii=rnd.random() < 0.5),
        "c_jsonb": json.dumps(nested, ensure_ascii=rnd.random() < 0.5),
    })
    return {name: value for name, value in row.items() if name in edges}


def fill(db: Engine) -> Edges:
    """Create and fill ``edge_values`` with a column per type, holding the edge values this server can hold;
    return those columns and values."""
    rnd = random.Random(SEED)
    with db.begin() as conn:
        conn.execute(text(TYPES_DDL))
    edges = server_edges(db)
    with db.begin() as conn:
        names = list(edges)
        casts = ", ".join(f"CAST(:{n} AS {edges[n][0]})" for n in names)
        columns = ", ".join(f"{name} {type_}" for name, (type_, _) in edges.items())
        conn.execute(text(f"create table edge_values (id integer primary key, {columns})"))
        for row in range(ROWS):
            values = ({n: edges[n][1][row % len(edges[n][1])] for n in names} if row < EDGE_ROWS
                      else random_row(rnd, edges))
            conn.execute(text(f"insert into edge_values (id, {', '.join(names)}) values (:id, {casts})"),
                         {"id": row + 1, **values})
    return edges


def state(db: Engine, row: int, edges: Edges) -> tuple[str, str, dict[str, str | None]]:
    """(xmin, row::text, each column's text output) with the session time zone fixed."""
    columns = ", ".join(f"CAST({n} AS text) AS {n}" for n in edges)
    with db.connect() as conn:
        conn.execute(text("set TimeZone = 'UTC'"))
        found = conn.execute(text(f"select xmin::text as xmin, e::text as whole, {columns} from edge_values e"
                                  " where id = :id"), {"id": row}).mappings().one()
    return found["xmin"], found["whole"], {n: found[n] for n in edges}
