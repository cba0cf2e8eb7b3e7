"""Help: what the app is, the keys, what each status means."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Markdown

HELP = """\
LaunchReady walks you through **seven stages** of getting ready to launch. Each stage
has **steps**. Each step says why it matters, what to do, and has live **checks** that
test your real setup, boxes to **tick**, fields to **fill in** and a place for **notes**.
Everything is saved as you go, in `.launchready/` beside your profile.

| Key | What it does |
| --- | --- |
| `r` | run this step's checks |
| `R` | run every check of this stage |
| `n` / `p` | next / previous step |
| `d` | mark this step done and go to the next one |
| `space` | tick or untick the selected tick box |
| `Tab` / `Shift+Tab` | move between the parts of the screen |
| `Esc` | leave a text field (so the keys above work again) |
| `e` | export the handover document |
| `c` | credentials (stored in your computer's keyring) |
| `i` | incident runbooks (something is broken right now) |
| `Ctrl+P` | search every command |
| `?` | this help |
| `q` | quit (everything is already saved) |

The mouse works everywhere: click a stage, a check, a box or a button.

**What the results mean** (never colour alone):

| Symbol | Word | Meaning |
| --- | --- | --- |
| ✓ | pass | all is well |
| ! | warning | look closer; not broken yet |
| ✗ | FAIL | a real problem: select it to see how to fix it |
| ? | could not check | the tool could not reach it; not a pass |
| – | skipped | your profile lacks a setting; the message names it |
| · | not run yet | press `r` to run it |
"""


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "modal.tcss"
    BINDINGS = [Binding("escape,question_mark,q", "close", "Close help")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide", id="help-dialog"):
            yield Label("Help", classes="dialog-title")
            with VerticalScroll(id="help-body"):
                yield Markdown(HELP)
            yield Button("Close (Esc)", id="close", variant="primary")

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)
