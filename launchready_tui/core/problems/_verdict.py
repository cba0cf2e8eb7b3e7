"""Reading ranked problems: the allowlist's set-aside, counts, the verdict line, what is
a launch blocker, and the drafts stage 1's risk list and blockers checklist start from."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from launchready_tui.core.problems._model import TAKEOVER, Problem
from launchready_tui.core.results import Status


def set_aside(problems: list[Problem], accepted: Callable[[str], str | None]) -> tuple[list[Problem], list[Problem]]:
    """Split off the problems an accepted exception covers, by problem id (`accepted(id)`
    gives the entry's expiry date, or None: `.launchready/allow.yaml` entries with
    `id: <problem id>`). The rest are ranked again from 1."""
    still: list[Problem] = []
    aside: list[Problem] = []
    for p in problems:
        until = accepted(p.id)
        if until:
            p.accepted_until = str(until)
            aside.append(p)
        else:
            still.append(p)
    for n, p in enumerate(still, 1):
        p.rank = n
    return still, aside


def set_aside_allowed(problems: list[Problem], state_dir: Any, today: Any = None) -> tuple[list[Problem], list[Problem]]:
    """`set_aside` with the entries of `<state_dir>/allow.yaml` that name a problem by id
    and have not expired. No allowlist, or one that cannot be read, sets nothing aside."""
    import datetime as dt
    from pathlib import Path

    try:
        from launchready_tui.core.allowlist import ALLOW_FILENAME, load_allowlist

        allow = load_allowlist(Path(state_dir) / ALLOW_FILENAME)
    except Exception:
        return problems, []
    day = today or dt.datetime.now(dt.UTC).date()

    def accepted(pid: str) -> str | None:
        entry, expired = allow.match(id=pid, today=day)
        return entry.expires_text if entry is not None and not expired else None

    return set_aside(problems, accepted)


def counts(problems: list[Problem]) -> dict[str, int]:
    """Problems per status (fail/warn/error) and in total."""
    c = {"total": len(problems), "fail": 0, "warn": 0, "error": 0}
    for p in problems:
        c[p.status.value] = c.get(p.status.value, 0) + 1
    return c


def verdict(problems: list[Problem]) -> str:
    """One line: can we launch?"""
    if not problems:
        return "Verdict: no launch blockers found in the checks that ran."
    worst = problems[0]
    fails = sum(1 for p in problems if p.status == Status.FAIL)
    harm = sum(1 for p in problems if is_blocker(p))
    if harm:
        return (f"Verdict: not ready to launch - {fails} problem(s) fail, {harm} of them harm customers, "
                f"money or security; fix #{worst.rank} first.")
    if fails:
        return (f"Verdict: not ready to launch - {fails} problem(s) fail, none of them harms customers, money "
                f"or security yet; fix #{worst.rank} first.")
    return f"Verdict: ready to launch with {len(problems)} problem(s) to look at soon; start with #{worst.rank}."


def is_blocker(p: Problem) -> bool:
    """A launch blocker: a failing problem that harms customers, money or security on day
    one (levels 1-4). The rest are risks to fix soon."""
    return p.level <= TAKEOVER and p.status == Status.FAIL


def risk_list_text(problems: list[Problem], limit: int = 10) -> str:
    """A draft for stage 1's ranked risk list: one line per problem, worst first."""
    lines = [f"{p.rank}. {p.title} - {p.impact}" for p in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"(and {len(problems) - limit} more: press b for the whole list)")
    return "\n".join(lines)


def blockers_text(problems: list[Problem]) -> str:
    """A draft for stage 1's launch-blockers checklist: blocker, owner, priority."""
    return "\n".join(
        f"{p.title} - owner: {p.owner or '?'} - priority: {p.priority or '?'}"
        for p in problems if is_blocker(p)
    )
