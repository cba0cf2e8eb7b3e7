"""deps with fake `pip-audit` and `npm` on PATH producing known JSON, skips when they are
missing, severity counts, and ignores from .launchready/allow.yaml with expiry."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import pytest

from launchready_tui.core.checks import deps
from launchready_tui.core.context import CheckContext, RunOptions
from launchready_tui.core.profile import load_profile

PIP_AUDIT_JSON = {
    "dependencies": [
        {"name": "flask", "version": "2.0.0", "vulns": [
            {"id": "PYSEC-2023-62", "fix_versions": ["2.2.5", "2.3.2"], "aliases": ["CVE-2023-30861", "GHSA-m2qf-hxjv-5gpq"]}]},
        {"name": "requests", "version": "2.19.0", "vulns": [
            {"id": "PYSEC-2018-28", "fix_versions": ["2.20.0"], "aliases": ["CVE-2018-18074"]},
            {"id": "GHSA-j8r2-6x86-q33q", "fix_versions": ["2.31.0"], "aliases": ["CVE-2023-32681"]}]},
        {"name": "click", "version": "8.1.7", "vulns": []},
        {"name": "private-pkg", "skip_reason": "Dependency not found on PyPI and could not be audited"},
    ],
    "fixes": [],
}
NPM_AUDIT_JSON = {
    "auditReportVersion": 2,
    "vulnerabilities": {
        "lodash": {"name": "lodash", "severity": "critical", "isDirect": True, "via": [
            {"source": 1094500, "name": "lodash", "title": "Prototype Pollution in lodash",
             "url": "https://github.com/advisories/GHSA-jf85-cpcp-j695", "severity": "critical", "range": "<4.17.12"}],
            "fixAvailable": True},
        "minimist": {"name": "minimist", "severity": "moderate", "via": [
            {"source": 1096465, "name": "minimist", "title": "Prototype Pollution in minimist",
             "url": "https://github.com/advisories/GHSA-vh95-rmgr-6w4m", "severity": "moderate", "range": "<0.2.1"}],
            "fixAvailable": {"name": "mkdirp", "version": "0.5.6", "isSemVerMajor": False}},
        "mkdirp": {"name": "mkdirp", "severity": "moderate", "via": ["minimist"], "fixAvailable": True},
    },
    "metadata": {"vulnerabilities": {"info": 0, "low": 0, "moderate": 2, "high": 0, "critical": 1, "total": 3}},
}


def fake_tool(bindir: Path, name: str, payload: dict | None, exit_code: int = 1, stderr: str = "") -> Path:
    """A script named `name` that records its argv and prints payload as JSON."""
    bindir.mkdir(exist_ok=True)
    script = bindir / name
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, os, sys\n"
        f"open({str(bindir / (name + '.calls'))!r}, 'a').write(json.dumps([os.getcwd(), sys.argv[1:]]) + '\\n')\n"
        f"payload = {json.dumps(payload)!r}\n"
        "if payload != 'null': print(payload)\n"
        f"sys.stderr.write({stderr!r})\n"
        f"sys.exit({exit_code})\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    return script


def calls(bindir: Path, name: str) -> list:
    f = bindir / (name + ".calls")
    return [json.loads(x) for x in f.read_text().splitlines()] if f.exists() else []


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "launchready.yaml").write_text("project: T\ndomain: t.test\ncode: {paths: [app]}\n")
    app = tmp_path / "app"
    app.mkdir()
    bindir = tmp_path / "bin"
    bindir.mkdir()
    monkeypatch.setenv("PATH", str(bindir))  # only our fakes: the real npm must not be found
    return tmp_path, app, bindir


def ctx_for(root: Path, today=dt.date(2026, 6, 1)) -> CheckContext:
    prof = load_profile(root / "launchready.yaml")
    return CheckContext(prof, net=None, options=RunOptions(),
                        clock=lambda: dt.datetime.combine(today, dt.time(12), dt.UTC))


async def test_fake_pip_audit_counts_unknown_severity_as_warn(project):
    root, app, bindir = project
    (app / "requirements.txt").write_text("flask==2.0.0\nrequests==2.19.0\n")
    (app / "requirements-dev.txt").write_text("pytest\n")
    fake_tool(bindir, "pip-audit", PIP_AUDIT_JSON)
    assert deps.targets(ctx_for(root).profile, {}) == ["app"]
    r = await deps.check(ctx_for(root), "app", {})
    assert r.status.value == "warn", r.summary
    assert r.evidence["counts"] == {"critical": 0, "high": 0, "moderate": 0, "low": 0, "unknown": 3}
    assert "3 known vulnerabilities" in r.summary and "3 unknown" in r.summary
    assert "severity_note" in r.evidence and r.evidence["dependencies_skipped"] == 1
    ids = {v["id"] for v in r.evidence["vulnerabilities"]}
    assert ids == {"PYSEC-2023-62", "PYSEC-2018-28", "GHSA-j8r2-6x86-q33q"}
    flask = next(v for v in r.evidence["vulnerabilities"] if v["package"] == "flask")
    assert flask["fix"] == "upgrade to 2.2.5"
    (cwd, argv), = calls(bindir, "pip-audit")
    assert Path(cwd) == app
    assert argv == ["--format", "json", "--progress-spinner", "off", "-r", "requirements-dev.txt",
                    "-r", "requirements.txt"]
    assert r.why and r.fix


async def test_fake_npm_audit_with_critical_fails(project):
    root, app, bindir = project
    web = app / "web"
    web.mkdir()
    (web / "package-lock.json").write_text("{}")
    (web / "node_modules").mkdir()
    (web / "node_modules" / "x").mkdir()
    (web / "node_modules" / "x" / "package-lock.json").write_text("{}")  # never audited
    fake_tool(bindir, "npm", NPM_AUDIT_JSON)
    r = await deps.check(ctx_for(root), "app", {})
    assert r.status.value == "fail", r.summary
    assert r.evidence["counts"]["critical"] == 1 and r.evidence["counts"]["moderate"] == 1
    assert r.evidence["vulnerabilities"][0]["id"] == "GHSA-jf85-cpcp-j695"  # worst first
    assert [c[1] for c in calls(bindir, "npm")] == [["audit", "--json"]]
    assert r.evidence["audited"] == [{"dir": "app/web", "tool": "npm audit", "files": ["package-lock.json"],
                                      "vulnerabilities": 2}]


async def test_skip_with_install_hint_when_tools_are_missing(project):
    root, app, _bindir = project
    (app / "requirements.txt").write_text("flask\n")
    (app / "package-lock.json").write_text("{}")
    r = await deps.check(ctx_for(root), "app", {})
    assert r.status.value == "skip"
    assert "pipx install pip-audit" in r.summary and "nodejs.org" in r.summary


async def test_one_tool_missing_is_a_warning_even_when_clean(project):
    root, app, bindir = project
    (app / "requirements.txt").write_text("click\n")
    (app / "package-lock.json").write_text("{}")
    fake_tool(bindir, "pip-audit", {"dependencies": [{"name": "click", "version": "8.1.7", "vulns": []}]}, exit_code=0)
    r = await deps.check(ctx_for(root), "app", {})
    assert r.status.value == "warn" and "not audited" in r.summary and "npm" in r.summary


async def test_clean_audit_passes_and_no_manifest_skips(project, tmp_path):
    root, app, bindir = project
    (app / "pyproject.toml").write_text("[project]\nname='x'\nversion='1'\n")
    fake_tool(bindir, "pip-audit", {"dependencies": [], "fixes": []}, exit_code=0)
    r = await deps.check(ctx_for(root), "app", {})
    assert r.status.value == "pass", r.summary
    assert calls(bindir, "pip-audit")[0][1][-1] == "."
    (root / "empty").mkdir()
    s = await deps.check(ctx_for(root), "empty", {})
    assert s.status.value == "skip" and "no Python requirements" in s.summary


async def test_allowlist_hides_until_expiry_and_reports_expired(project):
    root, app, bindir = project
    (app / "requirements.txt").write_text("flask==2.0.0\nrequests==2.19.0\n")
    fake_tool(bindir, "pip-audit", PIP_AUDIT_JSON)
    (root / ".launchready").mkdir()
    (root / ".launchready" / "allow.yaml").write_text(
        "allow:\n"
        "  - id: CVE-2023-30861\n    reason: we do not use sessions behind a cache\n    expires: 2026-12-31\n"
        "  - id: PYSEC-2018-28\n    reason: internal only\n    expires: 2026-01-31\n"
        "  - id: GHSA-j8r2-6x86-q33q\n    reason: no expiry given\n"
    )
    r = await deps.check(ctx_for(root), "app", {})
    assert [i["id"] for i in r.evidence["ignored"]] == ["PYSEC-2023-62"]  # matched by alias
    assert [e["id"] for e in r.evidence["expired_ignores"]] == ["PYSEC-2018-28"]
    assert r.evidence["counts"]["unknown"] == 2
    assert any("expires" in p for p in r.evidence["allowlist_problems"])
    assert "1 accepted in allow.yaml" in r.summary and "acceptance expired" in r.summary
    # After the first entry expires too, nothing is hidden.
    later = await deps.check(ctx_for(root, today=dt.date(2027, 1, 1)), "app", {})
    assert later.evidence["counts"]["unknown"] == 3 and "ignored" not in later.evidence


async def test_tool_failure_is_error_not_pass(project):
    root, app, bindir = project
    (app / "package-lock.json").write_text("{}")
    fake_tool(bindir, "npm", {"error": {"code": "ENOTFOUND", "summary": "request to registry failed"}})
    r = await deps.check(ctx_for(root), "app", {})
    assert r.status.value == "error" and "request to registry failed" in r.summary
    fake_tool(bindir, "npm", None, exit_code=2, stderr="npm ERR! something\n")
    r2 = await deps.check(ctx_for(root), "app", {})
    assert r2.status.value == "error" and "no JSON report" in r2.summary


async def test_unsupported_python_lock_is_named(project):
    root, app, bindir = project
    (app / "poetry.lock").write_text("")
    fake_tool(bindir, "pip-audit", {"dependencies": []}, exit_code=0)
    r = await deps.check(ctx_for(root), "app", {})
    assert r.status.value == "skip" and "poetry export" in r.summary
    assert calls(bindir, "pip-audit") == []


def test_parse_npm6_advisories_and_severity_names():
    v = deps.parse_npm_audit({"advisories": {"118": {"module_name": "minimist", "severity": "low",
                                                     "github_advisory_id": "GHSA-VH95-RMGR-6W4M",
                                                     "patched_versions": ">=1.2.6"}}})
    assert v[0].id == "GHSA-vh95-rmgr-6w4m" and v[0].severity == "low" and v[0].aliases == ["118"]
    assert deps._norm_sev("MEDIUM") == "moderate" and deps._norm_sev(None) == "unknown"
