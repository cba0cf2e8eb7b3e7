"""The guided setup inside the app: the same questions as `launchready init`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Footer, Header, Input, Label, Static

from launchready_tui.commands.init import (
    Answers,
    build_profile,
    check_host,
    check_url,
    clean_domain,
    parse_email,
    parse_hosts,
    write_profile,
)

if TYPE_CHECKING:
    from textual import getters

    from launchready_tui.tui.app import LaunchReadyApp

QUESTIONS = [
    ("project", "Project name", "The name of your product, e.g. Acme Creators.", "Acme Creators"),
    ("domain", "Domain", "The root domain customers type, without https:// or www.", "acme.example"),
    ("hosts", "Other host names", "Separated by spaces.", "www.acme.example app.acme.example api.acme.example"),
    ("email", "Who sends your email", "Google Workspace, Microsoft 365, Postmark, SendGrid, Resend…",
     "Google Workspace, Postmark"),
    ("production_url", "Production address", "Where customers use the app.", "https://app.acme.example"),
    ("production_env_file", "Production env file", "A file with production's settings, if you have one here.",
     ".env.production"),
    ("staging_url", "Staging address", "A private test copy, if you have one.", "https://staging.acme.example"),
    ("staging_env_file", "Staging env file", "", ".env.staging"),
]


class OverwriteScreen(ModalScreen[bool]):
    CSS_PATH = "modal.tcss"
    BINDINGS = [Binding("escape", "no", "Keep it")]

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Replace your profile?", classes="dialog-title")
            yield Static(f"{self.path} exists already. Replacing it loses what is in it.",
                         markup=False, classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Keep it (Esc)", id="no", variant="primary")
                yield Button("Replace it", id="yes", variant="error")

    @on(Button.Pressed, "#yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def action_no(self) -> None:
        self.dismiss(False)


class InitScreen(Screen):
    if TYPE_CHECKING:  # the type checker's view of self.app; Textual's own at run time
        app = getters.app(LaunchReadyApp)

    CSS_PATH = "init_form.tcss"
    BINDINGS = [Binding("escape", "back", "Back")]

    def __init__(self, profile_path: Path) -> None:
        super().__init__()
        self.profile_path = profile_path
        self._flagged: dict[str, str] = {}  # env file fields flagged as missing once

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="init-box"):
            yield Label("Describe your project", id="init-title")
            yield Static("Only the first two are needed. Skip anything you don't know yet: you can "
                         "fill it in later in launchready.yaml. Names and addresses only, never "
                         "passwords.", id="init-intro")
            for fid, label, help_text, example in QUESTIONS:
                yield Label(label, classes="field-label")
                if help_text:
                    yield Static(help_text, classes="field-help")
                yield Input(placeholder=f"e.g. {example}", id=f"q-{fid}")
                yield Label("", id=f"err-{fid}", classes="field-error")
            with Horizontal(id="init-buttons"):
                yield Button("Write launchready.yaml", id="save", variant="primary")
                yield Button("Back (Esc)", id="back")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#q-project", Input).focus()

    def _value(self, fid: str) -> str:
        return self.query_one(f"#q-{fid}", Input).value.strip()

    def _error(self, fid: str, text: str) -> None:
        self.query_one(f"#err-{fid}", Label).update(text)

    def answers(self) -> Answers | None:
        for fid, *_ in QUESTIONS:
            self._error(fid, "")
        ok = True
        if not self._value("project"):
            self._error("project", "✗ Needed: type your product's name.")
            ok = False
        err = check_host(self._value("domain"))
        if err:
            self._error("domain", f"✗ {err}.")
            ok = False
        hosts = parse_hosts(self._value("hosts"))
        bad = next((e for e in (check_host(h) for h in hosts) if e), None)
        if bad:
            self._error("hosts", f"✗ {bad}.")
            ok = False
        for fid in ("production_url", "staging_url"):
            err = check_url(self._value(fid)) if self._value(fid) else None
            if err:
                self._error(fid, f"✗ {err}.")
                ok = False
        missing = []
        for fid in ("production_env_file", "staging_env_file"):
            name = self._value(fid)
            p = Path(name).expanduser()
            if name and not (p if p.is_absolute() else self.profile_path.parent / p).is_file():
                # Flagged once; saving again keeps it (it may exist only on the server).
                if self._flagged.get(fid) != name:
                    self._flagged[fid] = name
                    self._error(fid, f"✗ There is no file '{name}' in {self.profile_path.parent}. Fix the "
                                "name, empty the field, or press Save again to keep it.")
                    ok = False
                else:
                    missing.append(name)
        if not ok:
            return None
        return Answers(
            project=self._value("project"),
            domain=clean_domain(self._value("domain")),
            hosts=hosts,
            email=parse_email(self._value("email")),
            production_url=self._value("production_url"),
            staging_url=self._value("staging_url"),
            production_env_file=self._value("production_env_file"),
            staging_env_file=self._value("staging_env_file"),
            missing_env_files=missing,
        )

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        self.focus_next()

    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        a = self.answers()
        if a is None:
            bad = next(fid for fid, *_ in QUESTIONS if str(self.query_one(f"#err-{fid}", Label).render()))
            self.query_one(f"#q-{bad}", Input).focus()
            self.notify("An answer needs fixing: see the ✗ under it.", severity="warning")
            return
        text = build_profile(a)
        if self.profile_path.exists():
            def answered(yes: bool | None) -> None:
                if yes:
                    self._write(text)

            self.app.push_screen(OverwriteScreen(self.profile_path), answered)
        else:
            self._write(text)

    def _write(self, text: str) -> None:
        from launchready_tui.core.errors import LaunchReadyError

        try:
            write_profile(self.profile_path, text, overwrite=True)
        except (LaunchReadyError, OSError) as e:
            self.notify(f"Could not write the profile: {e}", severity="error", timeout=10)
            return
        self.notify(f"Wrote {self.profile_path}. Welcome aboard: start with stage 1.", timeout=8)
        self.app.open_main(reload=True)

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        self.app.pop_screen()
