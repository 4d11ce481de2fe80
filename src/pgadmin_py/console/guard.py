"""The read-only guard: a statement runs without "allow writes" only when it cannot write.

``BEGIN READ ONLY`` alone does not make a console read-only: ``COPY ... TO PROGRAM``, ``lo_export``,
``pg_terminate_backend`` or ``pg_create_physical_replication_slot`` act outside the transaction. So each
statement is parsed with PostgreSQL's own parser and allowed only when it is a read: SELECT / VALUES /
TABLE without INTO or row locks and without data-modifying CTEs, SHOW, EXPLAIN (with ANALYZE only of
such a read), a cursor without HOLD, COPY ... TO STDOUT, and SET of a short list of harmless settings.
Every function it names, and every function behind its operators and the views it reads, must be
IMMUTABLE or STABLE in ``pg_proc`` (see :mod:`volatility`), save a short allowlist of harmless ones.

Two layers, so the rules are testable without a database: :func:`inspect` reads one parse tree;
:func:`review` asks the catalog about the names all statements use, in one query on the console's
connection, inside the transaction the statements then run in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import psycopg
from pglast import ast, parse_sql
from pglast.enums import LockClauseStrength
from pglast.parser import ParseError

from pgadmin_py.console import settings_rules
from pgadmin_py.console.statements import Statement, walk
from pgadmin_py.console.volatility import Volatile, lookup

_MODIFYING = {ast.InsertStmt: "INSERT", ast.UpdateStmt: "UPDATE", ast.DeleteStmt: "DELETE", ast.MergeStmt: "MERGE"}
_LOCKS = {LockClauseStrength.LCS_FORKEYSHARE: "FOR KEY SHARE", LockClauseStrength.LCS_FORSHARE: "FOR SHARE",
          LockClauseStrength.LCS_FORNOKEYUPDATE: "FOR NO KEY UPDATE", LockClauseStrength.LCS_FORUPDATE: "FOR UPDATE"}
_CURSOR_OPT_HOLD = 0x0020
_TAGS = {"CreateStmt": "CREATE TABLE", "IndexStmt": "CREATE INDEX", "ViewStmt": "CREATE VIEW",
         "CreateTableAsStmt": "CREATE TABLE AS", "CreateFunctionStmt": "CREATE FUNCTION", "DropStmt": "DROP",
         "CreateSeqStmt": "CREATE SEQUENCE", "GrantStmt": "GRANT / REVOKE", "DoStmt": "DO", "CallStmt": "CALL",
         "LockStmt": "LOCK", "ListenStmt": "LISTEN", "UnlistenStmt": "UNLISTEN", "NotifyStmt": "NOTIFY",
         "PrepareStmt": "PREPARE", "ExecuteStmt": "EXECUTE", "DeallocateStmt": "DEALLOCATE",
         "CheckPointStmt": "CHECKPOINT", "LoadStmt": "LOAD", "DiscardStmt": "DISCARD", "TruncateStmt": "TRUNCATE",
         "CommentStmt": "COMMENT", "AlterSystemStmt": "ALTER SYSTEM", "RefreshMatViewStmt": "REFRESH",
         "ReindexStmt": "REINDEX", "ClusterStmt": "CLUSTER", "CreateExtensionStmt": "CREATE EXTENSION"}
_WHY = {"DO": "it runs procedural code, which can do anything", "CALL": "it runs a procedure, which can do anything",
        "LOCK": "it takes a lock other sessions wait for", "LISTEN": "it subscribes to other sessions' messages",
        "NOTIFY": "it sends a message to other sessions", "EXECUTE": "it runs a prepared statement unseen",
        "LOAD": "it loads a library into the server process", "CHECKPOINT": "it makes the server write to disk"}
# STABLE, yet they read relations named in a string: the views behind such a name are out of the guard's sight.
_NAMES_IN_STRINGS = frozenset({f"{what}_to_{form}" for what in ("table", "schema", "database")
                               for form in ("xml", "xmlschema", "xml_and_xmlschema")})
_TRANSACTION = ("Transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, PREPARE TRANSACTION) is not allowed: "
                "the console runs each batch in one transaction of its own.")


@dataclass(frozen=True, slots=True)
class Finding:
    """Why a statement is not a pure read. ``offset`` is in the statement's text (None: the statement)."""

    message: str
    offset: int | None = None
    never: bool = False  # refused even with writes allowed: it would end the console's transaction or lift its limits


@dataclass(frozen=True, slots=True)
class Inspection:
    """What one parse tree tells: its findings, and the names whose volatility the catalog must tell."""

    statement: Statement
    findings: tuple[Finding, ...]
    functions: tuple[tuple[str | None, str, int | None], ...] = ()  # (schema, name, offset)
    operators: tuple[tuple[str, int | None], ...] = ()
    relations: tuple[tuple[str, int | None], ...] = ()


def inspect(statement: Statement, *, timeout_ms: int) -> Inspection:
    node = statement.node
    if isinstance(node, ast.TransactionStmt):
        return Inspection(statement, (Finding(_TRANSACTION, never=True),))
    if isinstance(node, ast.VariableSetStmt):
        verdict = settings_rules.judge(node, timeout_ms)
        return Inspection(statement, () if verdict is None else (Finding(verdict[0], never=verdict[1]),))
    if isinstance(node, ast.VariableShowStmt | ast.FetchStmt | ast.ClosePortalStmt):
        return Inspection(statement, ())
    if isinstance(node, ast.ExplainStmt):
        if not _analyze(node):
            return Inspection(statement, ())  # a plan only: nothing runs
        if node.query is None:
            return Inspection(statement, ())
        inner = inspect(Statement(statement.text, statement.offset, node.query), timeout_ms=timeout_ms)
        findings = tuple(replace(f, message=f"EXPLAIN ANALYZE runs the statement: {f.message}")
                         for f in inner.findings)
        return replace(inner, statement=statement, findings=findings)
    if isinstance(node, ast.SelectStmt):
        return _reads(statement, node)
    if isinstance(node, ast.DeclareCursorStmt):
        if (node.options or 0) & _CURSOR_OPT_HOLD:
            return Inspection(statement, (Finding("DECLARE ... WITH HOLD keeps a cursor past the transaction."),))
        return _reads(statement, node.query)
    if isinstance(node, ast.CopyStmt):
        if node.is_from or node.is_program or node.filename is not None:
            return Inspection(statement, (Finding(_copy(node) + " Only COPY ... TO STDOUT is a read."),))
        return _reads(statement, node.query if node.query is not None else node.relation)
    if type(node) in _MODIFYING:
        return _reads(statement, node)
    tag = command_tag(statement)
    return Inspection(statement, (Finding(f"{tag} is not a read: {_WHY.get(tag, 'it can change the database')}."),))


def review(conn: psycopg.Connection, inspections: list[Inspection]) -> list[tuple[Statement, tuple[Finding, ...]]]:
    """Each statement with all its findings: those of its tree, and the VOLATILE functions it would run,
    directly, through an operator, or through the views and policies of the relations it reads."""
    volatile, reached = _catalog(conn, inspections)
    out = []
    for inspection in inspections:
        findings = list(inspection.findings)
        for schema, name, offset in inspection.functions:
            if any(v.via == "function" and v.name == name and schema in (None, v.schema) for v in volatile):
                findings.append(Finding(f"{name}() is VOLATILE: it can change the database or the server.", offset))
        for name, offset in inspection.operators:
            for v in (v for v in volatile if v.via == "operator" and v.name == name):
                findings.append(Finding(f"The operator {name} runs {v.schema}.{v.function}(), which is VOLATILE.",
                                        offset))
        for name, offset in inspection.relations:
            for v in (v for v in volatile if (v.via, v.name) in reached.get(name, ())):
                findings.append(Finding(f"Reading {name} runs {v.function}(), which is VOLATILE.", offset))
            if (_UNCHECKED, name) in reached.get(name, ()):
                findings.append(Finding(f"Reading {name} runs SQL the console could not check (views nested "
                                        f"deeper than {MAX_VIEW_DEPTH}, or a definition it cannot parse).", offset))
        out.append((inspection.statement, tuple(sorted(set(findings), key=_position))))
    return out


_UNCHECKED = "unchecked"
MAX_VIEW_DEPTH = 16


def _catalog(conn: psycopg.Connection,
             inspections: list[Inspection]) -> tuple[list[Volatile], dict[str, set[tuple[str, str]]]]:
    """The VOLATILE functions the batch's names stand for, and per relation it reads, the (kind, name) of
    what reading it runs: the functions and operators of its views (views of views too) and policies."""
    functions = {name for i in inspections for _, name, _ in i.functions}
    operators = {name for i in inspections for name, _ in i.operators}
    roots: dict[str, set[str]] = {name: {name} for i in inspections for name, _ in i.relations}
    reached: dict[str, set[tuple[str, str]]] = {root: set() for root in roots}
    volatile: list[Volatile] = []
    asked: set[tuple[str, str]] = set()
    todo_functions, todo_operators, todo_relations = functions, operators, set(roots)
    for _ in range(MAX_VIEW_DEPTH):
        if not (todo_functions or todo_operators or todo_relations):
            break
        found, definitions = lookup(conn, todo_functions, todo_operators, todo_relations)
        volatile += found
        asked |= {("function", f) for f in todo_functions} | {("operator", o) for o in todo_operators}
        asked |= {("relation", r) for r in todo_relations}
        todo_functions, todo_operators, todo_relations = set(), set(), set()
        for relation, sql in definitions:
            try:
                inside = _names(walk(parse_sql(sql)))
            except ParseError:
                reached.update({root: reached[root] | {(_UNCHECKED, root)} for root in roots[relation]})
                continue
            for kind, name in ([("function", f) for _, f, _ in inside.functions] +
                               [("operator", o) for o, _ in inside.operators]):
                for root in roots[relation]:
                    reached[root].add((kind, name))
                if (kind, name) not in asked:
                    (todo_functions if kind == "function" else todo_operators).add(name)
            for name, _ in inside.relations:
                roots.setdefault(name, set()).update(roots[relation])
                if ("relation", name) not in asked:
                    todo_relations.add(name)
    for name in todo_relations:
        for root in roots[name]:
            reached[root].add((_UNCHECKED, root))
    return volatile, reached


def _copy(node: ast.CopyStmt) -> str:
    direction = "FROM" if node.is_from else "TO"
    if node.is_program:
        return f"COPY {direction} PROGRAM runs a command on the server, as the system user PostgreSQL runs as."
    if node.filename is not None:
        return f"COPY {direction} a file {'reads' if node.is_from else 'writes'} the server's files."
    return "COPY FROM STDIN writes rows into a table."


def _position(finding: Finding) -> tuple[int, str]:
    return (-1 if finding.offset is None else finding.offset, finding.message)


def _analyze(node: ast.ExplainStmt) -> bool:
    for option in node.options or ():
        if option.defname in ("analyze", "analyse"):
            arg = option.arg
            value = getattr(arg, "val", arg)
            text = str(getattr(value, "sval", getattr(value, "ival", getattr(value, "boolval", "true")))).lower()
            return text not in ("false", "off", "0", "no")
    return False


@dataclass(frozen=True, slots=True)
class _Names:
    functions: tuple[tuple[str | None, str, int | None], ...]
    operators: tuple[tuple[str, int | None], ...]
    relations: tuple[tuple[str, int | None], ...]


def _names(nodes: list[ast.Node]) -> _Names:
    """The functions, operators and relations these nodes name (a CTE's name is no relation)."""
    ctes = {n.ctename for n in nodes if isinstance(n, ast.CommonTableExpr)}
    functions: list[tuple[str | None, str, int | None]] = []
    operators: list[tuple[str, int | None]] = []
    relations: list[tuple[str, int | None]] = []
    for node in nodes:
        if isinstance(node, ast.FuncCall):
            names = [str(s.sval) for s in node.funcname or ()]
            functions.append((names[-2] if len(names) > 1 else None, names[-1], _location(node)))
        elif isinstance(node, ast.A_Expr) and node.name:
            operators.append((str(node.name[-1].sval), _location(node)))
        elif isinstance(node, ast.RangeVar) and node.relname and not (node.schemaname is None and node.relname in ctes):
            relations.append((node.relname, _location(node)))
    return _Names(tuple(functions), tuple(operators), tuple(relations))


def _reads(statement: Statement, tree: ast.Node | None) -> Inspection:
    """The rules of a read, over every node of the tree (CTEs, subqueries, arguments included)."""
    findings: list[Finding] = []
    nodes = walk(tree)
    for node in nodes:
        if type(node) in _MODIFYING:
            target = getattr(node, "relation", None)
            findings.append(Finding(f"{_MODIFYING[type(node)]} changes data.", _location(target)))
        elif isinstance(node, ast.SelectStmt):
            if node.intoClause is not None:
                findings.append(Finding("SELECT ... INTO creates a table.", _location(node.intoClause.rel)))
            for clause in node.lockingClause or ():
                findings.append(Finding(f"SELECT ... {_LOCKS.get(clause.strength, 'FOR UPDATE')} locks rows."))
    names = _names(nodes)
    findings += [Finding(f"{name}() reads relations named in a string, whose views the console cannot check.",
                         offset) for _, name, offset in names.functions if name in _NAMES_IN_STRINGS]
    return Inspection(statement, tuple(findings), names.functions, names.operators, names.relations)


def _location(node: ast.Node | None) -> int | None:
    location = getattr(node, "location", None)
    return location if isinstance(location, int) and location >= 0 else None


def command_tag(statement: Statement) -> str:
    """``VACUUM``, ``CREATE TABLE``, ...: how PostgreSQL names the command, near enough for a message."""
    name = type(statement.node).__name__
    if isinstance(statement.node, ast.VacuumStmt):
        return "VACUUM" if statement.node.is_vacuumcmd else "ANALYZE"
    if name in _TAGS:
        return _TAGS[name]
    words = re.findall(r"[A-Z][a-z]*", name.removesuffix("Stmt"))
    return " ".join(words).upper() or statement.text.split(None, 1)[0].upper()
