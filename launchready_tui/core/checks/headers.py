"""`headers`: HSTS and the other security headers, cookies, version leaks and mixed
content, on the final response of each https host.

Each observation is its own line in `evidence["findings"]` with a severity (pass,
info, warn, fail); the result's status is the worst of them. Cookie values are never
recorded: only names and flags (a session cookie's value is a secret).
`parse_*` / `evaluate_*` are pure; `check` does the I/O.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any, TypedDict
from urllib.parse import urlsplit

from launchready_tui.core.checks import redirects as rd
from launchready_tui.core.checks.base import Kind
from launchready_tui.core.findings import RANK, Finding, findings_result, rank
from launchready_tui.core.results import CheckResult, errored, skipped

KIND = "headers"
BODY_CAP = 1024 * 1024  # bytes of HTML read for the mixed-content scan
HSTS_MIN_AGE = 15552000  # 180 days, a common framework default; accepted (issue 16)
PRELOAD_MIN_AGE = 31536000


def targets(profile, params) -> list[str]:
    from launchready_tui.core.checks.dns import edge_hosts

    return edge_hosts(profile)


def deadline(params, timeout_s: float) -> float:
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


def _did_you_mean(word: str, choices) -> str:
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


# ---------------------------------------------------------------------------- cookies

_SESSION = re.compile(r"sess|sid|auth|token|jwt|login|remember|csrf|xsrf|^__(host|secure)-", re.I)
_CSRF = re.compile(r"csrf|xsrf", re.I)


def parse_set_cookie(value: str) -> dict[str, Any]:
    """Name and flags of a Set-Cookie value (RFC 6265bis §5.6). The cookie's value is
    deliberately dropped. An unknown SameSite value is treated as no SameSite (§5.6.7:
    anything but Strict, Lax or None gives the "Default" enforcement)."""
    parts = [p.strip() for p in value.split(";")]
    name = parts[0].split("=", 1)[0].strip() if parts else ""
    flags: dict[str, Any] = {"name": name[:80], "secure": False, "httponly": False, "samesite": None}
    domain = path = None
    for p in parts[1:]:
        k, _, v = p.partition("=")
        k = k.strip().lower()
        if k == "secure":
            flags["secure"] = True
        elif k == "httponly":
            flags["httponly"] = True
        elif k == "samesite":
            v = v.strip().lower()
            flags["samesite"] = v.capitalize() if v in ("strict", "lax", "none") else None
            if v not in ("strict", "lax", "none"):
                flags["samesite_ignored"] = v[:40]
        elif k == "domain":
            domain = v.strip()  # the last one counts (§5.6 "the last attribute wins")
        elif k == "path":
            path = v.strip()
    if domain:
        flags["domain"] = domain[:120]
    if path is not None:
        flags["path"] = path[:120]
    flags["session"] = bool(_SESSION.search(name))
    return flags


def cookie_prefix_problem(c: dict[str, Any]) -> str | None:
    """Why a browser refuses to store this cookie because of its name prefix (RFC 6265bis
    §4.1.3 and the storage model §5.7; prefixes match case-insensitively), or None."""
    low = c["name"].lower()
    if low.startswith("__host-"):
        bad = []
        if not c["secure"]:
            bad.append("it lacks Secure")
        if c.get("domain"):
            bad.append(f"it has Domain={c['domain']}")
        if c.get("path") != "/":
            bad.append("it lacks Path=/" if c.get("path") is None else f"its Path is {c['path']}, not /")
        if bad:
            return "a __Host- cookie must have Secure and Path=/ and no Domain, but " + " and ".join(bad)
    elif low.startswith("__secure-") and not c["secure"]:
        return "a __Secure- cookie must have Secure, and it does not"
    return None


def evaluate_cookies(set_cookies: list[str]) -> tuple[list[Line], list[dict[str, Any]]]:
    lines: list[Line] = []
    cookies = [parse_set_cookie(v) for v in set_cookies]
    for c in cookies:
        n = c["name"]
        rejected = cookie_prefix_problem(c)
        if rejected:
            fix_parts = []
            if "Secure" in rejected and not c["secure"]:
                fix_parts.append("add Secure")
            if c.get("domain") and n.lower().startswith("__host-"):
                fix_parts.append("remove Domain=")
            if n.lower().startswith("__host-") and c.get("path") != "/":
                fix_parts.append("set Path=/")
            lines.append(Line("fail", "cookie_prefix_rejected",
                              f"{'session ' if c['session'] else ''}cookie {n} is refused by browsers: {rejected}",
                              "The browser drops the cookie without a word, so whatever it carries "
                              "(usually the login) never sticks: people get logged out at once.",
                              f"In the code or framework setting that sets {n}: "
                              + ", ".join(fix_parts) + " (RFC 6265bis cookie prefixes)."))
        if c["samesite"] == "None" and not c["secure"]:
            lines.append(Line("fail" if c["session"] else "warn", "cookie_samesite_none",
                              f"{'session ' if c['session'] else ''}cookie {n} has SameSite=None without Secure",
                              "Browsers reject this cookie, so " + ("logins break." if c["session"]
                                                                  else "whatever it remembers is lost."),
                              f"Add Secure to {n}, or use SameSite=Lax."))
        if c.get("samesite_ignored") is not None:
            lines.append(Line("info", "cookie_samesite_unknown",
                              f"cookie {n} has SameSite={c['samesite_ignored']}, which browsers do not "
                              "know; they treat it as if SameSite were not set (use Strict, Lax or None)"))
        if not c["session"]:
            missing = [f for f, on in (("Secure", c["secure"]), ("HttpOnly", c["httponly"])) if not on]
            if missing and not rejected:
                lines.append(Line("info", "cookie_note",
                                  f"cookie {n} lacks {' and '.join(missing)}; its name does not look like "
                                  "a login, so this is only a note (add them if it holds anything private)"))
            continue
        if not c["secure"] and not rejected:
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
            lines.append(Line("warn", "cookie_samesite", f"session cookie {n} has no SameSite"
                              + (f" that browsers know (SameSite={c['samesite_ignored']} is ignored)"
                                 if c.get("samesite_ignored") is not None else ""),
                              "Other sites may be able to make requests that carry your users' "
                              "session (cross-site request forgery); browsers' default varies.",
                              f"Set `SameSite=Lax` on {n} (or Strict)."))
        if (c["secure"] and not rejected and (c["httponly"] or _CSRF.search(n))
                and c["samesite"] not in (None, "None")):
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
