"""`db_indexes`: missing indexes, proven with the planner; duplicate and unused ones.

For the statements that take the most time, pglast finds the filtered, joined and
ordered columns on tables big enough to matter (`min_rows`, 10,000). The planner is asked
for the generic plan (never EXPLAIN ANALYZE). Where HypoPG is installed, each candidate is
created hypothetically and the plan's cost compared: an index is suggested only when the
cost at least halves (proven). Without HypoPG a candidate is suggested from the plan (a
sequential scan on a big table that keeps few of its rows) and marked unproven. When the
monitoring role may not plan the app's tables, candidates come from the query shape and
the table statistics, unproven, and the result says which grant proves them.

Also: foreign-key columns with no index on tables above 10,000 rows, duplicate indexes
(one a prefix of another) and large unused indexes (`warn`). Every fix is the exact
`CREATE INDEX CONCURRENTLY` / `DROP INDEX CONCURRENTLY` statement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

from launchready_tui.core.checks.base import Kind
from launchready_tui.core.checks.db import _run
from launchready_tui.core.checks.db._connect import DB_SCHEMA, fetch
from launchready_tui.core.checks.db._handover import handover
from launchready_tui.core.results import CheckResult, failed, passed, warned

if TYPE_CHECKING:
    import psycopg

    from launchready_tui.core.checks.db._connect import DbUrl
    from launchready_tui.core.checks.db._sql import TableUse
    from launchready_tui.core.checks.db._stats import Statement
    from launchready_tui.core.context import CheckContext

KIND = "db_indexes"
MIN_ROWS = 10_000
TOP_STATEMENTS = 200
PROOF_RATIO = 0.5  # suggest only when the cost at least halves
SELECTIVE = 0.10  # without HypoPG: the planner expects to keep at most 10% of the table
UNUSED_MIN_BYTES = 8 * 1024 * 1024

_INDEXES_SQL = """
SELECT n.nspname AS schema, t.relname AS tab, i.relname AS idx, ix.indisunique AS uniq,
       ix.indisprimary AS pk, am.amname AS am, pg_relation_size(i.oid) AS bytes,
       coalesce(s.idx_scan, 0) AS scans, ix.indpred IS NOT NULL AS partial,
       ix.indexprs IS NOT NULL AS expr,
       array(SELECT a.attname::text FROM unnest(ix.indkey) WITH ORDINALITY k(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.ord) AS cols
  FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid
  JOIN pg_namespace n ON n.oid = t.relnamespace JOIN pg_am am ON am.oid = i.relam
  LEFT JOIN pg_stat_all_indexes s ON s.indexrelid = ix.indexrelid
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
"""
_FKS_SQL = """
SELECT n.nspname AS schema, c.relname AS tab, con.conname AS name, f.relname AS ref,
       array(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum ORDER BY k.ord) AS cols
  FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_class f ON f.oid = con.confrelid
 WHERE con.contype = 'f'
"""
_COLUMNS_SQL = """
SELECT n.nspname AS schema, c.relname AS tab, array_agg(a.attname::text) AS cols
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'm')
   AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
 GROUP BY 1, 2
"""


@dataclass
class Suggestion:
    table: str  # schema.table
    columns: tuple[str, ...]
    proven: bool
    reason: str
    cost_before: float | None = None
    cost_after: float | None = None
    queries: list[dict[str, Any]] = field(default_factory=list)

    def to_evidence(self) -> dict[str, Any]:
        from launchready_tui.core.checks.db._plan import index_statement

        return {
            "table": self.table, "columns": list(self.columns), "proven": self.proven,
            "statement": index_statement(self.table, self.columns), "reason": self.reason,
            "cost_before": None if self.cost_before is None else round(self.cost_before, 1),
            "cost_after": None if self.cost_after is None else round(self.cost_after, 1),
            "queries": self.queries[:5],
        }


# ------------------------------------------------------------------------------ pure parts


def covered(cols: tuple[str, ...], existing: list[tuple[str, ...]]) -> bool:
    """An existing index starts with these columns (it serves the same lookups). Pure."""
    return any(tuple(e[: len(cols)]) == tuple(cols) for e in existing)


def duplicate_indexes(indexes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Indexes whose columns are a prefix of another btree index's on the same table
    (the longer one serves every lookup the shorter does). Unique and primary keys are
    kept: they enforce a rule. Pure."""
    out = []
    plain = [i for i in indexes if i["am"] == "btree" and not i["partial"] and not i["expr"] and i["cols"]]
    for a in plain:
        if a["uniq"] or a["pk"]:
            continue
        for b in plain:
            if a is b or a["schema"] != b["schema"] or a["tab"] != b["tab"]:
                continue
            if len(b["cols"]) >= len(a["cols"]) and list(b["cols"][: len(a["cols"])]) == list(a["cols"]) \
                    and (len(b["cols"]) > len(a["cols"]) or a["idx"] > b["idx"]):
                out.append({"index": f"{a['schema']}.{a['idx']}", "table": f"{a['schema']}.{a['tab']}",
                            "columns": list(a["cols"]), "covered_by": f"{b['schema']}.{b['idx']}",
                            "bytes": a["bytes"],
                            "statement": f"DROP INDEX CONCURRENTLY IF EXISTS {a['schema']}.{a['idx']};"})
                break
    return out


def unused_indexes(indexes: list[dict[str, Any]], min_bytes: int = UNUSED_MIN_BYTES,
                   keep: set[str] | frozenset[str] = frozenset(), min_table_scans: int = 100) -> list[dict[str, Any]]:
    """Large indexes never used on a table whose other indexes are used (so the
    statistics have seen real traffic); `keep` (indexes that cover a duplicate) stays. Pure."""
    used_per_table: dict[tuple[str, str], int] = {}
    for i in indexes:
        used_per_table[(i["schema"], i["tab"])] = used_per_table.get((i["schema"], i["tab"]), 0) + int(i["scans"])
    return [{"index": f"{i['schema']}.{i['idx']}", "table": f"{i['schema']}.{i['tab']}",
             "columns": list(i["cols"]), "bytes": i["bytes"],
             "statement": f"DROP INDEX CONCURRENTLY IF EXISTS {i['schema']}.{i['idx']};"}
            for i in indexes if i["scans"] == 0 and i["bytes"] >= min_bytes and not i["uniq"] and not i["pk"]
            and f"{i['schema']}.{i['idx']}" not in keep
            and used_per_table[(i["schema"], i["tab"])] >= min_table_scans]


def unindexed_foreign_keys(fks: list[dict[str, Any]], existing: dict[str, list[tuple[str, ...]]],
                           rows: dict[str, int], min_rows: int = MIN_ROWS) -> list[dict[str, Any]]:
    out = []
    for fk in fks:
        table = f"{fk['schema']}.{fk['tab']}"
        cols = tuple(fk["cols"])
        if rows.get(table, 0) < min_rows or covered(cols, existing.get(table, [])):
            continue
        out.append({"table": table, "columns": list(cols), "references": fk["ref"], "rows": rows.get(table, 0)})
    return out


def _mb(b: int) -> str:
    return f"{b / 1024 / 1024:.1f} MB"


# ------------------------------------------------------------------------------ the check


class _Catalog:
    def __init__(self, indexes: list[dict[str, Any]], fks: list[dict[str, Any]], columns: list[dict[str, Any]],
                 tables: dict[str, dict[str, Any]]) -> None:
        self.indexes = indexes
        self.fks = fks
        self.columns: dict[str, set[str]] = {}
        self.names: dict[str, str] = {}  # how statements name a table -> schema.table
        for r in columns:
            full = f"{r['schema']}.{r['tab']}"
            self.columns[full] = set(r["cols"])
            if r["schema"] == "public" or r["tab"] not in self.names:
                self.names[r["tab"]] = full
            self.names[full] = full
        self.existing: dict[str, list[tuple[str, ...]]] = {}
        for i in indexes:
            if not i["partial"] and not i["expr"] and i["am"] == "btree":
                self.existing.setdefault(f"{i['schema']}.{i['tab']}", []).append(tuple(i["cols"]))
        self.rows = {f"{v['schemaname']}.{v['relname']}": int(v["rows"]) for v in tables.values()}
        self.tables = tables

    def full(self, name: str) -> str | None:
        return self.names.get(name)


async def _catalog(conn: psycopg.AsyncConnection[Any]) -> _Catalog:
    from launchready_tui.core.checks.db._stats import table_stats

    return _Catalog(await fetch(conn, _INDEXES_SQL), await fetch(conn, _FKS_SQL),
                    await fetch(conn, _COLUMNS_SQL), await table_stats(conn))


async def find_missing(conn: psycopg.AsyncConnection[Any], stmts: list[Statement], cat: _Catalog, *, major: int, hypopg: bool,
                       min_rows: int = MIN_ROWS) -> tuple[dict[tuple[str, tuple[str, ...]], Suggestion], dict[str, Any]]:
    """Suggestions keyed by (table, columns), plus notes on how they were found."""
    from launchready_tui.core.checks.db import _plan, _sql

    found: dict[tuple[str, tuple[str, ...]], Suggestion] = {}
    notes = {"planned": 0, "plan_errors": 0, "permission_denied": 0, "hypothetical": 0}
    await _plan.prepare_session(conn, major)
    for s in sorted(stmts, key=lambda s: -s.total_ms)[:TOP_STATEMENTS]:
        sql = _sql.plannable(s.text)
        shape = _sql.analyse(sql)
        big: dict[str, TableUse] = {}
        for name, use in shape.tables.items():
            full = cat.full(name)
            if full and cat.rows.get(full, 0) >= min_rows:
                big[full] = use
        for bucket, col in shape.unresolved:  # unqualified column in a join: find its table
            owners = [t for t in big if col in cat.columns.get(t, set())]
            if len(owners) == 1:
                big[owners[0]].add(bucket, col)
        todo = []
        for full, use in big.items():
            cands = [c for c in _sql.candidates(use, cat.columns.get(full))
                     if not covered(c, cat.existing.get(full, []))]
            if cands:
                todo.append((full, cands))
        if not todo or not _sql.is_select(sql):
            continue
        qref = {"query": s.text, "queryid": str(s.queryid), "calls": s.calls, "mean_ms": round(s.mean_ms, 2)}
        try:
            plan = await _plan.generic_plan(conn, sql, major)
            notes["planned"] += 1
        except _plan.PlanError as e:
            if "permission denied" in str(e):
                notes["permission_denied"] += 1
                for full, cands in todo:
                    t = cat.tables.get(full) or {}
                    per_scan = (t.get("seq_tup_read") or 0) / max(1, t.get("seq_scan") or 1)
                    if (t.get("seq_scan") or 0) > 0 and per_scan >= min_rows / 2:
                        sug = found.setdefault((full, cands[0]), Suggestion(
                            full, cands[0], False,
                            f"{full} is read in full {t.get('seq_scan')} times ({per_scan:,.0f} rows each) "
                            "and this query filters on these columns (unproven: the monitoring role "
                            "may not plan queries on this table)"))
                        sug.queries.append(qref)
            else:
                notes["plan_errors"] += 1
            continue
        before = float(plan.get("Total Cost", 0.0))
        scans = {sc["table"]: sc for sc in _plan.seq_scans(plan)}
        for full, cands in todo:
            short = full.split(".", 1)[1]
            scan = scans.get(short)
            if scan is None:
                continue  # the planner already avoids reading this table in full
            if hypopg:
                best: tuple[float, tuple[str, ...]] | None = None
                for c in cands:
                    try:
                        after, used = await _plan.hypothetical_cost(conn, sql, major, full, c)
                    except _plan.PlanError:
                        continue
                    notes["hypothetical"] += 1
                    if used and after <= before * PROOF_RATIO and (best is None or after < best[0] * 0.9):
                        best = (after, c)
                if best is None:
                    continue
                after, c = best
                known = found.get((full, c))
                if known is None:
                    known = found[(full, c)] = Suggestion(
                        full, c, True,
                        f"the planner's cost drops from {before:,.0f} to {after:,.0f} with this index "
                        f"({before / max(after, 0.01):,.0f}x cheaper), proven with a hypothetical index",
                        before, after)
                known.queries.append(qref)
            else:
                rows = cat.rows.get(full, 0)
                kept = float(scan.get("rows") or 0)
                if rows and kept / rows <= SELECTIVE:
                    c = cands[0]
                    sug = found.setdefault((full, c), Suggestion(
                        full, c, False,
                        f"the plan reads all {rows:,} rows of {full} to keep about {kept:,.0f} "
                        "(unproven: install HypoPG to measure the gain before building it)",
                        before, None))
                    sug.queries.append(qref)
    return found, notes


async def _body(conn: psycopg.AsyncConnection[Any], db: DbUrl, params: dict[str, Any]) -> CheckResult:
    from launchready_tui.core.checks.db._connect import server_major
    from launchready_tui.core.checks.db._plan import hypopg_available, index_statement
    from launchready_tui.core.checks.db._stats import read_statements

    min_rows = int(params.get("min_rows") or MIN_ROWS)
    stmts = await read_statements(conn)
    cat = await _catalog(conn)
    major = await server_major(conn)
    hypo = await hypopg_available(conn)
    found, notes = await find_missing(conn, stmts, cat, major=major, hypopg=hypo, min_rows=min_rows)
    sugg = sorted(found.values(), key=lambda s: (not s.proven, -sum(q["calls"] * q["mean_ms"] for q in s.queries)))
    fks = unindexed_foreign_keys(cat.fks, cat.existing, cat.rows, min_rows)
    fk_plan = [f for f in fks if (f["table"], tuple(f["columns"])) not in found]
    dups = duplicate_indexes(cat.indexes)
    unused = unused_indexes(cat.indexes, int(params.get("unused_min_bytes") or UNUSED_MIN_BYTES),
                            keep={d["covered_by"] for d in dups} | {d["index"] for d in dups})
    ev: dict[str, Any] = {
        "index_plan": [s.to_evidence() for s in sugg],
        "foreign_keys": [{**f, "statement": index_statement(f["table"], tuple(f["columns"]))} for f in fk_plan],
        "duplicates": dups,
        "unused": unused,
        "hypopg": hypo,
        "server_major": major,
        "statements_planned": notes["planned"],
        "hypothetical_indexes": notes["hypothetical"],
        "min_rows": min_rows,
    }
    if notes["permission_denied"]:
        ev["planning_refused"] = notes["permission_denied"]
    statements = [s["statement"] for s in ev["index_plan"]] + [f["statement"] for f in ev["foreign_keys"]]
    drops = [d["statement"] for d in dups] + [u["statement"] for u in unused]
    proof = ("" if hypo else " Install HypoPG (`postgresql-NN-hypopg`, then `CREATE EXTENSION hypopg;`) "
             "so LaunchReady can prove each index before anyone builds it.")
    if notes["permission_denied"]:
        proof += (" The monitoring role may not plan queries on the app's tables; to prove the "
                  "suggestions run `GRANT SELECT ON ALL TABLES IN SCHEMA public TO launchready_monitor;` "
                  "(EXPLAIN only plans: it reads no rows).")
    fix = ("Give these statements to your developer, to run one at a time at a quiet moment "
           "(CONCURRENTLY builds without locking the table, so the app keeps working; it cannot "
           "run inside a transaction block, so run each on its own in psql or a migration with "
           "the transaction turned off):\n" + "\n".join(statements + drops) +
           "\nThen run this check again: the suggestion disappears once the index exists." + proof)
    proven = [s for s in sugg if s.proven]
    parts = []
    if sugg:
        parts.append(f"{len(sugg)} missing index{'es' if len(sugg) != 1 else ''} "
                     f"({len(proven)} proven by the planner): " +
                     "; ".join(f"{s.table} ({', '.join(s.columns)})" for s in sugg[:4]))
    if fk_plan:
        parts.append(f"{len(fk_plan)} foreign key{'s' if len(fk_plan) != 1 else ''} without an index: " +
                     "; ".join(f"{f['table']} ({', '.join(f['columns'])})" for f in fk_plan[:3]))
    if dups:
        parts.append(f"{len(dups)} duplicate index{'es' if len(dups) != 1 else ''}: " +
                     "; ".join(f"{d['index']} (covered by {d['covered_by']})" for d in dups[:3]))
    if unused:
        parts.append(f"{len(unused)} large unused index{'es' if len(unused) != 1 else ''}: " +
                     "; ".join(f"{u['index']} ({_mb(u['bytes'])})" for u in unused[:3]))
    summary = ". ".join(parts)
    if proven:
        return failed(KIND, "database", summary, evidence=ev, fix=fix,
                      why="Without these indexes the database reads whole tables to answer admin "
                      "filters and lists; they get slower with every new row until pages time out.")
    if parts:
        return warned(KIND, "database", summary, evidence=ev, fix=fix,
                      why="Missing indexes make lookups read whole tables; duplicate and unused "
                      "ones slow every write and take disk space for nothing.")
    how = "proven with hypothetical indexes" if hypo else "from the plans"
    return passed(KIND, "database", f"no missing index found in the top {min(len(stmts), TOP_STATEMENTS)} "
                  f"statements ({notes['planned']} planned, {how}); no duplicate or unused index",
                  evidence=ev, why="The busy queries already use indexes.")


async def check(ctx: CheckContext, target: str, params: dict[str, Any]) -> CheckResult:
    return await _run.run(KIND, ctx, target, lambda conn, db: _body(conn, db, params))


PROBLEM_LEVEL = 6  # pages are slow


def problem_findings(r: CheckResult) -> list[dict[str, Any]]:
    """One problem per index to add or drop (stable: table and columns, or the index name)."""
    ev = r.evidence
    out = [{"code": f"missing-index-{s['table']}-{'-'.join(s['columns'])}",
            "title": f"missing index on {s['table']} ({', '.join(s['columns'])})" + ("" if s.get("proven") else ", unproven"),
            "status": "fail" if s.get("proven") else "warn"} for s in ev.get("index_plan") or []]
    out += [{"code": f"fk-without-index-{f['table']}-{'-'.join(f['columns'])}",
             "title": f"foreign key {f['table']} ({', '.join(f['columns'])}) has no index", "status": "warn"}
            for f in ev.get("foreign_keys") or []]
    out += [{"code": f"duplicate-index-{d['index']}", "title": f"duplicate index {d['index']}", "status": "warn"}
            for d in ev.get("duplicates") or []]
    out += [{"code": f"unused-index-{u['index']}", "title": f"unused index {u['index']}", "status": "warn"}
            for u in ev.get("unused") or []]
    return out


class DbIndexesEvidence(TypedDict, total=False):
    index_plan: list[dict[str, Any]]
    foreign_keys: list[dict[str, Any]]
    duplicates: list[dict[str, Any]]
    unused: list[dict[str, Any]]
    hypopg: bool
    statements_planned: int
    database: str


CHECK_KIND = Kind(
    name=KIND,
    family="data",
    title="Indexes",
    plain="busy queries have the index they need, proven by the planner",
    about="pglast columns + generic-plan EXPLAIN + HypoPG cost proof; unindexed FKs; duplicate/unused indexes",
    check=check,
    targets=_run.targets,
    deadline_fn=_run.deadline,
    schema=DB_SCHEMA,
    evidence=DbIndexesEvidence,
    shown=("index_plan", "foreign_keys", "duplicates", "unused", "hypopg"),
    handover=handover,  # the handover's Database section, one for all five data kinds
)
