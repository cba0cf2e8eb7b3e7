"""Incident mode: the clock bar (elapsed + rollback budget) and the timeline."""

from __future__ import annotations

import datetime as dt

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Input, Label, Static

from launchready_tui.core.incidents import budget_left_s, elapsed_s, format_clock, parse_iso


class IncidentBar(Vertical):
    """Elapsed time and the rollback budget counting down; the screen calls `tick()`."""

    def compose(self) -> ComposeResult:
        yield Label("", id="incident-name")
        with Horizontal(classes="incident-line"):
            yield Label("", id="incident-elapsed")
            yield Label("", id="incident-budget")

    def tick(self, incident: dict, now: dt.datetime) -> None:
        if not incident:
            return
        self.query_one("#incident-name", Label).update(
            f"INCIDENT: {incident.get('title') or incident.get('runbook')}")
        self.query_one("#incident-elapsed", Label).update(f"Elapsed {format_clock(elapsed_s(incident, now))}")
        left = budget_left_s(incident, now)
        budget = self.query_one("#incident-budget", Label)
        mins = float(incident.get("budget_min") or 10)
        if left >= 0:
            budget.update(f"Rollback budget: {format_clock(left)} left ({mins:g} min)")
        else:
            budget.update(f"Rollback budget BLOWN by {format_clock(-left)}: roll back now")
        self.set_class(left < 0, "-blown")
        self.set_class(0 <= left < 120, "-low")


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

    class NoteAdded(Message):
        def __init__(self, text: str) -> None:
            self.text = text
            super().__init__()

    def compose(self) -> ComposeResult:
        yield Label("Incident timeline", classes="panel-title")
        yield VerticalScroll(id="timeline-events")
        yield Input(placeholder="Add a note or decision, then Enter", id="timeline-note")
        yield Button("End incident and save the note…", id="end-incident", variant="error", compact=True)

    def show(self, incident: dict) -> None:
        box = self.query_one("#timeline-events", VerticalScroll)
        box.remove_children()
        start = incident.get("started_at")
        box.mount_all([Static(event_line(ev, start), markup=False, classes=f"event -{ev.get('type', '')}")
                       for ev in incident.get("events") or []])
        box.scroll_end(animate=False)

    def add(self, ev: dict, started_at: str | None) -> None:
        box = self.query_one("#timeline-events", VerticalScroll)
        box.mount(Static(event_line(ev, started_at), markup=False, classes=f"event -{ev.get('type', '')}"))
        box.scroll_end(animate=False)

    @on(Input.Submitted, "#timeline-note")
    def _note(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if text:
            self.post_message(self.NoteAdded(text))
        event.input.value = ""
