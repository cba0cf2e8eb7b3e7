"""The live blocks of a step: confirm tick boxes, record fields, command blocks, notes."""

from __future__ import annotations

import datetime as dt

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Checkbox, Input, Label, Log, Static, TextArea

from launchready_tui.core.fields import field_problem
from launchready_tui.core.runbook import Command, Confirm, Record


def when_text(at: str) -> str:
    """"2026-11-28T12:03:00+00:00" -> "28 Nov 2026 12:03 UTC" (short, readable, stable)."""
    try:
        t = dt.datetime.fromisoformat(at)
    except (TypeError, ValueError):
        return str(at or "")
    return t.strftime("%d %b %Y %H:%M UTC")


class TickBox(Checkbox):
    """A checkbox that is empty until ticked (Textual's default shows a dim X when off,
    which reads as "ticked" or "wrong" to someone new)."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # noqa: N802 - Textual's name
        return "✓" if self.value else " "


class ConfirmRow(Vertical):
    """A statement to tick. Ticking records who and when. The statement wraps, and
    clicking it ticks the box too."""

    class Toggled(Message):
        def __init__(self, row: ConfirmRow, checked: bool) -> None:
            self.row = row
            self.checked = checked
            super().__init__()

    def __init__(self, block: Confirm, entry: dict | None) -> None:
        super().__init__(classes="confirm-row")
        self.block = block
        self.entry = entry

    def compose(self) -> ComposeResult:
        label = self.block.text
        if self.block.blocker:
            label += "  (launch blocker)"
        with Horizontal(classes="confirm-line"):
            yield TickBox("", value=bool(self.entry), compact=True, classes="confirm-box")
            yield Label(label, classes="confirm-text")
        yield Label(self._who_text(), classes="who")

    def _who_text(self) -> str:
        if not self.entry:
            return "Not ticked yet. When it is true, click the box or press space on it."
        return f"✓ Ticked by {self.entry.get('by', '?')} on {when_text(self.entry.get('at', ''))}"

    @property
    def checkbox(self) -> Checkbox:
        return self.query_one(TickBox)

    def toggle(self) -> None:
        self.checkbox.toggle()

    @on(Checkbox.Changed)
    def _changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        self.post_message(self.Toggled(self, event.value))

    def on_click(self, event) -> None:
        if event.widget is not None and event.widget.has_class("confirm-text"):
            self.checkbox.focus()
            self.toggle()

    def show_entry(self, entry: dict | None) -> None:
        self.entry = entry
        self.set_class(bool(entry), "-checked")
        self.query_one(".who", Label).update(self._who_text())

    def on_mount(self) -> None:
        self.set_class(bool(self.entry), "-checked")


class RecordBlock(Vertical):
    """Fields to fill in. Each change is saved (nothing typed is lost)."""

    class FieldChanged(Message):
        def __init__(self, block: RecordBlock, field_id: str, value: str) -> None:
            self.block = block
            self.field_id = field_id
            self.value = value
            super().__init__()

    def __init__(self, block: Record, values: dict[str, str]) -> None:
        super().__init__(classes="record-block")
        self.block = block
        self.values = values

    def compose(self) -> ComposeResult:
        yield Label(self.block.label, classes="record-title")
        for f in self.block.fields:
            yield Label(f.label, classes="field-label")
            if f.help:
                yield Static(f.help, classes="field-help")
            value = self.values.get(f.id, "")
            if f.type == "multiline":
                ta = TextArea(value, soft_wrap=True, classes="field-area", id=f"field-{f.id}")
                ta.field_id = f.id  # type: ignore[attr-defined]
                yield ta
            else:
                box = Input(value, placeholder=_placeholder(f.type), classes="field-input",
                            id=f"field-{f.id}")
                yield box
                problem = field_problem(f.type, value)
                box.set_class(bool(problem), "-bad-value")
                err = Label(_error_text(problem), classes="field-error", id=f"error-{f.id}", markup=False)
                err.display = bool(problem)
                yield err

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        event.stop()
        fid = (event.input.id or "").removeprefix("field-")
        self.values[fid] = event.value
        self._mark(fid, event.input, event.value)
        self.post_message(self.FieldChanged(self, fid, event.value))

    def _mark(self, fid: str, box: Input, value: str) -> None:
        """Kept as typed, but marked when it does not fit: a date must be YYYY-MM-DD, a
        URL an https:// address. The handover shows such a value as not checked."""
        ftype = next((f.type for f in self.block.fields if f.id == fid), "text")
        problem = field_problem(ftype, value)
        box.set_class(bool(problem), "-bad-value")
        try:
            err = self.query_one(f"#error-{fid}", Label)
        except Exception:  # noqa: BLE001 - not composed yet
            return
        err.update(_error_text(problem))
        err.display = bool(problem)

    def problems(self) -> dict[str, str]:
        """Field id -> what is wrong, for the fields whose value does not fit."""
        out = {}
        for f in self.block.fields:
            p = field_problem(f.type, self.values.get(f.id, ""))
            if p:
                out[f.id] = p
        return out

    @on(TextArea.Changed)
    def _area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        fid = (event.text_area.id or "").removeprefix("field-")
        self.post_message(self.FieldChanged(self, fid, event.text_area.text))


def _error_text(problem: str | None) -> str:
    if not problem:
        return ""
    return f"✗ {problem}. Kept as you typed it, but marked as not checked (also in the handover)."


def _placeholder(ftype: str) -> str:
    return {
        "url": "https://…",
        "date": "YYYY-MM-DD",
        "owner": "a person's name",
        "credential": "where it lives, e.g. 1Password > Ops > Stripe key (never the key itself)",
        "number": "a number",
    }.get(ftype, "type here")


class CommandBlock(Vertical):
    """A shell command from the runbook. It runs only after you confirm it in a dialog."""

    class RunRequested(Message):
        def __init__(self, block: CommandBlock) -> None:
            self.block = block
            super().__init__()

    def __init__(self, block: Command, command: str | None, missing: str | None,
                 lines: list[str], state: str) -> None:
        super().__init__(classes="command-block")
        self.block = block
        self.command = command
        self.missing = missing
        self._lines = lines
        self._state = state

    def compose(self) -> ComposeResult:
        if self.block.label:
            yield Label(self.block.label, classes="command-label")
        yield Static(self.command or self.block.run, classes="command-text", markup=False)
        with Horizontal(classes="command-bar"):
            yield Button("Run…", id="run-command", variant="warning", compact=True,
                         disabled=self.command is None or self._state == "running")
            yield Label(self._status_text(), classes="command-status")
        log = Log(classes="command-output", max_lines=2000)
        log.display = bool(self._lines)
        yield log

    def _status_text(self) -> str:
        if self.command is None:
            return f"Fill in `{self.missing}` in launchready.yaml to run this (press o to edit it)."
        return {
            "idle": "Opens a dialog that shows the exact command first.",
            "running": "Running… the output appears below.",
        }.get(self._state, self._state)

    def on_mount(self) -> None:
        if self._lines:
            self.query_one(Log).write_lines(self._lines)

    @on(Button.Pressed, "#run-command")
    def _run(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.RunRequested(self))

    def started(self) -> None:
        self._state = "running"
        self.query_one("#run-command", Button).disabled = True
        self.query_one(".command-status", Label).update(self._status_text())
        log = self.query_one(Log)
        log.clear()
        log.display = True

    def write(self, line: str) -> None:
        self.query_one(Log).write_line(line)

    def finished(self, text: str) -> None:
        self._state = text
        self.query_one("#run-command", Button).disabled = False
        self.query_one(".command-status", Label).update(text)


class NotesField(Vertical):
    """Free notes for this step, saved as you type."""

    class Changed(Message):
        def __init__(self, text: str) -> None:
            self.text = text
            super().__init__()

    def __init__(self, text: str) -> None:
        super().__init__(classes="notes")
        self.text = text

    def compose(self) -> ComposeResult:
        yield Label("Your notes for this step (saved as you type)", classes="field-label")
        yield TextArea(self.text, soft_wrap=True, id="notes-area")

    @on(TextArea.Changed)
    def _changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(event.text_area.text))
