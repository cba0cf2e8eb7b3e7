"""`e`: which kind of handover document to write."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static


class ExportFormatScreen(ModalScreen[str | None]):
    """"md", "html" or None (cancelled)."""

    CSS_PATH = "modal.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("m", "markdown", "Markdown"),
                Binding("h", "html", "HTML")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="export-format"):
            yield Label("Write the handover document", classes="dialog-title")
            yield Static("Markdown (.md) reads well on GitHub and in most editors. HTML (.html) "
                         "is one file that opens in any browser and prints well. It is written "
                         "beside your profile; nothing secret goes in it.", classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Markdown (m)", id="md", variant="primary")
                yield Button("HTML (h)", id="html")
                yield Button("Cancel (Esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#md", Button).focus()

    @on(Button.Pressed, "#md")
    def action_markdown(self) -> None:
        self.dismiss("md")

    @on(Button.Pressed, "#html")
    def action_html(self) -> None:
        self.dismiss("html")

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
