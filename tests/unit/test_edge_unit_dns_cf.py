"""dns (providers, NS/CAA notes), cloudflare (ranges, origins) and the knotd zone plan."""

from __future__ import annotations

import datetime as dt
import ipaddress
from pathlib import Path
from types import SimpleNamespace

import pytest

from launchready_tui.core.checks import cloudflare as cf
from launchready_tui.core.checks import dns
from launchready_tui.core.net import DnsAnswer, DnsFailure
from launchready_tui.core.profile import parse_profile
from launchready_tui.lab.knot import plan_zones, render_config

PROFILE = parse_profile("project: T\ndomain: acme.test\nhosts:\n  www: www.acme.test\n  app: app.acme.test\n")


def test_provider_suffixes():
    assert dns.provider_for("old-blog.herokuapp.com.").name == "Heroku"
    assert dns.provider_for("acme.github.io").name == "GitHub Pages"
    assert dns.provider_for("evilherokuapp.com") is None
    assert dns.provider_for("acme.test") is None
    gh = dns.provider_for("x.github.io")
    assert dns.unclaimed_fingerprint(gh, "<p>THERE ISN'T A GITHUB PAGES SITE HERE.</p>")
    assert dns.unclaimed_fingerprint(gh, "<h1>Welcome</h1>") is None


def test_caa_issuers_and_roles():
    assert dns._caa_issuers(['0 issue "letsencrypt.org"', '0 issuewild "pki.goog; cansignhttpexchanges=yes"',
                             '0 iodef "mailto:sec@acme.test"']) == ["letsencrypt.org", "pki.goog"]
    assert dns.roles_of(PROFILE, "acme.test") == ["apex", "canonical"]
    assert dns.roles_of(PROFILE, "www.acme.test") == ["www"]


class FakeResolver:
    def __init__(self, answers: dict) -> None:
        self.answers = answers

    async def query(self, name, rdtype="A"):
        v = self.answers.get((name, rdtype))
        if isinstance(v, Exception):
            raise v
        recs = v or []
        return DnsAnswer(name, rdtype, "NOERROR", list(recs), nameserver="10.0.0.53")

    async def addresses(self, host):
        a = await self.query(host, "A")
        return list(a.records), a, None


def ctx_with(answers):
    net = SimpleNamespace(resolver=FakeResolver(answers), timeout_s=1.0)
    return SimpleNamespace(profile=PROFILE, net=net)


async def test_apex_nameservers_and_caa():
    base = {("acme.test", "A"): ["192.0.2.1"]}
    r = await dns.check(ctx_with({**base, ("acme.test", "NS"): ["ns1.dns.example", "ns2.dns.example"]}),
                        "acme.test", {})
    assert r.status == "pass" and "2 nameservers" in r.summary
    assert r.evidence["caa"] == [] and "no CAA record" in r.evidence["notes"][0], "no CAA is a note"
    r = await dns.check(ctx_with({**base, ("acme.test", "NS"): ["ns1.dns.example"]}), "acme.test", {})
    assert r.status == "warn" and "only one nameserver" in r.summary and r.why and r.fix
    failing = DnsFailure("acme.test", "NS", "REFUSED", "10.0.0.53")
    r = await dns.check(ctx_with({**base, ("acme.test", "NS"): failing,
                                  ("acme.test", "CAA"): DnsFailure("acme.test", "CAA", "SERVFAIL", "10.0.0.53")}),
                        "acme.test", {})
    assert r.status == "pass" and any("NS lookup failed" in n for n in r.evidence["notes"])
    assert any("CAA lookup failed" in n for n in r.evidence["notes"])


async def test_subdomain_zone_nameservers_are_found_on_the_parent():
    prof = parse_profile("project: T\ndomain: shop.acme.test\n")
    ctx = ctx_with({("shop.acme.test", "A"): ["192.0.2.1"], ("acme.test", "NS"): ["a.ns.example", "b.ns.example"],
                    ("acme.test", "CAA"): ['0 issue "letsencrypt.org"']})
    ctx.profile = prof
    r = await dns.check(ctx, "shop.acme.test", {})
    assert r.status == "pass" and r.evidence["ns_zone"] == "acme.test" and r.evidence["caa_zone"] == "acme.test"


async def test_resolver_failure_is_error_naming_the_resolver():
    ctx = ctx_with({("app.acme.test", "A"): DnsFailure("app.acme.test", "A", "timeout", "10.0.0.53")})
    r = await dns.check(ctx, "app.acme.test", {})
    assert r.status == "error" and "10.0.0.53" in r.summary and "timeout" in r.summary


def test_cloudflare_ranges_data():
    data = cf.load_ranges()
    dt.date.fromisoformat(data["taken_on"])
    assert data["source"].startswith("https://www.cloudflare.com/ips")
    assert len(data["ipv4"]) >= 10 and len(data["ipv6"]) >= 5
    for n in data["ipv4"] + data["ipv6"]:
        ipaddress.ip_network(n)  # strict: host bits are zero
    assert cf.in_cloudflare_ranges("104.16.132.229")
    assert cf.in_cloudflare_ranges("2606:4700::6810:84e5")
    assert not cf.in_cloudflare_ranges("8.8.8.8")
    assert not cf.in_cloudflare_ranges("not-an-ip")


@pytest.mark.parametrize("text,expected", [
    ("203.0.113.9", ("203.0.113.9", None)),
    ("203.0.113.9:8443", ("203.0.113.9", 8443)),
    ("[2001:db8::1]:8443", ("2001:db8::1", 8443)),
    ("2001:db8::1", ("2001:db8::1", None)),
])
def test_parse_origin(text, expected):
    assert cf.parse_origin(text) == expected


def test_knot_zone_plan():
    records = [
        ("acme.test", "SOA", "ns1.acme.test. h.acme.test. 1 3600 600 86400 300"),
        ("acme.test", "A", "127.0.0.1"),
        ("blog.acme.test", "CNAME", "gone.herokuapp.com."),
        ("_spf.mailer.test", "TXT", ["v=spf1 ", "-all"]),
        ("acme.test", "MX", "10 mx.acme.test"),
    ]
    zones, broken = plan_zones(records, {"bad.acme.test": "servfail"})
    assert set(zones) == {"acme.test", "herokuapp.com", "mailer.test", "bad.acme.test"}
    assert broken == {"bad.acme.test"}
    assert "blog.acme.test. 300 IN CNAME gone.herokuapp.com." in zones["acme.test"]
    assert "acme.test. 300 IN MX 10 mx.acme.test." in zones["acme.test"]
    assert any(" SOA " in line for line in zones["herokuapp.com"]), "a made-up SOA for provider zones"
    assert '"v=spf1 " "-all"' in "\n".join(zones["mailer.test"])
    with pytest.raises(ValueError, match="in-process"):
        plan_zones(records, {"acme.test": "drop"})
    with pytest.raises(ValueError, match="refuse"):
        plan_zones(records, {"x.acme.test": "refused"})
    conf = render_config(Path("/tmp/k"), 5353, list(zones))
    assert "listen: 127.0.0.1@5353" in conf and "{" not in conf, "block style only: knotd rejects flow mappings"


def test_origin_part_targets():
    from launchready_tui.core.registry import MissingInput

    assert cf.targets(PROFILE, {}) == ["acme.test", "www.acme.test", "app.acme.test"]
    with pytest.raises(MissingInput) as e:
        cf.targets(PROFILE, {"part": "origin"})
    assert e.value.key == "network.origins"
    p = parse_profile("project: T\ndomain: acme.test\nhosts:\n  app: app.acme.test\n  api: api.acme.test\n"
                      "network:\n  origins:\n    app: 203.0.113.1\n    api.acme.test: 203.0.113.2\n"
                      "    shop.acme.test: 203.0.113.3\n    other.example: 203.0.113.4\n")
    assert cf.targets(p, {"part": "origin"}) == ["api.acme.test", "app.acme.test", "shop.acme.test"]
