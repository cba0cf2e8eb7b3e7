"""`latency`: p95 of each key route under its budget, measured with open-loop load.

Each `performance.routes` entry gets a fixed request rate for a fixed time (default 10
requests/s for 10 s) from `core.loadgen`, which times every request from when it was
due, so a server stall shows in the tail instead of slowing the test down. The caps
(60 s, 200 requests/s per route) keep the probe from turning into a load test of
production; a route lifts them only with `allow_heavy: true` in the profile.

Each run appends a snapshot to the state's history, keyed by release (`--release`, else
`git describe` of the first code path, else the date), and compares p95 with the
previous release's snapshot of the same route.

Helpers shared with the other perf probes (`page_load`, `rate_limit`) live here:
`own_host_refusal`, `auth_headers`.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypedDict, cast

from launchready_tui.core.checks.base import Kind, Target, target_data
from launchready_tui.core.registry import MissingInput
from launchready_tui.core.results import CheckResult, errored, failed, passed, skipped, warned

if TYPE_CHECKING:
    import os

    from launchready_tui.core.context import CheckContext
    from launchready_tui.core.loadgen import LoadReport
    from launchready_tui.core.profile import Profile

KIND = "latency"

DEFAULT_RATE = 10.0
DEFAULT_DURATION_S = 10.0
DEFAULT_BUDGET_MS = 300.0
DEFAULT_REGRESSION_PCT = 20.0
CAP_RATE = 200.0
CAP_DURATION_S = 60.0
# Even with allow_heavy: true, a probe stays bounded.
HEAVY_MAX_RATE = 2000.0
HEAVY_MAX_DURATION_S = 300.0
ERROR_RATE_LIMIT = 0.01
BROKEN_ERROR_RATE = 0.5  # most requests failing: the route is broken, whatever its speed
METHOD_NOTE = (
    "open loop at a fixed rate: each request is timed from when it was due to be sent, "
    "so waiting behind a stalled server counts (no coordinated omission)"
)


# ---------------------------------------------------------------------------- shared helpers


# The domain guard and credential helpers live in core/guard.py (one place for every
# probe and every authenticated request); re-exported here for the other perf probes.
from launchready_tui.core.guard import (  # noqa: E402,F401
    CredentialRefused,
    NeedsCredential,
    auth_headers,
    authorization_value,
    get_secret,
    host_of,
    own_host_refusal,
)

_INFLIGHT: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


async def shared_probe(net: object, key: tuple[Any, ...], factory: Callable[[], Awaitable[Any]]) -> Any:
    """Run factory() once for identical probes that overlap in one run (one `Net`; any
    object that lives as long as the run will do, it is only a weak key).

    Several runbook steps check the same route; run at the same moment they would
    multiply the load (and, for rate limits, spoil each other's attempt counts). Only
    probes still in flight are shared: a later re-run measures afresh."""
    per = _INFLIGHT.setdefault(net, {})
    task = per.get(key)
    if task is None:
        task = asyncio.ensure_future(factory())
        per[key] = task

        def _done(t: asyncio.Future) -> None:
            if per.get(key) is t:
                del per[key]
            if not t.cancelled():
                t.exception()  # retrieved, so an orphaned failure is not logged as lost

        task.add_done_callback(_done)
    return await asyncio.shield(task)


# ---------------------------------------------------------------------------- targets


def _entries(profile: Profile, params: dict[str, Any]) -> list[dict[str, Any]]:
    raw = params.get("routes") or profile.get("performance.routes") or []
    return [r if isinstance(r, dict) else {"url": str(r)} for r in raw]


def targets(profile: Profile, params: dict[str, Any]) -> list[Target]:
    """One target per route: its URL, carrying the route's own settings."""
    routes = [r for r in _entries(profile, params) if r.get("url")]
    if not routes:
        raise MissingInput("performance.routes", "the key routes to time, e.g. an admin action")
    return [Target(str(r["url"]), r) for r in routes]


def find_entry(entries: list[dict[str, Any]], target: str) -> dict[str, Any]:
    for e in entries:
        if str(e.get("url")) == target or str(e.get("name") or "") == target:
            return e
    return {"url": target}


def deadline(params: dict[str, Any], timeout_s: float) -> float:
    # The real bound is inside the check (duration + a grace of 2 timeouts); this is a
    # safety net that must never cut a legitimate heavy run short.
    dur = params.get("duration_s")
    try:
        dur = min(float(dur), HEAVY_MAX_DURATION_S) if dur is not None else HEAVY_MAX_DURATION_S
    except (TypeError, ValueError):
        dur = HEAVY_MAX_DURATION_S
    return dur + 3 * timeout_s + 20


def plan_load(route: dict[str, Any], params: dict[str, Any]) -> tuple[float, float, list[str]]:
    """Rate and duration after defaults and caps, with plain-words notes on any capping.

    Rate and duration come from the route, else the check's params, else the defaults.
    Only the profile's route entry can say `allow_heavy: true`."""

    def num(key: str, default: float) -> float:
        for src in (route, params):
            v = src.get(key)
            if v is not None and not isinstance(v, bool):
                try:
                    f = float(v)
                except (TypeError, ValueError):
                    continue
                if f > 0:
                    return f
        return default

    rate = num("rate", DEFAULT_RATE)
    dur = num("duration_s", DEFAULT_DURATION_S)
    heavy = route.get("allow_heavy") is True
    notes: list[str] = []
    max_rate, max_dur = (HEAVY_MAX_RATE, HEAVY_MAX_DURATION_S) if heavy else (CAP_RATE, CAP_DURATION_S)
    hint = "" if heavy else " (set `allow_heavy: true` on the route to go higher)"
    if rate > max_rate:
        notes.append(f"rate capped at {max_rate:g} requests/s instead of {rate:g}{hint}")
        rate = max_rate
    if dur > max_dur:
        notes.append(f"duration capped at {max_dur:g} s instead of {dur:g}{hint}")
        dur = max_dur
    return rate, dur, notes


def _budget(route: dict[str, Any], params: dict[str, Any]) -> float:
    for src in (route, params):
        v = src.get("budget_ms")
        if isinstance(v, int | float) and not isinstance(v, bool) and v > 0:
            return float(v)
    return DEFAULT_BUDGET_MS


# ---------------------------------------------------------------------------- release + history


async def release_name(ctx: CheckContext) -> tuple[str, str]:
    """(name, where it came from): --release, else `git describe` of the first code path,
    else today's date."""
    opt = getattr(ctx.options, "release", None)
    if opt:
        return str(opt), "--release"
    paths = ctx.profile.get("code.paths") or []
    if paths:
        d = ctx.profile.resolve_path(str(paths[0]))
        name = await git_describe(d)
        if name:
            return name, f"git describe in {paths[0]}"
    return ctx.clock().date().isoformat(), "date"


async def git_describe(directory: str | os.PathLike[str]) -> str | None:
    try:
        proc = await asyncio.create_subprocess_exec(
            "git", "-C", str(directory), "describe", "--tags", "--always", "--dirty",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
            stdin=asyncio.subprocess.DEVNULL,
        )
    except OSError:
        return None
    try:
        async with asyncio.timeout(5):
            out, _ = await proc.communicate()
    except TimeoutError:
        proc.kill()
        await proc.wait()
        return None
    if proc.returncode != 0:
        return None
    name = out.decode("utf-8", "replace").strip()
    return name or None


def previous_snapshot(history: list[dict], url: str, method: str, release: str) -> dict | None:
    """The newest snapshot of this route from another release."""
    for h in reversed(history):
        if (
            h.get("type") == "latency"
            and h.get("url") == url
            and h.get("method", "GET") == method
            and h.get("release") != release
            and isinstance(h.get("p95_ms"), int | float)
        ):
            return h
    return None


# ---------------------------------------------------------------------------- the check


async def check(ctx: CheckContext, target: str, params: dict[str, Any]) -> CheckResult:
    from launchready_tui.core import loadgen
    from launchready_tui.core.net import DnsFailure, HostResolutionError

    route = target_data(target, lambda: find_entry(_entries(ctx.profile, params), target))
    url = str(route.get("url") or target)
    refusal = own_host_refusal(KIND, ctx.profile, url, "send load to")
    if refusal is not None:
        return refusal
    try:
        headers, _secret = await auth_headers(ctx, route)
    except NeedsCredential as e:
        return skipped(KIND, url, e.reason, evidence={"url": url, "credential": e.cred_id})
    method = str(route.get("method") or params.get("method") or "GET").upper()
    body = route.get("body")
    rate, duration, notes = plan_load(route, params)
    budget = _budget(route, params)
    spec = loadgen.LoadSpec(
        url=url,
        rate=rate,
        duration_s=duration,
        method=method,
        headers=headers,
        body=str(body).encode() if body is not None else None,
        timeout_s=ctx.net.timeout_s,
        max_connections=int(min(256, max(8, rate))),
    )
    key = ("latency", url, method, rate, duration, str(route.get("auth") or ""),
           str(sorted((route.get("headers") or {}).items())), str(body))

    async def measure() -> tuple[LoadReport, str, str, Any, LatencySnapshot | None]:
        """Load, then the snapshot: once per route per run, however many steps ask."""
        rep = await loadgen.run_load(ctx.net, spec)
        release, source = await release_name(ctx)
        prev = None
        if ctx.state is not None and rep.completed:
            try:
                prev = previous_snapshot(ctx.state.read_history(), url, method, release)
            except OSError:
                prev = None
            s = rep.summary()
            snap = cast(LatencySnapshot, {  # the summary's figures are typed dict[str, Any]
                "type": "latency",
                "release": release,
                "release_source": source,
                "at": ctx.clock().isoformat(timespec="seconds"),
                "url": url,
                "method": method,
                "budget_ms": budget,
                **{k: s[k] for k in ("p50_ms", "p95_ms", "p99_ms", "max_ms", "requested_rps",
                                     "achieved_rps", "errors", "error_rate", "planned")},
            })
            # returned in the evidence; the recorder (core/recorder.py) keeps it in the history
            return rep, release, source, prev, snap
        return rep, release, source, prev, None

    try:
        rep, release, source, prev, snap = await shared_probe(ctx.net, key, measure)
    except (HostResolutionError, DnsFailure, OSError, ValueError) as e:
        return errored(KIND, url, f"could not start: {e}", evidence={"url": url})

    s = rep.summary()
    ev: dict[str, Any] = {**s, "budget_ms": budget, "method_note": METHOD_NOTE}
    if notes:
        ev["capped"] = notes
    if snap is not None:
        ev["snapshot"] = snap  # one object for every result sharing this measurement
    if rep.completed == 0:
        top = max(rep.error_kinds.items(), key=lambda kv: kv[1])[0] if rep.error_kinds else "no answer"
        return errored(
            KIND, url, f"no request to {url} got an answer ({top})", evidence=ev,
            fix="Open the address in a browser. If it does not load, the site is down: see "
            "the site-down incident runbook. If it loads, check the profile's `network` keys.",
        )
    ev["release"], ev["release_source"] = release, source
    p95 = float(s["p95_ms"])
    pct = float(ctx.profile.get("performance.regression_pct") or DEFAULT_REGRESSION_PCT)
    regression = None
    if prev is not None:
        ev["previous"] = {"release": prev.get("release"), "p95_ms": prev.get("p95_ms"), "at": prev.get("at")}
        old = float(prev["p95_ms"])
        if old > 0 and p95 > old * (1 + pct / 100):
            regression = (p95 - old) / old * 100
            ev["regression_pct"] = round(regression, 1)

    name = route.get("name") or url
    figures = (
        f"p95 {p95:.0f} ms (budget {budget:.0f} ms), p50 {s['p50_ms']:.0f} ms, "
        f"p99 {s['p99_ms']:.0f} ms, max {s['max_ms']:.0f} ms; {s['achieved_rps']:g} of "
        f"{rate:g} requests/s for {duration:g} s"
    )
    extras: list[str] = []
    if rep.error_rate > ERROR_RATE_LIMIT:
        extras.append(f"{rep.errors} of {rep.planned} requests failed ({rep.error_rate:.1%}: "
                      f"{_top_errors(rep)})")
    if regression is not None:
        extras.append(f"p95 went from {float(prev['p95_ms']):.0f} ms in {prev.get('release')} to "
                      f"{p95:.0f} ms in {release} (+{regression:.0f}%)")
    if rep.achieved_rps < 0.9 * rate:
        extras.append(f"only {rep.achieved_rps:.0f} of {rate:g} requests/s could be sent")
    if notes:
        extras.append("; ".join(notes))
    tail = (". " + ". ".join(extras)) if extras else ""

    if rep.error_rate > BROKEN_ERROR_RATE:
        result = failed(
            KIND, url, f"{name} is failing: {figures}{tail}", evidence=ev,
            why="Most requests to this route fail, so for users it is broken, however fast "
            "the error pages come back.",
            fix=_error_fix(rep, route),
        )
    elif p95 > budget:
        result = failed(
            KIND, url, f"{name} is too slow: {figures}{tail}", evidence=ev,
            why=f"One in twenty requests takes longer than {budget:.0f} ms. People notice "
            "slow admin actions and pages, click twice, and give up.",
            fix="Find what this route waits on: look for slow database queries (add the "
            "missing index), calls to other services made one after another, or a server "
            "plan that is too small. Your hosting dashboard's metrics show where the time "
            "goes. Fix the slowest part, deploy, then run this check again.",
        )
    elif rep.error_rate > ERROR_RATE_LIMIT:
        result = warned(
            KIND, url, f"{name} is fast enough but some requests failed: {figures}{tail}", evidence=ev,
            why="Failed requests are errors your users see; they can also make the timing "
            "look better than it is.",
            fix=_error_fix(rep, route),
        )
    elif regression is not None:
        result = warned(
            KIND, url, f"{name} got slower since the last release: {figures}{tail}", evidence=ev,
            why=f"p95 grew by more than {pct:g}% since {prev.get('release')}. Slowdowns add "
            "up release after release until the budget is blown.",
            fix="Compare what changed between the two releases for this route (new queries, "
            "new external calls, bigger pages). Fix or accept it; the next release is "
            "compared with this one.",
        )
    else:
        result = passed(KIND, url, f"{name} is fast: {figures}{tail}", evidence=ev,
                        why=f"Key actions stay under {budget:.0f} ms for 95% of requests.")

    return result


def _top_errors(rep: LoadReport) -> str:
    kinds = dict(rep.error_kinds)
    for code, n in rep.statuses.items():
        if int(code) >= 400:
            kinds[f"HTTP {code}"] = n
    top = sorted(kinds.items(), key=lambda kv: -kv[1])[:3]
    return ", ".join(f"{k} x{n}" for k, n in top)


def _error_fix(rep: LoadReport, route: dict[str, Any]) -> str:
    codes = {int(c) for c in rep.statuses if int(c) >= 400}
    if codes & {401, 403} and not route.get("auth"):
        return ("The route needs sign-in. Store a test account's token with `launchready "
                "credentials add ID` and add `auth: ID` to this route in launchready.yaml.")
    if 429 in codes:
        return ("The route rate-limited the probe. Lower `rate` for this route, or allow the "
                "probe's address in your rate limiter while you measure.")
    return ("Look at your hosting dashboard's logs for this route around the time of the "
            "check: errors under load usually mean too few server instances or database "
            "connections. Fix it, then run the check again.")


class LatencySnapshot(TypedDict, total=False):
    """One route's figures for one release, kept in the history (the handover's
    performance table and the next run's regression check read these)."""

    type: str  # "latency"
    release: str
    release_source: str
    at: str
    url: str
    method: str
    budget_ms: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    requested_rps: float
    achieved_rps: float
    errors: int
    error_rate: float
    planned: int


class LatencyEvidence(TypedDict, total=False):
    """What `check` puts in a result's evidence (the handover reads these keys)."""

    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    budget_ms: float
    error_rate: float
    achieved_rps: float
    requested_rps: float
    release: str
    previous: dict[str, Any]
    url: str
    method: str
    snapshot: LatencySnapshot  # taken out by the recorder into the history


CHECK_KIND = Kind(
    name="latency",
    family="perf",
    title="Speed",
    plain="key actions answer fast enough",
    about="p95 of key routes under budget",
    check=check,
    targets=targets,
    deadline_fn=deadline,
    schema={"performance": {"routes": ("list", {"url": "str", "method": "str", "budget_ms": "num", "auth": "str", "rate": "num", "duration_s": "num", "allow_heavy": "bool", "headers": ("map", "str"), "body": "str", "name": "str"}), "regression_pct": "num"}},
    evidence=LatencyEvidence,
    shown=("p50_ms", "p95_ms", "p99_ms", "max_ms", "budget_ms", "error_rate", "achieved_rps", "requested_rps", "release", "previous", "p50", "p95", "p99"),
)
