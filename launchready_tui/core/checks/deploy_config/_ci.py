"""CI workflows read into one small model: GitHub Actions and GitLab CI.

Nothing runs: the files are parsed as YAML (with line numbers, so every finding can name
file and line) and their steps are classified by what their commands do: build, test,
deploy, env validation, smoke test, secret scan, dependency audit, failure notice.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_WORKFLOW_BYTES = 512 * 1024
MAX_WORKFLOWS = 50
MAX_TOTAL_BYTES = 2 * 1024 * 1024  # all workflows together: parsing YAML costs about 1 s per MB

# What a step's command line (or `uses:` action) does. Lower-case text is matched.
PATTERNS: dict[str, re.Pattern[str]] = {
    "deploy": re.compile(
        r"\b(vercel(\s+deploy)?\s+.*--prod|vercel\s+deploy|netlify\s+deploy|flyctl\s+deploy|fly\s+deploy|"
        r"railway\s+up|git\s+push\s+\S*heroku|heroku\s+(container:release|releases)|"
        r"render.com/deploy|api\.render\.com/deploy|superfly/flyctl-actions|amondnet/vercel-action|"
        r"nwtgck/actions-netlify|akhileshns/heroku-deploy|deploy-to-heroku|"
        r"kubectl\s+(apply|rollout)|helm\s+upgrade|aws\s+ecs\s+update-service|gcloud\s+run\s+deploy)"),
    "build": re.compile(r"\b((npm|pnpm|yarn|bun)\s+(run\s+)?build|next\s+build|vite\s+build|"
                        r"docker\s+(build|buildx)|python\s+-m\s+build|cargo\s+build|go\s+build|"
                        r"docker/build-push-action)\b"),
    "test": re.compile(r"\b((npm|pnpm|yarn|bun)\s+(run\s+)?test|npx\s+(jest|vitest|playwright)|pytest|"
                       r"python\s+-m\s+(pytest|unittest)|go\s+test|cargo\s+test|rspec|rails\s+test|"
                       r"vitest|jest)\b"),
    "env_check": re.compile(r"launchready\s+check\b.*(--step\s+env-vars|env-vars)|"
                            r"launchready_env_from_process|dotenv-linter|envalid|t3-oss/env|"
                            r"check-env|validate-env"),
    "smoke": re.compile(r"launchready\s+check\b.*(--step\s+smoke|\bsmoke\b)|"
                        r"curl\s+(-\S+\s+)*(--fail|-f|-sf|-fs|-fsS|-sSf)\b|"
                        r"smoke[-_ ]?test"),
    "secret_scan": re.compile(r"gitleaks|trufflehog|trufflesecurity|detect-secrets|ggshield|"
                              r"launchready\s+(check\b.*(secret-scan|secrets)|scan-secrets)"),
    "dep_audit": re.compile(r"(npm|pnpm|yarn)\s+audit|pip-audit|osv-scanner|snyk\s+test|"
                            r"dependency-review-action|bundler-audit|cargo\s+audit|govulncheck|"
                            r"launchready\s+check\b.*(deps|dependency)"),
    "notify": re.compile(r"slack|discord|teams|mail|notify|pagerduty|opsgenie|webhook"),
}
MAIN_BRANCHES = ("main", "master", "production")


@dataclass
class CiStep:
    file: str
    line: int
    name: str
    text: str  # the command (run/script) or the action (uses), lower-case
    cond: str = ""  # `if:` / `when:`
    does: frozenset[str] = frozenset()


@dataclass
class CiJob:
    id: str
    file: str
    line: int
    needs: list[str] = field(default_factory=list)
    steps: list[CiStep] = field(default_factory=list)
    cond: str = ""

    def does(self, what: str) -> bool:
        return any(what in s.does for s in self.steps)

    def first(self, what: str) -> CiStep | None:
        return next((s for s in self.steps if what in s.does), None)


@dataclass
class Workflow:
    file: str
    name: str
    triggers: set[str]
    push_branches: list[str] | None  # None: every branch (or not a push trigger)
    jobs: dict[str, CiJob]
    line: int = 1
    after: list[str] = field(default_factory=list)  # workflow_run: names of workflows it follows
    problem: str = ""  # could not be read

    def runs_on_main_push(self) -> bool:
        if "push" not in self.triggers:
            return False
        return self.push_branches is None or any(b in MAIN_BRANCHES for b in self.push_branches)

    def upstream(self, job: CiJob) -> list[CiJob]:
        """Every job `job` waits for, directly or not."""
        seen: dict[str, CiJob] = {}
        todo = list(job.needs)
        while todo:
            n = todo.pop()
            j = self.jobs.get(n)
            if j is not None and n not in seen:
                seen[n] = j
                todo.extend(j.needs)
        return list(seen.values())


def classify(text: str, extra_deploy: str = "") -> frozenset[str]:
    low = text.lower()
    out = {k for k, rx in PATTERNS.items() if k != "notify" and rx.search(low)}
    if extra_deploy and extra_deploy.strip().lower() in low:
        out.add("deploy")
    # A smoke/env check done by LaunchReady is not also a "deploy" or a "test".
    if "env_check" in out or "smoke" in out or "secret_scan" in out:
        out.discard("deploy")
    return frozenset(out)


def _as_list(v: Any) -> list[str]:
    if v is None:
        return []
    if isinstance(v, str):
        return [v]
    if isinstance(v, list):
        return [str(x) for x in v]
    return []


def _read(path: Path) -> str:
    """The workflow's text: a regular file under the cap, opened without blocking (a FIFO or
    a symlink to /dev/zero is refused at once, core.safe_read)."""
    from launchready_tui.core.safe_read import read_regular

    data = read_regular(path, MAX_WORKFLOW_BYTES)
    if b"\x00" in data:
        raise ValueError("is binary, not YAML")
    return data.decode("utf-8", errors="replace")


def _why(e: Exception) -> str:
    """Plain words for a workflow that could not be read (never the file's content)."""
    reason = getattr(e, "reason", "")
    if reason:
        return str(reason)
    if isinstance(e, FileNotFoundError):
        return "disappeared while it was read"
    if isinstance(e, OSError):
        return e.strerror or "cannot be opened"
    return str(e)[:300]


def _load(path: Path) -> tuple[Any, dict[str, int]]:
    from launchready_tui.core.yamlpos import load_with_lines

    return load_with_lines(_read(path))


SHAPE_ERRORS = (TypeError, ValueError, AttributeError, KeyError, IndexError, RecursionError)


def _parse(path: Path, rel: str, deploy_command: str,
           build: Callable[[Any, dict[str, int], str, str], Workflow], shape_note: str) -> Workflow:
    """Read one CI file and build its model; a file that cannot be read, or is not in the
    shape its CI reads, becomes a Workflow with `problem` set (reported, never raised)."""
    try:
        data, lines = _load(path)
    except Exception as e:  # YamlSyntaxError, OSError, ValueError
        return Workflow(rel, rel, set(), None, {}, problem=f"could not be read: {_why(e)}")
    try:
        return build(data, lines, rel, deploy_command)
    except SHAPE_ERRORS:
        return Workflow(rel, rel, set(), None, {}, problem=shape_note)


def parse_github(path: Path, rel: str, deploy_command: str = "") -> Workflow:
    return _parse(path, rel, deploy_command, _github,
                  "is not in the shape GitHub Actions reads (see GitHub's workflow syntax page)")


def _github(data: Any, lines: dict[str, int], rel: str, deploy_command: str) -> Workflow:
    if not isinstance(data, dict):
        return Workflow(rel, rel, set(), None, {}, problem="is not a workflow (no mapping at the top)")
    on = data.get("on", data.get(True))  # YAML 1.1 reads a bare `on:` key as true
    triggers: set[str] = set()
    push_branches: list[str] | None = None
    after: list[str] = []
    if isinstance(on, str):
        triggers = {on}
    elif isinstance(on, list):
        triggers = {str(x) for x in on}
    elif isinstance(on, dict):
        triggers = {str(k) for k in on}
        push = on.get("push")
        if isinstance(push, dict) and ("branches" in push or "tags" in push):
            push_branches = _as_list(push.get("branches"))
        wr = on.get("workflow_run")
        if isinstance(wr, dict):
            after = _as_list(wr.get("workflows"))
    jobs: dict[str, CiJob] = {}
    for jid, job in (data.get("jobs") or {}).items() if isinstance(data.get("jobs"), dict) else []:
        if not isinstance(job, dict):
            continue
        jp = f"jobs.{jid}"
        j = CiJob(str(jid), rel, lines.get(jp, 1), _as_list(job.get("needs")), [], str(job.get("if") or ""))
        steps = job.get("steps")
        for i, st in enumerate(steps if isinstance(steps, list) else []):
            if not isinstance(st, dict):
                continue
            text = " ".join(str(st.get(k) or "") for k in ("uses", "run", "name"))
            j.steps.append(CiStep(rel, lines.get(f"{jp}.steps[{i}]", j.line), str(st.get("name") or st.get("uses") or "step"),
                                  text.lower(), str(st.get("if") or ""), classify(text, deploy_command)))
        jobs[str(jid)] = j
    return Workflow(rel, str(data.get("name") or rel), triggers, push_branches, jobs, 1, after)


def parse_gitlab(path: Path, rel: str, deploy_command: str = "") -> Workflow:
    return _parse(path, rel, deploy_command, _gitlab,
                  "is not in the shape GitLab CI reads (see GitLab's `.gitlab-ci.yml` reference)")


def _gitlab(data: Any, lines: dict[str, int], rel: str, deploy_command: str) -> Workflow:
    if not isinstance(data, dict):
        return Workflow(rel, rel, set(), None, {}, problem="is not a pipeline (no mapping at the top)")
    reserved = {"stages", "variables", "default", "include", "workflow", "image", "services",
                "before_script", "after_script", "cache"}
    stages = _as_list(data.get("stages")) or ["build", "test", "deploy"]
    jobs: dict[str, CiJob] = {}
    order: list[tuple[int, str]] = []
    for jid, job in data.items():
        if not isinstance(job, dict) or str(jid) in reserved or str(jid).startswith("."):
            continue
        jp = str(jid)
        j = CiJob(jp, rel, lines.get(jp, 1), _as_list(job.get("needs")), [],
                  " ".join(str(r) for r in _as_list(job.get("rules"))) + " " + str(job.get("when") or ""))
        for key in ("before_script", "script", "after_script"):
            for i, cmd in enumerate(_as_list(job.get(key))):
                j.steps.append(CiStep(rel, lines.get(f"{jp}.{key}[{i}]", j.line), f"{jp}: {key}",
                                      cmd.lower(), "failure" if job.get("when") == "on_failure" else "",
                                      classify(cmd, deploy_command)))
        stage = str(job.get("stage") or "test")
        order.append((stages.index(stage) if stage in stages else len(stages), jp))
        jobs[jp] = j
    # Without `needs:`, a GitLab job waits for every job of the earlier stages.
    rank = dict((jid, r) for r, jid in order)
    for jid, j in jobs.items():
        if not j.needs:
            j.needs = [o for o, oj in jobs.items() if rank[o] < rank[jid]]
    return Workflow(rel, rel, {"push", "merge_request"}, None, jobs)


def find_workflows(repo: Path, deploy_command: str = "") -> list[Workflow]:
    out: list[Workflow] = []
    wf_dir = repo / ".github" / "workflows"
    if wf_dir.is_dir():
        files = sorted([*wf_dir.glob("*.yml"), *wf_dir.glob("*.yaml")])[:MAX_WORKFLOWS]
        total = 0
        for p in files:
            rel = str(p.relative_to(repo))
            try:
                size = p.stat().st_size if p.is_file() else 0
            except OSError:
                size = 0
            if total + size > MAX_TOTAL_BYTES:
                out.append(Workflow(rel, rel, set(), None, {}, problem=(
                    f"was not read: the workflows before it already hold {total / 1048576:.1f} MB, and "
                    f"LaunchReady reads at most {MAX_TOTAL_BYTES // 1048576} MB of workflows")))
                continue
            total += size
            out.append(parse_github(p, rel, deploy_command))
    gl = repo / ".gitlab-ci.yml"
    if gl.is_file() or (gl.exists() and not gl.is_dir()) or gl.is_symlink():
        out.append(parse_gitlab(gl, ".gitlab-ci.yml", deploy_command))
    return out
