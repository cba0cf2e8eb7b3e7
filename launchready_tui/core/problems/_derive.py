"""From results to ranked problems: findings grouped by id, everything on a host whose
name dangles filed under that root, "could not check" explained or grouped per host, then
ranked with owner, priority and first-seen date; `current()` for results over many runs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from launchready_tui.core.problems._findings import _kind_level, _slug, findings_for, host_of
from launchready_tui.core.problems._model import _CODE_LEVEL, UNKNOWN, Finding, Problem, rank_key
from launchready_tui.core.results import CheckResult, Status

# Codes whose problem explains everything else on the same host, the likelier cause first
# (a dangling CNAME is why the name does not resolve).
_ROOT = [("dns", "dangling-cname"), ("dns", "unresolved")]

_INTERNAL_ROLES = {"admin", "internal", "ops", "staff", "metrics", "monitoring", "grafana", "backoffice"}
_STAGING_LABELS = {"staging", "stage", "stg", "dev", "preview", "qa", "test", "sandbox"}


def _scope(target: str, kind: str, profile: Any) -> tuple[str, str]:
    """(environment, audience) of a target: staging names and internal roles."""
    t = target.lower()
    env = "production"
    if kind == "env":
        names = set(t.split("+"))
        if not names & {"production", "prod"}:
            env = sorted(names)[0] if names else "staging"
    host = host_of(target)
    first = host.split(".", 1)[0] if host.count(".") >= 2 else ""
    if first in _STAGING_LABELS:
        env = "staging"
    audience = "customers"
    roles = {}
    if profile is not None:
        try:
            roles = {h.lower(): r.lower() for r, h in profile.hosts.items()}
        except AttributeError:
            roles = {}
    role = roles.get(host, first)
    if role in _INTERNAL_ROLES:
        audience = "internal"
    if env != "production" and role in _STAGING_LABELS:
        audience = "internal"
    return env, audience


def derive(results: Iterable[CheckResult], profile: Any = None, *, meta: dict[str, dict[str, Any]] | None = None,
           history: list[dict[str, Any]] | None = None, now: str = "") -> list[Problem]:
    """Problems from results, ranked (rank 1 = fix first). `meta` is the state's
    `problems` map (owner, priority per id); `history` gives first-seen times."""
    results = [c for c in (_clean(r) for r in results) if c is not None]
    by_id: dict[str, Problem] = {}
    errors: list[CheckResult] = []
    for r in results:
        if r.status == Status.ERROR:
            errors.append(r)
            continue
        try:
            found = findings_for(r)
        except Exception:  # odd evidence (a hand-edited state file): fall back to the summary
            found = [Finding(r.check, r.target, _slug(r.summary), r.summary, r.status)]
        for f in found:
            p = by_id.get(f.id)
            if p is None:
                level = f.level or _CODE_LEVEL.get((f.kind, f.code)) or _kind_level(f.kind)
                env, aud = _scope(f.target, f.kind, profile)
                title = f.title if f.title == r.summary else _titled(f.title, f.target)
                p = by_id[f.id] = Problem(f.id, f.kind, f.target, f.code, title, level,
                                          f.status, f.fix or r.fix, f.why or r.why, env, aud)
            elif f.status == Status.FAIL and p.status != Status.FAIL:
                p.status = f.status
            _add(p, r, f)
    # A host whose name dangles or does not resolve explains everything else on it.
    roots: dict[str, Problem] = {}
    for p in sorted(by_id.values(), key=lambda p: (_ROOT.index((p.kind, p.code)), rank_key(p))
                    if (p.kind, p.code) in _ROOT else (99,)):
        if (p.kind, p.code) in _ROOT:
            roots.setdefault(host_of(p.target), p)
    for pid, p in list(by_id.items()):
        root = roots.get(host_of(p.target))
        if root is not None and root is not p and p.kind not in ("env", "secrets", "spf", "dkim", "dmarc", "mx"):
            root.also.append(p.title)
            for key in p.results:
                if key not in root.results:
                    root.results.append(key)
            for s in p.steps:
                if s not in root.steps:
                    root.steps.append(s)
            del by_id[pid]
    # "Could not check" on a host that has a problem is explained by it.
    by_host: dict[str, Problem] = {}
    for p in sorted(by_id.values(), key=rank_key):
        by_host.setdefault(host_of(p.target), p)
    for r in errors:
        host = host_of(r.target)
        explained = roots.get(host) or by_host.get(host)
        if explained is not None and explained.id in by_id:
            _add(explained, r)
            continue
        # One "could not check" per host (or per non-host target): a host that does not
        # answer is one unknown, however many kinds tried it.
        fid = f"checks:{host or r.target}:could-not-check"
        p = by_id.get(fid)
        if p is None:
            env, aud = _scope(r.target, r.check, profile)
            p = by_id[fid] = Problem(fid, "checks", host or r.target, "could-not-check",
                                     _titled(r.summary, host or r.target), UNKNOWN, Status.ERROR, r.fix, r.why,
                                     env, aud)
        elif r.check not in {k.split("/")[2].split("@")[0] for k in p.results if k.count("/") >= 2}:
            p.also.append(f"[{r.check}] {r.summary}")
        _add(p, r)
    ranked = sorted(by_id.values(), key=rank_key)
    seen = first_seen(history or [])
    meta = meta or {}
    for n, p in enumerate(ranked, 1):
        p.rank = n
        p.first_seen = seen.get(p.id) or p.seen_at or now
        m = meta.get(p.id) if isinstance(meta, dict) else None
        m = m if isinstance(m, dict) else {}
        p.owner = str(m["owner"]) if m.get("owner") else None
        p.priority = str(m["priority"]) if m.get("priority") else None
    return ranked


def _clean(r: CheckResult) -> CheckResult | None:
    """A result with the types derivation relies on (results read back from a state file
    may hold anything); None when it cannot be one."""
    try:
        status = Status(r.status)
    except ValueError:
        return None
    if all(isinstance(x, str) for x in (r.check, r.target, r.summary, r.fix, r.why, r.runbook, r.step,
                                          r.started_at)) and isinstance(r.evidence, dict):
        return r
    return CheckResult(
        check=str(r.check or "check"), target=str(r.target if r.target is not None else ""), status=status,
        summary=str(r.summary or ""), evidence=r.evidence if isinstance(r.evidence, dict) else {},
        fix=str(r.fix or ""), why=str(r.why or ""), stage=r.stage if isinstance(r.stage, int) else None,
        runbook=str(r.runbook or ""), step=str(r.step or ""), check_id=str(r.check_id or ""),
        started_at=str(r.started_at or ""),
    )


def _titled(title: str, target: str) -> str:
    """A title that names what it is about: "shop.x.test: no HSTS header" when the
    finding's own words do not say which host, file or address."""
    t = str(target or "")
    if not t or t in ("-", ".") or t in title or (host_of(t) and host_of(t) in title):
        return title
    return f"{t}: {title}"


def _add(p: Problem, r: CheckResult, f: Finding | None = None) -> None:
    if r.started_at and (not p.seen_at or r.started_at < p.seen_at):
        p.seen_at = r.started_at
    if r.key not in p.results:
        p.results.append(r.key)
    step = f"{r.runbook}/{r.step}" if r.runbook else ""
    if step and step not in p.steps:
        p.steps.append(step)
    if f is not None and r.check == p.kind and not p.owned:
        # The owning kind's own words win: the tls check's "expired 10 days ago" over
        # the redirect check's "certificate rejected".
        p.title = f.title if f.title == r.summary else _titled(f.title, f.target)
        p.fix, p.why = f.fix or r.fix or p.fix, f.why or r.why or p.why
        p.owned = True
        if step:  # its own kind's step is where to check it again
            p.steps.remove(step)
            p.steps.insert(0, step)



def current(results: Iterable[CheckResult]) -> list[CheckResult]:
    """Results that still say how things stand, for results gathered over many runs (the
    state): per (kind, target) the newest result, plus the older ones that say the same
    (same status and summary, e.g. the same run's other steps). An older fail that a newer
    result contradicts is history, not a problem."""
    results = [c for c in (_clean(r) for r in results) if c is not None]
    newest: dict[tuple[str, str], CheckResult] = {}
    for r in results:
        k = (r.check, r.target)
        if k not in newest or r.started_at > newest[k].started_at:
            newest[k] = r
    out = []
    for r in results:
        n = newest[(r.check, r.target)]
        if r is n or (r.status == n.status and r.summary == n.summary):
            out.append(r)
    return out


def first_seen(history: list[dict]) -> dict[str, str]:
    """id -> the time of the first run whose history entry lists that problem."""
    out: dict[str, str] = {}
    for h in history:
        if not isinstance(h, dict) or not isinstance(h.get("problems"), list):
            continue  # a torn or hand-edited line
        at = str(h.get("at") or "")
        for pid in h["problems"]:
            if isinstance(pid, str) and (pid not in out or (at and at < out[pid])):
                out[pid] = at
    return out
