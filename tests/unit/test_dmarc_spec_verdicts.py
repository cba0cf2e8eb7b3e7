"""Issue 16, DMARC: case-insensitive tags (RFC 7489 §6.4), t= only y or n (RFC 9989),
out-of-range pct dropped (not "unprotected"), fo= checked, an ignored tag named as ignored,
and never a weaker policy in a suggested record."""

from __future__ import annotations

import pytest

from launchready_tui.core.checks.email import dmarc
from launchready_tui.core.results import Status
from tests.unit.test_email_dmarc import run


def test_rfc7489_6_4_tag_names_and_version_are_case_insensitive():
    rec = dmarc.parse_dmarc("V=dmarc1; P=Reject; RUA=mailto:d@acme.test; ADKIM=S")
    assert not rec.errors and not rec.ignored
    assert rec.p == "reject" and rec.get("adkim") == "S" and rec.uris("rua") == ["mailto:d@acme.test"]


async def test_rfc7489_6_4_uppercase_record_passes():
    r = await run({"_dmarc.acme.test": [{"TXT": "V=DMARC1; P=reject; RUA=mailto:d@acme.test"}]})
    assert r.status == Status.PASS, r.summary


@pytest.mark.parametrize("t,ignored", [("y", False), ("n", False), ("Y", False), ("u", True), ("yes", True)])
def test_rfc9989_t_is_only_y_or_n(t, ignored):
    rec = dmarc.parse_dmarc(f"v=DMARC1; p=reject; t={t}")
    assert not rec.errors
    assert bool(rec.ignored) is ignored, rec.ignored


async def test_out_of_range_pct_is_dropped_not_unprotected():
    r = await run({"_dmarc.acme.test": [{"TXT": "v=DMARC1; p=quarantine; pct=150; rua=mailto:d@acme.test"}]})
    assert r.status == Status.WARN, r.summary
    assert "unprotected" not in r.summary + r.why and "invalid" not in r.summary
    assert "pct=150" in r.summary and "ignore" in r.summary
    assert r.evidence["pct"] == 100 and r.evidence["effective_policy"] == "quarantine"
    assert "`v=DMARC1; p=quarantine; rua=mailto:d@acme.test`" in r.fix


@pytest.mark.parametrize("fo,ok", [("0", True), ("1", True), ("d:s", True), ("0:1:d:s", True), ("2", False),
                                   ("1;", True), ("x:1", False)])
def test_rfc7489_6_3_fo_values_are_checked(fo, ok):
    rec = dmarc.parse_dmarc(f"v=DMARC1; p=reject; ruf=mailto:f@acme.test; fo={fo}")
    assert not rec.errors
    assert (not rec.ignored) is ok, rec.ignored


def test_fo_without_ruf_is_a_note():
    rec = dmarc.parse_dmarc("v=DMARC1; p=reject; fo=1")
    assert not rec.ignored and any("only matters with ruf" in n for n in rec.notes)


async def test_a_misspelt_tag_is_named_as_ignored_not_a_broken_record():
    r = await run({"_dmarc.acme.test": [{"TXT": "v=DMARC1; p=reject; rau=mailto:d@acme.test"}]})
    assert r.status == Status.WARN and "did you mean `rua`" in r.summary
    assert "invalid" not in r.summary
    assert r.evidence["corrected_record"] == "v=DMARC1; p=reject; rua=mailto:d@acme.test", "the address is kept"


async def test_never_a_weaker_policy_a_reject_record_with_a_typo_gets_a_reject_record():
    r = await run({"_dmarc.acme.test": [{"TXT": "v=DMARC1; p=reject; adkim=x; rua=dmarc@acme.test; pct=200"}]})
    assert r.status == Status.WARN
    fixed = r.evidence["corrected_record"]
    assert fixed == "v=DMARC1; p=reject; rua=mailto:dmarc@acme.test"
    assert "p=none" not in r.fix and "p=quarantine" not in r.fix


async def test_never_a_weaker_policy_when_the_record_is_unusable():
    # a duplicate tag makes the record unusable; the correction keeps p=reject
    r = await run({"_dmarc.acme.test": [{"TXT": "v=DMARC1; p=reject; sp=quarantine; sp=reject; rua=mailto:d@acme.test"}]})
    assert r.status == Status.FAIL and "appears twice" in r.summary
    assert "p=reject" in r.evidence["corrected_record"] and "p=none" not in r.fix
    # a misspelt policy is read as the policy it is closest to
    r = await run({"_dmarc.acme.test": [{"TXT": "v=DMARC1; p=rejct; rua=mailto:d@acme.test"}]})
    assert r.status == Status.FAIL and "did you mean `reject`" in r.summary
    assert r.evidence["corrected_record"].startswith("v=DMARC1; p=reject;")


@pytest.mark.parametrize("record", [
    "v=DMARC1; p=reject; pct=abc", "v=DMARC1; p=quarantine; aspf=q", "v=DMARC1; p=reject; t=maybe",
    "v=DMARC1; p=reject; ri=daily", "v=DMARC1; p=quarantine; np=block", "v=DMARC1; p=reject; rua mailto:x@acme.test",
    "V=DMARC1; P=REJECT; ADKIM=Z",
])
def test_corrected_record_is_never_weaker_and_parses_clean(record):
    rec = dmarc.parse_dmarc(record)
    fixed = dmarc.parse_dmarc(dmarc.corrected_record(rec, "acme.test"))
    assert not fixed.errors and not fixed.ignored, fixed.ignored
    assert dmarc.POLICIES.index(fixed.p) >= dmarc.POLICIES.index(rec.p)
