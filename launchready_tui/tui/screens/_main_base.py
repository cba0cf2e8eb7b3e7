"""What the main screen's mixins may use of the screen, for the type checker only.

The mixins (`check_runner.py`, `commands_runner.py`, `incident_mode.py`) are plain classes
at run time; under TYPE_CHECKING they derive from `MainScreenBase`, which declares the
screen's shared state and the methods one part calls on another, so each mixin is checked
against the same contract `MainScreen` implements.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - nothing here exists at run time
    from collections import OrderedDict

    from textual import getters
    from textual.screen import Screen
    from textual.timer import Timer

    from launchready_tui.core.results import CheckResult
    from launchready_tui.core.runbook import Runbook, Step
    from launchready_tui.tui.app import LaunchReadyApp
    from launchready_tui.tui.screens.commands_runner import CommandRun
    from launchready_tui.tui.session import Session
    from launchready_tui.tui.widgets.step_view import StepView

    class MainScreenBase(Screen[None]):
        app = getters.app(LaunchReadyApp)
        session: Session
        rb: Runbook | None
        st: Step | None
        commands: dict[str, CommandRun]
        _ticker: Timer | None
        _view: StepView | None
        _views: OrderedDict[tuple[str, str], StepView]
        _sidebar_timer: Timer | None
        _result_queue: list[CheckResult]
        _result_timer: Timer | None

        @property
        def view(self) -> StepView | None: ...

        def view_for(self, runbook_id: str, step_id: str) -> StepView | None: ...

        def show_step(self, rb: Runbook, st: Step) -> None: ...

        def _tick(self) -> None: ...
else:
    MainScreenBase = object
