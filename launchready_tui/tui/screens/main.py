"""The main screen: stage sidebar, step view, detail panel.

Incident mode lives in `incident_mode.py` and command blocks in `commands_runner.py`
(mixins of this screen). Checks run in one worker per run, through the engine
(concurrently, bounded); results stream into their rows as they finish. Commands run in
their own workers and stream their output. Workers live on this screen, which stays for the whole session, so moving
to another step never cancels a running check or command.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Label

from launchready_tui.core.results import CheckResult
from launchready_tui.tui.screens.check_runner import (  # noqa: F401 - RESULT_BATCH_S re-exported
    RESULT_BATCH_S,
    CheckRunnerMixin,
    _import_checks,
    _is_text_field,
)
from launchready_tui.tui.screens.commands_runner import CommandRun, CommandRunnerMixin
from launchready_tui.tui.screens.incident_mode import IncidentModeMixin
from launchready_tui.tui.session import Session, short_title
from launchready_tui.tui.widgets.detail import DetailPanel
from launchready_tui.tui.widgets.footer import KeyBar
from launchready_tui.tui.widgets.sidebar import NavItem, Sidebar
from launchready_tui.tui.workers import ReportsWorkerErrors

if TYPE_CHECKING:  # pragma: no cover - loaded with the first step view, after the first frame
    from typing import TypeGuard

    from textual.timer import Timer
    from textual.widget import Widget
    from textual.widgets import Input

    from launchready_tui.core.runbook import Runbook, Step
    from launchready_tui.tui.widgets.step_view import StepView

MAX_CACHED_VIEWS = 8
PREBUILD_DELAY_S = 0.2
# Paging with n/p (or d): a form's first field takes the focus only once the person has
# stopped on the step this long, so a quick second `n` pages on instead of typing "n".
PAGING_FOCUS_DELAY_S = 1.0
PRELOAD_DELAY_S = 1.5


class MainScreen(ReportsWorkerErrors, IncidentModeMixin, CheckRunnerMixin, CommandRunnerMixin,
                 Screen):
    # Styles: screens/main.tcss, loaded by the app (see LaunchReadyApp.CSS_PATH).
    # Footer order: what a newcomer needs first. `?`, `q`, `c` and `i` repeat the app's own
    # bindings so that they sit in this order.
    BINDINGS = [
        Binding("r", "run_step", "Run checks"),
        Binding("n", "next_step", "Next"),
        Binding("p", "prev_step", "Prev"),
        Binding("d", "done", "Done"),
        Binding("space", "toggle_confirm", "Tick"),
        Binding("question_mark", "app.help", "Help", key_display="?"),
        Binding("q", "app.quit", "Quit"),
        Binding("R", "run_stage", "Run stage", key_display="R"),
        Binding("e", "export", "Export"),
        Binding("c", "app.credentials", "Credentials"),
        Binding("i", "app.incidents", "Incidents"),
        Binding("x", "end_incident", "End incident", show=False),  # incident_mode.py
        Binding("escape", "leave_field", "Leave the text field (then the keys work again)",
                key_display="Esc"),
        # Priority: the step scrolls wherever the focus is (the sidebar, a check row, a
        # field). In a one-line field Home/End first move the cursor (see check_action).
        Binding("pagedown", "scroll_step('page_down')", "Scroll down", show=False, priority=True),
        Binding("pageup", "scroll_step('page_up')", "Scroll up", show=False, priority=True),
        Binding("home", "scroll_step('scroll_home')", "Top of the step", show=False, priority=True),
        Binding("end", "scroll_step('scroll_end')", "End of the step", show=False, priority=True),
        Binding("ctrl+down", "scroll_step('scroll_down')", show=False),
        Binding("ctrl+up", "scroll_step('scroll_up')", show=False),
    ]

    def __init__(self, session: Session, *, incident: str | None = None) -> None:
        super().__init__()
        self.session = session
        self.rb = None
        self.st = None
        self.commands: dict[str, CommandRun] = {}
        self._start_incident = incident
        self._ticker = None
        self._view: StepView | None = None
        self._views: OrderedDict[tuple[str, str], StepView] = OrderedDict()
        self._sidebar_timer = None
        self._result_queue: list[CheckResult] = []
        self._result_timer = None
        self._launching = False
        self._paging = False  # the step is being opened by n/p (see PAGING_FOCUS_DELAY_S)
        self._focus_timer: Timer | None = None
        session.on_incident_event = self._incident_event  # type: ignore[attr-defined]

    # -- layout --------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Label("", id="title-bar")
        with Horizontal(id="body"):
            yield Sidebar(self.session, id="sidebar")
            with Vertical(id="center"):
                yield Label("", id="crumb")
                yield Vertical(id="step-holder")
                # The incident bar is mounted here when incident mode starts.
            with Vertical(id="right"):
                yield DetailPanel(id="detail")
                # The incident timeline is mounted here when incident mode starts.
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        s = self.session
        title = f"LaunchReady — {s.project}"
        if s.demo:
            title += "  ·  DEMO: checks run against a test lab on this computer"
        self.query_one("#title-bar", Label).update(title)
        self.query_one(Sidebar).focus()
        # The first frame shows the sidebar at once; the step (many widgets, Markdown) is
        # built once that frame has been painted (a timer could fire before the first paint
        # on a slow start and hold it back by the whole build).
        self.query_one("#crumb", Label).update("Opening…")
        self.call_after_refresh(self._open_first)

    def _open_first(self) -> None:
        from launchready_tui.tui.app import startup_done

        startup_done()
        if not self.is_attached or self.app._exit_renderables:  # quitting already
            return
        self.set_timer(PRELOAD_DELAY_S, self.preload)
        s = self.session
        rb, st = s.first_position()
        if self._start_incident:
            target = s.runbook(self._start_incident)
            if target is not None:
                self.enter_incident(target)
                return
            self.notify(f"There is no incident runbook called '{self._start_incident}'.", severity="error")
        else:
            from launchready_tui.core.incidents import open_incident

            if rb is not None and rb.kind == "incident" and open_incident(s.state, rb.id):
                self.enter_incident(rb)
                return
        if rb is None or st is None:
            self.query_one("#crumb", Label).update(
                "No runbooks could be loaded. Open the problems entry on the left to see why."
            )
            return
        self._launching = True  # at launch the app's keys come first (i for an incident)
        self.show_step(rb, st)
        self._launching = False

    @work(thread=True, group="preload", exit_on_error=False)
    def preload(self) -> None:
        """In the background, once the screen is up: who is at the keyboard (asks git) and
        the check modules and network libraries, so that neither a first tick nor a first
        run of checks stalls the screen on them later."""
        _ = self.session.who
        from launchready_tui.core.registry import KINDS

        _import_checks(KINDS)

    # -- navigation ----------------------------------------------------------------

    @property
    def view(self) -> StepView | None:
        """The step view on screen (the previous one may still be leaving the DOM)."""
        return self._view

    def show_step(self, rb: Runbook, st: Step) -> None:
        with self.app.batch_update():
            self._show_step(rb, st)

    def _show_step(self, rb: Runbook, st: Step) -> None:
        self.rb, self.st = rb, st
        self.session.set_position(rb, st)
        where = f"Stage {rb.stage}: {short_title(rb)}" if rb.stage else f"Incident runbook: {short_title(rb)}"
        self.query_one("#crumb", Label).update(where)
        key = (rb.id, st.id)
        view = self._views.get(key)
        if self._view is not None and self._view is not view:
            self._view.display = False
        if view is None:
            view = self._build_view(rb, st, visible=True)
        else:
            view.display = True
            self._views.move_to_end(key)
        old_focus = self.focused
        self._view = view
        self._evict()
        self.query_one(Sidebar).select_runbook(rb.id)
        self.query_one(DetailPanel).reset()
        from launchready_tui.tui.widgets.step_view import StepView

        if old_focus is not None and any(isinstance(a, StepView) and a is not view
                                         for a in old_focus.ancestors_with_self):
            # Focus was inside the step that just went away: park it on the sidebar
            # (cheap to focus, and arrow keys there make sense).
            self.query_one(Sidebar).focus()
        # A step with a form: its first field gets the focus (letters type into it); when
        # paging, only after a pause on the step.
        if self._focus_timer is not None:
            self._focus_timer.stop()
            self._focus_timer = None
        if st.records and not self._launching:
            if self._paging:
                # The pause is counted from when the step is on screen, not from the key
                # press: on a busy machine drawing the step can take most of a second.
                self.call_after_refresh(self._arm_paging_focus, view)
            else:
                self.call_after_refresh(self._focus_first_field, view)
        # Build the next step soon (hidden, after this one is on screen), so that `n`
        # shows it at once.
        self.set_timer(PREBUILD_DELAY_S, self._prebuild_next)

    def _arm_paging_focus(self, view: StepView) -> None:
        if view is not self._view or not view.is_attached:
            return
        if self._focus_timer is not None:
            self._focus_timer.stop()
        self._focus_timer = self.set_timer(PAGING_FOCUS_DELAY_S, lambda: self._focus_first_field(view))

    def _focus_first_field(self, view: StepView) -> None:
        if view is not self._view or not view.is_attached:
            return
        fields = view.query(".record-block Input, .record-block TextArea")
        if fields:
            from textual.widgets import Input, TextArea

            w = fields.first()
            if isinstance(w, Input):  # never select (a letter would replace it all)
                w.select_on_focus = False
                w.cursor_position = len(w.value)
            elif isinstance(w, TextArea):  # go on after what is there
                w.move_cursor(w.document.end)
            w.focus()

    def _build_view(self, rb, st, *, visible: bool) -> StepView:
        from launchready_tui.tui.widgets.step_view import StepView

        items = self.session.plan(rb, st)
        view = StepView(self.session, rb, st, items, self.commands)
        view.display = visible
        self._views[(rb.id, st.id)] = view
        self.query_one("#step-holder").mount(view)
        return view

    def _prebuild_next(self) -> None:
        nxt = self._neighbour(+1)
        if nxt is not None and (nxt[0].id, nxt[1].id) not in self._views:
            self._build_view(*nxt, visible=False)

    def _evict(self) -> None:
        """Keep a handful of step views (visited and prebuilt); drop the oldest."""
        while len(self._views) > MAX_CACHED_VIEWS:
            key = next(iter(self._views))
            view = self._views.pop(key)
            if view is self._view:  # never the one on screen
                self._views[key] = view
                break
            view.remove()

    def view_for(self, runbook_id: str, step_id: str) -> StepView | None:
        return self._views.get((runbook_id, step_id))

    def _neighbour(self, delta: int) -> tuple[Runbook, Step] | None:
        rb, st = self.rb, self.st
        if rb is None or st is None:
            return None
        i = rb.steps.index(st) + delta
        if 0 <= i < len(rb.steps):
            return rb, rb.steps[i]
        if rb.kind != "stage" or rb.stage is None:
            return None
        stages = self.session.stage_runbooks()
        order = sorted(stages)
        j = order.index(rb.stage) + (1 if delta > 0 else -1)
        if 0 <= j < len(order):
            nrb = stages[order[j]]
            return nrb, (nrb.steps[0] if delta > 0 else nrb.steps[-1])
        return None

    def action_next_step(self) -> None:
        nxt = self._neighbour(+1)
        if nxt is None:
            self.notify("This is the last step.")
            return
        if nxt[0] is not self.rb:
            self.notify(f"On to stage {nxt[0].stage}: {short_title(nxt[0])}.")
        self._page_to(*nxt)

    def _page_to(self, rb: Runbook, st: Step) -> None:
        self._paging = True
        try:
            self.show_step(rb, st)
        finally:
            self._paging = False

    def action_prev_step(self) -> None:
        prv = self._neighbour(-1)
        if prv is None:
            self.notify("This is the first step.")
            return
        self._page_to(*prv)

    @on(Sidebar.Chosen)
    def _chosen(self, event: Sidebar.Chosen) -> None:
        item: NavItem = event.item
        if item.kind == "problems":
            self.app.action_show_problems()
            return
        if item.kind == "missing":
            self.notify("This stage's runbook is not written yet.")
            return
        rb = self.session.runbook(item.runbook_id or "")
        if rb is None:
            return
        if item.kind == "incident":
            self.app.ask_incident(rb)
            return
        if rb is self.rb:
            return
        pos = self.session.state.get("position") or {}
        self.show_step(rb, rb.steps[0] if pos.get("runbook") != rb.id or self.st is None else self.st)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        self.query_one(KeyBar).typing(_is_text_field(self.focused))

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        def retype() -> None:
            if self.is_attached:
                self.query_one(KeyBar).typing(_is_text_field(self.focused))

        self.call_after_refresh(retype)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "scroll_step" and parameters and parameters[0] in ("scroll_home", "scroll_end"):
            # In a one-line field Home/End move the cursor; at that end already, they scroll.
            f = self.focused
            if _is_one_line_field(f):
                at_end = f.cursor_position >= len(f.value) if parameters[0] == "scroll_end" \
                    else f.cursor_position == 0
                return at_end
        if action == "leave_field":  # only offered (and shown) while typing in a field
            return _is_text_field(self.focused)
        if action == "end_incident":
            return self.session.incident is not None
        return True

    def action_leave_field(self) -> None:
        self.query_one(Sidebar).focus()

    def focus_next(self, selector="*"):
        """The first Tab into a step (from the sidebar) goes to its first field or tick
        box, before its check results; after that, the usual order (so the check rows are
        the next stops once round)."""
        view = self.view
        focused = self.focused
        if view is not None and view.display and not getattr(view, "tab_entered", False) \
                and (focused is None or view not in focused.ancestors):
            view.tab_entered = True
            first = next(iter(view.query(".record-block Input, .record-block TextArea, .confirm-box")), None)
            if first is not None and first.focusable:
                first.focus()
                first.scroll_visible()
                return first
        return super().focus_next(selector)

    def action_scroll_step(self, how: str) -> None:
        if self.view is not None:
            getattr(self.view, f"action_{how}")()

    # -- buttons in the step view ------------------------------------------------------

    def on_button_pressed(self, event) -> None:
        """Buttons of the step view and the timeline (by id, so that the button and step
        widget modules need not load before the first frame)."""
        b = event.button
        if b.id == "next-step":
            self.action_next_step()
        elif b.id == "prev-step":
            self.action_prev_step()
        elif b.id == "toggle-done":
            self.action_done()
        elif b.has_class("run-step"):
            self.action_run_step()
        elif b.id == "end-incident":
            self._end_incident()

    def action_done(self) -> None:
        """Mark this step done and go on to the next one (or mark it not done). With boxes
        still unticked, ask first, naming them."""
        rb, st = self.rb, self.st
        if rb is None or st is None:
            return
        unticked = [r.block.text for r in (self.view.confirm_rows() if self.view is not None else [])
                    if not r.checkbox.value]
        if unticked and not self.session.is_done(rb, st):
            from launchready_tui.tui.screens.confirm_done import ConfirmDoneScreen

            def answered(ok: bool | None) -> None:
                if ok and self.rb is rb and self.st is st:
                    self._toggle_done()

            self.app.push_screen(ConfirmDoneScreen(st.title, unticked), answered)
            return
        self._toggle_done()

    def _toggle_done(self) -> None:
        rb, st = self.rb, self.st
        if rb is None or st is None:
            return
        done = not self.session.is_done(rb, st)
        self.session.set_step_done(rb, st, done)
        if self.view is not None:
            self.view.show_done(done)
        self.query_one(Sidebar).refresh_all()
        if not done:
            self.notify("Marked as not done.")
            return
        d, total = self.session.progress(rb)
        nxt = self._neighbour(+1)
        if nxt is None:
            self.notify(f"Step done ({d} of {total}). That was the last step.")
            return
        where = "this stage" if rb.kind == "stage" else "this runbook"
        self.notify(f"Step done ({d} of {total} in {where}).", timeout=3)
        if nxt[0] is not rb:
            self.notify(f"On to stage {nxt[0].stage}: {short_title(nxt[0])}.")
        self.show_step(*nxt)

    # -- blocks -------------------------------------------------------------------------

    # Handlers by name (on_<widget>_<message>) rather than @on(Class.Message): the widget
    # modules load with the first step view, after the first frame.

    def on_check_row_selected(self, event) -> None:
        row = event.row
        detail = self.query_one(DetailPanel)
        if row.result is not None:
            detail.show(row.result)
        else:
            detail.show_not_run(row.about, row.target)

    def on_check_row_opened(self, event) -> None:
        self.on_check_row_selected(event)
        if self.has_class("-narrow"):
            from launchready_tui.tui.screens.check_detail import CheckDetailScreen

            row = event.row
            self.app.push_screen(CheckDetailScreen(row.result, row.about, row.target))

    def on_confirm_row_toggled(self, event) -> None:
        entry = self.session.set_confirm(self.rb, self.st, event.row.block.id, event.checked)
        event.row.show_entry(entry)
        if self.session.incident is not None:
            verb = "Confirmed" if event.checked else "Unticked"
            self.session.incident_event("decision", f"{verb}: {event.row.block.text}")

    def on_record_block_field_changed(self, event) -> None:
        self.session.set_record(self.rb, self.st, event.block.block.id, event.field_id, event.value)

    def on_notes_field_changed(self, event) -> None:
        self.session.set_note(self.rb, self.st, event.text)

    def action_toggle_confirm(self) -> None:
        view = self.view
        if view is None:
            return
        rows = view.confirm_rows()
        if not rows:
            self.notify("This step has no tick boxes.")
            return
        focused = self.focused
        for row in rows:
            if focused is not None and (focused is row or row in focused.ancestors):
                row.toggle()
                return
        target = next((r for r in rows if not r.checkbox.value), None)
        if target is None:
            self.notify("Every box of this step is ticked. To untick one, Tab to it and press space.")
            return
        target.toggle()  # one key press ticks the next unticked box (the focus stays put, so
        target.scroll_visible()  # the next press ticks the box after it)

    # -- export -------------------------------------------------------------------------

    def action_export(self) -> None:
        self.app.action_export()


def _is_one_line_field(widget: Widget | None) -> TypeGuard[Input]:
    return widget is not None and any(c.__name__ == "Input" for c in type(widget).__mro__)
