"""Redirect following and judging, with a fake fetcher (no network)."""

from __future__ import annotations

import ssl

import httpx
import pytest

from launchready_tui.core.checks import redirects as rd
from launchready_tui.core.net import DnsFailure, FetchResult, HostResolutionError
from launchready_tui.core.profile import parse_profile

PROFILE = parse_profile("project: T\ndomain: acme.test\nhosts:\n  www: www.acme.test\n  app: app.acme.test\n")


class FakeFetcher:
    timeout_s, per_fetch_s, budget_s = 1.0, 2.0, 5.0

    def __init__(self, routes: dict) -> None:
        self.routes = routes
        self.calls: list[tuple[str, bool]] = []

    def remaining(self) -> float:
        return 5.0

    async def get(self, url, *, verify=True, max_bytes=0, headers=None):
        self.calls.append((url, verify))
        v = self.routes[url]
        if isinstance(v, dict):
            v = v[verify]
        if isinstance(v, BaseException):
            raise v
        status, hdrs = v
        return FetchResult(url, status, list(hdrs), b"", False, 1.0)


def redirect(to: str, *extra) -> tuple:
    return (301, [("Location", to), *extra])


OK = (200, [("Content-Type", "text/html")])


async def follow(routes, start):
    f = FakeFetcher(routes)
    return await rd.follow_chain(f, PROFILE, start), f


def test_normalize_url():
    assert rd.normalize_url("HTTPS://Acme.Test:443") == "https://acme.test/"
    assert rd.normalize_url("http://acme.test:80/a?b=1#frag") == "http://acme.test/a?b=1"
    assert rd.normalize_url("https://acme.test:8443/") == "https://acme.test:8443/"


async def test_records_each_hop_and_resolves_relative_locations():
    chain, _ = await follow({
        "http://acme.test/": redirect("https://acme.test/"),
        "https://acme.test/": redirect("/home"),
        "https://acme.test/home": OK,
    }, "http://acme.test/")
    assert chain.end == rd.FINAL and chain.final_url == "https://acme.test/home"
    assert [(h.status, h.scheme) for h in chain.hops] == [(301, "http"), (301, "https"), (200, "https")]
    assert chain.hops[1].location == "/home" and chain.hops[1].next_url == "https://acme.test/home"


async def test_loop_is_a_loop():
    chain, f = await follow({
        "https://acme.test/": redirect("https://www.acme.test/"),
        "https://www.acme.test/": redirect("https://ACME.test:443/"),
    }, "https://acme.test/")
    assert chain.end == rd.LOOP and "loop" in chain.reason
    assert len(f.calls) == 2, "the loop is seen without asking again"


async def test_hop_cap_is_ten():
    routes = {f"https://acme.test/{i}": redirect(f"/{i + 1}") for i in range(50)}
    chain, f = await follow(routes, "https://acme.test/0")
    assert chain.end == rd.TOO_MANY and len(chain.hops) == 11 and len(f.calls) == 11
    routes = {f"https://acme.test/{i}": redirect(f"/{i + 1}") for i in range(10)}
    routes["https://acme.test/10"] = OK
    chain, _ = await follow(routes, "https://acme.test/0")
    assert chain.end == rd.FINAL, "exactly ten redirects are fine"


async def test_off_domain_location_is_recorded_not_followed():
    chain, f = await follow({"https://app.acme.test/": redirect("https://evil.example/x")}, "https://app.acme.test/")
    assert chain.end == rd.OFF_DOMAIN and chain.final_url == "https://evil.example/x"
    assert [u for u, _ in f.calls] == ["https://app.acme.test/"]


async def test_bad_location():
    chain, _ = await follow({"https://acme.test/": redirect("javascript:alert(1)")}, "https://acme.test/")
    assert chain.end == rd.BAD_LOCATION


def _wrapped(inner: BaseException) -> httpx.ConnectError:
    e = httpx.ConnectError("could not connect")
    e.__cause__ = inner
    return e


async def test_unresolvable_first_host_and_broken_later_hop():
    nx = HostResolutionError("gone.acme.test does not resolve: NXDOMAIN (the name does not exist)")
    chain, _ = await follow({"https://gone.acme.test/": _wrapped(nx)}, "https://gone.acme.test/")
    assert chain.end == rd.UNRESOLVED and "NXDOMAIN" in chain.reason
    chain, _ = await follow({"https://acme.test/": redirect("https://gone.acme.test/"),
                             "https://gone.acme.test/": _wrapped(nx)}, "https://acme.test/")
    assert chain.end == rd.BROKEN
    refused = httpx.ConnectError("refused")
    refused.__cause__ = ConnectionRefusedError(111, "refused")
    chain, _ = await follow({"https://acme.test/": redirect("https://app.acme.test/"),
                             "https://app.acme.test/": refused}, "https://acme.test/")
    assert chain.end == rd.BROKEN and "refused" in chain.reason


async def test_dns_failure_and_timeouts_are_could_not_check():
    fail = DnsFailure("acme.test", "A", "SERVFAIL", "127.0.0.1:5353")
    chain, _ = await follow({"https://acme.test/": _wrapped(fail)}, "https://acme.test/")
    assert chain.end == rd.DNS_ERROR and "127.0.0.1:5353" in chain.reason
    chain, _ = await follow({"https://acme.test/": httpx.ReadTimeout("t")}, "https://acme.test/")
    assert chain.end == rd.NO_ANSWER and "sent nothing for 1 s" in chain.reason
    chain, _ = await follow({"https://acme.test/": TimeoutError()}, "https://acme.test/")
    assert chain.end == rd.NO_ANSWER and "trickle" in chain.reason
    chain, _ = await follow({"https://acme.test/": httpx.ConnectTimeout("t")}, "https://acme.test/")
    assert "handshake stalled" in chain.reason


async def test_certificate_error_is_recorded_and_the_chain_continues_unverified():
    bad = httpx.ConnectError("cert")
    err = ssl.SSLCertVerificationError(1, "certificate verify failed")
    err.verify_message = "certificate has expired"
    bad.__cause__ = err
    chain, f = await follow({"https://acme.test/": {True: bad, False: OK}}, "https://acme.test/")
    assert chain.end == rd.FINAL and chain.hops[0].cert_error == "certificate has expired"
    assert f.calls == [("https://acme.test/", True), ("https://acme.test/", False)]
    codes = {x.code for x in rd.judge("acme.test", [chain], PROFILE)}
    assert codes == {"certificate"}


def chain_of(start, *hops, end=rd.FINAL, final=None, status=200, cf=False, hsts="max-age=31536000"):
    """A chain; every https hop sends `hsts` (None: no Strict-Transport-Security header)."""
    from urllib.parse import urlsplit

    c = rd.Chain(start=start, end=end, final_url=final)
    for url, nxt in hops:
        scheme = urlsplit(url).scheme.lower()
        c.hops.append(rd.Hop(url=url, scheme=scheme, host=urlsplit(url).hostname,
                             status=301 if nxt else status, next_url=nxt, cloudflare=cf,
                             hsts=hsts if scheme == "https" else None))
    if end == rd.FINAL:
        c.response = FetchResult(final, status, [], b"", False, 1.0)
    return c


def codes_of(host, *chains):
    return {(f.severity, f.code) for f in rd.judge(host, list(chains), PROFILE)}


def test_judge_clean_apex():
    http = chain_of("http://acme.test/", ("http://acme.test/", "https://acme.test/"), ("https://acme.test/", None),
                    final="https://acme.test/")
    https = chain_of("https://acme.test/", ("https://acme.test/", None), final="https://acme.test/")
    assert codes_of("acme.test", http, https) == set()


def test_judge_findings():
    never = chain_of("http://app.acme.test/", ("http://app.acme.test/", None), final="http://app.acme.test/")
    assert codes_of("app.acme.test", never) == {("fail", "no_https")}
    down = chain_of("https://app.acme.test/", ("https://app.acme.test/", "http://app.acme.test/"),
                    ("http://app.acme.test/", None), final="http://app.acme.test/")
    assert ("fail", "downgrade") in codes_of("app.acme.test", down)
    www = chain_of("https://www.acme.test/", ("https://www.acme.test/", None), final="https://www.acme.test/")
    assert codes_of("www.acme.test", www) == {("fail", "not_canonical")}
    assert codes_of("app.acme.test", chain_of("https://app.acme.test/", ("https://app.acme.test/", None),
                                              final="https://app.acme.test/")) == set(), "only apex and www must be canonical"
    jump = chain_of("http://acme.test/", ("http://acme.test/", "https://www.acme.test/"),
                    ("https://www.acme.test/", "https://acme.test/"), ("https://acme.test/", None),
                    final="https://acme.test/")
    assert codes_of("acme.test", jump) == {("warn", "apex_hsts")}
    err = chain_of("https://app.acme.test/", ("https://app.acme.test/", None), final="https://app.acme.test/", status=500)
    assert codes_of("app.acme.test", err) == {("warn", "error_page")}


def test_judge_loop_fix_names_cloudflare_when_its_headers_are_seen():
    loop = chain_of("https://acme.test/", ("https://acme.test/", "https://acme.test/"), end=rd.LOOP,
                    final="https://acme.test/", cf=True)
    loop.reason = "redirect loop"
    [f] = rd.judge("acme.test", [loop], PROFILE)
    assert f.code == "loop" and "Full (strict)" in f.fix and "SSL/TLS > Overview" in f.fix
    loop.hops[0].cloudflare = False
    [f] = rd.judge("acme.test", [loop], PROFILE)
    assert "Full (strict)" not in f.fix


@pytest.mark.parametrize("end,severity", [(rd.NO_ANSWER, "error"), (rd.DNS_ERROR, "error"),
                                          (rd.OUT_OF_TIME, "error"), (rd.BROKEN, "fail"),
                                          (rd.UNRESOLVED, "fail"), (rd.TOO_MANY, "fail")])
def test_judge_chain_ends(end, severity):
    c = chain_of("https://app.acme.test/", ("https://app.acme.test/", None), end=end)
    c.reason = "why"
    assert {f.severity for f in rd.judge("app.acme.test", [c], PROFILE)} == {severity}


def test_evidence_is_the_redirect_map():
    http = chain_of("http://acme.test/", ("http://acme.test/", "https://acme.test/"), ("https://acme.test/", None),
                    final="https://acme.test/")
    ev = rd.chain_evidence([http])
    assert ev["map"] == {"http://acme.test/": "https://acme.test/"}
    assert [h["status"] for h in ev["hops"]["http://acme.test/"]] == [301, 200]
