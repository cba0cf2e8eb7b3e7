"""The handover's data model and how it is built from state, history and runbooks.

Pure: no file or network access, deterministic for a given input and clock. Evidence is
read defensively, because each check family owns its evidence keys: nothing here assumes
a key exists or has a given type.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from typing import Any

from launchready_tui.core.results import SEVERITY, Status

STALE_DAYS = 14
ROLLBACK_BUDGET_MIN = 10.0
DEFAULT_LATENCY_BUDGET_MS = 300.0
EMAIL_KINDS = ("spf", "dkim", "dmarc", "mx")
STALE_TEXT = "stale - re-run before relying on it"


# ------------------------------------------------------------------------------ helpers


def parse_time(value: Any) -> dt.datetime | None:
    """An ISO date or timestamp as an aware UTC datetime; None when it is not one."""
    if isinstance(value, dt.datetime):
        t = value
    elif isinstance(value, dt.date):
        t = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return dt.datetime.fromtimestamp(float(value), dt.UTC)
        except (OverflowError, OSError, ValueError):
            return None
    elif isinstance(value, str) and value.strip():
        s = value.strip()
        if s.endswith("Z"):
            s = s[:-1] + "+00:00"
        try:
            t = dt.datetime.fromisoformat(s)
        except ValueError:
            return None
    else:
        return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    return t.astimezone(dt.UTC)


def show_time(value: Any) -> str:
    """'2026-03-01 14:05 UTC' (or the text as given when it is not a time)."""
    t = parse_time(value)
    if t is None:
        return str(value or "")
    if isinstance(value, str) and len(value.strip()) <= 10:
        return t.strftime("%Y-%m-%d")
    return t.strftime("%Y-%m-%d %H:%M UTC")


def show_date(value: Any) -> str:
    t = parse_time(value)
    return t.strftime("%Y-%m-%d") if t else str(value or "")


def _pick(d: Any, *keys: str, default: Any = None) -> Any:
    """The first present, non-empty value among keys of a mapping."""
    if not isinstance(d, dict):
        return default
    for k in keys:
        v = d.get(k)
        if v is not None and v != "" and v != [] and v != {}:
            return v
    return default


def _num(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        m = re.match(r"^\s*(-?\d+(?:\.\d+)?)", value)
        if m:
            return float(m.group(1))
    return None


def _status(value: Any) -> str:
    s = str(value or "").lower()
    return s if s in {x.value for x in Status} else (s or "error")


def _severity(status: str) -> int:
    try:
        return SEVERITY[Status(status)]
    except ValueError:
        return 3


def cadence_days(value: Any) -> float | None:
    """A rotation cadence as days: 90, "90d", "12 weeks", "6 months", "quarterly"."""
    n = _num(value)
    if isinstance(value, int | float) and n is not None:
        return n if n > 0 else None
    if not isinstance(value, str):
        return None
    s = value.strip().lower()
    words = {"daily": 1, "weekly": 7, "monthly": 30, "quarterly": 91, "yearly": 365,
             "annually": 365, "annual": 365, "twice a year": 182}
    if s in words:
        return float(words[s])
    m = re.match(r"^(?:every\s+)?(\d+(?:\.\d+)?)\s*(d|days?|w|weeks?|m|mo|months?|y|years?)?$", s)
    if not m:
        return None
    n = float(m.group(1))
    unit = (m.group(2) or "d")[0]
    if m.group(2) and m.group(2).startswith("mo"):
        unit = "m"
    return n * {"d": 1, "w": 7, "m": 30, "y": 365}[unit] if n > 0 else None


# ------------------------------------------------------------------------------ the model


@dataclass
class ResultView:
    """One stored check result, normalised so the layout never meets a missing key."""

    key: str
    check: str
    check_id: str
    target: str
    status: str
    summary: str
    why: str
    fix: str
    evidence: dict[str, Any]
    started_at: str
    runbook: str
    step: str
    stage: int | None
    age_days: float | None = None
    stale: bool = False

    @classmethod
    def from_dict(cls, key: str, d: Any, now: dt.datetime) -> ResultView:
        if not isinstance(d, dict):
            d = {"summary": str(d)}
        ev = d.get("evidence")
        if not isinstance(ev, dict):
            ev = {} if ev is None else {"value": ev}
        stage = d.get("stage")
        if isinstance(stage, bool) or not isinstance(stage, int):
            stage = None
        started = str(d.get("started_at") or "")
        t = parse_time(started)
        age = (now - t).total_seconds() / 86400 if t else None
        return cls(
            key=str(key),
            check=str(d.get("check") or "check"),
            check_id=str(d.get("check_id") or d.get("check") or ""),
            target=str(d.get("target") if d.get("target") is not None else ""),
            status=_status(d.get("status")),
            summary=str(d.get("summary") or ""),
            why=str(d.get("why") or ""),
            fix=str(d.get("fix") or ""),
            evidence=ev,
            started_at=started,
            runbook=str(d.get("runbook") or ""),
            step=str(d.get("step") or ""),
            stage=stage,
            age_days=age,
            stale=age is not None and age > STALE_DAYS,
        )

    @property
    def open(self) -> bool:
        return self.status in ("fail", "warn", "error")


@dataclass
class ConfirmView:
    id: str
    text: str
    blocker: bool
    checked: bool
    by: str = ""
    at: str = ""


@dataclass
class FieldView:
    id: str
    label: str
    value: str
    by: str = ""
    at: str = ""
    type: str = "text"


@dataclass
class RecordView:
    id: str
    label: str
    fields: list[FieldView]

    @property
    def filled(self) -> list[FieldView]:
        return [f for f in self.fields if f.value]


@dataclass
class StepView:
    runbook: str
    id: str
    title: str
    results: list[ResultView]
    confirms: list[ConfirmView]
    records: list[RecordView]
    note: str = ""
    note_at: str = ""
    done_by: str = ""
    done_at: str = ""
    commands: list[tuple[str, str]] = field(default_factory=list)  # (label, command)
    checks: list[tuple[str, str]] = field(default_factory=list)  # (check id, kind) in the runbook


@dataclass
class StageView:
    runbook: str
    stage: int | None
    title: str
    goal: str
    steps: list[StepView]
    status: str | None = None  # the worst check status, None when nothing ran

    @property
    def results(self) -> list[ResultView]:
        return [r for s in self.steps for r in s.results]

    @property
    def steps_done(self) -> int:
        return sum(1 for s in self.steps if s.done_by or s.done_at)


@dataclass
class Blocker:
    kind: str  # "fail" or "confirm"
    text: str
    where: str  # "Stage 1: ... > Step"
    fix: str = ""
    result: ResultView | None = None


@dataclass
class Verdict:
    blockers: list[Blocker]
    warnings: list[ResultView]
    errors: list[ResultView]
    counts: dict[str, int]
    stale: int
    total: int

    @property
    def ready(self) -> bool:
        return not self.blockers


@dataclass
class HostRow:
    host: str
    role: str
    records: list[str]
    purpose: str
    status: str | None
    summary: str = ""
    checked_at: str = ""
    stale: bool = False


@dataclass
class RedirectRow:
    start: str
    hops: list[str]
    final: str
    status: str | None
    note: str = ""
    stale: bool = False


@dataclass
class TlsRow:
    host: str
    issuer: str
    not_after: str
    days_left: float | None
    status: str | None
    renews: str
    summary: str = ""
    stale: bool = False


@dataclass
class Where:
    environments: list[dict[str, str]]
    production: str
    map_fields: list[FieldView]
    hosts: list[HostRow]
    redirects: list[RedirectRow]
    redirect_record: list[FieldView]
    tls: list[TlsRow]
    tls_record: list[FieldView]


@dataclass
class TreeNode:
    label: str
    detail: str = ""
    children: list[TreeNode] = field(default_factory=list)


@dataclass
class EmailView:
    domain: str
    results: list[ResultView]
    spf_tree: TreeNode | None
    spf_total: str
    dmarc_plan: list[dict[str, str]]
    record: list[FieldView]


@dataclass
class CredentialView:
    id: str
    label: str
    reference: str
    owner: str
    cadence: str
    last_rotated: str
    next_due: str
    overdue: bool
    how_to_rotate: str
    in_keyring: str = ""


@dataclass
class SecretsView:
    credentials: list[CredentialView]
    inventory_record: list[FieldView]
    scan_results: list[ResultView]


@dataclass
class TimedRun:
    source: str
    at: str
    minutes: float | None
    budget_min: float
    ok: bool | None
    detail: str = ""


@dataclass
class RunbooksView:
    deploy_fields: list[FieldView]
    deploy_command: str
    deploy_ci_job: str
    smoke: list[tuple[str, str]]  # (url, expectation)
    rollback_fields: list[FieldView]
    rollback_command: str
    rollback_budget_min: float
    rollback_runs: list[TimedRun]
    incidents: list[Any]  # Runbook objects, deploy-failure first
    commands: dict[str, str] = field(default_factory=dict)  # "rb/step/block" -> command, filled in


@dataclass
class PerfRow:
    route: str
    release: str
    at: str
    p50: float | None
    p95: float | None
    p99: float | None
    budget_ms: float | None
    status: str | None
    source: str = ""
    name: str = ""


@dataclass
class AllowEntry:
    what: str
    reason: str
    expires: str
    expired: bool
    by: str = ""


@dataclass
class RiskView:
    open_results: list[ResultView]
    unticked_blockers: list[Blocker]
    allowlist: list[AllowEntry]
    allowlist_problem: str
    out_of_scope: str
    records: list[RecordView]


@dataclass
class Action:
    what: str
    due: str = ""  # a date, or "" for "now"
    who: str = ""
    why: str = ""
    kind: str = "fix"  # fix | tick | rerun | look | recurring | team


@dataclass
class Handover:
    project: str
    domain: str
    date: str
    generated_at: str
    author: str
    profile_path: str
    verdict: Verdict
    summary: str
    where: Where
    stages: list[StageView]
    other_results: list[ResultView]
    email: EmailView
    secrets: SecretsView
    runbooks: RunbooksView
    performance: list[PerfRow]
    performance_note: str
    risks: RiskView
    day2: list[Action]
    titles: dict[str, str] = field(default_factory=dict)
    stale_days: int = STALE_DAYS




@dataclass
class IncidentNote:
    title: str
    incident_id: str
    runbook_title: str
    started_at: str
    ended_at: str
    duration: str
    moments: list[tuple[str, str, str]]  # (what, when, text)
    rollback: TimedRun | None
    customer_comms: str
    cause: str
    follow_ups: list[str]
    timeline: list[tuple[str, str, str]]  # (when, type, text)
    other_fields: list[tuple[str, str]]
    project: str = ""


# ------------------------------------------------------------------------------ building


def _short(value: Any, limit: int = 240) -> str:
    s = " ".join(str(value).split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


def stage_title(rb: Any) -> str:
    title = str(getattr(rb, "title", "") or getattr(rb, "id", ""))
    stage = getattr(rb, "stage", None)
    if stage and not title.lower().startswith("stage"):
        return f"Stage {stage}: {title}"
    if getattr(rb, "kind", "") == "incident" and not title.lower().startswith("incident"):
        return f"Incident: {title}"
    return title


def _results(state: dict[str, Any], now: dt.datetime) -> list[ResultView]:
    raw = state.get("results")
    if not isinstance(raw, dict):
        raw = {str(i): r for i, r in enumerate(raw)} if isinstance(raw, list) else {}
    out = [ResultView.from_dict(k, v, now) for k, v in raw.items()]
    out.sort(key=lambda r: (r.stage if r.stage is not None else 99, r.runbook, r.step, r.check_id, r.target, r.key))
    return out


def _entry(d: Any) -> dict[str, Any]:
    if isinstance(d, dict):
        return d
    if d is True:
        return {"checked": True}
    if isinstance(d, str):
        return {"value": d}
    return {}


def _field_view(fid: str, label: str, raw: Any, ftype: str = "text") -> FieldView:
    e = _entry(raw)
    value = e.get("value", "") if isinstance(raw, dict) else (raw if isinstance(raw, str) else "")
    if isinstance(value, list):
        value = "\n".join(str(x) for x in value)
    elif isinstance(value, dict):
        value = ", ".join(f"{k}: {v}" for k, v in sorted(value.items(), key=lambda kv: str(kv[0])))
    return FieldView(fid, label, str(value if value is not None else "").strip(),
                     str(e.get("by") or ""), str(e.get("at") or ""), ftype)


def _record_view(block: Any, stored: Any) -> RecordView:
    stored = stored if isinstance(stored, dict) else {}
    fields_ = []
    known = set()
    for f in getattr(block, "fields", ()):
        known.add(f.id)
        fields_.append(_field_view(f.id, f.label, stored.get(f.id), f.type))
    for fid in sorted(k for k in stored if k not in known):
        fields_.append(_field_view(str(fid), str(fid).replace("_", " ").capitalize(), stored[fid]))
    return RecordView(block.id, block.label, fields_)


def find_record(state: dict[str, Any], runbooks: list[Any], block_id: str) -> list[FieldView]:
    """The fields of record `block_id`, wherever it lives (first runbook that has it)."""
    records = state.get("records") if isinstance(state.get("records"), dict) else {}
    for rb in runbooks:
        for st in rb.steps:
            for b in st.records:
                if b.id == block_id:
                    return _record_view(b, records.get(f"{rb.id}/{st.id}/{b.id}")).fields
    for key in sorted(records):
        if str(key).rsplit("/", 1)[-1] == block_id and isinstance(records[key], dict):
            return [_field_view(str(k), str(k).replace("_", " ").capitalize(), v)
                    for k, v in sorted(records[key].items(), key=lambda kv: str(kv[0]))]
    return []


def find_field(state: dict[str, Any], runbooks: list[Any], field_id: str) -> FieldView | None:
    """A record field by id in any record (the first filled one, in runbook order)."""
    records = state.get("records") if isinstance(state.get("records"), dict) else {}
    for rb in runbooks:
        for st in rb.steps:
            for b in st.records:
                for f in b.fields:
                    if f.id == field_id:
                        fv = _field_view(f.id, f.label, (records.get(f"{rb.id}/{st.id}/{b.id}") or {}).get(f.id), f.type)
                        if fv.value:
                            return fv
    for key in sorted(records):
        rec = records[key]
        if isinstance(rec, dict) and field_id in rec:
            fv = _field_view(field_id, field_id.replace("_", " ").capitalize(), rec[field_id])
            if fv.value:
                return fv
    return None


def _profile_get(profile: Any, key: str, default: Any = None) -> Any:
    try:
        v = profile.get(key)
    except Exception:
        return default
    return default if v is None else v


def _render_command(text: str, profile: Any) -> str:
    from launchready_tui.core.runbook import TemplateMissing, render

    try:
        out = render(text, profile)
    except (TemplateMissing, Exception):
        return text
    return out if isinstance(out, str) else text


def _stage_views(runbooks: list[Any], state: dict[str, Any], results: list[ResultView],
                 profile: Any) -> tuple[list[StageView], list[ResultView]]:
    by_step: dict[tuple[str, str], list[ResultView]] = {}
    for r in results:
        by_step.setdefault((r.runbook, r.step), []).append(r)
    confirms = state.get("confirmations") if isinstance(state.get("confirmations"), dict) else {}
    records = state.get("records") if isinstance(state.get("records"), dict) else {}
    notes = state.get("notes") if isinstance(state.get("notes"), dict) else {}
    done = state.get("steps_done") if isinstance(state.get("steps_done"), dict) else {}
    used: set[tuple[str, str]] = set()
    stages = []
    for rb in runbooks:
        if rb.kind != "stage":
            continue
        steps = []
        for st in rb.steps:
            used.add((rb.id, st.id))
            order = {c.id: i for i, c in enumerate(st.checks)}
            rs = sorted(by_step.get((rb.id, st.id), []),
                        key=lambda r, o=order: (o.get(r.check_id, len(o)), r.check_id, r.target))
            cv = []
            for c in st.confirms:
                e = _entry(confirms.get(f"{rb.id}/{st.id}/{c.id}"))
                cv.append(ConfirmView(c.id, c.text, c.blocker, bool(e.get("checked")),
                                      str(e.get("by") or ""), str(e.get("at") or "")))
            recs = [_record_view(b, records.get(f"{rb.id}/{st.id}/{b.id}")) for b in st.records]
            note = _entry(notes.get(f"{rb.id}/{st.id}"))
            d = _entry(done.get(f"{rb.id}/{st.id}"))
            cmds = [(c.label or c.id, _render_command(c.run, profile)) for c in st.commands]
            steps.append(StepView(rb.id, st.id, st.title, rs, cv, recs,
                                  str(note.get("text") or note.get("value") or ""), str(note.get("at") or ""),
                                  str(d.get("by") or ("yes" if d else "")), str(d.get("at") or ""), cmds,
                                  [(c.id, c.kind) for c in st.checks]))
        sv = StageView(rb.id, rb.stage, stage_title(rb), str(rb.goal or ""), steps)
        ran = [r.status for r in sv.results if r.status != "skip"]
        sv.status = max(ran, key=_severity) if ran else None
        stages.append(sv)
    incident_books = {rb.id for rb in runbooks if rb.kind != "stage"}
    other = [r for r in results if (r.runbook, r.step) not in used and r.runbook not in incident_books]
    return stages, other


def current_results(results: list[ResultView], stage_of: dict[str, int]) -> list[ResultView]:
    """One result per (check kind, target): the newest one says how things stand now.

    The same check often runs in several places (stage 1, stage 7, an incident runbook);
    counting each copy would list one problem three times. The result keeps the newest
    status and text, and is placed at the earliest stage step that runs it, so links point
    at a stage rather than at an incident runbook."""
    groups: dict[tuple[str, str], list[ResultView]] = {}
    for r in results:
        groups.setdefault((r.check, r.target), []).append(r)
    out = []
    for rs in groups.values():
        newest = max(rs, key=lambda r: (r.started_at, r.key))
        staged = [r for r in rs if r.runbook in stage_of]
        home = min(staged, key=lambda r: (stage_of[r.runbook], r.runbook, r.step, r.key)) if staged else newest
        out.append(replace(newest, runbook=home.runbook, step=home.step, stage=home.stage)
                   if home is not newest else newest)
    out.sort(key=lambda r: (r.stage if r.stage is not None else 99, r.runbook, r.step, r.check_id, r.target, r.key))
    return out


def _where(r: ResultView, titles: dict[str, str]) -> str:
    rb = titles.get(r.runbook, r.runbook or "checks")
    step = titles.get(f"{r.runbook}/{r.step}", r.step)
    return f"{rb} › {step}" if step else rb


def _verdict(stages: list[StageView], results: list[ResultView], current: list[ResultView],
             titles: dict[str, str]) -> Verdict:
    blockers: list[Blocker] = []
    for r in current:
        if r.status == "fail":
            blockers.append(Blocker("fail", r.summary or f"{r.check} failed on {r.target}", _where(r, titles), r.fix, r))
    for sv in stages:
        for st in sv.steps:
            for c in st.confirms:
                if c.blocker and not c.checked:
                    blockers.append(Blocker("confirm", c.text, f"{sv.title} › {st.title}"))
    counts = {s.value: 0 for s in Status}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    return Verdict(
        blockers=blockers,
        warnings=[r for r in current if r.status == "warn"],
        errors=[r for r in current if r.status == "error"],
        counts=counts,
        stale=sum(1 for r in current if r.stale),
        total=len(results),
    )


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _summary(project: str, v: Verdict, stages: list[StageView]) -> str:
    fails = sum(1 for b in v.blockers if b.kind == "fail")
    unticked = len(v.blockers) - fails
    parts = []
    if v.total == 0:
        parts.append(f"No checks have been run for {project} yet, so this document only holds "
                     "what people wrote down. Run `launchready check` before relying on it.")
    if v.blockers:
        why = []
        if fails:
            why.append(f"{_plural(fails, 'check')} failed")
        if unticked:
            why.append(f"{_plural(unticked, 'must-do item')} {'is' if unticked == 1 else 'are'} not ticked off yet")
        parts.append(f"{project} is not ready to launch: {_plural(len(v.blockers), 'launch blocker')} "
                     f"{'is' if len(v.blockers) == 1 else 'are'} open ({' and '.join(why)}).")
        first = v.blockers[0]
        parts.append(f"Start with: {first.text.rstrip('.')}.")
    elif v.total:
        parts.append(f"{project} has no open launch blockers.")
    if v.warnings:
        parts.append(f"{_plural(len(v.warnings), 'warning')} should be looked at soon; none stops a launch on its own.")
    if v.errors:
        parts.append(f"{_plural(len(v.errors), 'check')} could not run (no answer, a timeout or a refusal); "
                     "that is not a pass, so run them again.")
    if v.stale:
        parts.append(f"{_plural(v.stale, 'result')} {'is' if v.stale == 1 else 'are'} more than {STALE_DAYS} days old "
                     "and marked stale.")
    if stages:
        done = sum(1 for s in stages if s.steps and s.steps_done == len(s.steps))
        parts.append(f"{done} of {len(stages)} roadmap stages have every step marked done.")
    parts.append("The day-2 action list at the end says what to do next, in order.")
    return " ".join(parts)


# -- where things live ----------------------------------------------------------------


def dns_records(ev: dict[str, Any]) -> list[str]:
    out: list[str] = []
    chain = _pick(ev, "cname_chain", "chain", "cnames", default=[])
    if isinstance(chain, list):
        for link in chain:
            if isinstance(link, list | tuple) and len(link) >= 2:
                out.append(f"CNAME {link[-1]}")
            elif isinstance(link, dict):
                out.append(f"CNAME {_pick(link, 'target', 'to', 'cname', default='?')}")
            elif isinstance(link, str):
                out.append(f"CNAME {link}")
    for key, label in (("a", "A"), ("aaaa", "AAAA")):
        vals = ev.get(key)
        if isinstance(vals, list) and vals:
            out.append(f"{label} " + ", ".join(map(str, vals[:8])) + (" …" if len(vals) > 8 else ""))
        elif isinstance(vals, str) and vals:
            out.append(f"{label} {vals}")
    recs = ev.get("records")
    if isinstance(recs, dict):
        for rtype in sorted(recs, key=str):
            vals = recs[rtype]
            if rtype.lower() in ("a", "aaaa") and any(x.startswith(rtype.upper() + " ") for x in out):
                continue
            if isinstance(vals, list) and vals:
                out.append(f"{str(rtype).upper()} " + ", ".join(map(str, vals[:8])))
            elif isinstance(vals, str | int) and vals != "":
                out.append(f"{str(rtype).upper()} {vals}")
    elif isinstance(recs, list):
        for rec in recs[:20]:
            if isinstance(rec, dict):
                out.append(f"{_pick(rec, 'type', default='')} {_pick(rec, 'value', 'data', 'rdata', default='')}".strip())
            else:
                out.append(str(rec))
    hmap = ev.get("map")
    if isinstance(hmap, dict):
        for entry in hmap.values():
            if isinstance(entry, dict) and entry.get("provider"):
                out.append(f"hosted on {entry['provider']}")
    for key in ("ns", "caa", "mx"):
        vals = ev.get(key)
        if isinstance(vals, list) and vals and not any(x.upper().startswith(key.upper() + " ") for x in out):
            out.append(f"{key.upper()} " + ", ".join(map(str, vals[:8])))
    seen: list[str] = []
    for x in out:
        if x not in seen:
            seen.append(x)
    return seen


def _purpose(host: str, names_text: str) -> str:
    for line in names_text.splitlines():
        low = line.lower()
        if not host:
            continue
        # the line naming exactly this host (not a longer name that contains it)
        if re.search(rf"(?<![\w.-]){re.escape(host)}(?![\w-]|\.[\w-])", low):
            rest = re.sub(rf"(?<![\w.-]){re.escape(host)}(?![\w-]|\.[\w-])", "", line, count=1, flags=re.I)
            return rest.strip(" ,;:-–—|\t") or line.strip()
    return ""


def _latest(results: list[ResultView], check: str) -> dict[str, ResultView]:
    out: dict[str, ResultView] = {}
    for r in results:
        if r.check != check:
            continue
        t = r.target.lower().rstrip(".")
        if t not in out or r.started_at > out[t].started_at:
            out[t] = r
    return out


def _host_of(target: str) -> str:
    t = target.lower()
    t = re.sub(r"^[a-z][a-z0-9+.-]*://", "", t)
    return t.split("/", 1)[0].split(":", 1)[0].rstrip(".")


def _hosts(profile: Any, results: list[ResultView], names_text: str) -> list[HostRow]:
    try:
        all_hosts = list(profile.all_hosts())
        roles = {str(v).lower().rstrip("."): str(k) for k, v in profile.hosts.items()}
        domain = str(profile.domain).lower()
        canonical = str(profile.canonical_host).lower()
    except Exception:
        all_hosts, roles, domain, canonical = [], {}, "", ""
    dns = _latest(results, "dns")
    for t in sorted(dns):
        if t not in all_hosts and t not in ("", "-"):
            all_hosts.append(t)
    rows = []
    for host in all_hosts:
        role = roles.get(host, "")
        if host == domain:
            role = "root domain" + (f", {role}" if role else "")
        if host == canonical and host != domain:
            role = (role + ", " if role else "") + "main address"
        elif host == canonical:
            role += ", main address"
        r = dns.get(host)
        rows.append(HostRow(
            host=host, role=role, records=dns_records(r.evidence) if r else [],
            purpose=_purpose(host, names_text), status=r.status if r else None,
            summary=r.summary if r and r.status != "pass" else "", checked_at=r.started_at if r else "",
            stale=bool(r and r.stale),
        ))
    return rows


_ENDS = {
    "final": "",
    "loop": "redirect loop",
    "too_many": "too many redirects",
    "off_domain": "leaves your domains (not followed)",
    "broken": "broken: a later hop does not answer",
    "unresolved": "the host does not resolve",
    "no_answer": "no answer",
    "dns_error": "DNS lookup failed",
    "bad_location": "bad Location header",
    "out_of_time": "ran out of time",
}


def _hop_text(hop: Any) -> str:
    """One request of a redirect chain: its answer, and where it sent the visitor."""
    if isinstance(hop, dict):
        status = _pick(hop, "status", "code", "status_code", default="")
        nxt = _pick(hop, "next_url", "location", "to", default="")
        err = _pick(hop, "error", "cert_error", "problem", default="")
        text = str(status) if status not in ("", None) else "no answer"
        if nxt:
            text += f" → {nxt}"
        if err:
            text += f" ({_short(err, 120)})"
        return text
    return _short(hop, 160)


def _redirect_rows(r: ResultView) -> list[RedirectRow]:
    ev = r.evidence
    rows: list[RedirectRow] = []

    def add(start: Any, hops: Any, final: Any, note: Any = "") -> None:
        hop_list = [_hop_text(h) for h in hops] if isinstance(hops, list) else []
        if len(hop_list) > 12:
            hop_list = hop_list[:11] + [f"… {len(hop_list) - 11} more", hop_list[-1]]
        rows.append(RedirectRow(str(start or r.target), hop_list, str(final or ""), r.status,
                                _ENDS.get(str(note), str(note or "")), r.stale))

    m = ev.get("map")
    hops = ev.get("hops")
    ends = ev.get("ends") if isinstance(ev.get("ends"), dict) else {}
    if isinstance(m, dict) and m:
        for old in sorted(m, key=lambda u: (not str(u).startswith("http:"), str(u))):
            v = m[old]
            hop_list = hops.get(old) if isinstance(hops, dict) else None
            if isinstance(v, dict):
                add(old, v.get("hops", hop_list), _pick(v, "final", "to", "final_url", "end"),
                    _pick(v, "note", "problem", "end", default=ends.get(old, "")))
            else:
                add(old, hop_list, v, ends.get(old, ""))
    elif isinstance(m, list) and m:
        for v in m:
            if isinstance(v, dict):
                add(_pick(v, "from", "start", "url", "old"), v.get("hops"),
                    _pick(v, "to", "final", "final_url", "end", "new"), _pick(v, "note", "problem"))
    elif isinstance(hops, list | dict) or "final" in ev or "final_url" in ev:
        if isinstance(hops, dict):
            for start in sorted(hops, key=str):
                add(start, hops[start], "", ends.get(start, ""))
        else:
            add(_pick(ev, "start", "url", "from"), hops, _pick(ev, "final", "final_url", "to"),
                "loop" if ev.get("loop") else "")
    elif r.status != "skip":
        add(r.target, [], "", r.summary)
    return rows


def _name_of(v: Any) -> str:
    if isinstance(v, dict):
        return str(_pick(v, "commonName", "common_name", "CN", "organizationName", "O", "name", default="")) or ", ".join(
            f"{k}={x}" for k, x in sorted(v.items(), key=lambda kv: str(kv[0])))
    if isinstance(v, list):
        return ", ".join(_name_of(x) for x in v[:4])
    return str(v or "")


def _tls_rows(results: list[ResultView], renewer: str) -> list[TlsRow]:
    rows = []
    for host, r in sorted(_latest(results, "tls").items()):
        ev = r.evidence
        if r.status == "skip":
            continue
        cert = ev.get("certificate") if isinstance(ev.get("certificate"), dict) else ev
        issuer = _pick(cert, "issuer_org", "issuer_cn", "issuer", default="")
        cn = _pick(cert, "issuer_cn")
        if cn and issuer != cn and isinstance(issuer, str):
            issuer = f"{issuer} ({cn})"
        days = _num(_pick(cert, "days_left", "days_remaining"))
        rows.append(TlsRow(
            host=host,
            issuer=_name_of(issuer),
            not_after=str(_pick(cert, "not_after", "expires", "expiry", "notAfter", default="")),
            days_left=days,
            status=r.status,
            renews=str(_pick(ev, "cert_renewer", "renewer", "renewed_by", "who_renews", default="") or renewer),
            summary=r.summary if r.status != "pass" else "",
            stale=r.stale,
        ))
    return rows


def _environments(profile: Any) -> list[dict[str, str]]:
    envs = _profile_get(profile, "environments", {})
    if not isinstance(envs, dict):
        return []
    out = []
    for name in sorted(envs, key=lambda n: (not (isinstance(envs[n], dict) and envs[n].get("production")) and n != "production", str(n))):
        e = envs[name] if isinstance(envs[name], dict) else {}
        prod = bool(e.get("production")) or name == "production"
        out.append({
            "name": str(name),
            "url": str(e.get("url") or ""),
            "settings": str(e.get("env_file") or (f"process env ({e.get('source')})" if e.get("source") else "")),
            "production": "yes" if prod else "no",
            "public": "yes" if e.get("public") else "",
        })
    return out


# -- email ------------------------------------------------------------------------------


def tree_node(obj: Any, budget: list[int], depth: int = 0) -> TreeNode:
    """A generic tree from evidence: dicts with a name and children, lists, or text."""
    budget[0] -= 1
    if depth > 12 or budget[0] < 0:
        return TreeNode("…")
    if isinstance(obj, dict) and isinstance(obj.get("terms"), list) and "total" in obj:
        return _spf_node(obj, budget, depth)
    if isinstance(obj, dict):
        label = str(_pick(obj, "domain", "name", "include", "term", "target", "mechanism", "label", default="record"))
        bits = []
        look = _pick(obj, "lookups", "lookup_count", "count", "cost")
        if look is not None and not isinstance(look, dict | list):
            bits.append(f"{look} lookup{'s' if str(look) != '1' else ''}")
        total = _pick(obj, "total", "total_lookups", "subtotal")
        if total is not None and not isinstance(total, dict | list):
            bits.append(f"{total} in total")
        void = _pick(obj, "void", "voids", "void_lookups")
        if void:
            bits.append(f"{void} void")
        rec = _pick(obj, "record", "txt", "spf", "value")
        if isinstance(rec, str):
            bits.append(f"record: {_short(rec, 200)}")
        err = _pick(obj, "error", "problem", "result", "note")
        if isinstance(err, str):
            bits.append(err)
        if obj.get("over_limit") or obj.get("exceeds"):
            bits.append("over the limit")
        kids_raw = _pick(obj, "children", "includes", "nodes", "subtree", default=[])
        kids = [tree_node(k, budget, depth + 1) for k in kids_raw[:50]] if isinstance(kids_raw, list) else []
        red = obj.get("redirect")
        if isinstance(red, dict):
            kids.append(tree_node(red, budget, depth + 1))
        return TreeNode(label, "; ".join(bits), kids)
    if isinstance(obj, list):
        return TreeNode("", "", [tree_node(x, budget, depth + 1) for x in obj[:50]])
    return TreeNode(_short(obj, 200))


def _spf_node(node: dict[str, Any], budget: list[int], depth: int) -> TreeNode:
    """One record of an SPF lookup tree (core/checks/email/spf.py `walk_spf`)."""
    term = str(node.get("term") or "")
    domain = str(node.get("domain") or "")
    label = f"{term} → {domain}" if term and domain and domain not in term else (term or domain or "record")
    total = node.get("total")
    bits = [f"{total} DNS lookup{'s' if total != 1 else ''}" + (" in total" if node.get("children") else "")]
    if node.get("total_void"):
        bits.append(f"{node['total_void']} void")
    if node.get("problem"):
        bits.append(str(node["problem"]))
    if node.get("counted") is False:
        bits.append("not counted")
    if isinstance(node.get("record"), str):
        bits.append(f"record: {_short(node['record'], 300)}")
    kids_by_term = {str(c.get("term")): c for c in node.get("children") or [] if isinstance(c, dict)}
    kids: list[TreeNode] = []
    for t in node["terms"][:60]:
        if not isinstance(t, dict):
            continue
        child = kids_by_term.pop(str(t.get("term")), None)
        if child is not None:
            if depth < 12 and budget[0] > 0:
                budget[0] -= 1
                kids.append(_spf_node(child, budget, depth + 1))
            continue
        if not t.get("cost") and not t.get("note") and not t.get("problem"):
            continue
        extra = [f"{t['cost']} lookup{'s' if t.get('cost') != 1 else ''}"] if t.get("cost") else []
        extra += [str(x) for x in (t.get("problem"), t.get("note")) if x]
        kids.append(TreeNode(str(t.get("term") or "?"), "; ".join(extra)))
    for child in kids_by_term.values():
        kids.append(_spf_node(child, budget, depth + 1))
    return TreeNode(label, "; ".join(bits), kids)


def _dmarc_plan(ev: dict[str, Any]) -> list[dict[str, str]]:
    raw = _pick(ev, "rollout", "rollout_plan", "plan")
    if isinstance(raw, dict) and not any(k in raw for k in ("steps", "stages")):
        return [{"date": show_date(k), "step": str(v), "record": "", "note": ""} for k, v in sorted(raw.items(), key=lambda kv: str(kv[0]))]
    if isinstance(raw, dict):
        raw = _pick(raw, "steps", "stages", default=[])
    out = []
    if isinstance(raw, list):
        for x in raw[:20]:
            if isinstance(x, dict):
                step = _pick(x, "policy", "p", "step", "action", default="")
                out.append({
                    "date": show_date(_pick(x, "date", "on", "when", "from", "start", default="")),
                    "step": f"p={step}" if str(step) in ("none", "quarantine", "reject") else str(step),
                    "record": str(_pick(x, "record", default="")),
                    "note": str(_pick(x, "note", "why", "what", "description", default="")),
                })
            else:
                out.append({"date": "", "step": str(x), "record": "", "note": ""})
    return out


def _email(profile: Any, results: list[ResultView], state: dict[str, Any], runbooks: list[Any]) -> EmailView:
    latest: dict[tuple[str, str], ResultView] = {}
    for r in results:
        if r.check in EMAIL_KINDS:
            k = (r.check, r.target)
            if k not in latest or r.started_at > latest[k].started_at:
                latest[k] = r
    rs = sorted(latest.values(), key=lambda r: (EMAIL_KINDS.index(r.check), r.target))
    spf_tree, spf_total, plan = None, "", []
    for r in rs:
        if r.check == "spf" and spf_tree is None and r.evidence.get("tree") is not None:
            spf_tree = tree_node(r.evidence["tree"], [400])
            tot = _pick(r.evidence, "lookups", "total_lookups", "lookup_count")
            if tot is None and isinstance(r.evidence["tree"], dict):
                tot = _pick(r.evidence["tree"], "total", "total_lookups")
            if tot is not None and not isinstance(tot, dict | list):
                spf_total = f"{tot} of the 10 DNS lookups SPF allows"
        if r.check == "dmarc" and not plan:
            plan = _dmarc_plan(r.evidence)
    domain = str(_profile_get(profile, "email.domain", "") or getattr(profile, "domain", ""))
    return EmailView(domain, rs, spf_tree, spf_total, plan, [])


# -- secrets ----------------------------------------------------------------------------

_CRED_VALUE_KEYS = {"value", "secret", "password", "token", "api_key", "key_value", "plaintext"}


def _credentials(state: dict[str, Any], now: dt.datetime) -> list[CredentialView]:
    creds = state.get("credentials")
    if isinstance(creds, list):
        creds = {str(_pick(c, "id", default=i)): c for i, c in enumerate(creds) if isinstance(c, dict)}
    if not isinstance(creds, dict):
        return []
    out = []
    for cid in sorted(creds, key=str):
        c = creds[cid] if isinstance(creds[cid], dict) else {}
        c = {k: v for k, v in c.items() if str(k).lower() not in _CRED_VALUE_KEYS}
        cadence_raw = _pick(c, "rotation_days", "rotate_every_days", "cadence_days", "cadence", "rotation",
                            "rotation_cadence", "rotate_every")
        days = cadence_days(cadence_raw)
        last = _pick(c, "last_rotated", "rotated_at", "last_rotated_at", default="")
        nxt_raw = _pick(c, "next_due", "next_rotation", "due")
        nxt = parse_time(nxt_raw)
        if nxt is None and days and parse_time(last):
            nxt = parse_time(last) + dt.timedelta(days=days)
        cadence = ""
        if days:
            cadence = f"every {int(days) if days == int(days) else days} days"
        elif cadence_raw:
            cadence = str(cadence_raw)
        stored = _pick(c, "in_keyring", "has_value", "stored", "value_stored")
        out.append(CredentialView(
            id=str(cid),
            label=str(_pick(c, "label", "name", "title", default=cid)),
            reference=str(_pick(c, "reference", "where", "location", "ref", "lives", default="")),
            owner=str(_pick(c, "owner", "owned_by", default="")),
            cadence=cadence,
            last_rotated=show_date(last) if last else "",
            next_due=nxt.strftime("%Y-%m-%d") if nxt else (str(nxt_raw) if nxt_raw else ""),
            overdue=bool(nxt and nxt < now),
            how_to_rotate=str(_pick(c, "how_to_rotate", "rotation_steps", "rotate_howto", "howto", "rotation_notes",
                                    "how", "notes", default="")),
            in_keyring="yes" if stored is True else ("no" if stored is False else ""),
        ))
    return out


# -- runbooks to keep -------------------------------------------------------------------


def _minutes_from(ev: dict[str, Any], fallback_ms: Any = None) -> float | None:
    for key, scale in (("duration_min", 1), ("minutes", 1), ("duration_s", 1 / 60), ("elapsed_s", 1 / 60),
                       ("seconds", 1 / 60), ("duration_ms", 1 / 60000), ("elapsed_ms", 1 / 60000)):
        n = _num(ev.get(key))
        if n is not None:
            return n * scale
    n = _num(fallback_ms)
    return n / 60000 if n else None


def _rollback_runs(results: list[ResultView], history: list[dict[str, Any]], incidents: Any,
                   fields_: list[FieldView], budget: float) -> list[TimedRun]:
    runs: list[TimedRun] = []
    for r in results:
        if r.check != "command" or r.status == "skip":
            continue
        if "rollback" not in f"{r.check_id} {r.step} {r.target}".lower():
            continue
        ev = r.evidence
        mins = _minutes_from(ev)
        if mins is None and r.status in ("pass", "fail"):
            mins = _minutes_from({}, _pick(ev, "duration_ms") or None)
        b = _num(_pick(ev, "budget_min")) or ((_num(ev.get("budget_s")) or 0) / 60) or budget
        code = _pick(ev, "exit_status", "exit_code", "returncode", "status_code")
        detail = r.summary
        if code is not None and str(code) not in detail:
            detail += f" (exit status {code})"
        runs.append(TimedRun("drill run by LaunchReady", r.started_at, mins, b,
                             None if mins is None else (mins <= b and r.status == "pass"), detail))
    for e in history:
        if not isinstance(e, dict):
            continue
        kind = str(e.get("type") or "")
        if kind in ("rollback", "rollback_drill") or (kind == "command" and "rollback" in str(e).lower()):
            mins = _minutes_from(e)
            b = _num(e.get("budget_min")) or budget
            ok = e.get("ok")
            runs.append(TimedRun("history", str(_pick(e, "at", "started_at", default="")), mins, b,
                                 ok if isinstance(ok, bool) else (None if mins is None else mins <= b),
                                 str(_pick(e, "summary", "text", default=""))))
    if isinstance(incidents, dict):
        for iid in sorted(incidents, key=str):
            inc = incidents[iid]
            if isinstance(inc, dict):
                t = incident_rollback(inc, budget)
                if t is not None and t.minutes is not None:
                    t.source = f"incident {iid}"
                    runs.append(t)
    by = {f.id: f for f in fields_}
    took = by.get("minutes_taken")
    if took and took.value:
        mins = _num(took.value)
        when = by.get("last_tested")
        who = by.get("tested_by")
        runs.append(TimedRun(f"written down by {who.value if who and who.value else took.by or 'the team'}",
                             when.value if when and when.value else took.at, mins, budget,
                             None if mins is None else mins <= budget, ""))
    runs.sort(key=lambda t: (parse_time(t.at) or dt.datetime.min.replace(tzinfo=dt.UTC)), reverse=True)
    return runs


def incident_rollback(inc: dict[str, Any], budget: float) -> TimedRun | None:
    """The rollback of an incident (its last `rollback` command event), timed from the
    start of the incident, which is how the 10-minute budget counts."""
    events = inc.get("events") if isinstance(inc.get("events"), list) else []
    rb_ev = next((e for e in reversed(events) if isinstance(e, dict) and _is_rollback(e)), None)
    if rb_ev is None:
        return None
    a = parse_time(inc.get("started_at"))
    rb_end = parse_time(rb_ev.get("at"))
    rb_start = parse_time(rb_ev.get("started_at"))
    dur = _num(rb_ev.get("duration_s"))
    if rb_start is None and rb_end is not None and dur is not None:
        rb_start = rb_end - dt.timedelta(seconds=dur)
    if dur is None and rb_start and rb_end:
        dur = (rb_end - rb_start).total_seconds()
    code = rb_ev.get("exit_code")
    since_start = (rb_end - a).total_seconds() / 60 if rb_end and a else None
    minutes = since_start if since_start is not None else (dur / 60 if dur is not None else None)
    ok = None if minutes is None else (minutes <= budget and code in (0, None))
    detail = str(rb_ev.get("text") or "")
    if dur is not None and f"{dur:.0f} s" not in detail:
        detail += f" (the command itself ran {dur:.0f} s)"
    return TimedRun("incident", rb_start.isoformat() if rb_start else str(rb_ev.get("at") or ""), minutes, budget,
                    ok, detail)


def _is_rollback(e: dict[str, Any]) -> bool:
    if e.get("rollback") is True:
        return True
    t = str(e.get("type") or "").lower()
    return t == "command" and "rollback" in f"{e.get('step', '')} {e.get('command', '')}".lower()


def _smoke_list(profile: Any) -> list[tuple[str, str]]:
    """(url, what is expected) for each `deploy.smoke` entry, each once."""
    smoke = _profile_get(profile, "deploy.smoke", [])
    out: list[tuple[str, str]] = []
    if isinstance(smoke, list):
        for s in smoke:
            if isinstance(s, dict):
                bits = []
                if s.get("status"):
                    bits.append(f"expects HTTP {s['status']}")
                if s.get("contains"):
                    bits.append(f"and the text '{s['contains']}'" if bits else f"expects the text '{s['contains']}'")
                item = (str(s.get("url", "")), " ".join(bits))
            else:
                item = (str(s), "")
            if item not in out:
                out.append(item)
    return out


def _runbooks_view(profile: Any, state: dict[str, Any], runbooks: list[Any], results: list[ResultView],
                   history: list[dict[str, Any]]) -> RunbooksView:
    budget = _num(_profile_get(profile, "deploy.rollback_budget_min")) or ROLLBACK_BUDGET_MIN
    rollback_fields = find_record(state, runbooks, "rollback-note")
    incidents = [rb for rb in runbooks if rb.kind == "incident"]
    incidents.sort(key=lambda rb: (rb.id != "deploy-failure", rb.id))
    return RunbooksView(
        deploy_fields=find_record(state, runbooks, "deploy-command"),
        deploy_command=str(_profile_get(profile, "deploy.command", "")),
        deploy_ci_job=str(_profile_get(profile, "deploy.ci_job", "")),
        smoke=_smoke_list(profile),
        rollback_fields=rollback_fields,
        rollback_command=str(_profile_get(profile, "deploy.rollback", "")),
        rollback_budget_min=budget,
        rollback_runs=_rollback_runs(results, history, state.get("incidents"), rollback_fields, budget),
        incidents=incidents,
        commands={f"{rb.id}/{st.id}/{c.id}": _render_command(c.run, profile)
                  for rb in incidents for st in rb.steps for c in st.commands},
    )


# -- performance --------------------------------------------------------------------------


def _route_budgets(profile: Any) -> dict[str, Any]:
    """Budgets by route name and URL (and "name:<url>" -> the route's name)."""
    out: dict[str, Any] = {}
    for key in ("performance.routes", "performance.pages"):
        items = _profile_get(profile, key, [])
        if not isinstance(items, list):
            continue
        for r in items:
            if not isinstance(r, dict):
                continue
            if r.get("name") and r.get("url"):
                out[f"name:{r['url']}"] = str(r["name"])
            if _num(r.get("budget_ms")) is not None:
                for k in (r.get("name"), r.get("url")):
                    if k:
                        out[str(k)] = float(_num(r["budget_ms"]) or 0)
    return out


def _perf_row(d: dict[str, Any], release: str, at: str, budgets: dict[str, Any], source: str,
              route: str = "") -> PerfRow | None:
    route = str(route or _pick(d, "route", "name", "url", "target", default=""))
    method = str(d.get("method") or "GET").upper()
    if method != "GET" and not route.upper().startswith(method):
        route = f"{method} {route}"
    p = d.get("percentiles") if isinstance(d.get("percentiles"), dict) else d
    p50, p95, p99 = (_num(_pick(p, f"p{q}", f"p{q}_ms")) for q in (50, 95, 99))
    if p95 is None and p50 is None and p99 is None:
        return None
    budget = _num(_pick(d, "budget_ms", "budget"))
    if budget is None:
        budget = budgets.get(str(d.get("name") or "")) or budgets.get(str(d.get("url") or "")) or budgets.get(route)
    if budget is None:
        budget = DEFAULT_LATENCY_BUDGET_MS
    status = None if p95 is None else ("pass" if p95 <= budget else "fail")
    name = budgets.get(f"name:{d.get('url') or route}", "")
    return PerfRow(route or "?", str(_pick(d, "release", default=release) or "unnamed"), at, p50, p95, p99, budget,
                   status, source, str(name) if name and str(name) != route else "")


def _performance(profile: Any, results: list[ResultView], history: list[dict[str, Any]]) -> tuple[list[PerfRow], str]:
    budgets = _route_budgets(profile)
    rows: list[PerfRow] = []
    for e in history:
        if not isinstance(e, dict):
            continue
        kind = str(e.get("type") or e.get("kind") or "")
        if kind not in ("latency", "latency_snapshot", "snapshot", "perf", "performance") and not (
            "p95" in e or "p95_ms" in e
        ):
            continue
        release = str(_pick(e, "release", "version", default=""))
        at = str(_pick(e, "at", "started_at", "time", default=""))
        routes = _pick(e, "routes", "results", "snapshots")
        if isinstance(routes, dict):
            for name in sorted(routes, key=str):
                if isinstance(routes[name], dict):
                    row = _perf_row(routes[name], release, at, budgets, "snapshot", route=str(name))
                    if row:
                        rows.append(row)
        elif isinstance(routes, list):
            for item in routes:
                if isinstance(item, dict):
                    row = _perf_row(item, release, at, budgets, "snapshot")
                    if row:
                        rows.append(row)
        else:
            row = _perf_row(e, release, at, budgets, "snapshot")
            if row:
                rows.append(row)
    note = ""
    if not rows:
        for r in results:
            if r.check == "latency" and r.status != "skip":
                row = _perf_row(r.evidence, str(r.evidence.get("release") or ""), r.started_at, budgets, "last check",
                                route=str(_pick(r.evidence, "route", "name", "url", default=r.target)))
                if row:
                    rows.append(row)
        if rows:
            note = "No release snapshots are stored yet; these are the figures from the last latency checks."
    # one row per route and release: the newest snapshot wins
    newest: dict[tuple[str, str], PerfRow] = {}
    for row in rows:
        k = (row.route, row.release)
        if k not in newest or row.at > newest[k].at:
            newest[k] = row
    out = sorted(newest.values(), key=lambda x: (x.route, parse_time(x.at) or dt.datetime.min.replace(tzinfo=dt.UTC), x.release))
    return out, note


# -- risks and day 2 --------------------------------------------------------------------


def allow_entries_from(data: Any) -> list[dict[str, Any]] | None:
    """Allowlist entries from whatever core/allowlist.py or allow.yaml gives (None if none)."""
    if data is None:
        return None
    if isinstance(data, dict):
        for k in ("entries", "allow", "ignore", "ignores", "allowlist", "fingerprints"):
            if isinstance(data.get(k), list | dict):
                return allow_entries_from(data[k])
        if all(isinstance(v, dict) for v in data.values()):
            return [dict(v, fingerprint=v.get("fingerprint", k)) for k, v in data.items()]
        return None
    if isinstance(data, list | tuple):
        out = []
        for x in data:
            if isinstance(x, dict):
                out.append(x)
            elif is_dataclass_like(x):
                out.append({k: getattr(x, k) for k in dir(x) if not k.startswith("_") and not callable(getattr(x, k))})
        return out
    entries = getattr(data, "entries", None)
    if entries is not None:
        return allow_entries_from(list(entries))
    return None


def is_dataclass_like(x: Any) -> bool:
    return hasattr(x, "__dataclass_fields__") or hasattr(x, "__slots__") or hasattr(x, "__dict__")


def _allow(entries: list[dict[str, Any]], now: dt.datetime) -> list[AllowEntry]:
    out = []
    for e in entries:
        what_bits = [str(x) for x in (_pick(e, "rule", "rule_id", "kind", "check"), _pick(e, "fingerprint", "id", "match", "name"),
                                      _pick(e, "path", "file", "where", "target")) if x]
        exp = _pick(e, "expires", "expiry", "until", "expires_at", "expires_on", default="")
        t = parse_time(exp)
        out.append(AllowEntry(" · ".join(what_bits) or "?", str(_pick(e, "reason", "why", "note", default="")),
                              show_date(exp) if exp else "", bool(t and t < now),
                              str(_pick(e, "by", "added_by", "owner", default=""))))
    out.sort(key=lambda a: (a.expired is False, a.expires or "9999", a.what))
    return out


def _day2(v: Verdict, stages: list[StageView], tls: list[TlsRow], creds: list[CredentialView],
          plan: list[dict[str, str]], current_policy: str, runbooks: RunbooksView, team: list[FieldView],
          current: list[ResultView], titles: dict[str, str], now: dt.datetime) -> list[Action]:
    acts: list[Action] = []
    for b in v.blockers:
        if b.kind == "fail":
            acts.append(Action(b.text, "", "", b.where, "fix"))
        else:
            acts.append(Action(b.text, "", "", b.where, "tick"))
    for r in v.errors:
        acts.append(Action(r.summary.removeprefix("Could not check: "), "", "", _where(r, titles), "rerun"))
    stale = [r for r in current if r.stale and r.status not in ("skip", "error")]
    if stale:
        acts.append(Action(f"{_plural(len(stale), 'result')} {'is' if len(stale) == 1 else 'are'} more than "
                           f"{STALE_DAYS} days old: run `launchready check` again", "", "", "stale evidence", "rerun"))
    for r in v.warnings:
        acts.append(Action(r.summary, "", "", _where(r, titles), "look"))
    # certificates that expire on the same day and are renewed by the same people: one line
    groups: dict[tuple[str, str], list[str]] = {}
    for t in tls:
        exp = parse_time(t.not_after)
        if exp:
            groups.setdefault((exp.strftime("%Y-%m-%d"), t.renews), []).append(t.host)
    for (day, renews), hosts in sorted(groups.items()):
        exp = parse_time(day)
        names = ", ".join(hosts)
        many = len(hosts) > 1
        if exp <= now:
            what = f"Certificate{'s' if many else ''} for {names} expired on {day}: renew {'them' if many else 'it'}"
            due = now
        else:
            what = (f"Certificate{'s' if many else ''} for {names} expire{'' if many else 's'} on {day}: "
                    f"confirm {'they have' if many else 'it has'} renewed")
            due = max(exp - dt.timedelta(days=30), now)
        acts.append(Action(what, due.strftime("%Y-%m-%d"), renews, "certificate renewal", "recurring"))
    for c in creds:
        if c.next_due:
            what = f"Rotate {c.label}" + (" (overdue)" if c.overdue else "")
            acts.append(Action(what, c.next_due, c.owner, f"credential rotation, {c.cadence}".rstrip(", "), "recurring"))
    for p in plan:
        if p.get("step") and p["step"].removeprefix("p=") == current_policy:
            continue  # already there
        if p.get("date") or p.get("step"):
            acts.append(Action(f"DMARC: publish {p['step']}" + (f" ({p['note']})" if p.get("note") else ""),
                               p.get("date", ""), "", "DMARC rollout plan", "recurring"))
    last = next((r for r in runbooks.rollback_runs if parse_time(r.at)), None)
    if last:
        due = parse_time(last.at) + dt.timedelta(days=91)
        acts.append(Action("Repeat the rollback drill and write down the time it took", due.strftime("%Y-%m-%d"),
                           "", "every quarter", "recurring"))
    for f in team:
        if f.value:
            acts.append(Action(f"{f.label}: {f.value}", "", f.by, "the team's own day-2 list", "team"))
    dated = sorted([a for a in acts if a.kind == "recurring"], key=lambda a: (a.due or "9999", a.what))
    return [a for a in acts if a.kind not in ("recurring", "team")] + dated + [a for a in acts if a.kind == "team"]


# -- the whole document ---------------------------------------------------------------------


def build(profile: Any, state: dict[str, Any], runbooks: list[Any], *, history: list[dict[str, Any]],
          allowlist: list[dict[str, Any]], allowlist_problem: str, author: str, now: dt.datetime) -> Handover:
    runbooks = sorted(runbooks, key=lambda r: (r.kind != "stage", r.stage or 0, r.id))
    results = _results(state, now)
    titles: dict[str, str] = {}
    for rb in runbooks:
        titles[rb.id] = stage_title(rb)
        for st in rb.steps:
            titles[f"{rb.id}/{st.id}"] = st.title
    stages, other = _stage_views(runbooks, state, results, profile)
    current = current_results(results, {rb.id: rb.stage or 0 for rb in runbooks if rb.kind == "stage"})
    verdict = _verdict(stages, results, current, titles)
    project = str(getattr(profile, "project", "") or "this project")
    names = find_field(state, runbooks, "names")
    dns_notes = find_field(state, runbooks, "records")  # stage 3: "name, type, value, purpose" per line
    names_text = "\n".join(f.value for f in (names, dns_notes) if f is not None)
    map_fields = [f for f in find_record(state, runbooks, "domain-map") if f.id != "production_location"]
    prod = find_field(state, runbooks, "production_location")
    renewer = find_field(state, runbooks, "cert_renewer")
    where = Where(
        environments=_environments(profile),
        production=prod.value if prod else "",
        map_fields=map_fields,
        hosts=_hosts(profile, results, names_text),
        redirects=[row for r in sorted(_latest(results, "redirects").values(), key=lambda r: r.target)
                   for row in _redirect_rows(r)],
        redirect_record=find_record(state, runbooks, "redirect-map"),
        tls=_tls_rows(results, renewer.value if renewer else ""),
        tls_record=[f for f in find_record(state, runbooks, "ssl-endpoints") if f.id != "endpoints"],
    )
    email = _email(profile, results, state, runbooks)
    creds = _credentials(state, now)
    secrets = SecretsView(creds, find_record(state, runbooks, "secret-inventory"),
                          [r for r in current if r.check in ("secrets", "env", "credentials")])
    rbv = _runbooks_view(profile, state, runbooks, results, history)
    perf, perf_note = _performance(profile, results, history)
    open_results = sorted([r for r in current if r.open],
                          key=lambda r: (-_severity(r.status), r.stage if r.stage is not None else 99, r.runbook, r.step, r.target))
    risk_records = []
    for bid in ("risk-list", "launch-blockers", "risk-log"):
        fs = find_record(state, runbooks, bid)
        if any(f.value for f in fs):
            label = next((b.label for rb in runbooks for st in rb.steps for b in st.records if b.id == bid), bid)
            risk_records.append(RecordView(bid, label, [f for f in fs if f.id != "out_of_scope"]))
    oos = find_field(state, runbooks, "out_of_scope")
    risks = RiskView(open_results, [b for b in verdict.blockers if b.kind == "confirm"], _allow(allowlist, now),
                     allowlist_problem, oos.value if oos else "", risk_records)
    team = [f for f in find_record(state, runbooks, "day-2-actions") if f.value]
    policy = next((str(r.evidence.get("effective_policy") or "") for r in email.results if r.check == "dmarc"), "")
    day2 = _day2(verdict, stages, where.tls, creds, email.dmarc_plan, policy, rbv, team, current, titles, now)
    return Handover(
        project=project,
        domain=str(getattr(profile, "domain", "")),
        date=now.strftime("%Y-%m-%d"),
        generated_at=now.replace(microsecond=0).isoformat(),
        author=author or "unknown",
        profile_path=str(getattr(profile, "path", "")),
        verdict=verdict,
        summary=_summary(project, verdict, stages),
        where=where,
        stages=stages,
        other_results=other,
        email=email,
        secrets=secrets,
        runbooks=rbv,
        performance=perf,
        performance_note=perf_note,
        risks=risks,
        day2=day2,
        titles=titles,
    )


# -- incidents ------------------------------------------------------------------------------


def find_incident(incidents: dict[str, Any], wanted: str) -> tuple[str, dict[str, Any]] | None:
    """The incident stored under `wanted`, or the newest one of runbook `wanted`."""
    if wanted in incidents and isinstance(incidents[wanted], dict):
        return wanted, incidents[wanted]
    cands = [(k, v) for k, v in incidents.items() if isinstance(v, dict)
             and (str(v.get("runbook") or "") == wanted or str(k).split("@")[0].split("/")[0] == wanted
                  or str(k).startswith(wanted))]
    if not cands:
        return None
    cands.sort(key=lambda kv: str(_pick(kv[1], "started_at", "start", default="")))
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
    raw_events = inc.get("events") if isinstance(inc.get("events"), list) else []
    events = sorted((e for e in raw_events if isinstance(e, dict)), key=lambda e: str(e.get("at") or ""))
    fields_raw = inc.get("fields") if isinstance(inc.get("fields"), dict) else {}
    fields_ = {str(k): _field_text(v).strip() for k, v in fields_raw.items()}
    started = str(_pick(inc, "started_at", "start", default="") or (events[0].get("at") if events else ""))
    ended = str(_pick(inc, "ended_at", "end", default="") or "")
    a, z = parse_time(started), parse_time(ended)
    budget = _num(inc.get("budget_min")) or (_num(_profile_get(profile, "deploy.rollback_budget_min"))
                                             if profile is not None else None) or ROLLBACK_BUDGET_MIN

    def by(e: dict[str, Any]) -> str:
        return f" ({e['by']})" if e.get("by") else ""

    moments: list[tuple[str, str, str]] = [
        ("Started", started, (f"by {inc['started_by']}" if inc.get("started_by") else ""))]
    detected = _pick(fields_, "detected_at", "detected", "detection", default="")
    first_bad = next((e for e in events if _ev_type(e) == "check" and str(e.get("status")) in ("fail", "error")), None)
    if detected:
        moments.append(("Detected", detected if parse_time(detected) else "", "" if parse_time(detected) else detected))
    elif first_bad:
        moments.append(("Detected", str(first_bad.get("at") or ""), str(first_bad.get("text") or "")))
    else:
        moments.append(("Detected", "", "not recorded"))
    decision = next((e for e in events if _ev_type(e) == "decision"
                     and str(e.get("text") or "").strip().lower() != "incident closed"), None)
    moments.append(("Decision", str(decision.get("at") or ""), str(decision.get("text") or "") + by(decision))
                   if decision else ("Decision", "", "not recorded"))
    rb_ev = next((e for e in reversed(events) if _is_rollback(e)), None)
    rollback = incident_rollback(dict(inc, events=events), budget)
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
    moments.append(("Verified", str(verified.get("at") or ""), str(verified.get("text") or ""))
                   if verified else ("Verified", "", "not recorded"))
    told = next((e for e in events if _ev_type(e) == "step" and any(
        w in str(e.get("step") or "").lower() for w in ("tell", "communicat", "customer"))), None)
    comms = _pick(fields_, "customer_communication", "customer_comms", "communication", "comms", "customers",
                  default="")
    if told:
        moments.append(("Customers told", str(told.get("at") or ""), str(told.get("text") or "")))
        if not comms:
            comms = f"{show_time(told.get('at'))}: {told.get('text', '')}"
    if ended:
        moments.append(("Ended", ended, ""))
    cause = _pick(fields_, "cause", "root_cause", "what_happened", default="")
    fu = _pick(fields_, "follow_ups", "followups", "follow_up", "next_steps", default="")
    follow_ups = [x.strip(" -*•\t") for x in str(fu).splitlines() if x.strip(" -*•\t")]
    shown = {"customer_communication", "customer_comms", "communication", "comms", "customers", "cause",
             "root_cause", "what_happened", "follow_ups", "followups", "follow_up", "next_steps", "detected_at",
             "detected", "detection"}
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
