"""Issue 20, network side: what a hostile world found, against the lab on loopback.

Credentials never leave the profile's hosts; compressed bodies are decoded (and a gzip
bomb stays bounded); a page cut off by the cap is not a fast page; a non-ASCII
Set-Cookie breaks nothing; a long CNAME chain says "chain too long"."""

from __future__ import annotations

import gzip
import socket
import threading
import zlib

import pytest

from launchready_tui.core.checks import page_load, rate_limit, smoke
from launchready_tui.core.context import CheckContext, RunOptions
from launchready_tui.core.guard import CredentialRefused
from launchready_tui.core.net import DnsFailure, Net
from launchready_tui.core.profile import load_profile, net_config
from launchready_tui.lab import Lab, Rule, Site, World
from launchready_tui.lab.web import Response

pytestmark = pytest.mark.integration
D = "hostile20.test"
APP = f"app.{D}"
EVIL = "evil.example"
TOKEN = "tok_live_9f8e7d6c5b4a39281716"


class Creds:
    def get_value(self, cid: str) -> str:
        return TOKEN


class Seen:
    def __init__(self) -> None:
        self.auth: list[str] = []
        self.hits = 0

    def rule(self, body=b"<p>hi</p>") -> Rule:
        def handler(req):
            self.hits += 1
            self.auth.append(req.headers.get("authorization", ""))
            return Response(200, [("Content-Type", "text/html")], body)

        return Rule(handler=handler)


def make_lab(tmp_path, sites, profile_extra=None, records=()) -> Lab:
    w = World(records=[(D, "A", "127.0.0.1"), (APP, "A", "127.0.0.1"), (EVIL, "A", "127.0.0.1"), *records],
              sites=sites, profile={"project": "T", "domain": D, "hosts": {"app": APP}, **(profile_extra or {})})
    return Lab(w, tmp_path / "lab", timeout_s=2.0)


def context(lab, creds=None):
    prof = load_profile(lab.profile_path)
    return CheckContext(prof, Net(net_config(prof)), credentials=creds, options=RunOptions())


# ---------------------------------------------------------------- the credential guard


async def test_page_load_never_sends_the_credential_off_domain(tmp_path):
    evil = Seen()
    pages = [{"url": f"https://{EVIL}/", "auth": "viewer"}]
    with make_lab(tmp_path, {EVIL: Site(default=evil.rule())}, {"performance": {"pages": pages}}) as lab:
        r = await page_load.check(context(lab, Creds()), pages[0]["url"], {})
    assert r.status.value == "error" and "not under your domain" in r.summary, r.summary
    assert evil.hits == 0


async def test_page_load_resources_redirect_off_domain_keep_no_credential(tmp_path):
    own, evil = Seen(), Seen()
    page = f'<script src="/a.js"></script><img src="https://{EVIL}/x.png">'
    pages = [{"url": f"https://{APP}/", "auth": "viewer"}]
    sites = {APP: Site(default=own.rule(page.encode())), EVIL: Site(default=evil.rule())}
    with make_lab(tmp_path, sites, {"performance": {"pages": pages}}) as lab:
        r = await page_load.check(context(lab, Creds()), pages[0]["url"], {})
    assert r.status.value in ("pass", "warn"), r.summary
    assert own.auth and all(a == f"Bearer {TOKEN}" for a in own.auth)
    assert evil.hits == 0


async def test_every_request_goes_through_the_guard(tmp_path):
    """Even a check that builds headers itself cannot send a credential off-domain: the
    Net refuses before connecting, for fetch and for a bare client alike."""
    evil = Seen()
    with make_lab(tmp_path, {EVIL: Site(default=evil.rule())}) as lab:
        ctx = context(lab)
        for hdr in ({"Authorization": "Bearer x"}, {"Cookie": "session=x"}):
            with pytest.raises(CredentialRefused):
                await ctx.net.fetch(f"https://{EVIL}/", headers=hdr)
        async with ctx.net.client() as c:
            with pytest.raises(CredentialRefused):
                await c.get(f"https://{EVIL}/", headers={"Authorization": "Bearer x"})
        # without a credential the request is fine (the guard is about credentials)
        r = await ctx.net.fetch(f"https://{EVIL}/")
        assert r.status == 200
        # a Net without a scope sends credentials nowhere
        bare = Net(ctx.net.config)
        with pytest.raises(CredentialRefused):
            await bare.fetch(f"https://{APP}/", headers={"Authorization": "Bearer x"})
    assert evil.auth == [""]


# ---------------------------------------------------------------- compressed bodies


def _gz(data: bytes) -> bytes:
    return gzip.compress(data)


async def test_gzip_and_deflate_bodies_are_decoded(tmp_path):
    html = b"<html><script src='/app.js'></script><p>Welcome to Acme</p>" + b" " * 4000
    sites = {APP: Site(paths={
        "/": Rule(body=_gz(html), headers=[("Content-Encoding", "gzip")]),
        "/d": Rule(body=zlib.compress(html), headers=[("Content-Encoding", "deflate")]),
        "/raw": Rule(body=zlib.compress(html)[2:-4], headers=[("Content-Encoding", "deflate")]),
        "/app.js": Rule(body=_gz(b"console.log(1)" * 100), headers=[("Content-Encoding", "gzip")],
                        content_type="application/javascript"),
    })}
    pages = [{"url": f"https://{APP}/"}]
    with make_lab(tmp_path, sites, {"performance": {"pages": pages}}) as lab:
        ctx = context(lab)
        for path in ("/", "/d", "/raw"):
            r = await ctx.net.fetch(f"https://{APP}{path}")
            assert r.body == html, path
        s = await smoke.run_smoke(ctx, smoke.normalize({"url": f"https://{APP}/", "contains": "Welcome to Acme"}))
        p = await page_load.check(ctx, pages[0]["url"], {})
    assert s.status.value == "pass", s.summary
    assert p.status.value == "pass" and p.evidence["requests"] == 2, p.summary
    assert p.evidence["bytes"] == len(html) + 1400


async def test_gzip_bomb_is_bounded_and_not_a_fast_page(tmp_path):
    bomb = _gz(b"\0" * (200 * 1024 * 1024))  # 200 MB of zeros in ~200 KB
    sites = {APP: Site(paths={"/": Rule(body=bomb, headers=[("Content-Encoding", "gzip")])})}
    pages = [{"url": f"https://{APP}/"}]
    with make_lab(tmp_path, sites, {"performance": {"pages": pages}}) as lab:
        ctx = context(lab)
        r = await ctx.net.fetch(f"https://{APP}/", max_bytes=1024 * 1024)
        assert r.truncated and len(r.body) == 1024 * 1024 and r.wire_bytes < len(bomb)
        p = await page_load.check(ctx, pages[0]["url"], {})
    assert p.status.value == "fail" and "not a fast page" in p.summary, p.summary
    assert p.why and p.fix


def _endless(port_holder: list, stop: threading.Event):
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(8)
    ls.settimeout(0.1)
    port_holder.append(ls.getsockname()[1])

    def serve(c):
        try:
            c.recv(65536)
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n")
            chunk = b"<p>" + b"x" * 65536
            frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
            while not stop.is_set():
                c.sendall(frame)
        except OSError:
            pass
        finally:
            c.close()

    def loop():
        while not stop.is_set():
            try:
                c, _ = ls.accept()
            except OSError:
                continue
            threading.Thread(target=serve, args=(c,), daemon=True).start()
        ls.close()

    threading.Thread(target=loop, daemon=True).start()


async def test_endless_body_is_not_a_fast_page(tmp_path):
    port: list[int] = []
    stop = threading.Event()
    _endless(port, stop)
    pages = [{"url": f"http://{APP}/"}]
    try:
        with make_lab(tmp_path, {}, {"performance": {"pages": pages}}) as lab:
            prof = load_profile(lab.profile_path)
            cfg = net_config(prof)
            from launchready_tui.core.net import parse_connect_to

            cfg = type(cfg)(cfg.nameservers, (parse_connect_to(f"{APP}:80:127.0.0.1:{port[0]}"), *cfg.connect_to),
                            cfg.ca_bundle, cfg.timeout_s, cfg.origins)
            ctx = CheckContext(prof, Net(cfg), options=RunOptions())
            p = await page_load.check(ctx, pages[0]["url"], {})
    finally:
        stop.set()
    assert p.status.value == "fail" and "did not end within 5.0 MB" in p.summary, p.summary


# ---------------------------------------------------------------- non-ASCII Set-Cookie


async def test_non_ascii_set_cookie_breaks_nothing(tmp_path, capfd):
    cookie = [("Set-Cookie", "name=Jörg; Path=/")]

    def limited(req, n=[0]):  # noqa: B006 - a counter across calls
        n[0] += 1
        return Response(429 if n[0] > 3 else 401, [*cookie, ("Content-Type", "text/plain")], b"no")

    page = "".join(f'<img src="/i{i}.png">' for i in range(8))
    sites = {APP: Site(default=Rule(body=page, headers=cookie),
                       paths={"/login": Rule(handler=limited)})}
    extra = {"performance": {"pages": [{"url": f"https://{APP}/"}]},
             "rate_limit": [{"url": f"https://{APP}/login"}]}
    with make_lab(tmp_path, sites, extra) as lab:
        ctx = context(lab)
        p = await page_load.check(ctx, f"https://{APP}/", {})
        rl = await rate_limit.check(ctx, f"https://{APP}/login", {})
    assert p.status.value == "pass", p.summary
    assert rl.status.value in ("pass", "warn"), rl.summary
    assert "Task exception was never retrieved" not in capfd.readouterr().err


# ---------------------------------------------------------------- CNAME chains


async def test_long_cname_chain_is_not_a_loop(tmp_path):
    recs = [(f"c{i}.{D}", "CNAME", f"c{i + 1}.{D}.") for i in range(30)] + [(f"c30.{D}", "A", "127.0.0.1")]
    loop = [(f"l1.{D}", "CNAME", f"l2.{D}."), (f"l2.{D}", "CNAME", f"l1.{D}.")]
    with make_lab(tmp_path, {}, records=recs + loop) as lab:
        ctx = context(lab)
        with pytest.raises(DnsFailure) as e:
            await ctx.net.resolver.query(f"c0.{D}", "A")
        assert e.value.kind == "CNAME chain too long" and "loop" not in str(e.value)
        assert "longer than" in str(e.value)
        with pytest.raises(DnsFailure) as e2:
            await ctx.net.resolver.query(f"l1.{D}", "A")
        assert e2.value.kind == "CNAME loop"


# ---------------------------------------------------------------- AIA downloads are bounded


async def test_aia_fetch_only_public_addresses_unless_allowed(tmp_path):
    import dataclasses

    from launchready_tui.core.checks import tls

    seen = Seen()
    recs = [(f"pki.{D}", "A", "127.0.0.1"), (f"meta.{D}", "A", "169.254.169.254"), (f"lan.{D}", "A", "10.1.2.3")]
    with make_lab(tmp_path, {f"pki.{D}": Site(default=seen.rule(b"not a cert"))}, records=recs) as lab:
        ctx = context(lab)
        assert ctx.net.config.allow_addresses == ("127.0.0.0/8",)  # the lab allows its own loopback
        r = await ctx.net.fetch_public(f"http://pki.{D}/int.der", max_bytes=1024)
        assert r.status == 200 and seen.hits == 1
        for host in (f"meta.{D}", f"lan.{D}"):  # never, even in the lab
            with pytest.raises(PermissionError) as e:
                await ctx.net.fetch_public(f"http://{host}/x.der", max_bytes=1024)
            assert "not a public one" in str(e.value)
        with pytest.raises(PermissionError):
            await ctx.net.fetch_public(f"ftp://pki.{D}/x.der", max_bytes=1024)
        # outside the lab (no allow_addresses), loopback is refused too, before connecting
        strict = Net(dataclasses.replace(ctx.net.config, allow_addresses=()))
        with pytest.raises(PermissionError) as e:
            await strict.fetch_public(f"http://pki.{D}/int.der", max_bytes=1024)
        assert "loopback" in str(e.value)
        ok, note = await tls.chain_verifies_with_aia(strict, b"", [], {"ca_issuers": [f"http://pki.{D}/i.der"]}, None)
        assert not ok and "did not download" in note and "loopback" in note
    assert seen.hits == 1


# ---------------------------------------------------------------- IDN domains


async def test_idn_domain_served_under_its_punycode_name_passes_tls_and_redirects(tmp_path):
    from launchready_tui.core.checks import redirects, tls

    u, a = "exämple.test", "xn--exmple-cua.test"
    w = World(records=[(a, "A", "127.0.0.1"), (f"www.{a}", "A", "127.0.0.1")],
              sites={a: Site(http=Rule(status=301, redirect=f"https://{a}/"),
                             default=Rule(headers=[("Strict-Transport-Security", "max-age=31536000")])),
                     f"www.{a}": Site(default=Rule(status=301, redirect=f"https://{a}/",
                                                   headers=[("Strict-Transport-Security", "max-age=31536000")]),
                                      http=Rule(status=301, redirect=f"https://www.{a}/"))},
              profile={"project": "IDN", "domain": u})
    with Lab(w, tmp_path / "lab", timeout_s=2.0) as lab:
        ctx = context(lab)
        assert ctx.profile.domain == a and ctx.profile.display_host() == u
        tls_targets = tls.targets(ctx.profile, {})
        assert a in tls_targets
        t = await tls.check(ctx, a, {})
        r = await redirects.check(ctx, a, {})
        rw = await redirects.check(ctx, f"www.{a}", {})
    assert t.status.value in ("pass", "warn") and "certificate is for" not in t.summary, t.summary
    assert r.status.value == "pass", r.summary
    assert rw.status.value == "pass" and "not canonical" not in rw.summary, rw.summary


async def test_a_provider_token_goes_to_its_api_host_only(tmp_path):
    """A provider token (Cloudflare, Sentry...) belongs to the provider's API host: the
    request names that host, and nothing else a reply points at gets the token."""
    api, other = Seen(), Seen()
    with make_lab(tmp_path, {EVIL: Site(default=api.rule(b"{}")), f"other.{EVIL}": Site(default=other.rule())},
                  records=[(f"other.{EVIL}", "A", "127.0.0.1")]) as lab:
        ctx = context(lab)
        r = await ctx.net.fetch(f"https://{EVIL}/v4/zones", headers={"Authorization": "Bearer cf"},
                                credential_host=EVIL)
        assert r.status == 200
        with pytest.raises(CredentialRefused):
            await ctx.net.fetch(f"https://other.{EVIL}/next", headers={"Authorization": "Bearer cf"},
                                credential_host=EVIL)
    assert api.auth == ["Bearer cf"] and other.hits == 0
