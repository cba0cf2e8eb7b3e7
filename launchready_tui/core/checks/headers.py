"""`headers`: HSTS and the other security headers, cookies, version leaks and mixed
content, on the final response of each https host.

Each observation is its own line in `evidence["findings"]` with a severity (pass,
info, warn, fail); the result's status is the worst of them. Cookie values are never
recorded: only names and flags (a session cookie's value is a secret).
`parse_*` / `evaluate_*` are pure; `check` does the I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from launchready_tui.core.checks import redirects as rd
from launchready_tui.core.results import CheckResult, errored, failed, passed, skipped, warned

KIND = "headers"
BODY_CAP = 1024 * 1024  # bytes of HTML read for the mixed-content scan
HSTS_MIN_AGE = 15768000  # six months, in seconds
PRELOAD_MIN_AGE = 31536000
_SEV = {"pass": 0, "info": 0, "warn": 2, "fail": 4}


def targets(profile, params) -> list[str]:
    from launchready_tui.core.checks.dns import edge_hosts

    return edge_hosts(profile)


def deadline(params, timeout_s: float) -> float:
    return timeout_s * 6


@dataclass
class Line:
    severity: str
    code: str
    message: str
    why: str = ""
    fix: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"severity": self.severity, "code": self.code, "message": self.message}


# ---------------------------------------------------------------------------- HSTS


def parse_hsts(value: str) -> dict[str, Any]:
    """Directives of one Strict-Transport-Security value (RFC 6797), names lower-cased.
    max-age is an int, or None when missing or invalid."""
    out: dict[str, Any] = {"max_age": None, "include_subdomains": False, "preload": False, "names": []}
    for part in value.split(";"):
        part = part.strip()
        if not part:
            continue
        name, _, val = part.partition("=")
        name = name.strip().lower()
        out["names"].append(name)
        val = val.strip().strip('"')
        if name == "max-age":
            out["max_age"] = int(val) if val.isdigit() else None
        elif name == "includesubdomains":
            out["include_subdomains"] = True
        elif name == "preload":
            out["preload"] = True
    return out


def evaluate_hsts(values: list[str], cloudflare: bool = False) -> list[Line]:
    where = ("In the Cloudflare dashboard: SSL/TLS > Edge Certificates > HTTP Strict Transport "
             "Security (HSTS) > Enable HSTS, with Max Age of 6 months or more."
             if cloudflare else
             "Add the header `Strict-Transport-Security: max-age=31536000` to every https "
             "response: Vercel `headers` in vercel.json; Netlify a `_headers` file; nginx "
             "`add_header Strict-Transport-Security \"max-age=31536000\" always;`; or your "
             "framework's security middleware (for example helmet for Express).")
    why_missing = ("Without HSTS, a visitor's first request can be sent over plain HTTP and "
                   "hijacked on public Wi-Fi (an 'SSL stripping' attack), even though you "
                   "redirect to https.")
    if not values:
        return [Line("fail", "hsts_missing", "no HSTS header (Strict-Transport-Security)", why_missing, where)]
    if len(values) > 1 or any("," in v for v in values):
        return [Line("fail", "hsts_twice",
                     f"the HSTS header is sent {max(len(values), 2)} times; browsers treat that as invalid and ignore it",
                     why_missing, "Send Strict-Transport-Security once. Usually both the app and a "
                     "proxy or CDN add it: remove one of them. " + where)]
    h = parse_hsts(values[0])
    age = h["max_age"]
    out: list[Line] = []
    if age is None:
        return [Line("fail", "hsts_invalid", f"the HSTS header has no valid max-age: '{values[0][:120]}'",
                     why_missing, where)]
    if age == 0:
        return [Line("fail", "hsts_off", "HSTS max-age=0 tells browsers to forget HSTS", why_missing, where)]
    days = age // 86400
    if age < HSTS_MIN_AGE:
        out.append(Line("warn", "hsts_short", f"HSTS max-age is {age} s ({days} days), under 6 months",
                        "A short max-age lets the protection lapse for visitors who have not come "
                        "back recently.", "Raise max-age to at least 15768000 (6 months); 31536000 "
                        "(a year) is the norm. " + where))
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
                            "and max-age of at least 31536000.",
                            "A preload directive that the list rejects gives a false sense of safety.",
                            "Either add includeSubDomains and max-age=31536000, or drop preload."))
        else:
            out.append(Line("info", "hsts_preload", msg))
    return out


# ---------------------------------------------------------------------------- other headers


def csp_directives(csp: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in csp.split(";"):
        part = part.strip()
        if part:
            name, _, val = part.partition(" ")
            out.setdefault(name.lower(), val.strip())
    return out


def evaluate_other(headers: dict[str, list[str]], is_html: bool) -> list[Line]:
    out: list[Line] = []
    low = "warn" if is_html else "info"
    page = "" if is_html else " (this response is not a web page, so it matters less)"
    csp = ", ".join(headers.get("content-security-policy", []))
    if csp:
        out.append(Line("pass", "csp", "Content-Security-Policy is set"))
    elif headers.get("content-security-policy-report-only"):
        out.append(Line(low, "csp_report_only", "Content-Security-Policy is only in report-only mode" + page,
                        "A report-only policy blocks nothing.",
                        "Once the reports look clean, rename the header to Content-Security-Policy."))
    else:
        out.append(Line(low, "csp_missing", "no Content-Security-Policy header" + page,
                        "A CSP limits what an injected script can do; without one, a single "
                        "cross-site-scripting bug can steal sessions or payment details.",
                        "Start with `Content-Security-Policy: default-src 'self'; frame-ancestors "
                        "'none'` plus the domains you load scripts from, in report-only mode first "
                        "(Content-Security-Policy-Report-Only), then enforce it."))
    nosniff = [v.strip().lower() for v in headers.get("x-content-type-options", [])]
    if "nosniff" in nosniff:
        out.append(Line("pass", "nosniff", "X-Content-Type-Options: nosniff is set"))
    else:
        out.append(Line("warn", "nosniff_missing", "no `X-Content-Type-Options: nosniff` header",
                        "Browsers may guess a file's type, so an uploaded file can run as a script.",
                        "Add the header `X-Content-Type-Options: nosniff` to every response."))
    xfo = [v.strip().upper() for v in headers.get("x-frame-options", [])]
    fa = csp_directives(csp).get("frame-ancestors") if csp else None
    if fa is not None:
        out.append(Line("pass", "frame", f"framing limited by CSP frame-ancestors {fa}".strip()))
    elif any(v in ("DENY", "SAMEORIGIN") for v in xfo):
        out.append(Line("pass", "frame", f"framing limited by X-Frame-Options: {xfo[0]}"))
    else:
        out.append(Line(low, "frame_missing", "no frame protection (X-Frame-Options or CSP frame-ancestors)" + page,
                        "Another site can show your pages in an invisible frame and trick people "
                        "into clicking buttons (clickjacking).",
                        "Add `X-Frame-Options: DENY` (or SAMEORIGIN), or `frame-ancestors 'none'` "
                        "in your Content-Security-Policy."))
    rp = [v.strip().lower() for v in headers.get("referrer-policy", [])]
    if not rp:
        out.append(Line("warn", "referrer_missing", "no Referrer-Policy header",
                        "Full page addresses (which can hold reset tokens or private ids) may be "
                        "sent to other sites in the Referer header.",
                        "Add `Referrer-Policy: strict-origin-when-cross-origin`."))
    elif rp[-1].split(",")[-1].strip() in ("unsafe-url", "no-referrer-when-downgrade"):
        out.append(Line("warn", "referrer_weak", f"Referrer-Policy is {rp[-1]}",
                        "Full page addresses are sent to every other site.",
                        "Use `Referrer-Policy: strict-origin-when-cross-origin`."))
    else:
        out.append(Line("pass", "referrer", f"Referrer-Policy: {rp[-1]}"))
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


# ---------------------------------------------------------------------------- cookies

_SESSION = re.compile(r"sess|sid|auth|token|jwt|login|remember|csrf|xsrf|^__(host|secure)-", re.I)
_CSRF = re.compile(r"csrf|xsrf", re.I)


def parse_set_cookie(value: str) -> dict[str, Any]:
    """Name and flags of a Set-Cookie value. The cookie's value is deliberately dropped."""
    parts = [p.strip() for p in value.split(";")]
    name = parts[0].split("=", 1)[0].strip() if parts else ""
    flags: dict[str, Any] = {"name": name[:80], "secure": False, "httponly": False, "samesite": None}
    for p in parts[1:]:
        k, _, v = p.partition("=")
        k = k.strip().lower()
        if k == "secure":
            flags["secure"] = True
        elif k == "httponly":
            flags["httponly"] = True
        elif k == "samesite":
            flags["samesite"] = v.strip().capitalize() or None
    flags["session"] = bool(_SESSION.search(name))
    return flags


def evaluate_cookies(set_cookies: list[str]) -> tuple[list[Line], list[dict[str, Any]]]:
    lines: list[Line] = []
    cookies = [parse_set_cookie(v) for v in set_cookies]
    for c in cookies:
        if not c["session"]:
            continue
        n = c["name"]
        if not c["secure"]:
            lines.append(Line("fail", "cookie_insecure", f"session cookie {n} lacks Secure",
                              "The browser also sends it over plain http, where it can be stolen "
                              "and used to log in as your user.",
                              f"Set the Secure flag on {n} (in your framework's session settings, "
                              "e.g. `cookie.secure: true`)."))
        if not c["httponly"] and not _CSRF.search(n):
            lines.append(Line("fail", "cookie_js", f"session cookie {n} lacks HttpOnly",
                              "Any script on the page, including an injected one, can read the "
                              "session and take over the account.",
                              f"Set the HttpOnly flag on {n} (e.g. `cookie.httpOnly: true`)."))
        if c["samesite"] is None:
            lines.append(Line("warn", "cookie_samesite", f"session cookie {n} has no SameSite",
                              "Other sites may be able to make requests that carry your users' "
                              "session (cross-site request forgery); browsers' default varies.",
                              f"Set `SameSite=Lax` on {n} (or Strict)."))
        elif c["samesite"] == "None" and not c["secure"]:
            lines.append(Line("fail", "cookie_samesite_none", f"session cookie {n} has SameSite=None without Secure",
                              "Browsers reject this cookie, so logins break.",
                              f"Add Secure to {n}, or use SameSite=Lax."))
        if c["secure"] and (c["httponly"] or _CSRF.search(n)) and c["samesite"] not in (None, "None"):
            lines.append(Line("pass", "cookie", f"session cookie {n} has Secure, HttpOnly and SameSite"))
    return lines, cookies


# ---------------------------------------------------------------------------- mixed content


class _ResourceParser(HTMLParser):
    ACTIVE = {("script", "src"), ("iframe", "src"), ("frame", "src"), ("object", "data"),
              ("embed", "src")}
    PASSIVE = {("img", "src"), ("audio", "src"), ("video", "src"), ("video", "poster"),
               ("source", "src"), ("track", "src"), ("input", "src")}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str, str]] = []  # (kind, tag, url)

    def handle_starttag(self, tag, attrs) -> None:
        if len(self.found) >= 200:
            return
        a = {k.lower(): (v or "") for k, v in attrs}
        for attr in ("src", "href", "data", "poster", "action", "srcset"):
            v = a.get(attr)
            if v is None:
                continue
            if attr == "srcset":
                urls = [u.strip().split(" ")[0] for u in v.split(",")]
            else:
                urls = [v.strip()]
            for u in urls:
                if not u.lower().startswith("http://"):
                    continue
                key = (tag, attr)
                rel = a.get("rel", "").lower().split()
                if key in self.ACTIVE or (tag == "link" and attr == "href" and "stylesheet" in rel):
                    self.found.append(("active", tag, u))
                elif key in self.PASSIVE or attr == "srcset" or (tag == "link" and "icon" in rel):
                    self.found.append(("passive", tag, u))
                elif tag == "form" and attr == "action":
                    self.found.append(("form", tag, u))


def find_mixed_content(html: str) -> list[tuple[str, str, str]]:
    p = _ResourceParser()
    try:
        p.feed(html)
        p.close()
    except Exception:  # a broken page: keep what was found
        pass
    return p.found


def evaluate_mixed(found: list[tuple[str, str, str]], upgrade: bool) -> list[Line]:
    out: list[Line] = []
    active = [u for k, _t, u in found if k == "active"]
    passive = [u for k, _t, u in found if k == "passive"]
    forms = [u for k, _t, u in found if k == "form"]
    note = (" The page's CSP says upgrade-insecure-requests, so browsers try https instead; "
            "the http:// address must also work over https." if upgrade else "")
    fix = ("Change these addresses to https:// (or to a relative path /...). If a third party "
           "has no https version, host the file yourself.")
    if active:
        out.append(Line("warn" if upgrade else "fail", "mixed_active",
                        f"{len(active)} script/style/frame address(es) use plain http://, e.g. {active[0][:120]}",
                        "Browsers block insecure scripts and styles on https pages, so the page "
                        "breaks; where they load, an attacker on the network can replace them." + note,
                        fix))
    if passive:
        out.append(Line("info" if upgrade else "warn", "mixed_passive",
                        f"{len(passive)} image/media address(es) use plain http://, e.g. {passive[0][:120]}",
                        "Browsers show the page as 'Not secure' or upgrade/block the images." + note,
                        fix))
    if forms:
        out.append(Line("warn", "mixed_form", f"a form sends its data to plain http: {forms[0][:120]}",
                        "What people type into the form (passwords, card details) travels unencrypted.",
                        "Change the form's action to https:// or a relative path."))
    return out


# ---------------------------------------------------------------------------- check


def evaluate(resp, url: str) -> tuple[list[Line], dict[str, Any]]:
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
        csp = ", ".join(headers.get("content-security-policy", []))
        upgrade = "upgrade-insecure-requests" in csp_directives(csp) if csp else False
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


async def check(ctx, target: str, params) -> CheckResult:
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
    ev["findings"] = [x.to_dict() for x in lines]
    worst = max((_SEV[x.severity] for x in lines), default=0)
    bad = [x for x in lines if _SEV[x.severity] == worst and worst > 0]
    if not bad:
        return passed(KIND, host, f"security headers on {url} are in place "
                      "(HSTS, CSP, nosniff, frame protection, Referrer-Policy)", evidence=ev)
    problems = [x for x in lines if _SEV[x.severity] > 0]
    tail = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    why = "\n".join(dict.fromkeys(x.why for x in bad if x.why))
    fix = "\n".join(dict.fromkeys(x.fix for x in bad if x.fix))
    summary = f"{url}: {bad[0].message}{tail}"
    if worst >= _SEV["fail"]:
        return failed(KIND, host, summary, evidence=ev, why=why, fix=fix)
    return warned(KIND, host, summary, evidence=ev, why=why, fix=fix)
