"""The edge checks (dns, redirects, tls, headers, cloudflare) through the real CLI against
the lab: DNS from knotd (or the in-process server), HTTPS from the lab's SNI server plus
a few extra TLS servers (foreign CA, incomplete chain, TLS 1.0/1.1).

One lab world holds three domains:
- good.test: the clean control; every check passes with the kinds' default targets;
- solo.test: one nameserver and an apex that skips its own https upgrade (warnings);
- edge.test: one host per failure, named in the runbook's `targets`.
The edge.test run is repeated with knotd as the nameserver (skipped without knotd).
"""

from __future__ import annotations

import json

import pytest
from test_edge_support import (
    RawServers,
    closed_port,
    make_aia_chain,
    run_check,
    server_context,
    tls_site,
    trustme_context,
    write_profile,
    write_runbooks,
)

from launchready_tui.lab import CertSpec, Lab, Rule, Site, World
from launchready_tui.lab.knot import KnotDns, knotd_path
from launchready_tui.lab.web import CertFactory, LabWeb

pytestmark = pytest.mark.integration

D, G, S = "edge.test", "good.test", "solo.test"
TIMEOUT = 2.0
RENEWER = "Dana from Ops"
SECRET_COOKIE = "s3cr3t-session-VALUE-42"

GOOD = [
    ("Strict-Transport-Security", "max-age=31536000; includeSubDomains"),
    ("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
]
CF = [("Server", "cloudflare"), ("CF-RAY", "8f00aa11bb22cc33-AMS")]
PAGE = "<!doctype html><html><head><title>t</title></head><body><p>hi</p></body></html>"


def h(name: str) -> str:
    return f"{name}.{D}"


def to_https(host: str, headers=()) -> Rule:
    return Rule(status=301, redirect=f"https://{host}" + "{path}", headers=list(headers))


def page(headers=GOOD, body: str = PAGE) -> Rule:
    return Rule(body=body, headers=list(headers))


def without(name: str) -> list[tuple[str, str]]:
    return [x for x in GOOD if x[0] != name]


def world() -> World:
    w = World(profile={"project": "Edge lab", "domain": D})
    for dom, ns in ((D, 2), (G, 2), (S, 1)):
        w.records += [(dom, "SOA", f"ns1.{dom}. hostmaster.{dom}. 1 3600 600 86400 300")]
        w.records += [(dom, "NS", f"ns{i}.{dom}.") for i in range(1, ns + 1)]
        w.records += [(f"ns{i}.{dom}", "A", "127.0.0.1") for i in range(1, ns + 1)]
        w.records += [(dom, "A", "127.0.0.1")]
    w.records += [(D, "CAA", '0 issue "letsencrypt.org"'), (G, "CAA", '0 issue "letsencrypt.org"')]
    # good.test: the clean control
    w.records += [(f"www.{G}", "CNAME", f"{G}."), (f"app.{G}", "A", "127.0.0.1")]
    w.sites[G] = Site(default=page(), http=to_https(G))
    w.sites[f"www.{G}"] = Site(default=to_https(G), http=to_https(f"www.{G}"))
    w.sites[f"app.{G}"] = Site(default=page(), http=to_https(f"app.{G}"))
    # solo.test: canonical www; http://apex jumps to www before upgrading on the apex
    w.records += [(f"www.{S}", "A", "127.0.0.1")]
    w.sites[S] = Site(default=to_https(f"www.{S}"), http=to_https(f"www.{S}"))
    w.sites[f"www.{S}"] = Site(default=page(), http=to_https(f"www.{S}"))
    # cfdns.test: DNS at Cloudflare; some web names proxied, some not
    C = "cfdns.test"
    w.records += [(C, "SOA", "amy.ns.cloudflare.com. dns.cloudflare.com. 1 3600 600 86400 300"),
                  (C, "NS", "amy.ns.cloudflare.com."), (C, "NS", "bob.ns.cloudflare.com."),
                  (C, "A", "127.0.0.1"),
                  (f"app.{C}", "CNAME", "acme.onrender.com."), ("acme.onrender.com", "A", "127.0.0.1"),
                  (f"web.{C}", "CNAME", "cname.vercel-dns.com."), ("cname.vercel-dns.com", "A", "127.0.0.1"),
                  (f"edge.{C}", "A", "127.0.0.1")]
    for host in (C, f"app.{C}", f"web.{C}"):
        w.sites[host] = Site(default=page(), http=to_https(host))
    w.sites[f"edge.{C}"] = Site(default=page(GOOD + CF), http=to_https(f"edge.{C}", CF))
    # edge.test
    plain_hosts = ["www", "loop", "plain", "down", "hopnx", "hopdead", "offsite", "expired", "wrong",
                   "soon", "short", "shortok", "foreign", "chain", "fullchain", "oldtls", "pki", "nohsts",
                   "twice", "shorthsts", "preload", "nocsp", "cookie", "leak", "mixed", "mixedimg", "cf",
                   "cfloop", "cforigin", "cfsafe", "cfbadorigin", "dead", "slow"]
    w.records += [(h(n), "A", "127.0.0.1") for n in plain_hosts]
    w.records += [
        (h("dangling"), "CNAME", "gone-app.herokuapp.com."),
        (h("ghpages"), "CNAME", "edge-docs.github.io."),
        ("edge-docs.github.io", "A", "127.0.0.1"),
        (h("cfip"), "A", "104.16.0.10"),  # in Cloudflare's published ranges
    ]
    w.faults[h("sf")] = "servfail"
    w.faults[h("slow")] = "drop"
    w.sites[D] = Site(default=page(), http=to_https(D))
    w.sites[h("www")] = Site(default=page(), http=to_https(h("www")))  # not sent to the apex
    w.sites[h("ghpages")] = Site(default=Rule(status=404, body="<h1>404</h1><p>There isn't a GitHub Pages site here.</p>"))
    w.sites[h("loop")] = Site(default=Rule(redirect=f"https://{h('loop')}/a"),
                              paths={"/a": Rule(redirect=f"https://{h('loop')}/")}, http=to_https(h("loop")))
    w.sites[h("plain")] = Site(default=page())
    w.sites[h("down")] = Site(default=Rule(redirect=f"http://{h('down')}/"), http=page())
    w.sites[h("hopnx")] = Site(default=Rule(redirect=f"https://{h('nx')}/"), http=to_https(h("hopnx")))
    w.sites[h("hopdead")] = Site(default=Rule(redirect=f"https://{h('dead')}/"), http=to_https(h("hopdead")))
    w.sites[h("offsite")] = Site(default=Rule(redirect="https://partner.example/welcome"), http=to_https(h("offsite")))
    for n in ("expired", "wrong", "soon", "short", "shortok"):
        w.sites[h(n)] = Site(default=page(), http=to_https(h(n)))
    w.certs[h("expired")] = CertSpec(kind="expired")
    w.certs[h("wrong")] = CertSpec(kind="wronghost")
    w.certs[h("soon")] = CertSpec(kind="expiring", days_left=20, lifetime_days=90)
    w.certs[h("short")] = CertSpec(kind="expiring", days_left=1.5, lifetime_days=6)
    w.certs[h("shortok")] = CertSpec(kind="expiring", days_left=3, lifetime_days=6)
    w.sites[h("nohsts")] = Site(default=page(without("Strict-Transport-Security")))
    w.sites[h("twice")] = Site(default=page(GOOD + [("Strict-Transport-Security", "max-age=31536000")]))
    w.sites[h("shorthsts")] = Site(default=page(without("Strict-Transport-Security") + [("Strict-Transport-Security", "max-age=86400")]))
    w.sites[h("preload")] = Site(default=page(without("Strict-Transport-Security") + [("Strict-Transport-Security", "max-age=63072000; includeSubDomains; preload")]))
    w.sites[h("nocsp")] = Site(default=page(without("Content-Security-Policy") + [("X-Frame-Options", "DENY")]))
    w.sites[h("cookie")] = Site(default=page(GOOD + [("Set-Cookie", f"sessionid={SECRET_COOKIE}; Path=/"),
                                                     ("Set-Cookie", "theme=dark; Path=/")]))
    w.sites[h("leak")] = Site(default=page(GOOD + [("Server", "nginx/1.18.0 (Ubuntu)"), ("X-Powered-By", "PHP/7.4.3")]))
    w.sites[h("mixed")] = Site(default=page(body='<!doctype html><script src="http://cdn.example/app.js"></script>'))
    w.sites[h("mixedimg")] = Site(default=page(body='<!doctype html><img src="http://cdn.example/logo.png">'))
    w.sites[h("cf")] = Site(default=page(GOOD + CF), http=to_https(h("cf"), CF))
    w.sites[h("cfip")] = Site(default=page(), http=to_https(h("cfip")))
    w.sites[h("cfloop")] = Site(default=to_https(h("cfloop"), CF), http=to_https(h("cfloop"), CF))
    w.sites[h("cforigin")] = Site(default=page(GOOD + CF), http=to_https(h("cforigin"), CF))
    w.sites[h("cfsafe")] = Site(default=page(GOOD + CF), http=to_https(h("cfsafe"), CF))
    w.sites[h("cfbadorigin")] = Site(default=page(GOOD + CF), http=to_https(h("cfbadorigin"), CF))
    return w


EDGE_TARGETS = {
    "dns": [D, h("nx"), h("dangling"), h("ghpages"), h("sf"), h("slow")],
    "redirects": [D, h("www"), h("loop"), h("plain"), h("down"), h("hopnx"), h("hopdead"), h("offsite"), h("cfloop")],
    "tls": [D, h("expired"), h("wrong"), h("soon"), h("short"), h("shortok"), h("foreign"), h("chain"),
            h("fullchain"), h("oldtls")],
    "headers": [D, h("nohsts"), h("twice"), h("shorthsts"), h("preload"), h("nocsp"), h("cookie"), h("leak"),
                h("mixed"), h("mixedimg")],
    "cloudflare": [D, h("cf"), h("cfip"), h("cfloop"), h("cforigin"), h("cfsafe"), h("cfbadorigin")],
}


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    """The running lab plus extra servers; yields what the profiles need."""
    import trustme

    tmp = tmp_path_factory.mktemp("edge")
    w = world()
    raw = RawServers()
    with Lab(w, tmp / "lab", timeout_s=TIMEOUT) as lab:
        pki = make_aia_chain(h("chain"), f"http://{h('pki')}/int.der")
        lab.web.sites[h("pki")] = Site(default=Rule(status=404, body="no"), paths={
            "/int.der": Rule(body=pki["int_der"], content_type="application/pkix-cert")})
        raw.add(h("chain"), tls_site, server_context(pki["leaf_pem"], pki["key_pem"], tmp / "c1"), ports=(443,))
        full = make_aia_chain(h("fullchain"), f"http://{h('pki')}/none.der")
        raw.add(h("fullchain"), tls_site, server_context(full["leaf_pem"] + full["int_pem"], full["key_pem"], tmp / "c2"),
                ports=(443,))
        other_ca = trustme.CA(organization_name="Someone Else's CA")
        raw.add(h("foreign"), tls_site, trustme_context(other_ca.issue_cert(h("foreign"))), ports=(443,))
        raw.add(h("oldtls"), tls_site, trustme_context(lab.web.factory.ca.issue_cert(h("oldtls")), old_tls=True),
                ports=(443,))
        # its own CertFactory: sharing one would replace the lab's SNI callback
        origin = LabWeb({h("cforigin"): Site(default=page()), h("cfbadorigin"): Site(default=Rule(status=403))},
                        {h("cfbadorigin"): CertSpec(kind="expired")}, cert_factory=CertFactory(tmp / "origin")).start()
        bundle = tmp / "bundle.pem"
        bundle.write_bytes(lab.web.ca_path.read_bytes() + pki["root_pem"] + full["root_pem"])
        net = lab.network()
        special = [f"{h('dead')}:443:127.0.0.1:{closed_port()}",
                   f"{h('cfip')}:443:127.0.0.1:{lab.web.https_port}", f"{h('cfip')}:80:127.0.0.1:{lab.web.http_port}"]
        net["connect_to"] = raw.rules + special + net["connect_to"]
        net["ca_bundle"] = str(bundle)
        net["origins"] = {h("cforigin"): f"127.0.0.1:{origin.https_port}",
                          "cfsafe": f"127.0.0.1:{closed_port()}",  # a role name works too
                          h("cfbadorigin"): f"127.0.0.1:{origin.https_port}"}
        try:
            yield {"lab": lab, "net": net, "tmp": tmp, "world": w}
        finally:
            origin.stop()
            raw.close()


def edge_profile(env, name: str, nameserver: str | None = None):
    net = dict(env["net"])
    if nameserver:
        net["nameservers"] = [nameserver]
    hosts = {"www": h("www"), "cfsafe": h("cfsafe")}
    path = write_profile(env["tmp"] / name / "launchready.yaml",
                         {"project": "Edge lab", "domain": D, "canonical_host": D, "hosts": hosts}, net)
    from launchready_tui.core.state import StateStore

    StateStore(path.parent / ".launchready").set_record("edge", "tls", "renewal", "cert_renewer", RENEWER, "test")
    return path


@pytest.fixture(scope="module", params=["inproc", "knot"])
def edge_run(request, env):
    backend = request.param
    targets = {k: list(v) for k, v in EDGE_TARGETS.items()}
    if backend == "knot":
        if knotd_path() is None:
            pytest.skip("knotd is not installed (Debian package 'knot'; .ci/run installs it)")
        kw = World(records=env["world"].records, faults={k: v for k, v in env["world"].faults.items() if v != "drop"})
        knot = KnotDns(kw, env["tmp"] / "knot").start()
        request.addfinalizer(knot.close)
        targets["dns"].remove(h("slow"))  # knotd cannot drop replies
        profile = edge_profile(env, "edge-knot", knot.address)
    else:
        profile = edge_profile(env, "edge-inproc")
    rb = write_runbooks(env["tmp"] / f"rb-{backend}", targets)
    doc, by, wall, proc = run_check(profile, rb)
    return {"backend": backend, "doc": doc, "by": by, "wall": wall, "stdout": proc.stdout,
            "nameserver": (knot.address if backend == "knot" else env["lab"].dns.address)}


def r(run, kind: str, host: str) -> dict:
    return run["by"][(kind, host)]


def codes(res: dict) -> set[str]:
    return {f["code"] for f in res["evidence"].get("findings", [])}


def assert_explained(res: dict) -> None:
    assert res["summary"] and res["why"] and res["fix"], res


# ---------------------------------------------------------------------------- control


def test_clean_control_passes_everything(env):
    profile = write_profile(env["tmp"] / "good" / "launchready.yaml",
                            {"project": "Good", "domain": G, "hosts": {"www": f"www.{G}", "app": f"app.{G}"}}, env["net"])
    rb = write_runbooks(env["tmp"] / "rb-good", dict.fromkeys(EDGE_TARGETS))
    doc, by, _wall, proc = run_check(profile, rb)
    assert proc.returncode == 0, [(x["check"], x["target"], x["summary"]) for x in doc["results"] if x["status"] != "pass"]
    assert doc["counts"]["pass"] == 15  # 3 hosts x 5 kinds, default targets
    apex = by[("dns", G)]
    assert apex["evidence"]["ns"] == [f"ns1.{G}", f"ns2.{G}"]
    assert apex["evidence"]["caa"] == ['0 issue "letsencrypt.org"']
    assert apex["evidence"]["map"][G]["roles"] == ["apex", "canonical"]
    assert by[("dns", f"www.{G}")]["evidence"]["map"][f"www.{G}"]["cname_chain"] == [[f"www.{G}", G]]
    red = by[("redirects", f"www.{G}")]["evidence"]
    assert red["map"] == {f"http://www.{G}/": f"https://{G}/", f"https://www.{G}/": f"https://{G}/"}
    hops = red["hops"][f"http://www.{G}/"]
    assert [(x["status"], x["scheme"]) for x in hops] == [(301, "http"), (301, "https"), (200, "https")]
    assert hops[0]["location"] == f"https://www.{G}/"
    tls = by[("tls", G)]["evidence"]
    assert tls["tls_version"] in ("TLSv1.2", "TLSv1.3") and tls["chain_complete"] is True
    assert tls["old_versions"] == {"TLSv1": "refused", "TLSv1.1": "refused"}
    cert = tls["certificate"]
    assert cert["sans"] == [G] and cert["lifetime_days"] == 90 and 59 <= cert["days_left"] <= 60
    assert {"subject", "issuer", "not_before", "not_after"} <= set(cert)
    assert by[("cloudflare", G)]["evidence"]["proxied"] is False


def test_one_nameserver_and_apex_skipping_its_upgrade_warn(env):
    profile = write_profile(env["tmp"] / "solo" / "launchready.yaml",
                            {"project": "Solo", "domain": S, "canonical_host": f"www.{S}"}, env["net"])
    rb = write_runbooks(env["tmp"] / "rb-solo", {"dns": None, "redirects": None})
    _doc, by, _wall, _proc = run_check(profile, rb)
    dns = by[("dns", S)]
    assert dns["status"] == "warn" and "only one nameserver" in dns["summary"]
    assert_explained(dns)
    red = by[("redirects", S)]
    # issue 16: the https://apex hop redirects to www without HSTS of its own (hstspreload rules)
    assert red["status"] == "warn" and codes(red) == {"apex_hsts", "hop_hsts_missing"}, red["evidence"]["findings"]
    assert "HSTS" in red["why"] and f"https://{S}/" in red["fix"]
    assert by[("redirects", f"www.{S}")]["status"] == "pass"


CF_RUNBOOK = """---
id: cfdns
title: "Cloudflare (test copy)"
stage: 3
goal: g
summary: s
---

# Cloudflare

## Proxied {#proxy}

Text.

```check
id: proxy-status
kind: cloudflare
```

## Origin {#origin}

Text.

```check
id: origin-exposure
kind: cloudflare
part: origin
```
"""


def test_dns_at_cloudflare_expects_web_names_proxied(env):
    C = "cfdns.test"
    profile = write_profile(env["tmp"] / "cfdns" / "launchready.yaml",
                            {"project": "CF", "domain": C,
                             "hosts": {"app": f"app.{C}", "web": f"web.{C}", "edge": f"edge.{C}"}},
                            {k: v for k, v in env["net"].items() if k != "origins"})
    (env["tmp"] / "rb-cf").mkdir()
    (env["tmp"] / "rb-cf" / "cf.md").write_text(CF_RUNBOOK)
    doc, by, _wall, _proc = run_check(profile, str(env["tmp"] / "rb-cf"))
    apex, app = by[("cloudflare", C)], by[("cloudflare", f"app.{C}")]
    assert apex["status"] == "warn" and "not proxied" in apex["summary"] and apex["evidence"]["dns_at_cloudflare"]
    assert app["status"] == "warn" and "onrender.com" in app["summary"] and "orange" in app["fix"]
    assert by[("cloudflare", f"web.{C}")]["status"] == "pass", "Vercel names stay DNS-only"
    edge = by[("cloudflare", f"edge.{C}")]
    assert edge["status"] == "pass" and edge["evidence"]["proxied"] is True
    [origin] = [x for x in doc["results"] if x["check_id"] == "origin-exposure"]
    assert origin["status"] == "skip" and origin["evidence"]["missing_key"] == "network.origins"


# ---------------------------------------------------------------------------- dns


def test_dns(edge_run):
    run = edge_run
    apex = r(run, "dns", D)
    assert apex["status"] == "pass" and len(apex["evidence"]["ns"]) == 2 and apex["evidence"]["caa"]
    nx = r(run, "dns", h("nx"))
    assert nx["status"] == "fail" and "NXDOMAIN" in nx["summary"]
    dangling = r(run, "dns", h("dangling"))
    assert dangling["status"] == "fail" and "dangling CNAME" in dangling["summary"]
    assert "takeover" in dangling["why"] and "delete the CNAME" in dangling["fix"]
    assert dangling["evidence"]["map"][h("dangling")]["cname_chain"] == [[h("dangling"), "gone-app.herokuapp.com"]]
    gh = r(run, "dns", h("ghpages"))
    assert gh["status"] == "fail" and "GitHub Pages" in gh["summary"] and "takeover" in gh["why"]
    assert gh["evidence"]["provider_probe"]["unclaimed"]
    sf = r(run, "dns", h("sf"))
    assert sf["status"] == "error" and "SERVFAIL" in sf["summary"] and run["nameserver"] in sf["summary"]
    if run["backend"] == "inproc":
        slow = r(run, "dns", h("slow"))
        assert slow["status"] == "error" and "timeout" in slow["summary"] and run["nameserver"] in slow["summary"]


# ---------------------------------------------------------------------------- redirects


def test_redirect_findings(edge_run):
    run = edge_run
    assert r(run, "redirects", D)["status"] == "pass"
    www = r(run, "redirects", h("www"))
    assert www["status"] == "fail" and "not_canonical" in codes(www) and f"https://{D}/" in www["fix"]
    loop = r(run, "redirects", h("loop"))
    assert loop["status"] == "fail" and "loop" in loop["summary"] and loop["evidence"]["ends"][f"https://{h('loop')}/"] == "loop"
    assert loop["evidence"]["map"][f"https://{h('loop')}/"] is None
    plain = r(run, "redirects", h("plain"))
    assert plain["status"] == "fail" and "never upgraded" in plain["summary"]
    down = r(run, "redirects", h("down"))
    assert down["status"] == "fail" and "downgrade" in codes(down)
    for n in ("hopnx", "hopdead"):
        res = r(run, "redirects", h(n))
        assert res["status"] == "fail" and "broken" in codes(res), res
        assert_explained(res)
    assert "does not resolve" in r(run, "redirects", h("hopnx"))["summary"]
    assert "refused" in r(run, "redirects", h("hopdead"))["summary"]
    off = r(run, "redirects", h("offsite"))
    # issue 20: a host that sends everyone to another domain is a finding, not "0 redirects"
    assert off["status"] == "fail" and "off_domain" in codes(off), off
    assert "partner.example" in off["summary"] and "not one of your domains" in off["summary"]
    assert_explained(off)
    assert off["evidence"]["map"][f"https://{h('offsite')}/"] == "https://partner.example/welcome"
    assert len(off["evidence"]["hops"][f"https://{h('offsite')}/"]) == 1, "an off-domain Location is not followed"
    cfloop = r(run, "redirects", h("cfloop"))
    assert cfloop["status"] == "fail" and "Full (strict)" in cfloop["fix"] and "Cloudflare" in cfloop["why"]


# ---------------------------------------------------------------------------- tls


def test_tls_findings(edge_run):
    run = edge_run
    assert r(run, "tls", D)["status"] == "pass"
    exp = r(run, "tls", h("expired"))
    assert exp["status"] == "fail" and "expired" in exp["summary"] and RENEWER in exp["fix"]
    assert exp["evidence"]["certificate"]["days_left"] < 0
    wrong = r(run, "tls", h("wrong"))
    assert wrong["status"] == "fail" and "hostname" in codes(wrong)
    soon = r(run, "tls", h("soon"))
    assert soon["status"] == "warn" and "30 days" in soon["summary"] and RENEWER in soon["fix"]
    short = r(run, "tls", h("short"))
    assert short["status"] == "warn" and "third" in short["summary"]
    assert r(run, "tls", h("shortok"))["status"] == "pass"
    foreign = r(run, "tls", h("foreign"))
    assert foreign["status"] == "fail" and "untrusted" in codes(foreign)
    assert foreign["evidence"]["certificate"]["issuer_org"] == "Someone Else's CA"
    chain = r(run, "tls", h("chain"))
    assert chain["status"] == "warn" and "incomplete chain" in chain["summary"], chain
    assert chain["evidence"]["chain_complete"] is False and "API clients" in chain["why"]
    full = r(run, "tls", h("fullchain"))
    assert full["status"] == "pass" and full["evidence"]["chain_complete"] is True and full["evidence"]["chain_sent"] == 2
    old = r(run, "tls", h("oldtls"))
    assert old["status"] == "fail" and "old_tls" in codes(old), old
    assert old["evidence"]["old_versions"]["TLSv1.1"] == "accepted"
    assert "Minimum TLS Version" in old["fix"]
    for res in (exp, wrong, soon, short, foreign, chain, old):
        assert_explained(res)


# ---------------------------------------------------------------------------- headers


def test_header_findings(edge_run):
    run = edge_run
    assert r(run, "headers", D)["status"] == "pass"
    expect = {
        "nohsts": ("fail", "hsts_missing"),
        "shorthsts": ("warn", "hsts_short"),
        "nocsp": ("warn", "csp_missing"),
        "cookie": ("fail", "cookie_insecure"),
        "leak": ("warn", "version_leak"),
        "mixed": ("fail", "mixed_active"),
        "mixedimg": ("warn", "mixed_passive"),
    }
    for n, (status, code) in expect.items():
        res = r(run, "headers", h(n))
        assert res["status"] == status and code in codes(res), (n, res["status"], res["evidence"]["findings"])
        assert_explained(res)
        lines = res["evidence"]["findings"]
        assert all(set(x) == {"severity", "code", "message"} for x in lines)
    # RFC 6797 §8.1: the first one is used (issue 16); the two differ, so a warning names both
    twice = r(run, "headers", h("twice"))
    assert twice["status"] == "warn" and "hsts_twice" in codes(twice), twice["evidence"]["findings"]
    assert "browsers use only the first one" in twice["summary"] and "ignored" not in twice["summary"]
    pre = r(run, "headers", h("preload"))
    assert pre["status"] == "pass" and {"hsts_preload", "hsts_subdomains"} <= codes(pre)
    cookie = r(run, "headers", h("cookie"))
    assert "cookie_js" in codes(cookie)
    names = {c["name"]: c for c in cookie["evidence"]["cookies"]}
    assert names["sessionid"]["session"] is True and names["theme"]["session"] is False
    assert SECRET_COOKIE not in run["stdout"], "a cookie value never reaches the output"


# ---------------------------------------------------------------------------- cloudflare


def test_cloudflare(edge_run):
    run = edge_run
    apex = r(run, "cloudflare", D)
    assert apex["status"] == "pass" and apex["evidence"]["proxied"] is False and "DNS-only" in apex["summary"]
    cf = r(run, "cloudflare", h("cf"))
    assert cf["status"] == "pass" and cf["evidence"]["proxied"] is True and cf["evidence"]["cf_ray"]
    assert cf["evidence"]["ranges_taken_on"]
    cfip = r(run, "cloudflare", h("cfip"))
    assert cfip["evidence"]["proxied"] is True and cfip["evidence"]["cloudflare_addresses"] == ["104.16.0.10"]
    loop = r(run, "cloudflare", h("cfloop"))
    assert loop["status"] == "fail" and "Flexible" in loop["summary"]
    assert "SSL/TLS > Overview" in loop["fix"] and "Full (strict)" in loop["fix"]
    exposed = r(run, "cloudflare", h("cforigin"))
    assert exposed["status"] == "warn" and exposed["evidence"]["origin_probe"]["serves_site"] is True
    assert_explained(exposed)
    ocert = exposed["evidence"]["origin_probe"]["certificate"]
    assert ocert["covers_host"] is True and ocert["days_left"] > 50
    bad = r(run, "cloudflare", h("cfbadorigin"))
    assert bad["status"] == "warn" and "origin's own certificate has expired" in bad["summary"] and "526" in bad["why"]
    safe = r(run, "cloudflare", h("cfsafe"))
    assert safe["status"] == "pass" and "origin refuses" in safe["summary"], safe


def test_json_is_plain_data_and_every_problem_is_explained(edge_run):
    doc = edge_run["doc"]
    json.dumps(doc)
    for res in doc["results"]:
        if res["status"] in ("warn", "fail", "error"):
            assert_explained(res)
