"""Issue 16, redirects: port 80 refusing is an observation, HSTS on every https hop
(hstspreload.org rules, RFC 6797 §8.1/§8.2), case-insensitive schemes and hosts (RFC 3986 §6.2.2.1)."""

from __future__ import annotations

import errno

import httpx

from launchready_tui.core.checks import redirects as rd
from tests.unit.test_edge_unit_redirects import (
    OK,
    PROFILE,
    FakeFetcher,
    chain_of,
    codes_of,
    redirect,
)


def refused() -> httpx.ConnectError:
    inner = ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")
    try:
        raise httpx.ConnectError("All connection attempts failed") from inner
    except httpx.ConnectError as e:
        return e


async def test_port_80_refusing_is_an_observation_not_could_not_check():
    f = FakeFetcher({"http://acme.test/": refused()})
    chain = await rd.follow_chain(f, PROFILE, "http://acme.test/")
    assert chain.end == rd.REFUSED
    [finding] = rd.judge("acme.test", [chain], PROFILE)
    assert (finding.severity, finding.code) == ("warn", "http_refused")
    assert "does not answer at all" in finding.message
    assert "This site can't be reached" in finding.why, "says what visitors see"
    assert "Always Use HTTPS" in finding.fix and "301" in finding.fix


async def test_https_refusing_stays_could_not_check_here():
    f = FakeFetcher({"https://acme.test/": refused()})
    chain = await rd.follow_chain(f, PROFILE, "https://acme.test/")
    assert {x.severity for x in rd.judge("acme.test", [chain], PROFILE)} == {"error"}


async def test_a_later_hop_refusing_is_still_broken():
    f = FakeFetcher({"https://app.acme.test/": redirect("https://www.acme.test/"), "https://www.acme.test/": refused()})
    chain = await rd.follow_chain(f, PROFILE, "https://app.acme.test/")
    assert chain.end == rd.BROKEN


async def test_follow_chain_records_hsts_of_https_hops_only():
    sts = ("Strict-Transport-Security", "max-age=31536000")
    f = FakeFetcher({"http://acme.test/": (301, [("Location", "https://acme.test/"), sts]),
                     "https://acme.test/": (200, [sts])})
    chain = await rd.follow_chain(f, PROFILE, "http://acme.test/")
    assert [h.hsts for h in chain.hops] == [None, "max-age=31536000"], "HSTS over plain http is ignored (RFC 6797 §8.1)"


def test_hstspreload_apex_https_redirect_must_carry_hsts_itself():
    # http://apex -> https://apex -> https://www.apex: the https://apex answer is a redirect
    hops = (("http://acme.test/", "https://acme.test/"), ("https://acme.test/", "https://www.acme.test/"),
            ("https://www.acme.test/", None))
    chain = chain_of("http://acme.test/", *hops, final="https://www.acme.test/", hsts=None)
    chain.hops[2].hsts = "max-age=31536000; includeSubDomains"
    # judged as app.acme.test so the canonical-host rule (tested elsewhere) stays out of the way
    got = {(f.code, f.url) for f in rd.judge("app.acme.test", [chain], PROFILE)}
    assert ("hop_hsts_missing", "https://acme.test/") in got
    [f] = [x for x in rd.judge("app.acme.test", [chain], PROFILE) if x.code == "hop_hsts_missing"]
    assert f.severity == "warn" and "your root domain" in f.why and "not only the page" in f.fix


def test_hop_hsts_present_passes_and_max_age_zero_does_not_count():
    hops = (("https://acme.test/", "https://acme.test/home"), ("https://acme.test/home", None))
    ok = chain_of("https://acme.test/", *hops, final="https://acme.test/home")
    assert codes_of("app.acme.test", ok) == set()
    off = chain_of("https://acme.test/", *hops, final="https://acme.test/home", hsts="max-age=0")
    assert ("warn", "hop_hsts_missing") in codes_of("app.acme.test", off)


def test_rfc6797_8_2_include_subdomains_on_a_parent_covers_the_hop():
    # https://www.acme.test -> https://acme.test, whose HSTS has includeSubDomains: www is covered
    hops = (("https://www.acme.test/", "https://acme.test/"), ("https://acme.test/", None))
    c = chain_of("https://www.acme.test/", *hops, final="https://acme.test/", hsts=None)
    c.hops[1].hsts = "max-age=31536000; includeSubDomains"
    assert codes_of("www.acme.test", c) == set()
    c.hops[1].hsts = "max-age=31536000"
    assert codes_of("www.acme.test", c) == {("warn", "hop_hsts_missing")}


def test_hop_hsts_is_not_judged_on_broken_chains():
    loop = chain_of("https://acme.test/", ("https://acme.test/", "https://acme.test/"), end=rd.LOOP,
                    final="https://acme.test/", hsts=None)
    loop.reason = "redirect loop"
    assert codes_of("acme.test", loop) == {("fail", "loop")}


def test_rfc3986_schemes_and_hosts_compare_case_insensitively():
    http = chain_of("http://acme.test/", ("http://acme.test/", "HTTPS://ACME.Test/"),
                    ("HTTPS://ACME.Test/", None), final="HTTPS://ACME.Test/")
    https = chain_of("https://acme.test/", ("https://acme.test/", None), final="https://acme.test/")
    assert codes_of("ACME.test", http, https) == set()
    down = chain_of("https://app.acme.test/", ("https://app.acme.test/", "HTTP://app.acme.test/"),
                    ("HTTP://app.acme.test/", None), final="HTTP://app.acme.test/")
    assert ("fail", "downgrade") in codes_of("app.acme.test", down)


async def test_one_destination_whatever_its_case(monkeypatch):
    class Ctx:
        profile = PROFILE

        class net:  # noqa: N801 - a stand-in namespace
            timeout_s = 1.0

    routes = {"http://acme.test/": redirect("HTTPS://ACME.TEST/"), "HTTPS://ACME.TEST/": OK,
              "https://acme.test/": OK}

    class F(FakeFetcher):
        def __init__(self, *_a) -> None:
            super().__init__(routes)

        async def __aenter__(self):
            return self

        async def __aexit__(self, *exc):
            return None

    monkeypatch.setattr(rd, "Fetcher", F)
    res = await rd.check(Ctx(), "acme.test", {})
    assert res.status.value == "pass", res.summary
    assert res.summary.count("https://acme.test/") == 1 and "ACME" not in res.summary


def test_rfc6797_hop_hsts_value_is_read_like_the_header_check():
    assert rd.hsts_ok("max-age=31536000; includeSubDomains") == (True, True)
    assert rd.hsts_ok("max-age=31536000") == (True, False)
    assert rd.hsts_ok("max-age=0") == (False, False)
    assert rd.hsts_ok("max-age=31536000, max-age=600") == (False, False), "two values joined by a comma"
    assert rd.hsts_ok("max-age=1; max-age=2") == (False, False), "a directive twice is invalid (§6.1)"
    assert rd.hsts_ok(None) == (False, False)
