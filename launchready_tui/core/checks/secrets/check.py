"""The `secrets` check: keys and passwords in code, built bundles and logs.

Why it exists: this is the part the registry runs. It turns the profile into scan roots
(one target per area), feeds the server env files' secret values to the scanner as
needles, applies `.launchready/allow.yaml`, and turns the scan report into one result
whose fix says where to rotate the key. A finding names the file, line, rule and a
fingerprint (first 4 characters plus a short hash) - never the value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from launchready_tui.core.checks.base import Kind
from launchready_tui.core.checks.secrets.classify import looks_secret
from launchready_tui.core.checks.secrets.rules import Rule, load_rules
from launchready_tui.core.checks.secrets.scan import (
    _NEEDLE_TEXT,
    DEFAULT_MAX_FILE_MB,
    DEFAULT_MAX_FILES,
    DEFAULT_MAX_SECONDS,
    Finding,
    Needle,
    Scanner,
    ScanReport,
)
from launchready_tui.core.registry import MissingInput
from launchready_tui.core.results import CheckResult, errored, failed, passed, warned

if TYPE_CHECKING:
    import datetime as dt

    from launchready_tui.core.allowlist import Allowlist
    from launchready_tui.core.context import CheckContext
    from launchready_tui.core.profile import Profile

Params = Mapping[str, Any]

__all__ = ["AREAS", "KIND", "MAX_FINDINGS_SHOWN", "check", "deadline", "evaluate", "run_scan", "targets"]

KIND = "secrets"
AREAS = ("code", "bundles", "logs")
MAX_FINDINGS_SHOWN = 200


def _areas(profile: Profile, params: Params) -> list[str]:
    wanted = params.get("areas") or params.get("area") or list(AREAS)
    if isinstance(wanted, str):
        wanted = [wanted]
    return [a for a in AREAS if a in wanted]


def _roots(profile: Profile, params: Params, area: str) -> list[str]:
    key = {"code": "paths", "bundles": "bundles", "logs": "logs"}[area]
    vals = params.get(key)
    if vals is None:
        vals = profile.get(f"code.{key}") or []
    if isinstance(vals, str):
        vals = [vals]
    return [str(v) for v in vals]


def targets(profile: Profile, params: Params) -> list[str]:
    """One result per configured area: code, bundles, logs."""
    out = [a for a in _areas(profile, params) if _roots(profile, params, a)]
    if not out:
        raise MissingInput("code.paths", "and/or code.bundles, code.logs")
    return out


def deadline(params: Params, timeout_s: float) -> float:
    return float(params.get("max_seconds", DEFAULT_MAX_SECONDS)) + 15.0


def _needles(profile: Profile, area: str) -> tuple[list[Needle], list[str]]:
    """Values of required env vars from non-public environments (never the values' text
    in output - only the names and where they came from)."""
    from launchready_tui.core.checks import env as envmod

    found: dict[str, list[str]] = {}
    notes: list[str] = []
    required = [str(n) for n in profile.get("required_env") or []]
    if not required:
        return [], notes
    rules = load_rules()
    for name, conf in envmod.environments(profile).items():
        if conf.get("public"):
            continue
        try:
            env = envmod.load_environment(profile, name, conf)
        except envmod.EnvReadError as e:
            notes.append(f"{name}: {e.reason}")
            continue
        for var in required:
            val = (env.values.get(var) or "").strip()
            if len(val) >= 8 and looks_secret(var, val, rules):
                label = f"{var} from {env.where}"
                if label not in found.setdefault(val, []):
                    found[val].append(label)
    return [Needle(", ".join(labels), val) for val, labels in found.items()], notes


def _scanner_for(profile: Profile, params: Params, area: str, needles: list[Needle]) -> Scanner:
    mb = params.get("max_file_mb", profile.get("code.max_file_mb", DEFAULT_MAX_FILE_MB))
    skip = list(profile.get("code.skip") or []) + list(params.get("skip") or [])
    exclude: dict[Path, str] = {}
    if area == "code":
        for other in ("bundles", "logs"):
            for p in _roots(profile, params, other):
                exclude[profile.resolve_path(p)] = "scanned_separately"
    from launchready_tui.core.checks import env as envmod

    for _name, conf in envmod.environments(profile).items():
        if conf.get("env_file"):
            exclude[profile.resolve_path(str(conf["env_file"]))] = "env_file_checked_by_env"
    return Scanner(
        max_file_bytes=int(float(mb) * 1024 * 1024),
        skip=skip,
        exclude=exclude,
        needles=needles,
        max_seconds=float(params.get("max_seconds", DEFAULT_MAX_SECONDS)),
        max_files=int(params.get("max_files", DEFAULT_MAX_FILES)),
        base=profile.dir,
    )


def run_scan(profile: Profile, params: Params, area: str) -> tuple[ScanReport, list[str]]:
    needles, notes = _needles(profile, area)
    scanner = _scanner_for(profile, params, area, needles)
    roots = [profile.resolve_path(p) for p in _roots(profile, params, area)]
    return scanner.scan(roots, area), notes


async def check(ctx: CheckContext, target: str, params: Params) -> CheckResult:
    from launchready_tui.core import allowlist as al

    profile = ctx.profile
    area = target
    import asyncio  # here, not at import: the env check imports this package on start-up

    report, notes = await asyncio.to_thread(run_scan, profile, params, area)
    allow = al.load_allowlist(profile.state_dir / al.ALLOW_FILENAME)
    today = ctx.clock().date()
    return evaluate(report, area, allow=allow, today=today, env_notes=notes)


def evaluate(
    report: ScanReport,
    area: str,
    *,
    allow: Allowlist | None = None,
    today: dt.date | None = None,
    env_notes: Iterable[str] = (),
) -> CheckResult:
    """Turn a scan report into a result (pure: no I/O)."""
    import datetime as dt

    from launchready_tui.core import allowlist as al

    allow = allow or al.Allowlist()
    today = today or dt.date.today()
    shown: list[Finding] = []
    hidden: list[dict[str, Any]] = []
    for f in report.findings:
        entry, expired = allow.match(fingerprint=f.fingerprint, today=today)
        if entry is not None and not expired:
            hidden.append({**f.to_dict(), "allowed_because": entry.reason, "allowed_until": entry.expires_text})
            continue
        if entry is not None and expired:
            f.note = f"allowlist entry expired on {entry.expires_text}"
        shown.append(f)
    skipped = dict(sorted(report.skipped.items()))
    ev: dict[str, Any] = {
        "area": area,
        "files_scanned": report.scanned,
        "bytes_scanned": report.bytes_scanned,
        "files_skipped": sum(report.skipped.values()),
        "skipped_by_reason": skipped,
        "skipped_examples": {k: v for k, v in sorted(report.skipped_examples.items())},
        "findings_total": len(shown),
        "findings": [f.to_dict() for f in shown[:MAX_FINDINGS_SHOWN]],
        "seconds": round(report.seconds, 3),
    }
    if hidden:
        ev["allowlisted"] = hidden[:MAX_FINDINGS_SHOWN]
    if allow.problems:
        ev["allowlist_problems"] = [p.format() for p in allow.problems]
    if report.missing_roots:
        ev["missing_paths"] = report.missing_roots
    if report.stopped:
        ev["stopped_early"] = report.stopped
    if env_notes:
        ev["env_files_not_read"] = list(env_notes)
    where = {"code": "code", "bundles": "built bundles", "logs": "logs"}[area]
    counts = f"{report.scanned} file(s) scanned, {ev['files_skipped']} skipped"
    if skipped:
        counts += " (" + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in skipped.items()) + ")"

    if report.scanned == 0 and report.missing_roots and not report.skipped:
        return errored(
            KIND,
            area,
            f"none of the {where} paths exist: {', '.join(report.missing_roots)}",
            fix=(
                "Build the site first if these are build outputs, or correct the paths under "
                "`code` in launchready.yaml, then run the check again."
            ),
            why="A scan that reads nothing cannot tell you whether secrets are exposed.",
            evidence=ev,
        )
    fails = [f for f in shown if f.severity == "fail"]
    warns = [f for f in shown if f.severity != "fail"]
    if fails:
        first = fails[0]
        rule = _rule_or_none(first.rule)
        why, fix = _texts(first, rule, area)
        return failed(
            KIND,
            area,
            f"{len(fails)} secret(s) found in {where}, e.g. {first.title} at {first.location()} "
            f"(fingerprint {first.fingerprint}); {counts}",
            why=why,
            fix=fix + " " + _ALLOW_HINT,
            evidence=ev,
        )
    if report.scanned == 0:
        return warned(
            KIND,
            area,
            f"Read nothing in {where}: {counts}",
            why="A scan that reads nothing cannot tell you whether secrets are exposed.",
            fix="Check the paths under `code` in launchready.yaml, raise `code.max_file_mb` if "
            "files were too large, and make the files readable, then run the check again.",
            evidence=ev,
        )
    gaps = []
    if report.stopped:
        gaps.append(f"the scan stopped early ({report.stopped})")
    if report.missing_roots:
        gaps.append("missing path(s): " + ", ".join(report.missing_roots))
    if area in ("bundles", "logs"):
        for reason in ("too_large", "unreadable", "not_utf8"):
            if report.skipped.get(reason):
                gaps.append(f"{report.skipped[reason]} {reason.replace('_', ' ')} file(s) not read")
    if allow.problems:
        gaps.append("allowlist problems: " + "; ".join(p.message for p in allow.problems[:3]))
    if warns:
        first = warns[0]
        rule = _rule_or_none(first.rule)
        why, fix = _texts(first, rule, area)
        return warned(
            KIND,
            area,
            f"{len(warns)} possible secret(s) to review in {where}, e.g. {first.title} at "
            f"{first.location()} (fingerprint {first.fingerprint}); {counts}",
            why=why,
            fix=fix + " " + _ALLOW_HINT,
            evidence=ev,
        )
    if gaps:
        return warned(
            KIND,
            area,
            f"No secrets found in what was read, but {'; '.join(gaps)}; {counts}",
            why="Parts that were not read may still hold secrets.",
            fix="Raise `code.max_file_mb` or set `max_seconds` for this check, fix file "
            "permissions and paths, and fix `.launchready/allow.yaml` if it has problems.",
            evidence=ev,
        )
    return passed(KIND, area, f"No secrets found in {where}: {counts}", evidence=ev)


_ALLOW_HINT = (
    "If a finding is a false alarm, add its fingerprint to .launchready/allow.yaml with a "
    "reason and an expiry date."
)


def _rule_or_none(rule_id: str) -> Rule | None:
    try:
        return load_rules().by_id(rule_id)
    except KeyError:
        return None


def _texts(f: Finding, rule: Rule | None, area: str) -> tuple[str, str]:
    if f.rule == "env-value":
        _, why, fix = _NEEDLE_TEXT.get(area, _NEEDLE_TEXT["code"])
        return why, fix
    if rule is None:  # pragma: no cover - defensive
        return "A secret in a file can be copied by anyone who reads it.", "Remove and rotate it."
    why = rule.why
    if area == "bundles" and rule.id != "public-env-secret":
        why = "This file is sent to every visitor's browser. " + why
    elif area == "logs":
        why = "Everyone with access to the logs can copy it. " + why
    return why, rule.fix


class SecretsEvidence(TypedDict, total=False):
    """What `check` puts in a result's evidence (the handover reads these keys)."""

    files_scanned: int
    files_skipped: int
    findings_total: int
    findings: list[dict[str, Any]]
    missing_paths: list[str]


CHECK_KIND = Kind(
    name="secrets",
    family="secrets",
    title="Secrets",
    plain="no keys in your code, built files or logs",
    about="no keys in code, bundles or logs",
    check=check,
    targets=targets,
    deadline_fn=deadline,
    schema={"code": {"paths": ("list", "str"), "bundles": ("list", "str"), "logs": ("list", "str"), "skip": ("list", "str"), "max_file_mb": "num"}},
    evidence=SecretsEvidence,
    shown=("files_scanned", "files_skipped", "findings_total", "findings", "missing_paths"),
)
