"""Quitting a temporary demo: its folder is deleted, so offer to keep a copy first."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static


class QuitDemoScreen(ModalScreen[str | None]):
    """"keep" (copy the work to `folder`, then quit), "delete" (quit) or None (stay)."""

    CSS_PATH = "modal.tcss"
    BINDINGS = [Binding("escape", "stay", "Stay"), Binding("k", "keep", "Keep"),
                Binding("d", "delete", "Delete")]

    def __init__(self, folder: str) -> None:
        super().__init__()
        self.folder = folder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="quit-demo"):
            yield Label("Quit the demo?", classes="dialog-title")
            yield Static("This demo runs in a temporary folder. When you quit, your ticks, notes, "
                         "records and results in it are deleted.", classes="dialog-text")
            yield Static(f"Keep them: LaunchReady copies them to {self.folder} and you carry on "
                         f"later with:\n  launchready demo --dir {self.folder}",
                         classes="dialog-text", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Keep my work and quit (k)", id="keep", variant="primary")
                yield Button("Delete it and quit (d)", id="delete", variant="error")
                yield Button("Stay (Esc)", id="stay")

    def on_mount(self) -> None:
        self.query_one("#keep", Button).focus()

    @on(Button.Pressed, "#keep")
    def action_keep(self) -> None:
        self.dismiss("keep")

    @on(Button.Pressed, "#delete")
    def action_delete(self) -> None:
        self.dismiss("delete")

    @on(Button.Pressed, "#stay")
    def action_stay(self) -> None:
        self.dismiss(None)
