"""The key bar at the bottom of the main screen: every key a newcomer can press now, each
clickable. It wraps onto a second line on a narrow terminal, so all keys stay visible at
80 columns. While a text field has the focus, letters type into it, so the bar says how
to leave the field instead.

One Static rather than Textual's Footer (a widget per key, recomposed once the bindings
are known): it is on the first frame, and this keeps that frame quick.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

# (key shown, what it does, action)
KEYS: list[tuple[str, str, str]] = [
    ("r", "Run checks", "screen.run_step"),
    ("n", "Next", "screen.next_step"),
    ("p", "Prev", "screen.prev_step"),
    ("d", "Done", "screen.done"),
    ("space", "Tick", "screen.toggle_confirm"),
    ("?", "Help", "app.help"),
    ("q", "Quit", "app.quit"),
    ("R", "Run stage", "screen.run_stage"),
    ("e", "Export", "screen.export"),
    ("c", "Credentials", "app.credentials"),
    ("i", "Incidents", "app.incidents"),
]  # Ctrl+P (every command) is in the help screen: the bar fits one line at 120 columns.
TYPING: list[tuple[str, str, str]] = [
    ("Esc", "Leave the text field (then the keys work again)", "screen.leave_field"),
    ("Tab", "Next field", "app.focus_next"),
]


def keys_content(keys: list[tuple[str, str, str]]) -> Content:
    parts = [
        Content.from_markup(f"[@click={action}][b $footer-key-foreground]$key[/] $what[/]", key=key, what=what)
        for key, what, action in keys
    ]
    return Content("  ").join(parts)


class KeyBar(Static):
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: auto;
        padding: 0 1;
        background: $footer-background;
        color: $footer-foreground;
        link-style: none;
        link-color: $footer-foreground;
        link-background: $footer-background;
        link-style-hover: reverse;
    }
    """

    def __init__(self, **kw) -> None:
        super().__init__(keys_content(KEYS), **kw)
        self._typing = False

    def on_resize(self, event) -> None:
        # A fixed height (that of the full key list at this width), so the screen above
        # never jumps when the bar switches to the shorter "typing" hints: a jump under
        # the mouse would turn a click on a button into a click on a key.
        width = max(10, self.content_region.width or event.size.width)
        lines = len(keys_content(KEYS).wrap(width))
        if self.styles.height is None or self.styles.height.value != lines:
            self.styles.height = lines

    def typing(self, on: bool) -> None:
        """Show how to leave a text field (on) or the normal keys (off)."""
        if on != self._typing:
            self._typing = on
            self.update(keys_content(TYPING if on else KEYS))
