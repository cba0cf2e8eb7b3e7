"""The LaunchReady app. `make_app()` builds it for the CLI and for tests alike;
`run_app()` is what `launchready tui`, `launchready demo` and `launchready incident` call."""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from launchready_tui.tui.session import Session, short_title

if TYPE_CHECKING:  # pragma: no cover - the main screen is imported when it opens
    from launchready_tui.tui.screens.main import MainScreen

STARTUP_GC_LIMIT_S = 3.0


def startup_done() -> None:
    """The first frame is painted: resume the cyclic GC that `cli.main` paused for
    start-up. What start-up built lives as long as the app, so it is moved out of the
    GC's way for good (gc.freeze) rather than walked by every full collection. A no-op
    when the GC runs already (tests, `make_app` used as a library)."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def _can_switch_from(screen: Screen) -> bool:
    """Whether `switch_screen` can replace this base screen. It pops one result callback
    from the screen it replaces, and an app's default screen (the main screen, see
    `get_default_screen`) was never pushed, so it has none: give it the empty one a push
    would have. Without that attribute (another Textual) the new screen is pushed on top."""
    callbacks = getattr(screen, "_result_callbacks", None)
    if not isinstance(callbacks, list):
        return False
    if not callbacks:
        screen._push_result_callback(screen, None)
    return True


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
        Binding("o", "edit_profile", "Edit profile", show=False),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, session: Session, *, incident: str | None = None) -> None:
        super().__init__()
        self.session = session
        self.incident = incident
        self.main: MainScreen | None = None
        self.kept_demo_dir: Path | None = None  # where quitting a temporary demo copied it
        session.writer.on_error = self._save_failed

    # -- start-up ------------------------------------------------------------------

    def _starts_on_main(self) -> bool:
        return self.session.has_profile or self.session.demo

    def get_default_screen(self) -> Screen:
        """With a profile (or the demo) the main screen is the app's first screen, built
        and painted once, in Textual's start-up batch, like any app's own screen: pushed on
        top of a blank default screen it would cost a second full render before the first
        frame. Without one the blank screen stays under the welcome screen."""
        if not self._starts_on_main():
            return super().get_default_screen()
        return self._new_main()

    def _new_main(self) -> MainScreen:
        """A main screen for the session; the incident asked for on the command line
        opens in the first one only."""
        from launchready_tui.tui.screens.main import MainScreen

        self.main = MainScreen(self.session, incident=self.incident)
        self.incident = None
        return self.main

    def on_mount(self) -> None:
        self.set_timer(STARTUP_GC_LIMIT_S, startup_done)  # in case no screen reports its first frame
        s = self.session
        if not self._starts_on_main():
            from launchready_tui.tui.screens.welcome import WelcomeScreen

            self.push_screen(WelcomeScreen(str(s.profile_path)))
            return
        self._main_opened()

    def open_main(self, *, reload: bool = False) -> None:
        from launchready_tui.tui.screens.main import MainScreen

        if reload:
            self.session.reload()
        main = self._new_main()
        # Whatever led here (welcome, setup form) is done: the main screen becomes the base.
        while len(self.screen_stack) > 1:
            self.pop_screen()
        base = self.screen_stack[0]
        if isinstance(base, MainScreen) and _can_switch_from(base):
            self.switch_screen(main)  # a reload: the new one replaces it (and stops it)
        else:
            self.push_screen(main)
        self._main_opened()

    def _main_opened(self) -> None:
        """What follows the main screen opening: the problems found while loading, the
        temporary-demo notice, the name prompt."""
        if self.session.problems:
            self.call_after_refresh(self.action_show_problems)
        if self.session.temporary:
            self.notify("This demo's folder is temporary: quitting deletes your ticks and notes "
                        f"(q offers to keep a copy). To keep them from the start: "
                        f"launchready demo --dir {self._keep_folder()}", timeout=10)
        if not self.session.name_known:
            self.call_after_refresh(self.ask_name)

    def ask_name(self, again: bool = False) -> None:
        """Once: the name that signs ticks and records (kept in the user's config folder).
        `again`: from the command palette, to change it."""
        from launchready_tui.core.identity import name_file, save_name, suggested_name
        from launchready_tui.tui.screens.your_name import YourNameScreen

        if isinstance(self.screen, YourNameScreen) or (self.session.name_known and not again):
            return
        suggestion = self.session.who if self.session.name_known else suggested_name()

        def answered(name: str | None) -> None:
            if not name:
                self.notify("Ticks are signed \"(name not given yet)\" until you give a name "
                            "(command palette: Ctrl+P, \"Your name\").", timeout=8)
                return
            self.session.who = name
            try:
                save_name(name)
            except OSError as e:
                self.notify(f"Using {name} for now; could not keep it ({e}).", severity="warning")

        self.push_screen(YourNameScreen(suggestion, str(name_file())), answered)

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
            self.push_screen(HelpScreen(temporary=self.session.temporary, demo_dir=self._keep_folder()))

    def action_edit_profile(self) -> None:
        """Open launchready.yaml in the person's editor (the app steps aside), then reload
        it. The editor keeps every comment; the app never rewrites the file itself."""
        import os

        from launchready_tui.tui.editor import editor_command

        s = self.session
        if self.main is None or not s.has_profile:
            self.notify("There is no profile yet: create one first (launchready init).", severity="warning")
            return
        cmd = editor_command(s.profile_path)
        if cmd is None:
            self.notify(f"No editor found. Set EDITOR (e.g. export EDITOR=nano) or open {s.profile_path} "
                        "in any text editor, then press r.", severity="warning", timeout=12)
            return
        chosen = os.environ.get("VISUAL") or os.environ.get("EDITOR")
        if Path(cmd[0]).name in ("vi", "vim", "nvim") and not chosen:  # a newcomer may not get out
            from launchready_tui.tui.screens.edit_profile import EditorHelpScreen

            if isinstance(self.screen, EditorHelpScreen):
                return
            def answered(ok: bool | None) -> None:
                if ok:
                    self._run_editor(cmd)

            self.push_screen(EditorHelpScreen(Path(cmd[0]).name, str(s.profile_path)), answered)
            return
        self._run_editor(cmd)

    def _run_editor(self, cmd: list[str]) -> None:
        import subprocess

        from textual.app import SuspendNotSupported

        s = self.session
        s.writer.flush()
        before = s.profile_path.read_bytes()
        try:
            with self.suspend():
                code = subprocess.run(cmd).returncode
        except SuspendNotSupported:  # no real terminal (tests, a web view): run it anyway
            code = subprocess.run(cmd).returncode
        except OSError as e:
            self.notify(f"Could not start the editor ({cmd[0]}): {e}", severity="error", timeout=10)
            return
        self.refresh()
        if s.profile_path.read_bytes() == before:
            self.notify(f"The profile is unchanged ({s.profile_path}).", timeout=5)
            return
        self.open_main(reload=True)
        if s.profile_error is not None:
            self.notify("The profile has a problem now: see the problems list.", severity="error", timeout=10)
        else:
            self.notify(f"Profile saved and reloaded{'' if code == 0 else ' (the editor reported an error)'}. "
                        "Press r to run the checks again.", timeout=8)

    def action_glossary(self, word: str = "") -> None:
        from launchready_tui.tui.screens.glossary import GlossaryScreen

        if not isinstance(self.screen, GlossaryScreen):
            self.push_screen(GlossaryScreen(word))

    def _change_name(self) -> None:
        self.ask_name(again=True)

    def _keep_folder(self) -> str:
        from launchready_tui.core.demo_folder import suggest_folder

        return str(suggest_folder()) if self.session.temporary else ""

    def _quit_temporary_demo(self) -> None:
        """Quitting a temporary demo deletes its folder: keep a copy, delete, or stay."""
        from launchready_tui.tui.screens.quit_demo import QuitDemoScreen

        if isinstance(self.screen, QuitDemoScreen):
            return
        folder = self._keep_folder()

        def answered(choice: str | None) -> None:
            if choice is None:
                return
            self.session.writer.flush()
            if choice == "keep":
                from launchready_tui.core.demo_folder import keep_copy

                try:
                    self.kept_demo_dir = keep_copy(self.session.profile_path.parent, Path(folder))
                except OSError as e:
                    self.notify(f"Could not copy the demo to {folder}: {e}", severity="error", timeout=10)
                    return
            self.exit()

        self.push_screen(QuitDemoScreen(folder), answered)

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
            if rid == "@history":
                self.action_past_incidents()
                return
            rb = self.session.runbook(rid or "")
            if rb is not None and self.main is not None:
                self._show_main()
                self.main.enter_incident(rb)

        self.push_screen(IncidentPicker(self.session.incident_runbooks()), picked)

    def action_past_incidents(self) -> None:
        """Every incident so far, each with its note (screens/incidents.py)."""
        from launchready_tui.core.incidents import all_incidents
        from launchready_tui.tui.screens.incidents import PastIncidentsScreen

        s = self.session
        s.writer.flush()
        self.push_screen(PastIncidentsScreen(all_incidents(s.loaded_store().load()), s.project))

    def ask_incident(self, rb) -> None:
        from launchready_tui.tui.screens.incidents import StartIncidentScreen

        def answered(choice: str | None) -> None:
            if self.main is None:
                return
            if choice == "start":
                self.main.enter_incident(rb)
            elif choice == "read":
                self.main.show_step(rb, rb.steps[0])

        if self.session.incident is not None and self.session.incident_data().get("runbook") == rb.id:
            if self.main is not None:
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
            available = False
        else:
            available = hasattr(export, "export_handover")
        if not available:
            self.notify("Export is not available yet in this version.", severity="warning")
            return
        from launchready_tui.tui.screens.export_format import ExportFormatScreen

        def chosen(fmt: str | None) -> None:
            if fmt:
                self.notify("Writing the handover document…", timeout=3)
                self.export_handover(fmt)

        self.push_screen(ExportFormatScreen(), chosen)

    @work(thread=True, exit_on_error=False, group="export")
    def export_handover(self, fmt: str = "md") -> None:
        from launchready_tui.core import export
        from launchready_tui.core.errors import LaunchReadyError

        s = self.session
        s.writer.flush()
        if s.profile is None:  # action_export checked; a reload since may have lost it
            self.call_from_thread(self.notify, "The handover needs a working profile (launchready.yaml) first.",
                                  severity="warning")
            return
        try:
            path = export.export_handover(s.profile, fmt=fmt, runbooks=s.runbooks, author=s.who)
        except (LaunchReadyError, OSError) as e:
            self.call_from_thread(self.notify, f"Export failed: {e}", severity="error", timeout=10)
            return
        msg = f"Handover written to {path}"
        if s.temporary:
            msg += (". This demo's folder is deleted when the demo ends: copy the file now, or "
                    "run `launchready demo --dir DIR` to keep everything.")
        self.call_from_thread(self.notify, msg, timeout=20)

    async def action_quit(self) -> None:
        if self.session.temporary and self.main is not None and self.session.incident is None:
            self._quit_temporary_demo()  # the demo's folder goes when it ends: offer to keep it
            return
        s = self.session
        if s.incident is not None and self.main is not None:  # never lose an open incident silently
            from launchready_tui.core.incidents import elapsed_s, format_clock
            from launchready_tui.tui.screens.incidents import QuitWithIncidentScreen

            if isinstance(self.screen, QuitWithIncidentScreen):
                return
            inc = s.incident_data()

            def answered(choice: str | None) -> None:
                if choice == "quit":
                    s.writer.flush()
                    self.exit()
                elif choice == "end" and self.main is not None:
                    self._show_main()
                    self.main._end_incident(then=self.exit)

            self.push_screen(QuitWithIncidentScreen(
                str(inc.get("title") or inc.get("runbook") or "The incident"),
                format_clock(elapsed_s(inc, s.clock()))), answered)
            return
        s.writer.flush()
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
        yield SystemCommand("Earlier incidents", "Every incident so far, with its note", self.action_past_incidents)
        if main is not None and self.session.incident is not None:
            yield SystemCommand("End the incident (x)", "Write the incident note and stop the clock",
                                main.action_end_incident)
        yield SystemCommand("Help (?)", "Keys and what the results mean", self.action_help)
        yield SystemCommand("Your name (signs ticks and records)", f"Now: {self.session.who}",
                            self._change_name)
        if self.main is not None and self.session.has_profile:
            yield SystemCommand("Edit the profile (o)", f"Open {self.session.profile_path} in your editor",
                                self.action_edit_profile)
        yield SystemCommand("Glossary: what a word means", "CNAME, NXDOMAIN, rotate, p95... in plain words",
                            self.action_glossary)
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
    if temporary:
        print(demo_goodbye(app.kept_demo_dir))
    return int(app.return_code or 0)


def demo_goodbye(kept: Path | None) -> str:
    """What a temporary demo prints when it ends: where the work went, and the command."""
    if kept is not None:
        return (f"Your demo work is kept in {kept}. Carry on where you left off with:\n"
                f"  launchready demo --dir {kept}")
    from launchready_tui.core.demo_folder import suggest_folder

    return ("The demo's temporary folder is deleted, with the ticks and notes in it. Next time, "
            f"keep your work with:\n  launchready demo --dir {suggest_folder()}")
