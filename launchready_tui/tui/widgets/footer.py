"""The key bar: Textual's Footer, on two rows when the terminal is narrow, so that every
key (r n p d space ? q R e c i) stays visible at 80 columns."""

from __future__ import annotations

from textual import events
from textual.widgets import Footer

NARROW = 110


class KeyFooter(Footer):
    DEFAULT_CSS = """
    KeyFooter.-two-rows {
        layout: grid;
        grid-columns: auto;
        grid-gutter: 0 1;
        height: 2;
        FooterKey {
            margin: 0;
        }
    }
    """

    def compose(self):
        items = list(super().compose())
        yield from items
        if self.has_class("-two-rows"):
            # Footer sets one grid column per key; two rows need half as many.
            self.styles.grid_size_columns = max(1, (len(items) + 1) // 2)

    def on_resize(self, event: events.Resize) -> None:
        narrow = event.size.width < NARROW
        if narrow != self.has_class("-two-rows"):
            self.set_class(narrow, "-two-rows")
            self.show_command_palette = not narrow
            self.refresh(recompose=True)
