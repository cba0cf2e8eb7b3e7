"""The handover's AI assistant section: the `ai_probe` results.

For each assistant endpoint: where it is, which tools count as dangerous, how many attack
prompts of each category were sent and how many worked, and what the worked ones made it
do. Excerpts come from the check already redacted (no canary, no secret); nothing here
adds any. Absent when no AI endpoint was probed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class AiEndpointView:
    url: str
    status: str
    summary: str
    environment: str
    dangerous_tools: list[str]
    categories: dict[str, dict[str, int]]
    worked: list[dict[str, Any]] = field(default_factory=list)  # cases that worked: id, category, hits
    checked_at: str = ""
    canary: str = ""  # a note when there was no canary


def ai_view(results: list[Any]) -> list[AiEndpointView] | None:
    best: dict[str, Any] = {}
    for r in results:
        if r.check == "ai_probe" and r.status != "skip":
            if r.target not in best or r.started_at > best[r.target].started_at:
                best[r.target] = r
    if not best:
        return None
    out = []
    for url in sorted(best):
        r = best[url]
        ev = r.evidence or {}
        out.append(AiEndpointView(
            url=url, status=str(r.status), summary=r.summary, environment=str(ev.get("environment") or ""),
            dangerous_tools=[str(t) for t in ev.get("dangerous_tools") or []],
            categories={str(k): dict(v) for k, v in (ev.get("categories") or {}).items() if isinstance(v, dict)},
            worked=[c for c in ev.get("cases") or [] if isinstance(c, dict) and c.get("verdict") == "fail"][:12],
            checked_at=r.started_at, canary=str(ev.get("canary") or "")))
    return out


_CATEGORY = {"direct-injection": "Direct injection", "indirect-injection": "Injection through content it reads",
             "prompt-extraction": "Showing its hidden instructions", "secret-extraction": "Giving out secrets",
             "unsafe-tool-use": "Risky actions without approval", "evasion": "Other encodings and languages"}


def layout_ai(d: Any, doc: Any) -> None:
    """The section, on the layout's `_Doc` (see _layout.py)."""
    from launchready_tui.core.export._render import Code, Table

    views: list[AiEndpointView] | None = getattr(doc, "ai", None)
    if not views:
        return
    d.h(2, "AI assistant", toc=True)
    d.p("Trick prompts sent to the admin app's AI assistant (stage 5, `ai_probe`): can a message, or text the "
        "assistant reads, make it show its hidden instructions, give out a secret, or refund, invite or change "
        "payouts without a person approving? Re-run with `launchready check --runbook auth-secrets --step ai-review`.")
    for v in views:
        d.h(3, v.url)
        tools = ", ".join(v.dangerous_tools) or "none listed"
        d.p(f"Result: {v.status}. {v.summary}. Environment: {v.environment or 'not said'}. "
            f"Tools that need a person's approval: {tools}.")
        if v.canary:
            d.p(f"Not tested: {v.canary}.", cls="warn")
        if v.categories:
            d.add(Table(["What the prompts tried", "Sent", "Worked"],
                        [[[_CATEGORY.get(k, k)], [str(c.get("tested", 0))], [_worked(c)]]
                         for k, c in v.categories.items()]))
        if v.worked:
            d.add(Table(["Prompt", "What it tried", "What happened"],
                        [[[Code(str(c.get("id")))], [_CATEGORY.get(str(c.get("category")), str(c.get("category")))],
                          [", ".join(_hit(h) for h in c.get("hits") or [])]] for c in v.worked]))


def _worked(c: dict) -> str:
    """How many worked; prompts only a canary could judge are said to be untested, not 0."""
    n, untested = c.get("failed", 0), c.get("untested", 0)
    return f"{n}, {untested} not tested (no canary)" if untested else str(n)


def _hit(h: str) -> str:
    kind, _, what = str(h).partition(":")
    return {"canary": "showed its hidden instructions", "tool": f"called {what} without approval",
            "secret": f"showed a secret ({what})"}.get(kind, h)
