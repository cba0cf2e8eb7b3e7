"""`dns`: every public host name resolves; builds the domain map for the handover.

For each host (apex, www and every `hosts` role) we record its records, CNAME chain and
final addresses: `evidence["map"]` is `{host: entry}`, so the handover can merge the
maps of all results. The apex's result also carries the domain's nameservers (fewer
than 2 is a warning) and its CAA records (their absence is only a note).

A dangling CNAME (its target does not exist, or a hosting provider answers "no such
site" for it) is a `fail`: anyone who claims that name at the provider serves their
pages on yours. NXDOMAIN is a finding (`fail`). A timeout, SERVFAIL or REFUSED is
`error` (could not check), naming the resolver that failed.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

from launchready_tui.core.checks.base import Kind
from launchready_tui.core.net import DnsFailure
from launchready_tui.core.registry import MissingInput
from launchready_tui.core.results import CheckResult, errored, failed, passed, warned

if TYPE_CHECKING:
    from launchready_tui.core._net_dns import Resolver
    from launchready_tui.core.context import CheckContext
    from launchready_tui.core.profile import Profile

KIND = "dns"


def edge_hosts(profile: Profile) -> list[str]:
    """The hosts every edge check covers: the apex, www, the canonical host and every
    `hosts` role. www is always included: people type it whether or not you use it, so
    it must exist and send them to the canonical address."""
    hosts = profile.all_hosts()
    if not hosts:
        raise MissingInput("domain")
    www = f"www.{profile.domain}"
    if www not in hosts:
        hosts.insert(1, www)
    return hosts


def targets(profile: Profile, params: dict[str, Any]) -> list[str]:
    return edge_hosts(profile)


def deadline(params: dict[str, Any], timeout_s: float) -> float:
    return timeout_s * 6


# ---------------------------------------------------------------------------- providers


@dataclass(frozen=True)
class Provider:
    name: str
    suffixes: tuple[str, ...]
    fingerprints: tuple[str, ...]  # text the provider serves for a name nobody has claimed


# From the takeover research of the can-i-take-over-xyz project: providers whose "no such
# site" page is reliable. A CNAME into one of these suffixes that serves that page is
# claimable by anyone with an account there.
PROVIDERS: tuple[Provider, ...] = (
    Provider("Heroku", ("herokuapp.com", "herokudns.com", "herokussl.com"),
             ("No such app", "no-such-app.html")),
    Provider("GitHub Pages", ("github.io",), ("There isn't a GitHub Pages site here",)),
    Provider("Amazon S3", ("amazonaws.com",), ("NoSuchBucket", "The specified bucket does not exist")),
    Provider("Azure App Service", ("azurewebsites.net",), ("404 Web Site not found",)),
    Provider("Shopify", ("myshopify.com",), ("Sorry, this shop is currently unavailable",)),
    Provider("Fastly", ("fastly.net",), ("Fastly error: unknown domain",)),
    Provider("Ghost", ("ghost.io",), ("The thing you were looking for is no longer here",)),
    Provider("Surge", ("surge.sh",), ("project not found",)),
    Provider("Pantheon", ("pantheonsite.io",), ("The gods are wise, but do not know of the site which you seek",)),
    Provider("Tumblr", ("domains.tumblr.com",), ("Whatever you were looking for doesn't currently exist at this address",)),
    Provider("Zendesk", ("zendesk.com",), ("Help Center Closed",)),
    Provider("Bitbucket", ("bitbucket.io",), ("Repository not found",)),
    Provider("ReadMe", ("readme.io",), ("Project doesnt exist... yet!",)),
    Provider("Webflow", ("proxy.webflow.com", "proxy-ssl.webflow.com"),
             ("The page you are looking for doesn't exist or has been moved",)),
    Provider("Help Scout", ("helpscoutdocs.com",), ("No settings were found for this company",)),
    Provider("Vercel", ("vercel.app", "now.sh"), ("DEPLOYMENT_NOT_FOUND",)),
    Provider("Netlify", ("netlify.app", "netlify.com"), ("Not Found - Request ID",)),
    Provider("Unbounce", ("unbouncepages.com",), ("The requested URL was not found on this server",)),
    Provider("WordPress.com", ("wordpress.com",), ("Do you want to register",)),
    Provider("Strikingly", ("strikinglydns.com",), ("But if you're looking to build your own website",)),
)



def provider_for(name: str) -> Provider | None:
    name = name.lower().rstrip(".")
    for p in PROVIDERS:
        if any(name == s or name.endswith("." + s) for s in p.suffixes):
            return p
    return None


def unclaimed_fingerprint(provider: Provider, body: str) -> str | None:
    for fp in provider.fingerprints:
        if fp.lower() in body.lower():
            return fp
    return None


# ---------------------------------------------------------------------------- lookups


def roles_of(profile: Profile, host: str) -> list[str]:
    roles = [role for role, h in profile.hosts.items() if h.lower().rstrip(".") == host]
    if host == profile.domain:
        roles.insert(0, "apex")
    if host == profile.canonical_host.lower():
        roles.append("canonical")
    return roles


async def _zone_records(resolver: Resolver, domain: str, rdtype: str) -> tuple[str, list[str]]:
    """Records of rdtype at domain or, when it has none, at its parents (NS of the zone
    a subdomain lives in; CAA is inherited the same way, RFC 8659). Stops before the TLD."""
    name = domain
    while name.count(".") >= 1:
        ans = await resolver.query(name, rdtype)
        if ans.records:
            return name, sorted(ans.records)
        name = name.split(".", 1)[1]
    return domain, []


async def probe_provider(ctx: CheckContext, host: str, provider: Provider) -> dict[str, Any]:
    """Ask the provider what it serves for host (it routes by Host name). Any network
    trouble is recorded, never a verdict."""
    from launchready_tui.core.checks.redirects import Fetcher

    out: dict[str, Any] = {"provider": provider.name}
    async with Fetcher(ctx.net, ctx.net.timeout_s * 2) as f:
        for url, verify in ((f"http://{host}/", True), (f"https://{host}/", False)):
            try:
                r = await f.get(url, verify=verify, max_bytes=64 * 1024)
            except Exception as e:
                out.setdefault("probe_errors", []).append(f"{url}: {type(e).__name__}")
                continue
            out["probe_url"], out["probe_status"] = url, r.status
            fp = unclaimed_fingerprint(provider, r.text)
            if fp:
                out["unclaimed"] = fp
                return out
            if r.status not in (301, 302, 307, 308):
                return out
    return out


# ---------------------------------------------------------------------------- check

_TAKEOVER_WHY = ("Visitors get an error page. Worse, this is a subdomain-takeover risk: whoever "
                 "claims the missing target can serve their own pages, phishing forms or "
                 "cookie-stealing scripts on your name.")


def _takeover_fix(host: str, target: str, provider: Provider | None) -> str:
    from launchready_tui.core.dashboards import CUSTOM_DOMAIN

    where = f" at {provider.name}" if provider else ""
    path = CUSTOM_DOMAIN.get(provider.name) if provider else None
    readd = f"in {path}" if path else ("in the " + provider.name + " dashboard" if provider
                                        else "in the dashboard of the service it points at")
    return (f"At your DNS provider, delete the CNAME record for {host} now, or point it at a "
            f"host you control. If you still use that site{where}, re-add {host} as a custom "
            f"domain {readd} so that nobody else can claim {target}.")


async def check(ctx: CheckContext, target: str, params: dict[str, Any]) -> CheckResult:
    host = target.lower().rstrip(".")
    profile = ctx.profile
    resolver = ctx.net.resolver
    is_apex = host == profile.domain
    no_zone: tuple[str, list[str], str] = (host, [], "")
    ns, caa = no_zone, no_zone
    try:
        if is_apex:
            (addrs, a, aaaa), ns, caa = await asyncio.gather(
                resolver.addresses(host),
                _ns_or_note(resolver, host),
                _caa_or_note(resolver, host),
            )
        else:
            addrs, a, aaaa = await resolver.addresses(host)
    except DnsFailure as e:
        return errored(
            KIND,
            host,
            f"the DNS lookup failed ({e.kind}) at nameserver {e.nameserver}",
            evidence={"nameserver": e.nameserver, "failure": e.kind, "detail": e.detail},
            fix="This says nothing yet about your records. Try again in a minute. If it "
            f"keeps failing, the nameserver {e.nameserver} is broken or unreachable: check "
            "the nameservers listed at your domain registrar, or `network.nameservers` in "
            "the profile.",
        )
    entry: dict[str, Any] = {
        "roles": roles_of(profile, host),
        "cname_chain": [list(x) for x in a.chain],
        "final_name": a.final_name,
        "a": list(a.records),
        "aaaa": list(aaaa.records) if aaaa else [],
        "addresses": addrs,
        "exists": not a.nxdomain,
    }
    evidence: dict[str, Any] = {
        "host": host,
        "a": entry["a"],
        "aaaa": entry["aaaa"],
        "cname_chain": entry["cname_chain"],
        "nameserver": a.nameserver,
        "map": {host: entry},
    }
    provider = provider_for(a.final_name) if a.chain else None
    if provider:
        entry["provider"] = provider.name
    if a.chain and (a.nxdomain or not addrs):
        what = "does not exist" if a.nxdomain else "has no address"
        return failed(
            KIND, host,
            f"dangling CNAME: {host} is an alias to {a.final_name}, which {what} "
            "(subdomain-takeover risk)",
            evidence=evidence, why=_TAKEOVER_WHY, fix=_takeover_fix(host, a.final_name, provider),
        )
    if a.nxdomain:
        return failed(
            KIND, host, f"{host} does not exist in DNS (NXDOMAIN)", evidence=evidence,
            why="Nobody can reach this address: browsers show 'site can't be reached'.",
            fix=f"At your DNS provider, add a record for {host}: an A record with your "
            "server's IP address, or a CNAME to the address your host gives you (for "
            "example cname.vercel-dns.com on Vercel). If you do not use this host name, "
            "remove it from the profile's `hosts`.",
        )
    if not addrs:
        return failed(
            KIND, host, f"{host} exists but has no address (no A or AAAA record)", evidence=evidence,
            why="Browsers cannot connect to a name without an address.",
            fix=f"At your DNS provider, add an A record (or a CNAME) for {host} pointing "
            "at where the site is hosted.",
        )
    if provider:
        probe = await probe_provider(ctx, host, provider)
        evidence["provider_probe"] = probe
        if probe.get("unclaimed"):
            return failed(
                KIND, host,
                f"dangling CNAME: {host} points at {a.final_name} on {provider.name}, which "
                f"answers \"{probe['unclaimed']}\": nobody owns that site anymore "
                "(subdomain-takeover risk)",
                evidence=evidence, why=_TAKEOVER_WHY, fix=_takeover_fix(host, a.final_name, provider),
            )
    via = f" via {' -> '.join(b for _, b in a.chain)}" if a.chain else ""
    summary = f"{host} resolves to {', '.join(addrs[:4])}{via}"
    if not is_apex:
        return passed(KIND, host, summary, evidence=evidence)
    ns_zone, ns_names, ns_note = ns
    caa_zone, caa_records, caa_note = caa
    evidence.update({"ns_zone": ns_zone, "ns": ns_names, "caa": caa_records, "caa_zone": caa_zone})
    notes = []
    if caa_records:
        summary += f"; CAA allows {', '.join(_caa_issuers(caa_records)) or 'no one'}"
    else:
        notes.append(caa_note or "no CAA record: any certificate authority may issue certificates "
                     "for your domain (optional hardening, not a failure)")
    if ns_note:
        notes.append(ns_note)
    elif len(ns_names) == 0:
        notes.append(f"no NS records visible from nameserver {a.nameserver}, so the delegation "
                     "could not be counted")
    if notes:
        evidence["notes"] = notes
    if len(ns_names) == 1:
        return warned(
            KIND, host, f"{summary}, but only one nameserver ({ns_names[0]})", evidence=evidence,
            why="If that one nameserver is down, your whole domain (site, app and email) "
            "disappears from the internet.",
            fix="At your DNS provider or registrar, list at least two nameservers for the "
            "domain (every managed DNS service gives you two or more, e.g. Cloudflare's "
            "two *.ns.cloudflare.com names); copy all of them to the registrar.",
        )
    if ns_names:
        summary += f"; {len(ns_names)} nameservers"
    return passed(KIND, host, summary, evidence=evidence)


async def _ns_or_note(resolver: Resolver, domain: str) -> tuple[str, list[str], str]:
    try:
        zone, recs = await _zone_records(resolver, domain, "NS")
        return zone, recs, ""
    except DnsFailure as e:
        return domain, [], f"the NS lookup failed ({e.kind} at {e.nameserver}), so the nameservers could not be counted"


async def _caa_or_note(resolver: Resolver, domain: str) -> tuple[str, list[str], str]:
    """CAA records (inherited from parents); a failed CAA lookup is a note, never a verdict
    (some DNS servers do not answer CAA questions at all)."""
    try:
        zone, recs = await _zone_records(resolver, domain, "CAA")
        return zone, recs, ""
    except DnsFailure as e:
        return domain, [], f"the CAA lookup failed ({e.kind}); CAA is optional"


def _caa_issuers(records: list[str]) -> list[str]:
    out = []
    for r in records:
        parts = r.split(None, 2)
        if len(parts) == 3 and parts[1].lower() in ("issue", "issuewild"):
            v = parts[2].strip('"').split(";")[0].strip()
            if v and v not in out:
                out.append(v)
    return out


class DnsEvidence(TypedDict, total=False):
    """What `check` puts in a result's evidence (the handover reads these keys)."""

    a: list[str]
    aaaa: list[str]
    cname_chain: list[list[str]]  # [name, target] pairs
    records: dict[str, list[str]] | list[str]
    map: dict[str, dict[str, Any]]  # host -> what it points at (the domain map)
    ns: list[str]
    caa: list[str]
    notes: list[str]


CHECK_KIND = Kind(
    name="dns",
    family="edge",
    title="DNS",
    plain="each name points somewhere",
    about="host names resolve; the domain map",
    check=check,
    targets=targets,
    deadline_fn=deadline,
    evidence=DnsEvidence,
    shown=("a", "aaaa", "cname_chain", "ns", "caa", "notes"),
    hidden=frozenset(["caa_zone", "map", "nameserver", "ns_zone"]),
)
