"""The incident note's model, from core/incidents.py's timeline."""

from __future__ import annotations

import datetime as dt
from typing import Any

from launchready_tui.core.export._model import (
    ROLLBACK_BUDGET_MIN,
    IncidentNote,
    TimedRun,
    _dict,
    _list,
    _num,
    parse_time,
    show_date,
    show_time,
)
from launchready_tui.core.export._readers import _profile_get
from launchready_tui.core.export._render import Block, BulletList, ListItem, Strong, Table
from launchready_tui.core.export._sources import _is_rollback, incident_rollback
from launchready_tui.core.incidents import has_budget


def find_incident(incidents: dict[str, Any], wanted: str) -> tuple[str, dict[str, Any]] | None:
    """The incident stored under `wanted`, or the newest one of runbook `wanted`."""
    if wanted in incidents and isinstance(incidents[wanted], dict):
        return wanted, incidents[wanted]
    cands = [(k, v) for k, v in incidents.items() if isinstance(v, dict)
             and (str(v.get("runbook") or "") == wanted or str(k).split("@")[0].split("/")[0] == wanted
                  or str(k).startswith(wanted))]
    if not cands:
        return None
    cands.sort(key=lambda kv: str(kv[1].get("started_at") or ""))
    return cands[-1]


def _duration(a: dt.datetime | None, z: dt.datetime | None) -> str:
    if not a or not z:
        return ""
    secs = int((z - a).total_seconds())
    if secs < 0:
        return ""
    h, rem = divmod(secs, 3600)
    m, s = divmod(rem, 60)
    return (f"{h} h " if h else "") + (f"{m} min " if m or h else "") + f"{s} s"


def _field_text(v: Any) -> str:
    if isinstance(v, dict) and "value" in v:
        v = v["value"]
    if isinstance(v, list):
        return "\n".join(str(x) for x in v)
    return "" if v is None else str(v)


def _clock(seconds: float) -> str:
    s = int(abs(seconds))
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return ("-" if seconds < 0 else "+") + (f"{h}:{m:02d}:{sec:02d}" if h else f"{m:02d}:{sec:02d}")


def _ev_type(e: dict[str, Any]) -> str:
    return str(e.get("type") or "").lower()


def build_incident(incident: Any, *, incident_id: str, runbook: Any, profile: Any, now: dt.datetime) -> IncidentNote:
    """The note's model from core/incidents.py's timeline (events: step, check, command,
    note, decision; free facts in `fields`)."""
    inc = incident if isinstance(incident, dict) else {}
    raw_events = _list(inc, "events")
    events = sorted((e for e in raw_events if isinstance(e, dict)), key=lambda e: str(e.get("at") or ""))
    fields_raw = _dict(inc, "fields")
    fields_ = {str(k): _field_text(v).strip() for k, v in fields_raw.items()}
    started = str(inc.get("started_at") or (events[0].get("at") if events else ""))
    ended = str(inc.get("ended_at") or "")
    a, z = parse_time(started), parse_time(ended)
    budget = _num(inc.get("budget_min")) or (_num(_profile_get(profile, "deploy.rollback_budget_min"))
                                             if profile is not None else None) or ROLLBACK_BUDGET_MIN

    def by(e: dict[str, Any]) -> str:
        return f" ({e['by']})" if e.get("by") else ""

    moments: list[tuple[str, str, str]] = [
        ("Started", started, (f"by {inc['started_by']}" if inc.get("started_by") else ""))]
    detected = fields_.get("detected_at", "")
    first_bad = next((e for e in events if _ev_type(e) == "check" and str(e.get("status")) in ("fail", "error")), None)
    if detected:
        moments.append(("Detected", detected if parse_time(detected) else "", "" if parse_time(detected) else detected))
    elif first_bad:
        moments.append(("Detected", str(first_bad.get("at") or ""), str(first_bad.get("text") or "")))
    else:
        moments.append(("Detected", "", "not recorded"))
    # The decision row is a decision someone made (a tick, a note), never the start or the
    # end of the incident itself.
    made = [e for e in events if _ev_type(e) == "decision"
            and str(e.get("text") or "").strip().lower() not in ("incident closed", "incident started")]
    # The decision itself ("I decided to roll back") beats an earlier tick ("it is the deploy").
    decision = next((e for e in made if "decid" in str(e.get("text") or "").lower()), made[0] if made else None)
    moments.append(("Decision", str(decision.get("at") or ""), str(decision.get("text") or "") + by(decision))
                   if decision else ("Decision", "", "not recorded"))
    rb_ev = next((e for e in reversed(events) if _is_rollback(e)), None)
    rollback = incident_rollback(dict(inc, events=events), budget)
    from launchready_tui.core.incidents import budget_min as _budget_of
    from launchready_tui.core.incidents import clock_stop_s, verdict

    said = verdict(inc)  # the clock's own words: the header and the timeline say the same
    if said and rollback is not None:
        stop = clock_stop_s(inc) or 0.0
        own = _budget_of(inc)
        rollback = TimedRun("incident-verified", rollback.at, stop / 60, own or 0.0,
                            True if own is None else stop <= own * 60, said)
    elif rollback is not None and not has_budget(inc):
        rollback = TimedRun("incident-no-budget", rollback.at, rollback.minutes, 0.0, None, rollback.detail)
    rb_end = None
    if rb_ev is not None and rollback is not None:
        rb_end = parse_time(rb_ev.get("at"))
        code = rb_ev.get("exit_code")
        moments.append(("Rollback started", rollback.at, str(rb_ev.get("command") or "")))
        outcome = ("succeeded" if code == 0 else f"failed (exit status {code})" if code is not None else "did not finish")
        moments.append(("Rollback finished", str(rb_ev.get("at") or ""), outcome))
    else:
        moments.append(("Rollback", "", "no rollback recorded"))
    after = rb_end or a
    verified = next((e for e in events if _ev_type(e) == "check" and str(e.get("status")) == "pass"
                     and (after is None or (parse_time(e.get("at")) or after) >= after)), None)
    if verified is None:
        verified = next((e for e in events if _ev_type(e) == "step" and "verif" in str(e.get("step") or "").lower()), None)
    if said:
        moments.append(("Verified", str(inc.get("verified_at") or ""), said[:1].upper() + said[1:]))
    else:
        moments.append(("Verified", str(verified.get("at") or ""), str(verified.get("text") or ""))
                       if verified else ("Verified", "", "not recorded"))
    told = next((e for e in events if _ev_type(e) == "step" and any(
        w in str(e.get("step") or "").lower() for w in ("tell", "communicat", "customer"))), None)
    comms = fields_.get("customer_communication", "")
    if told:
        moments.append(("Customers told", str(told.get("at") or ""), str(told.get("text") or "")))
        if not comms:
            comms = f"{show_time(told.get('at'))}: {told.get('text', '')}"
    if ended:
        moments.append(("Ended", ended, ""))
    cause = fields_.get("cause", "")
    fu = fields_.get("follow_ups", "")
    follow_ups = [x.strip(" -*•\t") for x in str(fu).splitlines() if x.strip(" -*•\t")]
    shown = {"customer_communication", "cause", "follow_ups", "detected_at"}  # the note's own sections
    other = [(k.replace("_", " ").capitalize(), v) for k, v in sorted(fields_.items()) if k not in shown and v]
    other.sort(key=lambda kv: kv[0].lower() != "impact")
    timeline = []
    for e in events:
        t = parse_time(e.get("at"))
        off = f" ({_clock((t - a).total_seconds())})" if t and a else ""
        timeline.append((str(e.get("at") or "") + off, _ev_type(e), str(e.get("text") or "") + by(e)))
    rb_title = str(getattr(runbook, "title", "") or inc.get("title") or inc.get("runbook") or incident_id or "incident")
    project = str(getattr(profile, "project", "") or "") if profile is not None else ""
    title = f"Incident note: {rb_title}" + (f" ({show_date(started)})" if started else "")
    if ended:
        duration = _duration(a, z)
    else:
        duration = f"still open ({_duration(a, now)} so far)" if a else ""
    return IncidentNote(title, str(incident_id or inc.get("id") or ""), rb_title, started, ended, duration,
                        moments, rollback, str(comms), str(cause), follow_ups, timeline, other, project)


# ------------------------------------------------------------------------------ layout


def _stamp(value: str) -> str:
    """An incident time to the second: '2026-03-14 14:06:10 UTC'."""
    from launchready_tui.core.export._model import parse_time

    t = parse_time(value)
    return t.strftime("%Y-%m-%d %H:%M:%S UTC") if t else str(value or "")


def _when(text: str) -> str:
    stamp, _, rest = text.partition(" ")
    return (_stamp(stamp) + (f" {rest}" if rest else "")) if stamp else ""


def incident_blocks(note: IncidentNote) -> list[Block]:
    from launchready_tui.core.export._layout import _Doc, _minutes

    d = _Doc()
    d.h(1, note.title)
    meta = [f"Incident {note.incident_id}" if note.incident_id else "Incident"]
    if note.project:
        meta.append(note.project)
    d.p(" · ".join(meta), cls="small")
    d.h(2, "Summary")
    facts = [ListItem([Strong("Runbook: "), note.runbook_title]),
             ListItem([Strong("Started: "), _stamp(note.started_at)]),
             ListItem([Strong("Ended: "), _stamp(note.ended_at) if note.ended_at else "still open"])]
    if note.duration:
        facts.append(ListItem([Strong("Duration: "), note.duration]))
    for label, value in note.other_fields:
        if label.lower() in ("impact", "who was affected, and how", "affected"):
            facts.append(ListItem([Strong("Who was affected: "), value]))
    d.add(BulletList(facts))
    d.h(2, "What happened when")
    d.add(Table(["Moment", "When", "What"], [[[m], [_stamp(t)] if t else ["not recorded"], [x]]
                                              for m, t, x in note.moments]))
    d.h(2, "Rollback")
    if note.rollback is not None:
        t = note.rollback
        cls = "good" if t.ok else ("bad" if t.ok is False else "note")
        if t.source == "incident-verified":  # the clock stopped: its own words, once
            d.p(f"{t.detail[:1].upper()}{t.detail[1:]} (minutes:seconds after the incident started).", cls=cls)
        elif t.minutes is None:
            d.p("A rollback was run but its timing was not recorded. ", t.detail, cls="note")
        elif t.source == "incident-no-budget":
            d.p(f"The old version was back {_minutes(t.minutes)} after the incident started (this runbook "
                "has no time budget).", cls="note")
            if t.detail:
                d.p(t.detail, cls="small")
        else:
            within = t.minutes <= t.budget_min  # the word is about time only
            failed = " The rollback itself did not succeed." if t.ok is False and within else ""
            d.p(f"The old version was back {_minutes(t.minutes)} after the incident started, against the "
                f"{t.budget_min:g}-minute budget: {'within' if within else 'over'} budget.{failed}", cls=cls)
            if t.detail:
                d.p(t.detail, cls="small")
    else:
        d.p("No rollback was recorded in this incident.", cls="small")
    d.h(2, "Customer communication")
    d.p(note.customer_comms or "Not recorded.")
    d.h(2, "Cause")
    d.p(note.cause or "Not recorded yet.")
    d.h(2, "Follow-ups")
    if note.follow_ups:
        d.add(BulletList([ListItem(["☐ ", x]) for x in note.follow_ups]))
    else:
        d.p("None recorded yet.")
    rest = [(k, v) for k, v in note.other_fields if k.lower() not in ("impact", "who was affected, and how", "affected")]
    if rest:
        d.h(2, "Other notes")
        d.add(Table(["What", "Written down"], [[[k], [v]] for k, v in rest]))
    d.h(2, "Timeline")
    if note.timeline:
        d.add(Table(["When", "Event", "What"], [[[_when(t)], [k.replace("_", " ")], [x]] for t, k, x in note.timeline]))
    else:
        d.p("No events were recorded.")
    return d.blocks
