"""A real PostgreSQL for the data-family tests: one throwaway cluster per test session.

Databases in it (all seeded from `lab/demo_db.py`, realistic volumes):
* `acme`     - with pg_stat_statements and HypoPG (when the extension is installed);
* `plain`    - the same data and traffic, without HypoPG;
* `nostats`  - no pg_stat_statements extension.
Roles: `acme_app` (the app, a superuser: the planted problem), `launchready_monitor`
(pg_monitor + CONNECT only), `app_ok` (a least-privilege app role with timeouts).
"""

from __future__ import annotations

import asyncio
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from launchready_tui.lab import Lab, Rule, Site, World, demo_db
from launchready_tui.lab.postgres import PgCluster, start_cluster

D = "acme-db.test"
ADMIN = f"admin.{D}"


@dataclass
class PgWorld:
    cluster: PgCluster
    app_pw: str
    mon_pw: str
    ok_pw: str
    pages: dict[str, demo_db.AdminPages] = field(default_factory=dict)

    def url(self, role: str, db: str = "acme", password: str | None = None, **kw) -> str:
        pw = password if password is not None else {demo_db.APP_ROLE: self.app_pw, demo_db.MONITOR_ROLE: self.mon_pw,
                                                      "app_ok": self.ok_pw}[role]
        return self.cluster.url(role, pw, db, **kw)

    def statements_by(self, role: str) -> list[dict[str, Any]]:
        with self.cluster.admin("acme") as a:
            cur = a.execute("SELECT s.query FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid "
                            "WHERE r.rolname = %s", (role,))
            return [{"query": r[0]} for r in cur.fetchall()]


def start_pg_world() -> PgWorld:
    cluster = start_cluster()
    try:
        w = PgWorld(cluster, secrets.token_urlsafe(12), secrets.token_urlsafe(12), secrets.token_urlsafe(12))
        demo_db.seed(cluster, app_password=w.app_pw, monitor_password=w.mon_pw)
        with cluster.admin() as a:
            a.execute(f"CREATE DATABASE plain TEMPLATE {demo_db.DB} OWNER {demo_db.APP_ROLE}")
            a.execute("CREATE DATABASE nostats")
            a.execute(f"CREATE ROLE app_ok LOGIN PASSWORD '{w.ok_pw}'")
            a.execute("ALTER ROLE app_ok SET statement_timeout = '5s'")
            a.execute("ALTER ROLE app_ok SET idle_in_transaction_session_timeout = '60s'")
            for db in ("acme", "plain", "nostats"):
                a.execute(f"GRANT CONNECT ON DATABASE {db} TO {demo_db.MONITOR_ROLE}, app_ok")
        with cluster.admin("plain") as a:
            a.execute("DROP EXTENSION IF EXISTS hypopg")
            a.execute("SELECT pg_stat_statements_reset()")
        with cluster.admin("acme") as a:
            a.execute("GRANT USAGE ON SCHEMA public TO app_ok")
            a.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO app_ok")
        for db in ("acme", "plain"):
            pages = demo_db.AdminPages(threading.Event())
            pages.url = cluster.url(demo_db.APP_ROLE, w.app_pw, db)
            pages.ready.set()
            demo_db.warm_up(pages, rounds=10)
            w.pages[db] = pages
        return w
    except BaseException:
        cluster.stop()
        raise


def make_lab(tmp_path: Path, pgw: PgWorld, *, url: str, database: dict[str, Any] | None = None,
             db: str = "acme") -> Lab:
    pages = pgw.pages.get(db) or pgw.pages["acme"]
    site = Site(paths={
        "/admin/creators": Rule(handler=pages.creators),
        "/admin/payouts": Rule(handler=pages.payouts),
        "/admin/flags": Rule(handler=pages.flags),
    })
    prof = {
        "project": "Acme DB test", "domain": D, "hosts": {"admin": ADMIN},
        "environments": {"production": {"env_file": ".env.production"}},
        "database": database if database is not None else {
            "routes": [{"name": "creators", "url": f"https://{ADMIN}/admin/creators"},
                       {"name": "payouts", "url": f"https://{ADMIN}/admin/payouts"},
                       {"name": "flags", "url": f"https://{ADMIN}/admin/flags"}]},
    }
    w = World(records=[(D, "A", "127.0.0.1"), (ADMIN, "A", "127.0.0.1")], sites={ADMIN: site},
              files={".env.production": f"DATABASE_URL={url}\nNODE_ENV=production\n"}, profile=prof)
    return Lab(w, tmp_path / "lab")


def context(lab: Lab, credentials=None):
    from launchready_tui.core.context import CheckContext, RunOptions
    from launchready_tui.core.net import Net
    from launchready_tui.core.profile import load_profile, net_config
    from launchready_tui.core.state import StateStore

    prof = load_profile(lab.profile_path)
    return CheckContext(prof, Net(net_config(prof)), state=StateStore(prof.state_dir),
                        credentials=credentials, options=RunOptions(release="r1"))


def run_kind(ctx, kind: str, target: str = "database", params: dict | None = None):
    from launchready_tui.core import registry

    k = registry.load_kind(kind)
    tgt = next((t for t in k.plan_targets(ctx.profile, params or {}) if t == target), None)
    return asyncio.run(k.check(ctx, tgt if tgt is not None else target, params or {}))
