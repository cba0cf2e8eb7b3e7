"""`db_cache`: hot repeated reads worth caching, and the database's own memory cache.

A statement is a cache candidate when the app calls it very often (`min_calls`, 100,
and at least 2% of all calls), it returns few rows (at most 20 per call), and every table
it reads is rarely written (writes under 5% of its calls, or a small table whose rows
were each written about once): feature flags, settings, plans. `warn` with the cache rule to write. Also `warn` when the buffer cache hit ratio
(reads answered from memory) is below 99%.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

from launchready_tui.core.checks.base import Kind
from launchready_tui.core.checks.db import _run
from launchready_tui.core.checks.db._connect import DB_SCHEMA, fetch
from launchready_tui.core.checks.db._handover import handover
from launchready_tui.core.results import CheckResult, passed, warned

if TYPE_CHECKING:
    import psycopg

    from launchready_tui.core.checks.db._connect import DbUrl
    from launchready_tui.core.checks.db._stats import Statement
    from launchready_tui.core.context import CheckContext

KIND = "db_cache"
MIN_CALLS = 100
MIN_CALL_SHARE = 0.02
MAX_ROWS_PER_CALL = 20
MAX_WRITE_RATIO = 0.05
SMALL_TABLE = 10_000
HIT_RATIO = 0.99
MIN_BLOCKS = 10_000  # fewer block reads than this: too little to judge the ratio


def candidates(stmts: list[Statement], tables: dict[str, dict[str, Any]], *, min_calls: int = MIN_CALLS) -> list[dict[str, Any]]:
    """Hot, small, rarely-changing reads. Pure."""
    from launchready_tui.core.checks.db._sql import is_select, tables_of

    all_calls = sum(s.calls for s in stmts) or 1
    out: list[dict[str, Any]] = []
    for s in stmts:
        if s.calls < min_calls or s.calls / all_calls < MIN_CALL_SHARE or s.rows_per_call > MAX_ROWS_PER_CALL:
            continue
        if not is_select(s.text):
            continue
        names = tables_of(s.text)
        if not names:
            continue
        got = [tables.get(n) for n in names]
        info = [t for t in got if t is not None]
        if len(info) != len(got):
            continue
        writes = sum(int(t["writes"] or 0) for t in info)
        rows = sum(int(t["rows"] or 0) for t in info)
        # rarely written: few writes for the reads, or a small table whose rows were each
        # written about once (seeded settings, flags, plans) and not churned since
        settled = rows <= SMALL_TABLE and writes <= 2 * max(rows, 1)
        if writes > s.calls * MAX_WRITE_RATIO and not settled:
            continue
        out.append({"query": s.text, "queryid": str(s.queryid), "calls": s.calls,
                    "call_share_pct": round(s.calls / all_calls * 100, 1),
                    "rows_per_call": round(s.rows_per_call, 1), "mean_ms": round(s.mean_ms, 2),
                    "tables": names, "table_writes": writes,
                    "rule": cache_rule(names, s.text)})
    out.sort(key=lambda c: -c["calls"])
    return out


def cache_rule(tables: list[str], query: str) -> str:
    what = ", ".join(tables)
    return (f"Cache the result of `{query[:100]}` ({what}) for 60 seconds in the app "
            "(in memory per server, or a shared Redis), keyed by its parameters; clear it "
            f"when the app writes to {what}. Never cache one user's private data in a shared key.")


async def _body(conn: psycopg.AsyncConnection[Any], db: DbUrl, params: dict[str, Any]) -> CheckResult:
    from launchready_tui.core.checks.db._stats import read_statements, table_stats

    stmts = await read_statements(conn)
    tables = await table_stats(conn)
    cands = candidates(stmts, tables, min_calls=int(params.get("min_calls") or MIN_CALLS))
    rows = await fetch(conn, "SELECT blks_hit, blks_read FROM pg_stat_database WHERE datname = current_database()")
    hit, read = (int(rows[0]["blks_hit"] or 0), int(rows[0]["blks_read"] or 0)) if rows else (0, 0)
    ratio = hit / (hit + read) if hit + read else None
    ev: dict[str, Any] = {"cache_rules": cands[:10],
                          "buffer_hit_pct": None if ratio is None else round(ratio * 100, 2),
                          "block_reads": hit + read}
    low_ratio = ratio is not None and hit + read >= MIN_BLOCKS and ratio < HIT_RATIO
    parts = []
    if cands:
        parts.append(f"{len(cands)} hot read{'s' if len(cands) != 1 else ''} worth caching: " +
                     "; ".join(f"`{c['query'][:80]}` ({c['calls']} calls, {c['rows_per_call']:g} row{'' if c['rows_per_call'] == 1 else 's'} each, "
                               f"{', '.join(c['tables'])} rarely written)" for c in cands[:3]))
    if low_ratio and ratio is not None:
        parts.append(f"only {ratio * 100:.1f}% of reads come from the database's memory (target 99%)")
    if parts:
        fixes = [c["rule"] for c in cands[:5]]
        if low_ratio:
            fixes.append("The database reads from disk too often: move to a plan with more memory "
                         "(your host's database settings), or add the missing indexes (Indexes step) "
                         "so fewer pages are read.")
        return warned(KIND, "database", ". ".join(parts), evidence=ev,
                      fix="Give these cache rules to your developer, and write them in the cache "
                      "rules record below:\n- " + "\n- ".join(fixes),
                      why="The same answer is worked out again on every request. A short cache "
                      "takes that load off the database, so it has room for the queries that matter.")
    tail = "" if ratio is None else f"; {ratio * 100:.2f}% of reads come from memory"
    return passed(KIND, "database", f"no hot repeated read worth caching{tail}", evidence=ev,
                  why="The database is not asked the same small question over and over.")


async def check(ctx: CheckContext, target: str, params: dict[str, Any]) -> CheckResult:
    return await _run.run(KIND, ctx, target, lambda conn, db: _body(conn, db, params))


PROBLEM_LEVEL = 6  # pages are slow


def problem_findings(r: CheckResult) -> list[dict[str, Any]]:
    ev = r.evidence
    out = [{"code": f"cache-{c['queryid']}", "title": f"worth caching: `{c['query'][:80]}`", "status": "warn"}
           for c in ev.get("cache_rules") or []]
    if isinstance(ev.get("buffer_hit_pct"), int | float) and ev["buffer_hit_pct"] < HIT_RATIO * 100 \
            and int(ev.get("block_reads") or 0) >= MIN_BLOCKS:
        out.append({"code": "buffer-hit-ratio", "title": f"only {ev['buffer_hit_pct']:g}% of reads from memory",
                    "status": "warn"})
    return out


class DbCacheEvidence(TypedDict, total=False):
    cache_rules: list[dict[str, Any]]
    buffer_hit_pct: float
    block_reads: int


CHECK_KIND = Kind(
    name=KIND,
    family="data",
    title="Cache",
    plain="reads that rarely change are not asked again on every request",
    about="hot small reads of rarely-written tables (cache rules); buffer cache hit ratio",
    check=check,
    targets=_run.targets,
    deadline_fn=_run.deadline,
    schema=DB_SCHEMA,
    evidence=DbCacheEvidence,
    shown=("cache_rules", "buffer_hit_pct"),
    handover=handover,  # the handover's Database section, one for all five data kinds
)
