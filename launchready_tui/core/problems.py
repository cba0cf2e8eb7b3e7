"""Problems, not results: one thing wrong in the world, however many steps check it.

A check *result* belongs to a step of a runbook; the same expired certificate shows up in
stage 1's redirect check, stage 3's certificate check, the uptime check and the incident
runbooks. A *problem* is the certificate itself: it has a stable id built from the kind,
the target and the finding (never from the runbook or the step), so it can be tracked
across runs, allowlisted and owned.

Deriving problems from results:

1. Each warn/fail result is turned into *findings*. A kind may declare its own (the
   `_KIND_FINDINGS` table below for the bundled kinds, or a `problem_findings(result)`
   function in a new kind's module); otherwise a result whose evidence has a `findings`
   list of `{code, severity|status, message|summary}` gives one finding per distinct code,
   and anything else gives one finding named after the kind and the summary (numbers
   dropped). A finding's own `fix`/`why` replace the result's. So a new kind's fail and
   warn results become problems without editing this file; `PROBLEM_LEVEL` in its
   module sets the level they rank at (hygiene otherwise).
2. Findings with the same (kind, target, code) are one problem. A few findings name the
   same fact from another angle and are filed under the kind that owns the fact: a
   certificate rejected by the redirect or uptime check is the `tls` problem of that host,
   Cloudflare's "Flexible SSL" loop is the `redirects` loop of that host.
3. A host whose name dangles or does not resolve (a `dns` root problem) explains every
   other finding on that host: they are listed under it, not counted again. A "could not
   check" (error) result on a host that has a problem is explained by that problem too;
   elsewhere the errors on one host (or one non-host target) are one problem,
   `checks:<host>:could-not-check`.

THE RANKING RULE (worst business harm first; `rank_key` is its only implementation):

    level 1  customers cannot pay or log in
    level 2  the site is down, or shows customers a certificate warning
    level 3  secrets are public
    level 4  someone can take over a name (or an account: no limit on guessing)
    level 5  email lands in spam (or can be forged in your name)
    level 6  pages are slow (admin pages included)
    level 7  could not check (unknown is not safe, but it is not a known harm either)
    level 8  hygiene

Within a level: production before staging, customer-facing before internal, a fail
before a warning, then by id so the order is stable.

Results gathered over many runs (the state) go through `current()` first: an older fail
that a newer result for the same check and target contradicts is history, not a problem.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from launchready_tui.core.results import CheckResult, Status

__all__ = [
    "LEVELS",
    "Finding",
    "Problem",
    "blockers_text",
    "counts",
    "current",
    "derive",
    "findings_for",
    "first_seen",
    "is_blocker",
    "rank_key",
    "risk_list_text",
    "set_aside",
    "set_aside_allowed",
    "verdict",
]

PAY_LOGIN, DOWN, SECRETS, TAKEOVER, SPAM, SLOW, UNKNOWN, HYGIENE = range(1, 9)

LEVELS: dict[int, str] = {
    PAY_LOGIN: "customers cannot pay or log in",
    DOWN: "the site is down or shows customers a certificate warning",
    SECRETS: "secrets are public",
    TAKEOVER: "someone can take over a name or an account",
    SPAM: "email lands in spam or can be forged in your name",
    SLOW: "pages are slow",
    UNKNOWN: "could not check",
    HYGIENE: "hygiene",
}

# Where no finding says otherwise, the level a kind's problems sit at.
_KIND_LEVEL: dict[str, int] = {
    "dns": DOWN, "uptime": DOWN, "redirects": DOWN, "tls": DOWN, "smoke": DOWN, "command": DOWN,
    "headers": HYGIENE, "cloudflare": HYGIENE, "deps": HYGIENE, "credentials": HYGIENE,
    "spf": SPAM, "dkim": SPAM, "dmarc": SPAM, "mx": SPAM,
    "secrets": SECRETS, "env": PAY_LOGIN,
    "latency": SLOW, "page_load": SLOW,
    "rate_limit": TAKEOVER, "ai_probe": SECRETS,
}
_CODE_LEVEL: dict[tuple[str, str], int] = {
    ("dns", "dangling-cname"): TAKEOVER,
    ("dns", "caa"): HYGIENE,
    ("redirects", "no_https"): HYGIENE,
    ("redirects", "downgrade"): HYGIENE,
    ("redirects", "not_canonical"): HYGIENE,
    ("redirects", "apex_hsts"): HYGIENE,
    ("redirects", "too_many"): HYGIENE,
    ("tls", "old_tls"): HYGIENE,
    ("tls", "legacy_cipher"): HYGIENE,
    ("tls", "cbc_only"): HYGIENE,
    ("redirects", "hop_hsts_missing"): HYGIENE,
    ("redirects", "http_refused"): HYGIENE,
    ("env", "shared"): SECRETS,
}
# Codes whose problem explains everything else on the same host, the likelier cause first
# (a dangling CNAME is why the name does not resolve).
_ROOT = [("dns", "dangling-cname"), ("dns", "unresolved")]

_INTERNAL_ROLES = {"admin", "internal", "ops", "staff", "metrics", "monitoring", "grafana", "backoffice"}
_STAGING_LABELS = {"staging", "stage", "stg", "dev", "preview", "qa", "test", "sandbox"}
_PAYMENT_OR_LOGIN = re.compile(r"STRIPE|PAYPAL|PADDLE|BRAINTREE|PAY|SESSION|AUTH|JWT|LOGIN|OAUTH|CLERK|SUPABASE",
                               re.I)


@dataclass(frozen=True)
class Finding:
    """One thing a result shows. `kind` is the kind the fact is filed under (may differ
    from the result's own check); `level` overrides the kind's default level; `fix` and
    `why`, when the check gives them per finding, replace the result's own."""

    kind: str
    target: str
    code: str
    title: str
    status: Status = Status.FAIL
    level: int | None = None
    fix: str = ""
    why: str = ""

    @property
    def id(self) -> str:
        return f"{self.kind}:{self.target}:{self.code}"


@dataclass
class Problem:
    id: str
    kind: str
    target: str
    code: str
    title: str
    level: int
    status: Status
    fix: str
    why: str
    environment: str = "production"
    audience: str = "customers"
    results: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    also: list[str] = field(default_factory=list)
    rank: int = 0
    first_seen: str = ""
    owner: str | None = None
    priority: str | None = None
    accepted_until: str = ""  # an allowlist entry accepts this problem until that date
    owned: bool = field(default=False, repr=False, compare=False)
    seen_at: str = field(default="", repr=False, compare=False)  # the oldest result that shows it

    @property
    def impact(self) -> str:
        where = "" if self.environment == "production" else f" ({self.environment})"
        who = " - internal" if self.audience == "internal" else ""
        return LEVELS[self.level][0].upper() + LEVELS[self.level][1:] + where + who

    @property
    def command(self) -> str:
        """The command that re-runs the first step that shows this problem."""
        if not self.steps:
            return "launchready check"
        rb, _, st = self.steps[0].partition("/")
        return f"launchready check --runbook {rb} --step {st}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "rank": self.rank,
            "level": self.level,
            "impact": self.impact,
            "title": self.title,
            "fix": self.fix,
            "why": self.why,
            "status": self.status.value,
            "kind": self.kind,
            "target": self.target,
            "environment": self.environment,
            "audience": self.audience,
            "results": list(self.results),
            "steps": list(self.steps),
            "also_seen": list(self.also),
            "command": self.command,
            "first_seen": self.first_seen,
            "owner": self.owner,
            "priority": self.priority,
            **({"accepted_until": self.accepted_until} if self.accepted_until else {}),
        }


def rank_key(p: Problem) -> tuple:
    """The ranking rule (see the module docstring): level, then production before
    staging, customer-facing before internal, fail before warn, then id."""
    return (
        p.level,
        0 if p.environment == "production" else 1,
        0 if p.audience == "customers" else 1,
        0 if p.status == Status.FAIL else 1,
        p.id,
    )


# --- findings per kind ---------------------------------------------------------------


def host_of(target: str) -> str:
    t = str(target or "").strip().lower()
    if "://" in t:
        return (urlsplit(t).hostname or "").rstrip(".")
    return t.split("/", 1)[0].split(":", 1)[0].rstrip(".")


def _slug(text: str, n: int = 60) -> str:
    """A stable code from free text: numbers, quotes and punctuation dropped, so
    'p95 451 ms' and 'p95 470 ms' name the same finding."""
    t = re.sub(r"\d+([.,]\d+)?", "", str(text).lower())
    t = re.sub(r"[^a-z]+", "-", t).strip("-")
    return t[:n].rstrip("-") or "finding"


def _status(value: Any, default: Status) -> Status | None:
    if str(value).lower() in ("note", "info", "pass", "ok"):
        return None  # a note is shown with the result, never a problem of its own
    try:
        s = Status(str(value))
    except ValueError:
        return default
    return s if s in (Status.FAIL, Status.WARN) else None


def _evidence_findings(r: CheckResult) -> list[Finding]:
    """The shared convention: evidence["findings"] = [{code, severity|status, message}]."""
    out: dict[str, Finding] = {}
    for f in r.evidence.get("findings") or []:
        if not isinstance(f, dict):
            continue
        st = _status(f.get("severity", f.get("status")), r.status)
        if st is None:
            continue
        title = str(f.get("message") or f.get("summary") or f.get("title") or r.summary)
        code = str(f.get("code") or _slug(title))
        fix, why = str(f.get("fix") or ""), str(f.get("why") or "")
        if code in out:
            if st == Status.FAIL and out[code].status != Status.FAIL:
                out[code] = Finding(r.check, r.target, code, title, st, fix=fix, why=why)
            continue
        out[code] = Finding(r.check, r.target, code, title, st, fix=fix, why=why)
    return list(out.values())


def _default(r: CheckResult) -> list[Finding]:
    return _evidence_findings(r) or [Finding(r.check, r.target, _slug(r.summary), r.summary, r.status)]


def _dns(r: CheckResult) -> list[Finding]:
    s = r.summary.lower()
    if "dangling" in s or "takeover" in s:
        code = "dangling-cname"
    elif "does not resolve" in s or "no address" in s or "nxdomain" in s:
        code = "unresolved"
    elif "caa" in s:
        code = "caa"
    else:
        code = _slug(r.summary)
    return [Finding("dns", host_of(r.target), code, r.summary, r.status)]


def _dkim(r: CheckResult) -> list[Finding]:
    s = r.summary.lower()
    code = "missing" if "missing" in s or "does not exist" in s else _slug(re.sub(r"'[^']*'", "", s), 40)
    return [Finding("dkim", r.target, code, r.summary, r.status)]


def _cert_code(f: Finding) -> Finding:
    return Finding("tls", host_of(f.target), "certificate", f.title, f.status, DOWN)


_TLS_REJECTED = {"expired", "not_yet_valid", "hostname", "untrusted", "self_signed", "certificate",
                 "weak_key", "weak_signature", "weak_chain"}  # browsers refuse these too


def _tls(r: CheckResult) -> list[Finding]:
    out = []
    for f in _default(r):
        if f.code in _TLS_REJECTED:
            out.append(_cert_code(f))
        else:
            out.append(Finding("tls", host_of(f.target), f.code, f.title, f.status))
    return out


def _redirects(r: CheckResult) -> list[Finding]:
    out = []
    for f in _default(r):
        if f.code == "certificate":
            out.append(_cert_code(f))
        elif f.code in ("unresolved", "dns_error", "no_answer", "refused"):
            out.append(Finding("dns", host_of(r.target), "unresolved", f.title, f.status))
        else:
            out.append(Finding("redirects", host_of(r.target), f.code, f.title, f.status))
    return out


def _uptime(r: CheckResult) -> list[Finding]:
    reason = str(r.evidence.get("reason") or r.summary).lower()
    if "certificate" in reason:
        return [_cert_code(Finding("uptime", r.target, "certificate", r.summary, r.status))]
    if "does not resolve" in reason or "nxdomain" in reason:
        return [Finding("dns", host_of(r.target), "unresolved", r.summary, r.status)]
    return [Finding("uptime", r.target, "down" if r.status == Status.FAIL else "slow", r.summary, r.status)]


def _cloudflare(r: CheckResult) -> list[Finding]:
    if "loop" in r.summary.lower():
        return [Finding("redirects", host_of(r.target), "loop", r.summary, r.status, DOWN)]
    return _default(r)


def _headers(r: CheckResult) -> list[Finding]:
    """One problem per header finding; a cookie's missing flags are one problem."""
    out: list[Finding] = []
    cookies: dict[str, list[Finding]] = {}
    for f in _default(r):
        if f.code.startswith("cookie_"):
            named = re.search(r"cookie (\S+)", f.title)
            cookies.setdefault(named.group(1) if named else "session", []).append(f)
        else:
            out.append(Finding("headers", host_of(r.target), f.code, f.title, f.status))
    for name, fs in cookies.items():
        st = Status.FAIL if any(f.status == Status.FAIL for f in fs) else Status.WARN
        flags = "; ".join(re.sub(r"^session cookie \S+ ", "", f.title) for f in fs)
        out.append(Finding("headers", host_of(r.target), f"cookie-{name}", f"session cookie {name}: {flags}", st))
    return out


def _env(r: CheckResult) -> list[Finding]:
    """A test key, a placeholder, a missing or empty variable: one finding per variable.
    A value shared by two environments is one finding for the pair."""
    ev = r.evidence
    env = str(ev.get("environment") or r.target)
    out: list[Finding] = []
    for name in ev.get("test_keys") or []:
        out.append(Finding("env", env, f"test-key-{name}", f"{env}: {name} holds a test-mode key in production",
                           r.status, PAY_LOGIN))
    for what, words in (("placeholder", "holds a placeholder value"), ("missing", "is missing"),
                        ("empty", "is empty")):
        for name in ev.get(what) or []:
            level = PAY_LOGIN if _PAYMENT_OR_LOGIN.search(str(name)) else DOWN
            out.append(Finding("env", env, f"{what}-{name}", f"{env}: {name} {words}", r.status, level))
    for s in ev.get("shared_values") or []:
        if not isinstance(s, dict):
            continue
        pair = sorted([(env, str(s.get("name"))), (str(s.get("environment")), str(s.get("other_name")))])
        target = "+".join(e for e, _ in pair)
        names = " = ".join(f"{n} ({e})" for e, n in pair)
        out.append(Finding("env", target, f"shared-{pair[0][1]}", f"the same secret value in two environments: {names}",
                           r.status, SECRETS))
    return out or _default(r)


def _secrets(r: CheckResult) -> list[Finding]:
    """One finding per leaked secret (rule + file + fingerprint), never the value."""
    out: dict[str, Finding] = {}
    for f in r.evidence.get("findings") or []:
        if not isinstance(f, dict):
            continue
        st = _status(f.get("severity"), r.status)
        if st is None:
            continue
        where = f"{f.get('file', '?')}:{f.get('line', '?')}"
        code = f"{f.get('rule', 'secret')}-{f.get('fingerprint', where)}"
        out.setdefault(code, Finding("secrets", str(f.get("file") or r.target), code,
                                     f"{f.get('title', 'secret')} at {where} (fingerprint {f.get('fingerprint', '?')})",
                                     st))
    return list(out.values()) or _default(r)


def _rate_limit(r: CheckResult) -> list[Finding]:
    ev = r.evidence
    if (ev.get("bypass_probe") or {}).get("bypassed"):
        code = "bypass"
    elif r.status == Status.FAIL and "no rate limit" in r.summary.lower():
        code = "no-limit"
    else:
        code = _slug(r.summary, 40)
    return [Finding("rate_limit", r.target, code, r.summary, r.status)]


def _one(code: str) -> Callable[[CheckResult], list[Finding]]:
    def derive_one(r: CheckResult) -> list[Finding]:
        return [Finding(r.check, r.target, code, r.summary, r.status)]

    return derive_one


_KIND_FINDINGS: dict[str, Callable[[CheckResult], list[Finding]]] = {
    "dns": _dns,
    "tls": _tls,
    "redirects": _redirects,
    "uptime": _uptime,
    "cloudflare": _cloudflare,
    "headers": _headers,
    "env": _env,
    "secrets": _secrets,
    "rate_limit": _rate_limit,
    "latency": _one("too-slow"),
    "page_load": _one("too-slow"),
    "dmarc": _one("weak-policy"),
    "dkim": _dkim,
}


def _declared(kind: str, name: str = "problem_findings") -> Any:
    """What a kind outside the table declares about its problems: `problem_findings(result)`
    or `PROBLEM_LEVEL` (the level of its problems, 1-8), on its kind object or in its
    check module; None when it does not."""
    try:
        from launchready_tui.core import registry
    except ImportError:  # pragma: no cover
        return None
    try:
        modname = getattr(registry.KINDS.get(kind), "module", None)
    except Exception:
        modname = None
    fn = getattr(sys.modules.get(modname or ""), name, None)
    if fn is not None:
        return fn
    try:
        obj = registry.load_kind(kind)
    except Exception:  # not available, or its imports fail: the default derivation applies
        return None
    return getattr(obj, name, None) or getattr(sys.modules.get(modname or ""), name, None)


def _kind_level(kind: str) -> int:
    if kind in _KIND_LEVEL:
        return _KIND_LEVEL[kind]
    level = _declared(kind, "PROBLEM_LEVEL")
    return level if isinstance(level, int) and level in LEVELS else HYGIENE


def findings_for(r: CheckResult) -> list[Finding]:
    """The findings a warn/fail result shows (an empty list for pass/skip/error)."""
    if r.status not in (Status.FAIL, Status.WARN):
        return []
    fn = _KIND_FINDINGS.get(r.check) or _declared(r.check) or _default
    out: list[Finding] = []
    for f in fn(r) or []:
        if isinstance(f, dict):  # a declaring module may return plain dicts
            f = Finding(str(f.get("kind") or r.check), str(f.get("target") or r.target), str(f["code"]),
                        str(f.get("title") or r.summary), Status(f.get("status") or r.status), f.get("level"))
        out.append(f)
    return out or _default(r)


# --- grouping and ranking ----------------------------------------------------------


def _scope(target: str, kind: str, profile) -> tuple[str, str]:
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


def derive(results: Iterable[CheckResult], profile=None, *, meta: dict[str, dict] | None = None,
           history: list[dict] | None = None, now: str = "") -> list[Problem]:
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


def set_aside(problems: list[Problem], accepted: Callable[[str], str | None]) -> tuple[list[Problem], list[Problem]]:
    """Split off the problems an accepted exception covers, by problem id (`accepted(id)`
    gives the entry's expiry date, or None: `.launchready/allow.yaml` entries with
    `id: <problem id>`). The rest are ranked again from 1."""
    still: list[Problem] = []
    aside: list[Problem] = []
    for p in problems:
        until = accepted(p.id)
        if until:
            p.accepted_until = str(until)
            aside.append(p)
        else:
            still.append(p)
    for n, p in enumerate(still, 1):
        p.rank = n
    return still, aside


def set_aside_allowed(problems: list[Problem], state_dir: Any, today: Any = None) -> tuple[list[Problem], list[Problem]]:
    """`set_aside` with the entries of `<state_dir>/allow.yaml` that name a problem by id
    and have not expired. No allowlist, or one that cannot be read, sets nothing aside."""
    import datetime as dt
    from pathlib import Path

    try:
        from launchready_tui.core.allowlist import ALLOW_FILENAME, load_allowlist

        allow = load_allowlist(Path(state_dir) / ALLOW_FILENAME)
    except Exception:
        return problems, []
    day = today or dt.datetime.now(dt.UTC).date()

    def accepted(pid: str) -> str | None:
        entry, expired = allow.match(id=pid, today=day)
        return entry.expires_text if entry is not None and not expired else None

    return set_aside(problems, accepted)


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


def counts(problems: list[Problem]) -> dict[str, int]:
    """Problems per status (fail/warn/error) and in total."""
    c = {"total": len(problems), "fail": 0, "warn": 0, "error": 0}
    for p in problems:
        c[p.status.value] = c.get(p.status.value, 0) + 1
    return c


def verdict(problems: list[Problem]) -> str:
    """One line: can we launch?"""
    if not problems:
        return "Verdict: no launch blockers found in the checks that ran."
    worst = problems[0]
    fails = sum(1 for p in problems if p.status == Status.FAIL)
    harm = sum(1 for p in problems if is_blocker(p))
    if harm:
        return (f"Verdict: not ready to launch - {fails} problem(s) fail, {harm} of them harm customers, "
                f"money or security; fix #{worst.rank} first.")
    if fails:
        return (f"Verdict: not ready to launch - {fails} problem(s) fail, none of them harms customers, money "
                f"or security yet; fix #{worst.rank} first.")
    return f"Verdict: ready to launch with {len(problems)} problem(s) to look at soon; start with #{worst.rank}."


def is_blocker(p: Problem) -> bool:
    """A launch blocker: a failing problem that harms customers, money or security on day
    one (levels 1-4). The rest are risks to fix soon."""
    return p.level <= TAKEOVER and p.status == Status.FAIL


def risk_list_text(problems: list[Problem], limit: int = 10) -> str:
    """A draft for stage 1's ranked risk list: one line per problem, worst first."""
    lines = [f"{p.rank}. {p.title} - {p.impact}" for p in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"(and {len(problems) - limit} more: press b for the whole list)")
    return "\n".join(lines)


def blockers_text(problems: list[Problem]) -> str:
    """A draft for stage 1's launch-blockers checklist: blocker, owner, priority."""
    return "\n".join(
        f"{p.title} - owner: {p.owner or '?'} - priority: {p.priority or '?'}"
        for p in problems if is_blocker(p)
    )
