"""ALTER TABLE, one subcommand at a time: the lock it takes, whether it rewrites or scans the table, what
the data says about it, and the safe way."""

from __future__ import annotations

from pglast import ast, enums

from pgadmin_py.catalog.impact import ColumnFact, TableFact
from pgadmin_py.migrations.review import fixes, locks, words
from pgadmin_py.migrations.review.assess import Assessment, at_this_size, by_size, names, nodes
from pgadmin_py.migrations.review.constraints import add_constraint, validate_constraint
from pgadmin_py.migrations.review.context import Context
from pgadmin_py.migrations.review.model import Finding, Link, Severity
from pgadmin_py.migrations.review.statements import Statement
from pgadmin_py.migrations.review.typechange import alter_type

T = enums.AlterTableType
C = enums.ConstrType
SERIALS = frozenset({"serial", "bigserial", "smallserial", "serial2", "serial4", "serial8"})
_LIGHT = {T.AT_SetStatistics: locks.SHARE_UPDATE_EXCLUSIVE, T.AT_ClusterOn: locks.SHARE_UPDATE_EXCLUSIVE,
          T.AT_SetRelOptions: locks.SHARE_UPDATE_EXCLUSIVE, T.AT_ResetRelOptions: locks.SHARE_UPDATE_EXCLUSIVE,
          T.AT_EnableTrig: locks.SHARE_ROW_EXCLUSIVE, T.AT_DisableTrig: locks.SHARE_ROW_EXCLUSIVE,
          T.AT_AttachPartition: locks.SHARE_UPDATE_EXCLUSIVE}


def alter_table(ctx: Context, stmt: Statement, node: ast.AlterTableStmt, out: Assessment) -> None:
    table = ctx.table(node.relation)
    if table is None:  # created by this plan, or not there: no lock to wait for, no rows to check
        return
    mode: str | None = None
    effects: list[str] = []
    for cmd in node.cmds or ():
        if isinstance(cmd, ast.AlterTableCmd):
            cmd_mode, effect = _subcommand(ctx, stmt, node, cmd, table, out)
            mode = locks.strongest(mode, cmd_mode)
            if effect and effect not in effects:
                effects.append(effect)
    if mode is not None:
        out.lock(table, mode)
        out.impact.insert(0, f"{mode} on {ctx.sized(table)}: {'; '.join(effects) or 'metadata only'}; "
                             f"{locks.BLOCKS[mode]} while it is held.")


def _subcommand(ctx: Context, stmt: Statement, node: ast.AlterTableStmt, cmd: ast.AlterTableCmd,
                table: TableFact, out: Assessment) -> tuple[str | None, str]:
    kind = cmd.subtype
    if kind == T.AT_AddColumn and isinstance(cmd.def_, ast.ColumnDef):
        return locks.ACCESS_EXCLUSIVE, _add_column(ctx, stmt, node, cmd.def_, table, out)
    if kind == T.AT_AlterColumnType and isinstance(cmd.def_, ast.ColumnDef):
        return locks.ACCESS_EXCLUSIVE, alter_type(ctx, stmt, node, cmd, table, out)
    if kind == T.AT_SetNotNull:
        return locks.ACCESS_EXCLUSIVE, _set_not_null(ctx, stmt, table, cmd.name or "", out)
    if kind == T.AT_DropColumn:
        return locks.ACCESS_EXCLUSIVE, _drop_column(ctx, stmt, table, cmd.name or "", out)
    if kind == T.AT_AddConstraint and isinstance(cmd.def_, ast.Constraint):
        return add_constraint(ctx, stmt, node, cmd, cmd.def_, table, out)
    if kind == T.AT_ValidateConstraint:
        return locks.SHARE_UPDATE_EXCLUSIVE, validate_constraint(ctx, stmt, table, cmd.name or "", out)
    if kind is not None and kind in _LIGHT:
        return _LIGHT[kind], "metadata only"
    return locks.ACCESS_EXCLUSIVE, "metadata only"


def _volatile(ctx: Context, expression: ast.Node | None) -> str | None:
    """The first volatile function an expression calls (``gen_random_uuid``), else None."""
    for item in nodes(expression):
        if isinstance(item, ast.FuncCall):
            parts = names(item.funcname)
            if parts and ctx.volatility(parts[-2] if len(parts) > 1 else None, parts[-1]) == "v":
                return parts[-1]
    return None


def _add_column(ctx: Context, stmt: Statement, node: ast.AlterTableStmt, coldef: ast.ColumnDef, table: TableFact,
                out: Assessment) -> str:
    column = coldef.colname or ""
    ctx.state.added_columns.add((table.oid, column))
    constraints = [c for c in coldef.constraints or () if isinstance(c, ast.Constraint)]
    kinds = {c.contype for c in constraints}
    default = next((c.raw_expr for c in constraints if c.contype == C.CONSTR_DEFAULT), None)
    type_name = names(coldef.typeName.names)[-1] if coldef.typeName else ""
    serial = type_name in SERIALS
    volatile = _volatile(ctx, default)
    why = ("a serial column's default is nextval(), different for each row" if serial
           else "an identity column numbers every existing row" if C.CONSTR_IDENTITY in kinds
           else "a stored generated column is computed for every existing row" if C.CONSTR_GENERATED in kinds
           else f"DEFAULT {volatile}() is volatile: every existing row gets its own value" if volatile else None)
    if C.CONSTR_PRIMARY in kinds:
        out.add(Finding(
            "adding-serial-primary-key-field", by_size(ctx, table),
            f"{'Rewrites' if why else 'Scans'} {ctx.sized(table)} and builds the primary key's index "
            "under ACCESS EXCLUSIVE",
            f"Reads and writes of {table.name} wait until the whole table is {'rewritten' if why else 'read'} and the "
            f"index is built{'; ' + why if why else ''}.{at_this_size(ctx, table)}",
            "Add the column without the key, fill it in batches, build a unique index CONCURRENTLY, then attach "
            "it as the primary key (a moment's lock).",
            _serial_pk_fix(table, column)))
        return "rewrites the table and builds an index" if why else "builds an index"
    if why:
        out.add(Finding(
            "adding-field-with-default", by_size(ctx, table),
            f"Rewrites {ctx.sized(table)} under ACCESS EXCLUSIVE",
            f"{why[0].upper() + why[1:]}, so PostgreSQL rewrites the whole table while reads and writes wait."
            f"{at_this_size(ctx, table)} A constant or stable default (now(), a literal) would be metadata only.",
            "Add the column without the default (metadata only), set the default for new rows, then fill existing "
            "rows in batches outside the migration's transaction.",
            _default_fix(node, coldef, table, default) if default is not None else ""))
        return "rewrites the table"
    if (C.CONSTR_NOTNULL in kinds) and default is None:
        count, exact = ctx.rows(table)
        if count:
            out.add(Finding(
                "adding-required-field", Severity.ERROR,
                f"{words.shown(table.schema, table.name)} has {words.rows(count, exact)} and the "
                "new NOT NULL column has no default",
                "Existing rows would hold NULL in a NOT NULL column, so PostgreSQL refuses the statement.",
                "Add the column nullable (or with a constant default: metadata only since PostgreSQL 11), fill it, "
                "then make it NOT NULL.",
                "\n".join([fixes.execute(_without_constraints(node, coldef)),
                           fixes.backfill(table.schema, table.name, column, "'<value for existing rows>'"),
                           fixes.set_not_null(table.schema, table.name, column)])))
    if C.CONSTR_UNIQUE in kinds:
        out.add(Finding(
            "disallowed-unique-constraint", by_size(ctx, table),
            f"Builds a unique index on {ctx.sized(table)} under ACCESS EXCLUSIVE",
            f"Reads and writes of {table.name} wait while the index builds.{at_this_size(ctx, table)}",
            "Add the column without UNIQUE, then build the index CONCURRENTLY and attach it as the constraint.",
            fixes.unique_via_index(table.schema, table.name, [column], f"{table.name}_{column}_key"[:63], False)))
        return "builds an index"
    if default is not None:
        return "metadata only (existing rows read the default from the catalog)"
    return "metadata only"


def _without_constraints(node: ast.AlterTableStmt, coldef: ast.ColumnDef) -> str:
    clone = ast.AlterTableStmt(node())
    column = ast.ColumnDef(coldef())
    column.constraints = None
    clone.cmds = (ast.AlterTableCmd({"@": "AlterTableCmd", "subtype": T.AT_AddColumn, "def_": column(),
                                     "behavior": enums.DropBehavior.DROP_RESTRICT}),)
    return fixes.sql_of(clone)


def _default_fix(node: ast.AlterTableStmt, coldef: ast.ColumnDef, table: TableFact, default: ast.Node) -> str:
    column = coldef.colname or ""
    target = words.qualified(table.schema, table.name)
    expression = fixes.sql_of(default)
    lines = [fixes.execute(_without_constraints(node, coldef), "metadata only: existing rows hold NULL"),
             fixes.execute(f"ALTER TABLE {target} ALTER COLUMN {words.ident(column)} SET DEFAULT {expression}",
                           "new rows get the default"),
             fixes.backfill(table.schema, table.name, column, expression)]
    if any(isinstance(c, ast.Constraint) and c.contype == C.CONSTR_NOTNULL for c in coldef.constraints or ()):
        lines.append(fixes.set_not_null(table.schema, table.name, column))
    return "\n".join(lines)


def _serial_pk_fix(table: TableFact, column: str) -> str:
    target = words.qualified(table.schema, table.name)
    sequence = f"{table.name}_{column}_seq"[:63]
    return "\n".join([
        fixes.execute(f"ALTER TABLE {target} ADD COLUMN {words.ident(column)} bigint", "metadata only"),
        fixes.execute(f"CREATE SEQUENCE {words.qualified(table.schema, sequence)} OWNED BY "
                      f"{target}.{words.ident(column)}"),
        fixes.execute(f"ALTER TABLE {target} ALTER COLUMN {words.ident(column)} SET DEFAULT "
                      f"nextval('{words.qualified(table.schema, sequence)}')", "new rows get a number"),
        fixes.backfill(table.schema, table.name, column, f"nextval('{words.qualified(table.schema, sequence)}')"),
        fixes.unique_via_index(table.schema, table.name, [column], f"{table.name}_pkey"[:63], True),
    ])


def _column(ctx: Context, table: TableFact, name: str) -> ColumnFact | None:
    """The column as the catalog has it, unless this plan added it (then it holds no data yet)."""
    if (table.oid, name) in ctx.state.added_columns:
        return None
    return table.column(name)


def _set_not_null(ctx: Context, stmt: Statement, table: TableFact, name: str, out: Assessment) -> str:
    column = _column(ctx, table, name)
    if column is None:
        return "metadata only"
    if column.not_null:
        return "already NOT NULL: nothing to check"
    proven = name in table.not_null_checks or (table.oid, name) in ctx.state.proven_not_null
    if proven and ctx.server_version >= 120000:
        return "no scan: a valid CHECK (… IS NOT NULL) already proves it"
    out.add(Finding(
        "adding-not-nullable-field", by_size(ctx, table),
        f"Scans {ctx.sized(table)} under ACCESS EXCLUSIVE",
        f"PostgreSQL reads every row to prove {name} holds no NULL, while reads and writes of {table.name} wait."
        f"{at_this_size(ctx, table)}",
        "Prove it first with a CHECK ... NOT VALID, validated without blocking; SET NOT NULL then skips the scan "
        "(PostgreSQL 12+).",
        fixes.set_not_null(table.schema, table.name, name)))
    found = ctx.checks.nulls(table, name)
    if found.ok and found.value:
        out.add(Finding(
            "not-null-over-nulls", Severity.ERROR,
            f"{words.plural(found.value, 'row')} of {words.shown(table.schema, table.name)} have {name} NULL "
            "today",
            "SET NOT NULL refuses a column that holds NULLs; the migration stops and rolls back.",
            "Fill or delete those rows first (in this revision, before SET NOT NULL, or in an earlier one).",
            fixes.backfill(table.schema, table.name, name, "'<value>'"),
            (Link(f"the {words.plural(found.value, 'row')} with {name} NULL", table.schema, table.name,
                  ((f"{name}__isnull", ""),)),)))
    out.impact.append(f"Checked: {name} holds no NULL today." if found.ok and found.value == 0 else
                      f"NULL check {found.problem}." if not found.ok else "")
    return "scans every row"


def _drop_column(ctx: Context, stmt: Statement, table: TableFact, name: str, out: Assessment) -> str:
    column = _column(ctx, table, name)
    if column is None:
        return "metadata only"
    values = ctx.checks.non_null(table, name)
    count = values.value if values.ok else None
    lost = (f"{words.plural(count, 'non-null value')} of {name} lost" if count else
            f"nothing lost: every {name} is NULL today" if count == 0 else f"values not counted ({values.problem})")
    keep = table.primary_key
    archive = (fixes.execute(
        f"CREATE TABLE {words.qualified(table.schema, f'{table.name}_{name}_archive'[:63])} AS SELECT "
        f"{', '.join(words.ident(c) for c in (*keep, name))} FROM {words.qualified(table.schema, table.name)} WHERE "
        f"{words.ident(name)} IS NOT NULL", "keep a copy of the values, keyed by the primary key")
        if keep else "")
    out.add(Finding(
        "ban-drop-column", Severity.DANGER if count or count is None else Severity.NOTICE,
        f"{lost[0].upper() + lost[1:]}: {ctx.sized(table)}",
        "The column's data is gone after the commit (the backup taken before the run still has it). Code that "
        "still reads or writes the column fails once it is dropped.",
        "Deploy code that no longer uses the column first (remove it from the model), then drop it in a later "
        "revision; keep a copy of the values if they might be needed.",
        archive))
    return "metadata only (the space is reclaimed as rows are rewritten)"

