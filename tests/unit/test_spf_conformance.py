"""The official SPF conformance suite (openspf 2014.04, RFC 7208) through our check_host.

Each case's `zonedata` is served by an in-memory resolver with the same interface as
`launchready_tui.core.net.Resolver`: `query(name, rdtype) -> DnsAnswer`, raising
`DnsFailure` for `TIMEOUT` entries. Conventions of the suite's own drivers:

* an `SPF` entry also becomes a `TXT` record unless the name has explicit `TXT` entries
  (`TXT: NONE` means "no TXT records at all");
* `TIMEOUT` in a name's list times out every query whose type has no record before it;
* TXT strings given as a list are joined without spaces; CNAMEs are chased.

A case passes when our result is one of its acceptable results. Target: >= 200 of 203.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from launchready_tui.core.checks.email.spf import check_host
from launchready_tui.core.net import DnsAnswer, DnsFailure

SUITE = Path(__file__).parents[2].parent / "shared/conformance/rfc7208-tests.yml"
REQUIRED = 200


class SuiteResolver:
    """An in-memory DNS built from one scenario's `zonedata`."""

    def __init__(self, zonedata: dict) -> None:
        self.zone: dict[str, list] = {}
        for name, entries in zonedata.items():
            has_txt = any(isinstance(e, dict) and "TXT" in e for e in entries)
            out: list = []
            generated: list = []
            for e in entries:
                if e == "TIMEOUT":
                    out.append("TIMEOUT")
                    continue
                ((rtype, value),) = e.items()
                if rtype == "SPF" and not has_txt:
                    generated.append(("TXT", value))
                if value == "NONE":
                    continue
                out.append((rtype, value))
            self.zone[name.lower().rstrip(".")] = out + generated
        self.queries = 0

    async def query(self, name: str, rdtype: str = "A") -> DnsAnswer:
        self.queries += 1
        rdtype = rdtype.upper()
        chain: list[tuple[str, str]] = []
        current = name.lower().rstrip(".")
        for _hop in range(10):
            entries = self.zone.get(current)
            if entries is None:
                return DnsAnswer(name, rdtype, "NXDOMAIN", [], chain=chain)
            records: list[str] = []
            cname = None
            for e in entries:
                if e == "TIMEOUT":
                    if not records:
                        raise DnsFailure(name, rdtype, "timeout", "suite", "TIMEOUT in zonedata")
                    break
                rtype, value = e
                if rtype == rdtype:
                    records.append(_text(rtype, value))
                elif rtype == "CNAME" and rdtype != "CNAME":
                    cname = str(value).lower().rstrip(".")
            if records or cname is None:
                return DnsAnswer(name, rdtype, "NOERROR", records, chain=chain)
            chain.append((current, cname))
            if any(cname == a for a, _ in chain):
                raise DnsFailure(name, rdtype, "CNAME loop", "suite")
            current = cname
        raise DnsFailure(name, rdtype, "too many CNAME hops", "suite")


def _text(rtype: str, value) -> str:
    if rtype in ("TXT", "SPF"):
        return "".join(value) if isinstance(value, list) else str(value)
    if rtype == "MX":
        pref, host = value
        return f"{pref} {host}"
    if rtype in ("A", "AAAA"):
        return str(ipaddress.ip_address(value))
    return str(value)


def load_cases() -> list[tuple[str, dict, dict]]:
    yaml = pytest.importorskip("yaml")
    with SUITE.open(encoding="utf-8") as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    return [(name, case, doc["zonedata"]) for doc in docs for name, case in doc["tests"].items()]


async def run_case(case: dict, zonedata: dict) -> str:
    resolver = SuiteResolver(zonedata)
    sender = case.get("mailfrom") or ""
    helo = case.get("helo") or ""
    domain = sender.rsplit("@", 1)[1] if "@" in sender else helo
    res = await check_host(resolver, case["host"], domain, sender, helo=helo)
    return res.result, res.explanation


async def test_rfc7208_conformance_suite(capsys):
    if not SUITE.is_file():
        pytest.skip(f"conformance suite not found at {SUITE}")
    cases = load_cases()
    passed, failing, exp_notes = 0, [], []
    for name, case, zonedata in cases:
        want = case["result"]
        want = [want] if isinstance(want, str) else list(want)
        got, explanation = await run_case(case, zonedata)
        if got in want:
            passed += 1
            exp = case.get("explanation")
            if exp and exp != "DEFAULT" and explanation.lower() != str(exp).lower():
                exp_notes.append(f"{name}: explanation {explanation!r}, suite has {exp!r}")
        else:
            failing.append(f"{name}: got {got}, want {' or '.join(want)}")
    with capsys.disabled():
        print(f"\nRFC 7208 conformance: {passed}/{len(cases)} cases pass")
        for line in failing:
            print(f"  FAIL {line}")
        for line in exp_notes:
            print(f"  note {line}")
    assert len(cases) == 203
    assert passed >= REQUIRED, f"{passed}/{len(cases)} pass; failing: {failing}"
