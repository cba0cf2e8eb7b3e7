"""The email checks through the real CLI against the lab's DNS server on loopback.

One lab world holds a domain per case (the issue's list: nested includes over 10
lookups, two SPF records, `+all`, a missing sender, void-lookup overflow, DKIM 1024-bit /
revoked / missing, DMARC p=none / pct=50 / unauthorized external rua, null MX, and a
clean domain), and one runbook names them as targets, so a single
`launchready check --format json` run covers them all.
"""

from __future__ import annotations

import base64
import json

import pytest

from launchready_tui.lab import Lab, World
from tests.conftest import run_cli

pytestmark = pytest.mark.integration

MAILER = "_spf.mailer.test"
MAILER_NET = "192.0.2.0/24"


def rsa_p(bits: int) -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=bits).public_key()
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode()


def nested_includes(domain: str, n: int) -> list[tuple]:
    """`domain` includes a chain of providers whose records cost n lookups in all."""
    recs = [(domain, "TXT", f"v=spf1 include:p0.{domain} ~all")]
    for i in range(n - 1):
        nxt = f"include:p{i + 1}.{domain}" if i < n - 2 else f"a:relay.{domain}"
        recs.append((f"p{i}.{domain}", "TXT", f"v=spf1 {nxt} ip4:198.51.100.{i}/32 -all"))
    recs.append((f"relay.{domain}", "A", "198.51.100.200"))
    return recs


def email_records(key2048: str, key1024: str) -> list[tuple]:
    """DNS records of every email case, keyed by domain name (also used by bench/email.py)."""
    good_dmarc = "v=DMARC1; p=reject; rua=mailto:dmarc@{d}"
    recs: list[tuple] = [
        (MAILER, "TXT", f"v=spf1 ip4:{MAILER_NET} -all"),
        # clean.test: passes everything
        ("clean.test", "TXT", f"v=spf1 include:{MAILER} mx -all"),
        ("clean.test", "TXT", "google-site-verification=not-spf"),
        ("clean.test", "MX", "10 mx1.clean.test."),
        ("mx1.clean.test", "A", "127.0.0.1"),
        ("_dmarc.clean.test", "TXT", good_dmarc.format(d="clean.test")),
        ("s1._domainkey.clean.test", "TXT", f"v=DKIM1; k=rsa; p={key2048}"),
        # SPF failures
        ("twospf.test", "TXT", f"v=spf1 include:{MAILER} ~all"),
        ("twospf.test", "TXT", "v=spf1 ip4:203.0.113.7 -all"),
        ("plusall.test", "TXT", "v=spf1 ip4:203.0.113.7 +all"),
        ("nosender.test", "TXT", f"v=spf1 include:{MAILER} -all"),
        ("voids.test", "TXT", "v=spf1 a:old1.voids.test mx:voids.test exists:old2.voids.test ip4:203.0.113.7 -all"),
        ("timeout.test", "TXT", "v=spf1 -all"),
        # DKIM
        ("weak._domainkey.keys.test", "TXT", f"v=DKIM1; k=rsa; p={key1024}"),
        ("old._domainkey.keys.test", "TXT", "v=DKIM1; k=rsa; p="),
        # DMARC
        ("_dmarc.pnone.test", "TXT", "v=DMARC1; p=none; rua=mailto:dmarc@pnone.test"),
        ("_dmarc.pct50.test", "TXT", "v=DMARC1; p=quarantine; pct=50; rua=mailto:dmarc@pct50.test"),
        ("_dmarc.extrua.test", "TXT", "v=DMARC1; p=reject; rua=mailto:agg@reports.example"),
        ("_dmarc.authrua.test", "TXT", "v=DMARC1; p=reject; rua=mailto:agg@reports.example"),
        ("authrua.test._report._dmarc.reports.example", "TXT", "v=DMARC1"),
        # MX
        ("nullmx.test", "MX", "0 ."),
        ("nullmx.test", "TXT", "v=spf1 -all"),
    ]
    recs += nested_includes("nested.test", 12)
    return recs


RUNBOOK = """---
id: email-lab
title: Email cases
stage: 3
goal: Every email case of the lab.
summary: spf, dkim, dmarc, mx against the lab.
---
# Email cases

## SPF {{#spf}}
```check
id: spf-clean
kind: spf
targets: [clean.test]
senders: ["include:{mailer}", "192.0.2.25"]
```

```check
id: spf-bad
kind: spf
targets: [nested.test, twospf.test, plusall.test, voids.test, timeout.test]
```

```check
id: spf-sender
kind: spf
targets: [nosender.test]
senders: ["include:{mailer}", "203.0.113.99", "include:newmailer.test"]
```

## DKIM {{#dkim}}
```check
kind: dkim
targets: [s1._domainkey.clean.test, weak._domainkey.keys.test, old._domainkey.keys.test, gone._domainkey.keys.test]
```

## DMARC {{#dmarc}}
```check
kind: dmarc
targets: [clean.test, pnone.test, pct50.test, extrua.test, authrua.test, nodmarc.test]
```

## MX {{#mx}}
```check
kind: mx
targets: [clean.test, nullmx.test]
```
"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    w = World(profile={"project": "Email lab", "domain": "clean.test",
                       "email": {"senders": ["192.0.2.25"], "dkim_selectors": ["s1"]}})
    w.records += email_records(rsa_p(2048), rsa_p(1024))
    w.faults["timeout.test"] = "drop"
    with Lab(w, tmp_path_factory.mktemp("email-lab"), timeout_s=1) as lab:
        yield lab


@pytest.fixture(scope="module")
def results(lab, tmp_path_factory):
    rb = tmp_path_factory.mktemp("runbooks")
    (rb / "email.md").write_text(RUNBOOK.format(mailer=MAILER), encoding="utf-8")
    proc = run_cli("check", "--profile", str(lab.profile_path), "--runbooks", str(rb), "--format", "json")
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    doc = json.loads(proc.stdout)
    by = {(r["check_id"], r["target"]): r for r in doc["results"]}
    for r in doc["results"]:
        if r["status"] in ("warn", "fail", "error"):
            assert r["why"] and r["fix"], r
        assert r["summary"]
    return by


def one(results, check_id: str, target: str) -> dict:
    return results[(check_id, target)]


def test_clean_domain_passes_everything(results):
    for key in [("spf-clean", "clean.test"), ("dkim", "s1._domainkey.clean.test"),
                ("dmarc", "clean.test"), ("mx", "clean.test")]:
        r = one(results, *key)
        assert r["status"] == "pass", (key, r["summary"])
    spf = one(results, "spf-clean", "clean.test")
    assert spf["evidence"]["tree"]["children"][0]["domain"] == MAILER
    assert spf["evidence"]["lookup_count"] == 2
    assert one(results, "dkim", "s1._domainkey.clean.test")["evidence"]["key_bits"] == 2048


def test_nested_includes_over_ten_lookups(results):
    r = one(results, "spf-bad", "nested.test")
    assert r["status"] == "fail" and "12 DNS lookups" in r["summary"]
    tree = r["evidence"]["tree"]
    assert tree["total"] == 12
    depth, node = 0, tree
    while node["children"]:
        node, depth = node["children"][0], depth + 1
    assert depth == 11, "the whole chain is shown, past the limit"
    assert "`include:p0.nested.test` (12)" in r["fix"]


def test_two_spf_records_fail_with_merged_suggestion(results):
    r = one(results, "spf-bad", "twospf.test")
    assert r["status"] == "fail" and "2 SPF records" in r["summary"]
    assert r["evidence"]["suggested_record"] == f"v=spf1 include:{MAILER} ip4:203.0.113.7 -all"
    assert r["evidence"]["suggested_record"] in r["fix"]


def test_plus_all_fails(results):
    r = one(results, "spf-bad", "plusall.test")
    assert r["status"] == "fail" and "+all" in r["summary"]
    assert r["evidence"]["suggested_record"] == "v=spf1 ip4:203.0.113.7 ~all"


def test_void_lookup_overflow_fails(results):
    r = one(results, "spf-bad", "voids.test")
    assert r["status"] == "fail" and r["evidence"]["void_lookups"] == 3
    assert r["evidence"]["suggested_record"] == "v=spf1 ip4:203.0.113.7 -all"


def test_missing_senders_fail_with_the_terms_added(results):
    r = one(results, "spf-sender", "nosender.test")
    assert r["status"] == "fail"
    senders = {s["sender"]: s for s in r["evidence"]["senders"]}
    assert senders[f"include:{MAILER}"]["authorized"] is True
    assert senders["203.0.113.99"]["result"] == "fail"
    assert senders["include:newmailer.test"]["authorized"] is False
    assert r["evidence"]["suggested_record"] == (
        f"v=spf1 include:{MAILER} ip4:203.0.113.99 include:newmailer.test -all"
    )


def test_dns_timeout_is_error_not_no_record(results):
    r = one(results, "spf-bad", "timeout.test")
    assert r["status"] == "error" and "timeout" in r["summary"]


def test_dkim_cases(results):
    assert one(results, "dkim", "weak._domainkey.keys.test")["status"] == "warn"
    assert "1024-bit" in one(results, "dkim", "weak._domainkey.keys.test")["summary"]
    revoked = one(results, "dkim", "old._domainkey.keys.test")
    assert revoked["status"] == "fail" and "revoked" in revoked["summary"]
    gone = one(results, "dkim", "gone._domainkey.keys.test")
    assert gone["status"] == "fail" and "missing" in gone["summary"]


def test_dmarc_cases(results):
    pnone = one(results, "dmarc", "pnone.test")
    assert pnone["status"] == "warn" and [s["p"] for s in pnone["evidence"]["rollout"]] == ["none", "quarantine", "reject"]
    assert one(results, "dmarc", "pct50.test")["status"] == "warn"
    ext = one(results, "dmarc", "extrua.test")
    assert ext["status"] == "warn" and "extrua.test._report._dmarc.reports.example" in ext["fix"]
    assert one(results, "dmarc", "authrua.test")["status"] == "pass"
    missing = one(results, "dmarc", "nodmarc.test")
    assert missing["status"] == "fail" and "no DMARC record" in missing["summary"]


def test_null_mx_is_explained(results):
    r = one(results, "mx", "nullmx.test")
    assert r["status"] == "warn" and "null MX" in r["summary"] and r["evidence"]["null_mx"]


def test_bundled_runbook_runs_the_email_checks_from_the_profile(lab):
    proc = run_cli("check", "--profile", str(lab.profile_path), "--runbook", "quick-audit",
                   "--step", "email-auth", "--format", "json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = json.loads(proc.stdout)
    got = {(r["check"], r["target"]): r["status"] for r in doc["results"]}
    assert got == {("spf", "clean.test"): "pass", ("dkim", "s1._domainkey.clean.test"): "pass",
                   ("dmarc", "clean.test"): "pass"}


def test_dkim_selectors_command(lab, tmp_path):
    header = tmp_path / "h.txt"
    header.write_text("DKIM-Signature: v=1; a=rsa-sha256; d=clean.test; s=s1; b=x\n\nbody\n", encoding="utf-8")
    proc = run_cli("dkim-selectors", str(header), "--profile", str(lab.profile_path))
    assert proc.returncode == 0 and "    - s1\n" in proc.stdout
    proc = run_cli("dkim-selectors", stdin="Subject: no signature\n\n")
    assert proc.returncode == 1 and "No DKIM-Signature" in proc.stderr
