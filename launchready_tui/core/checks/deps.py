"""`deps`: known vulnerabilities in the code's dependencies, by severity.

For each `code.paths` entry, the project folders in it (the path itself and folders up to
two levels down, skipping node_modules and virtualenvs) are audited with the tool their
ecosystem already has:

* Python (requirements*.txt, else pyproject.toml, else pylock.toml): `pip-audit`;
* JavaScript (package-lock.json): `npm audit --json`.

Only tools that are installed run; otherwise the result says how to install them. Counts
are by severity. npm reports one; pip-audit does not (pypa/pip-audit#207), so its
findings count as "unknown". Critical or high is `fail`, anything else `warn`.

Accepted findings live in `.launchready/allow.yaml` (core/allowlist.py) as `id:` entries
with a reason and an expiry date; an expired entry stops hiding its finding.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from launchready_tui.core.checks.base import Kind
from launchready_tui.core.registry import MissingInput
from launchready_tui.core.results import CheckResult, errored, failed, passed, skipped, warned

if TYPE_CHECKING:
    import contextlib

    from launchready_tui.core.allowlist import AllowEntry, Allowlist
    from launchready_tui.core.context import CheckContext
    from launchready_tui.core.profile import Profile

KIND = "deps"
TOOL_TIMEOUT_S = 300.0
MAX_PROJECTS = 10
MAX_OUTPUT = 20 * 1024 * 1024
MAX_LISTED = 50
SEVERITIES = ("critical", "high", "moderate", "low", "unknown")
SKIP_DIRS = {"node_modules", ".git", ".venv", "venv", "env", "__pycache__", "site-packages",
             "dist", "build", ".tox", ".nox", ".launchready", ".next", ".cache"}
PY_LOCKS_UNSUPPORTED = ("poetry.lock", "Pipfile.lock", "uv.lock")
INSTALL = {
    "pip-audit": "install it with `pipx install pip-audit` (or `python -m pip install pip-audit`)",
    "npm": "install Node.js, which includes npm (https://nodejs.org, or your package manager)",
}
_GHSA = re.compile(r"GHSA(-[23456789cfghjmpqrvwx]{4}){3}", re.I)


@dataclass
class Vuln:
    package: str
    version: str
    id: str
    severity: str
    aliases: list[str] = field(default_factory=list)
    fix: str = ""
    title: str = ""

    def ids(self) -> list[str]:
        return [self.id, *self.aliases]

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"package": self.package, "version": self.version, "id": self.id, "severity": self.severity}
        if self.aliases:
            d["aliases"] = self.aliases
        if self.fix:
            d["fix"] = self.fix
        if self.title:
            d["title"] = self.title[:200]
        return d


@dataclass
class Project:
    ecosystem: str  # python | npm
    dir: Path
    files: list[str]
    mode: str = ""  # python: requirements | project | pylock | unsupported-lock


# ---------------------------------------------------------------------------- discovery


def find_projects(root: Path, max_depth: int = 2) -> list[Project]:
    out: list[Project] = []

    def visit(d: Path, depth: int) -> None:
        if len(out) >= MAX_PROJECTS:
            return
        try:
            names = {p.name: p for p in d.iterdir()}
        except OSError:
            return
        reqs = sorted(n for n in names if re.fullmatch(r"requirements([-_.][\w.-]*)?\.txt", n)
                      and names[n].is_file())
        if reqs:
            out.append(Project("python", d, reqs, "requirements"))
        elif "pyproject.toml" in names:
            out.append(Project("python", d, ["pyproject.toml"], "project"))
        elif any(n == "pylock.toml" or re.fullmatch(r"pylock\.[\w-]+\.toml", n) for n in names):
            out.append(Project("python", d, sorted(n for n in names if n.startswith("pylock")), "pylock"))
        elif any(n in names for n in PY_LOCKS_UNSUPPORTED):
            out.append(Project("python", d, [n for n in PY_LOCKS_UNSUPPORTED if n in names], "unsupported-lock"))
        if "package-lock.json" in names:
            out.append(Project("npm", d, ["package-lock.json"]))
        if depth < max_depth:
            for name in sorted(names):
                p = names[name]
                if name in SKIP_DIRS or name.startswith(".") or not p.is_dir() or p.is_symlink():
                    continue
                visit(p, depth + 1)

    if root.is_file():
        root = root.parent
    visit(root, 0)
    return out[:MAX_PROJECTS]


# ---------------------------------------------------------------------------- parsing


def parse_pip_audit(data: Any) -> tuple[list[Vuln], int]:
    """pip-audit --format json -> (vulnerabilities, dependencies skipped)."""
    deps = data.get("dependencies", []) if isinstance(data, dict) else data if isinstance(data, list) else []
    vulns: list[Vuln] = []
    skipped_n = 0
    for dep in deps:
        if not isinstance(dep, dict):
            continue
        if dep.get("skip_reason"):
            skipped_n += 1
            continue
        for v in dep.get("vulns") or []:
            sev = v.get("severity")
            if isinstance(sev, dict):
                sev = sev.get("level") or sev.get("severity")
            fixes = [str(x) for x in v.get("fix_versions") or []]
            vulns.append(Vuln(
                package=str(dep.get("name", "?")), version=str(dep.get("version", "")),
                id=str(v.get("id", "?")), severity=_norm_sev(sev),
                aliases=[str(a) for a in v.get("aliases") or []],
                fix=f"upgrade to {fixes[0]}" if fixes else "no fixed version yet",
            ))
    return vulns, skipped_n


def parse_npm_audit(data: Any) -> list[Vuln]:
    """npm audit --json (report version 2, npm 7+; or the npm 6 `advisories` form)."""
    if not isinstance(data, dict):
        return []
    out: list[Vuln] = []
    seen: set[str] = set()
    if isinstance(data.get("vulnerabilities"), dict):
        for name, pkg in data["vulnerabilities"].items():
            fix = pkg.get("fixAvailable")
            fix_text = ("`npm audit fix`" if fix is True else
                        f"upgrade {fix.get('name')} to {fix.get('version')}" if isinstance(fix, dict) else
                        "no fix available yet")
            for via in pkg.get("via") or []:
                if not isinstance(via, dict):
                    continue  # a package that is only vulnerable through another one
                url = str(via.get("url") or "")
                m = _GHSA.search(url)
                vid = m.group(0) if m else str(via.get("source") or url or name)
                key = f"{vid}|{via.get('name', name)}"
                if key in seen:
                    continue
                seen.add(key)
                aliases = [str(via["source"])] if via.get("source") is not None and m else []
                out.append(Vuln(package=str(via.get("name") or name), version=str(via.get("range") or ""),
                                id=_ghsa_case(vid), severity=_norm_sev(via.get("severity") or pkg.get("severity")),
                                aliases=aliases, fix=fix_text, title=str(via.get("title") or "")))
    elif isinstance(data.get("advisories"), dict):
        for adv_id, adv in data["advisories"].items():
            ghsa = adv.get("github_advisory_id") or ""
            out.append(Vuln(package=str(adv.get("module_name", "?")), version=str(adv.get("vulnerable_versions", "")),
                            id=_ghsa_case(ghsa) if ghsa else str(adv_id), severity=_norm_sev(adv.get("severity")),
                            aliases=[str(adv_id)] if ghsa else [],
                            fix=f"upgrade to {adv.get('patched_versions')}" if adv.get("patched_versions") else "",
                            title=str(adv.get("title") or "")))
    return out


def _ghsa_case(vid: str) -> str:
    return "GHSA" + vid[4:].lower() if vid.upper().startswith("GHSA") else vid


def _norm_sev(sev: Any) -> str:
    s = str(sev or "").strip().lower()
    if s in ("critical", "high", "low"):
        return s
    if s in ("moderate", "medium"):
        return "moderate"
    return "unknown"


def count_by_severity(vulns: list[Vuln]) -> dict[str, int]:
    counts = dict.fromkeys(SEVERITIES, 0)
    for v in vulns:
        counts[v.severity] = counts.get(v.severity, 0) + 1
    return counts


# ---------------------------------------------------------------------------- running tools


class ToolFailed(Exception):
    pass


async def _run(argv: list[str], cwd: Path, timeout_s: float) -> tuple[int, bytes, str]:
    proc = await asyncio.create_subprocess_exec(
        *argv, cwd=str(cwd), stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "NO_COLOR": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
        start_new_session=True,
    )
    try:
        async with asyncio.timeout(timeout_s):
            out, err = await proc.communicate()
    except TimeoutError:
        with _suppress():
            os.killpg(proc.pid, 9)
        await proc.wait()
        raise ToolFailed(f"{Path(argv[0]).name} did not finish within {timeout_s:g} s") from None
    except asyncio.CancelledError:
        with _suppress():
            os.killpg(proc.pid, 9)
        raise
    return proc.returncode or 0, out[:MAX_OUTPUT], err.decode("utf-8", "replace")[-2000:]


def _suppress() -> contextlib.suppress:
    import contextlib

    return contextlib.suppress(ProcessLookupError, PermissionError)


def _json_of(out: bytes, err: str, tool: str) -> Any:
    text = out.decode("utf-8", "replace").strip()
    start = min([i for i in (text.find("{"), text.find("[")) if i >= 0], default=-1)
    if start < 0:
        last = err.strip().splitlines()[-1] if err.strip() else "no output"
        raise ToolFailed(f"{tool} gave no JSON report ({last[:300]})")
    try:
        return json.loads(text[start:])
    except json.JSONDecodeError as e:
        raise ToolFailed(f"{tool} gave a report that is not valid JSON ({e.msg})") from None


async def audit_python(p: Project, exe: str, timeout_s: float) -> tuple[list[Vuln], int]:
    base = [exe, "--format", "json", "--progress-spinner", "off"]
    if p.mode == "requirements":
        argv = base + [a for f in p.files for a in ("-r", f)]
    elif p.mode == "pylock":
        argv = base + ["--locked", "."]
    else:
        argv = base + ["."]
    code, out, err = await _run(argv, p.dir, timeout_s)
    data = _json_of(out, err, "pip-audit")
    if code not in (0, 1) and not (isinstance(data, dict) and "dependencies" in data):
        raise ToolFailed(f"pip-audit failed (exit {code}): {err.strip().splitlines()[-1][:300] if err.strip() else ''}")
    return parse_pip_audit(data)


async def audit_npm(p: Project, exe: str, timeout_s: float) -> list[Vuln]:
    code, out, err = await _run([exe, "audit", "--json"], p.dir, timeout_s)
    data = _json_of(out, err, "npm audit")
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        e = data["error"]
        raise ToolFailed(f"npm audit failed: {e.get('summary') or e.get('code')}"[:400])
    return parse_npm_audit(data)


# ---------------------------------------------------------------------------- the check


def targets(profile: Profile, params: dict[str, Any]) -> list[str]:
    paths = params.get("paths") or profile.get("code.paths") or []
    if not paths:
        raise MissingInput("code.paths", "the folders with your app's code")
    return [str(p) for p in paths]


def deadline(params: dict[str, Any], timeout_s: float) -> float:
    return TOOL_TIMEOUT_S * 2 + 30


async def check(ctx: CheckContext, target: str, params: dict[str, Any]) -> CheckResult:
    root = ctx.profile.resolve_path(target)
    if not root.exists():
        return errored(KIND, target, f"the code path {root} does not exist",
                       fix="Fix `code.paths` in launchready.yaml so it points at your code.")
    projects = find_projects(root)
    if not projects:
        return skipped(KIND, target, f"no Python requirements, pyproject.toml or package-lock.json in {target}",
                       evidence={"path": str(root)})
    timeout = float(params.get("timeout_s") or TOOL_TIMEOUT_S)
    today = ctx.clock().date()
    allow, allow_problems = _load_allowlist(ctx)

    audited: list[dict[str, Any]] = []
    not_run: list[dict[str, str]] = []
    failures: list[str] = []
    vulns: list[Vuln] = []
    deps_skipped = 0
    for p in projects:
        rel = _rel(p.dir, ctx.profile.dir)
        if p.ecosystem == "python" and p.mode == "unsupported-lock":
            not_run.append({"dir": rel, "files": ", ".join(p.files), "why": (
                "pip-audit cannot read this lock file; export it to requirements.txt "
                "(`poetry export -f requirements.txt -o requirements.txt` or "
                "`uv export --format requirements-txt > requirements.txt`)")})
            continue
        tool = "pip-audit" if p.ecosystem == "python" else "npm"
        exe = shutil.which(tool)
        if exe is None:
            not_run.append({"dir": rel, "files": ", ".join(p.files),
                            "why": f"{tool} is not installed: {INSTALL[tool]}"})
            continue
        try:
            if p.ecosystem == "python":
                found, n_skip = await audit_python(p, exe, timeout)
                deps_skipped += n_skip
            else:
                found = await audit_npm(p, exe, timeout)
        except (ToolFailed, OSError) as e:
            failures.append(f"{rel}: {e}")
            continue
        vulns.extend(found)
        audited.append({"dir": rel, "tool": "pip-audit" if tool == "pip-audit" else "npm audit",
                        "files": p.files, "vulnerabilities": len(found)})

    # Accepted findings (allowlist): hide live ones, report expired ones.
    shown: list[Vuln] = []
    ignored: list[dict[str, Any]] = []
    expired: list[dict[str, Any]] = []
    for v in vulns:
        entry, is_expired = _match(allow, v, today)
        if entry is not None and not is_expired:
            ignored.append({**v.to_dict(), "reason": entry.reason, "expires": entry.expires_text})
        else:
            if entry is not None:
                expired.append({**v.to_dict(), "reason": entry.reason, "expired_on": entry.expires_text})
            shown.append(v)

    counts = count_by_severity(shown)
    ev: dict[str, Any] = {
        "path": str(root),
        "audited": audited,
        "counts": counts,
        "vulnerabilities": [v.to_dict() for v in _worst_first(shown)[:MAX_LISTED]],
    }
    if len(shown) > MAX_LISTED:
        ev["more"] = len(shown) - MAX_LISTED
    if not_run:
        ev["not_audited"] = not_run
    if failures:
        ev["failures"] = failures
    if ignored:
        ev["ignored"] = ignored
    if expired:
        ev["expired_ignores"] = expired
    if allow_problems:
        ev["allowlist_problems"] = allow_problems
    if deps_skipped:
        ev["dependencies_skipped"] = deps_skipped
    if counts["unknown"]:
        ev["severity_note"] = ("pip-audit does not report severity; look each id up (for "
                               "example on osv.dev) to see how serious it is")

    notes = []
    if ignored:
        notes.append(f"{len(ignored)} accepted in allow.yaml")
    if expired:
        notes.append(f"{len(expired)} whose acceptance expired")
    if not_run:
        notes.append("not audited: " + "; ".join(f"{n['dir']} ({n['why']})" for n in not_run))
    if allow_problems:
        notes.append(f"allow.yaml has {len(allow_problems)} problem(s)")
    tail = (". " + ". ".join(notes)) if notes else ""

    if failures and not audited:
        return errored(KIND, target, "the audit did not run: " + "; ".join(failures), evidence=ev,
                       fix="The audit tools need internet access to their vulnerability databases. "
                       "Check your connection and run the check again; run the tool by hand in "
                       "that folder to see its full message.")
    if not audited:
        return skipped(KIND, target, "no audit tool could run: " + "; ".join(
            f"{n['dir']}: {n['why']}" for n in not_run), evidence=ev)

    summary_counts = ", ".join(f"{counts[s]} {s}" for s in SEVERITIES if counts[s])
    fix = ("Upgrade the packages listed in the evidence to their fixed versions (Python: raise "
           "the version in requirements.txt or pyproject.toml; JavaScript: `npm audit fix`, or "
           "`npm install PACKAGE@VERSION`), run your tests, and deploy. If a finding does not "
           "affect you, accept it in .launchready/allow.yaml with `id:`, a `reason` and an "
           "`expires` date.")
    if failures:
        return errored(KIND, target, "part of the audit did not run: " + "; ".join(failures)
                       + (f" (the rest found {summary_counts})" if shown else ""), evidence=ev,
                       fix="Run the failing tool by hand in that folder to see its full message "
                       "(often no internet access), then run the check again.")
    if counts["critical"] or counts["high"]:
        return failed(KIND, target, f"{len(shown)} known vulnerabilities in dependencies "
                      f"({summary_counts}){tail}", evidence=ev, fix=fix,
                      why="Attackers scan for apps using these exact package versions; critical and "
                      "high ones are often exploitable without signing in.")
    if shown:
        return warned(KIND, target, f"{len(shown)} known vulnerabilities in dependencies "
                      f"({summary_counts}){tail}", evidence=ev, fix=fix,
                      why="Known holes in the code you ship; not the most serious kind, but they "
                      "pile up and some become serious.")
    if not_run:
        return warned(KIND, target, f"no known vulnerabilities in what was audited{tail}", evidence=ev,
                      fix="Install the missing tool named above, then run the check again.",
                      why="Part of your code's dependencies was not checked.")
    return passed(KIND, target, "no known vulnerabilities in dependencies ("
                  + ", ".join(a["tool"] + " in " + a["dir"] for a in audited) + f"){tail}",
                  evidence=ev, why="None of the packages you ship has a published vulnerability.")


def _load_allowlist(ctx: CheckContext) -> tuple[Allowlist, list[str]]:
    from launchready_tui.core.allowlist import ALLOW_FILENAME, load_allowlist

    al = load_allowlist(ctx.profile.state_dir / ALLOW_FILENAME)
    problems = [p.format() if hasattr(p, "format") else str(p) for p in al.problems]
    return al, problems


def _match(allow: Allowlist, v: Vuln, today: dt.date) -> tuple[AllowEntry | None, bool]:
    best: tuple[AllowEntry | None, bool] = (None, False)
    for vid in v.ids():
        entry, expired = allow.match(id=vid, today=today)
        if entry is not None and not expired:
            return entry, False
        if entry is not None:
            best = (entry, True)
    return best


def _worst_first(vulns: list[Vuln]) -> list[Vuln]:
    order = {s: i for i, s in enumerate(SEVERITIES)}
    return sorted(vulns, key=lambda v: (order.get(v.severity, 9), v.package))


def _rel(p: Path, base: Path) -> str:
    try:
        r = p.resolve().relative_to(base.resolve())
        return str(r) if str(r) != "." else "."
    except ValueError:
        return str(p)


CHECK_KIND = Kind(
    name="deps",
    family="ops",
    title="Dependencies",
    plain="no packages with known security holes",
    about="dependency audit",
    check=check,
    targets=targets,
    deadline_fn=deadline,
    schema={"code": {"paths": ("list", "str")}},
)
