"""One check on one target: a status badge (symbol + word), the summary, the target."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Label

from launchready_tui.core.results import CheckResult
from launchready_tui.tui.widgets.status import (
    RUNNING,
    apply_status_class,
    badge_text,
    sentence_case,
)


class CheckRow(Horizontal, can_focus=True):
    """Focus it (Tab or click) to see its evidence and fix in the detail panel. Up and
    down move between rows; Enter opens the details full size."""

    BINDINGS = [
        Binding("up", "move(-1)", "Previous check", show=False),
        Binding("down", "move(1)", "Next check", show=False),
        Binding("enter", "open", "Details", show=False),
    ]

    status: reactive[str | None] = reactive(None, init=False, always_update=True)

    class Selected(Message):
        def __init__(self, row: CheckRow) -> None:
            self.row = row
            super().__init__()

    class Opened(Message):
        """Enter or a click: show the details (full size on a narrow screen)."""

        def __init__(self, row: CheckRow) -> None:
            self.row = row
            super().__init__()

    def __init__(self, key: str, about: str, target: str, result: CheckResult | None) -> None:
        super().__init__(classes="check-row")
        self.key = key
        self.about = about
        self.target = target
        self.result = result
        self._ready = False

    def compose(self) -> ComposeResult:
        yield Label(classes="badge")
        with Vertical(classes="text"):
            yield Label(classes="summary")
            yield Label("", classes="target")

    def on_mount(self) -> None:
        self._ready = True
        self._paint()

    def _paint(self) -> None:
        if not self._ready:
            return
        st = RUNNING if self.status == RUNNING else (self.result.status if self.result else None)
        badge = self.query_one(".badge", Label)
        apply_status_class(badge, st)  # on the badge only: one node to restyle, not five
        badge.update(badge_text(st))
        if self.status == RUNNING:
            text = "checking now…"
        elif self.result is None:
            text = ""
        else:
            text = self.result.summary
            # The badge already says "could not check" / "skipped": don't say it twice.
            for prefix in ("Could not check: ", "Skipped: "):
                if text.startswith(prefix):
                    text = text[len(prefix):]
                    text = sentence_case(text)
        if "`" in text:  # `code` in a summary: styled, not shown as backticks
            from launchready_tui.tui.widgets.detail import with_code

            self.query_one(".summary", Label).update(with_code(text))
        else:
            self.query_one(".summary", Label).update(text)
        target = self.result.target if self.result is not None and self.result.target else self.target
        if "://" in target or "=" in target:  # a profile URL may carry a password or token
            from launchready_tui.core.redact import clean_url

            target = clean_url(target)
        # The target goes on its own muted line, unless the summary already names it.
        show = target not in ("", "-") and target not in text
        if not text:  # not run yet: the target alone, on the first line
            self.query_one(".summary", Label).update(target if target not in ("", "-") else "not run yet")
            show = False
        tl = self.query_one(".target", Label)
        tl.update(target if show else "")
        tl.display = show

    def set_result(self, result: CheckResult) -> None:
        self.result = result
        self.status = str(result.status)

    def set_running(self) -> None:
        self.status = RUNNING

    def watch_status(self) -> None:
        self._paint()

    def on_focus(self) -> None:
        self.post_message(self.Selected(self))

    def on_click(self, event: events.Click) -> None:
        self.focus()
        self.post_message(self.Opened(self))

    def action_open(self) -> None:
        self.post_message(self.Opened(self))

    def action_move(self, delta: int) -> None:
        rows = list(self.parent.parent.query(CheckRow)) if self.parent and self.parent.parent else [self]
        i = rows.index(self) + delta
        if 0 <= i < len(rows):
            rows[i].focus()
            rows[i].scroll_visible(animate=False)
