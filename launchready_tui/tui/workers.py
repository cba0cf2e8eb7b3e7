"""Worker errors never vanish.

A Textual worker started with `exit_on_error=False` that raises only changes state: its
`Worker.StateChanged` goes to the node that started it and does not bubble. The app has
the one handler (`LaunchReadyApp.report_crashed_worker`, which shows the plain reason);
screens that start workers mix in `ReportsWorkerErrors` so theirs reach it too.
"""

from __future__ import annotations

from textual.worker import Worker, WorkerState


def crash_message(error: BaseException | None) -> str:
    """What the person sees: the plain reason, and that nothing they did is lost."""
    reason = f"{type(error).__name__}: {error}" if error is not None else "unknown error"
    return f"Something went wrong ({reason}). Your work is saved; try again."


class ReportsWorkerErrors:
    """For screens: send this screen's crashed workers to the app's one handler."""

    # by name, not @on: Textual collects @on handlers only from Widget classes, not mixins
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.app.report_crashed_worker(event.worker)  # type: ignore[attr-defined]
