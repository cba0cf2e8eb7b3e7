"""`command`: run a runbook `command` block, or the profile's `deploy.rollback`, timed.

Nothing runs without explicit confirmation: the TUI asks, and the CLI needs `--yes` on a
run that names exactly one step (`--runbook X --step Y --yes`); otherwise the result is
`skip` ("needs confirmation", with the exact line that runs it on its own). A command runs through the shell
in the profile's folder, in its own process group (so a timeout stops its children too),
with its output streamed line by line to `ctx.options.output_cb` and its exit status,
duration and last lines recorded.

Secrets from the keyring can be passed as environment variables (`env: {NAME:
credential-id}`); their values are replaced by `[redacted:NAME]` in everything streamed
or recorded, even when a line is cut across reads. So is every other value the project
keeps in the keyring (`[redacted:CREDENTIAL-ID]`) and every secret-looking value of the
profile's env files (`[redacted:env-file]`): a command that prints a token it found
(a CLI's `whoami`, a `cat .env`) never puts it on screen or into the state.

Check parameters (all optional):
    rollback: true        run deploy.rollback and judge it against the rollback budget
                          (deploy.rollback_budget_min, default 10), then the smoke checks
    block: ID             run the `command` block with this id in the same step
    run: "..."            run this command text
    env: {NAME: cred-id}  secrets for the command's environment
    timeout_s, budget_min, smoke (true/false: run deploy.smoke afterwards)
With none of rollback/block/run, the step's only `command` block runs.

`run_command` is the reusable part (the TUI's "Run" button can call it directly).
"""

from __future__ import annotations

import asyncio
import base64
import codecs
import contextlib
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict
from urllib.parse import quote

from launchready_tui.core.checks.base import Kind
from launchready_tui.core.checks.latency import NeedsCredential, get_secret
from launchready_tui.core.registry import MissingInput
from launchready_tui.core.results import (
    CheckResult,
    Status,
    errored,
    failed,
    passed,
    skipped,
    warned,
)

if TYPE_CHECKING:
    from launchready_tui.core.context import CheckContext
    from launchready_tui.core.profile import Profile
    from launchready_tui.core.runbook import Command as RunbookCommand

KIND = "command"
DEFAULT_TIMEOUT_S = 600.0
MAX_TIMEOUT_S = 3600.0
DEFAULT_ROLLBACK_BUDGET_MIN = 10.0
TAIL_LINES = 40
TAIL_CHARS = 4000
MAX_LINE = 16 * 1024  # a longer run without a newline is streamed in pieces
KILL_GRACE_S = 3.0
NEEDS_CONFIRMATION = (
    "needs confirmation: this runs a command on your computer. Press Run in the app, or run "
    "this one step on its own with `launchready check --runbook ID --step ID --yes`"
)


def needs_confirmation(ctx: CheckContext) -> str:
    """The skip message, with the exact line that runs this one command when the step is
    known (a whole-profile `--yes` never runs commands: see engine.plan)."""
    rb, st = getattr(ctx, "runbook", None), getattr(ctx, "step", None)
    if rb is None or st is None:
        return NEEDS_CONFIRMATION
    return ("needs confirmation: this runs a command on your computer. Press Run in the app, or "
            f"run it on its own with `launchready check --runbook {rb.id} --step {st.id} --yes`")


# ---------------------------------------------------------------------------- redaction


class Redactor:
    """Turns a byte stream into redacted text lines.

    Each secret is replaced by `[redacted:NAME]`, also in its URL-encoded and base64
    forms. A long run of text without a newline is emitted in pieces, but never cut
    inside a secret, so no piece holds part of one."""

    def __init__(self, secrets: Mapping[str, str] | Iterable[tuple[str, str]]) -> None:
        forms: dict[str, str] = {}
        pairs = secrets.items() if isinstance(secrets, Mapping) else secrets
        for name, value in pairs:
            if not value or len(value) < 3:
                continue
            for v in {value, quote(value, safe=""), base64.b64encode(value.encode()).decode()}:
                forms[v] = name
        # Longest first, so a secret that contains another is replaced whole.
        self._forms = sorted(forms.items(), key=lambda kv: -len(kv[0]))
        self._longest = max((len(v) for v in forms), default=0)
        self._dec = codecs.getincrementaldecoder("utf-8")("replace")
        self._buf = ""

    def redact(self, text: str) -> str:
        from launchready_tui.core.redact import scrub

        for value, name in self._forms:
            if value in text:
                text = text.replace(value, f"[redacted:{name}]")
        # then what nobody told us about: URL passwords, tokens the scanner's rules know
        return scrub(text)

    def feed(self, data: bytes) -> list[str]:
        self._buf += self._dec.decode(data)
        out: list[str] = []
        while True:
            nl = self._buf.find("\n")
            if nl >= 0:
                line, self._buf = self._buf[:nl], self._buf[nl + 1 :]
                out.append(self.redact(line.rstrip("\r")))
                continue
            if len(self._buf) > MAX_LINE:
                cut = self._safe_cut(len(self._buf) - max(self._longest - 1, 0))
                out.append(self.redact(self._buf[:cut]))
                self._buf = self._buf[cut:]
            break
        return out

    def _safe_cut(self, cut: int) -> int:
        """Move cut left until no secret occurrence straddles it. A secret that starts
        after cut (perhaps still incomplete) stays in the buffer for the next read."""
        changed = True
        while changed:
            changed = False
            for value, _ in self._forms:
                i = self._buf.find(value)
                while i != -1 and i < cut:
                    if i + len(value) > cut:
                        cut, changed = i, True
                        break
                    i = self._buf.find(value, i + 1)
        return max(cut, 1)

    def flush(self) -> list[str]:
        self._buf += self._dec.decode(b"", final=True)
        rest, self._buf = self._buf, ""
        return [self.redact(rest.rstrip("\r"))] if rest else []


# ---------------------------------------------------------------------------- running


@dataclass
class CommandOutcome:
    command: str
    exit_status: int | None  # None: it did not finish (timeout) or did not start
    duration_s: float
    timed_out: bool = False
    start_error: str | None = None
    tail: list[str] = field(default_factory=list)
    lines: int = 0

    def evidence(self) -> dict[str, Any]:
        return {
            "command": self.command,
            "exit_status": self.exit_status,
            "duration_s": round(self.duration_s, 2),
            "timed_out": self.timed_out,
            "output_lines": self.lines,
            "output_tail": self.tail,
            **({"start_error": self.start_error} if self.start_error else {}),
        }


async def run_command(
    command: str,
    *,
    cwd: str | os.PathLike | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    secrets_env: dict[str, str] | None = None,
    redact: Iterable[tuple[str, str]] = (),
    on_line: Callable[[str], None] | None = None,
) -> CommandOutcome:
    """Run `command` through /bin/sh; stream redacted lines to on_line; stop it (and its
    children) after timeout_s. Never raises for the command's own failures.

    `secrets_env` (NAME -> value) goes into the command's environment and is redacted;
    `redact` ((name, value) pairs) is only redacted: values the command might print."""
    secrets_env = dict(secrets_env or {})
    red = Redactor([*redact, *secrets_env.items()])
    tail: deque[str] = deque(maxlen=TAIL_LINES)
    count = 0

    def emit(lines: list[str]) -> None:
        nonlocal count
        for line in lines:
            count += 1
            tail.append(line)
            if on_line is not None:
                with contextlib.suppress(Exception):  # a broken viewer never stops the command
                    on_line(line)

    env = {**os.environ, **secrets_env}
    t0 = time.monotonic()
    try:
        proc = await asyncio.create_subprocess_shell(
            command,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            cwd=str(cwd) if cwd else None,
            env=env,
            start_new_session=True,
        )
    except OSError as e:
        return CommandOutcome(red.redact(command), None, time.monotonic() - t0,
                              start_error=red.redact(str(e)))

    async def pump() -> None:
        assert proc.stdout is not None
        while True:
            chunk = await proc.stdout.read(8192)
            if not chunk:
                break
            emit(red.feed(chunk))

    reader = asyncio.ensure_future(pump())
    timed_out = False
    try:
        async with asyncio.timeout(timeout_s):
            await proc.wait()
            # Output still in the pipe; a background child may keep it open: bounded.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(reader), 2.0)
    except TimeoutError:
        timed_out = True
        await _stop(proc)
    except asyncio.CancelledError:
        await _stop(proc)
        raise
    finally:
        if not reader.done():
            reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await reader
        emit(red.flush())
    duration = time.monotonic() - t0
    tail_list = _cap_chars(list(tail))
    return CommandOutcome(red.redact(command), None if timed_out else proc.returncode, duration,
                          timed_out=timed_out, tail=tail_list, lines=count)


async def _stop(proc: asyncio.subprocess.Process) -> None:
    """SIGTERM the whole process group, then SIGKILL after a grace period."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)
        try:
            await asyncio.wait_for(proc.wait(), KILL_GRACE_S)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)  # leftovers in the group
            return
        except TimeoutError:
            continue


def _cap_chars(lines: list[str]) -> list[str]:
    out: list[str] = []
    total = 0
    for line in reversed(lines):
        if len(line) > 500:
            line = line[:500] + " [...]"
        total += len(line)
        if total > TAIL_CHARS and out:
            break
        out.append(line)
    return list(reversed(out))


# ---------------------------------------------------------------------------- known secrets


def known_secrets(ctx: CheckContext) -> list[tuple[str, str]]:
    """(name, value) of every secret this project knows: the keyring values of its
    credentials and the secret-looking values of the profile's env files (core/redact.py).
    Blocking (keyring, files): call it in a thread. A keyring or file problem only means
    less to hide."""
    from launchready_tui.core.redact import known_secrets as _known

    store = getattr(ctx, "credentials", None)
    state = None
    if store is not None and getattr(store, "state", None) is not None:
        try:
            state = store.state.load()
        except Exception:  # noqa: BLE001 - an unreadable state: nothing to look up
            state = {}
    return _known(ctx.profile, store, state)


# ---------------------------------------------------------------------------- the check


def targets(profile: Profile, params: dict[str, Any]) -> list[str]:
    if params.get("rollback"):
        if not profile.get("deploy.rollback"):
            raise MissingInput("deploy.rollback", "the command that undoes a bad deploy")
        return ["deploy.rollback"]
    if params.get("run"):
        return [str(params.get("label") or "command")]
    if params.get("block"):
        return [f"block:{params['block']}"]
    return ["step command"]


def deadline(params: dict[str, Any], timeout_s: float) -> float:
    t = params.get("timeout_s")
    own = float(t) if isinstance(t, int | float) and not isinstance(t, bool) and t > 0 else MAX_TIMEOUT_S
    return min(own, MAX_TIMEOUT_S) + 2 * KILL_GRACE_S + 8 * timeout_s + 30


def _num(*vals: object) -> float | None:
    for v in vals:
        if isinstance(v, int | float) and not isinstance(v, bool) and v > 0:
            return float(v)
    return None


def is_rollback_block(block: RunbookCommand, profile: Profile) -> bool:
    """A block whose command is the profile's deploy.rollback gets the rollback verdict
    (core/recorder.is_rollback, asked about the command alone)."""
    from launchready_tui.core.recorder import is_rollback

    return is_rollback(run=block.run, profile=profile)


async def run_block(ctx: CheckContext, block: RunbookCommand, params: dict[str, Any] | None = None) -> CheckResult:
    """Run one runbook `command` block (for the TUI's Run button, or an engine that plans
    blocks): the same confirmation, streaming, redaction and verdicts as the check."""
    params = dict(params or {})
    params.pop("rollback", None)
    params.pop("run", None)
    params["block"] = block.id
    return await _check(ctx, f"block:{block.id}", params, forced_block=block)


async def check(ctx: CheckContext, target: str, params: dict[str, Any]) -> CheckResult:
    return await _check(ctx, target, params)


async def _check(ctx: CheckContext, target: str, params: dict[str, Any],
                 forced_block: RunbookCommand | None = None) -> CheckResult:
    from launchready_tui.core.runbook import TemplateMissing, render

    profile = ctx.profile
    rollback = bool(params.get("rollback"))
    budget_min: float | None = None
    block = forced_block
    if rollback:
        text = str(profile.get("deploy.rollback") or "")
    elif params.get("run") and block is None:
        text = str(params["run"])
    else:
        blocks = list(getattr(ctx.step, "commands", []) or [])
        if block is not None:
            pass
        elif params.get("block"):
            block = next((b for b in blocks if b.id == str(params["block"])), None)
            if block is None:
                return skipped(KIND, target, f"this step has no command block `{params['block']}`")
        elif len(blocks) == 1:
            block = blocks[0]
        else:
            return skipped(KIND, target, "say which command to run: this step has "
                           f"{len(blocks)} command blocks (use `block: ID`)")
        try:
            text = str(render(block.run, profile))
        except TemplateMissing as e:
            return skipped(KIND, target, f"fill in `{e.var}` in launchready.yaml to run this command",
                           evidence={"missing_key": e.var})
        rollback = is_rollback_block(block, profile)
        if rollback:  # the profile's own rollback budget beats the runbook's default
            budget_min = _num(params.get("budget_min"), profile.get("deploy.rollback_budget_min"),
                              block.budget_min)
        else:
            budget_min = _num(params.get("budget_min"), block.budget_min)
    if rollback and budget_min is None:
        budget_min = _num(params.get("budget_min"), profile.get("deploy.rollback_budget_min")) \
            or DEFAULT_ROLLBACK_BUDGET_MIN
    text = text.strip()
    if not text:
        return skipped(KIND, target, "the command is empty")
    ev: dict[str, Any] = {"command": text}
    if not getattr(ctx.options, "yes", False):
        return skipped(KIND, target, needs_confirmation(ctx), evidence={**ev, "needs_confirmation": True})

    # Secrets for the environment, from the keyring. Their values are only redacted.
    env_map = params.get("env") or {}
    secrets_env: dict[str, str] = {}
    for name, cred in env_map.items():
        try:
            secrets_env[str(name)] = await get_secret(ctx, str(cred))
        except NeedsCredential as e:
            return skipped(KIND, target, e.reason, evidence={**ev, "credential": e.cred_id})
    if secrets_env:
        ev["secret_env"] = sorted(secrets_env)  # names only

    budget_s = budget_min * 60 if budget_min else None
    timeout = _num(params.get("timeout_s"), getattr(block, "timeout_s", None) if block else None,
                   profile.get("deploy.timeout_s"))
    if timeout is None:
        timeout = max(budget_s * 1.5, 60.0) if budget_s else DEFAULT_TIMEOUT_S
    timeout = min(timeout, MAX_TIMEOUT_S)
    ev["timeout_s"] = timeout
    if budget_s:
        ev["budget_min"] = budget_min

    key = _stream_key(ctx, target)
    cb = getattr(ctx.options, "output_cb", None)
    known = await asyncio.to_thread(known_secrets, ctx)
    outcome = await run_command(
        text, cwd=profile.dir, timeout_s=timeout, secrets_env=secrets_env, redact=known,
        on_line=(lambda line: cb(key, line)) if cb else None,
    )
    ev.update(outcome.evidence())
    label = "the rollback" if rollback else (f"`{block.label or block.id}`" if block else "the command")
    took = _human(outcome.duration_s)

    if outcome.start_error:
        return errored(KIND, target, f"{label} could not start: {outcome.start_error}", evidence=ev,
                       fix="Check that the command exists on this computer (try it in a terminal "
                       "from the profile's folder), then run the check again.")
    if outcome.timed_out:
        return failed(
            KIND, target, f"{label} did not finish within {_human(timeout)} and was stopped",
            evidence=ev,
            why="A rollback that hangs leaves the broken release live." if rollback else
            "The command hung, so its work may be half done.",
            fix="Run it by hand in a terminal to see where it waits (a login prompt, a "
            "confirmation question, a slow build). Make it run without questions, or raise "
            "`timeout_s`, then try again.",
        )
    if outcome.exit_status != 0:
        return failed(
            KIND, target, f"{label} failed with exit status {outcome.exit_status} after {took}",
            evidence=ev,
            why="The rollback does not work, so a bad deploy cannot be undone quickly." if rollback
            else "The command reported an error, so its work is probably not done.",
            fix="Read the last lines of its output in the evidence; fix the cause (often a "
            "missing login or a wrong project name), then run it again.",
        )
    over = budget_s is not None and outcome.duration_s > budget_s
    if not rollback:
        if over:
            return failed(
                KIND, target, f"{label} worked but took {took}, over its {budget_min:g}-minute budget",
                evidence=ev, why="It takes longer than the plan allows.",
                fix="Find the slow part in its output and speed it up, or agree on a new budget.",
            )
        return passed(KIND, target, f"{label} finished with exit status 0 in {took}", evidence=ev,
                      why="The step's command ran and reported success.")

    # Rollback: in time, exit 0, and the smoke checks pass afterwards.
    smoke_res = await _smoke_after(ctx, params)
    if smoke_res is not None:
        ev["smoke"] = [{"url": r.target, "status": r.status.value, "summary": r.summary} for r in smoke_res]
    if over:
        return failed(
            KIND, target, f"the rollback worked but took {took}, over the {budget_min:g}-minute budget",
            evidence=ev,
            why=f"The plan says a failed deploy is undone within {budget_min:g} minutes; this one "
            "leaves customers on a broken release for longer.",
            fix="Use your host's instant rollback (Vercel: Instant Rollback; Netlify: Publish "
            "deploy; Render/Heroku: Rollback) instead of rebuilding the old version, then "
            "time it again.",
        )
    bad = [r for r in smoke_res or [] if r.status in (Status.FAIL, Status.ERROR)]
    if bad:
        return failed(
            KIND, target, f"the rollback finished in {took}, but {len(bad)} smoke check(s) failed "
            f"afterwards: {bad[0].summary}", evidence=ev,
            why="The old release is not working either, so customers are still affected.",
            fix="Follow the site-down incident runbook; check the smoke test's page in a "
            "browser and your host's logs.",
        )
    if not smoke_res:
        return warned(
            KIND, target, f"the rollback finished in {took} (budget {budget_min:g} min), but no "
            "smoke checks are set, so nobody knows the site works afterwards", evidence=ev,
            why="A rollback only helps if the site works afterwards.",
            fix="Add `deploy.smoke` to launchready.yaml: one or two addresses that prove the "
            "site works (for example /health and the sign-in page).",
        )
    return passed(
        KIND, target, f"the rollback finished in {took}, within the {budget_min:g}-minute budget, "
        f"and {len(smoke_res)} smoke check(s) passed afterwards", evidence=ev,
        why="A bad deploy can be undone quickly and the site works afterwards.",
    )


async def _smoke_after(ctx: CheckContext, params: dict[str, Any]) -> list[CheckResult] | None:
    if params.get("smoke") is False:
        return None
    from launchready_tui.core.checks import smoke

    es = smoke.entries(ctx.profile, {})
    if not es:
        return []
    return list(await asyncio.gather(*(smoke.run_smoke(ctx, e) for e in es)))


def _stream_key(ctx: CheckContext, target: str) -> str:
    rb, st, spec = getattr(ctx, "runbook", None), getattr(ctx, "step", None), getattr(ctx, "spec", None)
    if rb is not None and st is not None and spec is not None:
        return f"{rb.id}/{st.id}/{spec.id}@{target}"
    return target


def _human(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.1f} s"
    return f"{seconds / 60:.1f} min"


class CommandEvidence(TypedDict, total=False):
    """What `check` puts in a result's evidence (the handover reads these keys)."""

    command: str  # as run, redacted
    exit_code: int | None  # older results and the TUI's history entries
    exit_status: int | None
    duration_s: float
    timed_out: bool
    output_lines: int
    output_tail: list[str]
    start_error: str
    timeout_s: float
    budget_min: float
    secret_env: list[str]  # names only
    smoke: list[dict[str, Any]]


CHECK_KIND = Kind(
    name="command",
    family="ops",
    title="Command",
    plain="a command runs and succeeds",
    about="run a runbook command, timed",
    check=check,
    targets=targets,
    deadline_fn=deadline,
    schema={"deploy": {"command": "str", "rollback": "str", "rollback_budget_min": "num", "timeout_s": "num", "ci_job": "str"}},
    evidence=CommandEvidence,
    shown=("exit_code", "exit_status", "duration_s", "budget_min", "timed_out"),
)
