"""Asked once: the name that signs your ticks, records and "done" marks."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static


class YourNameScreen(ModalScreen[str | None]):
    """Returns the name typed (or None: asked again next time)."""

    CSS_PATH = "modal.tcss"
    BINDINGS = [Binding("escape", "later", "Later")]

    def __init__(self, suggestion: str, where: str) -> None:
        super().__init__()
        self.suggestion = suggestion
        self.where = where

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="name-dialog"):
            yield Label("What is your name?", classes="dialog-title")
            yield Static("Every tick, record and \"done\" mark says who made it and when, so the "
                         "team can see who checked what. Type the name to sign them with and "
                         f"press Enter. It is asked only once and kept in {self.where}.",
                         classes="dialog-text")
            yield Input(self.suggestion, placeholder="your name, e.g. Ana Lima", id="your-name")
            yield Label("", id="name-error", classes="problem")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (Enter)", id="save", variant="primary")
                yield Button("Later (Esc)", id="later")

    def on_mount(self) -> None:
        self.query_one("#your-name", Input).focus()

    @on(Input.Submitted, "#your-name")
    @on(Button.Pressed, "#save")
    def _save(self, event=None) -> None:
        name = " ".join(self.query_one("#your-name", Input).value.split())
        if not name:
            self.query_one("#name-error", Label).update("Type a name first (or press Esc for later).")
            return
        self.dismiss(name)

    @on(Button.Pressed, "#later")
    def action_later(self) -> None:
        self.dismiss(None)
