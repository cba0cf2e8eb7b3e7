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
    """Returns the chosen incident runbook id, "@history" (the earlier incidents), or None."""

    CSS_PATH = "modal.tcss"
    BINDINGS = [Binding("escape", "cancel", "Close"), Binding("h", "history", "Earlier incidents")]

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
                             "mode starts a clock (with that runbook's own time budget, if it has "
                             "one) and keeps a timeline of everything you do.", classes="dialog-text")
                yield OptionList(
                    *[Option(f"{short_title(rb)} — {rb.goal}", id=rb.id) for rb in self.runbooks],
                    id="incident-list",
                )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Close (Esc)", id="cancel")
                yield Button("Earlier incidents (h)", id="history")

    @on(OptionList.OptionSelected, "#incident-list")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    @on(Button.Pressed, "#history")
    def action_history(self) -> None:
        self.dismiss("@history")

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


class QuitWithIncidentScreen(ModalScreen[str | None]):
    """Quitting while an incident is open: "quit" (it stays open and resumes next time),
    "end" (write the note first) or None (keep working)."""

    CSS_PATH = "modal.tcss"
    BINDINGS = [Binding("escape", "cancel", "Keep working")]

    def __init__(self, title: str, elapsed: str) -> None:
        super().__init__()
        self.title_text = title
        self.elapsed = elapsed

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("An incident is still open", classes="dialog-title")
            yield Static(f"{self.title_text[:1].upper()}{self.title_text[1:]}, open for {self.elapsed}. If you quit now it stays open "
                         "(its clock keeps running) and the app opens it again next time. Or end it "
                         "now and write the incident note.", classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Keep working (Esc)", id="cancel", variant="primary")
                yield Button("End it first", id="end")
                yield Button("Quit, leave it open", id="quit", variant="error")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    @on(Button.Pressed, "#quit")
    def _quit(self) -> None:
        self.dismiss("quit")

    @on(Button.Pressed, "#end")
    def _end(self) -> None:
        self.dismiss("end")

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


def incident_line(inc: dict) -> str:
    """"Deploy broke production · 28 Nov 2026 12:00 UTC · 05:10 · rolled back and verified at 00:58"."""
    from launchready_tui.core.incidents import elapsed_s, format_clock, parse_iso, utcnow, verdict

    try:
        start = parse_iso(str(inc.get("started_at")))
        when = f"{start:%d %b %Y %H:%M} UTC"
    except (TypeError, ValueError):
        when = str(inc.get("started_at") or "")
    state = f"took {format_clock(elapsed_s(inc, utcnow()))}" if inc.get("ended_at") else "STILL OPEN"
    parts = [str(inc.get("title") or inc.get("runbook") or inc.get("id")), when, state]
    if verdict(inc):
        parts.append(verdict(inc))
    return " · ".join(parts)


class PastIncidentsScreen(ModalScreen[None]):
    """Every incident, newest first; Enter shows its note (the saved file, or the note as
    it stands for one still open)."""

    CSS_PATH = "modal.tcss"
    BINDINGS = [Binding("escape", "close", "Close")]

    def __init__(self, incidents: list[dict], project: str = "") -> None:
        super().__init__()
        self.incidents = list(reversed(incidents))
        self.project = project

    def compose(self) -> ComposeResult:
        from textual.containers import VerticalScroll

        with Vertical(classes="dialog wide", id="past-dialog"):
            yield Label("Earlier incidents", classes="dialog-title")
            if not self.incidents:
                yield Static("No incident has been recorded yet.", classes="dialog-text")
            else:
                yield OptionList(*[Option(incident_line(i), id=str(i.get("id"))) for i in self.incidents],
                                 id="past-list")
                with VerticalScroll(id="past-note"):
                    yield Static("Pick one to read its note.", id="past-note-text", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Close (Esc)", id="close")

    @on(OptionList.OptionHighlighted, "#past-list")
    @on(OptionList.OptionSelected, "#past-list")
    def _show(self, event) -> None:
        inc = next((i for i in self.incidents if str(i.get("id")) == event.option.id), None)
        if inc is not None:
            self.query_one("#past-note-text", Static).update(self.note_text(inc))

    def note_text(self, inc: dict) -> str:
        from pathlib import Path

        from launchready_tui.core.incidents import render_note_plain

        path = inc.get("note_path")
        if path and Path(path).is_file():
            try:
                return Path(path).read_text(encoding="utf-8")
            except OSError:
                pass
        # Never written (still open): the plain note from the timeline, which holds no
        # secret values (command output is never stored in it).
        return render_note_plain(inc, project=self.project)

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)
