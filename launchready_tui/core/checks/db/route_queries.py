"""`db_route_queries`: how many queries each admin page runs, from the database's side.

For each route (`database.routes`, default the GET routes of `performance.routes`): read
pg_stat_statements, wait a short quiet window and read it again (what other traffic
runs meanwhile), request the route a few times, read it again, and divide. A statement
run 10 or more times per request is an N+1 (`fail`, naming the route, the statement and
the count); more than 50 queries per request is a `warn`. The result says how much other
traffic was seen, because it adds noise.

The requests follow the latency probe's safety rules (`core/guard.py`): only the
profile's own hosts, GET only, a bounded number of requests, each with a timeout.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from typing import TYPE_CHECKING, Any, TypedDict

from launchready_tui.core.checks.base import Kind, Target
from launchready_tui.core.checks.db import _run
from launchready_tui.core.checks.db._connect import DB_SCHEMA
from launchready_tui.core.checks.db._handover import handover
from launchready_tui.core.registry import MissingInput
from launchready_tui.core.results import CheckResult, errored, failed, passed, skipped, warned

if TYPE_CHECKING:
    import psycopg

    from launchready_tui.core.checks.db._connect import DbUrl
    from launchready_tui.core.context import CheckContext
    from launchready_tui.core.net import Net
    from launchready_tui.core.profile import Profile

KIND = "db_route_queries"
DEFAULT_REQUESTS = 3
MAX_REQUESTS = 10
N_PLUS_ONE = 10  # the same statement this many times per request
TOO_MANY = 50  # queries per request
QUIET_WINDOW_S = 0.5

# One route at a time per run: two routes measured together would count each other's queries.
_LOCKS: weakref.WeakKeyDictionary[Net, asyncio.Lock] = weakref.WeakKeyDictionary()


def _routes(profile: Profile, params: dict[str, Any]) -> list[dict[str, Any]]:
    raw = params.get("routes") or profile.get("database.routes") or profile.get("performance.routes") or []
    out: list[dict[str, Any]] = []
    for r in raw:
        r = r if isinstance(r, dict) else {"url": str(r)}
        if r.get("url") and str(r.get("method") or "GET").upper() == "GET":
            out.append(r)
    return out


def targets(profile: Profile, params: dict[str, Any]) -> list[Target]:
    _run.targets(profile, params)  # a database to read, or MissingInput
    routes = _routes(profile, params)
    if not routes:
        raise MissingInput("database.routes", "admin pages (GET) to count the queries of")
    return [Target(str(r["url"]), r) for r in routes]


def deadline(params: dict[str, Any], timeout_s: float) -> float:
    return QUIET_WINDOW_S + MAX_REQUESTS * timeout_s * 2 + 30


def per_request(before: dict[int, tuple[int, str]], quiet: dict[int, tuple[int, str]],
                after: dict[int, tuple[int, str]], n: int, quiet_s: float, window_s: float
                ) -> tuple[list[dict[str, Any]], float, int]:
    """Statements per request, other traffic removed as well as it can be. Pure.

    Returns ([{queryid, query, per_request, calls}], other traffic in statements/s, the
    number of statements other traffic is estimated to have added to the window)."""
    from launchready_tui.core.checks.db._stats import diff

    background = diff(before, quiet)
    during = diff(quiet, after)
    rate = sum(c for c, _ in background.values()) / quiet_s if quiet_s > 0 else 0.0
    scale = window_s / quiet_s if quiet_s > 0 else 0.0
    rows: list[dict[str, Any]] = []
    noise = 0
    for qid, (calls, text) in during.items():
        bg = background.get(qid, (0, text))[0] * scale
        noise += int(round(min(bg, calls)))
        own = max(0.0, calls - bg)
        if own <= 0:
            continue
        rows.append({"queryid": str(qid), "query": text, "calls": calls, "per_request": round(own / n, 1)})
    rows.sort(key=lambda r: -float(r["per_request"]))
    return rows, round(rate, 1), noise


async def _request_all(ctx: CheckContext, url: str, headers: dict[str, str], n: int) -> tuple[list[int], list[str]]:
    statuses: list[int] = []
    errors: list[str] = []
    for _ in range(n):
        try:
            r = await ctx.net.fetch(url, method="GET", headers=headers, max_bytes=2 * 1024 * 1024,
                                    deadline_s=2 * ctx.net.timeout_s)
            statuses.append(int(r.status))
        except Exception as e:  # noqa: BLE001 - any network failure is reported, not raised
            errors.append(type(e).__name__)
    return statuses, errors


async def check(ctx: CheckContext, target: str, params: dict[str, Any]) -> CheckResult:
    from launchready_tui.core.guard import NeedsCredential, auth_headers, own_host_refusal

    route = dict(getattr(target, "data", None) or {"url": str(target)})
    url = str(route.get("url") or target)
    refusal = own_host_refusal(KIND, ctx.profile, url, "request")
    if refusal is not None:
        return refusal
    try:
        headers, _secret = await auth_headers(ctx, route)
    except NeedsCredential as e:
        return skipped(KIND, url, e.reason, evidence={"url": url, "credential": e.cred_id})
    except OSError as e:
        return errored(KIND, url, str(e), evidence={"url": url})
    try:
        n = max(1, min(MAX_REQUESTS, int(params.get("requests") or route.get("requests") or DEFAULT_REQUESTS)))
    except (TypeError, ValueError):
        n = DEFAULT_REQUESTS
    name = route.get("name") or url

    async def body(conn: psycopg.AsyncConnection[Any], db: DbUrl) -> CheckResult:
        from launchready_tui.core.checks.db._stats import snapshot

        lock = _LOCKS.setdefault(ctx.net, asyncio.Lock())
        async with lock:
            before = await snapshot(conn)
            t0 = time.monotonic()
            await asyncio.sleep(QUIET_WINDOW_S)
            quiet = await snapshot(conn)
            quiet_s = time.monotonic() - t0
            t1 = time.monotonic()
            statuses, errors = await _request_all(ctx, url, headers, n)
            after = await snapshot(conn)
            window_s = time.monotonic() - t1
        ok = [s for s in statuses if s < 400]
        ev: dict[str, Any] = {"url": url, "requests": n, "statuses": statuses}
        if errors:
            ev["request_errors"] = errors
        if not ok:
            why = f"HTTP {statuses[0]}" if statuses else (errors[0] if errors else "no answer")
            return errored(KIND, url, f"{name} did not answer successfully ({why}), so its queries "
                           "could not be counted", evidence=ev,
                           fix="Open the page in a browser. If it needs a login, store a test account "
                           "with `launchready credentials add ID` and add `auth: ID` to the route.")
        rows, rate, noise = per_request(before, quiet, after, len(ok), quiet_s, window_s)
        total = round(sum(r["per_request"] for r in rows), 1)
        ev.update({"queries_per_request": total, "statements": rows[:10],
                   "other_traffic_per_s": rate, "other_traffic_in_window": noise,
                   "noise_note": (f"other traffic on the database ran about {rate:g} statements/s "
                                  f"while measuring (about {noise} statements removed from the count); "
                                  "measure at a quiet moment or on staging for exact figures")})
        noise_txt = f" Other traffic seen: about {rate:g} statements/s (counts may be off by that much)."
        worst = rows[0] if rows else None
        if worst and worst["per_request"] >= N_PLUS_ONE:
            return failed(
                KIND, url,
                f"N+1 on {name}: `{worst['query'][:120]}` runs {worst['per_request']:g} times per "
                f"request ({total:g} queries per request in all).{noise_txt}",
                evidence={**ev, "n_plus_one": [r for r in rows if r["per_request"] >= N_PLUS_ONE]},
                why="The page asks the database the same question once per row. It gets slower "
                "with every new creator or post, and a busy list can time out.",
                fix=f"Ask your developer to load the related rows in one query for {name} (a join, "
                "or `WHERE id = ANY($1)` with all the ids; in an ORM: Rails `includes`, Django "
                "`select_related`/`prefetch_related`, Prisma `include`). Then run this check again: "
                "the count should drop to one or two queries for that statement.",
            )
        if total > TOO_MANY:
            return warned(KIND, url, f"{name} runs {total:g} queries per request.{noise_txt}", evidence=ev,
                          why="Each query is a round trip to the database; many of them add up to "
                          "a slow page even when each one is fast.",
                          fix="Ask your developer to combine the queries this page runs (load related "
                          "rows together, cache settings that rarely change). Run the check again after.")
        return passed(KIND, url, f"{name} runs {total:g} quer{'y' if total == 1 else 'ies'} per request, none repeated "
                      f"{N_PLUS_ONE} times or more.{noise_txt}", evidence=ev,
                      why="The page asks the database a small, fixed number of questions.")

    return await _run.run(KIND, ctx, url, body)


PROBLEM_LEVEL = 6  # pages are slow


def problem_findings(r: CheckResult) -> list[dict[str, Any]]:
    ev = r.evidence
    out = [{"code": f"n-plus-one-{s['queryid']}", "title": f"N+1: `{s['query'][:80]}` {s['per_request']:g} times per request",
            "status": "fail"} for s in ev.get("n_plus_one") or []]
    if not out:
        out = [{"code": "too-many-queries", "title": r.summary, "status": str(r.status)}]
    return out


class DbRouteQueriesEvidence(TypedDict, total=False):
    url: str
    requests: int
    queries_per_request: float
    statements: list[dict[str, Any]]
    n_plus_one: list[dict[str, Any]]
    other_traffic_per_s: float
    noise_note: str


CHECK_KIND = Kind(
    name=KIND,
    family="data",
    title="Queries per page",
    plain="no admin page repeats a query once per row (N+1)",
    about="pg_stat_statements snapshot before/after requesting each admin route (GET, own hosts only)",
    check=check,
    targets=targets,
    deadline_fn=deadline,
    schema=DB_SCHEMA,
    evidence=DbRouteQueriesEvidence,
    shown=("queries_per_request", "n_plus_one", "statements", "noise_note"),
    handover=handover,  # the handover's Database section, one for all five data kinds
)
