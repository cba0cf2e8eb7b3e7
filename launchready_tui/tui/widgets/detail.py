"""The detail panel: what the selected check saw, why it matters, how to fix it."""

from __future__ import annotations

import json

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Label, Static

from launchready_tui.core.results import CheckResult
from launchready_tui.tui.widgets.status import apply_status_class, badge_text

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


class DetailPanel(VerticalScroll):
    def compose(self) -> ComposeResult:
        yield Label("Details", classes="panel-title")
        yield Static(EMPTY, id="detail-empty")
        yield Label(id="detail-badge", classes="badge")
        yield Label(id="detail-what", classes="detail-what")
        yield Static(id="detail-summary", markup=False)
        yield Label("Why it matters", classes="detail-head", id="why-head")
        yield Static(id="detail-why", markup=False)
        yield Label("How to fix it", classes="detail-head", id="fix-head")
        yield Static(id="detail-fix", markup=False)
        yield Label("What was seen", classes="detail-head", id="ev-head")
        yield Static(id="detail-evidence", markup=False)

    def on_mount(self) -> None:
        self.show(None)

    _showing: CheckResult | None = None
    _empty_text = EMPTY

    def show(self, result: CheckResult | None, about: str = "") -> None:
        self._showing = result
        empty = result is None
        self.query_one("#detail-empty").display = empty
        for wid in ("#detail-badge", "#detail-what", "#detail-summary", "#detail-evidence", "#ev-head"):
            self.query_one(wid).display = not empty
        if result is None:
            for wid in ("#why-head", "#detail-why", "#fix-head", "#detail-fix"):
                self.query_one(wid).display = False
            return
        apply_status_class(self.query_one("#detail-badge"), result.status)
        self.query_one("#detail-badge", Label).update(badge_text(result.status))
        what = result.check + (f" · {result.target}" if result.target not in ("", "-") else "")
        self.query_one("#detail-what", Label).update(what)
        self.query_one("#detail-summary", Static).update(result.summary)
        for head, body, text in (("#why-head", "#detail-why", result.why), ("#fix-head", "#detail-fix", result.fix)):
            self.query_one(head).display = bool(text)
            self.query_one(body).display = bool(text)
            self.query_one(body, Static).update(text or "")
        ev = evidence_lines(result.evidence or {})
        when = f"checked {result.started_at}" if result.started_at else ""
        self.query_one("#detail-evidence", Static).update("\n".join(ev + ([when] if when else [])) or "(nothing recorded)")

    def show_not_run(self, about: str, target: str) -> None:
        self.show(None)
        self._empty_text = about
        self.query_one("#detail-empty", Static).update(
            f"{about}\n\nThis check has not run yet. Press r to run this step's checks."
            + (f"\n\nTarget: {target}" if target not in ("", "-") else "")
        )

    def reset(self) -> None:
        if self._showing is None and self._empty_text == EMPTY:
            return
        self.show(None)
        self._empty_text = EMPTY
        self.query_one("#detail-empty", Static).update(EMPTY)
