"""`d` (done) on a step whose boxes are not all ticked: ask first, and say which."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static


class ConfirmDoneScreen(ModalScreen[bool]):
    """True: mark the step done anyway; False: go back and tick them."""

    CSS_PATH = "modal.tcss"
    BINDINGS = [Binding("escape", "cancel", "Go back"), Binding("y", "yes", "Done anyway")]

    def __init__(self, step_title: str, unticked: list[str]) -> None:
        super().__init__()
        self.step_title = step_title
        self.unticked = unticked

    def compose(self) -> ComposeResult:
        n = len(self.unticked)
        with Vertical(classes="dialog"):
            yield Label(f"{n} box{'es' if n > 1 else ''} not ticked yet", classes="dialog-title")
            yield Static(f"'{self.step_title}' still has:", classes="dialog-text")
            for text in self.unticked:
                yield Static(f"☐ {text}", classes="dialog-text unticked", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Go back and tick (Esc)", id="cancel", variant="primary")
                yield Button("Mark done anyway (y)", id="yes")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    @on(Button.Pressed, "#yes")
    def action_yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)
