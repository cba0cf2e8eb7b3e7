"""`deploy_config`: stage 2 read from the repository, without running anything.

From the host's config file (`vercel.json`, `netlify.toml`, `fly.toml`, `render.yaml`,
`Procfile`/`app.json`, `railway.json`/`railway.toml`, `Dockerfile`) and the CI workflows
(`.github/workflows/*.yml`, `.gitlab-ci.yml`) it answers the roadmap's stage-2 questions:
does a push to main deploy production with one known job; does that deploy wait for the
tests; are env vars validated before the build; does a smoke test follow the deploy; are
secrets scanned and dependencies audited on pull requests or merges; does a failed run
tell anyone; is the rollback a script in the repository (or a documented host command)
and was its last drill within the 10-minute budget. Each gap is a finding that names the
file and line and gives the exact lines to add.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from launchready_tui.core.checks.base import Kind
from launchready_tui.core.checks.deploy_config._ci import CiJob, Workflow, find_workflows
from launchready_tui.core.checks.deploy_config._hosting import (
    Hosting,
    detect,
    record_says_git_integration,
)
from launchready_tui.core.checks.deploy_config._hosting import (
    problems as host_config_problems,
)
from launchready_tui.core.checks.deploy_config._rollback import rollback_findings
from launchready_tui.core.findings import Finding, findings_result
from launchready_tui.core.results import CheckResult, errored

if TYPE_CHECKING:
    from launchready_tui.core.context import CheckContext
    from launchready_tui.core.profile import Profile

__all__ = ["KIND", "targets", "deadline", "check", "analyse", "Finding"]

KIND = "deploy_config"


@dataclass
class Analysis:
    hosting: list[Hosting]
    workflows: list[Workflow]
    findings: list[Finding] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)


def targets(profile: Profile, params: dict[str, Any]) -> list[str]:
    return [str(params.get("repo") or profile.get("repo") or ".")]


def deadline(params: dict[str, Any], timeout_s: float) -> float:
    return 20.0


def _repo(profile: Profile, target: str) -> Path:
    return Path(profile.resolve_path(target)) if hasattr(profile, "resolve_path") else Path(target)


def _env_step(profile: Profile) -> str:
    names = list(profile.get("required_env") or [])
    env_lines = "".join(f"          {n}: ${{{{ secrets.{n} }}}}\n" for n in names[:8]) or \
        "          DATABASE_URL: ${{ secrets.DATABASE_URL }}\n"
    return ("      - name: Check env vars before the build\n"
            "        env:\n"
            "          LAUNCHREADY_ENV_FROM_PROCESS: production\n"
            f"{env_lines}"
            "        run: |\n"
            "          pip install launchready-tui\n"
            "          launchready check --runbook deploy-path --step env-vars\n")


SMOKE_STEP = ("      - name: Smoke test the live site\n"
              "        run: |\n"
              "          pip install launchready-tui\n"
              "          launchready check --runbook deploy-path --step smoke\n")
NOTIFY_STEP = ("      - name: Tell the team the deploy failed\n"
               "        if: failure()\n"
               "        uses: slackapi/slack-github-action@v2\n"
               "        with:\n"
               "          webhook: ${{ secrets.SLACK_WEBHOOK_URL }}\n"
               "          webhook-type: incoming-webhook\n"
               "          payload: '{\"text\": \"Deploy of ${{ github.sha }} failed: ${{ github.server_url }}/"
               "${{ github.repository }}/actions/runs/${{ github.run_id }}\"}'\n")
CI_INIT = ("Quickest: run `launchready ci init` (in the app: the Run button under this check); it writes "
           "workflows that do this, never replaces a file you have, and prints what to commit.")


def deploy_jobs(wfs: list[Workflow]) -> list[tuple[Workflow, CiJob]]:
    return [(w, j) for w in wfs if w.runs_on_main_push() for j in w.jobs.values() if j.does("deploy")]


def _analyse_deploy(a: Analysis, profile: Profile, record: str | None) -> None:
    git_hosts = [h for h in a.hosting if h.git_integration]
    via_record = record_says_git_integration(record)
    deploys = deploy_jobs(a.workflows)
    for h in a.hosting:
        a.facts.append(f"{h.host} ({h.file}): {h.note}")
        if h.git_integration is False and h.host in ("Vercel", "Render"):
            a.findings.append(Finding(
                "fail", "manual-deploys", f"{h.host} does not deploy pushes by itself", h.note + ".",
                f"Turn automatic deploys back on in {h.file} (line {h.line}), or add a CI job that deploys.",
                h.file, h.line))
    if not deploys:
        if git_hosts or via_record:
            who = git_hosts[0].host if git_hosts else "the host"
            a.facts.append(f"production deploys by {who}'s Git integration (no deploy job in CI is needed)")
            _analyse_git_host(a, profile, who)
            return
        host = next((h.host for h in a.hosting), "your host")
        cmd = {"Fly.io": "flyctl deploy --remote-only", "Heroku": "git push https://heroku:${{ secrets.HEROKU_API_KEY }}@git.heroku.com/APP.git HEAD:main"}.get(host, profile.get("deploy.command") or "YOUR DEPLOY COMMAND")
        setup = "      - uses: superfly/flyctl-actions/setup-flyctl@master\n" if host == "Fly.io" else ""
        token = "          FLY_API_TOKEN: ${{ secrets.FLY_API_TOKEN }}\n" if host == "Fly.io" else ""
        add = ("name: Deploy\non:\n  push:\n    branches: [main]\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
               "    steps:\n      - uses: actions/checkout@v4\n      - run: npm ci && npm test\n"
               "  deploy:\n    needs: [test]\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
               f"{setup}      - run: {cmd}\n" + ("        env:\n" + token if token else ""))
        a.findings.append(Finding(
            "fail", "no-deploy-job", "nothing deploys production when main changes",
            f"{host} only deploys when told to, and no CI workflow does it on pushes to main. Deploys are then "
            "done by hand from someone's laptop, which is how steps get missed.",
            "Add a workflow file `.github/workflows/deploy.yml` with the lines below (GitHub: the repository's "
            "Actions tab shows it after the next push), and store the deploy token under Settings > Secrets "
            "and variables > Actions.", ".github/workflows/deploy.yml", 0, add))
        return
    w, job = deploys[0]
    a.facts.append(f"{w.file}: job `{job.id}` deploys on pushes to main (line {job.line})")
    step = job.first("deploy")
    assert step is not None
    idx = job.steps.index(step)
    before = [s for s in job.steps[:idx]]
    upstream = w.upstream(job)
    if not any("test" in s.does for s in before) and not any(u.does("test") for u in upstream):
        a.findings.append(Finding(
            "fail", "deploy-without-tests", f"job `{job.id}` deploys without waiting for the tests",
            "A push that breaks the tests still goes live, and customers find the bug first.",
            f"In {w.file}, make the deploy job wait for the test job: add `needs: [test]` under "
            f"`{job.id}:` (line {job.line}), with a `test` job that runs your tests.",
            w.file, job.line, f"  {job.id}:\n    needs: [test]\n"))
    build = next((s for s in job.steps if "build" in s.does), None)
    checked = any("env_check" in s.does for s in job.steps[: job.steps.index(build) if build else idx]) or \
        any(u.does("env_check") for u in upstream)
    if not checked:
        at = build or step
        a.findings.append(Finding(
            "warn", "no-env-check", "env vars are not checked before the build",
            "A missing or placeholder env var (a test Stripe key in production, an empty DATABASE_URL) "
            "then shows up as a broken site after the deploy instead of a failed build before it.",
            f"In {w.file}, add this step just before line {at.line} ({at.name}). {CI_INIT}",
            w.file, at.line, _env_step(profile)))
    after = job.steps[idx + 1:]
    followers = [j for j in w.jobs.values() if job in w.upstream(j)]
    later = [x for x in a.workflows if "deployment_status" in x.triggers or w.name in x.after]
    if not (any("smoke" in s.does for s in after) or any(j.does("smoke") for j in followers)
            or any(j.does("smoke") for x in later for j in x.jobs.values())):
        a.findings.append(Finding(
            "warn", "no-smoke-test", "no smoke test runs after the deploy",
            "Without one, a deploy that went out broken looks like a success until a customer writes in.",
            f"In {w.file}, add this step after line {step.line} ({step.name}). {CI_INIT}",
            w.file, step.line, SMOKE_STEP))
    if not any("failure" in s.cond and ("notify" in s.does or _notifies(s.text)) for j in w.jobs.values()
               for s in j.steps):
        a.findings.append(Finding(
            "warn", "no-failure-notice", "a failed deploy tells only the person who pushed",
            "GitHub emails a failed run to the person who triggered it. If they are away, nobody knows "
            "production did not update.",
            f"Add this as the last step of job `{job.id}` in {w.file}, and store the Slack webhook under "
            "Settings > Secrets and variables > Actions as SLACK_WEBHOOK_URL.", w.file, job.line, NOTIFY_STEP))


def _analyse_git_host(a: Analysis, profile: Profile, who: str) -> None:
    """The host builds and deploys by itself: env vars are checked by a workflow on pull
    requests and pushes, and the smoke test follows the host's deployment status."""
    on_change = [w for w in a.workflows if w.triggers & {"pull_request", "push", "merge_request"}]
    if not any(j.does("env_check") for w in on_change for j in w.jobs.values()):
        a.findings.append(Finding(
            "warn", "no-env-check", "env vars are not checked before the build",
            f"{who} builds whatever is pushed. A missing or placeholder env var then shows up as a broken "
            "site after the deploy instead of a failed check before it.",
            "Add a workflow `.github/workflows/launchready-checks.yml` that runs on `pull_request` and on "
            f"pushes to main with the step below. {CI_INIT}", ".github/workflows/launchready-checks.yml", 0,
            _env_step(profile)))
    later = [w for w in a.workflows if w.triggers & {"deployment_status", "workflow_run"}]
    if not any(j.does("smoke") for w in later for j in w.jobs.values()):
        a.findings.append(Finding(
            "warn", "no-smoke-test", "no smoke test runs after the deploy",
            f"{who} reports each deploy to GitHub; without a workflow that answers it, a deploy that went out "
            "broken looks like a success until a customer writes in.",
            "Add a workflow `.github/workflows/launchready-after-deploy.yml` that runs on `deployment_status` "
            f"with the step below. {CI_INIT}", ".github/workflows/launchready-after-deploy.yml", 0, SMOKE_STEP))


def _notifies(text: str) -> bool:
    from launchready_tui.core.checks.deploy_config._ci import PATTERNS

    return bool(PATTERNS["notify"].search(text))


def _analyse_pr_checks(a: Analysis) -> None:
    on_change = [w for w in a.workflows if w.triggers & {"pull_request", "push", "merge_request", "pull_request_target"}]
    for what, fid, title, why, add in (
        ("secret_scan", "no-secret-scan", "no secret scan on pull requests or merges",
         "A key pasted into code goes public the moment it is pushed; a scan on every pull request "
         "catches it before it is merged.",
         "      - name: Scan for leaked secrets\n        run: |\n          pip install launchready-tui\n"
         "          launchready check --runbook auth-secrets --step scan --format sarif --output secrets.sarif\n"),
        ("dep_audit", "no-dependency-audit", "no dependency audit on pull requests or merges",
         "Packages with known holes are the easiest way in; an audit on each merge names them while the "
         "fix is one version bump.",
         "      - name: Audit dependencies\n        run: npm audit --audit-level=high\n"),
    ):
        if not any(j.does(what) for w in on_change for j in w.jobs.values()):
            target = on_change[0] if on_change else None
            a.findings.append(Finding(
                "warn", fid, title, why,
                (f"Add this step to a job in {target.file}. " if target else
                 "Add a workflow `.github/workflows/launchready-checks.yml` that runs on `pull_request` with "
                 "this step (the same file as the env var check). ")
                + CI_INIT, target.file if target else ".github/workflows/launchready-checks.yml",
                next(iter(target.jobs.values())).line if target and target.jobs else 0, add))


def analyse(repo: Path, profile: Profile, state: dict[str, Any] | None) -> Analysis:
    a = Analysis(detect(repo), find_workflows(repo, str(profile.get("deploy.command") or "")))
    for name, reason in host_config_problems():
        a.findings.append(Finding("warn", "unreadable-config", f"{name} {reason}",
                                  "Your host reads this file on every deploy; one it cannot read fails the deploy "
                                  "or is ignored, and LaunchReady could not check what it says.",
                                  f"Fix {name} (it must be a small text file in its own format), or delete it if "
                                  "the host does not use it.", name, 1))
    for w in a.workflows:
        if w.problem:
            a.findings.append(Finding("warn", "unreadable-workflow", f"{w.file} {w.problem}",
                                      "A workflow that does not parse never runs.",
                                      f"Fix {w.file}; GitHub shows the exact error on the Actions tab.", w.file, 1))
    _analyse_deploy(a, profile, _find_record(state, "command"))
    _analyse_pr_checks(a)
    a.findings.extend(rollback_findings(repo, profile, state))
    return a


RECORD_KEY = "deploy-path/one-command/deploy-command"  # stage 2's "the one deploy command" record


def _find_record(state: dict[str, Any] | None, field_id: str) -> str | None:
    rec = ((state or {}).get("records") or {}).get(RECORD_KEY) or {}
    v = rec.get(field_id) if isinstance(rec, dict) else None
    return str(v["value"]) if isinstance(v, dict) and v.get("value") else None


async def check(ctx: CheckContext, target: str, params: dict[str, Any]) -> CheckResult:
    import asyncio

    repo = _repo(ctx.profile, target)
    if not repo.is_dir():
        what = "is not a folder" if repo.exists() or repo.is_symlink() else "does not exist"
        return errored(KIND, target, f"the repository folder {repo} {what}",
                       fix="Set `repo:` in launchready.yaml to your app's folder (default: the profile's "
                       "folder), then run the check again.")
    state = None
    if ctx.state is not None:
        try:
            state = await asyncio.to_thread(ctx.state.load)
        except Exception:  # state is a nice-to-have here; the repository is what counts
            state = None
    a = await asyncio.to_thread(analyse, repo, ctx.profile, state)
    ev: dict[str, Any] = {"repo": target, "hosting": [h.host for h in a.hosting], "facts": a.facts,
                          "workflows": [w.file for w in a.workflows]}
    r = findings_result(KIND, target, a.findings, ev, ok="deploys are boring: " + "; ".join(a.facts[:3]),
                        what=("gap in the deploy path", "gaps in the deploy path"))
    return _ci_init_once(r)


def _ci_init_once(r: CheckResult) -> CheckResult:
    """Several gaps that `ci init` closes: say so once, first, naming them, instead of
    repeating the hint under each numbered fix (each finding keeps its own)."""
    import re

    fix = r.fix or ""
    closes = [m.group(1) for m in re.finditer(r"^(\d+)\. .*$", fix, re.M) if CI_INIT in m.group(0)]
    if len(closes) < 2:
        return r
    which = ", ".join(closes[:-1]) + " and " + closes[-1]
    r.fix = (f"Quickest for gaps {which}: run `launchready ci init` (in the app: the Run button under this check). "
             "It writes the workflows, never replaces a file you have, and prints what to commit. "
             "Or add the lines by hand:\n" + fix.replace(" " + CI_INIT, ""))
    return r


CHECK_KIND = Kind(
    name=KIND,
    family="ops",
    title="Deploy setup",
    plain="a push to main deploys after the tests, with env checks, a smoke test and a drilled rollback",
    about="host config and CI workflows read from the repository (nothing runs)",
    check=check,
    targets=targets,
    deadline_fn=deadline,
    schema={"repo": "str"},
    shown=("hosting", "facts", "findings"),
)
