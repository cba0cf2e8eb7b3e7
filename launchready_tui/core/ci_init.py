"""`launchready ci init`: the roadmap's automation list as GitHub Actions workflows.

Three workflows run LaunchReady itself:

* `launchready-checks.yml` - on pull requests and pushes to main: env vars validated
  before the build, the secret scan (SARIF to code scanning) and the dependency audit,
  reports kept as JUnit;
* `launchready-after-deploy.yml` - after each production deploy: the smoke test and a
  p95 snapshot keyed by the release (the commit);
* `launchready-weekly.yml` - every Monday and by hand: certificates (alert 30 days
  before expiry), DNS, redirects, email authentication and uptime. A failing check fails
  the run, so the repository's notifications fire.

The `--runbook/--step` pairs come from the runbooks themselves, so the workflows keep
working when a runbook gains steps. Nothing here writes files: `plan()` returns them and
the command writes them, never over an existing file without `--force`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from launchready_tui.core.profile import Profile
    from launchready_tui.core.runbook import Runbook

CHECKS_FILE = ".github/workflows/launchready-checks.yml"
AFTER_DEPLOY_FILE = ".github/workflows/launchready-after-deploy.yml"
WEEKLY_FILE = ".github/workflows/launchready-weekly.yml"
HEADER = ("# Written by `launchready ci init` from launchready.yaml. It runs LaunchReady's own checks;\n"
          "# edit it freely (`launchready ci init --force` writes it again from scratch).\n")


@dataclass(frozen=True)
class Planned:
    path: str
    text: str
    what: str


def step_for(runbooks: list[Runbook], kinds: tuple[str, ...], prefer: str | None = None) -> tuple[str, str] | None:
    """(runbook id, step id) of the first stage step that runs one of `kinds`."""
    stages = sorted((rb for rb in runbooks if getattr(rb, "stage", None)), key=lambda rb: rb.stage or 0)
    hits = [(rb.id, st.id, {c.id for c in st.checks}) for rb in stages for st in rb.steps
            if any(c.kind in kinds for c in st.checks)]
    for rb_id, st_id, check_ids in hits:
        if prefer and (st_id == prefer or prefer in check_ids):
            return rb_id, st_id
    return (hits[0][0], hits[0][1]) if hits else None


def _cmd(pair: tuple[str, str] | None, extra: str = "") -> str | None:
    if pair is None:
        return None
    return f"launchready check --runbook {pair[0]} --step {pair[1]}{extra}"


_SETUP = (
    "      - uses: actions/checkout@v4\n"
    "      - uses: actions/setup-python@v5\n"
    "        with:\n"
    "          python-version: \"3.12\"\n"
    "      - name: Install LaunchReady\n"
    "        run: pip install launchready-tui\n"
)


def _env_block(names: list[str]) -> str:
    lines = "".join(f"          {n}: ${{{{ secrets.{n} }}}}\n" for n in names)
    return "        env:\n          LAUNCHREADY_ENV_FROM_PROCESS: production\n" + lines


def _run(*lines: str) -> str:
    """A `run:` as a block scalar: no quoting rules to trip over, whatever the command holds."""
    return "        run: |\n" + "".join(f"          {line}\n" for line in lines)


def _check_step(name: str, command: str, *, always: bool = True, env: str = "") -> str:
    cond = "        if: ${{ !cancelled() }}\n" if always else ""
    return f"      - name: {name}\n{cond}{env}" + _run(command)


def checks_workflow(profile: Profile, runbooks: list[Runbook]) -> str:
    env_pair = step_for(runbooks, ("env",), prefer="env-vars")
    secrets_pair = step_for(runbooks, ("secrets",), prefer="secret-scan")  # stage 5's code and bundle scan
    deps_pair = step_for(runbooks, ("deps",))
    names = [str(n) for n in profile.get("required_env") or []]
    steps = _SETUP
    if env_pair:
        steps += _check_step("Check env vars before the build",
                             f"{_cmd(env_pair)} --format junit --output env-check.xml",
                             always=False, env=_env_block(names))
    steps += "      - name: Build\n" + _run("# Put your build command here, for example: npm ci && npm run build",
                                             "echo 'no build command yet'")
    if secrets_pair:
        steps += _check_step("Scan for leaked secrets", f"{_cmd(secrets_pair)} --format sarif --output secrets.sarif")
    if deps_pair:
        steps += _check_step("Audit dependencies", f"{_cmd(deps_pair)} --format junit --output deps.xml")
    steps += ("      - name: Show secret findings in code scanning\n"
              "        if: ${{ !cancelled() && hashFiles('secrets.sarif') != '' }}\n"
              "        uses: github/codeql-action/upload-sarif@v3\n"
              "        with:\n"
              "          sarif_file: secrets.sarif\n"
              "          category: launchready-secrets\n"
              "      - name: Keep the reports\n"
              "        if: ${{ !cancelled() }}\n"
              "        uses: actions/upload-artifact@v4\n"
              "        with:\n"
              "          name: launchready-reports\n"
              "          path: |\n"
              "            *.xml\n"
              "            *.sarif\n"
              "          if-no-files-found: ignore\n")
    return (HEADER + "name: LaunchReady checks\n"
            "on:\n  pull_request:\n  push:\n    branches: [main]\n"
            "permissions:\n  contents: read\n  security-events: write\n"
            "jobs:\n  launchready:\n    runs-on: ubuntu-latest\n    timeout-minutes: 20\n"
            "    steps:\n" + steps)


def after_deploy_workflow(profile: Profile, runbooks: list[Runbook], deploy_workflow: str | None = None) -> str:
    smoke_pair = step_for(runbooks, ("smoke",), prefer="smoke")
    latency_pair = step_for(runbooks, ("latency",))
    if deploy_workflow:
        trigger = (f"on:\n  workflow_run:\n    workflows: [\"{deploy_workflow}\"]\n    types: [completed]\n"
                   "  workflow_dispatch:\n")
        cond = ("    if: ${{ github.event_name == 'workflow_dispatch' || "
                "github.event.workflow_run.conclusion == 'success' }}\n")
        release = "${{ github.event.workflow_run.head_sha || github.sha }}"
    else:  # Vercel, Netlify and Render report their deploys to GitHub as deployment statuses
        trigger = "on:\n  deployment_status:\n  workflow_dispatch:\n"
        cond = ("    if: ${{ github.event_name == 'workflow_dispatch' || "
                "(github.event.deployment_status.state == 'success' && "
                "github.event.deployment.environment == 'Production') }}\n")
        release = "${{ github.event.deployment.sha || github.sha }}"
    steps = _SETUP
    if smoke_pair:
        steps += _check_step("Smoke test the live site", f"{_cmd(smoke_pair)} --format junit --output smoke.xml",
                             always=False)
    if latency_pair:
        steps += _check_step("p95 snapshot for this release",
                             f"{_cmd(latency_pair)} --release {release} --format junit --output p95.xml")
    steps += ("      - name: Keep the reports\n"
              "        if: ${{ !cancelled() }}\n"
              "        uses: actions/upload-artifact@v4\n"
              "        with:\n"
              "          name: launchready-after-deploy\n"
              "          path: \"*.xml\"\n"
              "          if-no-files-found: ignore\n")
    return (HEADER + "name: LaunchReady after deploy\n" + trigger +
            "permissions:\n  contents: read\n"
            "jobs:\n  after-deploy:\n" + cond + "    runs-on: ubuntu-latest\n    timeout-minutes: 15\n"
            "    steps:\n" + steps)


WEEKLY = (
    ("Certificates (alert 30 days before expiry)", ("tls",), None),
    ("DNS records", ("dns",), None),
    ("Redirects", ("redirects",), None),
    ("Email authentication (SPF, DKIM, DMARC)", ("spf", "dkim", "dmarc"), None),
    ("Uptime", ("uptime",), None),
)


def weekly_workflow(profile: Profile, runbooks: list[Runbook]) -> str:
    steps = _SETUP
    for name, kinds, prefer in WEEKLY:
        pair = step_for(runbooks, kinds, prefer)
        if pair:
            slug = kinds[0]
            # A certificate inside 30 days of expiry is a warning: this run fails on it, so the alert fires.
            strict = " --fail-on warn" if slug == "tls" else ""
            steps += _check_step(name, f"{_cmd(pair)}{strict} --format junit --output {slug}.xml")
    steps += ("      - name: Keep the reports\n"
              "        if: ${{ !cancelled() }}\n"
              "        uses: actions/upload-artifact@v4\n"
              "        with:\n"
              "          name: launchready-weekly\n"
              "          path: \"*.xml\"\n"
              "          if-no-files-found: ignore\n")
    return (HEADER + "name: LaunchReady weekly\n"
            "on:\n  schedule:\n    - cron: \"17 6 * * 1\"  # Mondays 06:17 UTC\n  workflow_dispatch:\n"
            "permissions:\n  contents: read\n"
            "jobs:\n  weekly:\n    runs-on: ubuntu-latest\n    timeout-minutes: 20\n"
            "    steps:\n" + steps)


def plan(profile: Profile, runbooks: list[Runbook], deploy_workflow: str | None = None) -> list[Planned]:
    return [
        Planned(CHECKS_FILE, checks_workflow(profile, runbooks),
                "pull requests and pushes: env vars before the build, secret scan (GitHub marks the leaked line), dependency audit"),
        Planned(AFTER_DEPLOY_FILE, after_deploy_workflow(profile, runbooks, deploy_workflow),
                "after each production deploy: smoke test and a p95 snapshot for the release"),
        Planned(WEEKLY_FILE, weekly_workflow(profile, runbooks),
                "every Monday: certificates (30-day alert), DNS, redirects, email, uptime"),
    ]
