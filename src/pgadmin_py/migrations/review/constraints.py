"""ALTER TABLE ... ADD CONSTRAINT and VALIDATE CONSTRAINT: foreign keys, checks, unique and primary keys."""

from __future__ import annotations

from pglast import ast, enums

from pgadmin_py.catalog.impact import TableFact
from pgadmin_py.migrations.review import fixes, locks, words
from pgadmin_py.migrations.review.assess import Assessment, at_this_size, by_size, names
from pgadmin_py.migrations.review.context import Context
from pgadmin_py.migrations.review.datachecks import Duplicates
from pgadmin_py.migrations.review.model import Finding, Link, Severity
from pgadmin_py.migrations.review.statements import Statement

C = enums.ConstrType


def _name(con: ast.Constraint, table: TableFact, columns: list[str], suffix: str) -> str:
    """The constraint's name, or the one PostgreSQL would give it (``orders_customer_id_fkey``)."""
    if con.conname:
        return con.conname
    return "_".join([table.name, *([] if suffix == "pkey" else columns), suffix])[:63]


def add_constraint(ctx: Context, stmt: Statement, node: ast.AlterTableStmt, cmd: ast.AlterTableCmd,
                   con: ast.Constraint, table: TableFact, out: Assessment) -> tuple[str | None, str]:
    if con.contype == C.CONSTR_FOREIGN:
        return locks.SHARE_ROW_EXCLUSIVE, _foreign_key(ctx, stmt, node, cmd, con, table, out)
    if con.contype == C.CONSTR_CHECK:
        name = _name(con, table, [], "check")
        proves = _not_null_column(con.raw_expr)
        if proves is not None:  # CHECK (col IS NOT NULL): lets a later SET NOT NULL skip its scan once valid
            if con.skip_validation:
                ctx.state.not_null_checks[(table.oid, name)] = proves
            else:
                ctx.state.proven_not_null.add((table.oid, proves))
        if con.skip_validation:
            ctx.state.not_valid.add((table.oid, name))
            return locks.ACCESS_EXCLUSIVE, "no scan (NOT VALID: existing rows are checked by a later VALIDATE)"
        out.add(Finding(
            "constraint-missing-not-valid", by_size(ctx, table),
            f"Scans {ctx.sized(table)} under ACCESS EXCLUSIVE",
            f"Every existing row is checked while reads and writes of {table.name} wait.{at_this_size(ctx, table)}",
            "Add the constraint NOT VALID (new rows are checked at once), then VALIDATE it in its own transaction: "
            "that scan takes SHARE UPDATE EXCLUSIVE, so reads and writes go on.",
            fixes.not_valid_then_validate(node, cmd, name)))
        return locks.ACCESS_EXCLUSIVE, "scans every row"
    if con.contype in (C.CONSTR_UNIQUE, C.CONSTR_PRIMARY):
        return locks.ACCESS_EXCLUSIVE, _unique(ctx, stmt, con, table, out)
    return locks.ACCESS_EXCLUSIVE, "metadata only"


def _foreign_key(ctx: Context, stmt: Statement, node: ast.AlterTableStmt, cmd: ast.AlterTableCmd,
                 con: ast.Constraint, table: TableFact, out: Assessment) -> str:
    columns = names(con.fk_attrs)
    parent = ctx.table(con.pktable)
    name = _name(con, table, columns, "fkey")
    if parent is not None:
        out.lock(parent, locks.SHARE_ROW_EXCLUSIVE)
    if con.skip_validation:
        ctx.state.not_valid.add((table.oid, name))
        also = f", and on {words.shown(parent.schema, parent.name)} for a moment" if parent is not None else ""
        return f"no scan (NOT VALID: existing rows are checked by a later VALIDATE){also}"
    parent_label = words.shown(parent.schema, parent.name) if parent else (con.pktable.relname if con.pktable else "?")
    out.add(Finding(
        "adding-foreign-key-constraint", by_size(ctx, table),
        f"Validates every row of {ctx.sized(table)} under SHARE ROW EXCLUSIVE on "
        f"{words.shown(table.schema, table.name)} and {parent_label}",
        f"Writes to both tables wait until every row has been checked against {parent_label}."
        f"{at_this_size(ctx, table)}",
        "Add the foreign key NOT VALID (new rows are checked at once), then VALIDATE it in its own transaction "
        "(SHARE UPDATE EXCLUSIVE: reads and writes go on).",
        fixes.not_valid_then_validate(node, cmd, name)))
    if parent is None:
        return "scans every row"
    parent_columns = names(con.pk_attrs) or list(parent.primary_key)
    if len(parent_columns) != len(columns) or any(table.column(c) is None for c in columns):
        return "scans every row"
    found = ctx.checks.orphans(table, columns, parent, parent_columns)
    if found.ok and found.value is not None and found.value.rows:
        orphans = found.value
        key = ", ".join(columns)
        out.add(Finding(
            "foreign-key-over-orphans", Severity.ERROR,
            f"{words.plural(orphans.rows, 'row')} of {words.shown(table.schema, table.name)} have a {key} "
            f"with no row in {parent_label} today",
            f"The constraint cannot be validated over them; the migration stops and rolls back. For example: "
            f"{', '.join('(' + ', '.join(str(v) for v in e) + ')' for e in orphans.examples)}.",
            "Delete those rows, point them at an existing parent, or set the key to NULL first; or add the "
            "constraint NOT VALID (new rows are checked) and clean up before VALIDATE.",
            "",
            tuple(Link(f"{key} = {', '.join(str(v) for v in e)}", table.schema, table.name,
                       tuple((f"{c}__eq", str(v)) for c, v in zip(columns, e, strict=True)))
                  for e in orphans.examples if all(v is not None for v in e))))
    out.impact.append(f"Checked: every {', '.join(columns)} has its row in {parent_label}." if found.ok
                      and found.value is not None and not found.value.rows else
                      f"Orphan check {found.problem}." if not found.ok else "")
    return "scans every row"


def duplicates_finding(table: TableFact, columns: list[str], dupes: Duplicates, what: str) -> Finding:
    key = ", ".join(columns)
    return Finding(
        "unique-over-duplicates", Severity.ERROR,
        f"{words.plural(dupes.groups, 'value')} of {key} appear more than once in "
        f"{words.shown(table.schema, table.name)} ({words.plural(dupes.rows, 'row')})",
        f"{what} cannot be built over duplicates; the migration stops and rolls back.",
        "Merge or delete the duplicates first (or make the key wider).",
        "",
        tuple(Link(f"{key} = {', '.join(str(v) for v in e)}", table.schema, table.name,
                   tuple((f"{c}__eq", str(v)) for c, v in zip(columns, e, strict=True)))
              for e in dupes.examples if all(v is not None for v in e)))


def check_duplicates(ctx: Context, table: TableFact, columns: list[str], out: Assessment, what: str, *,
                     nulls_distinct: bool = True) -> None:
    if not columns or any(table.column(c) is None for c in columns):
        return
    found = ctx.checks.duplicates(table, columns, nulls_distinct=nulls_distinct)
    if found.ok and found.value is not None and found.value.groups:
        out.add(duplicates_finding(table, columns, found.value, what))
    elif found.ok:
        out.impact.append(f"Checked: no duplicate {', '.join(columns)} today.")
    else:
        out.impact.append(f"Duplicate check {found.problem}.")


def _unique(ctx: Context, stmt: Statement, con: ast.Constraint, table: TableFact, out: Assessment) -> str:
    primary = con.contype == C.CONSTR_PRIMARY
    columns = names(con.keys)
    if con.indexname:
        return "attaches an existing index (a moment)"
    name = _name(con, table, columns, "pkey" if primary else "key")
    rule = "adding-serial-primary-key-field" if primary else "disallowed-unique-constraint"
    out.add(Finding(
        rule, by_size(ctx, table),
        f"Builds a unique index on {ctx.sized(table)} under ACCESS EXCLUSIVE",
        f"Reads and writes of {table.name} wait until the index is built.{at_this_size(ctx, table)}",
        "Build the unique index CONCURRENTLY first (outside a transaction), then attach it as the constraint: "
        "a moment's lock.",
        fixes.unique_via_index(table.schema, table.name, columns, name, primary)))
    check_duplicates(ctx, table, columns, out, "The primary key" if primary else "The unique constraint",
                     nulls_distinct=not (primary or con.nulls_not_distinct))
    if primary:
        for column in columns:
            fact = table.column(column)
            if fact is None or fact.not_null:
                continue
            found = ctx.checks.nulls(table, column)
            if found.ok and found.value:
                out.add(Finding(
                    "not-null-over-nulls", Severity.ERROR,
                    f"{words.plural(found.value, 'row')} of {words.shown(table.schema, table.name)} have "
                    f"{column} NULL today",
                    "A primary key column cannot hold NULL; the migration stops and rolls back.",
                    "Fill or delete those rows first.", "",
                    (Link(f"the rows with {column} NULL", table.schema, table.name, ((f"{column}__isnull", ""),)),)))
    return "builds an index"


def _not_null_column(expression: ast.Node | None) -> str | None:
    """``col`` of ``col IS NOT NULL``, else None."""
    if isinstance(expression, ast.NullTest) and expression.nulltesttype == enums.NullTestType.IS_NOT_NULL and \
            isinstance(expression.arg, ast.ColumnRef):
        parts = names(expression.arg.fields)
        return parts[-1] if len(parts) == 1 else None
    return None


def validate_constraint(ctx: Context, stmt: Statement, table: TableFact, name: str, out: Assessment) -> str:
    if (column := ctx.state.not_null_checks.get((table.oid, name))) is not None:
        ctx.state.proven_not_null.add((table.oid, column))
    if (table.oid, name) in ctx.state.not_valid:
        out.add(Finding(
            "constraint-missing-not-valid", by_size(ctx, table),
            f"Validates in the same transaction that added {name} NOT VALID",
            f"The ADD's lock on {table.name} is held until the transaction commits, so the scan of "
            f"{ctx.sized(table)} runs under it and NOT VALID gains nothing.{at_this_size(ctx, table)}",
            "Commit between the two: VALIDATE in its own transaction (autocommit_block) or in the next revision.",
            fixes.in_autocommit(stmt.text)))
    return "scans every row"
