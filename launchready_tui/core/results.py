"""Check results are values, not exceptions.

A check returns a `CheckResult`. "Could not check" is its own status, `error`, with the
reason in `summary` and `evidence["reason"]`; it is never a pass and never a plain fail.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from typing import Any


class Status(enum.StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    ERROR = "error"
    SKIP = "skip"


# Worst first. Used to pick the colour of a stage and the overall verdict.
SEVERITY = {Status.FAIL: 4, Status.ERROR: 3, Status.WARN: 2, Status.PASS: 1, Status.SKIP: 0}

# Status is never shown by colour alone: a symbol and a word go with it.
SYMBOL = {Status.PASS: "✓", Status.FAIL: "✗", Status.WARN: "!", Status.ERROR: "?", Status.SKIP: "–"}
LABEL = {
    Status.PASS: "pass",
    Status.FAIL: "FAIL",
    Status.WARN: "warning",
    Status.ERROR: "could not check",
    Status.SKIP: "skipped",
}


def worst(statuses: Iterable[Status | str]) -> Status | None:
    best: Status | None = None
    for s in statuses:
        s = Status(s)
        if best is None or SEVERITY[s] > SEVERITY[best]:
            best = s
    return best


@dataclass
class CheckResult:
    """The outcome of one check on one target.

    `evidence` holds what was observed (structured, JSON-safe); `why` says why it matters;
    `fix` says what to do. `fix` and `why` are always filled for warn, fail and error.
    """

    check: str
    target: str
    status: Status
    summary: str
    evidence: dict[str, Any] = field(default_factory=dict)
    fix: str = ""
    why: str = ""
    stage: int | None = None
    runbook: str = ""
    step: str = ""
    check_id: str = ""
    started_at: str = ""
    duration_ms: int = 0

    def __post_init__(self) -> None:
        self.status = Status(self.status)

    @property
    def key(self) -> str:
        """Stable identity of this result across runs: where it comes from plus target."""
        from launchready_tui.core.recorder import ResultKey

        return str(ResultKey.of(self))

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["status"] = self.status.value
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CheckResult:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in d.items() if k in known})

    def with_context(self, **kw: Any) -> CheckResult:
        return replace(self, **kw)


def _mk(status: Status, check: str, target: str, summary: str, *, evidence: dict[str, Any] | None = None,
        fix: str = "", why: str = "") -> CheckResult:
    return CheckResult(
        check=check,
        target=target,
        status=status,
        summary=summary,
        evidence=dict(evidence or {}),
        fix=fix,
        why=why,
    )


def passed(check: str, target: str, summary: str, *, evidence: dict[str, Any] | None = None,
           why: str = "") -> CheckResult:
    return _mk(Status.PASS, check, target, summary, evidence=evidence, why=why)


def warned(check: str, target: str, summary: str, *, fix: str, why: str,
           evidence: dict[str, Any] | None = None) -> CheckResult:
    return _mk(Status.WARN, check, target, summary, evidence=evidence, fix=fix, why=why)


def failed(check: str, target: str, summary: str, *, fix: str, why: str,
           evidence: dict[str, Any] | None = None) -> CheckResult:
    return _mk(Status.FAIL, check, target, summary, evidence=evidence, fix=fix, why=why)


def errored(check: str, target: str, reason: str, *, fix: str = "", why: str = "",
            evidence: dict[str, Any] | None = None) -> CheckResult:
    """Could not check. The reason is kept in the summary and in evidence["reason"]."""
    ev = dict(evidence or {})
    ev.setdefault("reason", reason)
    return _mk(
        Status.ERROR,
        check,
        target,
        f"Could not check: {reason}",
        evidence=ev,
        fix=fix
        or "This is not a verdict on your setup. Check your network connection and the "
        "profile's `network` settings, then run the check again.",
        why=why or "Until this check can run, nobody knows whether this part is safe.",
    )


def skipped(check: str, target: str, reason: str, *, evidence: dict[str, Any] | None = None) -> CheckResult:
    ev = dict(evidence or {})
    ev.setdefault("reason", reason)
    return _mk(Status.SKIP, check, target, f"Skipped: {reason}", evidence=ev)


def count(results: Iterable[CheckResult]) -> dict[str, int]:
    counts = {s.value: 0 for s in Status}
    for r in results:
        counts[Status(r.status).value] += 1
    return counts
