"""One finding type and one severity order for every kind, and the one function that turns
a list of findings into a result.

A finding is one thing a check saw: how bad (`severity`), a stable `code`, the `message`
in plain words, why it matters and how to fix it, and where (`url`) when a kind checks
several addresses at once. Its `to_dict()` is what the evidence keeps (the why and fix
go into the result, not into every finding).

Severities are result statuses plus `info`/`note` (worth saying, never a problem). The
order is the results' own (core/results.py `SEVERITY`): fail, then error (could not
check), then warn, then info, note and pass.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
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
    severity: str  # fail | error | warn | info
    code: str
    message: str
    why: str = ""
    fix: str = ""
    url: str = ""  # which address, for kinds that look at several

    def to_dict(self) -> dict[str, str]:
        d = {"severity": self.severity, "code": self.code}
        if self.url:
            d["url"] = self.url
        d["message"] = self.message
        return d


def worst(findings: Iterable[Finding]) -> tuple[int, list[Finding]]:
    """The worst rank and the findings that have it (in their order)."""
    fs = list(findings)
    top = max((rank(f.severity) for f in fs), default=0)
    return top, [f for f in fs if rank(f.severity) == top]


def joined(findings: Sequence[Finding], field: str) -> str:
    """The findings' whys (or fixes), each once, one per line."""
    return "\n".join(dict.fromkeys(getattr(f, field) for f in findings if getattr(f, field)))


def findings_result(kind: str, target: str, findings: Sequence[Finding], evidence: dict[str, Any], *,
                    ok: str | Callable[[], str], summary: Callable[[list[Finding], list[Finding]], str] | None = None,
                    fix: Callable[[list[Finding]], str] | None = None,
                    error_fix: str = "") -> CheckResult:
    """The result for a kind's findings: `pass` with `ok` (text, or a function that words
    it, called only then) when nothing ranks above info,
    else the worst severity's status, summarised by `summary(top, all)` (default: the
    first worst finding's message), with the worst findings' whys and fixes. The evidence
    gets the findings (`to_dict()`) under "findings"."""
    from launchready_tui.core.results import errored, failed, passed, warned

    evidence["findings"] = [f.to_dict() for f in findings]
    top_rank, top = worst(findings)
    if top_rank <= RANK["info"]:
        return passed(kind, target, ok() if callable(ok) else ok, evidence=evidence)
    text = summary(top, list(findings)) if summary else top[0].message
    if top_rank == RANK["error"]:
        return errored(kind, target, text, evidence=evidence, fix=error_fix)
    make = failed if top_rank == RANK["fail"] else warned
    return make(kind, target, text, evidence=evidence, why=joined(top, "why"),
                fix=fix(top) if fix else joined(top, "fix"))
