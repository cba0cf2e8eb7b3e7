"""Closing an incident: a few facts for the note, then the note is saved."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

FIELDS = [
    ("impact", "What customers saw, and for how long"),
    ("detection", "How you found out (alert, customer, teammate)"),
    ("cause", "The cause, as far as you know"),
    ("customer_communication", "What you told customers, and where"),
    ("follow_ups", "Follow-ups, with owners"),
]


class EndIncidentScreen(ModalScreen[dict | None]):
    CSS_PATH = "modal.tcss"
    BINDINGS = [Binding("escape", "cancel", "Keep the incident open")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Label("End the incident", classes="dialog-title")
            yield Static("Fill in what you know; you can leave any of these empty. The incident "
                         "note (with the whole timeline) is saved under .launchready/incidents/.",
                         classes="dialog-text")
            for fid, label in FIELDS:
                yield Label(label, classes="field-label")
                yield Input(id=f"f-{fid}")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Keep it open (Esc)", id="cancel")
                yield Button("End incident and save the note", id="end", variant="error")

    @on(Button.Pressed, "#end")
    def _end(self) -> None:
        self.dismiss({fid: self.query_one(f"#f-{fid}", Input).value.strip() for fid, _ in FIELDS})

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
