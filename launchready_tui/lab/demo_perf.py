"""Demo world, performance and operations part, plus the lab behaviours the perf tests use.

Planted in the demo:
* admin.: a members list where 8% of requests take 450 ms (p95 over the 300 ms budget);
* api.: `/v1/me` answers in about 15 ms (passes);
* api.: `/login` is rate limited per client address (passes), `/invite` is not limited
  (fails), `/password-reset` keys its limit on X-Forwarded-For (bypassable: warns);
* app.: `/dashboard` is a page whose hero image takes 2.5 s (over the 2 s page budget);
* a rollback command that finishes in about a second, and smoke checks that pass.

The handlers are deterministic (every n-th request is slow, not a random one) so tests
can compare measured percentiles with the truth the server applied.
"""

from __future__ import annotations

import json
import math
import threading
import time

from launchready_tui.lab import Rule, Site, World
from launchready_tui.lab.web import Request, Response

# ---------------------------------------------------------------------------- behaviours


class LatencyDistribution:
    """`slow_fraction` of requests take `slow_ms`, the rest `fast_ms`, spread evenly
    (request n is slow when floor((n+1)*f) > floor(n*f)). `applied_ms` keeps the truth."""

    def __init__(self, fast_ms: float, slow_ms: float, slow_fraction: float, body: str = '{"ok":true}'):
        self.fast_ms, self.slow_ms, self.f = fast_ms, slow_ms, slow_fraction
        self.body = body
        self._n = 0
        self._lock = threading.Lock()
        self.applied_ms: list[float] = []

    def __call__(self, req: Request) -> Response:
        with self._lock:
            n = self._n
            self._n += 1
            slow = math.floor((n + 1) * self.f) > math.floor(n * self.f)
            ms = self.slow_ms if slow else self.fast_ms
            self.applied_ms.append(ms)
        time.sleep(ms / 1000)
        return Response(200, [("Content-Type", "application/json")], self.body)


class Stall:
    """Answers in `base_ms`, except that the whole server freezes for `stall_s` seconds,
    `after_s` seconds after the first request (like a long garbage-collection pause or
    a locked database table). Requests arriving during the freeze wait until it ends."""

    def __init__(self, after_s: float, stall_s: float, base_ms: float = 2.0):
        self.after_s, self.stall_s, self.base_ms = after_s, stall_s, base_ms
        self._first: float | None = None
        self._lock = threading.Lock()

    def __call__(self, req: Request) -> Response:
        now = time.monotonic()
        with self._lock:
            if self._first is None:
                self._first = now
            start = self._first + self.after_s
        end = start + self.stall_s
        if start <= now < end:
            time.sleep(end - now)
        time.sleep(self.base_ms / 1000)
        return Response(200, [("Content-Type", "text/plain")], "ok")


class LoginLimiter:
    """An invalid-login endpoint. With `limit`, the `limit`+1-th attempt within
    `window_s` from one client gets `status` (429, or 403) with Retry-After.

    `key`: "ip" counts per connecting address (sound); "xff" trusts the client's own
    X-Forwarded-For header (a bypassable limit). `limit=None` never limits."""

    def __init__(self, limit: int | None = 5, window_s: float = 60, key: str = "ip",
                 status: int = 429, retry_after: bool = True):
        self.limit, self.window_s, self.key = limit, window_s, key
        self.status, self.retry_after = status, retry_after
        self._hits: dict[str, list[float]] = {}
        self._lock = threading.Lock()
        self.attempts = 0

    def _client_key(self, req: Request) -> str:
        if self.key == "xff":
            xff = req.headers.get("x-forwarded-for", "")
            if xff:
                return xff.split(",")[0].strip()
        return req.client

    def __call__(self, req: Request) -> Response:
        now = time.monotonic()
        with self._lock:
            self.attempts += 1
            k = self._client_key(req)
            hits = [t for t in self._hits.get(k, []) if now - t < self.window_s]
            hits.append(now)
            self._hits[k] = hits
            over = self.limit is not None and len(hits) > self.limit
            wait = int(self.window_s - (now - hits[0])) + 1 if over else 0
        if over:
            headers = [("Content-Type", "application/json")]
            if self.retry_after:
                headers.append(("Retry-After", str(wait)))
            return Response(self.status, headers, '{"error":"too many attempts"}')
        return Response(401, [("Content-Type", "application/json")],
                        json.dumps({"error": "invalid email or password"}))


# ---------------------------------------------------------------------------- demo world

DASHBOARD = (
    "<!doctype html><html><head><title>Dashboard</title>"
    '<link rel="stylesheet" href="/static/app.css"></head><body><h1>Dashboard</h1>'
    '<img src="/static/hero.jpg" alt=""><script src="/static/app.js"></script></body></html>'
)


def _site(w: World, host: str) -> Site:
    site = w.sites.get(host)
    if site is None:
        site = w.sites[host] = Site(default=Rule(body='{"ok":true}', content_type="application/json"))
    if not any(r[0] == host for r in w.records):
        w.records.append((host, "A", "127.0.0.1"))
    return site


def add(w: World, d: str) -> None:
    api, admin, app = f"api.{d}", f"admin.{d}", f"app.{d}"
    w.profile.setdefault("hosts", {})
    for role, host in (("api", api), ("admin", admin), ("app", app)):
        w.profile["hosts"].setdefault(role, host)

    _site(w, admin).paths["/api/members"] = Rule(handler=LatencyDistribution(60, 450, 0.08))
    api_site = _site(w, api)
    api_site.paths["/v1/me"] = Rule(body='{"id":1}', content_type="application/json", delay_ms=15)
    api_site.paths["/login"] = Rule(handler=LoginLimiter(limit=5, window_s=60, key="ip"))
    api_site.paths["/invite"] = Rule(handler=LoginLimiter(limit=None))
    api_site.paths["/password-reset"] = Rule(handler=LoginLimiter(limit=5, window_s=60, key="xff"))
    app_site = _site(w, app)
    app_site.paths["/dashboard"] = Rule(body=DASHBOARD)
    app_site.paths["/static/hero.jpg"] = Rule(body=b"\xff\xd8" + b"\0" * 200_000, content_type="image/jpeg",
                                              delay_ms=2500)
    app_site.paths.setdefault("/static/app.js", Rule(body="console.log('app')", content_type="application/javascript"))
    app_site.paths.setdefault("/static/app.css", Rule(body="body{}", content_type="text/css"))
    app_site.paths.setdefault("/health", Rule(body="ok", content_type="text/plain"))

    perf = w.profile.setdefault("performance", {})
    perf.setdefault("routes", []).extend([
        {"name": "Admin: list members", "url": f"https://{admin}/api/members", "budget_ms": 300,
         "rate": 10, "duration_s": 3},
        {"name": "API: current user", "url": f"https://{api}/v1/me", "budget_ms": 300,
         "rate": 10, "duration_s": 3},
    ])
    perf.setdefault("pages", []).extend([
        {"name": "Home page", "url": f"https://{d}/", "budget_ms": 2000},
        {"name": "Dashboard", "url": f"https://{app}/dashboard", "budget_ms": 2000},
    ])
    w.profile.setdefault("rate_limit", []).extend([
        {"name": "Login", "url": f"https://{api}/login", "method": "POST", "max_attempts": 20},
        {"name": "Invite", "url": f"https://{api}/invite", "method": "POST", "max_attempts": 20},
        {"name": "Password reset", "url": f"https://{api}/password-reset", "method": "POST",
         "max_attempts": 20},
    ])
    deploy = w.profile.setdefault("deploy", {})
    deploy.setdefault("rollback", "echo 'Rolling back to the previous release...' && sleep 1 && echo 'Done.'")
    deploy.setdefault("rollback_budget_min", 10)
    smoke = deploy.setdefault("smoke", [])
    for entry in (f"https://{app}/health", {"url": f"https://{d}/", "status": 200, "contains": "Acme Creators"}):
        if entry not in smoke:
            smoke.append(entry)
