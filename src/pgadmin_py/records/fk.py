"""Foreign-key autocomplete: search the referenced table's label column, 20 rows at most.

The label is the column a person recognises a row by: a name-like text column, else an e-mail,
else a unique text column, else the referenced key itself. The query is ``LIMIT 20`` with a
statement timeout: the referenced table is never loaded whole. A composite foreign key is searched
from its first column; each option carries the values of all its columns.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, text

from pgadmin_py.catalog.tables import ForeignKey, TableInfo, read_table
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


def search(engine: Engine, info: TableInfo, column: str, q: str) -> FkOptions:
    fk = searched_fk(info, column)  # the same rule that put the search on the form
    if fk is None:
        raise NotFound(f'{info.schema}.{info.name}.{column} is not the first column of a foreign key.',
                       "Only foreign-key columns offer a search.")
    with engine.connect() as conn:
        ref = read_table(conn, fk.ref_schema, fk.ref_table)
        label = label_column(ref, fk.ref_columns[0])
        key, lbl = sql.quote(fk.ref_columns[0]), sql.quote(label)
        keys = ", ".join(f"CAST({sql.quote(c)} AS text)" for c in fk.ref_columns)
        needle = q.strip()[:200].replace("\x00", "")
        pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where = f"WHERE CAST({lbl} AS text) ILIKE :pattern OR CAST({key} AS text) = :exact" if needle else ""
        rows = conn.execute(text(
            f"SELECT CAST({lbl} AS text) AS label, {keys} FROM {sql.relation(ref)} "
            f"{where} ORDER BY CAST({key} AS text) = :exact DESC, {lbl} LIMIT {LIMIT}"),
            {"pattern": pattern, "exact": needle}).all()
    # the referenced row's URL needs its primary key: the FK's values reordered, when the FK targets the key
    to_pk = [fk.ref_columns.index(c) for c in ref.primary_key] if fk.targets_pk else None
    options = []
    for r in rows:
        values = tuple("" if v is None else str(v) for v in r[1:])
        row_key = tuple(values[i] for i in to_pk) if to_pk is not None else None
        options.append(FkOption(values, "" if r.label is None else str(r.label), row_key,
                                tuple((f"{c}__eq", v) for c, v in zip(fk.ref_columns, values, strict=True)),
                                {field_name(c): v for c, v in zip(fk.columns[1:], values[1:], strict=True)}))
    return FkOptions(fk, column, label, needle, tuple(options))
