"""Demo world, database part: a creator platform's PostgreSQL with planted data-path problems.

A throwaway cluster (`lab/postgres.py`) holds `acme`: users, creators, subscriptions,
posts, payouts, events and feature_flags, seeded with realistic volumes in a few
seconds. The admin site gains pages that really query it:

* `/admin/creators` - the creator list with a post count per creator, one query per row
  (an N+1), on `posts.creator_id`, a foreign key with no index;
* `/admin/payouts` - pending payouts of the last 30 days, filtered by status and date
  with no index on either;
* `/admin/flags` - reads every feature flag one query at a time on every request
  (hammers a table that almost never changes);
* the app connects as `acme_app`, a superuser, with no statement timeout;
* `events` carries a duplicate index (user_id) beside (user_id, at).

The cluster starts in the background (`DemoDatabase.start` returns at once), so it does
not delay the app's first frame; the pages answer 503 until it is ready. Without
PostgreSQL the part is left out and the demo says how to install it.
"""

from __future__ import annotations

import secrets
import threading
from typing import TYPE_CHECKING

from launchready_tui.lab import Rule, World
from launchready_tui.lab.web import Request, Response

if TYPE_CHECKING:
    from launchready_tui.lab.postgres import PgCluster

DB = "acme"
APP_ROLE = "acme_app"
MONITOR_ROLE = "launchready_monitor"
FLAGS = [f"flag_{n}" for n in ("new_editor", "payout_v2", "tips", "bundles", "dark_mode", "live",
                                "dm", "referrals", "coupons", "analytics", "shop", "polls")]

# Tables first, then the data, then the foreign keys and indexes (a bulk check and
# build is much faster than per-row triggers and index updates while seeding).
SCHEMA_SQL = """
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name text NOT NULL,
                    created_at timestamptz NOT NULL);
CREATE TABLE creators (id bigint PRIMARY KEY, user_id bigint NOT NULL, handle text NOT NULL,
                       status text NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE subscriptions (id bigint PRIMARY KEY, user_id bigint NOT NULL, creator_id bigint NOT NULL,
                            status text NOT NULL, price_cents int NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE posts (id bigint PRIMARY KEY, creator_id bigint NOT NULL, title text NOT NULL,
                    published_at timestamptz NOT NULL);
CREATE TABLE payouts (id bigint PRIMARY KEY, creator_id bigint NOT NULL, amount_cents int NOT NULL,
                      status text NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE events (id bigint PRIMARY KEY, user_id bigint NOT NULL, kind text NOT NULL,
                     at timestamptz NOT NULL);
CREATE TABLE feature_flags (name text PRIMARY KEY, enabled boolean NOT NULL, rollout int NOT NULL);
"""

CONSTRAINTS_SQL = """
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);
ALTER TABLE creators ADD CONSTRAINT creators_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id);
ALTER TABLE subscriptions ADD CONSTRAINT subscriptions_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id);
ALTER TABLE subscriptions ADD CONSTRAINT subscriptions_creator_id_fkey FOREIGN KEY (creator_id) REFERENCES creators(id);
ALTER TABLE posts ADD CONSTRAINT posts_creator_id_fkey FOREIGN KEY (creator_id) REFERENCES creators(id);
ALTER TABLE payouts ADD CONSTRAINT payouts_creator_id_fkey FOREIGN KEY (creator_id) REFERENCES creators(id);
CREATE INDEX creators_user_id_idx ON creators (user_id);
CREATE INDEX subscriptions_user_id_idx ON subscriptions (user_id);
CREATE INDEX subscriptions_creator_id_idx ON subscriptions (creator_id);
CREATE INDEX payouts_creator_id_idx ON payouts (creator_id);
CREATE INDEX events_user_id_idx ON events (user_id);
CREATE INDEX events_user_id_at_idx ON events (user_id, at);
"""

SEED_SQL = """
INSERT INTO users SELECT g, 'user' || g || '@example.test', 'User ' || g,
       now() - (g % 730) * interval '1 day' FROM generate_series(1, {users}) g;
INSERT INTO creators SELECT g, g * 9, 'creator' || g,
       (ARRAY['active','active','active','pending','suspended'])[1 + g % 5],
       now() - (g % 700) * interval '1 day' FROM generate_series(1, {creators}) g;
INSERT INTO subscriptions SELECT g, 1 + (g * 7) % {users}, 1 + g % {creators},
       (ARRAY['active','active','canceled'])[1 + g % 3], 500 + (g % 20) * 100,
       now() - (g % 700) * interval '1 day' FROM generate_series(1, {subscriptions}) g;
INSERT INTO posts SELECT g, 1 + (g * 13) % {creators}, 'Post ' || g,
       now() - (g % 700) * interval '1 day' FROM generate_series(1, {posts}) g;
INSERT INTO payouts SELECT g, 1 + g % {creators}, 1000 + g % 50000,
       (ARRAY['paid','paid','paid','paid','failed','pending'])[1 + g % 6],
       now() - (g % 730) * interval '1 day' - (g % 1440) * interval '1 minute'
  FROM generate_series(1, {payouts}) g;
INSERT INTO events SELECT g, 1 + g % {users}, (ARRAY['login','view','tip','follow'])[1 + g % 4],
       now() - (g % 100000) * interval '1 minute' FROM generate_series(1, {events}) g;
"""

VOLUMES = {"users": 60_000, "creators": 6_000, "subscriptions": 120_000, "posts": 80_000,
           "payouts": 400_000, "events": 200_000}

# What the admin pages run (the app's own code, in a real platform).
CREATORS_SQL = "SELECT id, handle, status FROM creators ORDER BY id LIMIT 20"
POST_COUNT_SQL = "SELECT count(*) FROM posts WHERE creator_id = %s"
PAYOUTS_SQL = ("SELECT id, creator_id, amount_cents, created_at FROM payouts WHERE status = %s "
               "AND created_at >= now() - interval '30 days' ORDER BY created_at DESC LIMIT 50")
FLAG_SQL = "SELECT enabled, rollout FROM feature_flags WHERE name = %s"


def seed(cluster, *, app_password: str, monitor_password: str, volumes: dict[str, int] | None = None) -> None:
    """Create the roles, the database and its data (superuser connection, seeding only)."""
    vol = {**VOLUMES, **(volumes or {})}
    with cluster.admin() as a:
        a.execute(f"CREATE ROLE {APP_ROLE} LOGIN SUPERUSER PASSWORD {_lit(app_password)}")
        a.execute(f"CREATE ROLE {MONITOR_ROLE} LOGIN PASSWORD {_lit(monitor_password)}")
        a.execute(f"GRANT pg_monitor TO {MONITOR_ROLE}")
        a.execute(f"CREATE DATABASE {DB} OWNER {APP_ROLE}")
    with cluster.admin(DB) as a:
        a.execute("CREATE EXTENSION pg_stat_statements")
        if cluster.hypopg:
            a.execute("CREATE EXTENSION hypopg")
        a.execute(f"SET ROLE {APP_ROLE}")
        a.execute(SCHEMA_SQL)
        a.execute(SEED_SQL.format(**vol))
        a.execute(CONSTRAINTS_SQL)
        a.execute("INSERT INTO feature_flags SELECT name, n %% 2 = 0, n * 10 FROM unnest(%s::text[]) "
                  "WITH ORDINALITY f(name, n)", (FLAGS,))
        a.execute("RESET ROLE")
        a.execute(f"GRANT CONNECT ON DATABASE {DB} TO {MONITOR_ROLE}")
        a.execute("ANALYZE")
        a.execute("SELECT pg_stat_statements_reset()")


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


class AdminPages:
    """The admin pages' handlers, on one connection per web-server thread (as the app)."""

    def __init__(self, ready: threading.Event) -> None:
        self.ready = ready
        self.url: str | None = None
        self._local = threading.local()

    def _conn(self):
        import psycopg

        c = getattr(self._local, "conn", None)
        if c is None or c.closed:
            c = self._local.conn = psycopg.connect(self.url, autocommit=True, application_name="acme-admin",
                                                   connect_timeout=5)
        return c

    def _json(self, fn) -> Response:
        import json

        if not self.ready.wait(30) or self.url is None:
            return Response(503, [("Content-Type", "application/json"), ("Retry-After", "2")],
                            '{"error":"the demo database is still starting"}')
        try:
            body = fn(self._conn())
        except Exception as e:  # noqa: BLE001 - the lab answers 500 like an app would
            self._local.conn = None
            return Response(500, [("Content-Type", "application/json")], json.dumps({"error": type(e).__name__}))
        return Response(200, [("Content-Type", "application/json")], json.dumps(body, default=str))

    def creators(self, req: Request) -> Response:
        def run(c):
            rows = c.execute(CREATORS_SQL).fetchall()
            return [{"id": r[0], "handle": r[1], "status": r[2],
                     "posts": c.execute(POST_COUNT_SQL, (r[0],)).fetchone()[0]} for r in rows]  # N+1
        return self._json(run)

    def payouts(self, req: Request) -> Response:
        return self._json(lambda c: c.execute(PAYOUTS_SQL, ("pending",)).fetchall())

    def flags(self, req: Request) -> Response:
        return self._json(lambda c: {n: c.execute(FLAG_SQL, (n,)).fetchone() for n in FLAGS})


class DemoDatabase:
    """A World service: starts the cluster and seeds it in a background thread."""

    def __init__(self, pages: AdminPages, app_password: str, monitor_password: str, port: int) -> None:
        self.pages, self.app_password, self.monitor_password = pages, app_password, monitor_password
        self.port = port
        self.cluster: PgCluster | None = None
        self.error: str | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="demo-database", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        from launchready_tui.lab.postgres import PgUnavailable, start_cluster

        try:
            self.cluster = cluster = start_cluster(port=self.port)
            if self._stop.is_set():  # the lab stopped while the server was starting
                cluster.stop()
                return
            seed(cluster, app_password=self.app_password, monitor_password=self.monitor_password)
            self.pages.url = cluster.url(APP_ROLE, self.app_password, DB)
            self.pages.ready.set()
            warm_up(self.pages, stop=self._stop)  # a morning of admin use, so the statistics have something to show
        except (PgUnavailable, OSError) as e:
            self.error = str(e)
        except Exception as e:  # noqa: BLE001 - reported by wait(); the rest of the demo goes on
            self.error = f"{type(e).__name__}: {e}"
        finally:
            self.pages.ready.set()
            if self._stop.is_set() and self.cluster is not None:
                self.cluster.stop()  # stop() gave up waiting for this thread: clean up here

    def wait(self, timeout: float = 90) -> str | None:
        """Block until the database is seeded; the error text, or None when ready."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self.error

    def stop(self) -> None:
        self._stop.set()
        if self.cluster is not None:  # quitting while it seeds: stop the server, the seeding ends
            self.cluster.stop()
        if self._thread is not None:
            self._thread.join(30)
        c = getattr(self.pages._local, "conn", None)
        if c is not None:
            try:
                c.close()
            except Exception:  # noqa: BLE001
                pass
        if self.cluster is not None:
            self.cluster.stop()


def warm_up(pages: AdminPages, rounds: int = 10, stop: threading.Event | None = None) -> None:
    req = Request("GET", "admin", "/", {}, b"", "https", "127.0.0.1")
    for _ in range(rounds):
        if stop is not None and stop.is_set():
            return
        pages.creators(req)
        pages.payouts(req)
        pages.flags(req)


def add(w: World, d: str) -> None:
    from launchready_tui.lab.postgres import INSTALL_HINT, _free_port, find_bindir

    if find_bindir() is None:
        w.profile["database"] = {"url_from": "demo-database-not-installed"}
        w.notes.append(INSTALL_HINT)
        return
    app_pw, mon_pw = secrets.token_urlsafe(18), secrets.token_urlsafe(18)
    port = _free_port()
    pages = AdminPages(threading.Event())
    w.services.append(DemoDatabase(pages, app_pw, mon_pw, port))
    admin = f"admin.{d}"
    site = w.sites.get(admin)
    if site is not None:
        site.paths["/admin/creators"] = Rule(handler=pages.creators)
        site.paths["/admin/payouts"] = Rule(handler=pages.payouts)
        site.paths["/admin/flags"] = Rule(handler=pages.flags)
    url = f"postgresql://{APP_ROLE}:{app_pw}@127.0.0.1:{port}/{DB}"
    env = w.files.get(".env.production")
    if isinstance(env, str):
        lines = [ln for ln in env.splitlines() if not ln.startswith("DATABASE_URL=")]
        w.files[".env.production"] = f"DATABASE_URL={url}\n" + "\n".join(lines) + "\n"
    else:
        w.files[".env.production"] = f"DATABASE_URL={url}\n"
    w.profile["database"] = {
        "url_from": "production",
        "url_var": "DATABASE_URL",
        "routes": [
            {"name": "Admin: creators list", "url": f"https://{admin}/admin/creators"},
            {"name": "Admin: pending payouts", "url": f"https://{admin}/admin/payouts"},
            {"name": "Admin: feature flags", "url": f"https://{admin}/admin/flags"},
        ],
    }
