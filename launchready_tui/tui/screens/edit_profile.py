"""Before opening the profile in vi/vim (the only editor found, none chosen): how to
save and get back, since a newcomer left in vim cannot find the way out."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static


class EditorHelpScreen(ModalScreen[bool]):
    CSS_PATH = "modal.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, editor: str, path: str) -> None:
        super().__init__()
        self.editor = editor
        self.path = path

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="editor-help"):
            yield Label(f"Open your profile in {self.editor}", classes="dialog-title")
            yield Static(f"{self.path} opens in {self.editor}, the only editor found on this computer. "
                         "LaunchReady steps aside until you close it, then reloads the profile.",
                         classes="dialog-text", markup=False)
            yield Static("In vim: press i to type. To save and come back: press Esc, type :wq and "
                         "press Enter. To come back without saving: Esc, :q! and Enter.\n"
                         "Prefer another editor? Quit, run `export EDITOR=nano` (or code -w, or "
                         "any editor you like) and start again.", classes="dialog-text", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Open it (Enter)", id="open", variant="primary")
                yield Button("Cancel (Esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#open", Button).focus()

    @on(Button.Pressed, "#open")
    def _open(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)
