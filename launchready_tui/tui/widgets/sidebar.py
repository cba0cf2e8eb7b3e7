"""The stage sidebar: the seven stages and the incident runbooks, each with progress and
its worst status (symbol and word, coloured by CSS)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import Label, ListItem, ListView

from launchready_tui.tui.session import STAGE_NAMES, short_title
from launchready_tui.tui.widgets.status import apply_status_class, badge_text


class NavItem(ListItem):
    """One entry: a stage, an incident runbook, or the problems list."""

    def __init__(self, title: str, kind: str, runbook_id: str | None = None, **kw) -> None:
        super().__init__(**kw)
        self.title = title
        self.kind = kind  # "stage" | "incident" | "problems" | "missing"
        self.runbook_id = runbook_id
        self._painted: tuple | None = None

    def compose(self) -> ComposeResult:
        yield Label(self.title, classes="nav-title")
        yield Label("", classes="nav-status")

    def paint(self, status, done: int, total: int) -> None:
        key = (status, done, total)
        if key == self._painted:  # unchanged: no restyle, no relayout
            return
        self._painted = key
        label = self.query_one(".nav-status", Label)
        apply_status_class(label, status)
        self.set_class(status is not None, "-ran")
        text = f"{done}/{total} done"
        if status is not None:
            text += f" · {badge_text(status)}"
        label.update(text)


class Sidebar(ListView):
    """Posts `Sidebar.Chosen` when a person picks an entry (Enter or click)."""

    class Chosen(Message):
        def __init__(self, item: NavItem) -> None:
            self.item = item
            super().__init__()

    def __init__(self, session, **kw) -> None:
        self.session = session
        items = []
        stages = session.stage_runbooks()
        for n in range(1, 8):
            rb = stages.get(n)
            if rb is not None:
                items.append(NavItem(f"{n}. {short_title(rb)}", "stage", rb.id, id=f"nav-{rb.id}"))
            else:
                items.append(NavItem(f"{n}. {STAGE_NAMES[n]}", "missing", None, id=f"nav-stage-{n}",
                                     classes="-missing"))
        incidents = session.incident_runbooks()
        if incidents:
            items.append(ListItem(Label("Incidents (i)", classes="nav-head"), disabled=True,
                                  classes="nav-head-item"))
            for rb in incidents:
                items.append(NavItem(short_title(rb), "incident", rb.id, id=f"nav-{rb.id}"))
        if session.problems:
            n = len(session.problems)
            items.append(NavItem(f"⚠ {n} problem{'s' if n != 1 else ''} in your files", "problems",
                                 id="nav-problems", classes="-problems"))
        super().__init__(*items, **kw)

    def on_mount(self) -> None:
        self.refresh_all()

    def refresh_all(self) -> None:
        s = self.session
        for item in self.query(NavItem):
            if item.kind in ("stage", "incident") and item.runbook_id:
                rb = s.runbook(item.runbook_id)
                if rb is None:
                    continue
                done, total = s.progress(rb)
                item.paint(s.worst(rb), done, total)
            elif item.kind == "missing":
                item.query_one(".nav-status", Label).update("not written yet")
            elif item.kind == "problems":
                item.query_one(".nav-status", Label).update("open to see where")

    def select_runbook(self, runbook_id: str) -> None:
        for i, node in enumerate(self.children):
            if isinstance(node, NavItem) and node.runbook_id == runbook_id:
                if self.index != i:
                    self.index = i
                return

    def on_list_view_selected(self, event: ListView.Selected) -> None:
        event.stop()
        if isinstance(event.item, NavItem):
            self.post_message(self.Chosen(event.item))
