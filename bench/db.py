"""Benchmark: the data kinds on a database with 200 tables and 5,000 distinct statements.

Planted: 20 tables of 30,000 rows, each read by a statement that filters on a selective
column with no index (the missing indexes). Decoys: 5 tiny tables (200 rows) filtered on
a column with no index, and 5 big tables filtered on an unselective column (3 values):
an index would not help either, so none must be suggested. The other 170 tables get
thousands of cheap primary-key statements (5,000 distinct statements in all).

Prints: precision and recall of the suggested indexes (target: recall 100%, no decoy),
the wall time of all data kinds run together (target: under 3 s), and the load they put
on the database: how many statements they ran, and that none wrote.

    python bench/db.py            # needs PostgreSQL server binaries (and HypoPG for proof)
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

# bench/ holds email.py, which would shadow the standard library's email package: the
# repository root replaces the script's folder on the path.
sys.path[0] = str(Path(__file__).resolve().parents[1])

from launchready_tui.core.checks.db import _sql  # noqa: E402
from launchready_tui.lab import Lab, Rule, Site, World  # noqa: E402
from launchready_tui.lab.postgres import PgUnavailable, start_cluster  # noqa: E402
from launchready_tui.lab.web import Response  # noqa: E402

DB = "bench"
PLANTED = 20
TINY = 5
UNSELECTIVE = 5
OTHER = 200 - PLANTED - TINY - UNSELECTIVE
BIG_ROWS = 30_000
TINY_ROWS = 200
SMALL_ROWS = 100
DISTINCT = 5000
MON_PW = "bench-monitor-pw"
APP_PW = "bench-app-pw"


def build(cluster) -> dict[str, list[str]]:
    with cluster.admin() as a:
        a.execute(f"CREATE ROLE bench_app LOGIN PASSWORD '{APP_PW}'")
        a.execute(f"CREATE ROLE bench_monitor LOGIN PASSWORD '{MON_PW}'")
        a.execute("GRANT pg_monitor TO bench_monitor")
        a.execute(f"CREATE DATABASE {DB} OWNER bench_app")
    groups: dict[str, list[str]] = {"planted": [], "tiny": [], "unselective": [], "other": []}
    with cluster.admin(DB) as a:
        a.execute("CREATE EXTENSION pg_stat_statements")
        if cluster.hypopg:
            a.execute("CREATE EXTENSION hypopg")
        n = 0
        for kind, count, rows in (("planted", PLANTED, BIG_ROWS), ("tiny", TINY, TINY_ROWS),
                                  ("unselective", UNSELECTIVE, BIG_ROWS), ("other", OTHER, SMALL_ROWS)):
            for _ in range(count):
                t = f"t{n:03d}"
                n += 1
                groups[kind].append(t)
                a.execute(f"CREATE TABLE {t} (id bigint PRIMARY KEY, sel bigint NOT NULL, flag int NOT NULL, "
                          "a int, b int, c int, d int, e int, f text, g text, h timestamptz)")
                a.execute(f"INSERT INTO {t} SELECT i, i * 7919 % {rows * 10}, i % 3, i, i, i, i, i, 'x' || i, "
                          f"'y', now() - i * interval '1 minute' FROM generate_series(1, {rows}) i")
        a.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO bench_app, bench_monitor")
        a.execute("ANALYZE")
        a.execute("SELECT pg_stat_statements_reset()")
    return groups


def traffic(cluster, groups) -> int:
    """The app's statements: planted and decoy filters a few times, then cheap distinct ones."""
    import psycopg

    url = cluster.url("bench_app", APP_PW, DB)
    cols = ["a", "b", "c", "d", "e", "f", "g", "h"]
    combos = [(x, y) for i, x in enumerate(cols) for y in cols[i + 1:]] + [(x,) for x in cols]  # 36
    with psycopg.connect(url, autocommit=True) as c:
        for t in groups["planted"] + groups["tiny"]:
            for v in (7, 70, 700, 7000, 70000):
                c.execute(f"SELECT id, a, f FROM {t} WHERE sel = %s", (v,)).fetchall()
        for t in groups["unselective"]:
            for v in (0, 1, 2, 1, 0):
                c.execute(f"SELECT count(*) FROM {t} WHERE flag = %s", (v,)).fetchall()
        distinct = 0
        for t in groups["other"]:
            for combo in combos:
                if distinct >= DISTINCT - len(groups["planted"]) - TINY - UNSELECTIVE:
                    break
                c.execute(f"SELECT {', '.join(combo)} FROM {t} WHERE id = %s", (distinct % SMALL_ROWS + 1,)).fetchall()
                distinct += 1
        with c.cursor() as cur:  # pad with distinct shapes on the first table if short
            t = groups["other"][0]
            k = 0
            while distinct < DISTINCT - len(groups["planted"]) - TINY - UNSELECTIVE:
                cur.execute(f"SELECT id FROM {t} WHERE id = %s" + " AND a > %s" * (k % 40 + 1),
                            (1, *([0] * (k % 40 + 1))))
                k += 1
                distinct += 1
                if k > 40:
                    break
    with cluster.admin(DB) as a:
        return a.execute("SELECT count(*) FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid "
                         "WHERE r.rolname = 'bench_app'").fetchone()[0]


def run_kinds(cluster, groups, tmp: Path):
    from launchready_tui.core import registry
    from launchready_tui.core.context import CheckContext, RunOptions
    from launchready_tui.core.net import Net
    from launchready_tui.core.profile import load_profile, net_config
    from launchready_tui.core.state import StateStore

    url = cluster.url("bench_monitor", MON_PW, DB)
    app_url = cluster.url("bench_app", APP_PW, DB)
    t = groups["other"][1]

    def page(req):
        import psycopg

        with psycopg.connect(app_url, autocommit=True) as c:
            rows = [c.execute(f"SELECT a FROM {t} WHERE id = %s", (i,)).fetchone() for i in range(1, 4)]
        return Response(200, [("Content-Type", "application/json")], json.dumps(rows))

    d = "bench-db.test"
    w = World(records=[(d, "A", "127.0.0.1"), (f"admin.{d}", "A", "127.0.0.1")],
              sites={f"admin.{d}": Site(paths={"/admin/report": Rule(handler=page)})},
              files={".env.production": f"DATABASE_URL={app_url}\n"},
              profile={"project": "bench", "domain": d, "hosts": {"admin": f"admin.{d}"},
                       "environments": {"production": {"env_file": ".env.production"}},
                       "database": {"credential": "db-monitor",
                                    "routes": [{"url": f"https://admin.{d}/admin/report"}]}})

    class Store:
        def get_value(self, cid):
            return url

    with Lab(w, tmp / "lab") as lab:
        prof = load_profile(lab.profile_path)
        ctx = CheckContext(prof, Net(net_config(prof)), state=StateStore(prof.state_dir), credentials=Store(),
                           options=RunOptions(release="bench"))

        per_kind: dict[str, float] = {}

        async def all_kinds():
            async def timed(k, tgt):
                t = time.perf_counter()
                r = await k.check(ctx, tgt, {})
                per_kind[k.name] = time.perf_counter() - t
                return r

            jobs = []
            for name in ("db_queries", "db_indexes", "db_cache", "db_access", "db_route_queries"):
                k = registry.load_kind(name)
                for tgt in k.plan_targets(prof, {}):
                    jobs.append(timed(k, tgt))
            return await asyncio.gather(*jobs)

        for name in ("db_queries", "db_indexes", "db_cache", "db_access", "db_route_queries"):
            registry.load_kind(name)  # imports outside the timed part, as in a warm run
        # imports outside the timed part too (any run of `launchready check` has them loaded)
        import httpx  # noqa: F401
        import pglast  # noqa: F401
        import psycopg  # noqa: F401

        import launchready_tui.core.checks.env  # noqa: F401
        import launchready_tui.core.checks.latency  # noqa: F401
        import launchready_tui.core.redact  # noqa: F401

        t0 = time.perf_counter()
        results = asyncio.run(all_kinds())
        wall = time.perf_counter() - t0
    print("per kind (run together): " + ", ".join(f"{k} {v:.2f} s" for k, v in per_kind.items()))
    return results, wall


def main() -> int:
    try:
        cluster = start_cluster()
    except PgUnavailable as e:
        print(f"bench/db.py: {e}")
        return 2
    try:
        t0 = time.perf_counter()
        groups = build(cluster)
        distinct = traffic(cluster, groups)
        setup = time.perf_counter() - t0
        with tempfile.TemporaryDirectory() as tmp:
            results, wall = run_kinds(cluster, groups, Path(tmp))
        idx = next(r for r in results if r.check == "db_indexes")
        suggested = {(s["table"].split(".")[-1], s["columns"][0]) for s in idx.evidence.get("index_plan", [])}
        planted = {(t, "sel") for t in groups["planted"]}
        decoys = {(t, "sel") for t in groups["tiny"]} | {(t, "flag") for t in groups["unselective"]}
        hits = suggested & planted
        decoy_hits = suggested & decoys
        precision = len(hits) / len(suggested) if suggested else 0.0
        recall = len(hits) / len(planted)
        with cluster.admin(DB) as a:
            ran = a.execute("SELECT s.query, s.calls FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid "
                            "WHERE r.rolname = 'bench_monitor'").fetchall()
        writes = [q for q, _ in ran if _sql.is_write(q)]
        calls = sum(c for _, c in ran)
        print(f"setup: 200 tables, {distinct} distinct app statements in pg_stat_statements ({setup:.1f} s to build)")
        print(f"HypoPG: {'yes' if cluster.hypopg else 'no'}; PostgreSQL {cluster.major}")
        for r in results:
            print(f"  {r.check:17} {r.status.value:5} {r.summary[:110]}")
        print(f"suggested indexes: {len(suggested)}; planted found {len(hits)}/{len(planted)}; "
              f"decoys suggested {len(decoy_hits)}/{len(decoys)}")
        print(f"precision {precision:.0%}, recall {recall:.0%} (target: recall 100%, no decoy)")
        print(f"wall time of all data kinds together: {wall:.2f} s (target < 3 s)")
        print(f"load: {calls} statement executions ({len(ran)} distinct) by the monitoring role; "
              f"writes: {len(writes)}")
        print(f"statements planned: {idx.evidence.get('statements_planned')}, hypothetical indexes tried: "
              f"{idx.evidence.get('hypothetical_indexes')}")
        # The same without HypoPG: suggestions from the plans only (unproven)
        if cluster.hypopg:
            with cluster.admin(DB) as a:
                a.execute("DROP EXTENSION hypopg")
            with tempfile.TemporaryDirectory() as tmp:
                results2, _ = run_kinds(cluster, groups, Path(tmp))
            idx2 = next(r for r in results2 if r.check == "db_indexes")
            sug2 = {(s["table"].split(".")[-1], s["columns"][0]) for s in idx2.evidence.get("index_plan", [])}
            print(f"without HypoPG (unproven, from the plans): planted found {len(sug2 & planted)}/{len(planted)}, "
                  f"decoys suggested {len(sug2 & decoys)}/{len(decoys)}, "
                  f"precision {len(sug2 & planted) / len(sug2) if sug2 else 0:.0%}")
        ok = recall == 1.0 and not decoy_hits and wall < 3 and not writes
        return 0 if ok else 1
    finally:
        cluster.stop()


if __name__ == "__main__":
    _ = threading
    raise SystemExit(main())
