"""What the app shows, without Textual: profile, runbooks, state, results, incident.

The screens read from a `Session` and change it through its methods. Every change is
applied in memory at once (so the screen never waits for the disk) and written to the
state store by one background writer thread, in order. Two changes to the same thing
that have not been written yet collapse into the newest, so typing into a field never
queues a write per key, and nothing typed is lost: `flush()` runs on quit.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from launchready_tui.core.errors import LaunchReadyError, Problem
from launchready_tui.core.recorder import Recorder, take_snapshot
from launchready_tui.core.results import CheckResult, Status, worst
from launchready_tui.core.state import StateStore, put_entry
from launchready_tui.tui.state_writer import StateWriter  # noqa: F401 - importable from here too

if TYPE_CHECKING:  # pragma: no cover
    from launchready_tui.core.errors import RunbookError
    from launchready_tui.core.incidents import IncidentLog
    from launchready_tui.core.profile import Profile
    from launchready_tui.core.runbook import Runbook, Step

STAGE_NAMES = {
    1: "Quick audit",
    2: "Make deploys boring",
    3: "Protect the edge",
    4: "Fix data-path performance",
    5: "Harden auth and secrets",
    6: "Add observability",
    7: "Production handover",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def short_title(rb) -> str:
    """"Stage 1: Quick audit" -> "Quick audit"."""
    title = rb.title or rb.id
    if ":" in title and title.lower().startswith(("stage", "incident")):
        return title.split(":", 1)[1].strip()
    return title


# ---------------------------------------------------------------------------- session


class Session:
    def __init__(
        self,
        profile_path: Path | str,
        runbook_dirs: list[Path | str] | None = None,
        *,
        demo: bool = False,
        clock: Callable[[], dt.datetime] = utcnow,
        who: str | None = None,
    ) -> None:
        self.profile_path = Path(profile_path)
        self.runbook_dirs = [Path(d) for d in runbook_dirs] if runbook_dirs else None
        self.demo = demo
        self.temporary = False  # the profile's folder is deleted when the app ends (demo)
        self.clock = clock
        self._who = who
        self.profile: Profile | None = None
        self.profile_error: LaunchReadyError | None = None
        self.runbooks: list[Runbook] = []
        self.runbook_errors: list[RunbookError] = []
        self.state_error: LaunchReadyError | None = None
        self.store: StateStore | None = None
        self.state: dict[str, Any] = {}
        self.writer = StateWriter()
        self.incident: IncidentLog | None = None  # while in incident mode
        self.on_incident_event: Callable[[dict[str, Any]], None] | None = None
        self._latest_run: dict[str, int] = {}
        self._runs = itertools.count(1)
        self._unsaved: list[dict[str, Any]] = []
        self._unsaved_snapshots: list[dict[str, Any]] = []
        self._snapshots_seen: list[dict[str, Any]] = []

    # -- loading -----------------------------------------------------------------------

    @property
    def has_profile(self) -> bool:
        return self.profile_path.exists()

    def load(self) -> Session:
        """Load the profile, the runbooks and the state. Problems are kept, not raised."""
        from launchready_tui.core.state import StateStore, empty_state
        from launchready_tui.tui.cache import load_profile, load_runbooks

        self.profile, self.profile_error = None, None
        if self.has_profile:
            try:
                self.profile = load_profile(self.profile_path)
            except LaunchReadyError as e:
                self.profile_error = e
        self.runbooks, self.runbook_errors = load_runbooks(self.runbook_dirs)
        self.store = StateStore(self.profile_path.parent / ".launchready")
        try:
            self.state = self.store.load()
            self.state_error = None
        except LaunchReadyError as e:
            self.state_error = e
            self.state = empty_state()
        return self

    def loaded_store(self) -> StateStore:
        """The state store (made by load(), which runs before anything is changed)."""
        if self.store is None:
            raise RuntimeError("Session.load() has not run yet")
        return self.store

    def reload(self) -> Session:
        self.writer.flush()
        return self.load()

    @property
    def problems(self) -> list[Problem]:
        out: list[Problem] = []
        for e in [self.profile_error, self.state_error, *self.runbook_errors]:
            if e is not None:
                out.extend(e.problems)
        return out

    @property
    def who(self) -> str:
        """The name that signs ticks and records: given to the app (tests, `who=`), or
        the one the person typed once (core/identity.py). Never git's name unasked."""
        if self._who is None:
            from launchready_tui.core.identity import saved_name

            name = saved_name()
            if name is None:
                return "(name not given yet)"
            self._who = name
        return self._who

    @who.setter
    def who(self, value: str) -> None:
        self._who = value

    @property
    def name_known(self) -> bool:
        if self._who is None:
            from launchready_tui.core.identity import saved_name

            self._who = saved_name()
        return self._who is not None

    @property
    def project(self) -> str:
        if self.profile is not None:
            return self.profile.project
        return "your project"

    # -- runbooks ------------------------------------------------------------------------

    def stage_runbooks(self) -> dict[int, Any]:
        out: dict[int, Any] = {}
        for rb in self.runbooks:
            if rb.kind == "stage" and rb.stage and rb.stage not in out:
                out[rb.stage] = rb
        return out

    def incident_runbooks(self) -> list:
        return [rb for rb in self.runbooks if rb.kind == "incident"]

    def runbook(self, rid: str):
        return next((rb for rb in self.runbooks if rb.id == rid), None)

    def first_position(self) -> tuple[Runbook, Step] | tuple[None, None]:
        """Where to open: the saved position if it still exists, else stage 1's first step."""
        pos = self.state.get("position") or {}
        rb = self.runbook(str(pos.get("runbook", "")))
        if rb is not None:
            st = rb.step(str(pos.get("step", "")))
            if st is not None:
                return rb, st
            return rb, rb.steps[0]
        stages = self.stage_runbooks()
        if stages:
            rb = stages[min(stages)]
            return rb, rb.steps[0]
        if self.runbooks:
            return self.runbooks[0], self.runbooks[0].steps[0]
        return None, None

    # -- reading state -----------------------------------------------------------------

    def is_done(self, rb, st) -> bool:
        return f"{rb.id}/{st.id}" in (self.state.get("steps_done") or {})

    def progress(self, rb) -> tuple[int, int]:
        done = sum(1 for st in rb.steps if self.is_done(rb, st))
        return done, len(rb.steps)

    def results_for(self, rb, st=None) -> list[CheckResult]:
        out = []
        prefix = f"{rb.id}/" if st is None else f"{rb.id}/{st.id}/"
        for key, d in (self.state.get("results") or {}).items():
            if key.startswith(prefix):
                try:
                    out.append(CheckResult.from_dict(d))
                except (TypeError, ValueError):
                    continue
        return out

    def worst(self, rb) -> Status | None:
        """The worst status of this runbook's last results (None when nothing ran)."""
        valid = {f"{rb.id}/{st.id}/{c.id}" for st in rb.steps for c in st.checks}
        rs = [r for r in self.results_for(rb) if f"{r.runbook}/{r.step}/{r.check_id}" in valid]
        return worst(r.status for r in rs)

    def result(self, key: str) -> CheckResult | None:
        d = (self.state.get("results") or {}).get(key)
        if not d:
            return None
        try:
            return CheckResult.from_dict(d)
        except (TypeError, ValueError):
            return None

    def confirmation(self, rb, st, block_id: str) -> dict | None:
        return (self.state.get("confirmations") or {}).get(f"{rb.id}/{st.id}/{block_id}")

    def record_value(self, rb, st, block_id: str, field_id: str) -> str:
        rec = (self.state.get("records") or {}).get(f"{rb.id}/{st.id}/{block_id}") or {}
        v = rec.get(field_id)
        return str(v.get("value", "")) if isinstance(v, dict) else ""

    def note(self, rb, st) -> str:
        n = (self.state.get("notes") or {}).get(f"{rb.id}/{st.id}")
        return str(n.get("text", "")) if isinstance(n, dict) else ""

    # -- planning ----------------------------------------------------------------------

    def plan(self, rb, st=None) -> list:
        """The check items of a step (or of the whole runbook when st is None)."""
        from launchready_tui.core import engine

        steps = [st] if st is not None else rb.steps
        if self.profile is None:
            return [self._unplanned(rb, s, spec) for s in steps for spec in s.checks]
        return engine.plan([(rb, s) for s in steps], self.profile)

    def _unplanned(self, rb, st, spec):
        from launchready_tui.core.engine import Planned
        from launchready_tui.core.results import skipped

        why = "fix launchready.yaml first (see the problems screen)" if self.profile_error else \
            "create your profile first (`launchready init`)"
        return Planned(rb, st, spec, "-", {}, skipped(spec.kind, "-", why))

    @property
    def recorder(self) -> Recorder:
        """Writes results, run history and snapshots, as the CLI does (core/recorder.py)."""
        return Recorder(self.loaded_store(), "tui")

    def make_context(self):
        """A CheckContext for one run (builds the network layer; call it off the UI thread)."""
        from launchready_tui.core.context import build_context

        return build_context(self.profile, clock=self.clock)

    # -- changing state (memory now, disk in the background) ----------------------------

    def _now(self) -> str:
        return self.clock().astimezone(dt.UTC).replace(microsecond=0).isoformat()

    def _put(self, section: str, key: str, entry: dict | None, field: str | None = None) -> None:
        """Change the state in memory now and on disk in the background, with exactly
        what the screen shows (same who and when): core/state.put_entry both times."""
        put_entry(self.state, section, key, entry, field)
        store = self.loaded_store()
        write_key = (section, key) if field is None else (section, key, field)
        self.writer.submit(lambda: store.put(section, key, entry, field), key=write_key)

    def set_position(self, rb, st) -> None:
        self.state["position"] = {"runbook": rb.id, "step": st.id}
        store = self.loaded_store()
        self.writer.submit(lambda: store.set_position(rb.id, st.id), key="position")

    def set_confirm(self, rb, st, block_id: str, checked: bool) -> dict | None:
        key = f"{rb.id}/{st.id}/{block_id}"
        who = self.who
        entry = {"checked": True, "by": who, "at": self._now()} if checked else None
        self._put("confirmations", key, entry)
        return entry

    def set_record(self, rb, st, block_id: str, field_id: str, value: str) -> None:
        if self.record_value(rb, st, block_id, field_id) == value:
            return
        key = f"{rb.id}/{st.id}/{block_id}"
        who = self.who
        entry = {"value": value, "by": who, "at": self._now()} if value != "" else None
        self._put("records", key, entry, field_id)

    def set_note(self, rb, st, text: str) -> None:
        if self.note(rb, st) == text:
            return
        key = f"{rb.id}/{st.id}"
        entry = {"text": text, "at": self._now()} if text.strip() else None
        self._put("notes", key, entry)

    def set_step_done(self, rb, st, done: bool) -> None:
        key = f"{rb.id}/{st.id}"
        who = self.who
        entry = {"by": who, "at": self._now()} if done else None
        self._put("steps_done", key, entry)
        if self.incident is not None:
            self.incident_event("step", st.title, step_id=st.id, done=done)

    # -- launch blockers (core/problems.py) -----------------------------------------

    def launch_problems(self) -> list:
        """The ranked problems from the last result of every check, with owner and
        priority from the state and first-seen times from the history."""
        from launchready_tui.core.problems import current, derive, set_aside_allowed

        results = []
        for d in (self.state.get("results") or {}).values():
            try:
                results.append(CheckResult.from_dict(d))
            except (TypeError, ValueError):
                continue
        try:
            history = self.store.read_history() if self.store is not None else []
        except OSError:
            history = []
        found = derive(current(results), self.profile, meta=self.state.get("problems") or {}, history=history,
                       now=min((r.started_at for r in results if r.started_at), default=""))
        return set_aside_allowed(found, self.store.dir)[0] if self.store is not None else found

    def set_problem_meta(self, problem_id: str, *, owner: str, priority: str) -> None:
        """Owner and priority of a problem ("" clears), in memory now, on disk soon."""
        who = self.who
        meta = self.state.setdefault("problems", {})
        entry = {k: v for k, v in (("owner", owner), ("priority", priority)) if v}
        if entry:
            meta[problem_id] = {**entry, "by": who, "at": self._now()}
        else:
            meta.pop(problem_id, None)
        store = self.loaded_store()
        self.writer.submit(lambda: store.set_problem_meta(problem_id, who, owner=owner, priority=priority),
                           key=("problems", problem_id))

    # -- results ---------------------------------------------------------------------

    def begin_run(self, items: list) -> int:
        """Start a run: from now on, older runs' results for these keys are stale."""
        run = next(self._runs)
        for it in items:
            self._latest_run[it.key] = run
        return run

    def accept_result(self, r: CheckResult, run: int) -> bool:
        """Keep r unless a newer run owns its key or a newer result is already stored."""
        snap = take_snapshot(r)  # a measurement goes to the history even when r is stale
        if snap is not None and not any(s is snap for s in self._snapshots_seen):
            self._snapshots_seen.append(snap)
            self._unsaved_snapshots.append(snap)
            self.writer.submit(self._save_pending_results, key="results")
        key = r.key
        if self._latest_run.get(key, run) != run:
            return False
        d = r.to_dict()
        results = self.state.setdefault("results", {})
        old = results.get(key)
        if old and old.get("started_at", "") > d.get("started_at", ""):
            return False
        results[key] = d
        self._unsaved.append(d)
        self.writer.submit(self._save_pending_results, key="results")
        if self.incident is not None:
            self.incident_event("check", "", result=d)
        return True

    def _save_pending_results(self) -> None:
        """Runs on the writer thread: one state write for every result that arrived since."""
        batch, self._unsaved = self._unsaved, []
        snaps, self._unsaved_snapshots = self._unsaved_snapshots, []
        if batch or snaps:
            self.recorder.results(batch, snaps)

    def finish_run(self, results: list[CheckResult], scope: dict[str, Any]) -> None:
        from launchready_tui.core.problems import derive

        if not results:
            return
        found = derive(results, self.profile)
        recorder = self.recorder
        self.writer.submit(lambda: recorder.run(results, scope=scope, problems=found))

    # -- incident mode ---------------------------------------------------------------

    def start_incident(self, rb) -> dict[str, Any]:
        """Resume this runbook's open incident, or start a new one with the runbook's own
        clock. A new one starts fresh (core.incidents.clear_runbook): the state in memory
        is reloaded so no tick, record or result of an earlier incident shows."""
        from launchready_tui.core.incidents import IncidentLog, runbook_budget

        self.writer.flush()  # nothing of the previous incident may land after the clear
        self.incident = IncidentLog.start(
            self.loaded_store(), rb.id, title=short_title(rb), who=self.who,
            budget=runbook_budget(rb, self.profile), clock=self.clock,
        )
        if self.incident.fresh:
            self.state = self.loaded_store().load()
            self._latest_run = {k: v for k, v in self._latest_run.items() if not k.startswith(f"{rb.id}/")}
        else:
            self.state["incidents"] = self.loaded_store().load().get("incidents") or {}
        return self.incident_data()

    def verify_rollback(self) -> bool:
        """A rollback's smoke checks passed in this incident: the clock stops now."""
        from launchready_tui.core.incidents import elapsed_s, iso

        inc = self.incident_data()
        log = self.incident
        if log is None or not inc or inc.get("verified_at"):
            return False
        now = self.clock()
        stop = round(elapsed_s(inc, now))
        inc["verified_at"], inc["verified_s"] = iso(now), stop
        self.writer.submit(lambda: log.verify(inc["verified_at"], stop))
        return True

    def incident_data(self) -> dict[str, Any]:
        if self.incident is None:
            return {}
        return (self.state.get("incidents") or {}).get(self.incident.id) or {}

    def incident_event(self, type: str, text: str, **kw: Any) -> dict[str, Any] | None:
        """Add an event to the open incident's timeline: shown now, saved in the background."""
        log = self.incident
        if log is None:
            return None
        who = self.who
        if type == "check":
            ev = log.check(kw["result"], save=False, incident=self.incident_data())
        elif type == "step":
            ev = log.step(kw.get("step_id", ""), text, done=kw.get("done", True), who=who, save=False)
        elif type == "command":
            ev = log.command(text, exit_code=kw.get("exit_code"), duration_s=kw.get("duration_s"),
                             step=kw.get("step_id"), who=who, started_at=kw.get("started_at"),
                             rollback=kw.get("rollback", False), save=False)
        else:
            ev = log.make_event(type, text, by=who or None)
        self.incident_data().setdefault("events", []).append(ev)
        self.writer.submit(lambda: log.append(ev))
        if self.on_incident_event is not None:
            self.on_incident_event(ev)
        return ev

    def end_incident(self, fields: dict[str, str] | None = None, *, log=None) -> Path | None:
        """Close the incident (the open one, or `log`) and save its note. Returns the note's
        path. Safe to call off the UI thread with `log` after `incident` was cleared."""
        log = log or self.incident
        if log is None:
            return None
        self.incident = None
        self.writer.flush()
        for k, v in (fields or {}).items():
            log.set_field(k, v)
        log.end(who=self.who, save_note=False)
        path = self._write_note(log)
        self.state["incidents"] = self.loaded_store().load().get("incidents") or {}
        return path

    def _write_note(self, log) -> Path:
        """The export module's note (redacted, same look as the handover, written exactly
        as `launchready incident ID --export` writes it) when it is there; the built-in
        plain note otherwise, redacted the same way."""
        from launchready_tui.core.incidents import render_note_plain

        writer = None
        if self.profile is not None:
            try:
                from launchready_tui.core import export

                writer = getattr(export, "write_incident_note", None)
            except ImportError:
                writer = None
        if writer is not None:
            try:
                path = Path(writer(self.profile, log.id, runbooks=self.runbooks))
                log.set_note_path(path)
                return path
            except (LaunchReadyError, OSError, KeyError, ValueError, TypeError):
                pass  # fall back to the plain note: the timeline must not be lost
        text = render_note_plain(log.get() or {}, project=self.project)
        if self.profile is not None:
            from launchready_tui.core.export import secret_redactor

            text = secret_redactor(self.profile).text(text)
        return log.save_note(text)

    def close(self) -> None:
        self.writer.close()


# ---------------------------------------------------------------------------- layout


def split_step(step) -> list:
    """The step's Markdown cut at its live blocks: a list of Markdown strings and blocks,
    in reading order. Other fenced code stays in the Markdown."""
    from markdown_it import MarkdownIt

    from launchready_tui.core.runbook import BLOCK_KINDS

    lines = step.markdown.splitlines(keepends=True)
    tokens = MarkdownIt("commonmark").parse(step.markdown)
    out: list = []
    pos = 0
    blocks = iter(step.blocks)
    for tok in tokens:
        if tok.type != "fence" or tok.map is None:
            continue
        info = tok.info.strip().split()[0] if tok.info.strip() else ""
        if info not in BLOCK_KINDS:
            continue
        block = next(blocks, None)
        if block is None:
            break
        start, end = tok.map
        text = "".join(lines[pos:start]).strip("\n")
        if text.strip():
            out.append(text)
        out.append(block)
        pos = end
    rest = "".join(lines[pos:]).strip("\n")
    if rest.strip():
        out.append(rest)
    return out
