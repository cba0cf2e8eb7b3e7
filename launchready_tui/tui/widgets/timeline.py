"""Incident mode's timeline: every step done, check run, command run, note and decision,
with its offset from the start and the time; plus a box to add a note."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Input, Label, Static

from launchready_tui.core.incidents import format_clock, parse_iso


def event_line(ev: dict, started_at: str | None) -> str:
    """"+01:05  12:01 UTC  command: Ran `./rollback.sh`: succeeded in 42 s"."""
    at = ev.get("at", "")
    stamp = f"{at[11:16]} UTC" if len(at) >= 16 else at
    offset = ""
    if started_at and at:
        try:
            offset = f"+{format_clock((parse_iso(at) - parse_iso(started_at)).total_seconds())}  "
        except ValueError:
            pass
    by = f" ({ev['by']})" if ev.get("by") and ev.get("type") in ("note", "decision") else ""
    return f"{offset}{stamp}  {ev.get('type', '')}: {ev.get('text', '')}{by}"


class Timeline(Vertical):
    """Every step done, check run and command run, with the time; plus a note box."""

    def __init__(self, incident: dict, **kw) -> None:
        super().__init__(**kw)
        self._initial = incident

    class NoteAdded(Message):
        def __init__(self, text: str) -> None:
            self.text = text
            super().__init__()

    def compose(self) -> ComposeResult:
        yield Label("Incident timeline", classes="panel-title")
        start = self._initial.get("started_at")
        with VerticalScroll(id="timeline-events"):
            for ev in self._initial.get("events") or []:
                yield Static(event_line(ev, start), markup=False, classes=f"event -{ev.get('type', '')}")
        yield Input(placeholder="Add a note or decision, then Enter", id="timeline-note")
        yield Button("End incident and save the note… (x)", id="end-incident", variant="error", compact=True)

    def show(self, incident: dict) -> None:
        box = self.query_one("#timeline-events", VerticalScroll)
        box.remove_children()
        start = incident.get("started_at")
        box.mount_all([Static(event_line(ev, start), markup=False, classes=f"event -{ev.get('type', '')}")
                       for ev in incident.get("events") or []])
        box.scroll_end(animate=False)

    def add(self, ev: dict, started_at: str | None) -> None:
        from textual.css.query import NoMatches

        try:
            box = self.query_one("#timeline-events", VerticalScroll)
        except NoMatches:  # not composed yet: compose draws it from the live incident
            return
        box.mount(Static(event_line(ev, started_at), markup=False, classes=f"event -{ev.get('type', '')}"))
        box.scroll_end(animate=False)

    @on(Input.Submitted, "#timeline-note")
    def _note(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if text:
            self.post_message(self.NoteAdded(text))
        event.input.value = ""
