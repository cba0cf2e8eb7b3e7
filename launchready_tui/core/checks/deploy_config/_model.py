"""A gap in the deploy path is the project's one finding type, `core/findings.py`'s
`Finding`; deploy_config imports it from there. This name stays only because pyproject's
mypy lists name this file: remove it together with those two entries."""

from launchready_tui.core.findings import Finding

__all__ = ["Finding"]
