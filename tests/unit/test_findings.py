"""One finding type and one severity order: the kinds that report several findings share
core/findings.py, and its order agrees with the results' own."""

from __future__ import annotations

from launchready_tui.core import findings as fx
from launchready_tui.core.checks import headers, redirects, tls
from launchready_tui.core.results import SEVERITY, Status


def test_one_order_for_statuses_and_findings():
    statuses = sorted(Status, key=lambda s: SEVERITY[s])
    assert sorted(statuses, key=lambda s: fx.rank(s.value)) == statuses
    assert fx.rank("info") == fx.rank("note") < fx.rank("warn") < fx.rank("error") < fx.rank("fail")


def test_the_kinds_share_the_finding_type():
    assert tls.Line is headers.Line is fx.Finding
    f = redirects._finding("warn", "code", "http://a.example/", "msg", "why", "fix")
    assert isinstance(f, fx.Finding)
    assert f.to_dict() == {"severity": "warn", "code": "code", "url": "http://a.example/", "message": "msg"}


def test_findings_result_worst_first_with_whys_and_fixes_once():
    fs = [fx.Finding("info", "n", "a note"), fx.Finding("warn", "w", "a warning", "costs", "do A"),
          fx.Finding("warn", "w2", "another", "costs", "do A")]
    r = fx.findings_result("headers", "x", fs, {}, ok="fine")
    assert r.status is Status.WARN and r.summary == "a warning" and r.why == "costs" and r.fix == "do A"
    assert [d["code"] for d in r.evidence["findings"]] == ["n", "w", "w2"]
    ok = fx.findings_result("headers", "x", fs[:1], {}, ok=lambda: "all good")
    assert ok.status is Status.PASS and ok.summary == "all good"
    err = fx.findings_result("redirects", "x", [fx.Finding("error", "e", "no answer")], {}, ok="-",
                             error_fix="try again")
    assert err.status is Status.ERROR and err.fix == "try again"
