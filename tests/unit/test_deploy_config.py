"""`deploy_config`: stage 2 read from repository fixtures, one per host and CI shape,
healthy and broken. Nothing in the fixture repositories runs."""

from __future__ import annotations

import asyncio
import json
import textwrap
from pathlib import Path

import pytest

from launchready_tui.core.checks import deploy_config
from launchready_tui.core.context import CheckContext
from launchready_tui.core.profile import parse_profile

HEALTHY_FLY = """\
name: Deploy
on:
  push:
    branches: [main]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: npm ci && npm test
      - name: Scan for leaked secrets
        uses: gitleaks/gitleaks-action@v2
      - run: npm audit --audit-level=high
  deploy:
    needs: [test]
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Check env vars before the build
        run: launchready check --runbook deploy-path --step env-vars
      - run: npm run build
      - uses: superfly/flyctl-actions/setup-flyctl@master
      - run: flyctl deploy --remote-only
      - name: Smoke test
        run: launchready check --runbook deploy-path --step smoke
      - name: Tell the team
        if: failure()
        uses: slackapi/slack-github-action@v2
"""

BROKEN_FLY = """\
name: Deploy
on:
  push:
    branches: [main]
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: npm run build
      - run: flyctl deploy --remote-only
"""


def make_repo(tmp: Path, files: dict[str, str], *, rollback: str | None = "./scripts/rollback.sh",
              extra: str = "") -> tuple[Path, object]:
    for rel, text in files.items():
        p = tmp / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text), encoding="utf-8")
    prof = "project: T\ndomain: acme.example\nrequired_env: [DATABASE_URL, STRIPE_SECRET_KEY]\n"
    if rollback is not None:
        prof += f"deploy:\n  rollback: {json.dumps(rollback)}\n"
    prof += extra
    (tmp / "launchready.yaml").write_text(prof, encoding="utf-8")
    return tmp, parse_profile(prof, str(tmp / "launchready.yaml"))


def drilled(minutes: float = 1.0, status: str = "pass") -> dict:
    return {"results": {"deploy-path/rollback/rollback-drill@deploy.rollback": {
        "check": "command", "target": "deploy.rollback", "status": status,
        "started_at": "2026-12-01T10:00:00Z", "evidence": {"budget_min": 10, "duration_s": minutes * 60}}},
        "records": {}}


def ids(a) -> set[str]:
    return {f.id for f in a.findings}


def run_check(repo: Path, profile) -> object:
    class State:
        def load(self):
            return drilled()

    ctx = CheckContext(profile=profile, net=None, state=State())
    return asyncio.run(deploy_config.check(ctx, ".", {}))


def test_healthy_fly_repository_passes(tmp_path):
    repo, prof = make_repo(tmp_path, {"fly.toml": 'app = "acme"\n', ".github/workflows/deploy.yml": HEALTHY_FLY,
                                      "scripts/rollback.sh": "fly deploy --image $PREV\n"})
    a = deploy_config.analyse(repo, prof, drilled())
    assert ids(a) == set(), [f.to_dict() for f in a.findings]
    r = run_check(repo, prof)
    assert r.status.value == "pass" and "Fly.io" in r.evidence["hosting"]


def test_broken_fly_repository_names_every_gap_with_file_line_and_lines_to_add(tmp_path):
    repo, prof = make_repo(tmp_path, {"fly.toml": 'app = "acme"\n', ".github/workflows/deploy.yml": BROKEN_FLY})
    a = deploy_config.analyse(repo, prof, {})
    assert ids(a) == {"deploy-without-tests", "no-env-check", "no-smoke-test", "no-failure-notice",
                      "no-secret-scan", "no-dependency-audit", "rollback-script-missing",
                      "rollback-never-drilled"}
    by = {f.id: f for f in a.findings}
    assert by["deploy-without-tests"].file == ".github/workflows/deploy.yml" and by["deploy-without-tests"].line == 6
    assert "needs: [test]" in by["deploy-without-tests"].add
    env = by["no-env-check"]
    assert env.line == 10 and "STRIPE_SECRET_KEY: ${{ secrets.STRIPE_SECRET_KEY }}" in env.add
    assert "--step smoke" in by["no-smoke-test"].add and by["no-smoke-test"].line == 11
    assert "if: failure()" in by["no-failure-notice"].add
    r = run_check(repo, prof)
    assert r.status.value == "fail" and "gap" in r.summary
    assert "needs: [test]" in r.fix and r.why


def test_fly_without_any_workflow_needs_a_deploy_job(tmp_path):
    repo, prof = make_repo(tmp_path, {"fly.toml": 'app = "acme"\n', "scripts/rollback.sh": "x"})
    a = deploy_config.analyse(repo, prof, drilled())
    f = next(f for f in a.findings if f.id == "no-deploy-job")
    assert f.severity == "fail" and "flyctl deploy" in f.add and "needs: [test]" in f.add


@pytest.mark.parametrize("files,host", [
    ({"vercel.json": "{}"}, "Vercel"),
    ({"netlify.toml": "[build]\ncommand = 'npm run build'\n"}, "Netlify"),
    ({"render.yaml": "services:\n  - type: web\n    name: app\n"}, "Render"),
    ({"railway.json": "{}"}, "Railway"),
])
def test_git_integration_hosts_are_not_told_to_add_a_deploy_job(tmp_path, files, host):
    repo, prof = make_repo(tmp_path, {**files, "scripts/rollback.sh": "x"})
    a = deploy_config.analyse(repo, prof, drilled())
    assert "no-deploy-job" not in ids(a) and "deploy-without-tests" not in ids(a)
    assert any(host in fact and "Git integration" in fact for fact in a.facts)
    # The host builds by itself, so the env check and smoke test belong to workflows.
    assert {"no-env-check", "no-smoke-test"} <= ids(a)


def test_render_with_auto_deploy_off_is_a_manual_deploy(tmp_path):
    repo, prof = make_repo(tmp_path, {"render.yaml": "services:\n  - type: web\n    autoDeploy: false\n",
                                      "scripts/rollback.sh": "x"})
    a = deploy_config.analyse(repo, prof, drilled())
    f = next(f for f in a.findings if f.id == "manual-deploys")
    assert f.file == "render.yaml" and f.line == 3


def test_heroku_is_recognized_from_the_stage_2_record(tmp_path):
    repo, prof = make_repo(tmp_path, {"Procfile": "web: npm start\n", "scripts/rollback.sh": "x"})
    assert "no-deploy-job" in ids(deploy_config.analyse(repo, prof, drilled()))
    state = drilled()
    state["records"] = {deploy_config.RECORD_KEY: {"command": {"value": "push to main (Heroku automatic deploys)"}}}
    assert "no-deploy-job" not in ids(deploy_config.analyse(repo, prof, state))


def test_gitlab_pipeline_stages_order_the_jobs(tmp_path):
    gl = """\
    stages: [test, deploy]
    test:
      stage: test
      script: [npm test, npx gitleaks detect, npm audit]
    deploy:
      stage: deploy
      script:
        - launchready check --runbook deploy-path --step env-vars
        - flyctl deploy
        - launchready check --runbook deploy-path --step smoke
      rules:
        - if: $CI_COMMIT_BRANCH == "main"
    notify:
      stage: deploy
      when: on_failure
      script: [curl -X POST $SLACK_WEBHOOK]
    """
    repo, prof = make_repo(tmp_path, {"fly.toml": "", ".gitlab-ci.yml": gl, "scripts/rollback.sh": "x"})
    a = deploy_config.analyse(repo, prof, drilled())
    assert "deploy-without-tests" not in ids(a) and "no-deploy-job" not in ids(a)
    assert "no-smoke-test" not in ids(a) and "no-env-check" not in ids(a)


@pytest.mark.parametrize("rollback,files,expect", [
    (None, {}, "no-rollback"),
    ("./scripts/rollback.sh", {}, "rollback-script-missing"),
    ("npm run rollback", {"package.json": '{"scripts": {"build": "x"}}'}, "rollback-script-missing"),
    ("echo rolling back", {}, "rollback-not-kept"),
])
def test_rollback_gaps(tmp_path, rollback, files, expect):
    repo, prof = make_repo(tmp_path, {"vercel.json": "{}", **files}, rollback=rollback)
    assert expect in ids(deploy_config.analyse(repo, prof, drilled()))


@pytest.mark.parametrize("rollback", ["vercel rollback", "heroku rollback -a acme", "npm run rollback"])
def test_documented_host_rollbacks_and_npm_scripts_are_kept_rollbacks(tmp_path, rollback):
    repo, prof = make_repo(tmp_path, {"vercel.json": "{}", "package.json": '{"scripts": {"rollback": "x"}}'},
                           rollback=rollback)
    assert not ids(deploy_config.analyse(repo, prof, drilled())) & {
        "rollback-not-kept", "rollback-script-missing", "no-rollback"}


def test_rollback_drill_over_budget_fails_and_never_drilled_warns(tmp_path):
    repo, prof = make_repo(tmp_path, {"vercel.json": "{}", "scripts/rollback.sh": "x"})
    slow = deploy_config.analyse(repo, prof, drilled(minutes=14))
    f = next(f for f in slow.findings if f.id == "rollback-over-budget")
    assert f.severity == "fail" and "14.0 minutes" in f.title
    never = next(f for f in deploy_config.analyse(repo, prof, {}).findings if f.id == "rollback-never-drilled")
    assert never.severity == "warn"


def test_unreadable_workflow_is_reported_not_raised(tmp_path):
    repo, prof = make_repo(tmp_path, {"vercel.json": "{}", "scripts/rollback.sh": "x",
                                      ".github/workflows/bad.yml": "jobs: [unclosed\n"})
    a = deploy_config.analyse(repo, prof, drilled())
    assert "unreadable-workflow" in ids(a)


def test_missing_repository_folder_is_could_not_check(tmp_path):
    _, prof = make_repo(tmp_path, {})
    ctx = CheckContext(profile=prof, net=None, state=None)
    r = asyncio.run(deploy_config.check(ctx, "no-such-folder", {}))
    assert r.status.value == "error"


def test_a_repo_with_no_workflows_is_pointed_at_the_files_ci_init_writes(tmp_path):
    """Every workflow file the fixes name is one `launchready ci init` writes, so a founder
    who adds the steps by hand and one who runs ci init end with the same files."""
    from launchready_tui.core import ci_init

    repo, prof = make_repo(tmp_path, {"vercel.json": "{}", "scripts/rollback.sh": "x"})
    a = deploy_config.analyse(repo, prof, drilled())
    named = {f.file for f in a.findings if f.file.startswith(".github/")}
    assert named and named <= {ci_init.CHECKS_FILE, ci_init.AFTER_DEPLOY_FILE, ci_init.WEEKLY_FILE}, named
    assert all("launchready ci init" in f.fix for f in a.findings if f.file.startswith(".github/"))


def test_one_gap_has_its_fix_unnumbered(tmp_path):
    repo, prof = make_repo(tmp_path, {"fly.toml": 'app = "acme"\n', ".github/workflows/deploy.yml": HEALTHY_FLY,
                                      "scripts/rollback.sh": "fly deploy --image $PREV\n"})

    class NeverDrilled:
        def load(self):
            return {}

    r = asyncio.run(deploy_config.check(CheckContext(profile=prof, net=None, state=NeverDrilled()), ".", {}))
    assert r.status.value == "warn" and r.summary.startswith("1 gap")
    assert not r.fix.startswith("1.") and r.fix == r.evidence["findings"][0]["fix"]


def test_the_ci_init_hint_is_said_once_first_when_it_closes_several_gaps(tmp_path):
    repo, prof = make_repo(tmp_path, {"vercel.json": "{}", "scripts/rollback.sh": "x"})
    r = run_check(repo, prof)
    assert r.fix.startswith("Quickest for gaps 1, 2, 3 and 4: run `launchready ci init`")
    assert r.fix.count("launchready ci init") == 1 and "\n1. Add a workflow" in r.fix
    # each finding keeps its own hint (the details pane lists them one by one)
    assert all(deploy_config.CI_INIT in f["fix"] for f in r.evidence["findings"] if f["file"].startswith(".github/"))
