"""Cookie rules for `headers`: each Set-Cookie parsed, its name prefix (`__Host-`,
`__Secure-`) checked, and session cookies held to Secure, HttpOnly and SameSite.

Private to `headers` (the registry skips `_` modules); `headers` re-exports every name.
"""

from __future__ import annotations

import re
from typing import Any

from launchready_tui.core.findings import Finding

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


def evaluate_cookies(set_cookies: list[str]) -> tuple[list[Finding], list[dict[str, Any]]]:
    lines: list[Finding] = []
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
            lines.append(Finding("fail", "cookie_prefix_rejected",
                              f"{'session ' if c['session'] else ''}cookie {n} is refused by browsers: {rejected}",
                              "The browser drops the cookie without a word, so whatever it carries "
                              "(usually the login) never sticks: people get logged out at once.",
                              f"In the code or framework setting that sets {n}: "
                              + ", ".join(fix_parts) + " (RFC 6265bis cookie prefixes)."))
        if c["samesite"] == "None" and not c["secure"]:
            lines.append(Finding("fail" if c["session"] else "warn", "cookie_samesite_none",
                              f"{'session ' if c['session'] else ''}cookie {n} has SameSite=None without Secure",
                              "Browsers reject this cookie, so " + ("logins break." if c["session"]
                                                                  else "whatever it remembers is lost."),
                              f"Add Secure to {n}, or use SameSite=Lax."))
        if c.get("samesite_ignored") is not None:
            lines.append(Finding("info", "cookie_samesite_unknown",
                              f"cookie {n} has SameSite={c['samesite_ignored']}, which browsers do not "
                              "know; they treat it as if SameSite were not set (use Strict, Lax or None)"))
        if not c["session"]:
            missing = [f for f, on in (("Secure", c["secure"]), ("HttpOnly", c["httponly"])) if not on]
            if missing and not rejected:
                lines.append(Finding("info", "cookie_note",
                                  f"cookie {n} lacks {' and '.join(missing)}; its name does not look like "
                                  "a login, so this is only a note (add them if it holds anything private)"))
            continue
        if not c["secure"] and not rejected:
            lines.append(Finding("fail", "cookie_insecure", f"session cookie {n} lacks Secure",
                              "The browser also sends it over plain http, where it can be stolen "
                              "and used to log in as your user.",
                              f"Set the Secure flag on {n} (in your framework's session settings, "
                              "e.g. `cookie.secure: true`)."))
        if not c["httponly"] and not _CSRF.search(n):
            lines.append(Finding("fail", "cookie_js", f"session cookie {n} lacks HttpOnly",
                              "Any script on the page, including an injected one, can read the "
                              "session and take over the account.",
                              f"Set the HttpOnly flag on {n} (e.g. `cookie.httpOnly: true`)."))
        if c["samesite"] is None:
            lines.append(Finding("warn", "cookie_samesite", f"session cookie {n} has no SameSite"
                              + (f" that browsers know (SameSite={c['samesite_ignored']} is ignored)"
                                 if c.get("samesite_ignored") is not None else ""),
                              "Other sites may be able to make requests that carry your users' "
                              "session (cross-site request forgery); browsers' default varies.",
                              f"Set `SameSite=Lax` on {n} (or Strict)."))
        if (c["secure"] and not rejected and (c["httponly"] or _CSRF.search(n))
                and c["samesite"] not in (None, "None")):
            lines.append(Finding("pass", "cookie", f"session cookie {n} has Secure, HttpOnly and SameSite"))
    return lines, cookies
