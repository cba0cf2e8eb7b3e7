"""Help: what the app is, the keys, what each status means."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from launchready_tui.core.results import LABEL, SYMBOL, Status

if TYPE_CHECKING:
    from textual import getters

    from launchready_tui.tui.app import LaunchReadyApp

ABOUT = (
    "LaunchReady walks you through seven stages of getting ready to launch. Each stage has "
    "steps. Each step says why it matters and what to do, and has live checks that test your "
    "real setup, boxes to tick, fields to fill in and a place for notes. Everything is saved "
    "as you go, in .launchready/ beside your profile."
)

KEYS = [
    ("r", "run this step's checks"),
    ("R", "run every check of this stage"),
    ("n / p", "next / previous step"),
    ("d", "mark this step done and go to the next one"),
    ("space", "tick or untick the selected tick box"),
    ("Tab", "move to the next part of the screen (Shift+Tab: back)"),
    ("Esc", "leave a text field, so the keys here work again"),
    ("PgUp / PgDn", "scroll the step (Home / End: its top / bottom), wherever you are"),
    ("Enter", "on a check: its details; in the list on the left: open it"),
    ("b", "launch blockers: every problem once, worst first, with owner and priority"),
    ("o", "open your profile (launchready.yaml) in your editor; it reloads when you close it"),
    ("e", "export the handover document (Markdown or HTML)"),
    ("c", "credentials (kept in your computer's keyring)"),
    ("i", "incident runbooks: something is broken right now"),
    ("Ctrl+P", "search every command"),
    ("g", "glossary: what a word means (from this help)"),
    ("?", "this help"),
    ("q", "quit (everything is already saved)"),
]
TEMPORARY = (
    "This demo runs in a temporary folder: when you quit, your ticks, notes and results are "
    "deleted unless you choose \"Keep my work\" (q asks). To keep them from the start, quit "
    "and run:\n  launchready demo --dir {folder}"
)

MEANINGS = {
    Status.PASS: "all is well",
    Status.WARN: "look closer; not broken yet",
    Status.FAIL: "a real problem: select it to see how to fix it",
    Status.ERROR: "the tool could not reach it; this is not a pass",
    Status.SKIP: "your profile lacks a setting; the message names it",
}


def keys_text() -> str:
    return "\n".join(f"  {k:<13} {what}" for k, what in KEYS)


def statuses_text() -> str:
    lines = [f"  {SYMBOL[s]} {LABEL[s]:<16} {MEANINGS[s]}" for s in MEANINGS]
    lines.append(f"  · {'not run yet':<16} press r to run it")
    return "\n".join(lines)


def keys_for(temporary: bool) -> list[tuple[str, str]]:
    if not temporary:
        return KEYS
    return [(k, "quit (asks first: this demo's folder is temporary)" if k == "q" else what)
            for k, what in KEYS]


class HelpScreen(ModalScreen[None]):
    if TYPE_CHECKING:  # the type checker's view of self.app; Textual's own at run time
        app = getters.app(LaunchReadyApp)

    CSS_PATH = "modal.tcss"
    BINDINGS = [Binding("escape,question_mark", "close", "Close help"),
                Binding("g", "glossary", "Glossary")]

    def __init__(self, *, temporary: bool = False, demo_dir: str = "") -> None:
        super().__init__()
        self.temporary = temporary
        self.demo_dir = demo_dir

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide", id="help-dialog"):
            yield Label("Help", classes="dialog-title")
            with VerticalScroll(id="help-body"):
                about = ABOUT
                if self.temporary:
                    about = ABOUT.replace("Everything is saved as you go, in .launchready/ beside "
                                          "your profile.", "Everything is saved as you go, but "
                                          "see below: this demo's folder is temporary.")
                yield Static(about, classes="dialog-text")
                if self.temporary:
                    yield Static(TEMPORARY.format(folder=self.demo_dir or "~/launchready-demo"),
                                 markup=False, classes="dialog-text", id="help-temporary")
                yield Label("Words you do not know?", classes="help-head")
                yield Static("Press g for the glossary: every word the checks and steps use, in plain "
                             "words (also in the command palette, Ctrl+P).", classes="dialog-text")
                yield Label("Keys", classes="help-head")
                yield Static("\n".join(f"  {k:<13} {what}" for k, what in keys_for(self.temporary)),
                             markup=False, classes="help-table")
                yield Static("The mouse works everywhere: click a stage, a check, a box or a button.",
                             classes="dialog-text")
                yield Label("What the results mean (never colour alone)", classes="help-head")
                yield Static(statuses_text(), markup=False, classes="help-table")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Close (Esc)", id="close", variant="primary")
                yield Button("Glossary (g)", id="glossary")

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#glossary")
    def action_glossary(self) -> None:
        self.dismiss(None)
        self.app.action_glossary()
