"""The handover's AI assistant section, named by `ai_probe`'s `CHECK_KIND.handover`.

For each assistant endpoint: where it is, which tools count as dangerous, how many attack
prompts of each category were sent and how many worked, and what the worked ones made it
do. Excerpts come from the check already redacted (no canary, no secret); nothing here
adds any. Absent when no AI endpoint was probed. Written on the document through
`core/checks/_handover.py`'s `SectionDoc` (checks never import the export).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from launchready_tui.core.checks._handover import SectionDoc, latest


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


@dataclass
class AiSection:
    endpoints: list[AiEndpointView]

    def layout(self, d: SectionDoc) -> None:
        _layout_all(self.endpoints, d)


def ai_view(results: list[Any], history: list[dict[str, Any]] | None = None) -> AiSection | None:
    """The section's data (the kind's `handover`), or None when no AI endpoint was probed."""
    best = latest(results, "ai_probe", skip=("skip",))
    if not best:
        return None
    out = []
    for r in best:
        ev = r.evidence or {}
        out.append(AiEndpointView(
            url=r.target, status=str(r.status), summary=r.summary, environment=str(ev.get("environment") or ""),
            dangerous_tools=[str(t) for t in ev.get("dangerous_tools") or []],
            categories={str(k): dict(v) for k, v in (ev.get("categories") or {}).items() if isinstance(v, dict)},
            worked=[c for c in ev.get("cases") or [] if isinstance(c, dict) and c.get("verdict") == "fail"][:12],
            checked_at=r.started_at, canary=str(ev.get("canary") or "")))
    return AiSection(out)


_CATEGORY = {"direct-injection": "Direct injection", "indirect-injection": "Injection through content it reads",
             "prompt-extraction": "Showing its hidden instructions", "secret-extraction": "Giving out secrets",
             "unsafe-tool-use": "Risky actions without approval", "evasion": "Other encodings and languages"}


def _layout_all(views: list[AiEndpointView], d: SectionDoc) -> None:
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
            d.table(["What the prompts tried", "Sent", "Worked"],
                    [[[_CATEGORY.get(k, k)], [str(c.get("tested", 0))], [_worked(c)]]
                     for k, c in v.categories.items()])
        if v.worked:
            d.table(["Prompt", "What it tried", "What happened"],
                    [[[d.code(str(c.get("id")))], [_CATEGORY.get(str(c.get("category")), str(c.get("category")))],
                      [", ".join(_hit(h) for h in c.get("hits") or [])]] for c in v.worked])


def _worked(c: dict[str, Any]) -> str:
    """How many worked; prompts only a canary could judge are said to be untested, not 0."""
    n, untested = c.get("failed", 0), c.get("untested", 0)
    return f"{n}, {untested} not tested (no canary)" if untested else str(n)


def _hit(h: str) -> str:
    kind, _, what = str(h).partition(":")
    return {"canary": "showed its hidden instructions", "tool": f"called {what} without approval",
            "secret": f"showed a secret ({what})"}.get(kind, h)


handover = ai_view  # ai_probe's CHECK_KIND.handover
