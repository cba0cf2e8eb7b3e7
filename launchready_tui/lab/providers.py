"""Local stand-ins for the founder's accounts, answering like the providers' documented APIs:
Cloudflare API v4, UptimeRobot API v2, Better Stack Uptime API v2 and Sentry's API.

Each keeps its provider's envelope, pagination and error shapes (401 for a wrong token,
403 for a missing permission, 429 with Retry-After when asked to), so the account kinds
meet real HTTP over the lab's TLS. Tokens and data are made up; every class can serve a
healthy account or a misconfigured one.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from launchready_tui.lab.web import Request, Response

CF_MANAGED = "efb7b8c949ac4650a09736fc376e9aee"
CF_FREE_MANAGED = "77454fe2d30c4220b5701f6fdfb893ba"


def _json(status: int, body: Any, headers: list[tuple[str, str]] | None = None) -> Response:
    return Response(status, [("Content-Type", "application/json"), *(headers or [])], json.dumps(body))


@dataclass
class _Base:
    token: str
    rate_limit_first: int = 0  # answer 429 to the first N requests
    seen_auth: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _limited(self) -> bool:
        with self._lock:
            if self.rate_limit_first > 0:
                self.rate_limit_first -= 1
                return True
        return False

    def _bearer_ok(self, req: Request) -> bool:
        auth = req.headers.get("authorization", "")
        with self._lock:
            self.seen_auth.append(auth)
        return auth == f"Bearer {self.token}"


# ---------------------------------------------------------------------------- Cloudflare


def cloudflare_settings(ssl: str = "strict", always_https: str = "on", min_tls: str = "1.2",
                        rewrites: str = "on", security_level: str = "medium", level_modified: str = "",
                        hsts_max_age: int = 31536000) -> list[dict[str, Any]]:
    def s(i, v, mod=""):
        return {"id": i, "value": v, "editable": True, "modified_on": mod or "2026-11-01T10:00:00.000000Z"}

    return [s("ssl", ssl), s("always_use_https", always_https), s("min_tls_version", min_tls),
            s("automatic_https_rewrites", rewrites), s("security_level", security_level, level_modified),
            s("security_header", {"strict_transport_security": {"enabled": hsts_max_age > 0, "max_age": hsts_max_age,
                                                                "include_subdomains": False, "preload": False,
                                                                "nosniff": True}})]


@dataclass
class CloudflareApi(_Base):
    zone: str = "acme.example"
    zone_id: str = "023e105f4ecef8ad9ca31a8372d0c353"
    plan: str = "free"
    settings: list[dict[str, Any]] = field(default_factory=cloudflare_settings)
    waf_rulesets: list[str] | None = field(default_factory=lambda: [CF_FREE_MANAGED])
    fight_mode: bool = False
    records: list[dict[str, Any]] = field(default_factory=list)
    permissions: set[str] = field(default_factory=lambda: {"zone", "settings", "waf", "dns", "bots"})

    def _err(self, status: int, code: int, message: str) -> Response:
        return _json(status, {"success": False, "errors": [{"code": code, "message": message}], "messages": [],
                              "result": None})

    def _ok(self, result: Any, info: dict[str, Any] | None = None) -> Response:
        body = {"success": True, "errors": [], "messages": [], "result": result}
        if info:
            body["result_info"] = info
        return _json(200, body)

    def __call__(self, req: Request) -> Response:
        if self._limited():
            return Response(429, [("Retry-After", "1"), ("Content-Type", "application/json")],
                            json.dumps({"success": False, "errors": [{"code": 971, "message": "Please wait"}]}))
        if not self._bearer_ok(req):
            return self._err(401, 10000, "Authentication error")
        u = urlsplit(req.path)
        q = {k: v[0] for k, v in parse_qs(u.query).items()}
        path = u.path.removeprefix("/client/v4")
        zp = f"/zones/{self.zone_id}"

        def need(p: str) -> Response | None:
            return None if p in self.permissions else self._err(403, 10000, "Authentication error")

        if path == "/zones":
            if (r := need("zone")) is not None:
                return r
            found = [{"id": self.zone_id, "name": self.zone, "status": "active",
                      "plan": {"legacy_id": self.plan, "name": {"free": "Free Website"}.get(self.plan, "Pro Website")}}]
            found = [z for z in found if not q.get("name") or z["name"] == q["name"]]
            return self._ok(found, {"page": 1, "per_page": 20, "count": len(found), "total_count": len(found),
                                    "total_pages": 1})
        if path == f"{zp}/settings":
            return need("settings") or self._ok(self.settings)
        if path == f"{zp}/rulesets/phases/http_request_firewall_managed/entrypoint":
            if (r := need("waf")) is not None:
                return r
            if self.waf_rulesets is None:
                return self._err(404, 10003, "could not find entrypoint ruleset in the "
                                 "http_request_firewall_managed phase")
            rules = [{"id": f"r{i}", "action": "execute", "action_parameters": {"id": rid}, "enabled": True,
                      "expression": "true"} for i, rid in enumerate(self.waf_rulesets)]
            return self._ok({"id": "entry", "phase": "http_request_firewall_managed", "rules": rules})
        if path == f"{zp}/bot_management":
            return need("bots") or self._ok({"fight_mode": self.fight_mode})
        if path == f"{zp}/dns_records":
            if (r := need("dns")) is not None:
                return r
            page, per = int(q.get("page", 1)), min(int(q.get("per_page", 100)), 5000)
            chunk = self.records[(page - 1) * per: page * per]
            pages = max(1, -(-len(self.records) // per))
            return self._ok(chunk, {"page": page, "per_page": per, "count": len(chunk),
                                    "total_count": len(self.records), "total_pages": pages})
        return self._err(404, 7003, "Could not route to " + path)


def cf_record(name: str, rtype: str, content: str, proxied: bool) -> dict[str, Any]:
    return {"id": f"{name}-{rtype}", "type": rtype, "name": name, "content": content, "proxied": proxied,
            "ttl": 1}


# ---------------------------------------------------------------------------- UptimeRobot


@dataclass
class UptimeRobotApi(_Base):
    monitors: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, req: Request) -> Response:
        if self._limited():
            return Response(429, [("Retry-After", "1")], "")
        if req.method != "POST" or not urlsplit(req.path).path.endswith("/getMonitors"):
            return _json(404, {"stat": "fail", "error": {"type": "not_found"}})
        form = {k: v[0] for k, v in parse_qs(req.body.decode()).items()}
        key = form.get("api_key", "")
        if key != self.token:
            # UptimeRobot echoes the value it refused: the client must never show this body.
            return _json(200, {"stat": "fail", "error": {"type": "invalid_parameter", "parameter_name": "api_key",
                                                         "passed_value": key}})
        off, lim = int(form.get("offset", 0)), min(int(form.get("limit", 50)), 50)
        return _json(200, {"stat": "ok", "pagination": {"offset": off, "limit": lim, "total": len(self.monitors)},
                           "monitors": self.monitors[off: off + lim]})


def ur_monitor(mid: int, name: str, url: str, status: int = 2, interval: int = 300,
               contacts: int = 1) -> dict[str, Any]:
    return {"id": mid, "friendly_name": name, "url": url, "type": 1, "interval": interval, "status": status,
            "alert_contacts": [{"id": str(9000 + i), "type": 2, "value": "ops@acme.example", "threshold": 0,
                                "recurrence": 0} for i in range(contacts)]}


# ---------------------------------------------------------------------------- Better Stack


@dataclass
class BetterStackApi(_Base):
    monitors: list[dict[str, Any]] = field(default_factory=list)
    base_url: str = "https://uptime.betterstack.lab.test/api/v2"
    per_page: int = 2

    def __call__(self, req: Request) -> Response:
        if self._limited():
            return Response(429, [("Retry-After", "1")], "")
        if not self._bearer_ok(req):
            return _json(401, {"errors": "Invalid Team API token. How to find your Team API token: ..."})
        u = urlsplit(req.path)
        if not u.path.endswith("/monitors"):
            return _json(404, {"errors": "Resource type not found"})
        page = int((parse_qs(u.query).get("page") or ["1"])[0])
        chunk = self.monitors[(page - 1) * self.per_page: page * self.per_page]
        more = page * self.per_page < len(self.monitors)
        return _json(200, {"data": chunk, "pagination": {
            "first": f"{self.base_url}/monitors?page=1", "last": None, "prev": None,
            "next": f"{self.base_url}/monitors?page={page + 1}" if more else None}})


def bs_monitor(mid: int, name: str, url: str, status: str = "up", freq: int = 180, email: bool = True,
               paused: bool = False) -> dict[str, Any]:
    return {"id": str(mid), "type": "monitor", "attributes": {
        "url": url, "pronounceable_name": name, "monitor_type": "status", "status": status,
        "check_frequency": freq, "email": email, "sms": False, "call": False, "push": False,
        "paused": paused, "policy_id": None}}


# ---------------------------------------------------------------------------- Sentry


@dataclass
class SentryApi(_Base):
    org: str = "acme"
    project: str = "web"
    project_id: str = "4505"
    events: list[dict[str, Any]] = field(default_factory=list)
    releases: list[str] = field(default_factory=list)
    rules: list[dict[str, Any]] = field(default_factory=list)
    base_url: str = "https://sentry.lab.test/api/0"
    per_page: int = 2
    scopes: set[str] = field(default_factory=lambda: {"project:read", "event:read", "org:read", "alerts:read"})

    def __call__(self, req: Request) -> Response:
        if self._limited():
            return Response(429, [("Retry-After", "1")], "")
        if not self._bearer_ok(req):
            return _json(401, {"detail": "Invalid token"})
        u = urlsplit(req.path)
        path = u.path.removeprefix("/api/0")
        q = {k: v[0] for k, v in parse_qs(u.query).items()}
        pp = f"/projects/{self.org}/{self.project}"
        if path.startswith("/projects/") and not path.startswith(pp + "/"):
            return _json(404, {"detail": "The requested resource does not exist"})
        if path == pp + "/":
            return _json(200, {"id": self.project_id, "slug": self.project, "name": self.project})
        if path == pp + "/events/":
            if "event:read" not in self.scopes:
                return _json(403, {"detail": "You do not have permission to perform this action."})
            cursor = int(q.get("cursor", "0").split(":")[0] or 0)
            chunk = self.events[cursor: cursor + self.per_page]
            more = cursor + self.per_page < len(self.events)
            link = (f'<{self.base_url}{pp}/events/?cursor={cursor}:0:1>; rel="previous"; results="false", '
                    f'<{self.base_url}{pp}/events/?statsPeriod=14d&full=false&cursor={cursor + self.per_page}:0:0>; '
                    f'rel="next"; results="{"true" if more else "false"}"')
            return Response(200, [("Content-Type", "application/json"), ("Link", link)], json.dumps(chunk))
        if path == f"/organizations/{self.org}/releases/":
            return _json(200, [{"version": v, "dateCreated": "2026-12-01T10:00:00Z"} for v in self.releases])
        if path == pp + "/rules/":
            if "alerts:read" not in self.scopes:
                return _json(403, {"detail": "You do not have permission to perform this action."})
            return _json(200, self.rules)
        return _json(404, {"detail": "The requested resource does not exist"})


def sentry_event(i: int, release: str | None = "abc123") -> dict[str, Any]:
    tags = [{"key": "environment", "value": "production"}]
    if release:
        tags.append({"key": "release", "value": release})
    return {"id": f"e{i}", "eventID": f"{i:032x}", "title": "TypeError: x is undefined",
            "dateCreated": "2026-12-01T10:00:00Z", "tags": tags}


def sentry_rule(name: str = "Notify #alerts", with_action: bool = True) -> dict[str, Any]:
    actions = [{"id": "sentry.integrations.slack.notify_action.SlackNotifyServiceAction", "channel": "#alerts"}]
    return {"id": "1", "name": name, "actions": actions if with_action else [], "conditions": []}
