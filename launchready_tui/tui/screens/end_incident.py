"""Ending an incident: the runbook's note form (its last step's record), then the note is
saved.

The dialog and the last step's form are the same data: the dialog opens filled in with
what the step's form holds, and what is typed here goes back into that form (and into
the note). Every field of the form is shown, none is dropped. The fields scroll; the
buttons stay at the bottom, so they are visible at 80x24.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static, TextArea


@dataclass(frozen=True)
class NoteField:
    id: str
    label: str
    multiline: bool = False
    help: str = ""


# When the runbook has no note form of its own.
DEFAULT_FIELDS = (
    NoteField("impact", "What customers saw, and for how long"),
    NoteField("detection", "How you found out (alert, customer, teammate)"),
    NoteField("cause", "The cause, as far as you know"),
    NoteField("customer_communication", "What you told customers, and where"),
    NoteField("follow_ups", "Follow-ups, with owners"),
)
FIELDS = [(f.id, f.label) for f in DEFAULT_FIELDS]  # kept for older callers


def note_form(rb):
    """(step, record block) of the runbook's note form: the last record block, looked for
    from the last step back. (None, None) when it has none."""
    for st in reversed(rb.steps):
        recs = st.records
        if recs:
            return st, recs[-1]
    return None, None


def fields_of(record) -> tuple[NoteField, ...]:
    return tuple(NoteField(f.id, f.label, f.type == "multiline", f.help) for f in record.fields)


class EndIncidentScreen(ModalScreen[dict | None]):
    """Returns {field id: value} for every field (empty ones too), or None to keep the
    incident open."""

    CSS_PATH = "modal.tcss"
    BINDINGS = [Binding("escape", "cancel", "Keep the incident open"),
                Binding("ctrl+s", "end", "End the incident and save the note")]

    def __init__(self, fields: tuple[NoteField, ...] = DEFAULT_FIELDS,
                 values: dict[str, str] | None = None, *, source: str = "") -> None:
        super().__init__()
        self.fields = tuple(fields) or DEFAULT_FIELDS
        self.values = dict(values or {})
        self.source = source

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="end-dialog"):
            yield Label("End the incident", classes="dialog-title")
            where = f" (the same form as the step '{self.source}')" if self.source else ""
            yield Static(f"Fill in what you know{where}; any field may stay empty. The note, with "
                         "the whole timeline, is saved under .launchready/incidents/.",
                         classes="dialog-text")
            with VerticalScroll(id="end-fields"):
                for f in self.fields:
                    yield Label(f.label, classes="field-label")
                    value = self.values.get(f.id, "")
                    if f.multiline:
                        yield TextArea(value, soft_wrap=True, id=f"f-{f.id}", classes="end-area")
                    else:
                        yield Input(value, id=f"f-{f.id}")
            with Horizontal(classes="dialog-buttons", id="end-buttons"):
                yield Button("Keep it open (Esc)", id="cancel")
                yield Button("End incident, save the note (Ctrl+S)", id="end", variant="error")

    def on_mount(self) -> None:
        for f in self.fields:  # typing goes on after what the step's form already holds
            w = self.query_one(f"#f-{f.id}")
            if isinstance(w, TextArea):
                w.move_cursor(w.document.end)
            else:
                field = self.query_one(f"#f-{f.id}", Input)
                field.select_on_focus = False
                field.cursor_position = len(field.value)
        self.query_one(f"#f-{self.fields[0].id}").focus()

    def _value(self, fid: str) -> str:
        w = self.query_one(f"#f-{fid}")
        text = w.text if isinstance(w, TextArea) else self.query_one(f"#f-{fid}", Input).value
        return text.strip()

    @on(Button.Pressed, "#end")
    def action_end(self) -> None:
        self.dismiss({f.id: self._value(f.id) for f in self.fields})

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
