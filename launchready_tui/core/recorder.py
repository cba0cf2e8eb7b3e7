"""The one place results, history and snapshots are written.

The CLI (`launchready check`) and the app both record through a `Recorder`: the newest
result per `ResultKey` goes to the state file, one `check` entry per run and one
`command` entry per command that ran go to the history, and the snapshots the checks
return in their evidence (`evidence["snapshot"]`, for example a latency check's figures
for this release) are moved from the result into the history. Checks never write the
state themselves. No Textual here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from launchready_tui.core.problems import Problem
    from launchready_tui.core.results import CheckResult
    from launchready_tui.core.state import StateStore

SNAPSHOT = "snapshot"  # the evidence key a check puts a history snapshot under


@dataclass(frozen=True, order=True)
class ResultKey:
    """Where a result comes from plus its target: its identity across runs. Shown (and
    stored in the state file) as `runbook/step/check@target`."""

    runbook: str
    step: str
    check: str
    target: str

    def __post_init__(self) -> None:
        # results are stored with their target cleaned of URL secrets (core/redact.py);
        # a planned item's key must name the same result
        if "://" in self.target or "=" in self.target:
            from launchready_tui.core.redact import clean_url

            object.__setattr__(self, "target", clean_url(self.target))

    def __str__(self) -> str:
        return f"{self.runbook}/{self.step}/{self.check}@{self.target}"

    @classmethod
    def of(cls, r: CheckResult | Mapping[str, Any]) -> ResultKey:
        """The key of a result (a CheckResult or its to_dict()); the check block's id,
        else the kind, names the check."""
        if isinstance(r, Mapping):
            return cls(str(r.get("runbook", "")), str(r.get("step", "")),
                       str(r.get("check_id") or r.get("check")), str(r.get("target", "")))
        return cls(r.runbook, r.step, r.check_id or r.check, r.target)


def take_snapshot(r: CheckResult | dict[str, Any]) -> dict[str, Any] | None:
    """Remove and return the history snapshot a check put in a result's evidence."""
    ev = r.get("evidence") if isinstance(r, dict) else r.evidence
    if isinstance(ev, dict) and isinstance(ev.get(SNAPSHOT), dict):
        return ev.pop(SNAPSHOT)
    return None


def is_rollback(*, block_id: str = "", run: str = "", step: str = "", check_id: str = "",
                command: str = "", profile: Any = None) -> bool:
    """Is this command the rollback? One answer for the check, the app's Run button, the
    history and the handover, from what each knows: a block, check or step named for it,
    a recorded command line that says so (`command`), or a block whose `run` is the
    profile's `deploy.rollback`. The check itself asks with `run` alone: only the
    profile's own rollback gets the rollback verdict and smoke checks."""
    import re

    if any("rollback" in str(x).lower() for x in (block_id, step, check_id, command)):
        return True
    raw = re.sub(r"\s+", "", str(run))
    if raw in ("{{deploy.rollback}}", '"{{deploy.rollback}}"'):
        return True
    rb = profile.get("deploy.rollback") if profile is not None else None
    return bool(rb) and bool(run) and str(run).strip() == str(rb).strip()


class Recorder:
    """Writes what a run produced. `source` ("cli", "tui") goes into history entries."""

    def __init__(self, store: StateStore, source: str) -> None:
        self.store = store
        self.source = source

    def results(self, results: Iterable[CheckResult | dict[str, Any]],
                snapshots: Iterable[dict[str, Any]] = ()) -> None:
        """Keep the newest result per key, and append each snapshot once (several
        results can share one measurement). Snapshots still in a result's evidence are
        taken out first (before any report is rendered), so nothing shows them twice."""
        dicts: list[dict[str, Any]] = []
        snaps: list[dict[str, Any]] = list(snapshots)
        for r in results:
            snap = take_snapshot(r)
            if snap is not None:
                snaps.append(snap)
            dicts.append(r if isinstance(r, dict) else r.to_dict())
        if dicts:
            self.store.save_results(dicts)
        seen: set[int] = set()
        for snap in snaps:  # one measurement shared by several results is one snapshot
            if id(snap) not in seen:
                seen.add(id(snap))
                self.store.append_history(snap)

    def run(self, results: list[CheckResult], *, scope: dict[str, Any],
            problems: Iterable[Problem] = ()) -> dict[str, Any]:
        """One `check` entry for a run: when, the counts, the problems found, the scope."""
        from launchready_tui.core.results import count

        found = list(problems)
        entry: dict[str, Any] = {
            "type": "check",
            "at": results[0].started_at if results else "",
            "counts": {**count(results), "problems": len(found)},
            "problems": [p.id for p in found],
            "scope": scope,
        }
        if self.source != "cli":
            entry["source"] = self.source
        self.store.append_history(entry)
        return entry

    def command(self, *, at: str, runbook: str, step: str, block: str, command: str,
                exit_code: int | None, duration_s: float, status: str) -> dict[str, Any]:
        """One `command` entry: a runbook command that ran (its text already redacted)."""
        entry = {"type": "command", "at": at, "runbook": runbook, "step": step, "block": block,
                 "command": command, "exit_code": exit_code, "duration_s": round(duration_s, 1),
                 "status": status, "source": self.source}
        self.store.append_history(entry)
        return entry
