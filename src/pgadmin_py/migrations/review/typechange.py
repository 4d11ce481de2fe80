"""ALTER COLUMN ... TYPE: binary-coercible changes are metadata only; the rest rewrite the table, may fail on
values that do not convert, or silently change values (rounding, truncation)."""

from __future__ import annotations

from pglast import ast

from pgadmin_py.catalog import impact
from pgadmin_py.catalog.impact import ColumnFact, TableFact
from pgadmin_py.migrations.review import fixes, words
from pgadmin_py.migrations.review.assess import Assessment, at_this_size, by_size, names
from pgadmin_py.migrations.review.context import Context
from pgadmin_py.migrations.review.datachecks import CAST_SAMPLE
from pgadmin_py.migrations.review.model import Finding, Link, Severity
from pgadmin_py.migrations.review.statements import Statement

_PRECISION_TYPES = frozenset({"timestamp", "timestamptz", "time", "timetz", "interval"})
_UNLIMITED_SAFE = frozenset({"varchar", "numeric", "varbit"}) | _PRECISION_TYPES


def _typmods(type_name: ast.TypeName) -> list[int]:
    out = []
    for mod in type_name.typmods or ():
        if isinstance(mod, ast.A_Const) and isinstance(mod.val, ast.Integer) and mod.val.ival is not None:
            out.append(int(mod.val.ival))
    return out


def _same_type_safe(column: ColumnFact, mods: list[int]) -> bool:
    """Same type, a limit that does not shrink: varchar(n) -> varchar(m >= n), numeric(p, s) -> numeric(p' >= p, s),
    timestamp(3) -> timestamp(6), or dropping the limit."""
    base = column.base_name
    if not mods:
        return base in _UNLIMITED_SAFE or column.typmod == -1
    if base == "varchar":
        return column.length is not None and mods[0] >= column.length
    if base == "numeric":
        old = column.numeric
        return old is not None and (mods[1] if len(mods) > 1 else 0) == old[1] and mods[0] >= old[0]
    if base in _PRECISION_TYPES:
        return column.typmod != -1 and mods[0] >= column.typmod
    return False


def no_rewrite(ctx: Context, column: ColumnFact, target: int, mods: list[int]) -> bool:
    if target == column.type_oid:
        return _same_type_safe(column, mods)
    found = impact.cast(ctx.conn, column.type_oid, target)
    return found is not None and found[1] == "b" and not mods  # binary coercible to an unlimited type


def assignable(ctx: Context, column: ColumnFact, target: int, category: str) -> bool:
    """Can ALTER ... TYPE convert without USING (an implicit or assignment cast, or I/O to a string type)?"""
    if target == column.type_oid or category == "S":
        return True
    found = impact.cast(ctx.conn, column.type_oid, target)
    return found is not None and found[0] in ("i", "a")


def _casts_column(using: ast.Node | None, column: str) -> bool:
    """USING is absent, ``col``, ``col::type`` or ``CAST(col AS type)``: a conversion we can test ourselves."""
    if using is None:
        return True
    inner = using.arg if isinstance(using, ast.TypeCast) else using
    return isinstance(inner, ast.ColumnRef) and names(inner.fields) == [column]


def alter_type(ctx: Context, stmt: Statement, node: ast.AlterTableStmt, cmd: ast.AlterTableCmd, table: TableFact,
               out: Assessment) -> str:
    coldef = cmd.def_
    assert isinstance(coldef, ast.ColumnDef)
    name = cmd.name or ""
    column = None if (table.oid, name) in ctx.state.added_columns else table.column(name)
    if column is None or coldef.typeName is None:
        return "metadata only"
    target_text = fixes.sql_of(coldef.typeName)
    target = impact.find_type(ctx.conn, target_text)
    if target is None:
        out.impact.append(f"The type {target_text} does not exist yet (created by this plan?): not checked.")
        return "rewrites the table unless the change is binary coercible"
    mods = _typmods(coldef.typeName)
    using = coldef.raw_default
    # the target type reaches a data check only as a name with integer modifiers, re-printed by the parser
    testable = _casts_column(using, name) and len(mods) == len(coldef.typeName.typmods or ())
    change = f"{column.type_name} → {target_text}"
    if testable and no_rewrite(ctx, column, target.oid, mods):
        return f"metadata only ({change} is binary coercible: no rewrite, no scan)"
    subject = words.shown(table.schema, table.name)
    if using is None and not assignable(ctx, column, target.oid, target.category):
        out.add(Finding(
            "changing-column-type", Severity.ERROR,
            f"There is no automatic cast {change}",
            f"PostgreSQL converts {column.type_name} to {target_text} only when told how: the statement stops with "
            f"'column \"{name}\" cannot be cast automatically'.",
            "Say how with USING (Alembic: postgresql_using=...).",
            fixes.execute(f"{stmt.text} USING {words.ident(name)}::{target_text}")))
        return "fails"
    expression = fixes.sql_of(using) if using is not None else f"{words.ident(name)}::{target_text}"
    new = f"{name}_new"[:63]
    target_table = words.qualified(table.schema, table.name)
    out.add(Finding(
        "changing-column-type", by_size(ctx, table),
        f"Rewrites {ctx.sized(table)} under ACCESS EXCLUSIVE",
        f"{change} is not binary coercible: every row is rewritten and the table's indexes rebuilt while reads and "
        f"writes of {subject} wait.{at_this_size(ctx, table)}",
        "Add a new column, fill it in batches while the application writes both, then swap the names.",
        "\n".join([
            fixes.execute(f"ALTER TABLE {target_table} ADD COLUMN {words.ident(new)} {target_text}", "metadata only"),
            fixes.backfill(table.schema, table.name, new, expression).replace(
                f"{words.ident(new)} IS NULL", f"{words.ident(new)} IS NULL AND {words.ident(name)} IS NOT NULL"),
            "# once the application reads the new column:",
            f"op.alter_column({fixes.py(table.name)}, {fixes.py(name)}, new_column_name={fixes.py(name + '_old')})",
            f"op.alter_column({fixes.py(table.name)}, {fixes.py(new)}, new_column_name={fixes.py(name)})",
        ])))
    if not testable:
        out.impact.append("The USING expression is not run against the data here: test it on a copy.")
        return "rewrites the table"
    # text parsed into a typed value is compared as that type ('1.5' and 1.50 are the same number)
    compare = target.unmodified if column.category == "S" and target.category != "S" else None
    _check_values(ctx, table, column, name, target_text, change, using is not None, compare, out)
    return "rewrites the table"


def _check_values(ctx: Context, table: TableFact, column: ColumnFact, name: str, target_text: str, change: str,
                  explicit: bool, compare_as: str | None, out: Assessment) -> None:
    found = ctx.checks.cast_sample(table, name, column.type_name, target_text, explicit=explicit,
                                   compare_as=compare_as)
    sample = found.value
    if not found.ok or sample is None:
        out.impact.append(f"Conversion check {found.problem}.")
        return
    subject = words.shown(table.schema, table.name)
    where = "sampled" if sample.sampled >= CAST_SAMPLE else f"of {name}"
    scope = f"of the {words.plural(sample.sampled, 'non-null value')} {where}"
    if sample.failed:
        out.add(Finding(
            "type-change-uncastable", Severity.ERROR,
            f"{sample.failed:,} {scope} cannot become {target_text} (first: {sample.first_value!r})",
            f"{sample.first_error}. One such value stops the migration, which rolls back.",
            "Clean those values first (or convert them in USING, e.g. with NULLIF or a CASE).",
            "",
            (Link(f"{name} = {sample.first_value}", table.schema, table.name, ((f"{name}__eq", sample.first_value),)),)
            if sample.first_value is not None else ()))
    if sample.changed:
        out.add(Finding(
            "type-change-loses-values", Severity.DANGER,
            f"{sample.changed:,} {scope} change ({sample.change_from} becomes {sample.change_to})",
            f"{change} rounds or truncates them; the original values of {subject}.{name} are gone after the commit.",
            "Keep the old column until the new values are checked (add a new column instead of converting), or "
            "widen the target type.",
            ""))
    if not sample.failed and not sample.changed:
        out.impact.append(f"Checked: all {words.plural(sample.sampled, 'non-null value')} of {name} convert to "
                          f"{target_text} unchanged.")
