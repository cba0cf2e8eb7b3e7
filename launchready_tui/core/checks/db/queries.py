"""`db_queries`: the statements that take the database's time (pg_stat_statements).

Top statements by total time and by mean time. `fail` when a statement the app runs at
least 10 times has a mean above `budget_ms` (100), or when one statement takes more than
20% of all database time and is slower than 20 ms; `warn` at half the budget and when a
statement's mean grew by more than 20% since the last release. Each run returns a small
snapshot per statement (queryid, normalized text, calls, mean) in `evidence["snapshot"]`,
which the recorder (core/recorder.py) keeps in the history, keyed by release like the
latency snapshots, so the top-3 step and the handover show before/after.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

from launchready_tui.core.checks.base import Kind
from launchready_tui.core.checks.db import _run
from launchready_tui.core.checks.db._connect import DB_SCHEMA
from launchready_tui.core.checks.db._handover import handover
from launchready_tui.core.checks.db._stats import Statement, share_of_time, statement_evidence
from launchready_tui.core.recorder import SNAPSHOT
from launchready_tui.core.results import CheckResult, failed, passed, warned

if TYPE_CHECKING:
    import psycopg

    from launchready_tui.core.checks.db._connect import DbUrl
    from launchready_tui.core.context import CheckContext

KIND = "db_queries"
DEFAULT_BUDGET_MS = 100.0
MIN_CALLS = 10
HOG_SHARE = 0.20
HOG_MIN_MS = 20.0
REGRESSION_PCT = 20.0
REGRESSION_FLOOR_MS = 1.0  # sub-millisecond means wobble; never call them regressions
SNAPSHOT_SIZE = 50
TOP = 5


def _num(params: dict[str, Any], key: str, default: float) -> float:
    v = params.get(key)
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) and v > 0 else default


def previous_snapshot(history: list[dict[str, Any]], release: str) -> dict[str, Any] | None:
    """The newest db_statements snapshot from another release. Pure."""
    for h in reversed(history):
        if h.get("type") == "db_statements" and h.get("release") != release:
            return h
    return None


def make_snapshot(stmts: list[Statement], release: str, source: str, at: str) -> dict[str, Any]:
    top = sorted(stmts, key=lambda s: -s.total_ms)[:SNAPSHOT_SIZE]
    return {"type": "db_statements", "release": release, "release_source": source, "at": at,
            "statements": [{"queryid": str(s.queryid), "query": s.text, "calls": s.calls,
                            "mean_ms": round(s.mean_ms, 3)} for s in top]}


def evaluate(stmts: list[Statement], *, budget_ms: float = DEFAULT_BUDGET_MS,
             previous: dict[str, Any] | None = None, regression_pct: float = REGRESSION_PCT) -> dict[str, Any]:
    """Findings per statement, worst first, plus the tops. Pure."""
    share = share_of_time(stmts)
    prev = {str(p.get("queryid")): p for p in (previous or {}).get("statements", [])}
    findings: list[dict[str, Any]] = []
    before_after: list[dict[str, Any]] = []
    for s in stmts:
        ev = statement_evidence(s, share[s.queryid])
        p = prev.get(str(s.queryid))
        if p is not None and isinstance(p.get("mean_ms"), int | float):
            ev["before_mean_ms"] = p["mean_ms"]
            ev["before_release"] = previous.get("release") if previous else None
        old_ms = float((p or {}).get("mean_ms") or 0)
        regressed = (s.calls >= MIN_CALLS and old_ms >= REGRESSION_FLOOR_MS
                     and s.mean_ms > old_ms * (1 + regression_pct / 100))
        if regressed:
            ev["regression_pct"] = round((s.mean_ms / old_ms - 1) * 100, 1)
        if s.calls >= MIN_CALLS and s.mean_ms > budget_ms:
            findings.append({**ev, "finding": "slow", "level": "fail"})
        elif share[s.queryid] > HOG_SHARE and s.mean_ms > HOG_MIN_MS:
            findings.append({**ev, "finding": "hog", "level": "fail"})
        elif s.calls >= MIN_CALLS and s.mean_ms > budget_ms / 2:
            findings.append({**ev, "finding": "near_budget", "level": "warn"})
        elif regressed:
            findings.append({**ev, "finding": "regressed", "level": "warn"})
    by_total = sorted(stmts, key=lambda s: -s.total_ms)[:TOP]
    by_mean = sorted((s for s in stmts if s.calls >= MIN_CALLS), key=lambda s: -s.mean_ms)[:TOP]
    for s in by_total[:3]:
        p = prev.get(str(s.queryid))
        before_after.append({"query": s.text, "queryid": str(s.queryid), "after_mean_ms": round(s.mean_ms, 2),
                             "before_mean_ms": p.get("mean_ms") if p else None,
                             "before_release": previous.get("release") if previous and p else None})
    rank = {"fail": 0, "warn": 1}
    findings.sort(key=lambda f: (rank[f["level"]], -f["total_ms"]))
    return {
        "findings": findings,
        "top_by_total": [statement_evidence(s, share[s.queryid]) for s in by_total],
        "top_by_mean": [statement_evidence(s, share[s.queryid]) for s in by_mean],
        "before_after": before_after,
        "statements": len(stmts),
        "total_db_ms": round(sum(s.total_ms for s in stmts), 1),
    }


def _short(q: str, n: int = 90) -> str:
    return q if len(q) <= n else q[: n - 3] + "..."


def describe(f: dict[str, Any], budget: float) -> str:
    base = f"`{_short(f['query'])}` {f['mean_ms']:g} ms on average over {f['calls']} calls"
    if f["finding"] == "hog":
        return f"{base}, {f['share_pct']:g}% of all database time"
    if f["finding"] == "regressed":
        return f"{base}, was {f['before_mean_ms']:g} ms in {f.get('before_release')} (+{f['regression_pct']:g}%)"
    return f"{base} (budget {budget:g} ms)"


async def _body(conn: psycopg.AsyncConnection[Any], db: DbUrl, params: dict[str, Any], ctx: CheckContext) -> CheckResult:
    from launchready_tui.core.checks.db._stats import read_statements
    from launchready_tui.core.checks.latency import release_name

    stmts = await read_statements(conn)
    budget = _num(params, "budget_ms", DEFAULT_BUDGET_MS)
    pct = _num(params, "regression_pct", REGRESSION_PCT)
    release, source = await release_name(ctx)
    prev = None
    history_error = ""
    if ctx.state is not None and stmts:
        try:
            prev = previous_snapshot(ctx.state.read_history(), release)
        except OSError as e:
            history_error = f"could not read the history: {e.strerror or e}"
    out = evaluate(stmts, budget_ms=budget, previous=prev, regression_pct=pct)
    ev: dict[str, Any] = {**out, "budget_ms": budget, "release": release}
    if stmts:
        # returned in the evidence; the recorder (core/recorder.py) moves it to the history
        ev[SNAPSHOT] = make_snapshot(stmts, release, source, ctx.clock().isoformat(timespec="seconds"))
    if prev is not None:
        ev["previous_release"] = prev.get("release")
    if history_error:
        ev["history_error"] = history_error
    fails = [f for f in out["findings"] if f["level"] == "fail"]
    warns = [f for f in out["findings"] if f["level"] == "warn"]
    compared = [b for b in out["before_after"] if isinstance(b.get("before_mean_ms"), int | float)]
    ba = ""
    if prev is not None and compared:
        ba = (f" Before/after ({prev.get('release')} -> {release}): " +
              "; ".join(f"`{_short(b['query'], 60)}` {b['before_mean_ms']:g} -> {b['after_mean_ms']:g} ms"
                        for b in compared) + ".")
    fix = ("Give this list to your developer. For each query: run the Indexes step's check, "
           "which names the exact index to add and proves it with the planner; if it needs no "
           "index, make the query fetch less (a LIMIT and pagination, fewer columns, no "
           "per-row query in a loop). Deploy, then run this check again: the next release is "
           "compared with this one.")
    if fails:
        lines = "; ".join(describe(f, budget) for f in fails[:3])
        return failed(KIND, "database", f"{len(fails)} slow quer{'y' if len(fails) == 1 else 'ies'}: {lines}.{ba}",
                      evidence=ev, fix=fix,
                      why=f"Every page that runs these queries waits for them. Above {budget:g} ms a "
                      "query makes admin pages feel broken and, under load, ties up database connections.")
    if warns:
        lines = "; ".join(describe(f, budget) for f in warns[:3])
        return warned(KIND, "database", f"{len(warns)} quer{'y is' if len(warns) == 1 else 'ies are'} "
                      f"getting slow: {lines}.{ba}", evidence=ev, fix=fix,
                      why="Queries near the budget or slower than last release become the next "
                      "slow page as the tables grow.")
    top = out["top_by_total"][0] if out["top_by_total"] else None
    tail = f"; the busiest is `{_short(top['query'])}` ({top['share_pct']:g}% of database time)" if top else ""
    return passed(KIND, "database", f"no slow query among {len(stmts)} statements (budget {budget:g} ms){tail}.{ba}",
                  evidence=ev, why="Every query the app runs often stays within the budget.")


async def check(ctx: CheckContext, target: str, params: dict[str, Any]) -> CheckResult:
    """Two steps with the same check in one run (slow-queries, top-3) read the database
    once and store one snapshot."""
    import copy

    from launchready_tui.core.checks.latency import shared_probe

    key = ("db_queries", str(sorted((k, str(v)) for k, v in params.items() if k in ("budget_ms", "regression_pct"))))
    r: CheckResult = await shared_probe(getattr(ctx, "net", None) or ctx, key,
                                        lambda: _run.run(KIND, ctx, target, lambda conn, db: _body(conn, db, params, ctx)))
    out = copy.deepcopy(r)
    if SNAPSHOT in r.evidence:  # the same object in every copy: the recorder keeps it once
        out.evidence[SNAPSHOT] = r.evidence[SNAPSHOT]
    return out


PROBLEM_LEVEL = 6  # pages are slow (core/problems.py's ranking)


def problem_findings(r: CheckResult) -> list[dict[str, Any]]:
    """One problem per statement, stable across runs (its queryid)."""
    return [{"code": f"{f['finding'].replace('_', '-')}-{f['queryid']}", "title": describe(f, r.evidence.get("budget_ms") or 100),
             "status": f["level"]} for f in r.evidence.get("findings") or []]


class DbQueriesEvidence(TypedDict, total=False):
    findings: list[dict[str, Any]]
    top_by_total: list[dict[str, Any]]
    top_by_mean: list[dict[str, Any]]
    before_after: list[dict[str, Any]]
    statements: int
    total_db_ms: float
    budget_ms: float
    release: str
    previous_release: str
    database: str
    snapshot: dict[str, Any]  # taken out by the recorder into the history


CHECK_KIND = Kind(
    name=KIND,
    family="data",
    title="Slow queries",
    plain="no query the app runs often is slow",
    about="pg_stat_statements top statements by total and mean time; before/after per release",
    check=check,
    targets=_run.targets,
    deadline_fn=_run.deadline,
    schema=DB_SCHEMA,
    evidence=DbQueriesEvidence,
    shown=("findings", "before_after", "top_by_total", "budget_ms", "release", "previous_release"),
    hidden=frozenset({"top_by_mean"}),
    handover=handover,  # the handover's Database section, one for all five data kinds
)
