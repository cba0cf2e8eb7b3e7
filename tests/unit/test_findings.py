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


def test_every_kind_that_reports_findings_uses_the_one_type():
    from launchready_tui.core.checks import (
        _csp,
        cloudflare_dns,
        cloudflare_zone,
        error_tracking,
        monitors,
    )
    from launchready_tui.core.checks import deploy_config as dc
    from launchready_tui.core.checks.deploy_config import _rollback
    from launchready_tui.core.checks.email import dmarc
    from launchready_tui.core.checks.email.spf import _check as spf_check

    for m in (_csp, cloudflare_dns, cloudflare_zone, error_tracking, monitors, dc, _rollback, dmarc, spf_check):
        assert getattr(m, "CspFinding", None) is fx.Finding or m.Finding is fx.Finding, m.__name__
    for m in (cloudflare_dns, cloudflare_zone, error_tracking, monitors, dc, dmarc, spf_check):
        assert m.findings_result is fx.findings_result, m.__name__


def test_findings_result_naming_every_problem():
    fs = [fx.Finding("note", "n", "a note"), fx.Finding("warn", "w", "gap one", "costs", "do A"),
          fx.Finding("fail", "f", "gap two", "breaks", "do B", file="ci.yml", line=3, add="  needs: [test]")]
    r = fx.findings_result("deploy_config", "x", fs, {"repo": "x"}, ok="fine", what=("gap", "gaps"))
    assert r.status.value == "fail" and r.summary == "2 gaps: gap two; gap one"
    assert r.fix == "1. do B\n  needs: [test]\n2. do A" and r.why == "breaks costs"
    assert r.evidence["findings"][2] == {"id": "f", "code": "f", "severity": "fail", "title": "gap two", "why": "breaks",
                                         "fix": "do B", "file": "ci.yml", "line": 3, "add": "  needs: [test]"}
    one = fx.findings_result("k", "x", fs[1:2], {}, ok="fine", what=("gap", "gaps"))
    assert one.summary == "1 gap: gap one" and one.fix == "do A"
    ok = fx.findings_result("k", "x", fs[:1], {}, ok="fine", what=("gap", "gaps"))
    assert ok.status.value == "pass" and ok.summary == "fine (notes: a note)"


def test_a_kind_keeps_its_evidence_spelling():
    from launchready_tui.core.checks.email.dmarc import _as_dict as dmarc_dict
    from launchready_tui.core.checks.email.spf._check import _as_dict as spf_dict

    f = fx.Finding("warn", "no_all", "no all", "why", "fix")
    ev: dict = {}
    r = fx.findings_result("spf", "x", [f], ev, ok="-", shape=spf_dict)
    assert r.evidence["findings"] == [{"status": "warn", "code": "no_all", "summary": "no all"}]
    assert ev == {}, "the caller's evidence is not changed"
    assert dmarc_dict(f) == {"status": "warn", "summary": "no all"}
    err = fx.findings_result("spf", "x", [fx.Finding("error", "e", "no answer", "w", "f")], {}, ok="-",
                             error_fix="again", error_why="unknown")
    assert err.status.value == "error" and err.fix == "again" and err.why == "unknown"
