"""Moved: the AI assistant section is `ai_probe`'s own (`Kind.handover`), in
`core/checks/_ai_handover.py`; the export lays out every kind's section the same way
(`_build.kind_sections`, `_layout._kind_sections`). These names stay importable until
the mypy list in pyproject.toml stops naming this file."""

from __future__ import annotations

from launchready_tui.core.checks._ai_handover import AiEndpointView, AiSection, _worked, ai_view

__all__ = ["AiEndpointView", "AiSection", "_worked", "ai_view"]
