"""`error_tracking`: Sentry receives the app's errors, by release, and tells someone.

Read through Sentry's API with a read-only token: the project exists and received events
in the last 14 days; events carry a release, and the newest release matches the last
deploy LaunchReady recorded (the roadmap's "alerts grouped by release version"); at least
one alert rule with an action exists. From the env files: production has the DSN env var,
and no other environment shares production's DSN (else staging's errors page the on-call
person). DSN values are compared by keyed hash and never shown.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from typing import TYPE_CHECKING, Any

from launchready_tui.core.checks._accounts import (
    SHAPE_ERRORS,
    Api,
    ApiProblem,
    NoToken,
    api_base,
    as_dict,
    dicts,
    shape_problem,
    token_for,
)
from launchready_tui.core.checks.base import Kind
from launchready_tui.core.findings import Finding, findings_result
from launchready_tui.core.registry import MissingInput
from launchready_tui.core.results import CheckResult, errored, skipped

if TYPE_CHECKING:
    from launchready_tui.core.context import CheckContext
    from launchready_tui.core.profile import Profile

KIND = "error_tracking"
PERMISSIONS = "the scopes project:read, event:read, org:read and alerts:read"
# A personal (user) token: organization tokens cannot carry these read scopes.
TOKEN_HELP = ("In Sentry open Settings > Personal Tokens (under User Settings; or go to "
              "sentry.io/settings/account/api/auth-tokens/) > Create New Token. Set Project, Issue & Event, "
              f"Organization and Alerts to Read and leave the rest at No Access ({PERMISSIONS}). Copy it (Sentry "
              "shows it once), store it with `launchready credentials add sentry-api` and set "
              "`error_tracking.credential: sentry-api`.")
DSN_VARS = ("SENTRY_DSN", "NEXT_PUBLIC_SENTRY_DSN", "VITE_SENTRY_DSN", "PUBLIC_SENTRY_DSN", "REACT_APP_SENTRY_DSN",
            "NUXT_PUBLIC_SENTRY_DSN", "EXPO_PUBLIC_SENTRY_DSN")
EVENT_PAGES = 3
SCHEMA = {"error_tracking": {"provider": "str", "organization": "str", "project": "str", "credential": "str",
                             "credential_env": "str", "api_base": "str", "dsn_var": "str"}}


def targets(profile: Profile, params: dict[str, Any]) -> list[str]:
    conf = profile.get("error_tracking") or {}
    if not conf:
        raise MissingInput("error_tracking.organization", "your Sentry organization and project slugs, and "
                           "`error_tracking.credential`: the keyring id of a read-only token")
    for key in ("organization", "project"):
        if not conf.get(key):
            raise MissingInput(f"error_tracking.{key}", "the slug shown in the project's Sentry address")
    return [f"{conf['organization']}/{conf['project']}"]


def deadline(params: dict[str, Any], timeout_s: float) -> float:
    return 10 * timeout_s + 30


def _tag(event: dict[str, Any], key: str) -> str | None:
    tags = event.get("tags")
    for t in tags if isinstance(tags, list) else []:
        if isinstance(t, dict) and t.get("key") == key:
            return str(t.get("value"))
    return None


def last_recorded_release(history: list[dict[str, Any]]) -> str | None:
    """The newest release a snapshot was keyed by. A snapshot with no release given is keyed
    by the day's date (`release_source: date`): that names no deploy, so it is left out (it
    made every Sentry release look like a mismatch)."""
    rel = [h for h in history if isinstance(h, dict) and h.get("release") and h.get("release_source") != "date"]
    rel.sort(key=lambda h: str(h.get("at") or h.get("started_at") or ""))
    return str(rel[-1]["release"]) if rel else None


def dsn_findings(profile: Profile, dsn_var: str | None) -> tuple[list[Finding], dict[str, Any]]:
    """Production has the DSN; no other environment has the same one (keyed hashes only)."""
    from launchready_tui.core.checks.env import environments, is_production, load_environment

    key = os.urandom(16)
    names = (dsn_var,) if dsn_var else DSN_VARS
    prod: list[tuple[str, bytes]] = []
    others: dict[bytes, list[str]] = {}
    seen: dict[str, str] = {}
    for env, conf in environments(profile).items():
        try:
            src = load_environment(profile, env, conf)
        except Exception:  # an unreadable env file is the env check's finding, not this one's
            continue
        var = next((n for n in names if src.values.get(n)), None)
        seen[env] = var or ""
        if var is None:
            continue
        digest = hmac.new(key, src.values[var].encode(), hashlib.sha256).digest()
        if is_production(env, conf):
            prod.append((env, digest))
        else:
            others.setdefault(digest, []).append(env)
    out: list[Finding] = []
    prod_envs = [e for e, c in environments(profile).items() if is_production(e, c)]
    for env in prod_envs:
        if not seen.get(env):
            out.append(Finding(
                "fail", f"no-dsn:{env}", f"{env} has no Sentry DSN env var ({' or '.join(names[:2])})",
                "Without it the app sends no errors to Sentry, so crashes go unseen.",
                f"In Sentry open Settings > Projects > (your project) > Client Keys (DSN), copy the DSN, and "
                f"add it as {names[0]} in the {env} environment's settings on your host."))
    for env, digest in prod:
        if digest in others:
            out.append(Finding(
                "warn", f"shared-dsn:{env}", f"{', '.join(others[digest])} send errors with {env}'s DSN",
                "Errors from testing land in production's project and page the on-call person for nothing, "
                "or hide real ones.",
                "Give each non-production environment its own DSN (a second Sentry project, or at least set "
                "`environment` in the SDK's init) and put it in that environment's env vars."))
    return out, {"dsn_var_per_environment": seen}


async def check(ctx: CheckContext, target: str, params: dict[str, Any]) -> CheckResult:
    conf = ctx.profile.get("error_tracking") or {}
    if str(conf.get("provider") or "sentry").lower() != "sentry":
        return skipped(KIND, target, "LaunchReady reads Sentry (`error_tracking.provider: sentry`)")
    try:
        token = await token_for(ctx, "error_tracking")
    except NoToken as e:
        return skipped(KIND, target, f"{e.reason}. {TOKEN_HELP}", evidence={"project": target})
    from launchready_tui.core.guard import authorization_value

    api = Api(ctx, api_base(ctx.profile, "error_tracking"), {"Authorization": authorization_value(token)},
              PERMISSIONS, token)
    org, proj = str(conf["organization"]), str(conf["project"])
    found: list[Finding] = []
    try:
        project, _ = await api.call(f"/projects/{org}/{proj}/", allow_404=True)
        if project is None:
            return findings_result(KIND, target, [Finding(
                "fail", "no-project", f"Sentry has no project {proj} in {org}",
                "Errors have nowhere to go, so nobody sees them.",
                "Check `error_tracking.organization` and `project` (the slugs in the project's Sentry address), "
                "or create the project in Sentry: Projects > Create Project.")], {"project": target}, ok="")
        project = as_dict(project, "Sentry", "the project")
        events: list[dict[str, Any]] = []
        path: str | None = f"/projects/{org}/{proj}/events/?statsPeriod=14d&full=false"
        for _ in range(EVENT_PAGES):
            if path is None:
                break
            page, r = await api.call(path)
            events.extend(dicts(page, "Sentry", "the event list"))
            path = _next_link(r.header("link"), api.base)
        releases, _ = await api.call(f"/organizations/{org}/releases/", {"project": project.get("id"), "per_page": 5})
        rules, _ = await api.call(f"/projects/{org}/{proj}/rules/")
        releases = dicts(releases, "Sentry", "the release list")
        rules = dicts(rules, "Sentry", "the alert rules")
        for rule in rules:
            if not isinstance(rule.get("actions") or [], list):
                raise ApiProblem("Sentry sent an alert rule whose actions are not a list",
                                 "Run the check again later.")
    except ApiProblem as e:
        return errored(KIND, target, e.reason, fix=e.fix, evidence={"project": target})
    except SHAPE_ERRORS:
        problem = shape_problem("Sentry", "about the project")
        return errored(KIND, target, problem.reason, fix=problem.fix, evidence={"project": target})
    if not events:
        found.append(Finding(
            "warn", "no-events", "Sentry received no events in the last 14 days",
            "An app that never reports an error is usually an app whose error reporting is not wired up.",
            "Trigger a test error in production (Sentry's setup page shows the one-line snippet for your "
            "framework) and check that it appears under Issues."))
    with_release = [e for e in events if _tag(e, "release")]
    if events and not with_release:
        found.append(Finding(
            "warn", "no-release", "events carry no release",
            "Without a release, nobody can tell which deploy brought an error in, or whether a rollback fixed it.",
            "Set `release` in the Sentry SDK's init to the commit or version (most hosts expose it, e.g. "
            "VERCEL_GIT_COMMIT_SHA), or upload releases with sentry-cli in the deploy job."))
    newest = str(releases[0].get("version") or "") if releases else ""
    recorded = last_recorded_release(ctx.state.read_history()) if ctx.state is not None else None
    if recorded and newest and recorded != newest:
        found.append(Finding(
            "warn", "release-mismatch", f"Sentry's newest release ({newest[:12]}) is not the last deploy "
            f"LaunchReady recorded ({recorded[:12]})",
            "Errors of the live version are then filed under an old release, or the deploy is not what you think.",
            "Make the deploy job create the Sentry release from the same commit (`sentry-cli releases new $SHA`), "
            "and pass the same value to `launchready check --release`."))
    acting = [r for r in rules or [] if isinstance(r, dict) and r.get("actions")]
    if not acting:
        found.append(Finding(
            "fail", "no-alert-rule", "no alert rule sends Sentry's errors anywhere",
            "Errors pile up in Sentry and nobody hears of them until a customer complains.",
            "In Sentry open Alerts > Create Alert > Issues: when \"A new issue is created\", \"Send a "
            "notification to\" the team's alert channel (Slack, or a shared email). Save Rule."))
    dsn, dsn_ev = dsn_findings(ctx.profile, conf.get("dsn_var"))
    found.extend(dsn)
    ev = {"project": target, "events_14d": len(events), "events_with_release": len(with_release),
          "newest_release": newest, "recorded_release": recorded,
          "alert_rules": [{"name": r.get("name"), "actions": len(r.get("actions") or [])} for r in rules or []
                          if isinstance(r, dict)], **dsn_ev}
    return findings_result(KIND, target, found, ev, ok=f"{len(events)} events in 14 days, by release, with "
                           f"{len(acting)} alert rule(s)", what=("error-tracking gap", "error-tracking gaps"))


def _next_link(link: str | None, base: str) -> str | None:
    """Sentry pages with `Link: <...>; rel="next"; results="true"`; only the same API host."""
    from urllib.parse import urlsplit

    for part in (link or "").split(","):
        if 'rel="next"' in part and 'results="true"' in part:
            url = part.split(";")[0].strip().strip("<>")
            u, b = urlsplit(url), urlsplit(base)
            if u.hostname == b.hostname and u.path.startswith(b.path):
                return u.path[len(b.path):] + (f"?{u.query}" if u.query else "")
    return None


CHECK_KIND = Kind(
    name=KIND,
    family="ops",
    title="Error tracking",
    plain="Sentry receives errors by release, alerts a channel, and production has its own DSN",
    about="project, events, releases and alert rules from Sentry's API (read-only token); DSNs from env files",
    check=check,
    targets=targets,
    deadline_fn=deadline,
    schema=SCHEMA,
    shown=("events_14d", "newest_release", "alert_rules", "findings"),
)
