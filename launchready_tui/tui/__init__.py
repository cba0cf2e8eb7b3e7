"""The Textual app. Imported only by the `tui`, `demo`, `init` and `incident` commands."""
