"""The detail panel: what the selected check saw, why it matters, how to fix it.

One Static with styled content rather than a dozen widgets: the panel is on the first
frame. Text from outside (summaries, evidence from remote servers) goes in as template
variables, never as markup, so a `[` in a TXT record cannot restyle or break the panel.
"""

from __future__ import annotations

import json

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from launchready_tui.core.results import CheckResult
from launchready_tui.tui.widgets.sidebar import STATUS_STYLE
from launchready_tui.tui.widgets.status import badge_text

EMPTY = (
    "Select a check to see what was found and how to fix it: click it, or press Tab "
    "until it is highlighted."
)


def evidence_lines(evidence: dict, limit: int = 40) -> list[str]:
    """Evidence as short `key: value` lines (nested values as compact JSON)."""
    out: list[str] = []
    for k, v in evidence.items():
        if isinstance(v, dict | list):
            text = json.dumps(v, ensure_ascii=False, default=str)
        else:
            text = str(v)
        if len(text) > 300:
            text = text[:297] + "…"
        out.append(f"{k.replace('_', ' ')}: {text}")
        if len(out) >= limit:
            out.append(f"… and {len(evidence) - limit} more")
            break
    return out


def render_detail(result: CheckResult) -> Content:
    """The whole panel for one result, as one piece of styled text."""
    parts = [
        Content.from_markup(f"[{STATUS_STYLE.get(str(result.status), '')} b]$badge[/]\n",
                            badge=badge_text(result.status)),
        Content.from_markup("[dim]$what[/]\n\n", what=result.check + (
            f" · {result.target}" if result.target not in ("", "-") else "")),
        Content.from_markup("$summary\n", summary=result.summary),
    ]
    for head, text in (("Why it matters", result.why), ("How to fix it", result.fix)):
        if text:
            parts.append(Content.from_markup("\n[b u]$head[/]\n$text\n", head=head, text=text))
    ev = evidence_lines(result.evidence or {})
    if result.started_at:
        ev.append(f"checked {result.started_at}")
    parts.append(Content.from_markup("\n[b u]What was seen[/]\n$ev", ev="\n".join(ev) or "(nothing recorded)"))
    return Content("").join(parts)


class DetailPanel(VerticalScroll):
    def compose(self) -> ComposeResult:
        yield Static(Content.from_markup("[b $accent]Details[/]"), classes="panel-title")
        yield Static(Content(EMPTY), id="detail-body", classes="-empty")

    def show(self, result: CheckResult | None) -> None:
        self.result = result
        body = self.query_one("#detail-body", Static)
        if result is None:
            body.update(Content(EMPTY))
            body.add_class("-empty")
        else:
            body.update(render_detail(result))
            body.remove_class("-empty")

    def show_not_run(self, about: str, target: str) -> None:
        self.result = None
        self._touched = True
        text = f"{about}\n\nThis check has not run yet. Press r to run this step's checks."
        if target not in ("", "-"):
            text += f"\n\nTarget: {target}"
        body = self.query_one("#detail-body", Static)
        body.update(Content(text))
        body.add_class("-empty")

    def reset(self) -> None:
        if getattr(self, "result", None) is None and not getattr(self, "_touched", False):
            return
        self._touched = False
        self.show(None)

    def text(self) -> str:
        """The panel's plain text (for tests)."""
        return self.query_one("#detail-body", Static).visual.plain  # type: ignore[union-attr]
