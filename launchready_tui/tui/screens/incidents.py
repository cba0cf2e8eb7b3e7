"""Pick an incident runbook, and confirm before incident mode starts its clock."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, OptionList, Static
from textual.widgets.option_list import Option

from launchready_tui.tui.session import short_title


class IncidentPicker(ModalScreen[str | None]):
    """Returns the chosen incident runbook id (or None)."""

    CSS_PATH = "modal.tcss"
    BINDINGS = [Binding("escape", "cancel", "Close")]

    def __init__(self, runbooks: list) -> None:
        super().__init__()
        self.runbooks = runbooks

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Something is wrong in production?", classes="dialog-title")
            if not self.runbooks:
                yield Static("No incident runbooks are installed yet.", classes="dialog-text")
            else:
                yield Static("Pick what is happening (arrow keys and Enter, or click). Incident "
                             "mode starts a clock with a 10-minute rollback budget and keeps a "
                             "timeline of everything you do.", classes="dialog-text")
                yield OptionList(
                    *[Option(f"{short_title(rb)} — {rb.goal}", id=rb.id) for rb in self.runbooks],
                    id="incident-list",
                )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Close (Esc)", id="cancel")

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class StartIncidentScreen(ModalScreen[str | None]):
    """"start" (incident mode), "read" (just read the runbook) or None."""

    CSS_PATH = "modal.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, rb) -> None:
        super().__init__()
        self.rb = rb

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"{short_title(self.rb)}", classes="dialog-title")
            yield Static(self.rb.summary or self.rb.goal, classes="dialog-text")
            yield Static("Start incident mode if this is happening now: the clock starts and "
                         "every step, check and command is written to a timeline. Or just read "
                         "the runbook to prepare.", classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Just read it", id="read")
                yield Button("Start incident mode", id="start", variant="error")

    @on(Button.Pressed, "#start")
    def _start(self) -> None:
        self.dismiss("start")

    @on(Button.Pressed, "#read")
    def _read(self) -> None:
        self.dismiss("read")

    def action_cancel(self) -> None:
        self.dismiss(None)
