"""Credentials: list the references and add one. A value typed here goes into a masked
field and only into the OS keyring; a missing or locked keyring is explained plainly.

Keyring calls can block (D-Bus, an unlock prompt), so they run in a thread worker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, Static

from launchready_tui.tui.workers import ReportsWorkerErrors

if TYPE_CHECKING:
    from launchready_tui.core.credentials import Credential, CredentialStore
    from launchready_tui.tui.session import Session

NOT_AVAILABLE = ("Credentials are not available yet in this version of LaunchReady. When they "
                 "are, this screen lists where each password or API key lives and who owns it.")


def credential_line(c: Credential) -> str:
    parts = [c.id]
    if c.label:
        parts.append(c.label)
    if c.reference:
        parts.append(f"lives in: {c.reference}")
    parts.append(f"owner: {c.owner or '(nobody yet)'}")
    if c.rotate_every_days:
        parts.append(f"rotate every {c.rotate_every_days} days")
    if c.last_rotated:
        parts.append(f"last rotated {c.last_rotated}")
    parts.append("value in keyring: yes" if c.has_value else "value in keyring: no")
    return "  ·  ".join(parts)


class CredentialsScreen(ReportsWorkerErrors, Screen):
    CSS_PATH = "credentials.tcss"
    BINDINGS = [Binding("escape", "close", "Back")]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.store: CredentialStore | None = None
        self.available = True
        self.keyring_ok: bool | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="cred-body"):
            yield Label("Credentials", classes="screen-title")
            yield Static("Passwords and API keys your launch depends on: where each one lives and "
                         "who owns it. A value you type is stored only in your computer's keyring, "
                         "never in a file and never on screen.", classes="intro")
            yield Static("", id="keyring-status", markup=False)
            yield Label("Recorded credentials", classes="section")
            yield Vertical(id="cred-list")
            yield Label("Add a credential", classes="section", id="add-title")
            with Vertical(id="add-form"):
                for fid, label, placeholder in (
                    ("id", "Short id", "e.g. stripe-live"),
                    ("label", "What it is", "e.g. Stripe live secret key"),
                    ("reference", "Where it lives", "e.g. 1Password > Ops > Stripe live key"),
                    ("owner", "Owner", "a person's name"),
                    ("rotate", "Rotate every", "e.g. 90d, 12w, 1y (optional)"),
                ):
                    yield Label(label, classes="field-label")
                    yield Input(placeholder=placeholder, id=f"c-{fid}")
                yield Label("Value (optional; goes only to the keyring)", classes="field-label")
                yield Input(placeholder="paste the key here, or leave empty", password=True, id="c-value")
                with Horizontal(id="cred-buttons"):
                    yield Button("Add credential", id="add", variant="primary")
                    yield Button("Back (Esc)", id="back")
        yield Footer()

    def on_mount(self) -> None:
        try:
            from launchready_tui.core.credentials import CredentialStore
        except ImportError:
            self.available = False
        if not self.available or self.session.profile is None:
            msg = NOT_AVAILABLE if not self.available else (
                "Credentials belong to a project: create or fix your profile (launchready.yaml) first.")
            self.query_one("#keyring-status", Static).update(msg)
            self.query_one("#add-form").display = False
            self.query_one("#add-title").display = False
            return
        self.store = CredentialStore.for_profile(self.session.profile, self.session.store)
        self.query_one("#keyring-status", Static).update("Checking your keyring…")
        self.refresh_list()
        self.probe_keyring(self.store)
        self.query_one("#c-id", Input).focus()

    def refresh_list(self) -> None:
        box = self.query_one("#cred-list", Vertical)
        box.remove_children()
        try:
            creds = self.store.list() if self.store is not None else []
        except Exception as e:  # a damaged state file: say so, don't crash
            box.mount(Static(f"Could not read the list: {e}", markup=False))
            return
        if not creds:
            box.mount(Static("None yet. Add the keys your app cannot live without: payments, "
                             "email, database, hosting.", classes="empty"))
        else:
            box.mount_all([Static(credential_line(c), markup=False, classes="cred") for c in creds])

    @work(thread=True, exit_on_error=False, group="keyring")
    def probe_keyring(self, store: CredentialStore) -> None:
        from launchready_tui.core.credentials import KeyringProblem

        try:
            store.keyring()
        except KeyringProblem as e:
            self.app.call_from_thread(self._keyring_problem, e.reason, e.fix)
            return
        except Exception as e:  # noqa: BLE001 - any backend failure is a keyring problem here
            self.app.call_from_thread(self._keyring_problem, f"the keyring failed ({type(e).__name__})",
                                      "Try again in your desktop session.")
            return
        self.app.call_from_thread(self._keyring_ready)

    def _keyring_ready(self) -> None:
        self.keyring_ok = True
        self.query_one("#keyring-status", Static).update("✓ Your keyring is ready: values you add are stored there.")
        self.query_one("#keyring-status").set_classes("-ok")

    def _keyring_problem(self, reason: str, fix: str) -> None:
        self.keyring_ok = False
        from launchready_tui.core.credentials import KEYRING_IS, keyring_steps

        if "plain file" in reason:  # a plaintext backend: the fix is to remove it, not the steps
            steps = f"How to fix it: {fix}"
        else:
            kind = "locked" if "locked" in reason else "unavailable"
            steps = "What to do:\n" + "\n".join(f"• {where}: {what}" for where, what in keyring_steps(kind))
        self.query_one("#keyring-status", Static).update(
            f"! Your keyring cannot store values right now ({reason}).\n\n{KEYRING_IS}\n\n{steps}\n\n"
            "You can still record where a credential lives and who owns it: leave the value empty."
        )
        self.query_one("#keyring-status").set_classes("-problem")

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        if event.input.id == "c-value":
            self._add()
        else:
            self.focus_next()

    @on(Button.Pressed, "#add")
    def _add(self) -> None:
        if self.store is None:
            return
        vals = {f: self.query_one(f"#c-{f}", Input).value.strip()
                for f in ("id", "label", "reference", "owner", "rotate")}
        value_input = self.query_one("#c-value", Input)
        value = value_input.value or None
        self.add_credential(self.store, vals, value)

    @work(thread=True, exit_on_error=False, group="keyring")
    def add_credential(self, store: CredentialStore, vals: dict[str, str], value: str | None) -> None:
        from launchready_tui.core.credentials import Credential, KeyringProblem, parse_cadence
        from launchready_tui.core.errors import LaunchReadyError

        try:
            cred = Credential(id=vals["id"], label=vals["label"], reference=vals["reference"],
                              owner=vals["owner"], rotate_every_days=parse_cadence(vals["rotate"] or None))
            store.add(cred, value)
        except KeyringProblem as e:
            self.app.call_from_thread(self._keyring_problem, e.reason, e.fix)
            self.app.call_from_thread(self.notify, "Not added: the keyring cannot store the value. "
                                      "See the explanation at the top.", severity="error", timeout=10)
            return
        except LaunchReadyError as e:
            msg = "; ".join(p.message for p in e.problems)
            self.app.call_from_thread(self.notify, f"Not added: {msg}", severity="error", timeout=10)
            return
        self.app.call_from_thread(self._added, cred.id, value is not None)

    def _added(self, cid: str, with_value: bool) -> None:
        for f in ("id", "label", "reference", "owner", "rotate", "value"):
            self.query_one(f"#c-{f}", Input).value = ""
        self.refresh_list()
        self.notify(f"Added {cid}" + (" (value stored in the keyring)." if with_value else "."))
        self.query_one("#c-id", Input).focus(scroll_visible=False)
        self.query_one("#cred-body").scroll_home(animate=False)

    @on(Button.Pressed, "#back")
    def action_close(self) -> None:
        self.app.pop_screen()
