"""One finding type for kinds that find several things at once, and the one function that
turns a list of findings into a result.

A finding is what was seen (`title`), why it matters, how to fix it, and where: a file
and line when the finding sits in one, with the exact lines to add when there are some.
The result's status is the worst finding's; its fix lists every fix, numbered, in order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from launchready_tui.core.findings import RANK

# the one severity order (core/findings.py), for the severities these findings use
SEVERITY = {k: RANK[k] for k in ("fail", "warn", "note")}


@dataclass
class Finding:
    id: str
    severity: str  # fail | warn | note
    title: str
    why: str
    fix: str
    file: str = ""
    line: int = 0
    add: str = ""  # the exact lines to add

    def to_dict(self) -> dict[str, Any]:
        # `code` is the problems list's stable id for the finding (core/problems.py).
        d = {"id": self.id, "code": self.id, "severity": self.severity, "title": self.title, "why": self.why,
             "fix": self.fix}
        if self.file:
            d["file"], d["line"] = self.file, self.line
        if self.add:
            d["add"] = self.add
        return d


def findings_result(kind: str, target: str, findings: list[Finding], evidence: dict[str, Any], *,
                    ok: str, what: tuple[str, str] = ("problem", "problems")):
    """pass (summary `ok`) when nothing worse than a note was found, else warn or fail with
    every warn/fail finding: titles in the summary, whys joined, fixes numbered (a lone fix is not). `what` is
    the finding's name in the singular and the plural ("wrong switch", "wrong switches")."""
    from launchready_tui.core.results import failed, passed, warned

    evidence = {**evidence, "findings": [f.to_dict() for f in findings]}
    bad = [f for f in findings if SEVERITY[f.severity] >= SEVERITY["warn"]]
    if not bad:
        notes = [f.title for f in findings]
        return passed(kind, target, ok + (f" (notes: {'; '.join(notes)})" if notes else ""), evidence=evidence)
    bad.sort(key=lambda f: -SEVERITY[f.severity])
    summary = f"{len(bad)} {what[len(bad) != 1]}: " + "; ".join(f.title for f in bad[:4])
    if len(bad) > 4:
        summary += f"; and {len(bad) - 4} more"
    # one finding: its fix as it is (a lone "1." reads as a list with the rest missing, and the
    # details pane would repeat it as "All 1 findings")
    fix = "\n".join((f"{i}. " if len(bad) > 1 else "") + f.fix + (f"\n{f.add}" if f.add else "")
                    for i, f in enumerate(bad, 1))
    why = " ".join(dict.fromkeys(f.why for f in bad[:3]))
    make = failed if bad[0].severity == "fail" else warned
    return make(kind, target, summary, evidence=evidence, why=why, fix=fix)


def problem_findings_by_level(levels: dict[str, int]):
    """A kind's `problem_findings(result)` (core/problems.py) for findings_result's evidence:
    one problem per warn/fail finding, its code the finding's id, its level taken from
    `levels` by the id's first part ("paused:https://..." -> "paused"); others keep the kind's."""

    def problem_findings(r) -> list[dict[str, Any]]:
        out = []
        for f in (r.evidence or {}).get("findings") or []:
            if not isinstance(f, dict) or f.get("severity") not in ("fail", "warn"):
                continue
            code = str(f.get("id") or f.get("code") or "finding")
            out.append({"code": code, "title": str(f.get("title") or r.summary), "status": f["severity"],
                        "level": levels.get(code.split(":", 1)[0])})
        return out

    return problem_findings
