"""Results as SARIF 2.1.0, so GitHub code scanning (and other SARIF viewers) show them.

Findings that sit in a file (a leaked key, a gap in a workflow) point at that file and
line, relative to the repository root; the rest point at `launchready.yaml`, the file
whose setting they are about. A fail is level `error`, a warning `warning`; "could not
check" is kind `open` (undecided), never a pass or a fail. Passes and skips are left out:
code scanning lists problems. Secret values never appear: a secret finding carries only
its fingerprint, which also keeps it the same alert across runs.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from launchready_tui import __version__
from launchready_tui.core.results import CheckResult, Status

if TYPE_CHECKING:  # pragma: no cover
    from launchready_tui.core.profile import Profile

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFO_URI = "https://pypi.org/project/launchready-tui/"
_LEVEL = {Status.FAIL: "error", Status.WARN: "warning"}


def _rel(path: str, profile_dir: Path, repo: Path) -> str | None:
    """The path relative to the repository, as a URI reference (percent-encoded); None when
    it lies outside the repository (an absolute path elsewhere, `..`): such a finding is
    placed on the profile instead, never on a path code scanning would resolve outside."""
    from urllib.parse import quote

    if not isinstance(path, str) or not path or "\x00" in path:
        return None
    p = Path(path)
    if not p.is_absolute():
        p = profile_dir / p
    try:
        rel = Path(os.path.relpath(os.path.normpath(p), os.path.normpath(repo))).as_posix()
    except ValueError:
        return None
    if rel == "." or rel.startswith("../") or rel == ".." or Path(rel).is_absolute():
        return None
    return quote(rel, safe="/")


def _line(v: Any) -> int:
    """A 1-based line from an int or a string of digits; 0 (no region) for anything else."""
    if isinstance(v, bool):
        return 0
    if isinstance(v, str) and v.strip().isascii() and v.strip().isdigit():
        v = int(v.strip())
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return v if isinstance(v, int) and 0 < v < 2 ** 31 else 0


def _location(uri: str, line: int) -> dict[str, Any]:
    loc: dict[str, Any] = {"physicalLocation": {"artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"}}}
    if line and line > 0:
        loc["physicalLocation"]["region"] = {"startLine": int(line)}
    return loc


def _text(v: Any) -> str:
    return v if isinstance(v, str) else ""


def _one_line(text: str, limit: int = 900) -> str:
    t = " ".join((text or "").split())
    return t if len(t) <= limit else t[: limit - 1] + "…"


def render_sarif(results: list[CheckResult], profile: Profile, *, repo: Path | None = None) -> str:
    profile_dir = Path(profile.dir)
    if repo is None:
        repo = Path(profile.resolve_path(str(profile.get("repo") or ".")))
    profile_uri = _rel(str(profile.path), profile_dir, repo) or "launchready.yaml"
    rules: dict[str, dict[str, Any]] = {}
    out: list[dict[str, Any]] = []

    def rule(rule_id: str, name: str, text: str, help_text: str, level: str) -> int:
        if rule_id not in rules:
            rules[rule_id] = {
                "id": rule_id,
                "name": "".join(w.capitalize() for w in rule_id.replace("/", "-").replace("_", "-").split("-")),
                "shortDescription": {"text": _one_line(name, 200)},
                "fullDescription": {"text": _one_line(text or name)},
                "help": {"text": _one_line(help_text or text or name, 2000)},
                "defaultConfiguration": {"level": level},
            }
        return list(rules).index(rule_id)

    for r in results:
        if r.status not in (Status.FAIL, Status.WARN, Status.ERROR):
            continue
        level = _LEVEL.get(r.status, "none")
        props = {"check": r.check, "target": r.target, "runbook": r.runbook, "step": r.step, "status": r.status.value}
        findings = (r.evidence or {}).get("findings")
        placed = False
        if isinstance(findings, list) and r.status != Status.ERROR:
            for f in findings:
                if not isinstance(f, dict) or not f.get("file"):
                    continue
                fid = _text(f.get("rule")) or _text(f.get("id")) or "finding"
                rid = f"{r.check}/{fid}"
                sev = _text(f.get("severity"))
                flevel = {"fail": "error", "warn": "warning", "note": "note"}.get(sev, level)
                title, ffix = _text(f.get("title")), _text(f.get("fix"))
                idx = rule(rid, title or fid, r.why, ffix or r.fix, flevel)
                uri = _rel(f["file"], profile_dir, repo)
                where = "" if uri else (f" (in {_one_line(f['file'], 200)}, outside the repository)"
                                        if isinstance(f["file"], str) else "")
                res: dict[str, Any] = {
                    "ruleId": rid, "ruleIndex": idx, "level": flevel,
                    "message": {"text": _one_line(f"{title or r.summary}{where}. {ffix or r.fix}")},
                    "locations": [_location(uri, _line(f.get("line"))) if uri else _location(profile_uri, 1)],
                    "properties": props,
                }
                if isinstance(f.get("fingerprint"), str) and f["fingerprint"]:
                    res["partialFingerprints"] = {"launchready/v1": f["fingerprint"]}
                out.append(res)
                placed = True
        if placed:
            continue
        idx = rule(r.check, r.check.replace("_", " "), r.why, r.fix, level if level != "none" else "note")
        res = {
            "ruleId": r.check, "ruleIndex": idx,
            "message": {"text": _one_line(f"{r.summary}. {r.fix}")},
            "locations": [_location(profile_uri, 1)],
            "partialFingerprints": {"launchready/v1": f"{r.check}:{r.target}"},
            "properties": props,
        }
        if r.status == Status.ERROR:
            res["kind"], res["level"] = "open", "none"
        else:
            res["level"] = level
        out.append(res)

    doc = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "LaunchReady", "version": __version__, "informationUri": INFO_URI,
                                "rules": list(rules.values())}},
            "results": out,
            "columnKind": "unicodeCodePoints",
        }],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
