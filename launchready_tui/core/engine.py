"""Plan the checks of a step, a stage or everything, and run them concurrently.

Concurrency lives here and only here: a semaphore bounds how many checks run at once,
each check has an overall deadline that fits its work, and results are yielded as they
finish. A check that raises becomes an `error` result; the run never crashes.
"""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
import json
import time
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from launchready_tui.core.checks.base import Target
from launchready_tui.core.context import CheckContext
from launchready_tui.core.recorder import ResultKey
from launchready_tui.core.registry import KINDS, MissingInput, NotAvailable, load_kind
from launchready_tui.core.results import CheckResult, Status, errored, skipped
from launchready_tui.core.runbook import CheckSpec, Command, Runbook, Step, TemplateMissing, render

if TYPE_CHECKING:  # pragma: no cover
    from launchready_tui.core.profile import Profile
    from launchready_tui.core.redact import Redactor

DEFAULT_DEADLINE_FACTOR = 4.0


@dataclass
class Planned:
    runbook: Runbook
    step: Step
    spec: CheckSpec
    target: str
    params: dict[str, Any]
    skip: CheckResult | None = None

    @property
    def key(self) -> str:
        return str(ResultKey(self.runbook.id, self.step.id, self.spec.id, self.target))


def select(
    runbooks: Iterable[Runbook],
    *,
    stages: list[int] | None = None,
    runbook_id: str | None = None,
    step_id: str | None = None,
) -> list[tuple[Runbook, Step]]:
    out = []
    for rb in runbooks:
        if stages and rb.stage not in stages:
            continue
        if runbook_id and rb.id != runbook_id:
            continue
        for st in rb.steps:
            if step_id and st.id != step_id:
                continue
            out.append((rb, st))
    return out


def plan(selected: list[tuple[Runbook, Step]], profile: Profile, *, include_commands: bool = False,
         run_commands: bool = False) -> list[Planned]:
    """Expand every check block of the selected steps into one item per target.

    With include_commands, each `command` block also becomes a `command` check (the CLI
    does this). Commands never run by surprise: only a run that names exactly one step
    may run them (`run_commands`, which the CLI sets for `--runbook X --step Y --yes`);
    in any other run every command item (blocks and `kind: command` checks alike) is a
    `skip` that says how to run that one command on its own. Within one run, the same
    command (by its text) is planned once: a duplicate is a `skip` naming the first."""
    items: list[Planned] = []
    for rb, st in selected:
        for spec in st.checks:
            items.extend(plan_spec(rb, st, spec, profile))
        if include_commands:
            for block in st.commands:
                items.extend(plan_command(rb, st, block, profile))
    if not run_commands:
        items = [_hold_command(it) for it in items]
    return _once_per_command(items, profile)


def run_alone_line(rb: Runbook, st: Step) -> str:
    """The exact command line that runs one step's command on its own."""
    return f"launchready check --runbook {rb.id} --step {st.id} --yes"


def _hold_command(it: Planned) -> Planned:
    if it.spec.kind != "command" or it.skip is not None:
        return it
    line = run_alone_line(it.runbook, it.step)
    reason = (f"needs confirmation: a command runs only when you ask for its one step. Run it alone with "
              f"`{line}`, or press Run in the app")
    return Planned(it.runbook, it.step, it.spec, it.target, it.params,
                   skipped("command", it.target, reason,
                           evidence={"needs_confirmation": True, "run_alone": line}))


def _command_text(it: Planned, profile: Profile) -> str | None:
    """What a planned command item would run (None when it cannot tell)."""
    p = it.params
    try:
        if p.get("rollback"):
            return str(profile.get("deploy.rollback") or "").strip() or None
        if p.get("run"):
            return str(p["run"]).strip()
        blocks = list(it.step.commands)
        block = next((b for b in blocks if b.id == str(p.get("block"))), None) if p.get("block") else \
            (blocks[0] if len(blocks) == 1 else None)
        return str(render(block.run, profile)).strip() if block is not None else None
    except TemplateMissing:
        return None


def _once_per_command(items: list[Planned], profile: Profile) -> list[Planned]:
    """The same command reached twice in one run (a step's block and a check naming it,
    or the rollback from stage 2 and from an incident) runs once."""
    first: dict[str, Planned] = {}
    out: list[Planned] = []
    for it in items:
        if it.spec.kind == "command" and it.skip is None:
            text = _command_text(it, profile)
            if text:
                seen = first.get(text)
                if seen is not None:
                    it = Planned(it.runbook, it.step, it.spec, it.target, it.params, skipped(
                        "command", it.target,
                        f"not run again: the same command is already part of this run ({seen.key}); "
                        "it runs once per request", evidence={"same_as": seen.key}))
                else:
                    first[text] = it
        out.append(it)
    return out


def plan_command(rb: Runbook, st: Step, block: Command, profile: Profile) -> list[Planned]:
    """A `command` block as a `command` check (one item), for the CLI's --yes runs and the
    TUI's Run button alike, so both record the same result under the same key."""
    spec = CheckSpec(block.id, "command", {"block": block.id}, None, block.line, block.label)
    return plan_spec(rb, st, spec, profile)


def plan_spec(rb: Runbook, st: Step, spec: CheckSpec, profile: Profile) -> list[Planned]:
    def skip(target: str, reason: str, **ev: Any) -> Planned:
        return Planned(rb, st, spec, target, {}, skipped(spec.kind, target, reason, evidence=ev))

    try:
        params = render(spec.params, profile)
        targets = render(spec.targets, profile) if spec.targets is not None else None
    except TemplateMissing as e:
        return [skip("-", f"fill in `{e.var}` in launchready.yaml to run this check", missing_key=e.var)]
    try:
        mod = load_kind(spec.kind)
    except NotAvailable:
        return [skip("-", f"the `{spec.kind}` check is not available yet in this version")]
    if targets is None:
        if mod.targets is None:  # a kind that only checks the targets its runbook names
            return [skip("-", "nothing to check: the target list is empty")]
        try:
            targets = list(mod.targets(profile, params))
        except MissingInput as e:
            return [skip("-", str(e), missing_key=e.key)]
    if not targets:
        return [skip("-", "nothing to check: the target list is empty")]
    return [Planned(rb, st, spec, t if isinstance(t, Target) else str(t), params) for t in targets]


def deadline_for(kind: str, params: dict[str, Any], timeout_s: float) -> float:
    try:
        mod = load_kind(kind)
    except NotAvailable:
        return timeout_s
    fn = getattr(mod, "deadline", None)
    if fn is not None:
        return float(fn(params, timeout_s))
    return timeout_s * DEFAULT_DEADLINE_FACTOR


def _stamp(r: CheckResult, item: Planned, started: dt.datetime, t0: float) -> CheckResult:
    r.stage = item.runbook.stage
    r.runbook = item.runbook.id
    r.step = item.step.id
    r.check_id = item.spec.id
    r.started_at = started.isoformat(timespec="seconds")
    r.duration_ms = int((time.perf_counter() - t0) * 1000)
    if not r.target or r.target == "-":
        r.target = item.target
    r.target = str(r.target)  # a Target's data stays with the check
    if r.status in (Status.WARN, Status.FAIL, Status.ERROR):
        if not r.fix:
            r.fix = "See the runbook step for what to do."
        if not r.why:
            r.why = "This can affect customers on launch day."
    return r


async def run_one(item: Planned, ctx: CheckContext) -> CheckResult:
    started = ctx.clock()
    t0 = time.perf_counter()
    if item.skip is not None:
        return _stamp(item.skip, item, started, t0)
    kind = item.spec.kind
    deadline = deadline_for(kind, item.params, ctx.net.timeout_s)
    try:
        mod = load_kind(kind)
        async with asyncio.timeout(deadline):
            r = await mod.check(ctx.for_check(item.runbook, item.step, item.spec), item.target, item.params)
        if not isinstance(r, CheckResult):
            r = errored(kind, item.target, f"the {kind} check returned no result (a bug)")
    except TimeoutError:
        r = errored(
            kind,
            item.target,
            f"the check did not finish within its {deadline:g} s time limit",
            fix="The target is very slow or not answering. Check that it is up, then run "
            "the check again. If your network is slow, raise `network.timeout_s`.",
        )
    except asyncio.CancelledError:
        raise
    except Exception as e:  # a bug or an unexpected reply: never crash the run
        r = errored(kind, item.target, f"the check stopped unexpectedly: {type(e).__name__}: {e}"[:300])
    return await _redacted(_stamp(r, item, started, t0), ctx)


async def _redacted(r: CheckResult, ctx: CheckContext) -> CheckResult:
    """Every result passes here before anyone stores or prints it: known secrets (keyring,
    env files), URL passwords and secret-looking values are hidden (core/redact.py)."""
    net = ctx.net
    red: Redactor | None = getattr(net, "redactor", None)
    if red is None:
        lock = getattr(net, "_redactor_lock", None)
        if lock is None:
            lock = asyncio.Lock()
            try:
                net._redactor_lock = lock
            except AttributeError:  # a stand-in net: redact without caching
                pass
        async with lock:
            red = getattr(net, "redactor", None)
            if red is None:
                from launchready_tui.core.redact import prepare

                state = None
                try:
                    state = ctx.state.load() if ctx.state is not None else None
                except Exception:  # noqa: BLE001 - a damaged state: env files still count
                    state = {}
                # keyring, env files and the rule file are read in a thread: the loop never waits
                red = await asyncio.to_thread(prepare, ctx.profile, ctx.credentials, state)
                try:
                    net.redactor = red
                except AttributeError:
                    pass
    return red.result(r)


# Kinds whose check reads the step it runs in (the command check runs that step's block),
# so two steps asking the same thing are still two probes.
PER_STEP_KINDS = frozenset({"command"})


def probe_key(item: Planned) -> tuple[str, str, str] | None:
    """What a probe asks: kind + target + params. Two planned items with the same key in
    one run ask the same question (the same latency route, DNS name or TLS host from
    several steps), so the engine asks it once. None: this item is never shared."""
    if item.skip is not None or item.spec.kind in PER_STEP_KINDS:
        return None
    try:
        params = json.dumps(item.params, sort_keys=True, default=str)
    except (TypeError, ValueError):
        return None
    target = item.target if isinstance(item.target, str) else repr(item.target)
    return (item.spec.kind, target, params)


def _for_item(r: CheckResult, item: Planned) -> CheckResult:
    """A shared probe's result, told as the answer to this item's step."""
    out = copy.deepcopy(r)
    out.stage = item.runbook.stage
    out.runbook = item.runbook.id
    out.step = item.step.id
    out.check_id = item.spec.id
    return out


async def run(items: list[Planned], ctx: CheckContext) -> AsyncIterator[CheckResult]:
    """Run planned checks, at most ctx.options.concurrency at once; yield as they finish.

    Identical probes (same `probe_key`) run once per run and feed every item that asks
    for them; each item still gets its own result with its own stage, runbook and step."""
    sem = asyncio.Semaphore(max(1, ctx.options.concurrency))

    async def guarded(item: Planned) -> CheckResult:
        if item.skip is not None:
            return await run_one(item, ctx)
        async with sem:
            return await run_one(item, ctx)

    probes: dict[tuple, asyncio.Future] = {}
    tasks: list[asyncio.Future] = []
    for item in items:
        key = probe_key(item)
        if key is None:
            tasks.append(asyncio.ensure_future(guarded(item)))
        elif key not in probes:
            probes[key] = asyncio.ensure_future(guarded(item))
            tasks.append(probes[key])
        else:
            async def follower(item: Planned = item, probe: asyncio.Future = probes[key]) -> CheckResult:
                return _for_item(await asyncio.shield(probe), item)

            tasks.append(asyncio.ensure_future(follower()))
    try:
        for fut in asyncio.as_completed(tasks):
            yield await fut
    finally:
        for t in tasks:
            if not t.done():
                t.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)


async def run_all(items: list[Planned], ctx: CheckContext) -> list[CheckResult]:
    out = [r async for r in run(items, ctx)]
    order = {it.key: n for n, it in enumerate(items)}
    out.sort(key=lambda r: order.get(r.key, len(order)))
    return out


def kinds() -> list[str]:
    return list(KINDS)
