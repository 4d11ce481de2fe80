"""The rules, one function per kind of statement (ALTER TABLE lives in alter.py). Rule ids are squawk's
(https://squawkhq.com/docs/) where squawk has the rule, so users can look them up; model.OWN_RULES lists ours."""

from __future__ import annotations

import re

from pglast import ast, enums

from pgadmin_py.catalog.impact import TableFact
from pgadmin_py.migrations.review import fixes, locks, words
from pgadmin_py.migrations.review.alter import alter_table
from pgadmin_py.migrations.review.assess import Assessment, at_this_size, by_size, first_line, names
from pgadmin_py.migrations.review.constraints import check_duplicates
from pgadmin_py.migrations.review.context import Context
from pgadmin_py.migrations.review.model import Finding, Severity
from pgadmin_py.migrations.review.statements import Statement, dotted, relation_name

OBJ = enums.ObjectType
_CLEARS_TRANSACTION = (enums.TransactionStmtKind.TRANS_STMT_COMMIT, enums.TransactionStmtKind.TRANS_STMT_ROLLBACK,
                       enums.TransactionStmtKind.TRANS_STMT_BEGIN, enums.TransactionStmtKind.TRANS_STMT_START)


def assess(ctx: Context, stmt: Statement) -> Assessment:
    """The findings, impact and locks of one statement, in plan order (it updates ``ctx.state``)."""
    out = Assessment()
    node = stmt.node
    if stmt.error is not None:
        out.add(Finding("unparsed-statement", Severity.NOTICE, "PostgreSQL's parser does not read this statement",
                        f"{stmt.error}. It is shown as written and not reviewed."))
        return out
    if isinstance(node, ast.TransactionStmt):
        if node.kind in _CLEARS_TRANSACTION:
            ctx.state.not_valid.clear()
            ctx.state.transaction += 1
        return out
    if stmt.bookkeeping:
        return out
    if isinstance(node, ast.CreateStmt | ast.CreateTableAsStmt):
        relation = node.relation if isinstance(node, ast.CreateStmt) else (node.into.rel if node.into else None)
        if (name := relation_name(relation)) is not None:
            ctx.state.created.add(name[1])
        if isinstance(node, ast.CreateStmt):
            _references(ctx, node, out)
    elif isinstance(node, ast.IndexStmt):
        _create_index(ctx, stmt, node, out)
    elif isinstance(node, ast.AlterTableStmt) and node.objtype == OBJ.OBJECT_TABLE:
        alter_table(ctx, stmt, node, out)
    elif isinstance(node, ast.DropStmt):
        _drop(ctx, stmt, node, out)
    elif isinstance(node, ast.RenameStmt):
        _rename(ctx, stmt, node, out)
    elif isinstance(node, ast.TruncateStmt):
        _truncate(ctx, stmt, node, out)
    elif isinstance(node, ast.DeleteStmt | ast.UpdateStmt):
        _dml(ctx, stmt, node, out)
    elif isinstance(node, ast.InsertStmt) and (table := ctx.table(node.relation)) is not None:
        out.lock(table, locks.ROW_EXCLUSIVE)  # writes rows: in the way of SHARE holders, and in a targeted backup
    elif isinstance(node, ast.AlterEnumStmt):
        _enum_value(ctx, stmt, node, out)
    elif isinstance(node, ast.VariableSetStmt) and node.name == "lock_timeout":
        ctx.state.lock_timeout_set = _setting_on(node)
    return out


def _setting_on(node: ast.VariableSetStmt) -> bool:
    if node.kind != enums.VariableSetKind.VAR_SET_VALUE:
        return False
    for arg in node.args or ():
        value = arg.val if isinstance(arg, ast.A_Const) else None
        if isinstance(value, ast.Integer):
            return bool(value.ival)
        if isinstance(value, ast.String) and value.sval is not None:
            return value.sval.strip() not in ("0", "0s", "0ms")
    return False


def _references(ctx: Context, node: ast.CreateStmt, out: Assessment) -> None:
    """A new table's foreign keys take SHARE ROW EXCLUSIVE on the tables they point at (briefly)."""
    for element in node.tableElts or ():
        constraints = element.constraints if isinstance(element, ast.ColumnDef) else (element,)
        for con in constraints or ():
            if isinstance(con, ast.Constraint) and con.contype == enums.ConstrType.CONSTR_FOREIGN:
                parent = ctx.table(con.pktable)
                if parent is not None:
                    out.lock(parent, locks.SHARE_ROW_EXCLUSIVE)
    if out.locks:
        listed = ", ".join(lock.table for lock in out.locks)
        out.impact.append(f"SHARE ROW EXCLUSIVE on {listed} for a moment (the new foreign keys): writes to "
                          f"{listed} wait that long.")


def _index_columns(node: ast.IndexStmt) -> list[str] | None:
    """The index's plain columns, or None when it has expressions."""
    columns = [e.name for e in node.indexParams or () if isinstance(e, ast.IndexElem) and e.name]
    return columns if len(columns) == len(node.indexParams or ()) else None


def _create_index(ctx: Context, stmt: Statement, node: ast.IndexStmt, out: Assessment) -> None:
    if node.idxname:
        ctx.state.created_indexes.add(node.idxname)
    table = ctx.table(node.relation)
    if table is None:
        return
    if node.concurrent:
        out.lock(table, locks.SHARE_UPDATE_EXCLUSIVE)
        out.impact.append(f"SHARE UPDATE EXCLUSIVE on {ctx.sized(table)}: builds the index in two scans; reads and "
                          "writes go on.")
        if stmt.in_transaction:
            out.add(Finding(
                "ban-concurrent-index-creation-in-transaction", Severity.ERROR,
                "CREATE INDEX CONCURRENTLY cannot run inside a transaction block",
                "Alembic runs a revision inside a transaction, so PostgreSQL refuses the statement and the "
                "migration rolls back.",
                "Run it in Alembic's autocommit block.", fixes.create_index_concurrently(node)))
    else:
        out.lock(table, locks.SHARE)
        out.impact.append(f"SHARE on {ctx.sized(table)}: builds the index in one scan; writes wait, reads go on.")
        out.add(Finding(
            "require-concurrent-index-creation", by_size(ctx, table),
            f"Blocks writes to {ctx.sized(table)} while the index builds (SHARE lock)",
            f"INSERT, UPDATE and DELETE on {table.name} wait until the whole table is indexed."
            f"{at_this_size(ctx, table)}",
            "Build it CONCURRENTLY, outside the revision's transaction.", fixes.create_index_concurrently(node)))
    columns = _index_columns(node)
    if node.unique and columns and not node.whereClause:
        check_duplicates(ctx, table, columns, out, "The unique index", nulls_distinct=not node.nulls_not_distinct)
    elif node.unique:
        out.impact.append("Duplicates not checked: the index has expressions or a WHERE clause.")


def _drop(ctx: Context, stmt: Statement, node: ast.DropStmt, out: Assessment) -> None:
    for item in node.objects or ():
        name = dotted(item if isinstance(item, tuple) else (item,))
        if name is None:
            continue
        if node.removeType == OBJ.OBJECT_INDEX:
            _drop_index(ctx, stmt, node, name, out)
        elif node.removeType == OBJ.OBJECT_TABLE and (table := ctx.table(name)) is not None:
            _drop_table(ctx, stmt, node, table, out)


def _drop_index(ctx: Context, stmt: Statement, node: ast.DropStmt, name: tuple[str | None, str],
                out: Assessment) -> None:
    index = ctx.index(name)
    if index is None or index.table.name in ctx.state.created:
        return
    table = index.table
    if node.concurrent:
        out.lock(table, locks.SHARE_UPDATE_EXCLUSIVE)
        out.impact.append(f"SHARE UPDATE EXCLUSIVE on {ctx.sized(table)}: reads and writes go on.")
        if stmt.in_transaction:
            out.add(Finding(
                "concurrent-index-deletion-in-transaction", Severity.ERROR,
                "DROP INDEX CONCURRENTLY cannot run inside a transaction block",
                "Alembic runs a revision inside a transaction, so PostgreSQL refuses the statement.",
                "Run it in Alembic's autocommit block.",
                fixes.drop_index_concurrently(index.schema, index.name, table.name)))
        return
    out.lock(table, locks.ACCESS_EXCLUSIVE)
    out.impact.append(f"ACCESS EXCLUSIVE on {ctx.sized(table)}: a moment once granted, but reads and writes queue "
                      "behind it while it waits for the lock.")
    out.add(Finding(
        "require-concurrent-index-deletion", by_size(ctx, table),
        f"Takes ACCESS EXCLUSIVE on {ctx.sized(table)}",
        f"Dropping {index.name} blocks every read and write of {table.name} until it is done, and while it waits "
        "for running queries to finish, new ones queue behind it.",
        "Drop it CONCURRENTLY, outside the revision's transaction.",
        fixes.drop_index_concurrently(index.schema, index.name, table.name)))


def _drop_table(ctx: Context, stmt: Statement, node: ast.DropStmt, table: TableFact, out: Assessment) -> None:
    out.lock(table, locks.ACCESS_EXCLUSIVE)
    count, exact = ctx.rows(table)
    label = words.shown(table.schema, table.name)
    referrers = [r for r in table.referrers if r.oid != table.oid]
    cascade = node.behavior == enums.DropBehavior.DROP_CASCADE
    detail = f"{label} and its {words.rows(count, exact)} ({words.size(table.total_bytes)}) are gone after the commit."
    if referrers:
        listed = ", ".join(f"{words.shown(r.schema, r.table)}.{r.constraint}" for r in referrers)
        detail += (f" CASCADE also drops the foreign keys pointing at it ({listed})." if cascade else
                   f" {words.plural(len(referrers), 'foreign key')} point at it ({listed}): without CASCADE the "
                   "statement fails.")
    out.add(Finding(
        "ban-drop-table", Severity.DANGER if count or count is None else Severity.NOTICE,
        f"{words.rows(count, exact)} lost: {ctx.sized(table)}" if count != 0 else "Empty today, nothing lost",
        detail + " Code that still uses the table fails.",
        "Rename it first and drop it in a later release, once nothing reads it (the backup taken before the run "
        "keeps a copy).",
        f"op.rename_table({fixes.py(table.name)}, {fixes.py(table.name + '_to_drop')}"
        f"{'' if table.schema == 'public' else ', schema=' + fixes.py(table.schema)})  # drop it in a later release"))
    out.impact.append(f"ACCESS EXCLUSIVE on {ctx.sized(table)}.")


def _rename(ctx: Context, stmt: Statement, node: ast.RenameStmt, out: Assessment) -> None:
    if node.renameType not in (OBJ.OBJECT_COLUMN, OBJ.OBJECT_TABLE):
        return
    table = ctx.table(node.relation)
    if table is None:
        return
    out.lock(table, locks.ACCESS_EXCLUSIVE)
    out.impact.append(f"ACCESS EXCLUSIVE on {ctx.sized(table)}: metadata only, a moment.")
    target = words.qualified(table.schema, table.name)
    if node.renameType == OBJ.OBJECT_COLUMN:
        old, new = node.subname or "", node.newname or ""
        out.add(Finding(
            "renaming-column", Severity.WARNING,
            f"Code that reads {table.name}.{old} fails from the commit on",
            "Application servers still running the previous release keep using the old name until they are "
            "replaced: their queries fail in between.",
            "Add the new column, write both from the application, backfill, switch reads, then drop the old one; "
            "or deploy code that knows both names first.",
            "\n".join([fixes.execute(f"ALTER TABLE {target} ADD COLUMN {words.ident(new)} "
                                     f"{_column_type(table, old)}", "metadata only"),
                       fixes.backfill(table.schema, table.name, new, words.ident(old))])))
        ctx.state.added_columns.add((table.oid, new))
    else:
        new = node.newname or ""
        ctx.state.created.add(new)
        out.add(Finding(
            "renaming-table", Severity.WARNING,
            f"Code that uses {table.name} fails from the commit on",
            "Application servers still running the previous release keep using the old name until they are "
            "replaced.",
            "Rename, and keep the old name working as a view until every server runs the new code.",
            "\n".join([f"op.rename_table({fixes.py(table.name)}, {fixes.py(new)})",
                       fixes.execute(f"CREATE VIEW {target} AS SELECT * FROM {words.qualified(table.schema, new)}",
                                     "the old name keeps working (simple views accept writes too)")])))


def _column_type(table: TableFact, name: str) -> str:
    column = table.column(name)
    return column.type_name if column else "text"


def _truncate(ctx: Context, stmt: Statement, node: ast.TruncateStmt, out: Assessment) -> None:
    tables = [t for t in (ctx.table(r) for r in node.relations or () if isinstance(r, ast.RangeVar)) if t]
    if not tables:
        return
    cascade = node.behavior == enums.DropBehavior.DROP_CASCADE
    seen = {t.oid for t in tables}
    if cascade:
        todo = list(tables)
        while todo:
            for referrer in todo.pop().referrers:
                if referrer.oid not in seen and (child := ctx.table((referrer.schema, referrer.table))) is not None:
                    seen.add(child.oid)
                    tables.append(child)
                    todo.append(child)
    total, exact = 0, True
    parts = []
    for table in tables:
        out.lock(table, locks.ACCESS_EXCLUSIVE)
        count, counted = ctx.rows(table)
        total += count or 0
        exact = exact and counted
        parts.append(f"{words.shown(table.schema, table.name)} ({words.rows(count, counted)})")
    named = ", ".join(words.qualified(t.schema, t.name) for t in tables)
    out.impact.append(f"ACCESS EXCLUSIVE on {', '.join(parts)}.")
    rule = "ban-truncate-cascade" if cascade else "deletes-rows"
    out.add(Finding(
        rule, Severity.DANGER if total else Severity.NOTICE,
        f"{words.rows(total, exact)} lost in {', '.join(parts)}",
        ("CASCADE empties every table that references these, recursively, whatever the application expects. "
         if cascade else "") + "The rows are gone after the commit (the backup taken before the run keeps them).",
        "Name every table you mean to empty, so nothing else goes with them." if cascade else
        "Make sure no code still needs these rows.",
        fixes.execute(f"TRUNCATE {named}") if cascade else ""))


def _dml(ctx: Context, stmt: Statement, node: ast.DeleteStmt | ast.UpdateStmt, out: Assessment) -> None:
    table = ctx.table(node.relation)
    if table is None:
        return
    out.lock(table, locks.ROW_EXCLUSIVE)
    count, exact = ctx.rows(table)
    label = words.shown(table.schema, table.name)
    scope = "every row" if node.whereClause is None else "the rows its WHERE clause matches"
    if isinstance(node, ast.DeleteStmt):
        out.add(Finding(
            "deletes-rows", Severity.DANGER if count or count is None else Severity.NOTICE,
            f"Deletes {scope} of {label} ({words.rows(count, exact)} today)",
            "The rows are gone after the commit (the backup taken before the run keeps them).",
            "Make sure no code still needs them; on a big table, delete in batches outside the transaction."))
        return
    out.add(Finding(
        "updates-rows", Severity.WARNING if not ctx.small(table) else Severity.NOTICE,
        f"Updates {scope} of {label} ({words.rows(count, exact)} today)",
        "Each updated row stays locked until the migration's transaction commits, and the old values are gone "
        "after it.",
        "On a big table, update in batches, each in its own transaction.",
        fixes.in_autocommit(stmt.text) if not ctx.small(table) else ""))


def _enum_value(ctx: Context, stmt: Statement, node: ast.AlterEnumStmt, out: Assessment) -> None:
    value = node.newVal
    if value is None or node.oldVal is not None or not stmt.in_transaction:
        return
    type_name = ".".join(names(node.typeName))
    fix = fixes.in_autocommit(stmt.text)
    if ctx.server_version and ctx.server_version < 120000:
        out.add(Finding(
            "adding-enum-value-in-transaction", Severity.ERROR,
            f"ALTER TYPE ... ADD VALUE cannot run inside a transaction block "
            f"before PostgreSQL 12 (this server: {ctx.server_version // 10000})",
            "Alembic runs a revision inside a transaction.", "Run it in Alembic's autocommit block.", fix))
        return
    literal = re.compile("'" + re.escape(value.replace("'", "''")) + "'")
    later = next((s for s in ctx.statements[stmt.index + 1:] if not s.in_transaction or literal.search(s.text)), None)
    if later is not None and later.in_transaction:
        out.add(Finding(
            "adding-enum-value-in-transaction", Severity.ERROR,
            f"A later statement of the same transaction uses '{value}'",
            f"A value added to {type_name} cannot be used until the transaction commits: PostgreSQL stops "
            f"'{first_line(later.text, 80)}' with 'unsafe use of new value'.",
            "Add the value in Alembic's autocommit block (it commits at once), or use it in the next revision.",
            fix))


def lock_timeout_rule(ctx: Context, assessed: list[tuple[Statement, Assessment]]) -> None:
    """require-lock-timeout: a statement that must wait for a lock blocking reads or writes, with no
    lock_timeout (neither MIGRATION_LOCK_TIMEOUT nor a SET lock_timeout earlier in the SQL)."""
    if ctx.lock_timeout_ms:
        return
    for stmt, out in assessed:
        if isinstance(stmt.node, ast.VariableSetStmt) and stmt.node.name == "lock_timeout" and _setting_on(stmt.node):
            return
        strong = [lock for lock in out.locks if locks.blocks_traffic(lock.mode)]
        if strong:
            lock = strong[0]
            out.findings.insert(0, Finding(
                "require-lock-timeout", Severity.WARNING,
                f"Waits for {lock.mode} on {lock.table} with no lock_timeout",
                f"While it waits for sessions using {lock.table} to finish, every new query on {lock.table} queues "
                "behind it: the application stalls for as long as the longest of them.",
                "Set MIGRATION_LOCK_TIMEOUT (pgadmin-py passes it to every connection of the run), or set it at the "
                "top of upgrade(), so a blocked statement fails fast and rolls back.",
                "op.execute(\"SET lock_timeout = '5s'\")  # first line of upgrade()"))
            return
