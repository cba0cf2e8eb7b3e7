"""A gap in the deploy path: the project's one finding type (core/checks/_findings.py)."""

from launchready_tui.core.checks._findings import SEVERITY, Finding

__all__ = ["Finding", "SEVERITY"]
