"""Demo world, edge part: hosts, DNS, redirects, certificates.

Planted: an expired certificate (status.), a redirect loop (old.), a dangling CNAME to
a hosting provider (blog.). Healthy: apex, www, app, api, admin.
"""

from __future__ import annotations

from launchready_tui.lab import CertSpec, Rule, Site, World

GOOD_HEADERS = [
    ("Strict-Transport-Security", "max-age=31536000; includeSubDomains"),
    ("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
]

PAGE = (
    "<!doctype html><html><head><title>Acme Creators</title>"
    '<link rel="stylesheet" href="/static/app.css"></head>'
    '<body><h1>Acme Creators</h1><script src="/static/app.js"></script></body></html>'
)


def add(w: World, d: str) -> None:
    hosts = {
        "www": f"www.{d}",
        "app": f"app.{d}",
        "api": f"api.{d}",
        "admin": f"admin.{d}",
        "status": f"status.{d}",
        "old": f"old.{d}",
        "blog": f"blog.{d}",
    }
    w.profile["hosts"].update(hosts)
    w.records += [
        (d, "SOA", f"ns1.{d}. hostmaster.{d}. 1 3600 600 86400 300"),
        (d, "NS", f"ns1.{d}."),
        (d, "NS", f"ns2.{d}."),
        (f"ns1.{d}", "A", "127.0.0.1"),
        (f"ns2.{d}", "A", "127.0.0.1"),
        (d, "A", "127.0.0.1"),
        (d, "CAA", '0 issue "letsencrypt.org"'),
        (f"www.{d}", "CNAME", f"{d}."),
        (f"app.{d}", "A", "127.0.0.1"),
        (f"api.{d}", "A", "127.0.0.1"),
        (f"admin.{d}", "A", "127.0.0.1"),
        (f"status.{d}", "A", "127.0.0.1"),
        (f"old.{d}", "A", "127.0.0.1"),
        (f"blog.{d}", "CNAME", "acme-old-blog.herokuapp.com."),
    ]
    page = Rule(body=PAGE, headers=list(GOOD_HEADERS))

    def https_redirect(host: str) -> Rule:
        return Rule(status=301, redirect=f"https://{host}" + "{path}")

    w.sites[d] = Site(default=page, http=https_redirect(d), paths={"/static/app.js": Rule(body="console.log('hi')", content_type="application/javascript"), "/static/app.css": Rule(body="body{}", content_type="text/css")})
    w.sites[f"www.{d}"] = Site(default=Rule(status=301, redirect=f"https://{d}" + "{path}"), http=https_redirect(f"www.{d}"))
    w.sites[f"app.{d}"] = Site(default=page, http=https_redirect(f"app.{d}"), paths={"/health": Rule(body="ok", content_type="text/plain"), "/static/app.js": Rule(body="console.log('app')", content_type="application/javascript"), "/static/app.css": Rule(body="body{}", content_type="text/css")})
    w.sites[f"api.{d}"] = Site(default=Rule(body='{"ok":true}', content_type="application/json", headers=list(GOOD_HEADERS)), http=https_redirect(f"api.{d}"))
    w.sites[f"admin.{d}"] = Site(default=Rule(body=PAGE, headers=list(GOOD_HEADERS), delay_ms=40), http=https_redirect(f"admin.{d}"))
    w.sites[f"status.{d}"] = Site(default=page, http=https_redirect(f"status.{d}"))
    w.certs[f"status.{d}"] = CertSpec(kind="expired")
    # old. bounces between http and https forever: a redirect loop.
    w.sites[f"old.{d}"] = Site(default=Rule(status=301, redirect=f"http://old.{d}" + "{path}"), http=https_redirect(f"old.{d}"))
    w.profile["monitor"] = [f"https://{d}/", f"https://api.{d}/health", f"https://status.{d}/"]
    w.profile.setdefault("environments", {})
    w.profile["environments"]["production"] = {"url": f"https://app.{d}", "env_file": ".env.production"}
    w.profile["environments"]["staging"] = {"url": f"https://staging.{d}", "env_file": ".env.staging"}
    w.profile["deploy"] = {
        "command": "echo 'deploying the demo app (nothing really happens)'",
        "rollback": "echo 'rolling back to the previous release' && sleep 1 && echo done",
        "smoke": [f"https://app.{d}/health"],
    }
