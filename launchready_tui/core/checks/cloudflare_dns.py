"""`cloudflare_dns`: the zone's DNS records, read through Cloudflare's API, against the
profile's hosts.

Where a token is given this replaces guessing from response headers: web hosts left
DNS-only while the rest are proxied; a DNS-only record (often `mail`, `direct`, `ftp`, an
old `dev`) that points at the same address as a proxied one, which tells anyone where the
origin server is and lets them skip Cloudflare; records that point nowhere (a CNAME whose
target does not exist: a takeover risk; a private address); profile hosts with no record.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any

from launchready_tui.core.checks import _cloudflare_api as cf
from launchready_tui.core.checks._accounts import NoToken, read_or_error
from launchready_tui.core.checks.base import Kind
from launchready_tui.core.checks.cloudflare_zone import SCHEMA
from launchready_tui.core.checks.cloudflare_zone import targets as _targets
from launchready_tui.core.findings import Finding, findings_result, problem_findings_by_level
from launchready_tui.core.problems import DOWN, TAKEOVER
from launchready_tui.core.results import CheckResult, skipped

if TYPE_CHECKING:
    from launchready_tui.core.context import CheckContext
    from launchready_tui.core.profile import Profile

KIND = "cloudflare_dns"
WEB_TYPES = ("A", "AAAA", "CNAME")
MAX_CNAME_LOOKUPS = 100


def targets(profile: Profile, params: dict[str, Any]) -> list[str]:
    return _targets(profile, params)


def deadline(params: dict[str, Any], timeout_s: float) -> float:
    return 25 * timeout_s + 30


def _web_hosts(profile: Profile) -> set[str]:
    hosts = {h.lower() for h in profile.all_hosts()} if hasattr(profile, "all_hosts") else set()
    d = profile.domain.lower()
    return hosts | {d, f"www.{d}"}


# Addresses nobody on the internet can reach (RFC 1918, carrier-grade NAT, loopback,
# link-local, unique-local). Documentation ranges are not listed: they are examples.
_UNREACHABLE = tuple(ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
    "0.0.0.0/8", "::1/128", "fc00::/7", "fe80::/10"))


def _private(ip: str) -> bool:
    try:
        a = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(a.version == n.version and a in n for n in _UNREACHABLE)


def evaluate(records: list[dict[str, Any]], web: set[str], dangling: set[str]) -> list[Finding]:
    """Findings for a zone's records; `dangling` = CNAME targets that do not resolve."""
    out: list[Finding] = []
    by_name: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        by_name.setdefault(str(r.get("name", "")).lower().rstrip("."), []).append(r)
    proxied = [r for r in records if r.get("proxied") and r.get("type") in WEB_TYPES]
    proxied_ips = {str(r.get("content")): str(r.get("name")) for r in proxied if r.get("type") in ("A", "AAAA")}
    for name in sorted(web):
        recs = [r for r in by_name.get(name, []) if r.get("type") in WEB_TYPES]
        if not recs:
            out.append(Finding("warn", f"no-record:{name}", f"{name} has no record in the zone",
                               "People who type it get an error page.",
                               f"In Cloudflare open DNS > Records and add a record for {name} (or remove it "
                               "from launchready.yaml if it is not used)."))
            continue
        if proxied and not any(r.get("proxied") for r in recs):
            out.append(Finding(
                "warn", f"dns-only:{name}", f"{name} is DNS-only while your other web hosts are proxied",
                "Traffic to it skips Cloudflare's protection and caching, and its answers show the server's "
                "real address.",
                f"In Cloudflare open DNS > Records, edit {name} and set Proxy status to Proxied (orange "
                "cloud). Do this only for web traffic: a mail or SSH host must stay DNS-only."))
    for r in records:
        name = str(r.get("name", "")).lower()
        content = str(r.get("content", ""))
        if r.get("type") in ("A", "AAAA") and not r.get("proxied") and content in proxied_ips:
            out.append(Finding(
                "fail", f"origin-exposed:{name}",
                f"{name} is DNS-only and points at the same server as {proxied_ips[content]}",
                "Anyone who looks up this name learns your origin server's address and can attack it "
                "directly, around Cloudflare.",
                f"In Cloudflare open DNS > Records and delete {name}, or point it at another server. Then "
                "change the origin's address (your host can give it a new one), because the old one has been "
                "public, and let the origin accept web traffic only from Cloudflare's addresses."))
        if r.get("type") in ("A", "AAAA") and _private(content):
            out.append(Finding(
                "warn", f"private-address:{name}", f"{name} points at a private address ({content})",
                "Nobody on the internet can reach it, and it tells outsiders about your internal network.",
                f"In Cloudflare open DNS > Records and fix or delete {name}."))
        if r.get("type") == "CNAME" and content.lower().rstrip(".") in dangling:
            out.append(Finding(
                "fail", f"dangling:{name}", f"{name} points at {content}, which does not exist",
                "Whoever creates that name at the provider (a deleted app, a bucket) can serve their pages on "
                "your domain: a takeover.",
                f"In Cloudflare open DNS > Records and delete {name} now, or recreate the app it pointed to."))
    return out


def _plain(r: dict[str, Any]) -> dict[str, Any]:
    """A record with text where text belongs and `proxied` true only when it is `true`:
    a record of odd types is read, never a crash, and "false" as text is not proxied."""
    def text(v: Any) -> str:
        return v[:2048] if isinstance(v, str) else ""  # a TXT value is at most a few KB

    return {**r, "name": text(r.get("name")), "type": text(r.get("type")).upper(), "content": text(r.get("content")),
            "proxied": r.get("proxied") is True}


async def _dangling(ctx: CheckContext, records: list[dict[str, Any]]) -> set[str]:
    import asyncio

    from launchready_tui.core.net import DnsFailure

    # at most MAX_CNAME_LOOKUPS distinct targets, 16 at a time: even when every lookup times
    # out, a zone of 2,000 CNAMEs ends within the deadline
    names = list(dict.fromkeys(str(r.get("content", "")).lower().rstrip(".") for r in records
                               if r.get("type") == "CNAME" and r.get("content")))[:MAX_CNAME_LOOKUPS]
    out: set[str] = set()
    gate = asyncio.Semaphore(16)

    async def one(target: str) -> None:
        async with gate:
            try:
                ans = await ctx.net.resolver.query(target, "A")
            except (DnsFailure, ValueError, UnicodeError):  # could not check, or not a name: never a finding
                return
            if ans.rcode == "NXDOMAIN":
                out.add(target)

    await asyncio.gather(*(one(n) for n in names))
    return out


async def check(ctx: CheckContext, target: str, params: dict[str, Any]) -> CheckResult:
    try:
        api = await cf.client(ctx)
    except NoToken as e:
        return skipped(KIND, target, f"{e.reason}. {cf.TOKEN_HELP}", evidence={"zone": target})

    async def read() -> tuple[list[Finding], list[dict[str, Any]]]:
        z = await cf.zone(api, target)
        records = [_plain(r) for r in await cf.dns_records(api, str(z.get("id")))]
        return evaluate(records, _web_hosts(ctx.profile), await _dangling(ctx, records)), records

    out = await read_or_error(KIND, target, "Cloudflare", "about the zone's DNS records", read, {"zone": target})
    if isinstance(out, CheckResult):
        return out
    found, records = out
    ev = {"zone": target, "records": [
        {"name": r.get("name"), "type": r.get("type"), "content": r.get("content"), "proxied": bool(r.get("proxied"))}
        for r in records[:200]]}
    return findings_result(KIND, target, found, ev, ok=f"{len(records)} records: web hosts proxied, no origin "
                           "exposed, nothing points nowhere", what=("DNS record problem", "DNS record problems"))


# A CNAME to a name that is gone can be claimed (a takeover); a web host with no record is down.
problem_findings = problem_findings_by_level({"dangling": TAKEOVER, "no-record": DOWN})

CHECK_KIND = Kind(
    name=KIND,
    family="edge",
    title="Cloudflare DNS records",
    plain="web hosts proxied, no record gives the origin away, none points nowhere",
    about="the zone's DNS records from Cloudflare's API against the profile's hosts",
    check=check,
    targets=targets,
    deadline_fn=deadline,
    schema=SCHEMA,
    shown=("records", "findings"),
)
