"""Foreign-key autocomplete: search the referenced table's label column, 20 rows at most.

The label is the column a person recognises a row by: a name-like text column, else an e-mail,
else a unique text column, else the referenced key itself. The query is ``LIMIT 20`` with a
statement timeout: the referenced table is never loaded whole.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, text

from pgadmin_py.catalog.tables import ForeignKey, TableInfo, read_table
from pgadmin_py.core.errors import NotFound
from pgadmin_py.records import sql

LIMIT = 20
TEXTISH = {"text", "varchar", "bpchar", "citext", "name"}
LABEL_NAMES = ("name", "full_name", "display_name", "title", "label", "username", "email", "ticker", "code")


@dataclass(frozen=True, slots=True)
class FkOption:
    value: str
    label: str


@dataclass(frozen=True, slots=True)
class FkOptions:
    fk: ForeignKey
    column: str  # the FK column of the edited table
    label_column: str
    query: str
    options: tuple[FkOption, ...]


def single_column_fk(info: TableInfo, column: str) -> ForeignKey:
    fk = next((f for f in info.foreign_keys if f.columns == (column,)), None)
    if fk is None:
        raise NotFound(f'{info.schema}.{info.name}.{column} is not a single-column foreign key.',
                       "Only foreign-key columns offer a search.")
    return fk


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
    fk = single_column_fk(info, column)
    with engine.connect() as conn:
        ref = read_table(conn, fk.ref_schema, fk.ref_table)
        label = label_column(ref, fk.ref_columns[0])
        key, lbl = sql.quote(fk.ref_columns[0]), sql.quote(label)
        needle = q.strip()[:200].replace("\x00", "")
        pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where = f"WHERE CAST({lbl} AS text) ILIKE :pattern OR CAST({key} AS text) = :exact" if needle else ""
        rows = conn.execute(text(
            f"SELECT CAST({key} AS text) AS value, CAST({lbl} AS text) AS label FROM {sql.relation(ref)} "
            f"{where} ORDER BY CAST({key} AS text) = :exact DESC, {lbl} LIMIT {LIMIT}"),
            {"pattern": pattern, "exact": needle}).all()
    options = tuple(FkOption(str(r.value), "" if r.label is None else str(r.label)) for r in rows)
    return FkOptions(fk, column, label, needle, options)
