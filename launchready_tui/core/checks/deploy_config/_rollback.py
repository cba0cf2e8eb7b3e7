"""The rollback: a script kept in the repository, or a documented host command, and a
recent drill that finished inside the budget (the roadmap's 10 minutes)."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Any

from launchready_tui.core.findings import Finding

if TYPE_CHECKING:
    from launchready_tui.core.profile import Profile

DEFAULT_BUDGET_MIN = 10.0
# Host commands that undo a deploy, documented by each host.
HOST_ROLLBACKS = (
    (re.compile(r"\bvercel\s+(rollback|promote)\b"), "Vercel's `vercel rollback`"),
    (re.compile(r"\bnetlify\s+(api\s+restoreSiteDeploy|rollback)\b"), "Netlify's deploy restore"),
    (re.compile(r"\b(fly|flyctl)\s+(deploy\s+.*--image|releases\s+rollback|machines?\s+update\s+.*--image)"),
     "Fly.io's deploy of the previous image"),
    (re.compile(r"\bheroku\s+(rollback|releases:rollback)\b"), "Heroku's `heroku rollback`"),
    (re.compile(r"\brailway\s+(rollback|redeploy)\b"), "Railway's redeploy of an earlier build"),
    (re.compile(r"api\.render\.com/.*/(rollback|deploys)"), "Render's rollback API"),
    (re.compile(r"\bkubectl\s+rollout\s+undo\b"), "Kubernetes' `kubectl rollout undo`"),
)
_SCRIPT = re.compile(r"^(?:\./|scripts?/|bin/|ops/|deploy/)|\.(sh|py|js|ts|rb|ps1)$")


def _script_of(command: str) -> tuple[str | None, str | None]:
    """(path of a repository script the command runs, npm script name) - either may be None."""
    try:
        words = shlex.split(command)
    except ValueError:
        words = command.split()
    while words and (words[0] in ("bash", "sh", "zsh", "python", "python3", "node", "ruby", "exec", "env")
                     or "=" in words[0]):
        words = words[1:]
    if not words:
        return None, None
    if words[0] in ("npm", "pnpm", "yarn", "bun") and len(words) >= 3 and words[1] == "run":
        return None, words[2]
    if words[0] in ("make",) and len(words) >= 2:
        return "Makefile", None
    if _SCRIPT.search(words[0]):
        return words[0], None
    return None, None


MAX_PACKAGE_JSON = 2 * 1024 * 1024


def _package_scripts(repo: Path) -> tuple[dict[str, Any], str]:
    """(the `scripts` object of package.json, "" ) or ({}, why it cannot be read). A FIFO or
    a device is never opened for a blocking read (core.safe_read); a missing file has no scripts."""
    from launchready_tui.core.safe_read import read_regular

    try:
        data = json.loads(read_regular(repo / "package.json", MAX_PACKAGE_JSON).decode("utf-8"))
    except FileNotFoundError:
        return {}, ""
    except OSError as e:
        return {}, getattr(e, "reason", "") or e.strerror or "cannot be read"
    except RecursionError:
        return {}, "is nested too deeply to read"
    except ValueError:  # JSON syntax, or not UTF-8
        return {}, "is not valid JSON"
    if not isinstance(data, dict):
        return {}, "is not a JSON object"
    scripts = data.get("scripts")
    if scripts is None:
        return {}, ""
    if not isinstance(scripts, dict):
        return {}, "has a `scripts` entry that is not an object"
    return scripts, ""


def _finding(fid: str, severity: str, title: str, why: str, fix: str, file: str = "", line: int = 0) -> Finding:
    return Finding(severity, fid, title, why, fix, file, line)


def _last_drill(state: dict[str, Any] | None) -> dict[str, Any] | None:
    best = None
    for r in ((state or {}).get("results") or {}).values():
        if not isinstance(r, dict) or r.get("check") != "command":
            continue
        ev = r.get("evidence") or {}
        if not (ev.get("rollback") or ev.get("budget_min") or r.get("target") == "deploy.rollback"):
            continue
        if ev.get("needs_confirmation") or r.get("status") == "skip":
            continue
        if best is None or str(r.get("started_at", "")) > str(best.get("started_at", "")):
            best = r
    return best


def rollback_findings(repo: Path, profile: Profile, state: dict[str, Any] | None) -> list[Finding]:
    out: list[Finding] = []
    command = str(profile.get("deploy.rollback") or "").strip()
    budget = float(profile.get("deploy.rollback_budget_min") or DEFAULT_BUDGET_MIN)
    if not command:
        return [_finding(
            "no-rollback", "fail", "there is no rollback command",
            "When a deploy breaks production, the fastest fix is putting back the last good release. "
            "Without a written command, that takes guesswork under pressure.",
            "Write the command that puts back the previous release under `deploy.rollback` in "
            "launchready.yaml (for example `vercel rollback`, `heroku rollback`, or `./scripts/rollback.sh` "
            "kept in the repository), then run stage 2's rollback drill.")]
    script, npm_script = _script_of(command)
    host = next((label for rx, label in HOST_ROLLBACKS if rx.search(command)), None)
    if script:
        p = repo / script
        if not p.is_file():
            out.append(_finding(
                "rollback-script-missing", "fail", f"the rollback script {script} is not in the repository",
                "The rollback command points at a file that is not there, so it fails exactly when it is needed.",
                f"Add {script} to the repository (next to the app, reviewed like code), or change "
                "`deploy.rollback` in launchready.yaml to the host's own rollback command.", script, 0))
    elif npm_script:
        scripts, unreadable = _package_scripts(repo)
        if unreadable:
            out.append(_finding(
                "package-json-unreadable", "fail", f"package.json {unreadable}",
                "The rollback runs an npm script, and npm cannot run scripts from a package.json it cannot read, "
                "so the rollback fails exactly when it is needed.",
                "Fix package.json (a JSON object with a `scripts` object), then run the check again.",
                "package.json", 1))
        elif npm_script not in scripts:
            out.append(_finding(
                "rollback-script-missing", "fail", f"package.json has no `{npm_script}` script",
                "The rollback command runs a script that does not exist, so it fails exactly when it is needed.",
                f"Add a `{npm_script}` entry under `scripts` in package.json, or change `deploy.rollback`.",
                "package.json", 1))
    elif not host:
        out.append(_finding(
            "rollback-not-kept", "warn", "the rollback is a one-off command, not a script in the repository",
            "A command that lives only in a profile is easy to lose and nobody reviews it. Kept as a script "
            "next to the app, it changes with the app.",
            "Move the rollback into a script in the repository (for example scripts/rollback.sh) and set "
            "`deploy.rollback: ./scripts/rollback.sh`, or use your host's own rollback command "
            "(Vercel: `vercel rollback`; Heroku: `heroku rollback`; Fly.io: `fly deploy --image` of the "
            "previous release).", "launchready.yaml", profile.line_of("deploy.rollback") or 0))
    drill = _last_drill(state)
    if drill is None:
        out.append(_finding(
            "rollback-never-drilled", "warn", "the rollback has never been timed",
            f"A rollback nobody has tried may not work, or may take longer than the {budget:g}-minute budget.",
            "Run the drill: Run… in stage 2's step \"Write the rollback note, then time it\" (or "
            "`launchready check --runbook deploy-path --step rollback --yes`), on staging first if you can."))
    else:
        took_s = float((drill.get("evidence") or {}).get("duration_s") or (drill.get("duration_ms") or 0) / 1000)
        if took_s > budget * 60:
            out.append(_finding(
                "rollback-over-budget", "fail",
                f"the last rollback drill took {took_s / 60:.1f} minutes, over the {budget:g}-minute budget",
                "Every minute of a slow rollback is a minute customers see the broken release.",
                "Use the host's instant rollback (Vercel: Instant Rollback; Netlify: Publish deploy; Heroku: "
                "`heroku rollback`) instead of a rebuild, then drill again."))
        elif drill.get("status") in ("fail", "error"):
            out.append(_finding(
                "rollback-drill-failed", "fail", "the last rollback drill did not succeed",
                "A rollback that fails leaves the broken release live.",
                "Open stage 2's step \"Write the rollback note, then time it\", read what the drill printed "
                "under Run…, fix the command and drill again."))
    return out
