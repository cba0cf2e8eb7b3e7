"""SPF: parsing, the lookup tree, and the launch-readiness verdicts, on in-memory DNS."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from launchready_tui.core.checks.email import spf
from launchready_tui.core.profile import parse_profile
from launchready_tui.core.registry import load_kind
from launchready_tui.core.results import Status
from tests.unit.test_spf_conformance import SuiteResolver

# ---------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    "text",
    ["v=spf1", "V=SPF1 -all", "v=spf1 ", "v=spf1 a mx ip4:192.0.2.0/24 include:x.example ~all"],
)
def test_spf_records_are_recognised(text):
    assert spf.is_spf_record(text)
    assert spf.parse_spf(text).valid


@pytest.mark.parametrize("text", ["v=spf10", "v=spf1a", "spf1", "v=DMARC1; p=none", ""])
def test_other_txt_records_are_not_spf(text):
    assert not spf.is_spf_record(text)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("v=spf1 ip4:192.0.2.1/33 -all", "prefix"),
        ("v=spf1 ip4:192.0.2 -all", "IP4"),
        ("v=spf1 include -all", "include"),
        ("v=spf1 a:museum -all", "fully qualified"),
        ("v=spf1 -all.", "all"),
        ("v=spf1 foo -all", "known mechanism"),
        ("v=spf1 redirect=a.example redirect=b.example", "more than once"),
        ("v=spf1 exists:%{q}.example -all", "macro"),
        ("v=spf1 a:caf\u00e9.example -all", "non-ASCII"),
    ],
)
def test_syntax_errors_are_named(text, needle):
    rec = spf.parse_spf(text)
    assert not rec.valid
    assert any(needle in e for e in rec.errors), rec.errors


def test_parse_keeps_qualifiers_cidrs_and_modifiers():
    rec = spf.parse_spf("v=spf1 -a:mail.example/24//64 ~mx ?ptr ip6:2001:db8::/32 exp=why.example -all")
    a, mx, ptr, ip6, allt = rec.mechanisms
    assert (a.qualifier, a.domain_spec, a.cidr4, a.cidr6) == ("-", "mail.example", 24, 64)
    assert mx.qualifier == "~" and ptr.qualifier == "?"
    assert str(ip6.network) == "2001:db8::/32"
    assert rec.modifier("exp").value == "why.example"
    assert rec.all_term is allt


# ---------------------------------------------------------------- the tree walk

ZONE = {
    "acme.test": [{"TXT": "v=spf1 include:_spf.mailer.test mx -all"}, {"MX": [10, "mx.acme.test"]}],
    "mx.acme.test": [{"A": "192.0.2.10"}],
    "_spf.mailer.test": [{"TXT": "v=spf1 include:a.mailer.test include:b.mailer.test ~all"}],
    "a.mailer.test": [{"TXT": "v=spf1 ip4:198.51.100.0/24 -all"}],
    "b.mailer.test": [{"TXT": "v=spf1 ip6:2001:db8:1::/48 a:relay.mailer.test -all"}],
    "relay.mailer.test": [{"A": "203.0.113.9"}],
    "other.test": [{"TXT": "v=spf1 ip4:192.0.2.200 -all"}],
}


def zone(**extra):
    z = {k: list(v) for k, v in ZONE.items()}
    for name, entries in extra.items():
        z[name.replace("__", ".").replace("_DASH_", "-")] = entries
    return z


async def test_walk_counts_each_include_and_the_total():
    tree, failures = await spf.walk_spf(SuiteResolver(ZONE), "acme.test")
    assert failures == []
    assert tree["total"] == 5  # include + its 2 includes + a:relay inside + mx
    inc = tree["children"][0]
    assert (inc["term"], inc["cost"], inc["total"]) == ("include:_spf.mailer.test", 4, 3)
    assert [c["domain"] for c in inc["children"]] == ["a.mailer.test", "b.mailer.test"]
    text = "\n".join(spf.render_tree(tree))
    assert "include:_spf.mailer.test  4 (1 + 3 inside)" in text


async def test_walk_goes_past_ten_and_shows_the_whole_tree():
    chain = {f"c{i}.test": [{"TXT": f"v=spf1 include:c{i + 1}.test -all"}] for i in range(14)}
    chain["c14.test"] = [{"TXT": "v=spf1 ip4:192.0.2.1 -all"}]
    tree, _ = await spf.walk_spf(SuiteResolver(chain), "c0.test")
    assert tree["total"] == 14
    depth, node = 0, tree
    while node["children"]:
        node, depth = node["children"][0], depth + 1
    assert depth == 14


async def test_walk_terms_after_all_and_ignored_redirect_cost_nothing():
    z = {"x.test": [{"TXT": "v=spf1 -all include:a.mailer.test redirect=b.mailer.test"}], **ZONE}
    tree, _ = await spf.walk_spf(SuiteResolver(z), "x.test")
    assert tree["total"] == 0
    notes = [t.get("note", "") for t in tree["terms"]]
    assert "after `all`" in notes[1] and "never used" in notes[2]


async def test_walk_detects_loops_and_macros():
    z = {
        "l1.test": [{"TXT": "v=spf1 include:l2.test include:%{i}._spf.l1.test -all"}],
        "l2.test": [{"TXT": "v=spf1 include:l1.test -all"}],
    }
    tree, _ = await spf.walk_spf(SuiteResolver(z), "l1.test")
    loop = tree["children"][0]["children"][0]
    assert loop["status"] == "loop"
    assert "macro" in tree["terms"][1]["note"]


async def test_walk_counts_void_lookups():
    z = {"v.test": [{"TXT": "v=spf1 a:gone1.v.test mx:v.test exists:gone2.v.test a:ok.v.test -all"}],
         "ok.v.test": [{"AAAA": "2001:db8::1"}]}
    tree, _ = await spf.walk_spf(SuiteResolver(z), "v.test")
    assert tree["total_void"] == 3  # a:gone1 (NXDOMAIN), mx (no MX), exists:gone2; ok has AAAA
    assert [t["term"] for t in tree["terms"] if t.get("void")] == ["a:gone1.v.test", "mx:v.test", "exists:gone2.v.test"]


async def test_walk_reports_dns_failures():
    z = {"t.test": [{"TXT": "v=spf1 include:slow.test -all"}], "slow.test": ["TIMEOUT"]}
    tree, failures = await spf.walk_spf(SuiteResolver(z), "t.test")
    assert tree["children"][0]["status"] == "error"
    assert failures and "timeout" in failures[0]


# ---------------------------------------------------------------- verdicts


async def verdict(z, senders=(), domain="acme.test"):
    rep = await spf.inspect_spf(spf.CachingResolver(SuiteResolver(z)), domain, list(senders))
    r = spf.evaluate_spf(rep)
    if r.status in (Status.WARN, Status.FAIL, Status.ERROR):
        assert r.why and r.fix, r
    return r


async def test_clean_record_passes_with_tree_evidence():
    r = await verdict(ZONE, ["include:a.mailer.test", "192.0.2.10", "2001:db8:1::5", "198.51.100.0/24"])
    assert r.status == Status.PASS, r.summary
    assert "5 of 10 DNS lookups" in r.summary and "-all" in r.summary
    ev = r.evidence
    assert ev["lookup_count"] == 5 and ev["tree"]["domain"] == "acme.test"
    assert all(s["authorized"] for s in ev["senders"])


async def test_no_record_fails_and_suggests_one_from_the_senders():
    z = zone(acme__test=[{"MX": [10, "mx.acme.test"]}])
    r = await verdict(z, ["include:a.mailer.test", "192.0.2.7"])
    assert r.status == Status.FAIL and "no SPF record" in r.summary
    assert r.evidence["suggested_record"] == "v=spf1 include:a.mailer.test ip4:192.0.2.7 ~all"


async def test_no_record_without_senders_names_a_placeholder():
    r = await verdict(zone(acme__test=[{"A": "192.0.2.1"}]))
    assert "<your mail provider's SPF domain>" in r.fix


async def test_two_records_fail_and_merge():
    z = zone(acme__test=[{"TXT": "v=spf1 include:a.mailer.test ~all"}, {"TXT": "v=spf1 ip4:192.0.2.7 -all"},
                         {"TXT": "google-site-verification=abc"}])
    r = await verdict(z)
    assert r.status == Status.FAIL and "2 SPF records" in r.summary
    assert r.evidence["suggested_record"] == "v=spf1 include:a.mailer.test ip4:192.0.2.7 -all"
    assert r.evidence["suggested_lookup_count"] == 1


@pytest.mark.parametrize(("q", "code"), [("+", "plus_all"), ("?", "neutral_all")])
async def test_plus_and_neutral_all_fail(q, code):
    r = await verdict(zone(acme__test=[{"TXT": f"v=spf1 ip4:192.0.2.7 {q}all"}]), ["203.0.113.50"])
    assert r.status == Status.FAIL
    assert code in [f["code"] for f in r.evidence["findings"]]
    assert r.evidence["suggested_record"] == "v=spf1 ip4:192.0.2.7 ip4:203.0.113.50 ~all"


async def test_missing_all_warns_and_soft_all_passes():
    r = await verdict(zone(acme__test=[{"TXT": "v=spf1 ip4:192.0.2.7"}]))
    assert r.status == Status.WARN and "~all" in r.evidence["suggested_record"]
    r = await verdict(zone(acme__test=[{"TXT": "v=spf1 ip4:192.0.2.7 ~all"}]))
    assert r.status == Status.PASS


async def test_redirect_targets_all_counts():
    r = await verdict(zone(acme__test=[{"TXT": "v=spf1 redirect=plus.test"}], plus__test=[{"TXT": "v=spf1 +all"}]))
    assert r.status == Status.FAIL and "redirect to plus.test" in r.summary


async def test_missing_senders_fail_and_are_added_before_all():
    z = zone(new__test=[{"TXT": "v=spf1 include:a.mailer.test -all"}])
    r = await verdict(z, ["include:new.test", "203.0.113.77", "192.0.2.10"])
    assert r.status == Status.FAIL
    codes = [f["code"] for f in r.evidence["findings"]]
    assert codes.count("sender_missing") == 2
    assert r.evidence["suggested_record"] == (
        "v=spf1 include:_spf.mailer.test mx include:new.test ip4:203.0.113.77 -all"
    )
    assert r.evidence["suggested_lookup_count"] == 5 + 2


async def test_too_many_lookups_names_the_heaviest_include_and_warns_about_the_suggestion():
    heavy = {f"h{i}.test": [{"TXT": f"v=spf1 a:h{i}.test -all"}, {"A": "192.0.2.1"}] for i in range(9)}
    heavy["big.test"] = [{"TXT": "v=spf1 " + " ".join(f"include:h{i}.test" for i in range(9)) + " -all"}]
    z = {**heavy, "acme.test": [{"TXT": "v=spf1 include:big.test ip4:192.0.2.1 -all"}]}
    r = await verdict(z, ["203.0.113.1"])
    assert r.status == Status.FAIL
    assert r.evidence["lookup_count"] == 19
    assert "`include:big.test` (19)" in r.fix
    assert "would still need 19 DNS lookups" in r.fix


async def test_void_lookup_overflow_fails_and_the_suggestion_drops_them():
    z = zone(acme__test=[{"TXT": "v=spf1 a:old1.acme.test a:old2.acme.test a:old3.acme.test ip4:192.0.2.7 -all"}])
    r = await verdict(z)
    assert r.status == Status.FAIL and "3 terms" in r.summary
    assert r.evidence["void_lookups"] == 3
    assert r.evidence["suggested_record"] == "v=spf1 ip4:192.0.2.7 -all"


async def test_broken_include_fails():
    r = await verdict(zone(acme__test=[{"TXT": "v=spf1 include:nowhere.test -all"}]))
    assert r.status == Status.FAIL and "nowhere.test does not exist" in r.summary


async def test_long_record_warns():
    ips = " ".join(f"ip4:198.51.{i}.0/24" for i in range(30))
    r = await verdict(zone(acme__test=[{"TXT": f"v=spf1 {ips} -all"}]))
    assert r.status == Status.WARN and "characters long" in r.summary


async def test_ptr_warns():
    r = await verdict(zone(acme__test=[{"TXT": "v=spf1 ptr -all"}]))
    assert r.status == Status.WARN and "ptr" in r.summary


async def test_dns_timeout_is_error_not_no_record():
    r = await verdict({"acme.test": ["TIMEOUT"]})
    assert r.status == Status.ERROR and "timeout" in r.summary
    r = await verdict(zone(acme__test=[{"TXT": "v=spf1 include:slow.test -all"}], slow__test=["TIMEOUT"]))
    assert r.status == Status.ERROR
    assert r.evidence["dns_failures"]


async def test_definite_failure_outranks_a_timeout_elsewhere():
    z = zone(acme__test=[{"TXT": "v=spf1 include:slow.test +all"}], slow__test=["TIMEOUT"])
    r = await verdict(z)
    assert r.status == Status.FAIL
    assert "dns_failure" in [f["code"] for f in r.evidence["findings"]]


async def test_nonexistent_domain_fails():
    r = await verdict({}, domain="gone.test")
    assert r.status == Status.FAIL and "does not exist" in r.summary


async def test_invalid_sender_entry_warns():
    r = await verdict(ZONE, ["not a sender"])
    assert r.status == Status.WARN


async def test_evidence_is_json_safe():
    import json

    r = await verdict(ZONE, ["192.0.2.10"])
    json.dumps(r.to_dict())


# ---------------------------------------------------------------- module protocol


def profile(text: str):
    return parse_profile("project: P\ndomain: acme.test\n" + text)


def test_targets_use_email_domain_then_domain():
    mod = load_kind("spf")
    assert mod.targets(profile(""), {}) == ["acme.test"]
    assert mod.targets(profile("email:\n  domain: Mail.Acme.test.\n"), {}) == ["mail.acme.test"]
    assert mod.deadline({}, 2.0) >= 8


async def test_check_entry_point_reads_senders_from_the_profile():
    p = profile("email:\n  senders: ['203.0.113.99']\n")
    ctx = SimpleNamespace(profile=p, net=SimpleNamespace(resolver=SuiteResolver(ZONE)))
    r = await spf.check(ctx, "acme.test", {})
    assert r.status == Status.FAIL and "203.0.113.99" in r.summary
