"""SQL text for row writes: identifiers from the catalog, quoted; every value a bound, cast parameter.

Values travel as text and PostgreSQL casts them to the column's catalog type (``format_type``), so
parsing is the server's and a round trip is exact. Pure functions: unit-tested without a database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pgadmin_py.catalog.tables import Column, TableInfo
from pgadmin_py.forms import DEFAULT, SqlValue

VERSION_LABEL = "__version"
# Text output that does not depend on the server's or the role's settings.
SESSION_SETTINGS = ("select set_config('TimeZone', 'UTC', true), set_config('DateStyle', 'ISO, YMD', true), "
                    "set_config('IntervalStyle', 'postgres', true), set_config('bytea_output', 'hex', true), "
                    "set_config('extra_float_digits', '1', true)")


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def relation(info: TableInfo) -> str:
    return f"{quote(info.schema)}.{quote(info.name)}"


def cast(param: str, column: Column) -> str:
    return f"CAST(:{param} AS {column.type_name})"


def key_condition(info: TableInfo, key: Sequence[str], prefix: str = "k", alias: str | None = None) -> tuple[
        str, dict[str, str]]:
    """``"a" = CAST(:k0 AS int) AND ...`` for one primary-key value."""
    own = f"{alias}." if alias else ""
    parts, params = [], {}
    for i, (name, value) in enumerate(zip(info.primary_key, key, strict=True)):
        parts.append(f"{own}{quote(name)} = {cast(f'{prefix}{i}', info.column(name))}")
        params[f"{prefix}{i}"] = value
    return "(" + " AND ".join(parts) + ")", params


def keys_condition(info: TableInfo, keys: Sequence[Sequence[str]], alias: str | None = None) -> tuple[
        str, dict[str, str]]:
    """Any of several primary-key values (a bulk delete)."""
    parts, params = [], {}
    for n, key in enumerate(keys):
        cond, p = key_condition(info, key, prefix=f"k{n}_", alias=alias)
        parts.append(cond)
        params.update(p)
    return "(" + (" OR ".join(parts) or "false") + ")", params


def read_expression(column: Column) -> str:
    """How a column is read for a form: as text (arrays: text[]; jsonb: pretty-printed)."""
    name = quote(column.name)
    if column.is_array:
        return f"CAST({name} AS text[])"
    if column.base_type == "jsonb":
        return f"jsonb_pretty({name})"
    return f"CAST({name} AS text)"


def bounded_array(column: Column) -> str:
    """An array's PostgreSQL literal when its subscripts do not start at 1 (``[0:2]={1,2,3}``), else NULL:
    read as a list, its bounds would be lost."""
    name = quote(column.name)
    return f"CASE WHEN CAST({name} AS text) LIKE '[%' THEN CAST({name} AS text) END"


def select_row(info: TableInfo, key: Sequence[str], version_column: str | None, *, lock: bool = False) -> tuple[
        str, dict[str, str]]:
    """The row's version and each column ``c<i>`` as text; an array with other bounds also as ``b<i>``."""
    cond, params = key_condition(info, key)
    version = f"CAST({quote(version_column)} AS text)" if version_column else "CAST(xmin AS text)"
    columns = ", ".join([f"{read_expression(c)} AS c{i}" for i, c in enumerate(info.columns)]
                        + [f"{bounded_array(c)} AS b{i}" for i, c in enumerate(info.columns) if c.is_array])
    sql = f"SELECT {version} AS {VERSION_LABEL}, {columns} FROM {relation(info)} WHERE {cond}"
    return sql + (" FOR UPDATE" if lock else ""), params


def _returning(info: TableInfo) -> str:
    return ", ".join(f"CAST({quote(c)} AS text)" for c in info.primary_key)


def _value_sql(param: str, column: Column, value: SqlValue, params: dict[str, str]) -> str:
    if value is DEFAULT:
        return "DEFAULT"
    if value is None:
        return "NULL"
    assert isinstance(value, str)
    params[param] = value
    return cast(param, column)


def insert(info: TableInfo, values: Mapping[str, SqlValue]) -> tuple[str, dict[str, str]]:
    params: dict[str, str] = {}
    names, exprs = [], []
    for i, (name, value) in enumerate(values.items()):
        names.append(quote(name))
        exprs.append(_value_sql(f"v{i}", info.column(name), value, params))
    body = f"({', '.join(names)}) VALUES ({', '.join(exprs)})" if names else "DEFAULT VALUES"
    returning = f" RETURNING {_returning(info)}" if info.primary_key else ""  # a table without a key returns nothing
    return f"INSERT INTO {relation(info)} {body}{returning}", params


def update(info: TableInfo, key: Sequence[str], values: Mapping[str, SqlValue],
           version_column: str | None = None, version_increment: bool = False) -> tuple[str, dict[str, str]]:
    cond, params = key_condition(info, key)
    sets = [f"{quote(name)} = {_value_sql(f'v{i}', info.column(name), value, params)}"
            for i, (name, value) in enumerate(values.items()) if name != version_column]
    if version_column and version_increment:
        sets.append(f"{quote(version_column)} = {quote(version_column)} + 1")
    if not sets:  # nothing writable: touch the row so the version still moves
        first = info.primary_key[0]
        sets.append(f"{quote(first)} = {quote(first)}")
    return f"UPDATE {relation(info)} SET {', '.join(sets)} WHERE {cond} RETURNING {_returning(info)}", params
