"""The handover's database section, named by the data kinds' `CHECK_KIND.handover`:
stage 4's deliverables, out of the kinds' evidence.

* the index plan (`db_indexes`: each index with the queries it serves, the planner's cost
  before and after, proven or not, and the exact statement to run);
* the cache rules (`db_cache`);
* before/after per statement (`db_queries` snapshots in the history, keyed by release);
* queries per admin page (`db_route_queries`) and the app's database role (`db_access`).

Absent when no data kind has run, so documents of projects without a database do not change.
Query texts come normalized from the kinds (no literal values): nothing here adds any.
The section is written on the document through `core/checks/_handover.py`'s `SectionDoc`
(checks never import the export).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from launchready_tui.core.checks._handover import SectionDoc, latest


@dataclass
class DataView:
    index_plan: list[dict[str, Any]] = field(default_factory=list)
    drops: list[dict[str, Any]] = field(default_factory=list)
    cache_rules: list[dict[str, Any]] = field(default_factory=list)
    before_after: list[dict[str, Any]] = field(default_factory=list)
    releases: tuple[str, str] = ("", "")
    routes: list[dict[str, Any]] = field(default_factory=list)
    access: dict[str, Any] | None = None
    hypopg: bool | None = None

    def layout(self, d: SectionDoc) -> None:
        _layout(self, d)


def before_after(history: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], tuple[str, str]]:
    """Per statement: mean in the previous release's snapshot and in the latest. Pure."""
    snaps = [h for h in history if isinstance(h, dict) and h.get("type") == "db_statements"]
    if not snaps:
        return [], ("", "")
    last = snaps[-1]
    prev = next((h for h in reversed(snaps) if h.get("release") != last.get("release")), None)
    old = {str(s.get("queryid")): s for s in (prev or {}).get("statements", [])}
    rows = []
    for s in last.get("statements", [])[:10]:
        o = old.get(str(s.get("queryid")))
        rows.append({"query": s.get("query", ""), "calls": s.get("calls"), "after_ms": s.get("mean_ms"),
                     "before_ms": o.get("mean_ms") if o else None})
    return rows, ((prev or {}).get("release", ""), last.get("release", ""))


def data_view(results: list[Any], history: list[dict[str, Any]]) -> DataView | None:
    """The section's data (the kinds' `handover`), or None when no data kind has run."""
    kinds = ("db_queries", "db_indexes", "db_route_queries", "db_cache", "db_access")
    if not any(r.check in kinds for r in results) and not any(
            isinstance(h, dict) and h.get("type") == "db_statements" for h in history):
        return None
    v = DataView()
    for r in latest(results, "db_indexes")[:1]:
        ev = r.evidence
        v.index_plan = list(ev.get("index_plan") or []) + [
            {**f, "proven": False, "reason": f"foreign key to {f.get('references')} with no index "
             f"({f.get('rows', 0):,} rows)", "queries": []} for f in ev.get("foreign_keys") or []]
        v.drops = list(ev.get("duplicates") or []) + list(ev.get("unused") or [])
        v.hypopg = ev.get("hypopg")
    for r in latest(results, "db_cache")[:1]:
        v.cache_rules = list(r.evidence.get("cache_rules") or [])
    v.before_after, v.releases = before_after(history)
    for r in latest(results, "db_route_queries"):
        ev = r.evidence
        v.routes.append({"url": r.target, "status": r.status, "per_request": ev.get("queries_per_request"),
                         "worst": (ev.get("statements") or [{}])[0]})
    for r in latest(results, "db_access")[:1]:
        v.access = {"status": r.status, "summary": r.summary, **{k: r.evidence.get(k) for k in ("role", "findings")}}
    return v


def _ms(v: Any) -> str:
    return "—" if not isinstance(v, int | float) else f"{v:,.1f} ms"


def _layout(v: DataView, d: SectionDoc) -> None:
    d.h(2, "Database", toc=True)
    d.p("From the database's own statistics (pg_stat_statements), read with a read-only login. "
        "Query texts have their values replaced by $1, $2: no customer data is in this document.")
    d.h(3, "Index plan", toc=True)
    if v.index_plan:
        proof = ("Proven: the planner's cost with a hypothetical index (HypoPG) is at most half of today's."
                 if v.hypopg else "Unproven: HypoPG is not installed, so these come from the plans only.")
        d.p(proof, cls="small")
        d.table(["Table", "Columns", "Why", "Cost before → after", "Serves"],
                [[[d.code(s.get("table", ""))], [", ".join(s.get("columns") or [])],
                  [("proven: " if s.get("proven") else "unproven: ") + str(s.get("reason", ""))],
                  [f"{s['cost_before']:,.0f} → {s['cost_after']:,.0f}" if s.get("cost_after") is not None
                   and s.get("cost_before") is not None else "—"],
                  [f"{len(s.get('queries') or [])} quer{'y' if len(s.get('queries') or []) == 1 else 'ies'}"]]
                 for s in v.index_plan])
        d.p("Run these one at a time, outside a transaction (CONCURRENTLY keeps the table writable):")
        d.code_block("\n".join(s["statement"] for s in v.index_plan if s.get("statement")), "sql")
    else:
        d.p("No missing index found in the busiest queries.", cls="small")
    if v.drops:
        d.p("Indexes to drop (duplicates, or large and never used):")
        d.code_block("\n".join(x["statement"] for x in v.drops if x.get("statement")), "sql")
    d.h(3, "Cache rules", toc=True)
    if v.cache_rules:
        d.table(["Query", "Calls", "Rows each", "Rule"],
                [[[d.code(c.get("query", "")[:160])], [f"{c.get('calls', 0):,}"], [str(c.get("rows_per_call", ""))],
                  [c.get("rule", "")]] for c in v.cache_rules])
    else:
        d.p("No hot repeated read worth caching was seen.", cls="small")
    d.h(3, "Queries before and after", toc=True)
    if v.before_after:
        before, after = v.releases
        d.p(f"Mean time per call in release {before or '(none yet)'} and in {after}.", cls="small")
        d.table(["Query", "Calls", f"Before ({before or '—'})", f"After ({after})"],
                [[[d.code(str(r["query"])[:160])], [f"{r.get('calls') or 0:,}"], [_ms(r.get("before_ms"))],
                  [_ms(r.get("after_ms"))]] for r in v.before_after])
    else:
        d.p("No query snapshots yet. Run `launchready check --stage 4 --release NAME` after each release.",
            cls="note")
    if v.routes:
        d.h(3, "Queries per admin page")
        d.table(["Page", "Queries per request", "Most repeated", "Status"],
                [[[d.code(r["url"])], [str(r.get("per_request"))],
                  [d.code(str((r.get("worst") or {}).get("query", ""))[:120])] if r.get("worst") else ["—"],
                  [r["status"]]] for r in v.routes])
    if v.access:
        d.h(3, "The app's database login")
        d.p(f"{v.access.get('role')}: {v.access.get('summary')}")


handover = data_view  # CHECK_KIND.handover of every data kind (one section for all five)
