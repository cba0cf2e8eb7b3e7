"""`cloudflare_zone`: the zone's real settings, read through Cloudflare's API.

From outside, the `cloudflare` kind can only guess from response headers. With a
read-only API token this kind reads the switches themselves: SSL mode Full (strict),
Always Use HTTPS, minimum TLS 1.2, Automatic HTTPS Rewrites, HSTS as the headers check
expects it, the WAF's managed ruleset deployed (the free one on the Free plan), a security
level that is not "essentially off", "I'm Under Attack" not left on for days, and Bot
Fight Mode (noted). Each wrong switch is a finding whose fix names the dashboard page.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from launchready_tui.core.checks import _cloudflare_api as cf
from launchready_tui.core.checks._accounts import NoToken, read_or_error
from launchready_tui.core.checks.base import Kind
from launchready_tui.core.findings import Finding, findings_result, problem_findings_by_level
from launchready_tui.core.problems import DOWN
from launchready_tui.core.registry import MissingInput
from launchready_tui.core.results import CheckResult, skipped

if TYPE_CHECKING:
    from launchready_tui.core.context import CheckContext
    from launchready_tui.core.profile import Profile

KIND = "cloudflare_zone"
HSTS_MIN_S = 15552000  # 180 days: what the headers check accepts (RFC 6797; preload wants a year)
UNDER_ATTACK_MAX_DAYS = 2
# Cloudflare's managed WAF rulesets: the Managed Ruleset (paid plans) and the Free one.
MANAGED_RULESETS = {"efb7b8c949ac4650a09736fc376e9aee": "Cloudflare Managed Ruleset",
                    "77454fe2d30c4220b5701f6fdfb893ba": "Cloudflare Free Managed Ruleset"}
SCHEMA = {"cloudflare": {"zone": "str", "credential": "str", "credential_env": "str", "api_base": "str"}}


def targets(profile: Profile, params: dict[str, Any]) -> list[str]:
    if not profile.get("cloudflare"):
        raise MissingInput("cloudflare.credential", "a read-only Cloudflare API token: " + cf.TOKEN_HELP)
    return [cf.zone_name(profile)]


def deadline(params: dict[str, Any], timeout_s: float) -> float:
    return 8 * timeout_s + 30


def _val(s: dict[str, dict[str, Any]], key: str) -> Any:
    return (s.get(key) or {}).get("value")


def _days_since(stamp: str | None, now: dt.datetime) -> float | None:
    if not stamp:
        return None
    try:
        t = dt.datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    except ValueError:
        return None
    return (now - t).total_seconds() / 86400


def evaluate(s: dict[str, dict[str, Any]], waf: list[dict[str, Any]] | None, plan: str, bots: bool | None,
             now: dt.datetime) -> list[Finding]:
    """The findings for one zone's settings (pure: no I/O)."""
    out: list[Finding] = []
    ssl = str(_val(s, "ssl") or "")
    if ssl in ("off", "flexible"):
        out.append(Finding(
            "fail", "ssl-" + ssl, f"SSL/TLS mode is {ssl.capitalize()}",
            "Visitors see a lock, but Cloudflare talks to your server without encryption"
            + (" (Off: not even visitors get HTTPS)" if ssl == "off" else "")
            + ". Flexible also causes endless redirects when your host forces HTTPS.",
            "First make sure your server has a certificate: Vercel, Netlify, Render, Fly.io and Heroku give "
            "one by themselves; elsewhere install a free Cloudflare Origin CA certificate (SSL/TLS > Origin "
            "Server > Create Certificate). Then in Cloudflare open SSL/TLS > Overview > Configure and choose "
            "Full (strict). Without the certificate, Full (strict) shows visitors error 526."))
    elif ssl == "full":
        out.append(Finding(
            "warn", "ssl-full", "SSL/TLS mode is Full, not Full (strict)",
            "Full encrypts the traffic to your server but accepts any certificate there, so someone "
            "between Cloudflare and your server could pose as it.",
            "In Cloudflare open SSL/TLS > Overview > Configure and choose Full (strict). Your host's own "
            "certificate (Vercel, Netlify, Render, Fly.io, Heroku) or a Cloudflare Origin CA certificate is "
            "enough."))
    if _val(s, "always_use_https") == "off":
        out.append(Finding(
            "warn", "always-use-https-off", "Always Use HTTPS is off",
            "People who type your address without https:// may stay on an unencrypted page.",
            "In Cloudflare open SSL/TLS > Edge Certificates and turn on Always Use HTTPS."))
    tls = str(_val(s, "min_tls_version") or "")
    if tls and tls < "1.2":
        out.append(Finding(
            "warn", "min-tls-old", f"the minimum TLS version is {tls}",
            "TLS 1.0 and 1.1 are broken and browsers dropped them; allowing them only helps attackers.",
            "In Cloudflare open SSL/TLS > Edge Certificates > Minimum TLS Version and choose TLS 1.2."))
    if _val(s, "automatic_https_rewrites") == "off":
        out.append(Finding(
            "warn", "https-rewrites-off", "Automatic HTTPS Rewrites is off",
            "Pages that link images or scripts with http:// show a broken lock or miss those files.",
            "In Cloudflare open SSL/TLS > Edge Certificates and turn on Automatic HTTPS Rewrites."))
    hsts = ((_val(s, "security_header") or {}).get("strict_transport_security") or {})
    if hsts.get("enabled"):
        age = int(hsts.get("max_age") or 0)
        if age < HSTS_MIN_S:
            out.append(Finding(
                "warn", "hsts-short", f"HSTS at Cloudflare lasts only {age // 86400} days",
                "Browsers forget to insist on HTTPS after that; 180 days is the usual minimum (a year for the "
                "preload list).",
                "In Cloudflare open SSL/TLS > Edge Certificates > HTTP Strict Transport Security (HSTS) > "
                "Change HSTS Settings and set Max Age to 6 months or more. Raise it step by step: browsers "
                "keep it that long."))
    else:
        out.append(Finding(
            "note", "hsts-not-at-cloudflare", "HSTS is not set at Cloudflare",
            "Your app may send the header itself; the headers check looks at what browsers really get.",
            "Nothing to do if the headers check passes."))
    deployed = [MANAGED_RULESETS[r["action_parameters"]["id"]] for r in waf or []
                if r.get("action") == "execute" and r.get("enabled", True) is not False
                and (r.get("action_parameters") or {}).get("id") in MANAGED_RULESETS]
    if not deployed:
        which = "Cloudflare Free Managed Ruleset" if plan == "free" else "Cloudflare Managed Ruleset"
        out.append(Finding(
            "warn", "waf-managed-off", "no managed WAF rules are deployed",
            "The managed rules block common attacks (SQL injection, known exploits) before they reach your "
            "app, for free on every plan.",
            f"In Cloudflare open Security > WAF > Managed rules and deploy the {which}."))
    level = str(_val(s, "security_level") or "")
    if level == "essentially_off":
        out.append(Finding(
            "warn", "security-level-off", "the security level is Essentially Off",
            "Cloudflare then challenges no visitor, not even ones known for attacks.",
            "In Cloudflare open Security > Settings and set the security level to Medium (the default)."))
    elif level == "under_attack":
        days = _days_since((s.get("security_level") or {}).get("modified_on"), now)
        if days is None or days > UNDER_ATTACK_MAX_DAYS:
            since = f"for {days:.0f} days" if days is not None else "for an unknown time"
            out.append(Finding(
                "warn", "under-attack-left-on", f"\"I'm Under Attack\" mode has been on {since}",
                "Every visitor waits on a challenge page, and API clients and webhooks (Stripe, email "
                "services) are blocked.",
                "If the attack is over, open Security > Settings in Cloudflare and set the security level "
                "back to Medium."))
    if bots is not None:
        out.append(Finding("note", "bot-fight-mode", f"Bot Fight Mode is {'on' if bots else 'off'}",
                           "It challenges known bots; it can also block your own monitors or webhooks.",
                           "Turn it on under Security > Bots if bots trouble you; allow your monitors if it "
                           "blocks them."))
    return out


async def check(ctx: CheckContext, target: str, params: dict[str, Any]) -> CheckResult:
    try:
        api = await cf.client(ctx)
    except NoToken as e:
        return skipped(KIND, target, f"{e.reason}. {cf.TOKEN_HELP}", evidence={"zone": target})

    async def read() -> tuple[list[Finding], dict[str, Any]]:
        z = await cf.zone(api, target)
        zid = str(z.get("id"))
        s = await cf.settings(api, zid)
        waf = await cf.managed_waf(api, zid)
        bots = await cf.bot_fight_mode(api, zid)
        plan = str((z.get("plan") or {}).get("legacy_id") or "")
        ev = {"zone": target, "plan": str((z.get("plan") or {}).get("name") or plan),
              "settings": {k: _val(s, k) for k in ("ssl", "always_use_https", "min_tls_version",
                                                   "automatic_https_rewrites", "security_level") if k in s}}
        return evaluate(s, waf, plan, bots, ctx.clock()), ev

    out = await read_or_error(KIND, target, "Cloudflare", "about the zone's settings", read, {"zone": target})
    if isinstance(out, CheckResult):
        return out
    found, ev = out
    return findings_result(KIND, target, found, ev, ok="the zone's SSL, HTTPS and WAF settings are right",
                           what=("wrong switch", "wrong switches"))


# Flexible or Off breaks or exposes what customers see; the other switches are hygiene.
problem_findings = problem_findings_by_level({"ssl-flexible": DOWN, "ssl-off": DOWN})

CHECK_KIND = Kind(
    name=KIND,
    family="edge",
    title="Cloudflare settings",
    plain="SSL Full (strict), HTTPS forced, TLS 1.2, the managed WAF on, read through the API",
    about="zone settings and rulesets from Cloudflare's API (read-only token)",
    check=check,
    targets=targets,
    deadline_fn=deadline,
    schema=SCHEMA,
    shown=("plan", "settings", "findings"),
)
