"""`rate_limit`: login and invite endpoints refuse a burst of attempts.

For each `rate_limit` entry: up to `max_attempts` (default 20, never more than 100)
harmless requests, one after another (an invalid login by default), until a 429, or a
403 with Retry-After, comes back. Then one more request with a made-up
X-Forwarded-For: if it is accepted, the limit trusts a header the client controls and
anyone can reset it. Only hosts under the profile's domain are probed.
"""

from __future__ import annotations

import copy
import json
import random
import time
from typing import TYPE_CHECKING, Any, TypedDict

from launchready_tui.core.checks.base import Kind, Target, target_data
from launchready_tui.core.checks.latency import find_entry, own_host_refusal, shared_probe
from launchready_tui.core.registry import MissingInput
from launchready_tui.core.results import CheckResult, errored, failed, passed, warned

if TYPE_CHECKING:
    from launchready_tui.core.context import CheckContext
    from launchready_tui.core.profile import Profile

KIND = "rate_limit"
DEFAULT_ATTEMPTS = 20
HARD_CAP = 100
BURST_TIME_CAP_S = 60.0
DEFAULT_BODY = json.dumps(
    {"email": "launchready-probe@invalid.example", "password": "not-a-real-password-probe"}
)



def _entries(profile: Profile, params: dict[str, Any]) -> list[dict[str, Any]]:
    raw = params.get("endpoints") or profile.get("rate_limit") or []
    return [r if isinstance(r, dict) else {"url": str(r)} for r in raw]


def targets(profile: Profile, params: dict[str, Any]) -> list[Target]:
    """One target per entry: its URL, carrying the entry's own settings."""
    es = [e for e in _entries(profile, params) if e.get("url")]
    if not es:
        raise MissingInput("rate_limit", "the login and invite endpoints to probe")
    return [Target(str(e["url"]), e) for e in es]


def deadline(params: dict[str, Any], timeout_s: float) -> float:
    return BURST_TIME_CAP_S + 3 * timeout_s + 5


def attempts_for(entry: dict[str, Any], params: dict[str, Any]) -> tuple[int, str | None]:
    """max_attempts after the default and the hard cap, with a note when capped."""
    n = entry.get("max_attempts", params.get("max_attempts"))
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        n = DEFAULT_ATTEMPTS
    if n > HARD_CAP:
        return HARD_CAP, f"max_attempts capped at {HARD_CAP} instead of {n}"
    return n, None


def is_limited(status: int, retry_after: str | None) -> bool:
    return status == 429 or (status == 403 and bool(retry_after))


def _spoofed_address() -> str:
    # TEST-NET-3 (RFC 5737): documentation addresses, never a real client.
    return f"203.0.113.{random.randint(1, 254)}"


async def check(ctx: CheckContext, target: str, params: dict[str, Any]) -> CheckResult:
    entry = target_data(target, lambda: find_entry(_entries(ctx.profile, params), target))
    url = str(entry.get("url") or target)
    refusal = own_host_refusal(KIND, ctx.profile, url, "probe")
    if refusal is not None:
        return refusal
    # Two steps probing the same endpoint at once would share its counter and see the
    # limit early: overlapping identical probes run once.
    key = ("rate_limit", url, str(entry.get("method") or params.get("method") or "POST").upper(),
           attempts_for(entry, params)[0], str(entry.get("body")), str(sorted((entry.get("headers") or {}).items())))
    result = await shared_probe(ctx.net, key, lambda: _probe(ctx, url, entry, params))
    return copy.deepcopy(result)


async def _probe(ctx: CheckContext, url: str, entry: dict[str, Any], params: dict[str, Any]) -> CheckResult:
    import httpx

    from launchready_tui.core.net import DnsFailure, HostResolutionError, describe_http_error

    name = entry.get("name") or url
    max_attempts, cap_note = attempts_for(entry, params)
    method = str(entry.get("method") or params.get("method") or "POST").upper()
    headers = {str(k): str(v) for k, v in (entry.get("headers") or {}).items()}
    body = entry.get("body")
    if body is None and method not in ("GET", "HEAD"):
        body = DEFAULT_BODY
        headers.setdefault("Content-Type", "application/json")
    content = str(body).encode() if body is not None else None

    ev: dict[str, Any] = {"url": url, "method": method, "max_attempts": max_attempts}
    if cap_note:
        ev["capped"] = cap_note
    statuses: list[int] = []
    limited_at: int | None = None
    retry_after: str | None = None
    limit_status: int | None = None
    t0 = time.monotonic()
    client = ctx.net.client(max_connections=1)
    try:
        for n in range(1, max_attempts + 1):
            if time.monotonic() - t0 > BURST_TIME_CAP_S:
                ev["stopped"] = f"time cap of {BURST_TIME_CAP_S:g} s reached"
                break
            try:
                r = await ctx.net.fetch(url, method=method, headers=headers, content=content,
                                        max_bytes=64 * 1024, client=client)
            except (httpx.HTTPError, HostResolutionError, DnsFailure, TimeoutError, OSError) as e:
                ev.update(attempts=n - 1, statuses=_compress(statuses))
                return errored(
                    KIND, url, f"attempt {n} to {url} got no answer: {describe_http_error(e)}",
                    evidence=ev,
                    fix="Check that the address is right and the site is up, then run the "
                    "check again. If a firewall drops connections after a few attempts, that "
                    "is a limit too, but users then get no clear message: prefer a 429 answer.",
                )
            statuses.append(r.status)
            if n == 1 and r.status in (404, 405):
                ev.update(attempts=1, statuses=_compress(statuses))
                return errored(
                    KIND, url, f"{url} answered HTTP {r.status} to {method}: this is not the endpoint",
                    evidence=ev,
                    fix="Put the address and method your sign-in (or invite) form really sends "
                    "to in `rate_limit` (your browser's developer tools, Network tab, show it).",
                )
            if is_limited(r.status, r.header("retry-after")):
                limited_at, limit_status, retry_after = n, r.status, r.header("retry-after")
                break
        ev["attempts"] = len(statuses)
        ev["statuses"] = _compress(statuses)
        ev["elapsed_ms"] = round((time.monotonic() - t0) * 1000)
        if limited_at is None:
            only_5xx = statuses and all(s >= 500 for s in statuses)
            if only_5xx:
                return errored(
                    KIND, url, f"{url} answered every attempt with a server error "
                    f"({_compress(statuses)}), so its limit cannot be tested", evidence=ev,
                    fix="Fix the endpoint's server error first (your hosting logs show it), "
                    "then run the check again.",
                )
            return failed(
                KIND, url, f"{name} has no rate limit: {len(statuses)} attempts in "
                f"{ev['elapsed_ms'] / 1000:.1f} s were all accepted ({_compress(statuses)})",
                evidence=ev,
                why="Without a limit, anyone can try thousands of passwords against your "
                "users' accounts, or send thousands of invite emails from your domain and "
                "get it marked as spam.",
                fix="Add a limit of about 5-10 attempts per minute per address and per "
                "account, answering HTTP 429 with a Retry-After header. Most platforms have "
                "one built in (Cloudflare or Vercel firewall rate-limiting rules, "
                "Supabase/Firebase auth limits, express-rate-limit, django-ratelimit, "
                "rack-attack). Then run this check again.",
            )
        ev.update(limited_at=limited_at, limit_status=limit_status)
        if retry_after:
            ev["retry_after"] = retry_after
        ev["note"] = ("Your own address may be limited on this endpoint for a while"
                      + (f" (Retry-After: {retry_after})." if retry_after else "."))

        # Bypass probe: one more request claiming to come from somewhere else.
        spoof = _spoofed_address()
        try:
            r2 = await ctx.net.fetch(url, method=method, headers={**headers, "X-Forwarded-For": spoof},
                                     content=content, max_bytes=64 * 1024, client=client)
        except (httpx.HTTPError, HostResolutionError, DnsFailure, TimeoutError, OSError) as e:
            ev["bypass_probe"] = {"x_forwarded_for": spoof, "error": describe_http_error(e)}
            r2 = None
        limit_text = (f"attempt {limited_at} got HTTP {limit_status}"
                      + (f" (Retry-After: {retry_after})" if retry_after else ""))
        if r2 is not None:
            bypassed = not is_limited(r2.status, r2.header("retry-after"))
            ev["bypass_probe"] = {"x_forwarded_for": spoof, "status": r2.status, "bypassed": bypassed}
            if bypassed:
                return warned(
                    KIND, url, f"{name} is rate limited ({limit_text}), but the limit can be "
                    f"bypassed: a request with a made-up X-Forwarded-For header got HTTP "
                    f"{r2.status} instead of being refused", evidence=ev,
                    why="The limit trusts a header that the client writes itself, so an "
                    "attacker resets it by sending a different address each time.",
                    fix="Make the limiter count the address your host or proxy sees, not the "
                    "raw X-Forwarded-For header: in Express set `app.set('trust proxy', 1)` "
                    "(the number of proxies in front of you); on Cloudflare key on "
                    "CF-Connecting-IP; in Django use the last proxy-added address. Also limit "
                    "per account, which no header can reset. Then run this check again.",
                )
        extra = "; a made-up X-Forwarded-For did not reset it" if r2 is not None else \
            "; the bypass probe got no answer"
        return passed(KIND, url, f"{name} is rate limited: {limit_text}{extra}", evidence=ev,
                      why="Password guessing and invite spam are stopped after a few tries.")
    finally:
        await client.aclose()


def _compress(statuses: list[int]) -> str:
    """[401, 401, 401, 429] -> '401 x3, 429'."""
    out: list[str] = []
    prev, count = None, 0
    for s in [*statuses, None]:
        if s == prev:
            count += 1
            continue
        if prev is not None:
            out.append(f"{prev} x{count}" if count > 1 else str(prev))
        prev, count = s, 1
    return ", ".join(out)


class RateLimitEvidence(TypedDict, total=False):
    """What `check` puts in a result's evidence (the handover reads these keys)."""

    limited_at: int
    attempt: int
    retry_after: str
    bypass: bool


CHECK_KIND = Kind(
    name="rate_limit",
    family="perf",
    title="Rate limits",
    plain="login and invite pages limit repeated tries",
    about="login and invite endpoints are limited",
    check=check,
    targets=targets,
    deadline_fn=deadline,
    schema={"rate_limit": ("list", {"url": "str", "method": "str", "max_attempts": "int", "body": "str", "headers": ("map", "str"), "name": "str"})},
    evidence=RateLimitEvidence,
    shown=("limited_at", "attempt", "retry_after", "bypass"),
)
