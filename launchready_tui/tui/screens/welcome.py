"""The first screen when there is no profile: what this is, and how to start."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Center, Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Label, Static

if TYPE_CHECKING:
    from textual import getters

    from launchready_tui.tui.app import LaunchReadyApp

WELCOME = (
    "LaunchReady walks you, step by step, from \"it works on my machine\" to a launch your "
    "first customers can rely on. It has seven stages, from a quick audit to a handover "
    "document. Each step explains why it matters and what to click, and runs live checks on "
    "your real setup: DNS, certificates, redirects, email, secrets, uptime and more.\n\n"
    "To check your setup it needs a short description of your project: a file called "
    "launchready.yaml in this folder. It holds names and addresses only, never passwords."
)


class WelcomeScreen(Screen):
    if TYPE_CHECKING:  # the type checker's view of self.app; Textual's own at run time
        app = getters.app(LaunchReadyApp)

    CSS_PATH = "welcome.tcss"

    def __init__(self, profile_path: str) -> None:
        super().__init__()
        self.profile_path = profile_path

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="welcome-scroll"):
            with Center():
                with Vertical(id="welcome-box"):
                    yield Label("Welcome to LaunchReady", id="welcome-title")
                    yield Static(WELCOME, id="welcome-text")
                    yield Static(self._missing_text(), id="welcome-missing", markup=False)
                    with Horizontal(id="welcome-buttons"):
                        yield Button("Create my profile", id="create", variant="primary")
                        yield Button("Look around first", id="browse")
                        yield Button("Quit", id="quit")
                    yield Static(
                        "Create my profile asks a few short questions (the same as running "
                        "`launchready init`). Not ready yet? Quit and run `launchready demo` to "
                        "try it on a built-in test lab, with nothing to set up.",
                        id="welcome-hint",
                    )
        yield Footer()

    def _missing_text(self) -> str:
        from pathlib import Path

        p = Path(self.profile_path)
        if p.parent == Path.cwd():
            return f"There is no {p.name} in this folder yet."
        return f"There is no profile at {p} yet."

    def on_mount(self) -> None:
        self.query_one("#create", Button).focus()
        from launchready_tui.tui.app import startup_done

        self.call_after_refresh(startup_done)

    @on(Button.Pressed, "#create")
    def _create(self) -> None:
        self.app.action_init_profile()

    @on(Button.Pressed, "#browse")
    def _browse(self) -> None:
        self.app.open_main()

    @on(Button.Pressed, "#quit")
    def _quit(self) -> None:
        self.app.exit()
