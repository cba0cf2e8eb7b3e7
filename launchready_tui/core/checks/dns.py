"""`dns`: every public host name resolves; builds the domain map for the handover.

NXDOMAIN is a finding (`fail`). A timeout, SERVFAIL or REFUSED is `error` (could not
check), naming the resolver that failed.
"""

from __future__ import annotations

from launchready_tui.core.net import DnsFailure
from launchready_tui.core.registry import MissingInput
from launchready_tui.core.results import CheckResult, errored, failed, passed

KIND = "dns"


def targets(profile, params) -> list[str]:
    hosts = profile.all_hosts()
    if not hosts:
        raise MissingInput("domain")
    return hosts


def deadline(params, timeout_s: float) -> float:
    return timeout_s * 6


async def check(ctx, target: str, params) -> CheckResult:
    host = target.lower().rstrip(".")
    resolver = ctx.net.resolver
    try:
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
    evidence = {
        "host": host,
        "a": list(a.records),
        "aaaa": list(aaaa.records) if aaaa else [],
        "cname_chain": [list(x) for x in a.chain],
        "nameserver": a.nameserver,
    }
    if a.nxdomain:
        dangling = bool(a.chain)
        if dangling:
            return failed(
                KIND,
                host,
                f"{host} is an alias (CNAME) to {a.final_name}, which does not exist",
                evidence=evidence,
                why="Visitors get an error page. A dangling alias can also be taken over: "
                "whoever registers the missing target can serve their own site on your name.",
                fix=f"At your DNS provider, delete the CNAME record for {host}, or point it "
                "at a host you control. If the target was a hosting provider (Vercel, "
                "Netlify, Heroku, ...), re-add the domain in that provider's dashboard first.",
            )
        return failed(
            KIND,
            host,
            f"{host} does not exist in DNS (NXDOMAIN)",
            evidence=evidence,
            why="Nobody can reach this address: browsers show 'site can't be reached'.",
            fix=f"At your DNS provider, add a record for {host}: an A record with your "
            "server's IP address, or a CNAME to the address your host gives you (for "
            "example cname.vercel-dns.com on Vercel). If you do not use this host name, "
            "remove it from the profile's `hosts`.",
        )
    if not addrs:
        return failed(
            KIND,
            host,
            f"{host} exists but has no address (no A or AAAA record)",
            evidence=evidence,
            why="Browsers cannot connect to a name without an address.",
            fix=f"At your DNS provider, add an A record (or a CNAME) for {host} pointing "
            "at where the site is hosted.",
        )
    via = f" via {' -> '.join(b for _, b in a.chain)}" if a.chain else ""
    return passed(KIND, host, f"{host} resolves to {', '.join(addrs[:4])}{via}", evidence=evidence)
