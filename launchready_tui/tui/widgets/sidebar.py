"""The stage sidebar: the seven stages and the incident runbooks, each with progress
(steps done out of total) and its worst status, as a symbol, a word and a colour.

One OptionList rather than a list of item widgets: it is on the first frame, and one
widget lays out and styles far faster than three dozen.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from launchready_tui.tui.session import STAGE_NAMES, short_title
from launchready_tui.tui.widgets.status import badge_text

# Theme colours per status (the symbol and the word always come with them).
STATUS_STYLE = {
    "pass": "$success",
    "warn": "$warning",
    "fail": "bold $error",
    "error": "$secondary",
    "skip": "dim",
}


@dataclass(frozen=True)
class NavItem:
    """One entry: a stage, an incident runbook, a stage not written yet, or the problems."""

    id: str
    title: str
    kind: str  # "stage" | "incident" | "problems" | "missing"
    runbook_id: str | None = None


def entry_prompt(item: NavItem, status, done: int, total: int, note: str = "") -> Content:
    """Two lines: the title, then progress and the worst status."""
    if item.kind in ("stage", "incident"):
        line2 = f"{done}/{total} done"
        if status is not None:
            style = STATUS_STYLE.get(str(status), "")
            # No-break spaces: a narrow sidebar wraps between the parts, never inside one.
            return Content.from_markup(f"[b]$title[/b]\n  $line2 · [{style}]$badge[/]",
                                       title=item.title, line2=line2.replace(" ", "\u00a0"),
                                       badge=badge_text(status).replace(" ", "\u00a0"))
        return Content.from_markup("[b]$title[/b]\n  [dim]$line2[/]", title=item.title, line2=line2)
    if item.kind == "problems":
        return Content.from_markup("[b $warning]$title[/]\n  [dim]$note[/]", title=item.title, note=note)
    return Content.from_markup("[dim]$title[/]\n  [dim]$note[/]", title=item.title, note=note)


class Sidebar(OptionList):
    """Posts `Sidebar.Chosen` when a person picks an entry (Enter or click)."""

    class Chosen(Message):
        def __init__(self, item: NavItem) -> None:
            self.item = item
            super().__init__()

    def __init__(self, session, **kw) -> None:
        self.session = session
        self.items: dict[str, NavItem] = {}
        self._painted: dict[str, tuple] = {}
        options: list = []
        stages = session.stage_runbooks()
        for n in range(1, 8):
            rb = stages.get(n)
            if rb is not None:
                self._add(options, NavItem(f"nav-{rb.id}", f"{n}. {short_title(rb)}", "stage", rb.id))
            else:
                self._add(options, NavItem(f"nav-stage-{n}", f"{n}. {STAGE_NAMES[n]}", "missing"))
        incidents = session.incident_runbooks()
        if incidents:
            options.append(Option(Content.from_markup("\n[b dim]Incidents (i)[/]"), disabled=True))
            for rb in incidents:
                self._add(options, NavItem(f"nav-{rb.id}", short_title(rb), "incident", rb.id))
        if session.problems:
            n = len(session.problems)
            self._add(options, NavItem("nav-problems", f"! {n} problem{'s' if n != 1 else ''} in your files",
                                       "problems"))
        super().__init__(*options, **kw)

    def _add(self, options: list, item: NavItem) -> None:
        self.items[item.id] = item
        options.append(Option(self._prompt(item), id=item.id))

    def _state(self, item: NavItem) -> tuple:
        s = self.session
        if item.kind in ("stage", "incident") and item.runbook_id:
            rb = s.runbook(item.runbook_id)
            if rb is not None:
                done, total = s.progress(rb)
                return (s.worst(rb), done, total, "")
        if item.kind == "missing":
            return (None, 0, 0, "not written yet")
        if item.kind == "problems":
            return (None, 0, 0, "open to see where")
        return (None, 0, 0, "")

    def _prompt(self, item: NavItem) -> Content:
        state = self._state(item)
        self._painted[item.id] = state
        return entry_prompt(item, *state)

    def refresh_all(self) -> None:
        """Repaint the entries whose progress or status changed."""
        for item in self.items.values():
            state = self._state(item)
            if state != self._painted.get(item.id):
                self._painted[item.id] = state
                self.replace_option_prompt(item.id, entry_prompt(item, *state))

    def entry_text(self, item_id: str) -> str:
        """The plain text of an entry (for tests and screen readers)."""
        return self.get_option(item_id).prompt.plain.replace("\u00a0", " ")  # type: ignore[union-attr]

    def status_of(self, item_id: str):
        return self._painted.get(item_id, (None,))[0]

    def select_runbook(self, runbook_id: str) -> None:
        item_id = f"nav-{runbook_id}"
        if item_id in self.items:
            index = self.get_option_index(item_id)
            if self.highlighted != index:
                self.highlighted = index

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        item = self.items.get(event.option.id or "")
        if item is not None:
            self.post_message(self.Chosen(item))
