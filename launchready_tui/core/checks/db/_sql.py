"""Pure SQL helpers on pglast (libpg_query, PostgreSQL's own parser): no I/O here.

* `normalize(text)` - the statement with every literal replaced by `$n`, so no customer
  data is shown, stored or exported. A text that does not parse is hidden, not shown raw.
* `analyse(text)` - which columns of which tables a SELECT filters on (equality and
  range), joins on and orders by: the raw material of an index suggestion.
* `tables_of(text)` - the tables a statement reads.
* `candidates(shape)` - the index column lists worth asking the planner about.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import re

    from pglast import ast
    from pglast.visitors import Ancestor

HIDDEN = "[statement text hidden: it could not be parsed, so its values could not be removed]"
_EQ_OPS = {"="}
_RANGE_OPS = {"<", ">", "<=", ">=", "~~", "~~*"}  # LIKE 'abc%' can use a btree in C collation


def normalize(text: str) -> str:
    """Literals -> $n (pglast), one line, at most 2,000 characters."""
    from pglast import parser

    try:
        out = parser.normalize(text)
    except Exception:  # noqa: BLE001 - pglast raises ParseError, or others on odd input
        return HIDDEN
    out = " ".join(out.split())
    return out if len(out) <= 2000 else out[:1997] + "..."


_TYPED_PARAM: re.Pattern[str] | None = None


def plannable(text: str) -> str:
    """pg_stat_statements writes a typed literal as `interval $2`, which does not parse;
    the same value as `$2::interval` does. Pure."""
    import re

    global _TYPED_PARAM
    if _TYPED_PARAM is None:
        _TYPED_PARAM = re.compile(
            r"\b(interval|timestamptz|timestamp|date|time|numeric|uuid|jsonb|json|inet)\s+\$(\d+)", re.I)
    return _TYPED_PARAM.sub(lambda m: f"${m.group(2)}::{m.group(1)}", text)


def is_select(text: str) -> bool:
    from pglast import ast, parser

    try:
        stmts = parser.parse_sql(text)
    except Exception:  # noqa: BLE001
        return False
    return len(stmts) == 1 and isinstance(stmts[0].stmt, ast.SelectStmt) and \
        getattr(stmts[0].stmt, "intoClause", None) is None and not stmts[0].stmt.lockingClause


def is_write(text: str) -> bool:
    """INSERT/UPDATE/DELETE/MERGE, DDL or anything that is not a read (for the tests'
    'never writes' assertion and the benchmark)."""
    from pglast import ast, parser

    try:
        stmts = parser.parse_sql(text)
    except Exception:  # noqa: BLE001
        return True
    reads = (ast.SelectStmt, ast.ExplainStmt, ast.VariableShowStmt, ast.VariableSetStmt,
             ast.TransactionStmt, ast.PrepareStmt, ast.ExecuteStmt, ast.DeallocateStmt)
    for s in stmts:
        st = s.stmt
        if isinstance(st, ast.SelectStmt) and (st.intoClause is not None):
            return True
        if isinstance(st, ast.PrepareStmt) and not isinstance(st.query, ast.SelectStmt):
            return True
        if not isinstance(st, reads):
            return True
    return False


@dataclass
class TableUse:
    table: str  # "name" or "schema.name"
    eq: list[str] = field(default_factory=list)
    range: list[str] = field(default_factory=list)
    join: list[str] = field(default_factory=list)
    order: list[str] = field(default_factory=list)

    def add(self, bucket: str, col: str) -> None:
        lst = getattr(self, bucket)
        if col not in lst:
            lst.append(col)

    def columns(self) -> list[str]:
        out: list[str] = []
        for c in (*self.eq, *self.range, *self.join, *self.order):
            if c not in out:
                out.append(c)
        return out


@dataclass
class Shape:
    tables: dict[str, TableUse] = field(default_factory=dict)
    unresolved: list[tuple[str, str]] = field(default_factory=list)  # (bucket, column)


def _strings(fields: Iterable[Any] | None) -> list[str]:
    from pglast import ast

    return [str(f.sval) for f in fields or () if isinstance(f, ast.String)]


class _Scope:
    def __init__(self) -> None:
        self.aliases: dict[str, str] = {}  # alias or name -> table
        self.tables: list[str] = []


def _collect_from(node: ast.Node | None, scope: _Scope, joins: list[ast.Node]) -> None:
    from pglast import ast

    if isinstance(node, ast.RangeVar):
        rel = str(node.relname)
        name = f"{node.schemaname}.{rel}" if node.schemaname else rel
        scope.tables.append(name)
        scope.aliases[str(node.alias.aliasname) if node.alias else rel] = name
        scope.aliases.setdefault(rel, name)
    elif isinstance(node, ast.JoinExpr):
        _collect_from(node.larg, scope, joins)
        _collect_from(node.rarg, scope, joins)
        if node.quals is not None:
            joins.append(node.quals)


def _col(node: ast.Node | None, scope: _Scope) -> tuple[str | None, str] | None:
    from pglast import ast

    while isinstance(node, ast.TypeCast):
        node = node.arg
    if not isinstance(node, ast.ColumnRef):
        return None
    parts = _strings(node.fields)
    if len(parts) != len(node.fields or ()) or not parts:
        return None  # a.* or similar
    col = parts[-1]
    if len(parts) >= 2:
        return scope.aliases.get(parts[-2]), col
    if len(scope.tables) == 1:
        return scope.tables[0], col
    return None, col


def _is_value(node: ast.Node | tuple[Any, ...] | None) -> bool:
    from pglast import ast

    while isinstance(node, ast.TypeCast):
        node = node.arg
    if isinstance(node, ast.ParamRef | ast.A_Const):
        return True
    if isinstance(node, ast.FuncCall):  # now(), current_date - interval: a value per row-set
        return all(_is_value(a) for a in (node.args or ()))
    if isinstance(node, ast.A_Expr):
        return _is_value(node.lexpr) and _is_value(node.rexpr) if node.lexpr is not None else _is_value(node.rexpr)
    if isinstance(node, ast.SQLValueFunction):
        return True
    return False


def _walk_cond(node: ast.Node | None, scope: _Scope, shape: Shape, bucket_override: str | None = None) -> None:
    from pglast import ast, enums

    if node is None:
        return
    if isinstance(node, ast.BoolExpr):
        for a in node.args or ():
            _walk_cond(a, scope, shape, bucket_override)
        return
    if isinstance(node, ast.NullTest):
        c = _col(node.arg, scope)
        if c:
            _note(shape, scope, "eq", c)
        return
    if isinstance(node, ast.SubLink):
        _walk_select(node.subselect, shape)
        if node.testexpr is not None:
            c = _col(node.testexpr, scope)
            if c:
                _note(shape, scope, "eq", c)
        return
    if not isinstance(node, ast.A_Expr):
        return
    op = "".join(_strings(node.name or ()))
    kind = node.kind
    left, right = node.lexpr, node.rexpr
    lc, rc = _col(left, scope), _col(right, scope) if not isinstance(right, list | tuple) else None
    if kind == enums.A_Expr_Kind.AEXPR_OP and lc and rc and op == "=":
        _note(shape, scope, "join", lc)
        _note(shape, scope, "join", rc)
        return
    if kind in (enums.A_Expr_Kind.AEXPR_IN,) or (kind == enums.A_Expr_Kind.AEXPR_OP_ANY and op == "="):
        if lc:
            _note(shape, scope, bucket_override or "eq", lc)
        return
    if kind in (enums.A_Expr_Kind.AEXPR_BETWEEN, enums.A_Expr_Kind.AEXPR_BETWEEN_SYM):
        if lc:
            _note(shape, scope, "range", lc)
        return
    if kind in (enums.A_Expr_Kind.AEXPR_OP, enums.A_Expr_Kind.AEXPR_LIKE):
        bucket = "eq" if op in _EQ_OPS else "range" if (op in _RANGE_OPS or kind == enums.A_Expr_Kind.AEXPR_LIKE) else None
        if bucket is None:
            return
        if lc and _is_value(right):
            _note(shape, scope, bucket_override or bucket, lc)
        elif rc and _is_value(left):
            _note(shape, scope, bucket_override or bucket, rc)


def _note(shape: Shape, scope: _Scope, bucket: str, c: tuple[str | None, str]) -> None:
    table, col = c
    if table is None:
        shape.unresolved.append((bucket, col))
        return
    shape.tables.setdefault(table, TableUse(table)).add(bucket, col)


def _walk_select(node: ast.Node | None, shape: Shape) -> None:
    from pglast import ast

    if not isinstance(node, ast.SelectStmt):
        return
    if node.op is not None and int(node.op) != 0:  # UNION / INTERSECT / EXCEPT
        _walk_select(node.larg, shape)
        _walk_select(node.rarg, shape)
        return
    if node.withClause is not None:
        for cte in node.withClause.ctes or ():
            _walk_select(cte.ctequery, shape)
    scope = _Scope()
    joins: list[ast.Node] = []
    for item in node.fromClause or ():
        _collect_from(item, scope, joins)
        if isinstance(item, ast.RangeSubselect):
            _walk_select(item.subquery, shape)
    for t in scope.tables:
        shape.tables.setdefault(t, TableUse(t))
    _walk_cond(node.whereClause, scope, shape)
    for q in joins:
        _walk_cond(q, scope, shape, "join")
    for s in node.sortClause or ():
        c = _col(s.node, scope)
        if c:
            _note(shape, scope, "order", c)


def analyse(text: str) -> Shape:
    """The shape of a SELECT (an empty Shape for anything else or a parse error)."""
    from pglast import parser

    shape = Shape()
    try:
        stmts = parser.parse_sql(text)
    except Exception:  # noqa: BLE001
        return shape
    for s in stmts:
        _walk_select(s.stmt, shape)
    return shape


def tables_of(text: str) -> list[str]:
    """Every table a statement names (reads or writes), in order of appearance."""
    from pglast import ast, parser
    from pglast.visitors import Visitor

    try:
        stmts = parser.parse_sql(text)
    except Exception:  # noqa: BLE001
        return []
    names: list[str] = []
    ctes: set[str] = set()

    class _V(Visitor):
        def visit_CommonTableExpr(self, ancestors: Ancestor, node: ast.CommonTableExpr) -> None:  # noqa: N802 - pglast's naming
            if node.ctename is not None:  # the parser always names a CTE
                ctes.add(node.ctename)

        def visit_RangeVar(self, ancestors: Ancestor, node: ast.RangeVar) -> None:  # noqa: N802
            if node.relname is None:  # the parser always names a table
                return
            n = f"{node.schemaname}.{node.relname}" if node.schemaname else node.relname
            if n not in names:
                names.append(n)

    v = _V()
    for s in stmts:
        if s.stmt is not None:
            v(s.stmt)
    _ = ast
    return [n for n in names if n not in ctes]


def candidates(use: TableUse, known_columns: set[str] | None = None) -> list[tuple[str, ...]]:
    """Index column lists to try for one table, best guess first (Dexter's order):
    equality columns then one range column; equality then the sort column; each
    column alone. Columns the table does not have are dropped."""

    def ok(cols: list[str]) -> list[str]:
        return [c for c in cols if known_columns is None or c in known_columns]

    eq, rng, join, order = ok(use.eq), ok(use.range), ok(use.join), ok(use.order)
    out: list[tuple[str, ...]] = []

    def add(cols: list[str]) -> None:
        t = tuple(dict.fromkeys(cols))
        if t and t not in out and len(t) <= 3:
            out.append(t)

    if eq and rng:
        add([*eq[:2], rng[0]])
    if eq and order:
        add([*eq[:2], order[0]])
    if eq:
        add(eq[:2])
    for c in (*rng, *join, *eq, *order):
        add([c])
    return out[:5]
