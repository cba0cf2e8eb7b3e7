"""`smoke`: after a deploy (or a rollback), each `deploy.smoke` URL still works.

An entry is a URL, or `{url, status, contains, method}`: an optional exact status to
expect (otherwise any 2xx or 3xx) and an optional text that must appear in the body.
`run_smoke` is also what the `command` check runs after a rollback.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

from launchready_tui.core.checks.base import Kind
from launchready_tui.core.registry import MissingInput
from launchready_tui.core.results import CheckResult, errored, failed, passed

if TYPE_CHECKING:
    from launchready_tui.core.context import CheckContext
    from launchready_tui.core.profile import Profile

KIND = "smoke"
MAX_BODY = 1024 * 1024


def normalize(entry: Any) -> dict[str, Any]:
    if isinstance(entry, dict):
        return {
            "url": str(entry.get("url") or ""),
            "status": entry.get("status"),
            "contains": entry.get("contains"),
            "method": str(entry.get("method") or "GET").upper(),
        }
    return {"url": str(entry), "status": None, "contains": None, "method": "GET"}


def entries(profile: Profile, params: dict[str, Any]) -> list[dict[str, Any]]:
    raw = params.get("urls") or profile.get("deploy.smoke") or []
    if isinstance(raw, str | dict):
        raw = [raw]
    return [e for e in (normalize(x) for x in raw) if e["url"]]


def targets(profile: Profile, params: dict[str, Any]) -> list[str]:
    es = entries(profile, params)
    if not es:
        raise MissingInput("deploy.smoke", "pages that must work after every deploy, e.g. /health")
    return list(dict.fromkeys(e["url"] for e in es))  # one result per URL


def deadline(params: dict[str, Any], timeout_s: float) -> float:
    return timeout_s * 3


async def check(ctx: CheckContext, target: str, params: dict[str, Any]) -> CheckResult:
    """Every entry for this URL (a URL may be listed with different expectations)."""
    import asyncio

    from launchready_tui.core.results import SEVERITY

    mine = [e for e in entries(ctx.profile, params) if e["url"] == target] or [normalize(target)]
    unique = [dict(t) for t in dict.fromkeys(tuple(sorted(e.items())) for e in mine)]
    results = await asyncio.gather(*(run_smoke(ctx, e) for e in unique))
    return max(results, key=lambda r: SEVERITY[r.status])


async def run_smoke(ctx: CheckContext, entry: dict[str, Any]) -> CheckResult:
    import httpx

    from launchready_tui.core.net import DnsFailure, HostResolutionError, describe_http_error

    url, want, text = entry["url"], entry.get("status"), entry.get("contains")
    ev: dict[str, Any] = {"url": url, "method": entry.get("method", "GET")}
    if want is not None:
        ev["expected_status"] = want
    if text:
        ev["contains"] = text
    try:
        r = await ctx.net.fetch(url, method=entry.get("method", "GET"), max_bytes=MAX_BODY)
    except (httpx.HTTPError, HostResolutionError, DnsFailure, TimeoutError, OSError) as e:
        reason = describe_http_error(e)
        ev["reason"] = reason
        fix = ("Open the address in a browser. If it is down, roll back to the previous "
               "release (the deploy-failure runbook has the steps), then find the cause in "
               "the deploy logs.")
        if reason.startswith("certificate rejected") or "does not resolve" in reason:
            return failed(
                KIND, url, f"smoke test failed: {url} is unreachable for visitors ({reason})",
                evidence=ev, fix=fix,
                why="Right after a deploy this page should work. Visitors cannot reach it, "
                "so they are probably seeing an outage now.",
            )
        return errored(KIND, url, f"no answer from {url}: {reason}", evidence=ev, fix=fix,
                       why="Right after a deploy this page should work; until it answers, "
                       "nobody knows whether the release is healthy.")
    ev.update({"status": r.status, "time_ms": round(r.elapsed_ms), "bytes": len(r.body)})
    loc = r.header("location")
    if loc:
        ev["location"] = loc
    problems = []
    if want is not None:
        if r.status != int(want):
            problems.append(f"answered HTTP {r.status}, expected {want}")
    elif not 200 <= r.status < 400:
        problems.append(f"answered HTTP {r.status}")
    if text:
        found = str(text) in r.text
        ev["found"] = found
        if not found:
            where = " (the body was cut at 1 MB)" if r.truncated else ""
            problems.append(f"the text '{text}' is not on the page{where}")
    if problems:
        return failed(
            KIND, url, f"smoke test failed: {url} " + "; ".join(problems), evidence=ev,
            why="The page that proves the release works is not working, so customers may "
            "be hitting errors right now.",
            fix="Roll back to the previous release if customers are affected (see the "
            "deploy-failure runbook), then look at this release's deploy and app logs."
            + (f" The page redirects to {loc}: point the smoke test at the final address."
               if loc and 300 <= r.status < 400 else ""),
        )
    detail = f"HTTP {r.status}" + (f", contains '{text}'" if text else "")
    return passed(KIND, url, f"smoke test passed: {url} ({detail}, {r.elapsed_ms:.0f} ms)", evidence=ev,
                  why="The pages that prove a release works answer as expected.")


class SmokeEvidence(TypedDict, total=False):
    """What `check` puts in a result's evidence (the handover reads these keys)."""

    url: str
    status: int


CHECK_KIND = Kind(
    name="smoke",
    family="ops",
    title="Smoke test",
    plain="the app works after a deploy",
    about="smoke test after deploy",
    check=check,
    targets=targets,
    deadline_fn=deadline,
    schema={"deploy": {"smoke": ("list", ("any", "str", {"url": "str", "status": "int", "contains": "str", "method": "str"}))}},
    evidence=SmokeEvidence,
)

