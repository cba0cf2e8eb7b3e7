"""The handover's data model and how it is built from state, history and runbooks.

Pure: no file or network access, deterministic for a given input and clock. Evidence is
read defensively, because each check family owns its evidence keys: nothing here assumes
a key exists or has a given type.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
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


def _dict(d: dict[str, Any], key: str) -> dict[str, Any]:
    """d[key] when it is a mapping, else {} (state files are hand-edited sometimes)."""
    v = d.get(key)
    return v if isinstance(v, dict) else {}


def _list(d: dict[str, Any], key: str) -> list[Any]:
    """d[key] when it is a list, else []."""
    v = d.get(key)
    return v if isinstance(v, list) else []


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
    problem: str = ""  # the value does not fit the type (core/fields.py): shown as not checked


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
    problem: ProblemView | None = None


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
    renewer_where: str = ""  # where "who renews it" is asked


@dataclass
class TreeNode:
    label: str
    detail: str = ""
    children: list[TreeNode] = field(default_factory=list)
    record: str = ""


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
class ProblemView:
    """One problem (core/problems.py): one thing wrong, however many steps check it."""

    id: str
    rank: int
    level: int
    impact: str
    title: str
    fix: str
    status: str
    where: str  # "Stage title › step title" of the step that checks it first
    command: str  # the command that checks it again
    owner: str = ""
    priority: str = ""
    first_seen: str = ""
    results: int = 0
    stale: bool = False
    blocker: bool = False  # levels 1-4 and failing: harms customers, money or security
    result_keys: list[str] = field(default_factory=list)


@dataclass
class FieldAsk:
    """A value the document needs and where to write it down."""

    label: str
    value: str
    where: str  # "Stage 1: Quick audit › Find where production lives"
    by: str = ""
    at: str = ""


@dataclass
class MonitoringView:
    watched: list[tuple[str, str, str, str]]  # (url, status, checked by, command)
    monitors: list[FieldView]  # stage 6 "monitors" record
    alerts: list[FieldAsk]  # where alerts go, who owns them
    missing: str = ""  # "fill in ... in ..." once, when something is not written down
    external: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    # (service, address, state, how often, alerts go to) from an uptime service's account


@dataclass
class IncidentLink:
    title: str
    started_at: str
    ended_at: str
    path: str  # relative to the profile's folder, "" when no note was written


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
    problems: list[ProblemView] = field(default_factory=list)
    results_from: str = ""  # the oldest and newest result times the document is built on
    results_to: str = ""
    production: list[FieldAsk] = field(default_factory=list)
    production_missing: str = ""
    monitoring: MonitoringView | None = None
    incidents_past: list[IncidentLink] = field(default_factory=list)
    unlisted_secrets: list[tuple[str, str]] = field(default_factory=list)  # (what, why it is flagged)
    # the kinds' own sections (`Kind.handover`, core/checks/_handover.py): (family, section)
    # in kind-name order, each with a `layout(d)`; the database and AI assistant sections
    sections: list[tuple[str, Any]] = field(default_factory=list)




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
