"""Flag what a revision destroys, from its source (AST) and from its offline SQL.

Source analysis needs no child process, so the graph and the revision page can warn even when the
project cannot be imported. The SQL check catches what the source hides (helpers, loops, raw SQL); it
reads the SQL with PostgreSQL's own parser (pglast), as the plan's review does (migrations/review/).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from pgadmin_py.core.pyast import parse_module

_DROP_CALLS = {"drop_table": "drops table", "drop_column": "drops column", "drop_constraint": "drops constraint",
               "drop_table_comment": None, "drop_index": None}
@dataclass(frozen=True, slots=True)
class Flag:
    direction: str  # upgrade | downgrade
    line: int
    text: str


@dataclass(frozen=True, slots=True)
class SourceAnalysis:
    flags: tuple[Flag, ...]
    irreversible: bool
    irreversible_reason: str | None

    def for_direction(self, direction: str) -> tuple[Flag, ...]:
        return tuple(f for f in self.flags if f.direction == direction)

    @property
    def flagged_lines(self) -> list[int]:
        return sorted({f.line for f in self.flags})


def _const(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _destructions(sql: str) -> list[tuple[str, str]]:
    """(the SQL words, the words for a reader) of each thing ``sql`` destroys; the review's parser (pglast) is
    imported here, when a revision is first read, not when the server starts."""
    from pgadmin_py.migrations.review.destroys import destroys
    from pgadmin_py.migrations.review.statements import parse_statements

    return [found for stmt in parse_statements(sql) for found in destroys(stmt)]


def _describe(call: ast.Call) -> str | None:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    args = [_const(a) for a in call.args]
    kwargs = {k.arg: k.value for k in call.keywords if k.arg}
    if _DROP_CALLS.get(name):
        what = ".".join(a for a in args[:2] if a) if name == "drop_column" else (args[0] if args else None)
        if name == "drop_column" and isinstance(func, ast.Attribute) and len([a for a in args if a]) == 1:
            what = args[0]  # batch_op.drop_column("col")
        return f"{_DROP_CALLS[name]} {what or '(computed name)'}"
    if name == "alter_column" and "type_" in kwargs:
        target = ".".join(a for a in args[:2] if a) or "(computed name)"
        return f"changes the type of column {target}"
    if name == "execute" and call.args:
        text = _const(call.args[0])
        if text is None:
            return None
        found = [kind for kind, _ in _destructions(text)]
        if found:
            return f"runs SQL that modifies data: {found[0]}"
    return None


def _is_noop(body: list[ast.stmt]) -> bool:
    for stmt in body:
        if isinstance(stmt, ast.Pass):
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue  # docstring or ``...``
        return False
    return True


def _raises_not_implemented(body: list[ast.stmt]) -> bool:
    return any(isinstance(s, ast.Raise) and "NotImplemented" in ast.unparse(s) for s in body)


def analyze_source(source: str) -> SourceAnalysis:
    try:
        tree = parse_module(source)
    except SyntaxError as exc:
        return SourceAnalysis((), False, f"the script does not parse: {exc.msg} (line {exc.lineno})")
    except ValueError as exc:  # source with NUL bytes
        return SourceAnalysis((), False, f"the script does not parse: {exc}")
    return analyze_tree(tree)


def analyze_tree(tree: ast.Module) -> SourceAnalysis:
    """What a parsed script's upgrade() and downgrade() destroy, and whether it can be undone."""
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
    flags: list[Flag] = []
    for direction in ("upgrade", "downgrade"):
        fn = functions.get(direction)
        if fn is None:
            continue
        for node in ast.walk(fn):
            if isinstance(node, ast.Call) and (text := _describe(node)):
                flags.append(Flag(direction, node.lineno, text))
    down = functions.get("downgrade")
    reason = None
    if down is None:
        reason = "the script has no downgrade() function"
    elif _is_noop(down.body):
        reason = "downgrade() does nothing (pass): rolling back leaves the upgrade's changes in place"
    elif _raises_not_implemented(down.body):
        reason = "downgrade() raises NotImplementedError"
    return SourceAnalysis(tuple(flags), reason is not None, reason)


def flag_sql(sql: str) -> list[str]:
    """Destructive statements in offline SQL, in words, without duplicates, in order of appearance."""
    return list(dict.fromkeys(words for _, words in _destructions(sql)))
