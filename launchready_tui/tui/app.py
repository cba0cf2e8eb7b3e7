"""The LaunchReady app. `make_app()` builds it for the CLI and for tests alike;
`run_app()` is what `launchready tui`, `launchready demo` and `launchready incident` call."""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable, Iterable
from pathlib import Path

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from launchready_tui.tui.session import Session, short_title

STARTUP_GC_LIMIT_S = 3.0


def startup_done() -> None:
    """The first frame is painted: resume the cyclic GC that `cli.main` paused for
    start-up. What start-up built lives as long as the app, so it is moved out of the
    GC's way for good (gc.freeze) rather than walked by every full collection. A no-op
    when the GC runs already (tests, `make_app` used as a library)."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


class LaunchReadyApp(App):
    # The main screen's stylesheet (beside it, in screens/) is loaded with the app's: a
    # screen's own CSS_PATH makes Textual re-parse every stylesheet when it first opens,
    # which would land on the first frame. Dialogs keep theirs (loaded when first opened).
    CSS_PATH = ["app.tcss", "screens/main.tcss"]
    TITLE = "LaunchReady"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    BINDINGS = [
        Binding("b", "blockers", "Launch blockers", show=False),
        Binding("c", "credentials", "Credentials"),
        Binding("i", "incidents", "Incidents"),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, session: Session, *, incident: str | None = None) -> None:
        super().__init__()
        self.session = session
        self.incident = incident
        self.main: Screen | None = None
        session.writer.on_error = self._save_failed

    # -- start-up ------------------------------------------------------------------

    def on_mount(self) -> None:
        self.set_timer(STARTUP_GC_LIMIT_S, startup_done)  # in case no screen reports its first frame
        s = self.session
        if not s.has_profile and not s.demo:
            from launchready_tui.tui.screens.welcome import WelcomeScreen

            self.push_screen(WelcomeScreen(str(s.profile_path)))
            return
        # Once start-up is over: a screen pushed during it is laid out and rendered while
        # Textual holds every display back (its start-up batch), then rendered again. Pushed
        # after it, its first render is the first frame.
        self.call_later(self.open_main)

    def open_main(self, *, reload: bool = False) -> None:
        from launchready_tui.tui.screens.main import MainScreen

        if reload:
            self.session.reload()
        self.main = MainScreen(self.session, incident=self.incident)
        self.incident = None
        # Whatever led here (welcome, setup form) is done: the main screen becomes the base.
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.push_screen(self.main)
        if self.session.problems:
            self.call_after_refresh(self.action_show_problems)

    # -- crashed workers: the one handler ---------------------------------------------

    @on(Worker.StateChanged)
    def _app_worker_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.report_crashed_worker(event.worker)

    def report_crashed_worker(self, worker: Worker) -> None:
        """Any worker that crashed (export, adding a credential, a check run...) becomes a
        visible notification with the plain reason. Screens reach this through
        `tui.workers.ReportsWorkerErrors`."""
        from launchready_tui.tui.workers import crash_message

        self.notify(crash_message(worker.error), severity="error", timeout=10)

    def _save_failed(self, msg: str) -> None:
        try:
            self.call_from_thread(self.notify, msg, severity="error", timeout=10)
        except RuntimeError:  # already on the app's thread, or shutting down
            pass

    # -- actions -------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        # Credentials and incidents belong to a project: not offered on the welcome screen.
        if action in ("credentials", "incidents") and self.main is None:
            return False
        return True

    def action_help(self) -> None:
        from launchready_tui.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_blockers(self) -> None:
        """The ranked launch blockers (screens/blockers.py), owner and priority editable."""
        from launchready_tui.tui.screens.blockers import BlockersScreen

        if isinstance(self.screen, BlockersScreen):
            return
        self.push_screen(BlockersScreen(self.session))

    def action_credentials(self) -> None:
        from launchready_tui.tui.screens.credentials import CredentialsScreen

        if not isinstance(self.screen, CredentialsScreen):
            self.push_screen(CredentialsScreen(self.session))

    def action_incidents(self) -> None:
        from launchready_tui.tui.screens.incidents import IncidentPicker

        if self.main is None:
            self.notify("Open the guided app first.")
            return
        if isinstance(self.screen, IncidentPicker):
            return

        def picked(rid: str | None) -> None:
            rb = self.session.runbook(rid or "")
            if rb is not None:
                self._show_main()
                self.main.enter_incident(rb)

        self.push_screen(IncidentPicker(self.session.incident_runbooks()), picked)

    def ask_incident(self, rb) -> None:
        from launchready_tui.tui.screens.incidents import StartIncidentScreen

        def answered(choice: str | None) -> None:
            if choice == "start":
                self.main.enter_incident(rb)
            elif choice == "read":
                self.main.show_step(rb, rb.steps[0])

        if self.session.incident is not None and self.session.incident_data().get("runbook") == rb.id:
            self.main.show_step(rb, rb.steps[0])
            return
        self.push_screen(StartIncidentScreen(rb), answered)

    def action_show_problems(self) -> None:
        from launchready_tui.tui.screens.problems import ProblemsScreen

        problems = self.session.problems
        if not problems:
            self.notify("No problems found in your files.")
            return

        def answered(choice: str | None) -> None:
            if choice == "reload":
                self.session.reload()
                if self.session.problems:
                    self.notify(f"Still {len(self.session.problems)} problem(s).", severity="warning")
                else:
                    self.notify("All files read fine now.")
                self.open_main()

        self.push_screen(ProblemsScreen(problems, profile_broken=self.session.profile_error is not None),
                         answered)

    def action_init_profile(self) -> None:
        from launchready_tui.tui.screens.init_form import InitScreen

        self.push_screen(InitScreen(self.session.profile_path))

    def _show_main(self) -> None:
        while self.main is not None and self.screen is not self.main and len(self.screen_stack) > 1:
            self.pop_screen()

    def action_export(self) -> None:
        if self.session.profile is None:
            self.notify("The handover needs a working profile (launchready.yaml) first.",
                        severity="warning")
            return
        try:
            from launchready_tui.core import export
        except ImportError:
            export = None
        if export is None or not hasattr(export, "export_handover"):
            self.notify("Export is not available yet in this version.", severity="warning")
            return
        self.notify("Writing the handover document…", timeout=3)
        self.export_handover()

    @work(thread=True, exit_on_error=False, group="export")
    def export_handover(self) -> None:
        from launchready_tui.core import export
        from launchready_tui.core.errors import LaunchReadyError

        s = self.session
        s.writer.flush()
        try:
            path = export.export_handover(s.profile, runbooks=s.runbooks, author=s.who)
        except (LaunchReadyError, OSError) as e:
            self.call_from_thread(self.notify, f"Export failed: {e}", severity="error", timeout=10)
            return
        msg = f"Handover written to {path}"
        if s.temporary:
            msg += (". This demo's folder is deleted when the demo ends: copy the file now, or "
                    "run `launchready demo --dir DIR` to keep everything.")
        self.call_from_thread(self.notify, msg, timeout=20)

    async def action_quit(self) -> None:
        self.session.writer.flush()
        self.exit()

    # -- command palette ---------------------------------------------------------------

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        main = self.main
        if main is not None and screen is main:
            yield SystemCommand("Run this step's checks (r)", "Run the live checks of the current step",
                                main.action_run_step)
            yield SystemCommand("Run the whole stage (R)", "Run every check of the current stage",
                                main.action_run_stage)
            yield SystemCommand("Next step (n)", "Go to the next step", main.action_next_step)
            yield SystemCommand("Previous step (p)", "Go to the previous step", main.action_prev_step)
            yield SystemCommand("Mark this step done (d)", "Mark it done and go to the next step",
                                main.action_done)
            yield SystemCommand("Tick the selected box (space)", "Toggle the focused confirmation",
                                main.action_toggle_confirm)
            for rb in self.session.runbooks:
                if rb.kind == "stage":
                    yield SystemCommand(f"Go to stage {rb.stage}: {short_title(rb)}", rb.goal,
                                        lambda rb=rb: main.show_step(rb, rb.steps[0]))
        yield SystemCommand("Launch blockers (b)", "Every problem once, worst first, with owner and priority",
                            self.action_blockers)
        yield SystemCommand("Export the handover (e)", "Write the handover document", self.action_export)
        yield SystemCommand("Credentials (c)", "List and add credential references", self.action_credentials)
        yield SystemCommand("Incident runbooks (i)", "Something is broken right now", self.action_incidents)
        yield SystemCommand("Help (?)", "Keys and what the results mean", self.action_help)
        if self.session.problems:
            yield SystemCommand("Problems in your files", "Profile or runbook errors, with file and line",
                                self.action_show_problems)


def make_app(
    profile_path: Path | str | None = None,
    runbook_dirs: list[Path | str] | None = None,
    *,
    demo: bool = False,
    incident: str | None = None,
    clock: Callable[[], dt.datetime] | None = None,
    who: str | None = None,
    temporary: bool = False,
) -> LaunchReadyApp:
    """The one factory: the CLI and the tests build the app the same way. `temporary`
    says the profile's folder disappears when the app ends (the demo's lab folder)."""
    from launchready_tui.core.profile import find_profile

    path = find_profile(profile_path)
    kw = {"clock": clock} if clock is not None else {}
    session = Session(path, runbook_dirs, demo=demo, who=who, **kw).load()
    session.temporary = temporary
    return LaunchReadyApp(session, incident=incident)


def run_app(
    profile_path: Path | str | None = None,
    runbook_dirs: list[Path | str] | None = None,
    *,
    demo: bool = False,
    incident: str | None = None,
    temporary: bool = False,
) -> int:
    app = make_app(profile_path, runbook_dirs, demo=demo, incident=incident, temporary=temporary)
    try:
        app.run()
    finally:
        startup_done()
        app.session.close()
    return int(app.return_code or 0)
