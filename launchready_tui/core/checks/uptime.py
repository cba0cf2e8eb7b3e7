"""`uptime`: each monitored URL answers 2xx or 3xx within the timeout."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

from launchready_tui.core.checks.base import Kind
from launchready_tui.core.net import describe_http_error
from launchready_tui.core.registry import MissingInput
from launchready_tui.core.results import CheckResult, errored, failed, passed

if TYPE_CHECKING:
    from launchready_tui.core.context import CheckContext
    from launchready_tui.core.profile import Profile

KIND = "uptime"


def targets(profile: Profile, params: dict[str, Any]) -> list[str]:
    urls = params.get("urls") or profile.get("monitor") or []
    if not urls:
        raise MissingInput("monitor", "the pages a monitor should watch")
    urls = [str(u) for u in urls]
    if params.get("deploy_only"):  # "is the site back": only what the deploy serves
        hosts = deploy_hosts(profile)
        urls = [u for u in urls if _host(u) in hosts]
        if not urls:
            raise MissingInput("monitor", "addresses on the hosts your deploy serves (deploy.smoke)")
    return urls


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return (urlsplit(url).hostname or "").lower()


def deploy_hosts(profile: Profile) -> set[str]:
    """The hosts the deploy serves: those of `deploy.smoke` and of the production URL."""
    raw = profile.get("deploy.smoke") or []
    raw = [raw] if isinstance(raw, str | dict) else raw
    urls = [str(x.get("url", "")) if isinstance(x, dict) else str(x) for x in raw]
    urls.append(str(profile.get("environments.production.url") or ""))
    return {h for h in (_host(u) for u in urls) if h}


def deadline(params: dict[str, Any], timeout_s: float) -> float:
    return timeout_s * 3


def _logs_fix(profile: Profile, what: str) -> str:
    from launchready_tui.core.dashboards import logs_fix

    return logs_fix(profile, what)


async def check(ctx: CheckContext, target: str, params: dict[str, Any]) -> CheckResult:
    import httpx

    from launchready_tui.core.net import DnsFailure, HostResolutionError

    try:
        r = await ctx.net.fetch(target, max_bytes=64 * 1024)
    except (httpx.HTTPError, HostResolutionError, DnsFailure, TimeoutError, OSError) as e:
        reason = describe_http_error(e)
        if reason.startswith("certificate rejected"):
            return failed(
                KIND,
                target,
                f"{target} shows visitors a certificate warning: {reason}",
                evidence={"url": target, "reason": reason},
                why="Browsers block the page with a full-screen security warning, so for "
                "customers the site is down.",
                fix="Renew or fix the certificate for this host (see the TLS step in stage 3: "
                "on Vercel, Netlify, Render and Cloudflare this is automatic once DNS points "
                "at them), then run the check again.",
            )
        if "does not resolve" in reason or "NXDOMAIN" in reason:
            return failed(
                KIND,
                target,
                f"{target} is unreachable: {reason}",
                evidence={"url": target, "reason": reason},
                why="Visitors and your uptime monitor cannot reach this address at all.",
                fix="Add the missing DNS record for this host (see the DNS step), then run "
                "the check again.",
            )
        return errored(
            KIND,
            target,
            f"no answer from {target}: {reason}",
            evidence={"url": target},
            fix="Open the address in a browser. If it does not load there either, the site "
            "is down: follow the site-down incident runbook. If it loads, the problem is "
            "between this computer and the site (network, firewall, profile `network` keys).",
        )
    ev = {"url": target, "status": r.status, "time_ms": round(r.elapsed_ms)}
    loc = r.header("location")
    if loc:
        ev["location"] = loc
    if 200 <= r.status < 400:
        return passed(KIND, target, f"{target} is up: HTTP {r.status} in {r.elapsed_ms:.0f} ms", evidence=ev)
    return failed(
        KIND,
        target,
        f"{target} answers with an error: HTTP {r.status}",
        evidence=ev,
        why="Customers who open this address see an error page instead of your product.",
        fix=_logs_fix(ctx.profile, "this URL") + " A 5xx means the app crashed "
        "or is down; a 4xx means the address is wrong or blocked. Fix it, then re-run this check.",
    )


class UptimeEvidence(TypedDict, total=False):
    """What `check` puts in a result's evidence (the handover reads these keys)."""

    url: str
    status: int
    status_code: int
    time_ms: float
    elapsed_ms: float


CHECK_KIND = Kind(
    name="uptime",
    family="ops",
    title="Uptime",
    plain="the address answers",
    about="monitored URLs answer 2xx/3xx in time",
    check=check,
    targets=targets,
    deadline_fn=deadline,
    schema={"monitor": ("list", "str")},
    evidence=UptimeEvidence,
    shown=("status", "status_code", "time_ms", "elapsed_ms"),
    hidden=frozenset(["url"]),
)

