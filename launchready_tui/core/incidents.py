"""The incident timeline: what happened, when, and who decided what, during an incident.

An incident is one run of an incident runbook (deploy failure, site down, ...). While it
is open, the TUI (or the CLI) appends events to its timeline; at the end the incident
note is written under `.launchready/incidents/` so the team can read it later.

Stored in the state file (through `StateStore.update`, so it is crash-safe and a second
instance never loses events) as:

    state["incidents"][<incident id>] = {
        "id": <incident id>,                 # e.g. "deploy-failure-20261128-0412"
        "runbook": <runbook id>,             # e.g. "deploy-failure"
        "title": <runbook title>,
        "started_at": <ISO 8601 UTC>, "ended_at": <ISO 8601 UTC> | None,
        "started_by": <who>,
        "budget_min": 10 | None,             # the runbook's own budget (front matter `clock:`)
        "budget_label": "Rollback budget", "budget_overdue": "roll back now",
        "verified_at": <ISO> | None,         # a rollback whose smoke checks passed: the clock stops
        "verified_s": <seconds from the start to verified_at> | None,
        "snapshot": {...},                   # at the end: this runbook's ticks, records, notes
        "events": [{"at": <ISO>, "type": "step"|"check"|"command"|"note"|"decision",
                    "text": <plain words>, ...extra keys (status, step, command, exit_code, by)}],
        "fields": {<key>: <value>},          # free facts: impact, cause, release, ...
        "note_path": <path of the saved note> | None,
    }

Times are stored as text in UTC, with seconds. Secret values never go in here: command
output is not stored, only the command line, its exit status and its duration.
No Textual import here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from launchready_tui.core.state import StateStore, atomic_write

EVENT_TYPES = ("step", "check", "command", "note", "decision")
DEFAULT_BUDGET_MIN = 10.0
INCIDENTS_DIR = "incidents"

Clock = Callable[[], dt.datetime]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def iso(t: dt.datetime) -> str:
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    return t.astimezone(dt.UTC).replace(microsecond=0).isoformat()


def parse_iso(s: str) -> dt.datetime:
    t = dt.datetime.fromisoformat(s)
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)


def new_incident_id(runbook_id: str, now: dt.datetime) -> str:
    return f"{runbook_id}-{now.astimezone(dt.UTC):%Y%m%d-%H%M%S}"


# ---------------------------------------------------------------------------- queries


def all_incidents(state: dict[str, Any]) -> list[dict[str, Any]]:
    """Every incident in the state, oldest first."""
    incs = [i for i in (state.get("incidents") or {}).values() if isinstance(i, dict)]
    return sorted(incs, key=lambda i: str(i.get("started_at", "")))


def open_incident(state: dict[str, Any], runbook_id: str) -> dict[str, Any] | None:
    """The incident of this runbook that is still open (not ended), newest first."""
    for inc in reversed(all_incidents(state)):
        if inc.get("runbook") == runbook_id and not inc.get("ended_at"):
            return inc
    return None


def find_incident(state: dict[str, Any], ident: str) -> dict[str, Any] | None:
    """An incident by its id, or the newest incident of a runbook id."""
    incs = state.get("incidents") or {}
    if ident in incs:
        return incs[ident]
    for inc in reversed(all_incidents(state)):
        if inc.get("runbook") == ident:
            return inc
    return None


def elapsed_s(incident: dict[str, Any], now: dt.datetime) -> float:
    """Seconds since the incident started (until it ended, if it did)."""
    start = parse_iso(incident["started_at"])
    end = parse_iso(incident["ended_at"]) if incident.get("ended_at") else now
    return max(0.0, (end - start).total_seconds())


def budget_left_s(incident: dict[str, Any], now: dt.datetime) -> float | None:
    """Seconds left of the incident's budget (negative once it is blown; frozen once the
    rollback is verified); None when its runbook declares no budget."""
    mins = budget_min(incident)
    if mins is None:
        return None
    stop = clock_stop_s(incident)
    # Whole seconds, as the clock shows them: "Elapsed 00:00" goes with "10:00 left".
    return mins * 60 - int(stop if stop is not None else elapsed_s(incident, now))


def format_clock(seconds: float) -> str:
    """`mm:ss` (or `h:mm:ss`); a leading minus when negative."""
    sign = "-" if seconds < 0 else ""
    s = int(abs(seconds))
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{sign}{h}:{m:02d}:{sec:02d}" if h else f"{sign}{m:02d}:{sec:02d}"


# ---------------------------------------------------------------------------- budgets


@dataclass(frozen=True)
class Budget:
    """An incident runbook's own clock, from its front matter:

        clock:
          budget_min: 10            # or `none`: the clock only counts up
          for: rollback             # the profile's deploy.rollback_budget_min wins
          label: Rollback budget
          overdue: roll back now    # said once the budget is blown
    """

    minutes: float | None
    label: str = ""
    overdue: str = ""
    rollback: bool = False


NO_BUDGET = Budget(None)


def _front_matter(text: str) -> dict[str, Any]:
    if not text.startswith("---"):
        return {}
    end = text.find("\n---", 3)
    if end < 0:
        return {}
    import yaml

    try:
        data = yaml.safe_load(text[3:end])
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def parse_budget(clock: Any) -> Budget:
    """The `clock:` mapping of an incident runbook's front matter (ValueError when it is
    malformed). No `clock:` at all: no budget (never a borrowed rollback deadline)."""
    if clock is None:
        return NO_BUDGET
    if not isinstance(clock, dict):
        raise ValueError("`clock:` must be a mapping with `budget_min` (minutes, or none)")
    raw = clock.get("budget_min")
    if raw is None or (isinstance(raw, str) and raw.strip().lower() in ("none", "no", "")):
        return NO_BUDGET
    if isinstance(raw, bool) or not isinstance(raw, int | float) or raw <= 0:
        raise ValueError(f"`clock.budget_min` must be a number of minutes or none, not {raw!r}")
    rollback = str(clock.get("for") or "").strip().lower() == "rollback"
    label = str(clock.get("label") or ("Rollback budget" if rollback else "Time budget"))
    overdue = str(clock.get("overdue") or ("roll back now" if rollback else "act now"))
    return Budget(float(raw), label, overdue, rollback)


def runbook_budget(rb: Any, profile: Any = None) -> Budget:
    """The budget the runbook declares; a rollback budget takes the profile's own
    `deploy.rollback_budget_min` when it sets one."""
    try:
        b = parse_budget(_front_matter(str(getattr(rb, "text", "") or "")).get("clock"))
    except ValueError:
        b = NO_BUDGET
    if b.rollback and profile is not None:
        own = profile.get("deploy.rollback_budget_min")
        if isinstance(own, int | float) and not isinstance(own, bool) and own > 0:
            b = Budget(float(own), b.label, b.overdue, True)
    return b


def has_budget(incident: dict[str, Any]) -> bool:
    """Incidents saved before runbooks declared a clock all had the 10-minute one."""
    return "budget_min" not in incident or incident.get("budget_min") not in (None, 0)


def budget_min(incident: dict[str, Any]) -> float | None:
    if not has_budget(incident):
        return None
    return float(incident.get("budget_min") or DEFAULT_BUDGET_MIN)


def clock_stop_s(incident: dict[str, Any]) -> float | None:
    """Seconds from the start to the verified rollback, when there was one."""
    v = incident.get("verified_s")
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def verdict(incident: dict[str, Any]) -> str:
    """The one sentence about the clock that the header, the timeline and the note all
    use: "rolled back and verified at 00:58, within the 10-minute rollback budget"."""
    stop = clock_stop_s(incident)
    if stop is None:
        return ""
    text = f"rolled back and verified at {format_clock(stop)}"
    mins = budget_min(incident)
    if mins is not None:
        text += f", {'within' if stop <= mins * 60 else 'over'} the {mins:g}-minute budget"
    return text


# ---------------------------------------------------------------------------- the log


class IncidentLog:
    """Write access to one incident's timeline. Every call is one locked state update."""

    def __init__(self, store: StateStore, incident_id: str, *, clock: Clock = utcnow) -> None:
        self.store = store
        self.id = incident_id
        self.clock = clock

    # -- lifecycle -------------------------------------------------------------------

    @classmethod
    def start(
        cls,
        store: StateStore,
        runbook_id: str,
        *,
        title: str = "",
        who: str = "",
        budget_min: float | None = None,
        budget: Budget | None = None,
        clock: Clock = utcnow,
    ) -> IncidentLog:
        """Open a new incident for this runbook, or resume the one still open.

        A new incident starts fresh: the runbook's ticks, records, notes, done steps and
        results (command output included) from an earlier incident are cleared (that
        incident keeps its own copy, saved when it ended). `budget` is the runbook's own
        clock; `budget_min` alone (older callers) means a rollback budget."""
        if budget is None:
            budget = Budget(float(budget_min or DEFAULT_BUDGET_MIN), "Rollback budget", "roll back now", True)
        now = clock()
        holder: dict[str, Any] = {}

        def fn(s: dict[str, Any]) -> None:
            existing = open_incident(s, runbook_id)
            if existing is not None:
                holder["id"] = existing["id"]
                holder["fresh"] = False
                return
            iid = new_incident_id(runbook_id, now)
            n = 2
            while iid in s["incidents"]:
                iid = f"{new_incident_id(runbook_id, now)}-{n}"
                n += 1
            clear_runbook(s, runbook_id)
            s["incidents"][iid] = {
                "id": iid,
                "runbook": runbook_id,
                "title": title,
                "started_at": iso(now),
                "ended_at": None,
                "started_by": who,
                "budget_min": budget.minutes,
                "budget_label": budget.label,
                "budget_overdue": budget.overdue,
                "verified_at": None,
                "verified_s": None,
                "events": [
                    {"at": iso(now), "type": "decision", "text": "Incident started", "by": who}
                ],
                "fields": {},
                "note_path": None,
            }
            holder["id"] = iid
            holder["fresh"] = True

        store.update(fn)
        log = cls(store, holder["id"], clock=clock)
        log.fresh = bool(holder.get("fresh"))
        return log

    fresh = False  # True when `start` opened a new incident (not resumed an open one)

    def verify(self, at: str, stop_s: float) -> bool:
        """The rollback is done and its smoke checks passed: stop the clock (once)."""
        done: dict[str, bool] = {}

        def fn(s: dict[str, Any]) -> None:
            inc = s["incidents"].get(self.id)
            if inc is None or inc.get("verified_at"):
                return
            inc["verified_at"] = at
            inc["verified_s"] = round(stop_s)
            done["yes"] = True

        self.store.update(fn)
        return bool(done)

    def get(self) -> dict[str, Any] | None:
        return (self.store.load().get("incidents") or {}).get(self.id)

    def make_event(self, type: str, text: str, **extra: Any) -> dict[str, Any]:
        """Build one event stamped now, without saving it (see `append`)."""
        if type not in EVENT_TYPES:
            raise ValueError(f"unknown incident event type {type!r}")
        ev = {"at": iso(self.clock()), "type": type, "text": str(text)}
        ev.update({k: v for k, v in extra.items() if v is not None})
        return ev

    def append(self, ev: dict[str, Any]) -> None:
        """Save an event built by `make_event` (the TUI shows it first, saves it in the
        background)."""

        def fn(s: dict[str, Any]) -> None:
            inc = s["incidents"].get(self.id)
            if inc is None:
                raise KeyError(self.id)
            inc.setdefault("events", []).append(ev)

        self.store.update(fn)

    def add(self, type: str, text: str, **extra: Any) -> dict[str, Any]:
        """Append one event now. `type` is one of EVENT_TYPES."""
        ev = self.make_event(type, text, **extra)
        self.append(ev)
        return ev

    def step(self, step_id: str, title: str, *, done: bool = True, who: str = "",
             save: bool = True) -> dict[str, Any]:
        verb = "Done" if done else "Reopened"
        return self._emit(save, "step", f"{verb}: {title}", step=step_id, by=who or None)

    def _emit(self, save: bool, type: str, text: str, **extra: Any) -> dict[str, Any]:
        return self.add(type, text, **extra) if save else self.make_event(type, text, **extra)

    def check(self, result: dict[str, Any], *, save: bool = True,
              incident: dict[str, Any] | None = None) -> dict[str, Any]:
        """A check result (a CheckResult.to_dict()). A passing rollback in an incident
        whose clock stopped is told with the incident's own verdict, so the timeline
        never says "within budget" where the note says "over"."""
        from launchready_tui.core.results import LABEL, SYMBOL, Status

        st = Status(result.get("status", "error"))
        summary = str(result.get("summary", ""))
        if (incident and verdict(incident) and st is Status.PASS and result.get("check") == "command"
                and summary.startswith("the rollback")):
            summary = verdict(incident)[:1].upper() + verdict(incident)[1:]
        text = f"{SYMBOL[st]} {LABEL[st]}: {summary}"
        return self._emit(
            save, "check", text, status=st.value, check=result.get("check_id") or result.get("check"),
            target=result.get("target"), step=result.get("step") or None,
        )

    def command(self, command: str, *, exit_code: int | None, duration_s: float | None = None,
                step: str | None = None, who: str = "", started_at: str | None = None,
                rollback: bool = False, save: bool = True) -> dict[str, Any]:
        """A command that ran. `rollback=True` marks the rollback itself, so the note can
        set its start and end against the budget."""
        if exit_code is None:
            outcome = "did not finish"
        elif exit_code == 0:
            outcome = "succeeded"
        else:
            outcome = f"failed (exit status {exit_code})"
        text = f"Ran `{command}`: {outcome}"
        if duration_s is not None:
            text += f" in {duration_s:.0f} s"
        return self._emit(save, "command", text, command=command, exit_code=exit_code,
                          duration_s=round(duration_s, 1) if duration_s is not None else None,
                          step=step, by=who or None, started_at=started_at,
                          rollback=True if rollback else None)

    def note(self, text: str, *, who: str = "", save: bool = True) -> dict[str, Any]:
        return self._emit(save, "note", text, by=who or None)

    def decision(self, text: str, *, who: str = "", save: bool = True) -> dict[str, Any]:
        return self._emit(save, "decision", text, by=who or None)

    def set_field(self, key: str, value: Any) -> None:
        def fn(s: dict[str, Any]) -> None:
            inc = s["incidents"][self.id]
            if value in (None, ""):
                inc.setdefault("fields", {}).pop(key, None)
            else:
                inc.setdefault("fields", {})[key] = value

        self.store.update(fn)

    def end(self, *, who: str = "", save_note: bool = True, profile: Any = None) -> Path | None:
        """Close the incident (idempotent) and save its note (redacted with the profile's
        secrets when a profile is given). Returns the note's path."""
        now = self.clock()

        def fn(s: dict[str, Any]) -> None:
            inc = s["incidents"][self.id]
            if not inc.get("ended_at"):
                inc["snapshot"] = runbook_snapshot(s, str(inc.get("runbook") or ""))
                inc.setdefault("events", []).append(
                    {"at": iso(now), "type": "decision", "text": "Incident closed",
                     **({"by": who} if who else {})}
                )
                inc["ended_at"] = iso(now)

        self.store.update(fn)
        if not save_note:
            return None
        return self.save_note(profile=profile)

    def set_note_path(self, path: Path) -> None:
        def fn(s: dict[str, Any]) -> None:
            s["incidents"][self.id]["note_path"] = str(path)

        self.store.update(fn)

    def save_note(self, text: str | None = None, *, profile: Any = None) -> Path:
        """Write the incident note to `.launchready/incidents/<id>.md` and remember where.
        A note rendered here is redacted with the profile's secrets when it is given."""
        inc = self.get()
        if inc is None:
            raise KeyError(self.id)
        if text is None:
            text = render_note(inc, profile=profile)
        path = note_path(self.store, self.id)
        atomic_write(path, text.encode("utf-8"))
        self.set_note_path(path)
        return path


RUNBOOK_SECTIONS = ("confirmations", "records", "notes", "steps_done", "results")


def _of_runbook(key: str, runbook_id: str) -> bool:
    return str(key).startswith(f"{runbook_id}/")


def runbook_snapshot(state: dict[str, Any], runbook_id: str) -> dict[str, Any]:
    """This runbook's ticks, records, notes and done steps (results are in the events)."""
    return {sec: {k: v for k, v in (state.get(sec) or {}).items() if _of_runbook(k, runbook_id)}
            for sec in RUNBOOK_SECTIONS if sec != "results"}


def clear_runbook(state: dict[str, Any], runbook_id: str) -> None:
    """Forget this runbook's ticks, records, notes, done steps and results, and put its
    position back on step 1 (a new incident of the same runbook starts fresh)."""
    for sec in RUNBOOK_SECTIONS:
        d = state.get(sec)
        if isinstance(d, dict):
            for k in [k for k in d if _of_runbook(k, runbook_id)]:
                del d[k]
    pos = state.get("position") or {}
    if pos.get("runbook") == runbook_id:
        state["position"] = {}


def note_path(store: StateStore, incident_id: str) -> Path:
    safe = re.sub(r"[^\w.-]", "_", incident_id)
    return store.dir / INCIDENTS_DIR / f"{safe}.md"


# ---------------------------------------------------------------------------- the note


def render_note(incident: dict[str, Any], *, project: str = "", profile: Any = None) -> str:
    """The incident note as Markdown.

    Uses `core.export.render_incident_note` when the export module provides it (one look
    for every handover document); otherwise a plain built-in layout. With the profile, the
    note is redacted of its secrets (env files, keyring) either way."""
    try:
        from launchready_tui.core import export  # built by the export issue
    except ImportError:
        export = None  # type: ignore[assignment]
    fn = getattr(export, "render_incident_note", None) if export is not None else None
    if fn is not None:
        return str(fn(incident, incident_id=str(incident.get("id", "")), profile=profile))
    text = render_note_plain(incident, project=project or (profile.project if profile is not None else ""))
    redactor = getattr(export, "secret_redactor", None) if export is not None else None
    if profile is not None and redactor is not None:
        text = redactor(profile).text(text)
    return text


def render_note_plain(incident: dict[str, Any], *, project: str = "") -> str:
    title = incident.get("title") or incident.get("runbook") or incident.get("id", "incident")
    lines = [f"# Incident note: {title}", ""]
    if project:
        lines.append(f"- Project: {project}")
    lines.append(f"- Incident: {incident.get('id', '')}")
    lines.append(f"- Runbook: {incident.get('runbook', '')}")
    lines.append(f"- Started: {incident.get('started_at', '')}"
                 + (f" by {incident['started_by']}" if incident.get("started_by") else ""))
    if incident.get("ended_at"):
        lines.append(f"- Ended: {incident['ended_at']}")
        lines.append(f"- Duration: {format_clock(elapsed_s(incident, utcnow()))}")
    else:
        lines.append("- Ended: still open")
    mins = budget_min(incident)
    label = str(incident.get("budget_label") or "Rollback budget")
    lines.append(f"- {label}: {mins:g} minutes" if mins is not None else "- Time budget: none")
    if verdict(incident):
        lines.append(f"- Clock: {verdict(incident)}")
    fields = incident.get("fields") or {}
    if fields:
        lines += ["", "## Facts", ""]
        for k, v in fields.items():
            lines.append(f"- {k.replace('_', ' ').capitalize()}: {v}")
    lines += ["", "## Timeline", ""]
    start = parse_iso(incident["started_at"]) if incident.get("started_at") else None
    for ev in incident.get("events") or []:
        at = ev.get("at", "")
        offset = ""
        if start is not None and at:
            try:
                offset = f" (+{format_clock((parse_iso(at) - start).total_seconds())})"
            except ValueError:
                offset = ""
        by = f" ({ev['by']})" if ev.get("by") else ""
        lines.append(f"- {at}{offset} [{ev.get('type', '')}] {ev.get('text', '')}{by}")
    return "\n".join(lines) + "\n"
