"""Incident mode: the clock bar (elapsed time, and the runbook's own budget counting
down). The timeline is in widgets/timeline.py.

Each incident runbook declares its clock in its front matter (core.incidents.Budget):
deploy-failure a 10-minute rollback budget, secret-leaked an hour to rotate the key,
site-down none. "Roll back now" is only ever said by a runbook whose budget says so.
Once a rollback's smoke checks pass, the clock stops and the bar says when, in the
same words as the timeline and the note (core.incidents.verdict).
"""

from __future__ import annotations

import datetime as dt

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label

from launchready_tui.core.incidents import (
    budget_left_s,
    budget_min,
    elapsed_s,
    format_clock,
    verdict,
)


def clock_texts(incident: dict, now: dt.datetime, *, narrow: bool = False) -> tuple[str, str, str]:
    """(elapsed, budget, state) for the bar; state is "", "-low", "-blown" or "-verified".
    Narrow (80 columns) gets the short forms, so each fits on its one line."""
    done = verdict(incident)
    mins = budget_min(incident)
    label = str(incident.get("budget_label") or "Rollback budget")
    if done:
        left = budget_left_s(incident, now)
        head, _, tail = done.partition(", ")
        head = f"{head[:1].upper()}{head[1:]}"  # green and bold (-verified): no mark, so it fits 80 columns
        state = "-verified" if left is None or left >= 0 else "-blown"
        # One line at every width: "Rolled back and verified at 00:58, within budget"
        # (the note and the timeline give the budget's minutes).
        return head + (f", {tail.split(' the ')[0]} budget" if tail else ""), "", state
    elapsed = f"Elapsed {format_clock(elapsed_s(incident, now))}"
    if mins is None:
        return elapsed, "No time budget" if narrow else "No time budget for this runbook: the clock counts up", ""
    left = budget_left_s(incident, now) or 0.0
    overdue = str(incident.get("budget_overdue") or "act now")
    if left < 0:
        if narrow:
            return elapsed, f"Budget BLOWN by {format_clock(-left)}", "-blown"
        return elapsed, f"{label} BLOWN by {format_clock(-left)}: {overdue}", "-blown"
    if narrow:
        return elapsed, f"{format_clock(left)} left of {mins:g} min", "-low" if left < 120 else ""
    return elapsed, f"{label}: {format_clock(left)} left ({mins:g} min)", "-low" if left < 120 else ""


class IncidentBar(Vertical):
    """Elapsed time and the runbook's budget; the screen calls `tick()` every second."""

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
        narrow = self.screen.has_class("-narrow")
        self.query_one("#incident-name", Label).update(
            f"INCIDENT: {incident.get('title') or incident.get('runbook')}")
        elapsed, budget, state = clock_texts(incident, now, narrow=narrow)
        self.query_one("#incident-elapsed", Label).update(elapsed)
        label = self.query_one("#incident-budget", Label)
        label.update(budget)
        label.display = bool(budget)
        for cls in ("-low", "-blown", "-verified"):
            self.set_class(state == cls, cls)
