"""Asks before a runbook command runs, showing exactly what will run and where."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static


class ConfirmCommandScreen(ModalScreen[bool]):
    CSS_PATH = "modal.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("y", "run", "Run it")]

    def __init__(self, command: str, cwd: str) -> None:
        super().__init__()
        self.command = command
        self.cwd = cwd

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Run this command?", classes="dialog-title")
            yield Static("This exact command will run on this computer, in a shell:", classes="dialog-text")
            yield Static(self.command, markup=False, id="exact-command")
            yield Static(f"In the folder: {self.cwd}", markup=False, classes="dialog-text")
            yield Static("Its output appears under the command as it runs. Only run it if you "
                         "know what it does.", classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel (Esc)", id="cancel")
                yield Button("Run it (y)", id="run", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    @on(Button.Pressed, "#run")
    def action_run(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)
