"""The problems screen: what is wrong in the profile or a runbook, with file and line."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from launchready_tui.core.errors import Problem


def problem_text(p: Problem) -> str:
    where = p.file or "<input>"
    if p.line:
        where += f", line {p.line}"
    text = f"{where}\n    "
    if p.field:
        text += f"{p.field}: "
    text += p.message
    if p.expected:
        text += f" (expected {p.expected})"
    return text


class ProblemsScreen(ModalScreen[str | None]):
    """Returns "reload" when the person fixed the files and wants to try again."""

    CSS_PATH = "modal.tcss"
    BINDINGS = [Binding("escape", "close", "Close")]

    def __init__(self, problems: list[Problem], *, profile_broken: bool) -> None:
        super().__init__()
        self.problems = problems
        self.profile_broken = profile_broken

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            n = len(self.problems)
            yield Label(f"{n} problem{'s' if n != 1 else ''} found in your files", classes="dialog-title")
            if self.profile_broken:
                intro = ("Your profile (launchready.yaml) has a mistake, so checks cannot run until "
                         "it is fixed. You can still read every runbook, tick boxes and take notes.")
            else:
                intro = ("These runbooks could not be read and are left out. Everything else "
                         "works as usual.")
            yield Static(intro, classes="dialog-text")
            with VerticalScroll(id="problem-list"):
                for p in self.problems:
                    yield Static(problem_text(p), markup=False, classes="problem")
            yield Static("Fix the file in any text editor, save it, then press Reload.",
                         classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Continue (Esc)", id="close", variant="primary")
                yield Button("Reload files", id="reload")

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#reload")
    def _reload(self) -> None:
        self.dismiss("reload")
