"""Demo world, edge part: hosts, DNS, redirects, certificates, headers, Cloudflare.

Planted:
- status.  an expired certificate;
- old.     a redirect loop, the Cloudflare "Flexible SSL" kind (https -> https with
           Cloudflare headers);
- blog.    a dangling CNAME to a Heroku app that no longer exists (NXDOMAIN);
- docs.    a dangling CNAME to a GitHub Pages site nobody owns ("There isn't a GitHub
           Pages site here"): the name resolves, the provider says no such site;
- shop.    no HSTS header and a session cookie without Secure/HttpOnly.
Healthy: apex, www (redirects to the apex), app, api (behind Cloudflare), admin.
"""

from __future__ import annotations

from launchready_tui.lab import CertSpec, Rule, Site, World

GOOD_HEADERS = [
    ("Strict-Transport-Security", "max-age=31536000; includeSubDomains"),
    ("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
]
CF_HEADERS = [("Server", "cloudflare"), ("CF-RAY", "8f1c2d3e4a5b6c7d-AMS")]

PAGE = (
    "<!doctype html><html><head><title>Acme Creators</title>"
    '<link rel="stylesheet" href="/static/app.css"></head>'
    '<body><h1>Acme Creators</h1><script src="/static/app.js"></script></body></html>'
)
GITHUB_404 = (
    "<!DOCTYPE html><html><head><title>Site not found &middot; GitHub Pages</title></head>"
    "<body><h1>404</h1><p><strong>There isn't a GitHub Pages site here.</strong></p></body></html>"
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
        "docs": f"docs.{d}",
        "shop": f"shop.{d}",
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
        (f"shop.{d}", "A", "127.0.0.1"),
        (f"blog.{d}", "CNAME", "acme-old-blog.herokuapp.com."),
        (f"docs.{d}", "CNAME", "acme-creators.github.io."),
        # GitHub Pages answers for every *.github.io name; the lab routes it to 127.0.0.1.
        ("acme-creators.github.io", "A", "127.0.0.1"),
    ]
    page = Rule(body=PAGE, headers=list(GOOD_HEADERS))
    static = {
        "/static/app.js": Rule(body="console.log('hi')", content_type="application/javascript"),
        "/static/app.css": Rule(body="body{}", content_type="text/css"),
    }

    def https_redirect(host: str, headers=()) -> Rule:
        return Rule(status=301, redirect=f"https://{host}" + "{path}", headers=list(headers))

    w.sites[d] = Site(default=page, http=https_redirect(d), paths=dict(static))
    w.sites[f"www.{d}"] = Site(default=Rule(status=301, redirect=f"https://{d}" + "{path}"),
                               http=https_redirect(f"www.{d}"))
    w.sites[f"app.{d}"] = Site(default=page, http=https_redirect(f"app.{d}"),
                               paths={"/health": Rule(body="ok", content_type="text/plain"), **static})
    w.sites[f"api.{d}"] = Site(
        default=Rule(body='{"ok":true}', content_type="application/json",
                     headers=list(GOOD_HEADERS) + CF_HEADERS),
        http=https_redirect(f"api.{d}", CF_HEADERS),
    )
    w.sites[f"admin.{d}"] = Site(default=Rule(body=PAGE, headers=list(GOOD_HEADERS), delay_ms=40),
                                 http=https_redirect(f"admin.{d}"))
    w.sites[f"status.{d}"] = Site(default=page, http=https_redirect(f"status.{d}"))
    w.certs[f"status.{d}"] = CertSpec(kind="expired")
    # old. is behind Cloudflare in "Flexible" mode: Cloudflare asks the origin over plain
    # http, the origin redirects to https, Cloudflare serves that redirect on https: a loop.
    w.sites[f"old.{d}"] = Site(default=https_redirect(f"old.{d}", CF_HEADERS),
                               http=https_redirect(f"old.{d}", CF_HEADERS))
    w.sites[f"docs.{d}"] = Site(default=Rule(status=404, body=GITHUB_404, headers=[("Server", "GitHub.com")]))
    w.sites[f"shop.{d}"] = Site(
        default=Rule(body=PAGE, headers=[
            ("Content-Security-Policy", "default-src 'self'"),
            ("X-Frame-Options", "DENY"),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "strict-origin-when-cross-origin"),
            ("Set-Cookie", "shop_session=demo-not-a-secret; Path=/"),
        ]),
        http=https_redirect(f"shop.{d}"),
        paths=dict(static),
    )
    w.profile["monitor"] = [f"https://{d}/", f"https://api.{d}/health", f"https://status.{d}/"]
    w.profile.setdefault("environments", {})
    w.profile["environments"]["production"] = {"url": f"https://app.{d}", "env_file": ".env.production"}
    w.profile["environments"]["staging"] = {"url": f"https://staging.{d}", "env_file": ".env.staging"}
    w.profile["deploy"] = {
        "command": "echo 'deploying the demo app (nothing really happens)'",
        "rollback": "echo 'rolling back to the previous release' && sleep 1 && echo done",
        "smoke": [f"https://app.{d}/health"],
    }
