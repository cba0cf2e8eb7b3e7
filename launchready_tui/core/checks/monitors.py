"""`monitors`: the uptime monitor account really watches what must stay up.

`uptime` checks that a URL answers now; this kind reads the monitoring account (UptimeRobot
or Better Stack Uptime, through its API) and checks that every `monitor` URL of the
profile has a monitor that is active (not paused), checks at least every 5 minutes, has
at least one alert contact, and is up now. Monitors for URLs the profile does not list
are shown, not failed. Providers live in `core/checks/_monitoring/`, one file each.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

from launchready_tui.core.checks._accounts import (
    Api,
    NoToken,
    api_base,
    provider_of,
    read_or_error,
    token_for,
)
from launchready_tui.core.checks.base import Kind
from launchready_tui.core.findings import Finding, findings_result, problem_findings_by_level
from launchready_tui.core.problems import DOWN
from launchready_tui.core.registry import MissingInput
from launchready_tui.core.results import CheckResult, skipped

if TYPE_CHECKING:
    from launchready_tui.core.checks._monitoring import Monitor, Provider
    from launchready_tui.core.context import CheckContext
    from launchready_tui.core.profile import Profile

KIND = "monitors"
MAX_INTERVAL_S = 300
SCHEMA = {"monitoring": {"provider": "str", "credential": "str", "credential_env": "str", "api_base": "str"}}


def _provider(name: str) -> Provider | None:
    try:
        return cast("Provider", importlib.import_module(f"launchready_tui.core.checks._monitoring.{name}"))
    except ModuleNotFoundError:
        return None


def targets(profile: Profile, params: dict[str, Any]) -> list[str]:
    if not profile.get("monitoring"):
        raise MissingInput("monitoring.provider", "uptimerobot or betterstack, and `monitoring.credential`: "
                           "the keyring id of a read-only API key")
    return [provider_of(profile, "monitoring") or "monitoring"]


def deadline(params: dict[str, Any], timeout_s: float) -> float:
    return 22 * timeout_s + 30


def norm(url: str) -> str:
    """Scheme, host (lower case, no default port, no trailing dot) and path without a
    trailing slash: `HTTPS://Acme.example/` and `https://acme.example` are one URL."""
    try:
        u = urlsplit(url.strip())
        n = u.port  # raises for a port that is not a number or out of range
    except ValueError:
        return url.strip().lower()
    host = (u.hostname or "").lower().rstrip(".")
    port = f":{n}" if n and n not in (80, 443) else ""
    return f"{(u.scheme or 'https').lower()}://{host}{port}{u.path.rstrip('/')}"


def evaluate(wanted: list[str], monitors: list[Monitor], provider: str) -> tuple[list[Finding], list[dict[str, Any]]]:
    where = {"uptimerobot": "UptimeRobot", "betterstack": "Better Stack"}.get(provider, provider)
    found: list[Finding] = []
    by_url: dict[str, list[Monitor]] = {}
    for m in monitors:
        by_url.setdefault(norm(m.url), []).append(m)
    for url in wanted:
        ms = by_url.get(norm(url), [])
        if not ms:
            found.append(Finding(
                "fail", f"unwatched:{url}", f"nothing watches {url}",
                "If it goes down, customers find out first.",
                f"In {where}, add a monitor: New monitor > HTTP(s), URL {url}, check every 5 minutes, and pick "
                "an alert contact the team reads (a shared email or Slack channel)."))
            continue
        m = next((x for x in ms if x.active), ms[0])
        if not m.active:
            found.append(Finding("fail", f"paused:{url}", f"the monitor for {url} is paused",
                                 "A paused monitor watches nothing: an outage goes unnoticed.",
                                 f"In {where}, open the monitor \"{m.name}\" and click Resume (or Start)."))
            continue
        if m.interval_s and m.interval_s > MAX_INTERVAL_S:
            found.append(Finding(
                "warn", f"slow-interval:{url}", f"{url} is checked every {m.interval_s // 60} minutes",
                "An outage can then last that long before anyone hears of it.",
                f"In {where}, edit the monitor \"{m.name}\" and set the interval to 5 minutes or less."))
        if not m.contacts:
            found.append(Finding(
                "fail", f"no-contact:{url}", f"the monitor for {url} alerts nobody",
                "It sees the outage, but no email, message or call goes out.",
                f"In {where}, edit the monitor \"{m.name}\" and add an alert contact the team reads (a shared "
                "email or a Slack channel), with an owner who answers it."))
        if m.up is False:
            found.append(Finding("fail", f"down:{url}", f"{url} is down now, says {where}",
                                 "Customers cannot use it at this moment.",
                                 "Open the site-down runbook (in the app press i; in a terminal "
                                 "`launchready incident site-down`), or deploy-failure if a deploy just went out."))
    listed = {norm(u) for u in wanted}
    extra = [{"name": m.name, "url": m.url, "status": m.status, "interval_s": m.interval_s,
              "alerts": m.contacts} for m in monitors if norm(m.url) not in listed]
    return found, extra


async def check(ctx: CheckContext, target: str, params: dict[str, Any]) -> CheckResult:
    provider = provider_of(ctx.profile, "monitoring")
    mod = _provider(provider) if provider else None
    if mod is None:
        return skipped(KIND, target, f"`monitoring.provider` is '{provider or ''}'; LaunchReady reads "
                       "uptimerobot or betterstack", evidence={"provider": provider})
    try:
        token = await token_for(ctx, "monitoring")
    except NoToken as e:
        return skipped(KIND, target, f"{e.reason}. {mod.TOKEN_HELP}", evidence={"provider": provider})
    api = Api(ctx, api_base(ctx.profile, "monitoring"), mod.headers(token), mod.PERMISSIONS, token)
    wanted = [str(u) for u in ctx.profile.get("monitor") or []]
    name = {"uptimerobot": "UptimeRobot", "betterstack": "Better Stack"}.get(provider, provider)
    monitors = await read_or_error(KIND, target, name, "about the monitors", lambda: mod.list_monitors(api),
                                   {"provider": provider})
    if isinstance(monitors, CheckResult):
        return monitors
    found, extra = evaluate(wanted, monitors, provider)
    watched = [{"name": m.name, "url": m.url, "status": m.status, "interval_s": m.interval_s, "alerts": m.contacts}
               for m in monitors if norm(m.url) in {norm(u) for u in wanted}]
    ev = {"provider": provider, "watched": watched, "not_in_profile": extra, "monitors_in_account": len(monitors)}
    if not wanted:
        found.append(Finding("warn", "no-monitor-urls", "the profile lists no `monitor` URLs",
                             "LaunchReady cannot tell whether the pages that matter are watched.",
                             "List your home page, login and API health URLs under `monitor:` in launchready.yaml."))
    return findings_result(KIND, target, found, ev, ok="every monitor URL is watched every 5 minutes or less, "
                           "with an alert contact, and up", what=("monitoring gap", "monitoring gaps"))


# A monitor that says the site is down now: customers cannot use it. Other gaps are hygiene.
problem_findings = problem_findings_by_level({"down": DOWN})

CHECK_KIND = Kind(
    name=KIND,
    family="ops",
    title="Uptime monitors",
    plain="every monitored URL has an active monitor that checks often and alerts someone",
    about="monitors from the UptimeRobot or Better Stack API (read-only key)",
    check=check,
    targets=targets,
    deadline_fn=deadline,
    schema=SCHEMA,
    shown=("provider", "watched", "not_in_profile", "findings"),
)
