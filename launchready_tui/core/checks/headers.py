"""`headers`: HSTS and the other security headers, cookies, version leaks and mixed
content, on the final response of each https host.

Each observation is its own line in `evidence["findings"]` with a severity (pass,
info, warn, fail); the result's status is the worst of them. Cookie values are never
recorded: only names and flags (a session cookie's value is a secret).
`parse_*` / `evaluate_*` are pure; `check` does the I/O.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, TypedDict
from urllib.parse import urlsplit

from launchready_tui.core.checks import redirects as rd
from launchready_tui.core.checks._headers_cookies import evaluate_cookies
from launchready_tui.core.checks._headers_cookies import (
    parse_set_cookie as parse_set_cookie,  # tests use it
)
from launchready_tui.core.checks._headers_mixed import evaluate_mixed, find_mixed_content
from launchready_tui.core.checks.base import Kind
from launchready_tui.core.findings import RANK, Finding, findings_result, rank
from launchready_tui.core.results import CheckResult, errored, skipped

if TYPE_CHECKING:
    from collections.abc import Iterable

    from launchready_tui.core.context import CheckContext
    from launchready_tui.core.net import FetchResult
    from launchready_tui.core.profile import Profile

KIND = "headers"
BODY_CAP = 1024 * 1024  # bytes of HTML read for the mixed-content scan
HSTS_MIN_AGE = 15552000  # 180 days, a common framework default; accepted (issue 16)
PRELOAD_MIN_AGE = 31536000


def targets(profile: Profile, params: dict[str, Any]) -> list[str]:
    from launchready_tui.core.checks.dns import edge_hosts

    return edge_hosts(profile)


def deadline(params: dict[str, Any], timeout_s: float) -> float:
    return timeout_s * 6


Line = Finding  # the one finding type (core/findings.py)


# ---------------------------------------------------------------------------- HSTS


def split_field_values(lines: list[str]) -> list[str]:
    """Field lines -> values: several lines equal one line joined by commas (RFC 9110 §5.3),
    so both are split at commas outside double quotes."""
    out: list[str] = []
    for line in lines:
        cur, quoted = "", False
        for ch in line:
            if ch == '"':
                quoted = not quoted
            if ch == "," and not quoted:
                out.append(cur.strip())
                cur = ""
            else:
                cur += ch
        out.append(cur.strip())
    return [v for v in out if v]


def parse_hsts(value: str) -> dict[str, Any]:
    """Directives of one Strict-Transport-Security value (RFC 6797 §6.1), names lower-cased.
    max-age is an int, or None when missing or invalid; a directive given twice makes the
    whole value invalid (§6.1: "All directives MUST appear only once"), listed in `repeated`."""
    out: dict[str, Any] = {"max_age": None, "include_subdomains": False, "preload": False, "names": [],
                           "repeated": []}
    for part in value.split(";"):
        part = part.strip()
        if not part:
            continue
        name, _, val = part.partition("=")
        name = name.strip().lower()
        if name in out["names"]:
            out["repeated"].append(name)
        out["names"].append(name)
        val = val.strip().strip('"')
        if name == "max-age" and name not in out["repeated"]:
            out["max_age"] = int(val) if val.isdigit() else None
        elif name == "includesubdomains":
            out["include_subdomains"] = True
        elif name == "preload":
            out["preload"] = True
    if out["repeated"]:
        out["max_age"] = None
    return out


def hsts_where(cloudflare: bool) -> str:
    if cloudflare:
        return ("In the Cloudflare dashboard: SSL/TLS > Edge Certificates > HTTP Strict Transport "
                "Security (HSTS) > Enable HSTS, with Max Age of 6 months or more (12 months if you "
                "want to be on the browsers' preload list).")
    return ("Add the header `Strict-Transport-Security: max-age=31536000` to every https "
            "response: Vercel `headers` in vercel.json; Netlify a `_headers` file or "
            "`[[headers]]` in netlify.toml; nginx `add_header Strict-Transport-Security "
            "\"max-age=31536000\" always;`; or your framework's security middleware (for example "
            "helmet for Express).")


def evaluate_hsts(values: list[str], cloudflare: bool = False) -> list[Line]:
    where = hsts_where(cloudflare)
    why_missing = ("Without HSTS, a visitor's first request can be sent over plain HTTP and "
                   "hijacked on public Wi-Fi (an 'SSL stripping' attack), even though you "
                   "redirect to https.")
    # Strict-Transport-Security is not a list field (RFC 6797 §6.1 grammar; RFC 9110 §5.3
    # forbids joining such fields with commas): each line is one field, the first one is
    # used (§8.1), and a comma inside it makes it unreadable.
    fields = [v.strip() for v in values if v.strip()]
    if not fields:
        return [Line("fail", "hsts_missing", "no HSTS header (Strict-Transport-Security)", why_missing, where)]
    out: list[Line] = []
    if len(split_field_values(fields[:1])) > 1:
        return [Line("fail", "hsts_invalid",
                     f"the HSTS header holds two values joined by a comma ('{fields[0][:120]}'); browsers "
                     "cannot read it and ignore it",
                     why_missing, "Send Strict-Transport-Security once, with one value. Usually both the app "
                     "and a proxy or CDN add it and something in between joins them: remove one. " + where)]
    if len(fields) > 1:
        # RFC 6797 §8.1: a browser processes only the first Strict-Transport-Security field.
        same = len({f.lower().replace(" ", "") for f in fields}) == 1
        out.append(Line("info" if same else "warn", "hsts_twice",
                        f"the HSTS header is sent {len(fields)} times; browsers use only the first one "
                        f"('{fields[0][:80]}')" + (", and as all are the same, that works" if same
                                                   else f" and ignore the others ('{fields[1][:80]}')"),
                        "Whoever set the second value may think it applies; it does not.",
                        "Send Strict-Transport-Security once, with the value you want. Usually both "
                        "the app and a proxy or CDN add it: remove one of them. " + where))
    h = parse_hsts(fields[0])
    age = h["max_age"]
    if h["repeated"]:
        return out + [Line("fail", "hsts_invalid",
                           f"the HSTS header names {', '.join(dict.fromkeys(h['repeated']))} twice "
                           f"('{fields[0][:120]}'), which makes it invalid, so browsers ignore it",
                           why_missing, "Write each directive once, e.g. `max-age=31536000; "
                           "includeSubDomains`. " + where)]
    if age is None:
        return out + [Line("fail", "hsts_invalid", f"the HSTS header has no valid max-age: '{fields[0][:120]}'",
                           why_missing, where)]
    if age == 0:
        return out + [Line("fail", "hsts_off", "HSTS max-age=0 tells browsers to forget HSTS", why_missing, where)]
    days = age // 86400
    if age < HSTS_MIN_AGE:
        out.append(Line("warn", "hsts_short", f"HSTS max-age is {age} s ({days} days), under 180 days",
                        "A short max-age lets the protection lapse for visitors who have not come "
                        "back recently.", f"Raise max-age to at least {HSTS_MIN_AGE} (180 days); 31536000 "
                        "(one year) is the norm and what the browsers' preload list needs. " + where))
    else:
        out.append(Line("pass", "hsts", f"HSTS is on: max-age={age} ({days} days)"))
    if h["include_subdomains"]:
        out.append(Line("info", "hsts_subdomains",
                        "HSTS has includeSubDomains: every subdomain (including internal tools, "
                        "staging and old hosts) must work over https, or browsers refuse to open it "
                        "for max-age seconds."))
    if h["preload"]:
        msg = ("HSTS has preload: once the domain is on the browsers' preload list, every "
               "subdomain is https-only in every browser, and removal takes months. Submit at "
               "hstspreload.org only when you are sure.")
        if not h["include_subdomains"] or age < PRELOAD_MIN_AGE:
            out.append(Line("warn", "hsts_preload_ineligible",
                            msg + " As sent, it is not eligible: preload needs includeSubDomains "
                            "and max-age of at least 31536000 (one year).",
                            "A preload directive that the list rejects gives a false sense of safety.",
                            "Either add includeSubDomains and max-age=31536000, or drop preload."))
        else:
            out.append(Line("info", "hsts_preload", msg))
    elif HSTS_MIN_AGE <= age < PRELOAD_MIN_AGE:
        out.append(Line("info", "hsts_preload_needs_year",
                        f"max-age={age} is enough; to join the browsers' preload list later you "
                        "would need max-age=31536000 (one year)"))
    return out


# ---------------------------------------------------------------------------- other headers


def csp_directives(csp: str) -> dict[str, str]:
    """Directive name -> value of the first policy in `csp` (kept for callers; see _csp.py)."""
    from launchready_tui.core.checks._csp import parse_header

    pols = parse_header([csp])
    return {k: " ".join(v) for k, v in pols[0].directives.items()} if pols else {}


# Referrer Policy spec §3 (the policy tokens) and §8.1: unknown tokens are skipped, the
# last known token wins; no known token = no policy = the browser default (Fetch:
# strict-origin-when-cross-origin).
REFERRER_POLICIES = ("no-referrer", "no-referrer-when-downgrade", "same-origin", "origin",
                     "strict-origin", "origin-when-cross-origin", "strict-origin-when-cross-origin",
                     "unsafe-url")
REFERRER_FIX = ("Set `Referrer-Policy: strict-origin-when-cross-origin` (or `no-referrer`) where your "
                "headers are set: Vercel `headers` in vercel.json, Netlify `_headers` or netlify.toml, "
                "nginx `add_header Referrer-Policy strict-origin-when-cross-origin always;`, or your "
                "framework's security middleware.")


def parse_referrer_policy(lines: list[str]) -> tuple[str, list[str]]:
    """(policy, unknown tokens) per Referrer Policy §8.1; policy '' when no known token."""
    policy, unknown = "", []
    for tok in split_field_values(lines):
        t = tok.strip().lower()
        if t in REFERRER_POLICIES:
            policy = t
        elif t:
            unknown.append(tok.strip())
    return policy, unknown


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word.lower(), list(choices), n=1, cutoff=0.6)
    return f" (did you mean `{close[0]}`?)" if close else ""


def evaluate_referrer(lines: list[str]) -> list[Line]:
    if not lines:
        return [Line("info", "referrer_missing",
                     "no Referrer-Policy header; browsers then use strict-origin-when-cross-origin, "
                     "which sends other sites only your domain, never the full page address")]
    policy, unknown = parse_referrer_policy(lines)
    out = [Line("info", "referrer_unknown",
                f"Referrer-Policy `{u[:60]}` is not a policy browsers know, so they ignore it"
                + _did_you_mean(u, REFERRER_POLICIES)) for u in unknown]
    if not policy:
        out.append(Line("info", "referrer_none",
                        "the Referrer-Policy header has no policy browsers know, so it does nothing and "
                        "browsers use their default (strict-origin-when-cross-origin); fix the spelling "
                        "so it says what you meant"))
    elif policy in ("unsafe-url", "no-referrer-when-downgrade"):
        out.append(Line("warn", "referrer_weak", f"Referrer-Policy is {policy}",
                        "Full page addresses (which can hold reset tokens or private ids) are sent to "
                        "every other site your pages link to or load from.", REFERRER_FIX))
    else:
        out.append(Line("pass", "referrer", f"Referrer-Policy: {policy}"))
    return out


def _twice(values: list[str], lines: list[str]) -> str:
    """' (sent twice with the same value; that works)' when a header repeats one value."""
    if len(values) > 1 and len({v.lower() for v in values}) == 1:
        n = "twice" if len(values) == 2 else f"{len(values)} times"
        return f" (sent {n} with the same value, '{', '.join(lines)[:60]}'; that works)"
    return ""


def evaluate_other(headers: dict[str, list[str]], is_html: bool) -> list[Line]:
    from launchready_tui.core.checks import _csp as cs

    out: list[Line] = []
    low = "warn" if is_html else "info"
    page = "" if is_html else " (this response is not a web page, so it matters less)"
    csp_lines = headers.get("content-security-policy", [])
    if csp_lines:
        out += [Line(f.severity, f.code, f.message, f.why, f.fix)
                for f in cs.evaluate_csp(csp_lines, is_html, low)]
    elif headers.get("content-security-policy-report-only"):
        out.append(Line(low, "csp_report_only", "Content-Security-Policy is only in report-only mode" + page,
                        "A report-only policy blocks nothing.",
                        "Once the reports look clean, rename the header "
                        "Content-Security-Policy-Report-Only to Content-Security-Policy. " + cs.WHERE))
    else:
        out.append(Line(low, "csp_missing", "no Content-Security-Policy header" + page,
                        "A CSP limits what an injected script can do; without one, a single "
                        "cross-site-scripting bug can steal sessions or payment details.",
                        "Start with `Content-Security-Policy: default-src 'self'; frame-ancestors "
                        "'none'` plus the https:// addresses you load scripts from, in report-only mode "
                        "first (Content-Security-Policy-Report-Only), then enforce it. " + cs.WHERE))
    # Fetch "determine nosniff": only the first value counts, so `nosniff, nosniff` works.
    xcto_lines = headers.get("x-content-type-options", [])
    nosniff = split_field_values(xcto_lines)
    if nosniff and nosniff[0].lower() == "nosniff":
        out.append(Line("pass", "nosniff", "X-Content-Type-Options: nosniff is set" + _twice(nosniff, xcto_lines)))
    elif nosniff:
        out.append(Line("warn", "nosniff_invalid",
                        f"X-Content-Type-Options is '{', '.join(xcto_lines)[:60]}'; browsers only obey "
                        "it when the first value is nosniff",
                        "Browsers may guess a file's type, so an uploaded file can run as a script.",
                        "Set the header to exactly `X-Content-Type-Options: nosniff`."))
    else:
        out.append(Line("warn", "nosniff_missing", "no `X-Content-Type-Options: nosniff` header",
                        "Browsers may guess a file's type, so an uploaded file can run as a script.",
                        "Add the header `X-Content-Type-Options: nosniff` to every response."))
    # HTML "check a navigation response's adherence to X-Frame-Options": an enforced CSP
    # frame-ancestors replaces X-Frame-Options entirely (CSP3 §6.4.2); repeated equal
    # values count once; conflicting values block framing.
    xfo_lines = headers.get("x-frame-options", [])
    xfo = {v.lower() for v in split_field_values(xfo_lines)}
    fa = cs.frame_ancestors(csp_lines) if csp_lines else None
    why_frame = ("Another site can show your pages in an invisible frame and trick people "
                 "into clicking buttons (clickjacking).")
    if fa is not None and cs.frame_ancestors_open(csp_lines):
        extra = (f" The X-Frame-Options: {xfo_lines[0]} header does not help: browsers ignore it "
                 "when the CSP has frame-ancestors." if xfo_lines else "")
        out.append(Line(low, "frame_ancestors_open",
                        f"the CSP says frame-ancestors {' '.join(fa)}: any site may show your pages "
                        "in a frame" + page, why_frame + extra,
                        "In the Content-Security-Policy header, change the `frame-ancestors` part to "
                        "`frame-ancestors 'none'` (or `'self'` if your own pages frame each other). "
                        + cs.WHERE))
    elif fa is not None:
        out.append(Line("pass", "frame", f"framing limited by CSP frame-ancestors {' '.join(fa)}".strip()))
    elif len(xfo) == 1 and xfo & {"deny", "sameorigin"}:
        out.append(Line("pass", "frame", f"framing limited by X-Frame-Options: {next(iter(xfo)).upper()}"
                        + _twice(split_field_values(xfo_lines), xfo_lines)))
    elif len(xfo) > 1 and xfo & {"deny", "sameorigin", "allowall"}:
        out.append(Line("info", "frame_conflict",
                        f"X-Frame-Options has conflicting values ({', '.join(xfo_lines)[:60]}); browsers "
                        "then refuse all framing, even by your own pages"))
    else:
        seen = f" (X-Frame-Options: {', '.join(xfo_lines)[:60]} is not a value browsers obey)" if xfo_lines else ""
        out.append(Line(low, "frame_missing", "no frame protection (X-Frame-Options or CSP frame-ancestors)"
                        + seen + page, why_frame,
                        "Add `X-Frame-Options: DENY` (or SAMEORIGIN), or `frame-ancestors 'none'` "
                        "in your Content-Security-Policy."))
    out += evaluate_referrer(headers.get("referrer-policy", []))
    return out


_VERSION = re.compile(r"\d+\.\d+")


def evaluate_leaks(headers: dict[str, list[str]]) -> list[Line]:
    out: list[Line] = []
    fix = ("Hide version numbers: nginx `server_tokens off;`; Apache `ServerTokens Prod`; "
           "Express `app.disable('x-powered-by')`; PHP `expose_php = Off`.")
    why = ("A version number tells attackers exactly which known vulnerabilities to try.")
    for name in ("server", "x-powered-by", "x-aspnet-version", "x-aspnetmvc-version"):
        for v in headers.get(name, []):
            if _VERSION.search(v) or name.startswith("x-aspnet"):
                out.append(Line("warn", "version_leak", f"the {name} header reveals a version: {v[:80]}", why, fix))
            elif name == "x-powered-by":
                out.append(Line("info", "powered_by", f"X-Powered-By names your software: {v[:80]}"))
    return out


# ---------------------------------------------------------------------------- check


def evaluate(resp: FetchResult, url: str) -> tuple[list[Line], dict[str, Any]]:
    """All lines for one final response (pure: takes a FetchResult-like object)."""
    headers: dict[str, list[str]] = {}
    for k, v in resp.headers:
        headers.setdefault(k.lower(), []).append(v)
    ctype = (resp.header("content-type") or "").lower()
    body_start = resp.body[:512].lstrip().lower()
    is_html = "html" in ctype or body_start.startswith((b"<!doctype html", b"<html"))
    lines = evaluate_hsts(headers.get("strict-transport-security", []), rd.is_cloudflare(resp))
    lines += evaluate_other(headers, is_html)
    cookie_lines, cookies = evaluate_cookies(headers.get("set-cookie", []))
    lines += cookie_lines
    lines += evaluate_leaks(headers)
    found: list[tuple[str, str, str]] = []
    if is_html and urlsplit(url).scheme == "https":
        from launchready_tui.core.checks._csp import has_upgrade

        upgrade = has_upgrade(headers.get("content-security-policy", []))
        found = find_mixed_content(resp.body.decode("utf-8", "replace"))
        mixed = evaluate_mixed(found, upgrade)
        lines += mixed or [Line("pass", "mixed", "no plain-http scripts, styles, frames or images in the page")]
    if resp.truncated:
        declared = resp.header("content-length")
        size = f" (it declares {int(declared) // (1024 * 1024)} MB)" if declared and declared.isdigit() else ""
        lines.append(Line("warn", "too_big",
                          f"the page is larger than {BODY_CAP // (1024 * 1024)} MB{size}; only the first "
                          f"{BODY_CAP // (1024 * 1024)} MB were read and checked",
                          "A page this large is slow to load, especially on phones.",
                          "Find out why the page is so big (inline data, huge images) and shrink it."))
    shown = {k: v for k, v in headers.items() if k in (
        "strict-transport-security", "content-security-policy", "content-security-policy-report-only",
        "x-content-type-options", "x-frame-options", "referrer-policy", "server", "x-powered-by",
        "permissions-policy", "content-type")}
    ev = {
        "url": url,
        "status": resp.status,
        "headers": shown,
        "cookies": cookies,
        "mixed_content": [{"kind": k, "tag": t, "url": u[:300]} for k, t, u in found[:20]],
        "body_bytes_read": len(resp.body),
        "body_truncated": resp.truncated,
    }
    return lines, ev


def combine_fixes(lines: list[Line]) -> str:
    """The fixes of the worst lines, each once; where the CSP header is set is said once, at the end."""
    from launchready_tui.core.checks._csp import WHERE

    fix = "\n".join(dict.fromkeys(x.fix for x in lines if x.fix))
    if fix.count(WHERE) > 1:
        fix = fix.replace(" " + WHERE, "").rstrip() + "\n" + WHERE
    return fix


async def check(ctx: CheckContext, target: str, params: dict[str, Any]) -> CheckResult:
    host = target.lower().rstrip(".")
    start = f"https://{host}/"
    async with rd.Fetcher(ctx.net, rd.check_budget(ctx.net.timeout_s)) as f:
        chain = await rd.follow_chain(f, ctx.profile, start, body_cap=BODY_CAP)
    chain_ev = {"start": start, "hops": [h.to_dict() for h in chain.hops]}
    if chain.end == rd.OFF_DOMAIN:
        return skipped(KIND, host, f"{start} redirects to {chain.final_url}, outside your domains; "
                       "that site's headers are not yours to fix", evidence=chain_ev)
    if chain.end != rd.FINAL or chain.response is None:
        reason = chain.reason or chain.end
        if chain.end in (rd.LOOP, rd.TOO_MANY, rd.BROKEN, rd.BAD_LOCATION):
            reason = f"no final page to look at: {reason} (the redirects check reports this)"
        elif chain.end == rd.UNRESOLVED:
            reason = f"{reason} (the dns check reports this)"
        return errored(KIND, host, reason, evidence=chain_ev,
                       fix="Fix what stops the page from loading (see the reason), then run the "
                       "check again.")
    url = chain.final_url or start
    lines, ev = evaluate(chain.response, url)
    cert = next((h for h in chain.hops if h.cert_error), None)
    if cert is not None:
        lines.insert(0, Line("info", "certificate",
                             f"the certificate of {cert.host} is rejected ({cert.cert_error}); "
                             "headers were read anyway (the tls check reports this)"))
    ev.update(chain_ev)
    notes = [x for x in lines if x.severity == "info"]
    problems = [x for x in lines if rank(x.severity) > RANK["info"]]
    note_tail = f"; {len(notes)} note{'s' if len(notes) > 1 else ''} in the details" if notes else ""
    tail = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return findings_result(
        KIND, host, lines, ev,
        ok=f"security headers on {url} are in place (HSTS, CSP, nosniff, frame protection){note_tail}",
        summary=lambda top, every: f"{url}: {top[0].message}{tail}", fix=combine_fixes)


class HeadersEvidence(TypedDict, total=False):
    """What `check` puts in a result's evidence (the handover reads these keys)."""

    headers: dict[str, Any]
    findings: list[dict[str, Any]]
    mixed_content: list[str]
    cookies: list[Any]


CHECK_KIND = Kind(
    name="headers",
    family="edge",
    title="Security headers",
    plain="browsers are told to use HTTPS and block common attacks",
    about="HSTS and security headers, cookies",
    check=check,
    targets=targets,
    deadline_fn=deadline,
    evidence=HeadersEvidence,
    shown=("headers", "findings", "mixed_content", "cookies"),
)
