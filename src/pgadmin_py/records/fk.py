"""Foreign-key autocomplete: search the referenced table's key and label columns, 20 rows at most.

The label is the column a person recognises a row by: a name-like text column, else an e-mail,
else a unique text column, else the referenced key itself. Typing part of the label or of a text key
finds the row; a numeric key is found by its exact value (through its index) or by the start of its
digits. The query is ``LIMIT 20`` with a statement timeout: the referenced table is never loaded whole.
A composite foreign key is searched from its first column; each option carries the values of all its columns.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from sqlalchemy import Engine, text

from pgadmin_py.catalog.tables import Column, ForeignKey, TableInfo, read_table
from pgadmin_py.core.errors import NotFound
from pgadmin_py.forms import field_name, searched_fk
from pgadmin_py.records import sql

LIMIT = 20
TEXTISH = {"text", "varchar", "bpchar", "citext", "name"}
LABEL_NAMES = ("name", "full_name", "display_name", "title", "label", "username", "email", "ticker", "code")


@dataclass(frozen=True, slots=True)
class FkOption:
    values: tuple[str, ...]  # one per FK column, in the FK's order
    label: str
    row_key: tuple[str, ...] | None  # the referenced row's primary key (its URL), when the FK targets it
    filters: tuple[tuple[str, str], ...]  # else the referenced table filtered on the FK's columns
    fill: dict[str, str]  # a composite key's other form fields (field name -> value), filled on a pick

    @property
    def value(self) -> str:
        return self.values[0]


@dataclass(frozen=True, slots=True)
class FkOptions:
    fk: ForeignKey
    column: str  # the FK column of the edited table
    label_column: str
    query: str
    options: tuple[FkOption, ...]




def label_column(ref: TableInfo, ref_column: str) -> str:
    texts = [c for c in ref.columns if c.base_type in TEXTISH and not c.is_array]
    for wanted in LABEL_NAMES:
        for col in texts:
            if col.name.lower() == wanted:
                return col.name
    unique = {cols[0] for cols in ref.unique_constraints if len(cols) == 1}
    unique |= {i.columns[0] for i in ref.indexes if i.unique and len(i.columns) == 1}
    for col in texts:
        if col.name in unique:
            return col.name
    return ref_column


INT_RANGE = {"int2": 2**15, "int4": 2**31, "int8": 2**63}
DIGITS = re.compile(r"-?[0-9]{1,20}")


def _typed_exact(col: Column, needle: str) -> bool:
    """Whether ``needle`` is a value of the key column's own type, so ``key = CAST(:exact AS type)`` can use
    its index: any text for a text key, an in-range integer for an integer key, a UUID for a uuid key."""
    if col.is_array or not needle:
        return False
    if col.base_type in TEXTISH:
        return True
    if col.base_type in INT_RANGE:
        bound = INT_RANGE[col.base_type]
        return DIGITS.fullmatch(needle) is not None and -bound <= int(needle) < bound
    if col.base_type == "uuid":
        try:
            uuid.UUID(needle)
        except ValueError:
            return False
        return True
    return False


def _matches(ref: TableInfo, fk: ForeignKey, label: str, needle: str) -> list[str]:
    """The fuzzy conditions: part of the label or of a text key (ILIKE on the bare column, so a trigram index
    can serve it), the start of another key's text (an integer key only for digits)."""
    conditions = []
    for name in dict.fromkeys((label, *fk.ref_columns)):
        col = ref.column(name)
        if col.base_type in TEXTISH and not col.is_array:
            conditions.append(f"{sql.quote(name)} ILIKE :pattern")
        elif col.base_type not in INT_RANGE or DIGITS.fullmatch(needle):
            conditions.append(f"CAST({sql.quote(name)} AS text) LIKE :prefix")
    return conditions


def search_query(ref: TableInfo, fk: ForeignKey, label: str, needle: str) -> tuple[str, dict[str, str]]:
    """The search's SQL and parameters: rows ``(rank, label, key values...)``, or without ``rank`` for an
    empty ``needle`` (the first rows by label)."""
    key_col = ref.column(fk.ref_columns[0])
    lbl = sql.quote(label)
    picked = f"CAST({lbl} AS text) AS label, " + ", ".join(f"CAST({sql.quote(c)} AS text)" for c in fk.ref_columns)
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    params = {"pattern": f"%{escaped}%", "prefix": f"{escaped}%", "exact": needle}
    if not needle:
        return f"SELECT {picked} FROM {sql.relation(ref)} ORDER BY {lbl} LIMIT {LIMIT}", params
    parts = [f"(SELECT 1 AS rank, {picked} FROM {sql.relation(ref)} "
             f"WHERE {' OR '.join(_matches(ref, fk, label, needle))} ORDER BY {lbl} LIMIT {LIMIT})"]
    if _typed_exact(key_col, needle):  # a built-in type without its length: varchar(3) would cut the needle
        typ = key_col.type_name if key_col.base_type == "citext" else key_col.base_type
        parts.insert(0, f"(SELECT 0 AS rank, {picked} FROM {sql.relation(ref)} "
                        f"WHERE {sql.quote(key_col.name)} = CAST(:exact AS {typ}) LIMIT {LIMIT})")
    return f"SELECT m.* FROM ({' UNION ALL '.join(parts)}) m ORDER BY m.rank, m.label", params


def search(engine: Engine, info: TableInfo, column: str, q: str) -> FkOptions:
    """The referenced rows whose key or label holds ``q``, at most :data:`LIMIT`.

    Two parameterized branches: the key equal to ``q`` in the key's own type (its index finds it; shown
    first), then rows whose label or text key holds ``q`` or whose other key's text starts with it,
    ordered by label. Identifiers come from the catalog, quoted; LIKE's own signs in ``q`` are escaped.
    """
    fk = searched_fk(info, column)  # the same rule that put the search on the form
    if fk is None:
        raise NotFound(f'{info.schema}.{info.name}.{column} is not the first column of a foreign key.',
                       "Only foreign-key columns offer a search.")
    needle = q.strip()[:200].replace("\x00", "")
    with engine.connect() as conn:
        ref = read_table(conn, fk.ref_schema, fk.ref_table)
        label = label_column(ref, fk.ref_columns[0])
        query, params = search_query(ref, fk, label, needle)
        found = conn.execute(text(query), params).all()
    width = len(fk.ref_columns)
    seen: set[tuple[str, ...]] = set()
    rows = []
    for r in found:  # the exact key also matches the second branch: once, first
        if (values := tuple(r[-width:])) not in seen:
            seen.add(values)
            rows.append(r)
    # the referenced row's URL needs its primary key: the FK's values reordered, when the FK targets the key
    to_pk = [fk.ref_columns.index(c) for c in ref.primary_key] if fk.targets_pk else None
    options = []
    for r in rows[:LIMIT]:
        values = tuple("" if v is None else str(v) for v in r[-width:])
        row_key = tuple(values[i] for i in to_pk) if to_pk is not None else None
        options.append(FkOption(values, "" if r.label is None else str(r.label), row_key,
                                tuple((f"{c}__eq", v) for c, v in zip(fk.ref_columns, values, strict=True)),
                                {field_name(c): v for c, v in zip(fk.columns[1:], values[1:], strict=True)}))
    return FkOptions(fk, column, label, needle, tuple(options))
