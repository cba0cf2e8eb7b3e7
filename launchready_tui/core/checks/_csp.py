"""Content-Security-Policy, read the way browsers read it (CSP Level 3), for `headers`.

Not a check kind (hence the underscore): `headers` calls `evaluate_csp`. Parsing follows CSP3 §2.2.1 ("parse a
serialized CSP"): directives split on `;`, names lower-cased, a repeated directive is
ignored (the first one wins), values split on whitespace. Several headers, or one
header with commas, are several policies (CSP3 §2.2.2), and a browser enforces all of
them (CSP3 §4.2 "the most restrictive wins"): a weakness counts only when no policy
closes it.

Which rules are flagged, and where they come from:
- scripts are governed by `script-src`, else `default-src` (CSP3 §6.1.1 / §6.8.1 fallback list);
- `'unsafe-inline'` is ignored when the same list holds a nonce or a hash (CSP3 §6.7.3.3),
  and with `'strict-dynamic'` host and scheme sources are ignored too (CSP3 §8.2);
- `'unsafe-eval'` allows `eval()` whatever else is in the list (CSP3 §4.4
  EnsureCSPDoesNotBlockStringCompilation: no nonce exemption), so it is always flagged;
- `*`, `http:`, `https:` and `data:` let scripts come from anywhere (CSP3 §6.7.2.8-9);
- `frame-ancestors` replaces X-Frame-Options when present (CSP3 §6.4.2; HTML's
  X-Frame-Options processing ignores the header then), so `frame-ancestors *` lets any
  site frame the page even next to `X-Frame-Options: DENY`.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from launchready_tui.core.findings import Finding

# CSP3 §6 plus the directives of CSP2 that browsers still read; anything else is ignored.
KNOWN_DIRECTIVES = frozenset({
    "default-src", "script-src", "script-src-elem", "script-src-attr", "style-src",
    "style-src-elem", "style-src-attr", "img-src", "font-src", "connect-src", "media-src",
    "object-src", "frame-src", "child-src", "worker-src", "manifest-src", "prefetch-src",
    "base-uri", "form-action", "frame-ancestors", "sandbox", "plugin-types",
    "upgrade-insecure-requests", "block-all-mixed-content", "report-uri", "report-to",
    "require-trusted-types-for", "trusted-types", "require-sri-for", "navigate-to",
    "fenced-frame-src", "webrtc",
})
_KEYWORDS = ("self", "none", "unsafe-inline", "unsafe-eval", "strict-dynamic", "unsafe-hashes",
             "report-sample", "unsafe-allow-redirects", "wasm-unsafe-eval", "inline-speculation-rules")
_NONCE_OR_HASH = re.compile(r"^'(nonce-|sha256-|sha384-|sha512-)", re.I)
_ANYWHERE = {"*": "`*` (any site)", "http:": "`http:` (any site, even over plain http)",
             "https:": "`https:` (any https site)", "data:": "`data:` (scripts written into the page address)"}

WHERE = ("Where the header is set: Vercel `headers` in vercel.json; Netlify a `_headers` file "
         "or `[[headers]]` in netlify.toml; Next.js `headers()` in next.config.js; Cloudflare "
         "Rules > Transform Rules > Modify Response Header; nginx `add_header "
         "Content-Security-Policy \"...\" always;`; or your framework's security middleware "
         "(helmet for Express).")


@dataclass
class Policy:
    text: str
    directives: dict[str, list[str]] = field(default_factory=dict)
    duplicates: list[str] = field(default_factory=list)  # repeated names (ignored, CSP3 §2.2.1 step 5)
    unknown: list[str] = field(default_factory=list)  # names no browser knows (ignored)
    stray: list[tuple[str, str]] = field(default_factory=list)  # (directive, token) that looks wrong

    @property
    def script_list(self) -> tuple[str, list[str]] | None:
        for name in ("script-src", "default-src"):
            if name in self.directives:
                return name, self.directives[name]
        return None


def parse_policy(text: str) -> Policy:
    """One serialized policy (CSP3 §2.2.1)."""
    pol = Policy(text=text)
    for token in text.split(";"):
        token = token.strip(" \t\n\r\f")
        if not token or not token.isascii():
            continue
        parts = token.split()
        name, values = parts[0].lower(), parts[1:]
        if name in pol.directives:
            pol.duplicates.append(name)
            continue
        pol.directives[name] = values
        if name not in KNOWN_DIRECTIVES:
            pol.unknown.append(name)
        for v in values:
            low = v.lower()
            if low in KNOWN_DIRECTIVES:  # a missing `;`: "default-src 'self' script-src ..."
                pol.stray.append((name, v))
            elif low.strip("'") in _KEYWORDS and not (low.startswith("'") and low.endswith("'")):
                pol.stray.append((name, v))  # `self` without quotes is a host called "self"
    return pol


def parse_header(values: list[str]) -> list[Policy]:
    """Every policy in the Content-Security-Policy header lines (CSP3 §2.2.2: commas split policies)."""
    out = []
    for line in values:
        for piece in line.split(","):
            if piece.strip():
                out.append(parse_policy(piece))
    return out


def _suggest_name(name: str) -> str:
    close = difflib.get_close_matches(name.rstrip(":"), sorted(KNOWN_DIRECTIVES), n=1, cutoff=0.75)
    return f" (did you mean `{close[0]}`?)" if close else ""


CspFinding = Finding  # the one finding type (core/findings.py); severities pass | info | warn


def _script_problems(pol: Policy) -> list[tuple[str, str, str]]:
    """(code, message, fix) for how this one policy lets scripts in; [] when it is strict."""
    found = pol.script_list
    if found is None:
        return [("csp_no_script_rule", "", "")]
    name, values = found
    low = [v.lower() for v in values]
    if "'none'" in low and len(low) == 1:
        return []
    nonce = any(_NONCE_OR_HASH.match(v) for v in values)
    dynamic = "'strict-dynamic'" in low and nonce
    out: list[tuple[str, str, str]] = []
    if "'unsafe-inline'" in low and not nonce:
        out.append(("csp_unsafe_inline",
                    f"the CSP's `{name}` allows 'unsafe-inline' without a nonce or hash",
                    f"In the Content-Security-Policy header, in the part that starts with `{name}`, "
                    "delete `'unsafe-inline'`. If your pages need inline scripts, give each one a "
                    "nonce (`'nonce-...'`, a fresh random value per page that your framework can add) "
                    "or a hash (`'sha256-...'`) instead; test with "
                    "Content-Security-Policy-Report-Only first."))
    if "'unsafe-eval'" in low:
        out.append(("csp_unsafe_eval", f"the CSP's `{name}` allows 'unsafe-eval'",
                    f"In the Content-Security-Policy header, in the part that starts with `{name}`, "
                    "delete `'unsafe-eval'`. If a library stops working, it builds code from text "
                    "(eval): update it or ask its maintainers for a CSP-safe build."))
    if not dynamic:  # with 'strict-dynamic' and a nonce, browsers ignore host and scheme sources
        wide = [v for v in low if v in _ANYWHERE] + [v for v in values if v.lower().startswith("http://")]
        if wide:
            shown = ", ".join(_ANYWHERE.get(w, f"`{w}` (plain http)") for w in dict.fromkeys(wide))
            out.append(("csp_script_anywhere",
                        f"the CSP's `{name}` lets scripts load from {shown}",
                        f"In the Content-Security-Policy header, in the part that starts with `{name}`, "
                        f"replace {', '.join('`' + w + '`' for w in dict.fromkeys(wide))} with "
                        "`'self'` plus the exact https:// addresses you load scripts from (for "
                        "example `https://js.stripe.com`)."))
    return out


def evaluate_csp(values: list[str], is_html: bool, low: str) -> list[CspFinding]:
    """Findings for the enforced Content-Security-Policy header lines (not report-only).
    `low` is the severity for a weak policy ("warn" on a web page, "info" on an API)."""
    policies = parse_header(values)
    out: list[CspFinding] = []
    page = "" if is_html else " (this response is not a web page, so it matters less)"
    why_xss = ("A CSP limits what an injected script can do; one that lets any script run "
               "gives no protection, so a single cross-site-scripting bug can steal sessions or "
               "payment details.")
    usable = [p for p in policies if any(n in KNOWN_DIRECTIVES for n in p.directives)]
    for pol in policies:
        for name in pol.unknown:
            out.append(CspFinding("info", "csp_unknown_directive",
                                  f"the CSP has `{name}`, which browsers do not know and ignore{_suggest_name(name)}"))
        for name in dict.fromkeys(pol.duplicates):
            out.append(CspFinding("info", "csp_duplicate",
                                  f"the CSP lists `{name}` twice; browsers use only the first one "
                                  "(CSP3 §2.2.1)"))
        for name, tok in pol.stray:
            hint = ("a `;` is probably missing before it" if tok.lower() in KNOWN_DIRECTIVES
                    else f"keywords need single quotes: `'{tok.strip(chr(39))}'`")
            out.append(CspFinding("info", "csp_stray", f"in the CSP's `{name}`, `{tok}` is read as a "
                                  f"web address, not what it looks like: {hint}"))
    if not usable:
        shown = ", ".join(p.text.strip()[:80] for p in policies) or "(empty)"
        typos = [(n, hint.split("`")[1]) for p in policies for n in p.unknown if (hint := _suggest_name(n))]
        spelled = "; " + ", ".join(f"`{n}` (did you mean `{m}`?)" for n, m in typos) if typos else ""
        out.append(CspFinding(
            low, "csp_unparsed",
            f"the Content-Security-Policy header has no directive browsers understand: '{shown}'{spelled}" + page,
            "Browsers ignore what they cannot read, so this page has no CSP at all.",
            ("".join(f"Change `{n}` to `{m}`. Otherwise r" for n, m in typos[:1]) if typos else "R") + "ewrite the header as directives separated by `;`, each a name and its sources, "
            "for example `Content-Security-Policy: default-src 'self'; frame-ancestors 'none'` "
            "(keywords such as 'self' in single quotes). " + WHERE))
        return out
    if all(set(p.directives) <= {"upgrade-insecure-requests"} for p in usable):
        out.append(CspFinding(
            low, "csp_only_upgrade",
            "the Content-Security-Policy only says upgrade-insecure-requests; it does not limit "
            "scripts" + page, why_xss,
            "Keep `upgrade-insecure-requests` and add `default-src 'self'` (plus the https:// "
            "addresses you load scripts, styles and images from) to the same header, separated by "
            "`;`. " + WHERE))
        return out
    per_policy = [_script_problems(p) for p in usable]
    if all(probs and probs[0][0] == "csp_no_script_rule" for probs in per_policy):
        out.append(CspFinding(
            low, "csp_no_script_rule",
            "the Content-Security-Policy has neither default-src nor script-src, so it does not "
            "limit scripts" + page, why_xss,
            "Add `default-src 'self'` to the Content-Security-Policy header (at the start, "
            "followed by `;`), plus the https:// addresses you load scripts from. " + WHERE))
    else:
        # a weakness counts only if every policy that restricts scripts has it (CSP3 §4.2)
        restricting = [probs for probs in per_policy if not (probs and probs[0][0] == "csp_no_script_rule")]
        codes = set.intersection(*({c for c, _m, _f in probs} for probs in restricting))
        first: dict[str, tuple[str, str]] = {}
        for probs in restricting:
            for c, m, f in probs:
                first.setdefault(c, (m, f))
        for c in ("csp_unsafe_inline", "csp_unsafe_eval", "csp_script_anywhere"):
            if c in codes:
                m, f = first[c]
                out.append(CspFinding(low, c, m + page, why_xss, f + " " + WHERE))
        if not codes:
            out.append(CspFinding("pass", "csp", "Content-Security-Policy is set and limits scripts"))
    return out


def frame_ancestors(values: list[str]) -> list[str] | None:
    """The enforced frame-ancestors sources, or None when no policy has the directive.
    Several policies: the page is framable only where all allow it; we return the first."""
    for pol in parse_header(values):
        if "frame-ancestors" in pol.directives:
            return pol.directives["frame-ancestors"]
    return None


def frame_ancestors_open(values: list[str]) -> bool:
    """True when some policy has frame-ancestors and none of them limits framing."""
    lists = [p.directives["frame-ancestors"] for p in parse_header(values) if "frame-ancestors" in p.directives]
    if not lists:
        return False
    return all(any(v.lower() in ("*", "https:", "http:") for v in fa) for fa in lists)


def has_upgrade(values: list[str]) -> bool:
    return any("upgrade-insecure-requests" in p.directives for p in parse_header(values))
