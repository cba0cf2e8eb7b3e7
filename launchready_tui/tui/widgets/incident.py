"""Incident mode: the clock bar (elapsed time and the rollback budget counting down).
The timeline is in widgets/timeline.py."""

from __future__ import annotations

import datetime as dt

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label

from launchready_tui.core.incidents import budget_left_s, elapsed_s, format_clock


class IncidentBar(Vertical):
    """Elapsed time and the rollback budget counting down; the screen calls `tick()`."""

    def compose(self) -> ComposeResult:
        yield Label("", id="incident-name")
        with Horizontal(classes="incident-line"):
            yield Label("", id="incident-elapsed")
            yield Label("", id="incident-budget")

    _pending: tuple | None = None
    _ready = False

    def on_mount(self) -> None:
        self._ready = True
        if self._pending is not None:
            self.tick(*self._pending)

    def tick(self, incident: dict, now: dt.datetime) -> None:
        if not incident:
            return
        if not self._ready:  # composed a moment later: paint then
            self._pending = (incident, now)
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
