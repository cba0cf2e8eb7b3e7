"""Issue 16, SPF: a suggested record never drops or breaks anything (RFC 7208).

For every broken input below, the record LaunchReady suggests is evaluated with
check_host against the same DNS: every sender the original authorized (by anything but
`+all`/`?all`), every sender the author clearly meant to list next to a typo, and every
profile sender must still get `pass`. The suggestion must parse, must not loop, and must
never carry both `redirect=` and `all` (an `all` switches the redirect off, RFC 7208 §6.1).
When no safe record exists, the check says so instead of suggesting one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from launchready_tui.core.checks.email import spf
from launchready_tui.core.results import Status
from tests.unit.test_spf_conformance import SuiteResolver

MAILER = {
    "_spf.mailer.test": [{"TXT": "v=spf1 ip4:192.0.2.0/24 -all"}],
    "noall.test": [{"TXT": "v=spf1 ip4:198.51.100.0/24"}],
    "mx.acme.test": [{"A": "198.51.100.60"}],
}
CANDIDATES = ["192.0.2.5", "198.51.100.1", "198.51.100.9", "198.51.100.20", "198.51.100.50", "198.51.100.60",
              "203.0.113.7", "203.0.113.99", "2001:db8::1", "10.9.9.9"]


@dataclass
class Case:
    name: str
    records: list[str]
    intended: list[str] = field(default_factory=list)  # meant to be listed, even if a typo hides it
    senders: list[str] = field(default_factory=list)  # email.senders in the profile
    sender_ips: list[str] = field(default_factory=list)  # an address each include: sender stands for
    extra: dict = field(default_factory=dict)
    withheld: bool = False  # no safe record exists: none may be suggested


CASES = [
    Case("missing space before ~all", ["v=spf1 include:_spf.mailer.test ip4:203.0.113.7~all"],
         ["203.0.113.7", "192.0.2.5"]),
    Case("missing space before -all after an include",
         ["v=spf1 ip4:203.0.113.7 include:_spf.mailer.test-all"], ["192.0.2.5", "203.0.113.7"]),
    Case("mx glued to ~all", ["v=spf1 mx~all"], ["198.51.100.60"],
         extra={"acme.test": [{"MX": [10, "mx.acme.test"]}]}),
    Case("typos: ipv4, include=, a space after the colon, a comma",
         ["v=spf1 ipv4:203.0.113.7 include=_spf.mailer.test ip4: 198.51.100.1, -all"],
         ["203.0.113.7", "192.0.2.5", "198.51.100.1"]),
    Case("include= is an ignored modifier (RFC 7208 §6)", ["v=spf1 ip4:203.0.113.7 include=_spf.mailer.test -all"],
         ["192.0.2.5"]),
    Case("misspelt include", ["v=spf1 inlcude:_spf.mailer.test -all"], ["192.0.2.5"]),
    Case("redirect plus a missing sender", ["v=spf1 redirect=_spf.mailer.test"], senders=["198.51.100.9"]),
    Case("redirect to a record without all", ["v=spf1 ip4:203.0.113.7 redirect=noall.test"]),
    Case("two records, one a redirect", ["v=spf1 redirect=_spf.mailer.test", "v=spf1 ip4:203.0.113.7 ~all"]),
    Case("redirect next to ~all is ignored anyway",
         ["v=spf1 ip4:203.0.113.7 redirect=_spf.mailer.test ~all"], senders=["198.51.100.9"]),
    Case("includes itself", ["v=spf1 include:acme.test ip4:203.0.113.7 ~all"], senders=["198.51.100.9"]),
    Case("an include that includes us back", ["v=spf1 include:b.acme.test ~all"], ["198.51.100.1"],
         extra={"b.acme.test": [{"TXT": "v=spf1 ip4:198.51.100.1 include:acme.test -all"}]}),
    Case("a ~include that includes us back keeps its qualifier", ["v=spf1 ip4:203.0.113.7 ~include:b.acme.test -all"],
         extra={"b.acme.test": [{"TXT": "v=spf1 ip4:198.51.100.1 include:acme.test -all"}]},
         senders=["198.51.100.9"]),
    Case("an include with a and mx that includes us back", ["v=spf1 include:b.acme.test ip4:203.0.113.7 -all"],
         ["198.51.100.50", "198.51.100.60"],
         extra={"b.acme.test": [{"TXT": "v=spf1 a mx include:acme.test -all"}, {"A": "198.51.100.50"},
                                {"MX": [10, "mx.acme.test"]}]}),
    Case("a loop behind a macro cannot be flattened", ["v=spf1 include:b.acme.test ip4:203.0.113.7 -all"],
         extra={"b.acme.test": [{"TXT": "v=spf1 exists:%{i}.x.acme.test include:acme.test -all"}]},
         senders=["198.51.100.9"], withheld=True),
    Case("+all", ["v=spf1 ip4:203.0.113.7 +all"], senders=["198.51.100.9"]),
    Case("?all and an include sender", ["v=spf1 ip4:203.0.113.7 ?all"], senders=["include:_spf.mailer.test"],
         sender_ips=["192.0.2.5"]),
    Case("an address that cannot be read", ["v=spf1 ip4:203.0.113.300 include:_spf.mailer.test -all"],
         senders=["198.51.100.9"], withheld=True),
    Case("too many void lookups", ["v=spf1 a:old1.acme.test a:old2.acme.test a:old3.acme.test "
                                   "ip4:203.0.113.7 include:_spf.mailer.test -all"]),
    Case("two records, -all and ~all", ["v=spf1 include:_spf.mailer.test ~all", "v=spf1 ip4:203.0.113.7 -all"]),
    Case("no record at all", [], senders=["203.0.113.7", "include:_spf.mailer.test"], sender_ips=["192.0.2.5"]),
]

CASES_BY = {c.name: c for c in CASES}


def resolver_for(case: Case) -> SuiteResolver:
    z = {k: list(v) for k, v in MAILER.items()}
    for name, entries in case.extra.items():
        z.setdefault(name, []).extend(entries)
    z.setdefault("acme.test", []).extend({"TXT": r} for r in case.records)
    if not z["acme.test"]:
        z["acme.test"] = [{"A": "203.0.113.250"}]
    return SuiteResolver(z)


async def reference(case: Case, res) -> set[str]:
    """Who the original authorized by anything but a blanket `+all`/`?all`, plus the intended."""
    out = set(case.intended) | set(case.sender_ips)
    out |= {s for s in case.senders if not s.startswith("include:")}
    for rec in case.records:
        text = " ".join(t for t in rec.split(" ") if t.lower() not in ("+all", "all", "?all"))
        for ip in CANDIDATES:
            r = await spf.evaluate_record(res, ip, "acme.test", text)
            if r.result == "pass":
                out.add(ip)
    return out


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_rfc7208_suggested_record_keeps_every_sender(case):
    res = resolver_for(case)
    rep = await spf.inspect_spf(spf.CachingResolver(res), "acme.test", list(case.senders))
    result = spf.evaluate_spf(rep)
    assert result.status != Status.PASS, result.summary
    suggested = result.evidence.get("suggested_record")
    if case.withheld:
        assert suggested is None and result.evidence.get("suggestion_withheld"), result.fix
        assert "No suggested record" in result.fix
        return
    assert suggested, result.fix
    assert suggested in result.fix
    rec = spf.parse_spf(suggested)
    assert rec.valid, rec.errors
    assert not (rec.redirect is not None and rec.all_term is not None), "an all would switch the redirect off"
    assert rec.all_term is None or rec.all_term.qualifier in "-~", "never +all or ?all"
    tree, _ = await spf.walk_spf(res, "acme.test", suggested)
    assert not [n for n in spf.iter_nodes(tree) if n["status"] == "loop"], "the suggestion must not loop"
    for ip in sorted(await reference(case, res)):
        r = await spf.evaluate_record(res, ip, "acme.test", suggested)
        assert r.result == "pass", (case.name, ip, suggested, r.result, r.reason)


async def test_rfc7208_6_1_never_adds_all_to_a_record_ending_in_redirect():
    case = CASES_BY['redirect to a record without all']  # redirect to a record without all
    rep = await spf.inspect_spf(spf.CachingResolver(resolver_for(case)), "acme.test", [])
    result = spf.evaluate_spf(rep)
    assert "no_all" in [f["code"] for f in result.evidence["findings"]]
    assert "Do not just add `~all`" in result.fix and "switches that redirect off" in result.fix
    assert result.evidence["suggested_record"] == "v=spf1 ip4:203.0.113.7 include:noall.test ~all"


async def test_a_lone_redirect_stays_a_redirect_when_only_a_sender_is_added():
    case = CASES_BY['redirect plus a missing sender']
    rep = await spf.inspect_spf(spf.CachingResolver(resolver_for(case)), "acme.test", list(case.senders))
    result = spf.evaluate_spf(rep)
    assert result.evidence["suggested_record"] == "v=spf1 ip4:198.51.100.9 redirect=_spf.mailer.test"


async def test_typos_are_named_in_the_fix():
    rep = await spf.inspect_spf(spf.CachingResolver(resolver_for(CASES_BY['missing space before ~all'])), "acme.test", [])
    result = spf.evaluate_spf(rep)
    assert result.evidence["suggested_record"] == "v=spf1 include:_spf.mailer.test ip4:203.0.113.7 ~all"
    assert "`ip4:203.0.113.7~all` read as `ip4:203.0.113.7 ~all`" in result.fix


async def test_rfc7208_5_2_loop_is_its_own_finding_and_the_include_is_not_kept():
    case = CASES_BY['includes itself']
    rep = await spf.inspect_spf(spf.CachingResolver(resolver_for(case)), "acme.test", list(case.senders))
    result = spf.evaluate_spf(rep)
    assert "include_loop" in [f["code"] for f in result.evidence["findings"]]
    assert "include:acme.test" not in result.evidence["suggested_record"]
    case = CASES_BY['an include that includes us back']
    rep = await spf.inspect_spf(spf.CachingResolver(resolver_for(case)), "acme.test", [])
    result = spf.evaluate_spf(rep)
    assert result.evidence["suggested_record"] == "v=spf1 ip4:198.51.100.1 ~all"
    assert "b.acme.test" in result.fix


@pytest.mark.parametrize("raw,fixed", [
    ("ip4:192.0.2.1~all", ["ip4:192.0.2.1", "~all"]),
    ("include:_spf.x.test-all", None),  # a valid name: only the DNS answer shows it is a typo
    ("ipv6:2001:db8::1", ["ip6:2001:db8::1"]),
    ("ip4:192.0.2.1,", ["ip4:192.0.2.1"]),
    ("include=_spf.x.test", ["include:_spf.x.test"]),
    ("inculde:_spf.x.test", ["include:_spf.x.test"]),
    ("ip4:192.0.2.300", None),
    ("foo", None),
])
def test_repair_token(raw, fixed):
    assert spf.repair_token(raw) == fixed


async def test_rfc7208_6_mechanism_written_as_modifier_is_named_as_ignored():
    case = CASES_BY["include= is an ignored modifier (RFC 7208 §6)"]
    rep = await spf.inspect_spf(spf.CachingResolver(resolver_for(case)), "acme.test", [])
    result = spf.evaluate_spf(rep)
    assert result.status == Status.WARN and "ignored_modifier" in [f["code"] for f in result.evidence["findings"]]
    assert "`include:_spf.mailer.test`" in result.fix
    assert result.evidence["suggested_record"] == "v=spf1 ip4:203.0.113.7 include:_spf.mailer.test -all"


async def test_a_flattened_include_keeps_its_qualifier():
    case = CASES_BY["a ~include that includes us back keeps its qualifier"]
    rep = await spf.inspect_spf(spf.CachingResolver(resolver_for(case)), "acme.test", list(case.senders))
    result = spf.evaluate_spf(rep)
    assert "~ip4:198.51.100.1" in result.evidence["suggested_record"].split()
