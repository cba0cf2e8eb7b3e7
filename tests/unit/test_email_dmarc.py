"""DMARC: parsing, RFC 9989 tree walk, policy verdicts, external report authorization."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from launchready_tui.core.checks.email import dmarc
from launchready_tui.core.results import Status
from tests.unit.test_spf_conformance import SuiteResolver

TODAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


async def run(zone: dict, domain: str = "acme.test"):
    resolver = SuiteResolver(zone)
    ctx = SimpleNamespace(net=SimpleNamespace(resolver=resolver), clock=lambda: TODAY)
    r = await dmarc.check(ctx, domain, {})
    if r.status in (Status.WARN, Status.FAIL, Status.ERROR):
        assert r.why and r.fix, r
    return r


def test_parse_valid_and_invalid_records():
    rec = dmarc.parse_dmarc("v=DMARC1; p=reject; sp=quarantine; adkim=s; rua=mailto:a@x.test,mailto:b@y.test!10m")
    assert not rec.errors and rec.p == "reject" and rec.uris("rua")[1] == "mailto:b@y.test!10m"
    assert dmarc.mailto_domain("mailto:b@Y.test!10m") == "y.test"
    for bad, needle in [
        ("v=DMARC1; p=block", "p=block"),
        ("p=none; v=DMARC1", "v=DMARC1"),
    ]:
        errs = dmarc.parse_dmarc(bad).errors
        assert any(needle in e for e in errs), (bad, errs)
    # issue 16: a bad value of another tag is skipped by receivers, not a broken record
    for bad, needle in [
        ("v=DMARC1; p=none; pct=150", "pct"),
        ("v=DMARC1; p=none; adkim=x", "adkim"),
        ("v=DMARC1; p=none; rua=dmarc@acme.test", "URI"),
    ]:
        rec = dmarc.parse_dmarc(bad)
        assert not rec.errors and any(needle in e for e in rec.ignored), (bad, rec.ignored)
    assert not dmarc.parse_dmarc("v=dmarc1; p=none").errors, "RFC 7489 §6.4: case-insensitive"


def test_walk_targets_follow_rfc9989():
    assert dmarc.walk_targets("a.b.acme.test") == ["a.b.acme.test", "b.acme.test", "acme.test", "test"]
    long = "1.2.3.4.5.6.7.8.9.acme.test"
    t = dmarc.walk_targets(long)
    assert t[1] == "5.6.7.8.9.acme.test" and len(t) == 8 and t[-1] == "test"


async def test_reject_passes_with_alignment_in_evidence():
    r = await run({"_dmarc.acme.test": [{"TXT": "v=DMARC1; p=reject; sp=quarantine; adkim=s; aspf=r; rua=mailto:d@acme.test"}]})
    assert r.status == Status.PASS and "p=reject" in r.summary
    ev = r.evidence
    assert (ev["sp"], ev["adkim"], ev["aspf"], ev["rua"]) == ("quarantine", "s", "r", ["mailto:d@acme.test"])


async def test_missing_record_fails_with_a_dated_rollout_plan():
    r = await run({"acme.test": [{"A": "192.0.2.1"}]})
    assert r.status == Status.FAIL and "no DMARC record" in r.summary
    assert "2026-03-02: v=DMARC1; p=none; rua=mailto:dmarc-reports@acme.test" in r.fix
    assert "2026-03-16: v=DMARC1; p=quarantine" in r.fix and "2026-04-13: v=DMARC1; p=reject" in r.fix
    assert r.evidence["queried"] == ["_dmarc.acme.test", "_dmarc.test"]


async def test_p_none_warns_with_rollout_plan_keeping_the_reports_address():
    r = await run({"_dmarc.acme.test": [{"TXT": "v=DMARC1; p=none; rua=mailto:d@acme.test"}]})
    assert r.status == Status.WARN and "p=none" in r.summary
    assert [s["p"] for s in r.evidence["rollout"]] == ["none", "quarantine", "reject"]
    assert r.evidence["rollout"][2]["record"] == "v=DMARC1; p=reject; rua=mailto:d@acme.test"


async def test_quarantine_with_pct_below_100_warns():
    r = await run({"_dmarc.acme.test": [{"TXT": "v=DMARC1; p=quarantine; pct=50; rua=mailto:d@acme.test"}]})
    assert r.status == Status.WARN and "50%" in r.summary
    assert r.evidence["pct"] == 50


async def test_external_rua_without_authorization_warns():
    z = {"_dmarc.acme.test": [{"TXT": "v=DMARC1; p=reject; rua=mailto:agg@reports.example"}]}
    r = await run(z)
    assert r.status == Status.WARN and "silently dropped" in r.summary
    assert "acme.test._report._dmarc.reports.example" in r.fix
    z["acme.test._report._dmarc.reports.example"] = [{"TXT": "v=DMARC1"}]
    r = await run(z)
    assert r.status == Status.PASS
    assert r.evidence["reporting"][0]["authorized"] is True


async def test_subdomain_inherits_the_organizational_policy():
    z = {"_dmarc.acme.test": [{"TXT": "v=DMARC1; p=reject; sp=none; rua=mailto:d@acme.test"}]}
    r = await run(z, "mail.acme.test")
    assert r.evidence["inherited"] and r.evidence["location"] == "acme.test"
    assert r.status == Status.WARN and r.evidence["effective_policy"] == "none"
    assert "inherited from _dmarc.acme.test" in r.summary


async def test_two_records_and_invalid_records_fail():
    r = await run({"_dmarc.acme.test": [{"TXT": "v=DMARC1; p=none"}, {"TXT": "v=DMARC1; p=reject"}]})
    assert r.status == Status.FAIL and "2 DMARC records" in r.summary
    r = await run({"_dmarc.acme.test": [{"TXT": "v=DMARC1; p=blocked"}]})
    assert r.status == Status.FAIL and "invalid" in r.summary


async def test_testing_mode_and_sp_none_warn():
    r = await run({"_dmarc.acme.test": [{"TXT": "v=DMARC1; p=reject; t=y; rua=mailto:d@acme.test"}]})
    assert r.status == Status.WARN and "t=y" in r.summary
    r = await run({"_dmarc.acme.test": [{"TXT": "v=DMARC1; p=reject; sp=none; rua=mailto:d@acme.test"}]})
    assert r.status == Status.WARN and "sp=none" in r.summary


async def test_timeouts_are_errors_except_at_the_top_level_domain():
    r = await run({"_dmarc.acme.test": ["TIMEOUT"]})
    assert r.status == Status.ERROR
    r = await run({"_dmarc.acme.test": [{"A": "192.0.2.1"}], "_dmarc.test": ["TIMEOUT"]})
    assert r.status == Status.FAIL and r.evidence["notes"]
    r = await run({"_dmarc.mail.acme.test": [{"A": "192.0.2.1"}], "_dmarc.acme.test": ["TIMEOUT"]}, "mail.acme.test")
    assert r.status == Status.ERROR


async def test_report_authorization_timeout_is_error():
    z = {"_dmarc.acme.test": [{"TXT": "v=DMARC1; p=reject; rua=mailto:x@r.example"}],
         "acme.test._report._dmarc.r.example": ["TIMEOUT"]}
    r = await run(z)
    assert r.status == Status.ERROR


@pytest.mark.parametrize(("a", "b", "same"), [("acme.test", "acme.test", True),
                                              ("reports.acme.test", "acme.test", True),
                                              ("other.test", "acme.test", False)])
def test_same_organization(a, b, same):
    assert dmarc.same_organization(a, b) is same


async def test_a_top_level_domain_policy_is_not_your_own_record():
    r = await run({"_dmarc.test": [{"TXT": "v=DMARC1; p=reject; psd=y"}]})
    assert r.status == Status.FAIL and "no DMARC record" in r.summary
    assert "top-level domain" in r.evidence["notes"][0]
