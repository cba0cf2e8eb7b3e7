"""One finding type and one severity order for every kind, and the one function that turns
a list of findings into a result.

A finding is one thing a check saw: how bad (`severity`), a stable `code`, the `message`
in plain words, why it matters and how to fix it; where, when that helps: a `file` and
`line` (with the exact lines to `add` there), or the `url` when a kind checks several
addresses at once.

Severities are result statuses plus `info`/`note` (worth saying, never a problem). The
order is the results' own (core/results.py `SEVERITY`): fail, then error (could not
check), then warn, then info, note and pass.

What a result's evidence keeps of each finding is the kind's choice (`shape`): the short
form `to_dict()` (the web kinds), the whole finding `to_record()` (the kinds that list
every problem with its fix), or a kind's own older spelling (spf, dmarc). The spellings
stay as they were because the JSON output and the handover show them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from launchready_tui.core.results import CheckResult

# worst first; the same order as results.SEVERITY for the statuses
RANK: dict[str, int] = {"fail": 4, "error": 3, "warn": 2, "info": 1, "note": 1, "pass": 0, "skip": 0}


def rank(severity: str) -> int:
    """How bad a severity (or a status) is; unknown words count as info."""
    return RANK.get(str(severity), 1)


@dataclass
class Finding:
    severity: str  # fail | error | warn | info | note | pass
    code: str
    message: str
    why: str = ""
    fix: str = ""
    file: str = ""  # the file it sits in, with its line
    line: int = 0
    add: str = ""  # the exact lines to add there
    url: str = ""  # which address, for kinds that look at several

    # the names the deploy and account kinds (and their tests) read
    @property
    def id(self) -> str:
        return self.code

    @property
    def title(self) -> str:
        return self.message

    def to_dict(self) -> dict[str, Any]:
        """The short form: severity, code, where (url) and message."""
        d: dict[str, Any] = {"severity": self.severity, "code": self.code}
        if self.url:
            d["url"] = self.url
        d["message"] = self.message
        return d

    def to_record(self) -> dict[str, Any]:
        """The whole finding, with its why and fix, the file and line and the lines to add.
        `id` and `title` are the spellings this form has always had; `code` is the problems
        list's stable id for the finding (core/problems.py)."""
        d: dict[str, Any] = {"id": self.code, "code": self.code, "severity": self.severity, "title": self.message,
                             "why": self.why, "fix": self.fix}
        if self.file:
            d["file"], d["line"] = self.file, self.line
        if self.add:
            d["add"] = self.add
        return d


Shape = Callable[[Finding], dict[str, Any]]
Words = str | Callable[[list[Finding]], str]


def worst(findings: Iterable[Finding]) -> tuple[int, list[Finding]]:
    """The worst rank and the findings that have it (in their order)."""
    fs = list(findings)
    top = max((rank(f.severity) for f in fs), default=0)
    return top, [f for f in fs if rank(f.severity) == top]


def joined(findings: Sequence[Finding], field: str) -> str:
    """The findings' whys (or fixes), each once, one per line."""
    return "\n".join(dict.fromkeys(getattr(f, field) for f in findings if getattr(f, field)))


def _listed(findings: Sequence[Finding], what: tuple[str, str]) -> tuple[str, str, str]:
    """Summary, why and fix naming every problem (worst first): titles in the summary,
    whys joined, fixes numbered (a lone fix is not)."""
    summary = f"{len(findings)} {what[len(findings) != 1]}: " + "; ".join(f.message for f in findings[:4])
    if len(findings) > 4:
        summary += f"; and {len(findings) - 4} more"
    # one finding: its fix as it is (a lone "1." reads as a list with the rest missing, and the
    # details pane would repeat it as "All 1 findings")
    fix = "\n".join((f"{i}. " if len(findings) > 1 else "") + f.fix + (f"\n{f.add}" if f.add else "")
                    for i, f in enumerate(findings, 1))
    why = " ".join(dict.fromkeys(f.why for f in findings[:3]))
    return summary, why, fix


def findings_result(kind: str, target: str, findings: Sequence[Finding], evidence: dict[str, Any], *,
                    ok: str | Callable[[], str],
                    summary: Callable[[list[Finding], list[Finding]], str] | None = None,
                    why: Words | None = None, fix: Words | None = None,
                    error_fix: str = "", error_why: str = "",
                    what: tuple[str, str] | None = None, shape: Shape | None = None) -> CheckResult:
    """The result for a kind's findings. Nothing ranks above info: `pass` with `ok` (text,
    or a function that words it, called only then). Else the worst severity's status:

    - by default the worst findings speak: the summary is `summary(worst, all)` (default:
      the first worst finding's message), the why and fix are `why`/`fix` (text, or a
      function of the worst findings; default: their whys and fixes, each once);
    - with `what` (the finding's name, singular and plural: "wrong switch", "wrong
      switches") every problem speaks, worst first: "2 wrong switches: a; b", the whys
      joined, the fixes numbered; a pass names the notes.

    An `error` (could not check) gets `error_fix` and `error_why` (empty: the results'
    general words). The evidence is copied, with the findings under "findings" in the
    kind's `shape` (default `to_dict()`, or `to_record()` with `what`)."""
    from launchready_tui.core.results import errored, failed, passed, warned

    fs = list(findings)
    as_dict = shape or (Finding.to_record if what else Finding.to_dict)
    evidence = {**evidence, "findings": [as_dict(f) for f in fs]}
    problems = sorted((f for f in fs if rank(f.severity) > RANK["info"]), key=lambda f: -rank(f.severity))
    if not problems:
        text = ok() if callable(ok) else ok
        if what and fs:
            text += f" (notes: {'; '.join(f.message for f in fs)})"
        return passed(kind, target, text, evidence=evidence)
    top_rank, top = worst(problems)
    if what:
        text, why_text, fix_text = _listed(problems, what)
    else:
        text = summary(top, fs) if summary else top[0].message
        why_text = (why(top) if callable(why) else why) if why is not None else joined(top, "why")
        fix_text = (fix(top) if callable(fix) else fix) if fix is not None else joined(top, "fix")
    if top_rank == RANK["error"]:
        return errored(kind, target, text, evidence=evidence, fix=error_fix, why=error_why)
    make = failed if top_rank == RANK["fail"] else warned
    return make(kind, target, text, evidence=evidence, why=why_text, fix=fix_text)


def problem_findings_by_level(levels: Mapping[str, int]) -> Callable[[CheckResult], list[dict[str, Any]]]:
    """A kind's `problem_findings(result)` (core/problems.py) for evidence in the `to_record()`
    shape: one problem per warn/fail finding, its code the finding's id, its level taken from
    `levels` by the id's first part ("paused:https://..." -> "paused"); others keep the kind's."""

    def problem_findings(r: CheckResult) -> list[dict[str, Any]]:
        out = []
        for f in (r.evidence or {}).get("findings") or []:
            if not isinstance(f, dict) or f.get("severity") not in ("fail", "warn"):
                continue
            code = str(f.get("id") or f.get("code") or "finding")
            out.append({"code": code, "title": str(f.get("title") or r.summary), "status": f["severity"],
                        "level": levels.get(code.split(":", 1)[0])})
        return out

    return problem_findings
