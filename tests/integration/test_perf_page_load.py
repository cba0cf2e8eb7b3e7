"""page_load: a real page with scripts, styles, stylesheet fonts and images, served by
the lab; at most 6 connections per host; the budget; broken files; redirects."""

from __future__ import annotations

import threading
import time

import pytest

from launchready_tui.core.checks import page_load
from launchready_tui.core.context import CheckContext, RunOptions
from launchready_tui.core.net import Net
from launchready_tui.core.profile import load_profile, net_config
from launchready_tui.core.state import StateStore
from launchready_tui.lab import Lab, Rule, Site, World
from launchready_tui.lab import web as labweb
from launchready_tui.lab.web import Response

pytestmark = pytest.mark.integration
D = "perf.test"
APP = f"app.{D}"


@pytest.fixture(autouse=True)
def _nodelay(monkeypatch):
    monkeypatch.setattr(labweb._Handler, "disable_nagle_algorithm", True)


PAGE = """<!doctype html><html><head><title>x</title>
<link rel="stylesheet" href="/css/site.css">
<link rel="preload" as="font" href="/fonts/a.woff2">
<link rel="icon" href="/favicon.ico">
<script src="https://cdn.third-party.example/analytics.js"></script>
<script type="module" src="/js/app.js"></script>
</head><body>
<img src="/img/hero.jpg" alt=""><img srcset="/img/small.jpg 1x, /img/big.jpg 2x">
<img src="/img/hero.jpg"><img src="/img/missing.png">
</body></html>"""
CSS = "@import '/css/extra.css'; body{background:url(/img/bg.png)} @font-face{src:url('/fonts/b.woff2')} .x{background:url(data:image/png;base64,AAAA)}"


class Concurrency:
    """Wraps a rule: counts requests in flight at once across the lab host."""

    def __init__(self) -> None:
        self.now = 0
        self.peak = 0
        self.lock = threading.Lock()

    def rule(self, delay_ms: float, body: bytes | str = b"x", status: int = 200, ctype="image/png") -> Rule:
        def handler(req):
            with self.lock:
                self.now += 1
                self.peak = max(self.peak, self.now)
            time.sleep(delay_ms / 1000)
            with self.lock:
                self.now -= 1
            return Response(status, [("Content-Type", ctype)], body)

        return Rule(handler=handler)


def make_lab(tmp_path, paths, pages) -> Lab:
    w = World(records=[(D, "A", "127.0.0.1"), (APP, "A", "127.0.0.1")],
              sites={APP: Site(paths=paths), D: Site(default=Rule(status=301, redirect=f"https://{APP}/"))},
              profile={"project": "T", "domain": D, "hosts": {"app": APP},
                       "performance": {"pages": pages}})
    return Lab(w, tmp_path / "lab")


def context(lab):
    prof = load_profile(lab.profile_path)
    return CheckContext(prof, Net(net_config(prof)), state=StateStore(prof.state_dir), options=RunOptions())


def test_parse_assets_same_origin_only():
    got = page_load.parse_assets(PAGE, "https://app.perf.test/home")
    urls = [u for _, u in got]
    assert urls == [
        "https://app.perf.test/css/site.css",
        "https://app.perf.test/fonts/a.woff2",
        "https://app.perf.test/js/app.js",
        "https://app.perf.test/img/hero.jpg",
        "https://app.perf.test/img/small.jpg",
        "https://app.perf.test/img/missing.png",
    ]
    assert dict((u, k) for k, u in got)["https://app.perf.test/fonts/a.woff2"] == "font"
    css = page_load.parse_css_urls(CSS, "https://app.perf.test/css/site.css", "https://app.perf.test/")
    assert [u for _, u in css] == ["https://app.perf.test/css/extra.css", "https://app.perf.test/img/bg.png",
                                   "https://app.perf.test/fonts/b.woff2"]
    base = page_load.parse_assets('<base href="/v2/"><script src="a.js"></script>', "https://app.perf.test/")
    assert base == [("script", "https://app.perf.test/v2/a.js")]


async def test_page_with_resources_six_connections_and_slowest(tmp_path):
    c = Concurrency()
    paths = {"/": Rule(body=PAGE), "/css/site.css": Rule(body=CSS, content_type="text/css"),
             "/css/extra.css": Rule(body="p{}", content_type="text/css"),
             "/js/app.js": c.rule(100, "console.log(1)", ctype="application/javascript"),
             "/img/hero.jpg": c.rule(300, b"\xff" * 50_000),
             "/img/missing.png": Rule(status=404, body="no")}
    for i in range(12):
        paths[f"/img/g{i}.png"] = c.rule(200, b"\x89PNG" + b"\0" * 1000)
    gallery = PAGE.replace("</body>", "".join(f'<img src="/img/g{i}.png">' for i in range(12)) + "</body>")
    paths["/gallery"] = Rule(body=gallery)
    for p in ("/fonts/a.woff2", "/fonts/b.woff2", "/img/bg.png", "/img/small.jpg"):
        paths[p] = c.rule(10)
    pages = [{"url": f"https://{APP}/", "name": "Home"}, {"url": f"https://{APP}/gallery", "budget_ms": 3000},
             {"url": f"https://{D}/", "budget_ms": 3000}]
    with make_lab(tmp_path, paths, pages) as lab:
        ctx = context(lab)
        home = await page_load.check(ctx, pages[0]["url"], {})
        c.peak = 0
        gal = await page_load.check(ctx, pages[1]["url"], {})
        peak_gallery = c.peak
        redirected = await page_load.check(ctx, pages[2]["url"], {})

    ev = home.evidence
    # HTML + css + extra.css + 2 fonts + js + hero + small + missing + bg = 10 requests
    assert ev["requests"] == 10, ev
    assert ev["slowest"]["url"].endswith("/img/hero.jpg")
    assert ev["bytes"] > 50_000
    assert "not a browser render" in ev["estimate"]
    assert home.status.value == "warn" and "1 of its files are broken" in home.summary
    assert ev["broken"][0]["url"].endswith("/img/missing.png")
    # Gallery: 12 images of 200 ms over at most 6 connections: 2 rounds, so >= 400 ms,
    # and never more than 6 requests in flight at the host.
    assert peak_gallery <= 6
    assert gal.evidence["total_ms"] >= 400
    assert gal.evidence["requests"] == 22
    # The apex redirects to the app host (one of ours): followed and counted.
    assert redirected.evidence["redirects"] == [f"https://{APP}/"]
    assert redirected.evidence["final_url"] == f"https://{APP}/"


async def test_budget_fail_and_offsite_redirect_and_error(tmp_path):
    paths = {"/slow": Rule(body='<img src="/big.jpg">'), "/big.jpg": Rule(body=b"\0" * 300_000, delay_ms=700),
             "/login-wall": Rule(status=302, redirect="https://accounts.identity-provider.example/login"),
             "/500": Rule(status=500, body="oops")}
    pages = [{"url": f"https://{APP}/slow", "budget_ms": 500}, {"url": f"https://{APP}/login-wall"},
             {"url": f"https://{APP}/500"}, {"url": f"https://nothing.{D}/"}]
    with make_lab(tmp_path, paths, pages) as lab:
        ctx = context(lab)
        slow = await page_load.check(ctx, pages[0]["url"], {})
        wall = await page_load.check(ctx, pages[1]["url"], {})
        err = await page_load.check(ctx, pages[2]["url"], {})
        gone = await page_load.check(ctx, pages[3]["url"], {})
        hits = dict(lab.web.hits)
    assert slow.status.value == "fail" and slow.evidence["slowest"]["url"].endswith("/big.jpg")
    assert "big.jpg" in slow.summary and slow.why and slow.fix
    assert wall.status.value == "error" and "identity-provider.example" in wall.summary
    assert "accounts.identity-provider.example" not in hits
    assert err.status.value == "fail" and "HTTP 500" in err.summary
    assert gone.status.value == "error"


async def test_auth_pages_skip_without_credentials(tmp_path):
    pages = [{"url": f"https://{APP}/", "auth": "viewer"}]
    with make_lab(tmp_path, {"/": Rule(body="<p>hi</p>")}, pages) as lab:
        r = await page_load.check(context(lab), pages[0]["url"], {})
    assert r.status.value == "skip" and "credentials not available" in r.summary
