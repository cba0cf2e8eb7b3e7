"""Issue 16, email, through the real CLI against the lab's DNS server: SPF suggested
records never drop or break anything (RFC 7208), and DMARC reads tags the way receivers
do (RFC 7489 §6.4, RFC 9989) without ever suggesting a weaker policy."""

from __future__ import annotations

import asyncio
import json

import pytest

from launchready_tui.core.checks.email import spf
from launchready_tui.core.net import Net, NetConfig, parse_nameserver
from launchready_tui.lab import Lab, World
from tests.conftest import run_cli

pytestmark = pytest.mark.integration

MAILER = "_spf.mailer.test"
RECORDS = [
    (MAILER, "TXT", "v=spf1 ip4:192.0.2.0/24 -all"),
    ("noall.mailer.test", "TXT", "v=spf1 ip4:198.51.100.0/24"),
    # SPF
    ("glued.test", "TXT", f"v=spf1 include:{MAILER} ip4:203.0.113.7~all"),
    ("redir.test", "TXT", "v=spf1 ip4:203.0.113.7 redirect=noall.mailer.test"),
    ("selfloop.test", "TXT", "v=spf1 include:selfloop.test ip4:203.0.113.7 ~all"),
    ("loop.test", "TXT", "v=spf1 include:b.loop.test ~all"),
    ("b.loop.test", "TXT", "v=spf1 ip4:198.51.100.1 include:loop.test -all"),
    ("badip.test", "TXT", f"v=spf1 ip4:203.0.113.300 include:{MAILER} -all"),
    # DMARC
    ("_dmarc.upper.test", "TXT", "V=DMARC1; P=REJECT; RUA=mailto:d@upper.test"),
    ("_dmarc.pct.test", "TXT", "v=DMARC1; p=quarantine; pct=150; rua=mailto:d@pct.test"),
    ("_dmarc.tu.test", "TXT", "v=DMARC1; p=reject; t=u; rua=mailto:d@tu.test"),
    ("_dmarc.fo.test", "TXT", "v=DMARC1; p=reject; fo=2; ruf=mailto:f@fo.test; rua=mailto:d@fo.test"),
    ("_dmarc.typo.test", "TXT", "v=DMARC1; p=reject; adkim=x; rua=d@typo.test"),
    ("_dmarc.dup.test", "TXT", "v=DMARC1; p=reject; p=reject; rua=mailto:d@dup.test"),
]
SPF_TARGETS = ["glued.test", "redir.test", "selfloop.test", "loop.test", "badip.test"]
DMARC_TARGETS = ["upper.test", "pct.test", "tu.test", "fo.test", "typo.test", "dup.test"]
RUNBOOK = f"""---
id: email-spec
title: Email spec cases
stage: 3
goal: g
summary: s
---
# Email spec cases

## SPF {{#spf}}
```check
kind: spf
targets: {json.dumps(SPF_TARGETS)}
senders: ["198.51.100.9"]
```

## DMARC {{#dmarc}}
```check
kind: dmarc
targets: {json.dumps(DMARC_TARGETS)}
```
"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    w = World(profile={"project": "Email spec", "domain": "glued.test"}, records=list(RECORDS))
    with Lab(w, tmp_path_factory.mktemp("email-spec"), timeout_s=1) as lab:
        yield lab


@pytest.fixture(scope="module")
def results(lab, tmp_path_factory):
    rb = tmp_path_factory.mktemp("rb")
    (rb / "email.md").write_text(RUNBOOK, encoding="utf-8")
    proc = run_cli("check", "--profile", str(lab.profile_path), "--runbooks", str(rb), "--format", "json")
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    doc = json.loads(proc.stdout)
    return {(r["check"], r["target"]): r for r in doc["results"]}


def suggestion_passes(lab, domain: str, record: str, ips: list[str]) -> dict[str, str]:
    """check_host on the suggested record, against the lab's real DNS server."""
    async def go():
        net = Net(NetConfig(nameservers=(parse_nameserver(lab.dns.address),), timeout_s=1))
        try:
            return {ip: (await spf.evaluate_record(net.resolver, ip, domain, record)).result for ip in ips}
        finally:
            await net.aclose()
    return asyncio.run(go())


@pytest.mark.parametrize("domain,ips,expected", [
    ("glued.test", ["203.0.113.7", "192.0.2.5", "198.51.100.9"],
     f"v=spf1 include:{MAILER} ip4:203.0.113.7 ip4:198.51.100.9 ~all"),
    ("redir.test", ["203.0.113.7", "198.51.100.20", "198.51.100.9"],
     "v=spf1 ip4:203.0.113.7 include:noall.mailer.test ~all"),
    ("selfloop.test", ["203.0.113.7", "198.51.100.9"], "v=spf1 ip4:203.0.113.7 ip4:198.51.100.9 ~all"),
    ("loop.test", ["198.51.100.1", "198.51.100.9"], "v=spf1 ip4:198.51.100.1 ip4:198.51.100.9 ~all"),
])
def test_rfc7208_suggestions_keep_every_sender_against_real_dns(results, lab, domain, ips, expected):
    r = results[("spf", domain)]
    assert r["status"] in ("warn", "fail"), r["summary"]
    record = r["evidence"]["suggested_record"]
    assert record == expected, r["fix"]
    got = suggestion_passes(lab, domain, record, ips)
    assert set(got.values()) == {"pass"}, got


def test_rfc7208_6_1_fix_text_never_says_add_all_after_redirect(results):
    r = results[("spf", "redir.test")]
    assert "Do not just add `~all`" in r["fix"]


def test_an_unreadable_address_withholds_the_suggestion(results):
    r = results[("spf", "badip.test")]
    assert r["status"] == "fail" and "suggested_record" not in r["evidence"]
    assert "No suggested record this time" in r["fix"] and "ip4:203.0.113.300" in r["fix"]


def test_rfc7489_6_4_uppercase_dmarc_record_passes(results):
    assert results[("dmarc", "upper.test")]["status"] == "pass"


@pytest.mark.parametrize("domain,needle", [("pct.test", "pct=150"), ("tu.test", "t=u"), ("fo.test", "fo=2"),
                                           ("typo.test", "adkim=x")])
def test_an_ignored_tag_is_named_not_a_broken_record(results, domain, needle):
    r = results[("dmarc", domain)]
    assert r["status"] == "warn" and needle in r["summary"] and "ignore" in r["summary"], r["summary"]
    assert "invalid" not in r["summary"] and "unprotected" not in r["why"]


def test_never_a_weaker_policy(results):
    typo = results[("dmarc", "typo.test")]
    assert typo["evidence"]["corrected_record"] == "v=DMARC1; p=reject; rua=mailto:d@typo.test"
    dup = results[("dmarc", "dup.test")]
    assert dup["status"] == "fail" and "appears twice" in dup["summary"]
    assert dup["evidence"]["corrected_record"].startswith("v=DMARC1; p=reject")
    assert "p=none" not in dup["fix"]
