"""Incident mode on the main screen: the clock bar, the timeline, and starting, ending
and leaving an incident.

A mixin of the main screen (the note is written by a worker that must outlive any
dialog, so it lives on the screen).
"""

from __future__ import annotations

from textual import work

from launchready_tui.tui.screens._main_base import MainScreenBase
from launchready_tui.tui.session import short_title
from launchready_tui.tui.widgets.sidebar import Sidebar


class IncidentModeMixin(MainScreenBase):
    """Incident mode (needs `session`, `show_step`, `_ticker`)."""

    def enter_incident(self, rb) -> None:
        inc = self.session.start_incident(rb)
        fresh = bool(getattr(self.session.incident, "fresh", False))
        if fresh:
            self._forget_runbook(rb)
        bar = self._incident_bar()
        bar.display = True
        from launchready_tui.tui.widgets.timeline import Timeline

        existing = self.query(Timeline)
        if existing:
            tl = existing.first()
            tl.show(inc)
        else:
            tl = self._timeline()
        tl.display = True
        self.add_class("-incident")
        self._tick()
        if self._ticker is None:
            self._ticker = self.set_interval(1.0, self._tick)
        pos = self.session.state.get("position") or {}
        st = rb.step(pos.get("step", "")) if pos.get("runbook") == rb.id and not fresh else None
        self.show_step(rb, st or rb.steps[0])
        self.notify(f"Incident mode: {short_title(rb)}. The clock is running; every step, check "
                    "and command goes on the timeline. End it with x." if fresh else
                    f"Back in the open incident: {short_title(rb)}. End it with x.", severity="warning")

    def _forget_runbook(self, rb) -> None:
        """A new incident of this runbook: drop its step views and command output, which
        show the earlier incident's ticks, records and runs."""
        prefix = f"{rb.id}/"
        for key in [k for k in self.commands if k.startswith(prefix)]:
            del self.commands[key]
        for vkey in [k for k in self._views if k[0] == rb.id]:
            view = self._views.pop(vkey)
            if view is self._view:
                self._view = None
            view.remove()

    def _incident_bar(self):
        """The clock bar, mounted on first use (docked on top of the step by CSS)."""
        from launchready_tui.tui.widgets.incident import IncidentBar

        found = self.query(IncidentBar)
        if found:
            return found.first()
        bar = IncidentBar(id="incident-bar")
        self.query_one("#center").mount(bar)
        return bar

    def _timeline(self):
        """The timeline widget, mounted on first use (it is not needed for the first frame)."""
        from launchready_tui.tui.widgets.timeline import Timeline

        found = self.query(Timeline)
        if found:
            return found.first()
        tl = Timeline(self.session.incident_data(), id="timeline")
        self.query_one("#right").mount(tl)
        return tl

    def _tick(self) -> None:
        inc = self.session.incident_data()
        if inc:
            self._incident_bar().tick(inc, self.session.clock())

    def _incident_event(self, ev: dict) -> None:
        inc = self.session.incident_data()
        if inc and self.is_mounted:
            self._timeline().add(ev, inc.get("started_at"))

    def on_timeline_note_added(self, event) -> None:
        self.session.incident_event("note", event.text)

    def action_end_incident(self) -> None:
        """`x` and the command palette: end the open incident (asks for the note first)."""
        if self.session.incident is None:
            self.notify("No incident is open. Press i to start one.")
            return
        self._end_incident()

    def _end_incident(self, then=None) -> None:
        """The note dialog is the runbook's note form (its last step's record): filled in
        from it, and what is typed goes back into it. `then()` runs once it is closed."""
        from launchready_tui.tui.screens.end_incident import (
            DEFAULT_FIELDS,
            EndIncidentScreen,
            fields_of,
            note_form,
        )

        s = self.session
        rb = s.runbook(str(s.incident_data().get("runbook") or ""))
        st, rec = note_form(rb) if rb is not None else (None, None)
        if rec is not None:
            fields = fields_of(rec)
            values = {f.id: s.record_value(rb, st, rec.id, f.id) for f in fields}
        else:
            fields, values = DEFAULT_FIELDS, {}

        def answered(got: dict | None) -> None:
            if got is None:
                return
            if rec is not None:
                for fid, value in got.items():
                    s.set_record(rb, st, rec.id, fid, value)
                self._refresh_step_view(rb, st)
            log = s.incident
            s.incident = None  # no more events: the note is being written
            self.leave_incident()
            facts = {k: v for k, v in got.items() if v}
            if then is None:
                self.close_incident(facts, log)
            else:  # quitting: write the note now, before the app goes
                s.end_incident(facts, log=log)
                then()

        self.app.push_screen(EndIncidentScreen(fields, values, source=st.title if st else ""), answered)

    def _refresh_step_view(self, rb, st) -> None:
        """The step's form shows what the dialog wrote: rebuild its view."""
        view = self._views.pop((rb.id, st.id), None)
        if view is None:
            return
        on_screen = view is self._view
        if on_screen:
            self._view = None
        view.remove()
        if on_screen:
            self.show_step(rb, st)

    @work(thread=True, group="incident", exit_on_error=False)
    def close_incident(self, fields: dict, log) -> None:
        """Off the UI thread: the note is rendered and secrets are redacted from it, which
        reads env files and the keyring."""
        path = self.session.end_incident(fields, log=log)
        self.app.call_from_thread(self.notify, f"Incident closed. The incident note is saved in {path}",
                                  timeout=15)

    def leave_incident(self) -> None:
        from launchready_tui.tui.widgets.incident import IncidentBar

        for bar in self.query(IncidentBar):
            bar.display = False
        from launchready_tui.tui.widgets.timeline import Timeline

        for tl in self.query(Timeline):
            tl.display = False
        self.remove_class("-incident")
        if self._ticker is not None:
            self._ticker.stop()
            self._ticker = None
        self.query_one(Sidebar).refresh_all()
