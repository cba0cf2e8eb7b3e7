"""`cloudflare`: is each host proxied by Cloudflare or DNS-only, can the origin be reached
around the edge, and is there a "Flexible SSL" redirect loop?

Proxied or not is decided from two independent signals: the response headers (`cf-ray`,
`server: cloudflare`) and whether the resolved address is in Cloudflare's published IP
ranges (shipped as data in `core/data/cloudflare_ranges.json`, with the date they were
taken). When the signals disagree, both are shown.

When the domain's DNS is at Cloudflare (its NS are *.ns.cloudflare.com), a DNS-only web
name that points at your own server or at a single-origin platform (Render, Heroku,
Fly.io, Railway) is a warning: it belongs behind the proxy. Vercel and Netlify names stay
DNS-only (they run their own edge). The `expect_proxied: true|false` parameter overrides.

When the profile names origin addresses (`network.origins: {host: ip}`), we connect to
the origin directly with the real host name (SNI and Host header): an origin that serves
the site to anyone lets bots bypass the edge's protection. We also read the origin's own
certificate. With `part: origin` the check covers only the hosts that have an origin,
and is skipped (naming `network.origins`) when there is none.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import ipaddress
import json
from typing import TYPE_CHECKING, Any, TypedDict

from launchready_tui.core.checks import redirects as rd
from launchready_tui.core.checks.base import Kind
from launchready_tui.core.net import DnsFailure
from launchready_tui.core.registry import MissingInput
from launchready_tui.core.results import CheckResult, errored, failed, passed, warned

if TYPE_CHECKING:
    from launchready_tui.core.context import CheckContext
    from launchready_tui.core.net import Net
    from launchready_tui.core.profile import Profile

KIND = "cloudflare"


# Hosts that run your app on one origin with no edge of their own: when the domain's DNS
# is at Cloudflare, these (and plain A/AAAA records of your own servers) belong behind
# the proxy. Vercel and Netlify run their own edge and advise against a second proxy.
ORIGIN_PLATFORMS = ("onrender.com", "herokuapp.com", "herokudns.com", "fly.dev", "railway.app")


def targets(profile: Profile, params: dict[str, Any]) -> list[str]:
    """Every edge host; with `part: origin`, only the hosts that have an origin address
    in `network.origins` (skipped, naming the key, when there is none)."""
    from launchready_tui.core.checks.dns import edge_hosts

    hosts = edge_hosts(profile)
    if str(params.get("part") or "") == "origin":
        origins = {str(k).lower() for k in (profile.get("network.origins") or {})}
        roles = {role.lower(): h for role, h in profile.hosts.items()}
        picked = [h for h in hosts if h in origins] + [roles[k] for k in origins if k in roles]
        extra = [k for k in origins if k not in roles and k not in hosts and profile.is_own_host(k)]
        picked = list(dict.fromkeys(picked + extra))
        if not picked:
            raise MissingInput("network.origins", "the origin server's IP address for each public name")
        return picked
    return hosts


def deadline(params: dict[str, Any], timeout_s: float) -> float:
    return timeout_s * 6


@functools.lru_cache(maxsize=1)
def load_ranges() -> dict[str, Any]:
    from importlib import resources

    raw = resources.files("launchready_tui.core").joinpath("data/cloudflare_ranges.json").read_text("utf-8")
    data = json.loads(raw)
    data["networks"] = [ipaddress.ip_network(n) for n in data["ipv4"] + data["ipv6"]]
    return data


def in_cloudflare_ranges(ip: str) -> bool:
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(addr.version == n.version and addr in n for n in load_ranges()["networks"])


def parse_origin(text: str) -> tuple[str, int | None]:
    """`IP`, `IP:PORT`, `[IPv6]:PORT` or a bare IPv6 address -> (ip, port or None)."""
    text = str(text).strip()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = int(rest[1:]) if rest.startswith(":") and rest[1:].isdigit() else None
        return host, port
    if text.count(":") == 1:
        host, p = text.split(":")
        return host, int(p) if p.isdigit() else None
    return text, None


def origin_for(profile: Profile, net: Net, host: str) -> str | None:
    origins = dict(net.config.origins or {})
    if not origins:
        origins = {str(k): str(v) for k, v in (profile.get("network.origins") or {}).items()}
    if host in origins:
        return origins[host]
    for role, h in profile.hosts.items():  # allow role names as keys too
        if h.lower() == host and role in origins:
            return origins[role]
    return None


async def origin_certificate(ip: str, port: int, host: str, net: Net) -> dict[str, Any]:
    """The origin's own certificate for host (behind Cloudflare, the public one is the
    edge's). Read without verification: origins often use a Cloudflare Origin CA
    certificate, which only Cloudflare trusts."""
    import ssl

    from launchready_tui.core.checks import tls

    try:
        hs = await tls.handshake(ip, port, host, tls.unverified_context(), net.timeout_s)
    except (OSError, TimeoutError, ssl.SSLError) as e:
        return {"error": f"{type(e).__name__}: {e}"[:200]}
    if not hs.leaf_der:
        return {"error": "no certificate"}
    import datetime as dt

    c = tls.parse_cert(hs.leaf_der)
    facts = tls.lifetime_facts(c, dt.datetime.now(dt.UTC))
    return {"issuer": c["issuer_org"] or c["issuer_cn"], "sans": c["sans"], "not_after": c["not_after"],
            "days_left": facts["days_left"], "covers_host": tls.hostname_matches(host, c["sans"])}


async def probe_origin(net: Net, profile: Profile, host: str, origin: str) -> dict[str, Any]:
    """Ask the origin directly for https://host/ (then http:// when no port is given).
    Returns what happened; never raises."""
    from launchready_tui.core.net import ConnectTo, Net

    ip, port = parse_origin(origin)
    try:
        ipaddress.ip_address(ip)
    except ValueError:
        return {"origin": origin, "error": f"'{origin}' is not an IP address (network.origins wants IP or IP:PORT)"}
    rules = (ConnectTo(host, 443, ip, port or 443), ConnectTo(host, 80, ip, 80))
    onet = Net(dataclasses.replace(net.config, connect_to=rules + tuple(net.config.connect_to)))
    out: dict[str, Any] = {"origin": origin, "tried": []}
    out["certificate"] = await origin_certificate(ip, port or 443, host, net)
    urls = [f"https://{host}/"] + ([] if port else [f"http://{host}/"])
    async with rd.Fetcher(onet, net.timeout_s * 2.5) as f:
        for url in urls:
            try:
                r = await f.get(url, verify=False, max_bytes=16 * 1024)
            except Exception as e:
                out["tried"].append({"url": url, "error": rd.describe_failure(e, f.timeout_s, f.per_fetch_s)})
                continue
            out["tried"].append({"url": url, "status": r.status, "cloudflare": rd.is_cloudflare(r)})
            if rd.is_cloudflare(r):
                out["is_cloudflare"] = True
            if 200 <= r.status < 300 and not rd.is_cloudflare(r):
                out["serves_site"] = True
                out["url"] = url
                return out
    return out


async def check(ctx: CheckContext, target: str, params: dict[str, Any]) -> CheckResult:
    host = target.lower().rstrip(".")
    net, profile = ctx.net, ctx.profile
    ranges = load_ranges()
    try:
        addrs, a, _aaaa = await net.resolver.addresses(host)
    except DnsFailure as e:
        return errored(KIND, host, f"the DNS lookup failed ({e.kind}) at nameserver {e.nameserver}",
                       evidence={"nameserver": e.nameserver, "failure": e.kind})
    if not addrs:
        why = "NXDOMAIN" if a.nxdomain else "no address"
        return errored(KIND, host, f"{host} does not resolve ({why}), so nothing can be proxied "
                       "(the dns check reports this)",
                       fix=f"Fix the DNS record of {host} first, then run this check again.")
    cf_addrs = [ip for ip in addrs if in_cloudflare_ranges(ip)]
    async with rd.Fetcher(net, rd.check_budget(net.timeout_s)) as f:
        https_chain, http_chain, (ns_zone, ns) = await asyncio.gather(
            rd.follow_chain(f, profile, f"https://{host}/"),
            rd.follow_chain(f, profile, f"http://{host}/"),
            _nameservers(net, profile.domain),
        )
    chains = [https_chain, http_chain]
    first_hops = [c.hops[0] for c in chains if c.hops and c.hops[0].status is not None]
    header_cf = any(c.cloudflare for c in chains)
    cf_ray = next((h.cf_ray for c in chains for h in c.hops if h.cf_ray), None)
    proxied = header_cf or bool(cf_addrs)
    ev: dict[str, Any] = {
        "host": host,
        "proxied": proxied,
        "addresses": addrs,
        "cloudflare_addresses": cf_addrs,
        "cloudflare_headers": header_cf,
        "server": next((h.server for h in first_hops if h.server), None),
        "ranges_taken_on": ranges["taken_on"],
        "hops": {c.start: [h.to_dict() for h in c.hops] for c in chains},
    }
    if cf_ray:
        ev["cf_ray"] = cf_ray
    cf_dns = any(n.lower().rstrip(".").endswith(".ns.cloudflare.com") for n in ns)
    ev["dns_at_cloudflare"] = cf_dns
    if a.chain:
        ev["points_at"] = a.final_name
    notes: list[str] = []
    if header_cf and addrs and not cf_addrs:
        notes.append(f"answers with Cloudflare headers, but its address ({', '.join(addrs[:3])}) is "
                     "not in Cloudflare's published ranges (another proxy in front, a connect-to "
                     f"rule, or the ranges taken on {ranges['taken_on']} are out of date)")
    if cf_addrs and not header_cf:
        notes.append("its address is Cloudflare's, but no answer carried Cloudflare headers "
                     "(the web request failed, or the name is used for a non-web Cloudflare service)")
    origin = origin_for(profile, net, host)
    probe = await probe_origin(net, profile, host, origin) if origin else None
    if probe is not None:
        ev["origin_probe"] = probe
    if notes:
        ev["notes"] = notes
    loop = next((c for c in chains if c.end == rd.LOOP and c.cloudflare), None)
    if loop is not None:
        return failed(KIND, host, f"Cloudflare \"Flexible SSL\" redirect loop: {loop.path_text()}",
                      evidence=ev,
                      why="Visitors see 'redirected you too many times' and never reach the site. "
                      "Cloudflare fetches your server over plain HTTP (Flexible mode) and your "
                      "server answers with a redirect to HTTPS, forever.",
                      fix=rd.CF_LOOP_FIX)
    if probe and probe.get("serves_site") and proxied:
        return warned(KIND, host, f"{host} is behind Cloudflare, but its origin {origin} also serves "
                      "the site to anyone who connects to it directly", evidence=ev,
                      why="Bots and attackers who find the origin address skip Cloudflare's "
                      "firewall, rate limits and DDoS protection altogether.",
                      fix="On the origin server or your host's firewall, allow web traffic only "
                      "from Cloudflare's IP ranges (https://www.cloudflare.com/ips/), or use "
                      "Cloudflare Tunnel so the origin has no public port; in Cloudflare turn on "
                      "SSL/TLS > Origin Server > Authenticated Origin Pulls. Then change the origin's "
                      "IP if it was ever public.")
    unchecked = (rd.NO_ANSWER, rd.REFUSED, rd.BROKEN, rd.OUT_OF_TIME, rd.DNS_ERROR)
    if not first_hops or (https_chain.end in unchecked and loop is None):
        reason = next((c.reason for c in chains if c.end in unchecked), "no answer")
        by_addr = ("its address is in Cloudflare's ranges" if cf_addrs
                   else "by its address it is not behind Cloudflare")
        what = "no web answer" if not first_hops else "no answer over https"
        return errored(KIND, host, f"{what} from {host} ({reason}); {by_addr}", evidence=ev,
                       fix=f"Check that {host} is up (open it in a browser), then run the check again.")
    ocert = (probe or {}).get("certificate") or {}
    if proxied and "days_left" in ocert and (ocert["days_left"] < 0 or not ocert["covers_host"]):
        problem = "has expired" if ocert["days_left"] < 0 else f"does not cover {host}"
        return warned(KIND, host, f"the origin's own certificate {problem} (origin {origin})", evidence=ev,
                      why="With SSL/TLS mode Full (strict), Cloudflare refuses to talk to this origin "
                      "and visitors get error 526; with weaker modes the edge-to-origin traffic is "
                      "not really protected.",
                      fix="Install a valid certificate on the origin for this name: a free Cloudflare "
                      "Origin CA certificate (SSL/TLS > Origin Server > Create Certificate) lasts up "
                      "to 15 years, or your host's Let's Encrypt certificate.")
    expect = params.get("expect_proxied")
    if expect is None and cf_dns:
        final = a.final_name.lower()
        expect = not a.chain or any(final == p or final.endswith("." + p) for p in ORIGIN_PLATFORMS)
    if expect and not proxied:
        where = f" ({a.final_name})" if a.chain else f" (your server at {', '.join(addrs[:2])})"
        return warned(KIND, host, f"{host} is DNS-only: your DNS is at Cloudflare, but this web "
                      f"name is not proxied{where}", evidence=ev,
                      why="Visitors reach your server directly, without Cloudflare's DDoS "
                      "protection, firewall and caching.",
                      fix=f"In the Cloudflare dashboard open DNS > Records, find {host} and click the "
                      "grey cloud so its Proxy status becomes Proxied (orange), then save. (On "
                      "Vercel and Netlify keep it grey: they run their own edge.)")
    if proxied:
        how = " and ".join(x for x in (
            "Cloudflare headers" if header_cf else "",
            "address in Cloudflare's ranges" if cf_addrs else "") if x)
        extra = ""
        if probe is not None:
            extra = "; origin refuses direct visitors" if not probe.get("serves_site") else ""
        return passed(KIND, host, f"{host} is proxied by Cloudflare ({how}){extra}", evidence=ev)
    return passed(KIND, host, f"{host} is DNS-only: not behind Cloudflare "
                  f"(address {', '.join(addrs[:3])}, no Cloudflare headers)", evidence=ev)


async def _nameservers(net: Net, domain: str) -> tuple[str, list[str]]:
    """The domain's NS records (to see whether its DNS is at Cloudflare); never raises."""
    from launchready_tui.core.checks.dns import _zone_records

    try:
        return await _zone_records(net.resolver, domain, "NS")
    except DnsFailure:
        return domain, []


class CloudflareEvidence(TypedDict, total=False):
    """What `check` puts in a result's evidence (the handover reads these keys)."""

    ranges_taken_on: str


CHECK_KIND = Kind(
    name="cloudflare",
    family="edge",
    title="Cloudflare",
    plain="traffic goes through Cloudflare as you intended",
    about="proxied hosts, origin exposure",
    check=check,
    targets=targets,
    deadline_fn=deadline,
    schema={"network": {"origins": ("map", "str")}},
    evidence=CloudflareEvidence,
    hidden=frozenset(["ranges_taken_on"]),
)
