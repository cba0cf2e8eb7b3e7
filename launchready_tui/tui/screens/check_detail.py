"""A check's details, full size: for narrow terminals where the side panel is hidden."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button

from launchready_tui.core.results import CheckResult
from launchready_tui.tui.widgets.detail import DetailPanel


class CheckDetailScreen(ModalScreen[None]):
    CSS_PATH = "modal.tcss"
    BINDINGS = [Binding("escape,enter", "close", "Close")]

    def __init__(self, result: CheckResult | None, about: str, target: str) -> None:
        super().__init__()
        self.result = result
        self.about = about
        self.target = target

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide", id="check-detail"):
            yield DetailPanel(id="detail-full")
            yield Button("Close (Esc)", id="close", variant="primary")

    def on_mount(self) -> None:
        panel = self.query_one(DetailPanel)
        if self.result is not None:
            panel.show(self.result)
        else:
            panel.show_not_run(self.about, self.target)

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)
