"""The glossary inside the app: every word a check or a runbook uses, in plain words.
Opened from help (`?`, then `g`) and from the command palette. Type to find a word."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Markdown

from launchready_tui.core import glossary


def entries_markdown(entries: list[glossary.Entry]) -> str:
    if not entries:
        return "No entry has that word. Try a shorter part of it."
    return "\n\n".join(f"**{e.name}.** {e.text}" for e in entries)


class GlossaryScreen(ModalScreen[None]):
    CSS_PATH = "modal.tcss"
    BINDINGS = [Binding("escape", "close", "Close the glossary")]

    def __init__(self, word: str = "") -> None:
        super().__init__()
        self.word = word
        try:
            self.entries = glossary.load_glossary()
        except OSError:
            self.entries = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide", id="glossary-dialog"):
            yield Label("Glossary: the words LaunchReady uses, in plain words", classes="dialog-title")
            yield Input(self.word, placeholder="type a word to find it, e.g. CNAME or rotate",
                        id="glossary-find")
            with VerticalScroll(id="glossary-body"):
                yield Markdown(self._text(), id="glossary-text")
            yield Button("Close (Esc)", id="close", variant="primary")

    def _text(self) -> str:
        if not self.entries:
            return f"The glossary file could not be read ({glossary.glossary_path()})."
        return entries_markdown(glossary.search(self.entries, self.word))

    def on_mount(self) -> None:
        self.query_one("#glossary-find", Input).focus()

    @on(Input.Changed, "#glossary-find")
    def _find(self, event: Input.Changed) -> None:
        self.word = event.value
        self.query_one("#glossary-text", Markdown).update(self._text())
        self.query_one("#glossary-body", VerticalScroll).scroll_home(animate=False)

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)
