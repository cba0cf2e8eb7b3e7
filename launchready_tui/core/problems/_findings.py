"""Findings per kind: what each warn/fail result shows, filed under the kind that owns
the fact. The bundled kinds' rules are the `_KIND_FINDINGS` table; a new kind declares
`problem_findings(result)` / `PROBLEM_LEVEL`, or gets the shared evidence convention."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from launchready_tui.core.problems._model import (
    _KIND_LEVEL,
    DOWN,
    HYGIENE,
    LEVELS,
    PAY_LOGIN,
    SECRETS,
    Finding,
)
from launchready_tui.core.results import CheckResult, Status

_PAYMENT_OR_LOGIN = re.compile(r"STRIPE|PAYPAL|PADDLE|BRAINTREE|PAY|SESSION|AUTH|JWT|LOGIN|OAUTH|CLERK|SUPABASE",
                               re.I)


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
