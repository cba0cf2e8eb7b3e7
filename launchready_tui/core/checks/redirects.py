"""`redirects`: every public address ends, hop by hop, at one canonical HTTPS address.

We follow redirects ourselves, one request per hop and never more than `MAX_HOPS`,
recording each hop's status, Location and scheme, so a loop is reported as a loop (not
as "site down"), an https -> http downgrade is seen wherever it happens, and a Location
that leaves the profile's own domains is recorded but never followed (we do not go on
checking someone else's site).

`follow_chain` is shared with the `headers` and `cloudflare` checks. The evidence of
this check is the redirect map (`evidence["map"]`: start URL -> final URL) plus every
hop (`evidence["hops"]`), which the handover export shows.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict
from urllib.parse import urljoin, urlsplit, urlunsplit

from launchready_tui.core.checks.base import Kind
from launchready_tui.core.findings import Finding, findings_result
from launchready_tui.core.net import DnsFailure, FetchResult, HostResolutionError
from launchready_tui.core.results import CheckResult

if TYPE_CHECKING:
    import httpx

    from launchready_tui.core.context import CheckContext
    from launchready_tui.core.net import Net
    from launchready_tui.core.profile import Profile

KIND = "redirects"
MAX_HOPS = 10  # redirects followed at most; one more is "too many"
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
HOP_BODY_CAP = 64 * 1024
CF_LOOP_FIX = (
    "In the Cloudflare dashboard open SSL/TLS > Overview and set the encryption mode to "
    "Full (strict). \"Flexible\" makes Cloudflare talk plain HTTP to your server, your "
    "server redirects that to HTTPS, and the visitor goes round in circles. Full (strict) "
    "needs a valid certificate on your server: your host provides one, or use a free "
    "Cloudflare Origin CA certificate (SSL/TLS > Origin Server)."
)


def targets(profile: Profile, params: dict[str, Any]) -> list[str]:
    from launchready_tui.core.checks.dns import edge_hosts

    return edge_hosts(profile)


def deadline(params: dict[str, Any], timeout_s: float) -> float:
    return timeout_s * 6


def check_budget(timeout_s: float) -> float:
    """What one redirects/headers check may spend, inside the engine's deadline."""
    return timeout_s * 5


# ---------------------------------------------------------------------------- following


@dataclass
class Hop:
    url: str
    scheme: str
    host: str
    status: int | None = None
    location: str | None = None  # as the server sent it
    next_url: str | None = None  # Location made absolute
    time_ms: int = 0
    cloudflare: bool = False
    server: str | None = None
    cf_ray: str | None = None
    error: str | None = None
    cert_error: str | None = None  # certificate rejected; the hop was retried without checks
    hsts: str | None = None  # first Strict-Transport-Security line of an https answer (RFC 6797 §8.1)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"url": self.url, "scheme": self.scheme, "status": self.status}
        if self.location is not None:
            d["location"] = self.location
        if self.next_url is not None and self.next_url != self.location:
            d["next_url"] = self.next_url
        d["time_ms"] = self.time_ms
        for k in ("error", "cert_error", "server", "cf_ray", "hsts"):
            v = getattr(self, k)
            if v:
                d[k] = v
        if self.cloudflare:
            d["cloudflare"] = True
        return d


# How a chain ended.
FINAL = "final"  # a non-redirect answer
LOOP = "loop"
TOO_MANY = "too_many"
OFF_DOMAIN = "off_domain"  # Location leaves the profile's domains: recorded, not followed
BROKEN = "broken"  # a later hop does not resolve or does not answer: visitors are stuck
UNRESOLVED = "unresolved"  # the starting host does not resolve (NXDOMAIN / no address)
NO_ANSWER = "no_answer"  # the starting address does not answer: could not check
REFUSED = "refused"  # the starting address refuses the connection: an observation, not "could not check"
DNS_ERROR = "dns_error"  # our resolver failed: could not check
BAD_LOCATION = "bad_location"
OUT_OF_TIME = "out_of_time"


@dataclass
class Chain:
    start: str
    hops: list[Hop] = field(default_factory=list)
    end: str = FINAL
    final_url: str | None = None
    response: FetchResult | None = None  # the final answer (end == FINAL)
    reason: str = ""

    @property
    def cloudflare(self) -> bool:
        return any(h.cloudflare for h in self.hops)

    def path_text(self, limit: int = 6) -> str:
        urls = [h.url for h in self.hops]
        if self.end in (LOOP, OFF_DOMAIN, BAD_LOCATION) and self.final_url:
            urls.append(self.final_url)
        if len(urls) > limit:
            urls = urls[: limit - 1] + ["...", urls[-1]]
        return " -> ".join(urls)


def normalize_url(url: str) -> str:
    """Scheme and host lower-cased, default port and fragment dropped, empty path '/'."""
    p = urlsplit(url)
    scheme = p.scheme.lower()
    host = (p.hostname or "").lower().rstrip(".")
    port = p.port
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    return urlunsplit((scheme, netloc, p.path or "/", p.query, ""))


def is_cloudflare(resp: FetchResult) -> bool:
    server = (resp.header("server") or "").lower()
    return bool(resp.header("cf-ray")) or server.startswith("cloudflare")


def find_cause(exc: BaseException, types: type[BaseException] | tuple[type[BaseException], ...]) -> BaseException | None:
    """The first exception of `types` in exc's cause/context chain (bounded walk)."""
    cause: BaseException | None = exc
    for _ in range(12):
        if cause is None:
            return None
        if isinstance(cause, types):
            return cause
        cause = cause.__cause__ or cause.__context__
    return None


def is_cert_error(exc: BaseException) -> bool:
    return find_cause(exc, ssl.SSLCertVerificationError) is not None


def describe_failure(exc: BaseException, timeout_s: float, deadline_s: float) -> str:
    """Plain words for why a request got no usable answer, telling the hostile cases apart."""
    import httpx

    from launchready_tui.core.net import describe_http_error

    if isinstance(exc, httpx.ConnectTimeout):
        return (f"could not connect within {timeout_s:g} s (no TCP connection, or the TLS "
                "handshake stalled)")
    if isinstance(exc, httpx.ReadTimeout):
        return f"the server accepted the connection but sent nothing for {timeout_s:g} s"
    if isinstance(exc, httpx.WriteTimeout | httpx.PoolTimeout):
        return f"the request could not be sent within {timeout_s:g} s"
    if isinstance(exc, TimeoutError):
        return (f"the server's reply was still not complete after {deadline_s:g} s (it is "
                "very slow, or sends its headers a trickle at a time)")
    tls = find_cause(exc, ssl.SSLError)
    if tls is not None and not isinstance(tls, ssl.SSLCertVerificationError):
        return f"the TLS handshake failed: {tls}"
    return describe_http_error(exc)


class Fetcher:
    """One verifying client (and, on demand, one non-verifying client) for a check, with
    the check's overall time budget."""

    def __init__(self, net: Net, budget_s: float) -> None:
        self.net = net
        self.timeout_s = net.timeout_s
        # connect (TCP + TLS) and the read each get timeout_s; the whole exchange at most
        # twice that, so a server that drips its reply is cut off too.
        self.per_fetch_s = net.timeout_s * 2
        self.until = time.monotonic() + budget_s
        self.budget_s = budget_s
        self._verified: httpx.AsyncClient | None = None
        self._unverified: httpx.AsyncClient | None = None

    def remaining(self) -> float:
        return self.until - time.monotonic()

    async def get(self, url: str, *, verify: bool = True, max_bytes: int = HOP_BODY_CAP,
                  headers: dict[str, str] | None = None) -> FetchResult:
        left = self.remaining()
        if left <= 0.05:
            raise TimeoutError("out of time")
        if verify:
            if self._verified is None:
                self._verified = self.net.client()
            client = self._verified
        else:
            if self._unverified is None:
                self._unverified = self.net.client(verify=False)
            client = self._unverified
        return await self.net.fetch(url, max_bytes=max_bytes, deadline_s=min(self.per_fetch_s, left),
                                    client=client, headers=headers)

    async def aclose(self) -> None:
        for c in (self._verified, self._unverified):
            if c is not None:
                await c.aclose()

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


async def follow_chain(fetcher: Fetcher, profile: Profile, url: str, *, max_hops: int = MAX_HOPS,
                       body_cap: int = HOP_BODY_CAP) -> Chain:
    """Follow redirects from url one hop at a time. Never raises for network trouble: the
    way the chain ended is in `Chain.end` and `Chain.reason`."""
    import httpx

    chain = Chain(start=url)
    seen: set[str] = set()
    current = url
    while True:
        seen.add(normalize_url(current))
        parts = urlsplit(current)
        hop = Hop(url=current, scheme=parts.scheme.lower(), host=(parts.hostname or "").lower())
        chain.hops.append(hop)
        first = len(chain.hops) == 1
        t0 = time.perf_counter()
        resp: FetchResult | None = None
        try:
            try:
                resp = await fetcher.get(current, max_bytes=body_cap)
            except httpx.HTTPError as e:
                if not is_cert_error(e):
                    raise
                from launchready_tui.core.net import describe_http_error

                hop.cert_error = describe_http_error(e).removeprefix("certificate rejected: ")
                resp = await fetcher.get(current, verify=False, max_bytes=body_cap)
        except (httpx.ConnectError, DnsFailure, HostResolutionError) as e:
            dns = find_cause(e, (DnsFailure, HostResolutionError))
            if dns is None:
                chain.end = NO_ANSWER if first else BROKEN
                if first and find_cause(e, ConnectionRefusedError) is not None:
                    chain.end = REFUSED  # a refusal is an answer: nothing listens there
                chain.reason = describe_failure(e, fetcher.timeout_s, fetcher.per_fetch_s)
                hop.error = chain.reason
            elif isinstance(dns, DnsFailure):
                hop.error = str(dns)
                chain.end = DNS_ERROR
                chain.reason = f"the DNS lookup of {hop.host} failed: {dns.kind} at nameserver {dns.nameserver}"
            else:
                hop.error = str(dns)
                chain.end, chain.reason = (UNRESOLVED if first else BROKEN), str(dns)
        except (httpx.HTTPError, TimeoutError, OSError) as e:
            if fetcher.remaining() <= 0.05:
                chain.end = OUT_OF_TIME
                chain.reason = f"the redirect chain took longer than the {fetcher.budget_s:g} s allowed"
            else:
                chain.end = NO_ANSWER if first else BROKEN
                chain.reason = describe_failure(e, fetcher.timeout_s, fetcher.per_fetch_s)
            hop.error = chain.reason
        hop.time_ms = round((time.perf_counter() - t0) * 1000)
        if resp is None:
            return chain
        hop.status = resp.status
        hop.cloudflare = is_cloudflare(resp)
        hop.server = resp.header("server")
        hop.cf_ray = resp.header("cf-ray")
        if hop.scheme == "https":
            hop.hsts = resp.header("strict-transport-security")
        loc = resp.header("location")
        if resp.status not in REDIRECT_CODES or not loc:
            chain.end, chain.final_url, chain.response = FINAL, current, resp
            return chain
        hop.location = loc
        try:
            nxt = urljoin(current, loc.strip())
            np = urlsplit(nxt)
            ok = np.scheme.lower() in ("http", "https") and bool(np.hostname)
            _ = np.port  # raises ValueError on a bad port
        except ValueError:
            ok = False
        if not ok:
            chain.end, chain.final_url = BAD_LOCATION, loc
            chain.reason = f"{current} redirects to '{loc[:200]}', which is not a web address"
            return chain
        hop.next_url = nxt
        if normalize_url(nxt) in seen:
            chain.end, chain.final_url = LOOP, nxt
            chain.reason = f"redirect loop: {chain.path_text()}"
            return chain
        if not profile.is_own_host(np.hostname or ""):
            chain.end, chain.final_url = OFF_DOMAIN, nxt
            return chain
        if len(chain.hops) > max_hops:
            chain.end, chain.final_url = TOO_MANY, nxt
            chain.reason = f"more than {max_hops} redirects in a row (gave up at {nxt})"
            return chain
        current = nxt


# ---------------------------------------------------------------------------- judging


def _finding(severity: str, code: str, url: str, message: str, why: str = "", fix: str = "") -> Finding:
    """The one finding type (core/findings.py), for one start address."""
    return Finding(severity, code, message, why, fix, url=url)


def _host_of(url: str | None) -> str:
    return (urlsplit(url).hostname or "").lower().rstrip(".") if url else ""


def hsts_ok(value: str | None) -> tuple[bool, bool]:
    """(valid and on, includeSubDomains) for a hop's first Strict-Transport-Security line."""
    if not value:
        return False, False
    from launchready_tui.core.checks.headers import parse_hsts, split_field_values

    fields = split_field_values([value])
    if len(fields) != 1:  # two values joined by a comma: browsers cannot read it
        return False, False
    h = parse_hsts(fields[0])
    return bool(h["max_age"]), bool(h["max_age"]) and h["include_subdomains"]


def _hop_hsts_findings(ch: Chain, apex: str) -> list[Finding]:
    """hstspreload.org's rule, applied to every https hop: a redirect served over https
    must carry HSTS itself, or the name it is served for is never covered (browsers
    only learn HSTS from the https answer of that very name, RFC 6797 §8.1). A later hop
    on a parent name whose HSTS has includeSubDomains covers it (RFC 6797 §8.2)."""
    out: list[Finding] = []
    for i, h in enumerate(ch.hops):
        if h.scheme != "https" or not h.next_url or h.cert_error or h.status is None:
            continue
        if hsts_ok(h.hsts)[0]:
            continue
        covered = any(
            later.scheme == "https" and not later.cert_error and h.host.endswith("." + later.host)
            and hsts_ok(later.hsts)[1]
            for later in ch.hops[i + 1:]
        )
        if covered:
            continue
        which = "your root domain" if h.host == apex else h.host
        out.append(_finding(
            "warn", "hop_hsts_missing", h.url,
            f"{h.url} redirects to {h.next_url} without sending HSTS itself",
            f"Browsers only learn to always use https for {which} from an https:// answer of "
            f"{h.host} itself. This redirect carries no Strict-Transport-Security header, so "
            f"{h.host} stays open to downgrade attacks and cannot join the browsers' preload list.",
            f"Make the https://{h.host}/ redirect send `Strict-Transport-Security: max-age=31536000` "
            "too, not only the page it leads to. Cloudflare: SSL/TLS > Edge Certificates > HTTP "
            "Strict Transport Security (HSTS) > Enable HSTS (it covers redirects too). Vercel and "
            "Netlify add HSTS to the redirects they make between names of one project (Vercel: "
            "Settings > Domains; Netlify: Domain management): set the redirect there rather than "
            "in your app. nginx: put `add_header Strict-Transport-Security \"max-age=31536000\" "
            "always;` in the server block that does the redirect. Any other redirect in your app "
            "or a rule of your own: send the header on that answer as well."))
    return out


def judge(host: str, chains: list[Chain], profile: Profile) -> list[Finding]:
    """Findings for one host from its http:// and https:// chains (pure logic). Host names
    and schemes compare case-insensitively (RFC 3986 §6.2.2.1)."""
    apex = profile.domain.lower().rstrip(".")
    canonical = profile.canonical_host.lower().rstrip(".")
    host = host.lower().rstrip(".")
    must_be_canonical = host in (apex, f"www.{apex}")
    out: list[Finding] = []
    for ch in chains:
        cf = ch.cloudflare
        start_scheme = urlsplit(ch.start).scheme
        if ch.end == LOOP:
            fix = CF_LOOP_FIX if cf else (
                "Find the two settings that send visitors back and forth and remove one. "
                "Typical pairs: the hosting dashboard forces HTTPS while a proxy or CDN in "
                "front talks plain HTTP to it; or one setting sends www to the root domain "
                "while another sends the root domain to www.")
            why = ("Visitors see 'This page isn't working: redirected you too many times' and "
                   "never reach the site.")
            if cf:
                why += " The hops carry Cloudflare headers: this is the classic Cloudflare \"Flexible\" SSL loop."
            out.append(_finding("fail", "loop", ch.start, ch.reason, why, fix))
        elif ch.end == TOO_MANY:
            out.append(_finding(
                "fail", "too_many", ch.start, f"{ch.start} {ch.reason}",
                "Browsers give up after about 20 redirects, and every hop costs visitors time "
                "and search engines ranking.",
                "Make each address redirect once, straight to the final https:// address "
                "(one rule in your hosting or CDN dashboard instead of a chain of rules)."))
        elif ch.end == BROKEN:
            bad = ch.hops[-1].url
            out.append(_finding(
                "fail", "broken", ch.start,
                f"{ch.start} redirects to {bad}, which is broken: {ch.reason}",
                "Every visitor who follows this redirect ends at an error page.",
                f"Point the redirect at an address that works, or fix {_host_of(bad)} (its DNS "
                "record and hosting) first."))
        elif ch.end == UNRESOLVED:
            out.append(_finding(
                "fail", "unresolved", ch.start, ch.reason,
                "Nobody can open this address, so nothing on it can redirect anywhere.",
                f"Add a DNS record for {host} (see the DNS step), or remove it from the "
                "profile's `hosts` if you no longer use it."))
        elif ch.end == BAD_LOCATION:
            out.append(_finding(
                "fail", "bad_location", ch.start, ch.reason,
                "Browsers cannot follow the redirect; visitors are stuck on an error.",
                "Fix the redirect rule so its target is a full https:// address."))
        elif ch.end == REFUSED and start_scheme == "http":
            out.append(_finding(
                "warn", "http_refused", ch.start,
                f"{ch.start} does not answer at all: port 80 refuses the connection",
                f"Visitors who type {host} without https://, or follow an old http:// link, see "
                "\"This site can't be reached\" (ERR_CONNECTION_REFUSED) instead of your site, unless "
                "their browser already knows to use https.",
                f"Make http://{host}/ answer with a 301 redirect to https://{host}/. Vercel, Netlify "
                "and Render do this on their own once the domain is added to the project; Cloudflare: "
                "SSL/TLS > Edge Certificates > Always Use HTTPS; on your own server, open port 80 in "
                "the firewall and add the redirect (nginx: `return 301 https://$host$request_uri;`)."))
        elif ch.end in (NO_ANSWER, DNS_ERROR, OUT_OF_TIME, REFUSED):
            out.append(_finding("error", ch.end, ch.start, f"{ch.start}: {ch.reason}"))
        for h in ch.hops:
            if h.cert_error:
                out.append(_finding(
                    "fail", "certificate", h.url,
                    f"browsers stop at {h.url}: its certificate is rejected ({h.cert_error})",
                    "Visitors get a full-page security warning instead of the redirect.",
                    f"Fix the certificate of {h.host} (the `tls` check has the details), "
                    "then run this check again."))
            if h.scheme == "https" and h.next_url and urlsplit(h.next_url).scheme.lower() == "http":
                out.append(_finding(
                    "fail", "downgrade", h.url, f"{h.url} sends visitors back to plain http: {h.next_url}",
                    "The connection drops to unencrypted HTTP, browsers show 'Not secure', "
                    "and anyone on the network can read or change the page.",
                    "Change the redirect target to https://. "
                    + ("In Cloudflare, also turn on SSL/TLS > Edge Certificates > Always Use HTTPS."
                       if cf else "")))
        if ch.end == OFF_DOMAIN:  # issue 20: "0 redirects" was a pass
            away = _host_of(ch.final_url)
            out.append(_finding(
                "fail", "off_domain", ch.start,
                f"{ch.start} sends every visitor to {away}, which is not one of your domains ({apex})",
                "People who open your address end up on someone else's site, and search engines "
                "credit that site instead of yours. It is a forgotten redirect rule, a parked or "
                "expired setting at your host, or someone has taken over this address.",
                f"If {away} is yours, add it under `hosts:` in launchready.yaml. If not, remove the "
                "redirect in your hosting dashboard (Vercel: Project > Settings > Domains; Netlify: "
                "Domain management and the _redirects file; Cloudflare: Rules > Redirect Rules) and "
                "check the DNS record of this host, then run the check again."))
        reached = ch.final_url if ch.end in (FINAL, OFF_DOMAIN) else None
        if ch.end == FINAL:  # a chain that leaves your domains is judged on its own (off_domain)
            out.extend(_hop_hsts_findings(ch, apex))
        if start_scheme == "http" and reached and urlsplit(reached).scheme.lower() == "http":
            out.append(_finding(
                "fail", "no_https", ch.start,
                f"{ch.start} is never upgraded to https (ends at {reached})",
                "Visitors who type your address or follow an old link stay on an unencrypted "
                "page marked 'Not secure'; logins and payments can be read on public Wi-Fi.",
                ("In the Cloudflare dashboard turn on SSL/TLS > Edge Certificates > Always Use "
                 "HTTPS." if cf else
                 "Turn on 'force HTTPS' / 'redirect HTTP to HTTPS' at your host (Vercel, Netlify "
                 "and Render do this by default; on your own server add a 301 from http:// to "
                 "https://).")))
        if must_be_canonical and reached and _host_of(reached) != canonical:
            out.append(_finding(
                "fail", "not_canonical", ch.start,
                f"{ch.start} ends at {reached}, not at your canonical address https://{canonical}/",
                "Your root domain and www lead to different places: visitors and search engines "
                "see two sites, logins and cookies split between them.",
                f"Add one redirect so that {apex} and www.{apex} both send visitors (with a 301) "
                f"to https://{canonical}/. If {canonical} is not your main address, change "
                "`canonical_host` in the profile."))
        if ch.end == FINAL and ch.response is not None and ch.response.status >= 400:
            out.append(_finding(
                "warn", "error_page", ch.start,
                f"{ch.start} ends at an error page: HTTP {ch.response.status} at {ch.final_url}",
                "Visitors who use this address see an error instead of your site.",
                "Make this address redirect to your main site, or serve a page there."))
        if (host == apex and start_scheme == "http" and ch.hops and ch.hops[0].next_url
                and _host_of(ch.hops[0].next_url) != apex):
            out.append(_finding(
                "warn", "apex_hsts", ch.start,
                f"{ch.start} jumps straight to {ch.hops[0].next_url} instead of first upgrading "
                f"to https://{apex}/",
                "Browsers only learn your HSTS rule (always use HTTPS) from an https:// answer "
                f"on {apex} itself, so the root domain stays open to downgrade attacks.",
                f"Make http://{apex}/ redirect to https://{apex}/ first; from there redirect to "
                f"https://{canonical}/."))
    unique: dict[tuple[str, str], Finding] = {}
    for f in out:  # the http:// and https:// chains often report the same thing
        unique.setdefault((f.code, f.message), f)
    return list(unique.values())


def chain_evidence(chains: list[Chain]) -> dict[str, Any]:
    return {
        "map": {c.start: c.final_url if c.end in (FINAL, OFF_DOMAIN) else None for c in chains},
        "ends": {c.start: c.end for c in chains},
        "hops": {c.start: [h.to_dict() for h in c.hops] for c in chains},
    }


async def check(ctx: CheckContext, target: str, params: dict[str, Any]) -> CheckResult:
    host = target.lower().rstrip(".")
    profile = ctx.profile
    async with Fetcher(ctx.net, check_budget(ctx.net.timeout_s)) as f:
        chains = list(await asyncio.gather(
            follow_chain(f, profile, f"http://{host}/"),
            follow_chain(f, profile, f"https://{host}/"),
        ))
    findings = judge(host, chains, profile)
    ev = chain_evidence(chains)
    ev["canonical_host"] = profile.canonical_host
    more = len([x for x in findings if x.severity != "info"]) - 1
    tail = f" (and {more} more finding{'s' if more > 1 else ''})" if more > 0 else ""

    def ok_text() -> str:
        ends = {normalize_url(c.final_url) for c in chains if c.final_url}  # HTTPS://X/ == https://x/
        n = max(len(c.hops) - 1 for c in chains)
        where = ", ".join(sorted(ends))
        return f"http:// and https:// for {host} end at {where} ({n} redirect{'s' if n != 1 else ''} at most)"

    return findings_result(
        KIND, host, findings, ev, ok=ok_text,
        summary=lambda top, every: "; ".join(x.message for x in top) if top[0].severity == "error"
        else top[0].message + tail,
        error_fix="Open the address in a browser. If it does not load there either, "
        "the site is down or not set up for this address. If it loads, the "
        "problem is between this computer and the site (network, firewall, or "
        "the profile's `network` keys). Then run the check again.")


class RedirectsEvidence(TypedDict, total=False):
    """What `check` puts in a result's evidence (the handover reads these keys)."""

    map: dict[str, str | None]  # start address -> final address (None: no final address)
    ends: dict[str, str]  # start address -> how the chain ended ("final", "loop", ...)
    hops: dict[str, list[dict[str, Any]]]  # start address -> each request (Hop.to_dict())
    canonical_host: str


CHECK_KIND = Kind(
    name="redirects",
    family="edge",
    title="Redirects",
    plain="every address lands on one secure address, with no loops",
    about="one canonical HTTPS address, no loops",
    check=check,
    targets=targets,
    deadline_fn=deadline,
    evidence=RedirectsEvidence,
    shown=("map", "ends"),
    hidden=frozenset(["canonical_host"]),
)
