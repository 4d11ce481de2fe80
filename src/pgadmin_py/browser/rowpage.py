"""One row in full, its foreign-key links and the rows of other tables that point at it."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg import sql

from pgadmin_py.browser import query as q
from pgadmin_py.browser.model import Cell, ColumnView, Link, Reference, RowPage
from pgadmin_py.catalog.tables import ForeignKey, TableInfo
from pgadmin_py.core.errors import NotFound
from pgadmin_py.core.pk import InvalidKey, decode_pk, encode_pk

if TYPE_CHECKING:
    from pgadmin_py.browser.service import Described

REFERENCE_TIMEOUT_MS = 2_000
REFERENCE_CAP = 10_000


def read_row(raw: psycopg.Connection[Any], described: Described, views: tuple[ColumnView, ...],
             segment: str) -> RowPage:
    """The row addressed by ``segment`` (tilde-encoded key), on ``raw`` (autocommit)."""
    table = described.table
    pk, values = _fetch(raw, described, segment)
    references = _references(raw, table, values)
    links = {fk.columns[0]: fk_link(fk, values, described.ref_pks.get((fk.ref_schema, fk.ref_table), ()))
             for fk in table.foreign_keys}
    fields = tuple((v, Cell(values[v.name], False, links.get(v.name)), _pretty(v.kind, values[v.name]))
                   for v in views)
    reason = None if table.is_table else f"read-only: this is a {table.kind}"
    return RowPage(table, pk, encode_pk(pk), fields, tuple(references), reason)


def read_cell(raw: psycopg.Connection[Any], described: Described, views: tuple[ColumnView, ...], segment: str,
              column: str) -> tuple[ColumnView, Cell]:
    """One cell of the row as a table page shows it (its text, its foreign-key link): an inline edit's answer."""
    table = described.table
    view = next((v for v in views if v.name == column), None)
    if view is None:
        raise NotFound(f'{table.schema}.{table.name} has no column "{column[:60]}".', "Reload the table.")
    _, values = _fetch(raw, described, segment)
    fk = next((fk for fk in table.foreign_keys if fk.columns[0] == column), None)
    link = fk_link(fk, values, described.ref_pks.get((fk.ref_schema, fk.ref_table), ())) if fk else None
    return view, Cell(values[column], False, link)


def _fetch(raw: psycopg.Connection[Any], described: Described, segment: str) -> tuple[
        tuple[str, ...], dict[str, str | None]]:
    """The key and every column's text of the row ``segment`` addresses; NotFound when there is none."""
    table = described.table
    if not table.primary_key:
        raise NotFound(f"{table.schema}.{table.name} has no primary key, so its rows have no address.",
                       "Browse the table and filter it instead.")
    try:
        pk = decode_pk(segment, len(table.primary_key))
    except InvalidKey as exc:
        raise NotFound(f"{exc}.", "Open the row from the table instead.") from None
    if any("\x00" in v for v in pk):
        raise NotFound("A primary key value cannot contain a NUL character.", "Open the row from the table.")
    cols = sql.SQL(", ").join(sql.SQL("{}::text").format(sql.Identifier(c.name)) for c in table.columns)
    key = sql.SQL(" AND ").join(sql.SQL("{} = {}").format(sql.Identifier(n), sql.Placeholder())
                                for n in table.primary_key)
    stmt = sql.SQL("SELECT {} FROM {} WHERE {}").format(cols, q.table_ident(table), key)
    where = f"{table.schema}.{table.name}"
    missing = NotFound(f"There is no row with {_describe_key(table.primary_key, pk)} in {where}.",
                       "It may have been deleted; go back to the table.")
    try:
        with raw.cursor() as cur:
            cur.execute(stmt, list(pk))
            found = cur.fetchone()
    except psycopg.errors.DataError:  # "abc" for an integer key: no such row
        raise missing from None
    if found is None:
        raise missing
    return pk, dict(zip(table.column_names, found, strict=True))


def _references(raw: psycopg.Connection[Any], table: TableInfo, values: dict[str, str | None]) -> list[Reference]:
    """Per incoming FK: how many rows point here (capped, under a short timeout of its own)."""
    out: list[Reference] = []
    for fk in table.referenced_by:
        ref_values = [values.get(c) for c in fk.ref_columns]
        filters = tuple((f"{c}__eq", v or "") for c, v in zip(fk.columns, ref_values, strict=True))
        if any(v is None for v in ref_values):
            out.append(Reference(fk, 0, False, filters))
            continue
        cond = sql.SQL(" AND ").join(sql.SQL("{} = {}").format(sql.Identifier(c), sql.Placeholder())
                                     for c in fk.columns)
        stmt = sql.SQL("SELECT count(*) FROM (SELECT 1 FROM {} WHERE {} LIMIT {}) AS x").format(
            sql.Identifier(fk.schema, fk.table), cond, sql.Literal(REFERENCE_CAP + 1))
        try:
            with raw.transaction(), raw.cursor() as cur:
                cur.execute("select set_config('statement_timeout', %s, true)", [str(REFERENCE_TIMEOUT_MS)])
                cur.execute(stmt, ref_values)
                found = cur.fetchone()
            n = int(found[0]) if found else 0
            out.append(Reference(fk, min(n, REFERENCE_CAP), n > REFERENCE_CAP, filters))
        except psycopg.errors.QueryCanceled:
            out.append(Reference(fk, None, False, filters))
    return out


def fk_link(fk: ForeignKey, values: dict[str, str | None], ref_pk: tuple[str, ...]) -> Link | None:
    """Where the value(s) of ``fk`` in a row lead; None when one of them is NULL."""
    vals = [values.get(c) for c in fk.columns]
    if any(v is None for v in vals):
        return None
    mapping = dict(zip(fk.ref_columns, vals, strict=True))
    if ref_pk and set(ref_pk) == set(fk.ref_columns):
        return Link(fk.ref_schema, fk.ref_table, tuple(str(mapping[c]) for c in ref_pk), ())
    return Link(fk.ref_schema, fk.ref_table, None, tuple((f"{c}__eq", str(v)) for c, v in mapping.items()))


def _pretty(kind: str, value: str | None) -> str | None:
    if kind != "json" or value is None:
        return None
    try:
        return json.dumps(json.loads(value), indent=2, ensure_ascii=False)
    except ValueError:
        return None


def _describe_key(names: tuple[str, ...], values: tuple[str, ...]) -> str:
    return ", ".join(f"{n} = {v[:60]!r}" for n, v in zip(names, values, strict=True))
