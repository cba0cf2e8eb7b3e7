"""Moved: the database section is the data kinds' own (`Kind.handover`), in
`core/checks/db/_handover.py`; the export lays out every kind's section the same way
(`_build.kind_sections`, `_layout._kind_sections`). These names stay importable until
the mypy list in pyproject.toml stops naming this file."""

from __future__ import annotations

from launchready_tui.core.checks.db._handover import DataView, before_after, data_view

__all__ = ["DataView", "before_after", "data_view"]
