"""`ai_probe`: attack prompts against the admin app's AI assistant.

Many admin panels now ship an assistant that can refund, invite or change payout
details. This check sends the shipped attack cases (`core/data/ai_cases.yaml`: direct and
indirect prompt injection, system-prompt and secret extraction, unsafe tool use, other
encodings and languages) to each `ai_endpoints` entry and looks at every answer with
three detectors:

* the **canary**: a random marker kept in the keyring that the founder pastes into the
  assistant's system prompt. An answer holding it, or a recognizable piece of it
  (spaced out, reversed, base64, ROT13), means the hidden instructions leak;
* **dangerous tools**: a call of a `dangerous_tools` entry (OpenAI-style `tool_calls`, or
  a tool name in a JSON answer) that carries no human-confirmation marker;
* **secrets**: anything the secret scanner's rules recognize in the answer.

A refusal is a pass. Probes are bounded and polite: at most 60 requests per endpoint
per run, at most 2 per second, a timeout per request and a time cap per run, only hosts
under the profile's domain, and staging unless the entry says `allow_production: true`.
Evidence keeps a redacted excerpt per case, never the canary or a secret.

The pieces live beside it: the case file in `_ai_cases.py`, the request body and the
answer's reading in `_ai_wire.py`, the detectors and the verdict in `_ai_detect.py`, the
result and the kind's problem in `_ai_report.py`, the handover section in `_ai_handover.py`.
This module keeps the kind, its targets and the run itself, and re-exports what tests use.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

from launchready_tui.core.checks._ai_cases import (
    DETECTORS,
    Case,
    CasesError,
    _round_robin,
    load_cases,
    parse_cases,
)
from launchready_tui.core.checks._ai_detect import (
    CANARY_PREFIX,
    EXCERPT_CHARS,
    Verdict,
    canary_leaked,
    is_refusal,
    judge,
    redact_excerpt,
    secret_hits,
)
from launchready_tui.core.checks._ai_handover import handover
from launchready_tui.core.checks._ai_report import (
    CANARY_STEP,
    KIND,
    MITIGATION_STEPS,
    MITIGATIONS,
    ROTATE_STEP,
    WHAT_AN_ATTACKER_CAN_DO,
    mitigations,
    problem_findings,
    summarize,
)
from launchready_tui.core.checks._ai_wire import Answer, ToolCall, build_body, parse_answer
from launchready_tui.core.checks.base import Kind
from launchready_tui.core.registry import MissingInput
from launchready_tui.core.results import CheckResult, errored, skipped

# Re-exported: tests and the problems index read these as `ai_probe.<name>`.
__all__ = [
    "CANARY_PREFIX", "CANARY_STEP", "CHECK_KIND", "DEFAULT_CANARY_ID", "DETECTORS", "EXCERPT_CHARS",
    "KIND", "MAX_ANSWER_BYTES", "MAX_RATE_PER_S", "MAX_REQUESTS", "MAX_SILENT", "MITIGATIONS",
    "MITIGATION_STEPS", "ROTATE_STEP", "TIME_CAP_S", "WHAT_AN_ATTACKER_CAN_DO", "Answer", "Case",
    "CasesError", "ToolCall", "Verdict", "build_body", "canary_leaked", "check", "deadline",
    "is_refusal", "judge", "load_cases", "mitigations", "parse_answer", "parse_cases",
    "problem_findings", "redact_excerpt", "secret_hits", "select_cases", "summarize", "targets",
]

MAX_REQUESTS = 60  # per endpoint per run, whatever the profile asks
MAX_RATE_PER_S = 2.0
TIME_CAP_S = 90.0
MAX_ANSWER_BYTES = 256 * 1024
MAX_SILENT = 3  # transport failures in a row, before any answer, that end the run
DEFAULT_CANARY_ID = "ai-canary"


# ---------------------------------------------------------------------------- cases


def select_cases(params: dict[str, Any], entry: dict[str, Any]) -> list[Case]:
    """The entry's categories (or the step's), at most `max_cases` of them taken in turn
    from each category, never more than MAX_REQUESTS. It stays here, reading `load_cases`
    from this module, so a test that monkeypatches `ai_probe.load_cases` reaches the run."""
    cats = entry.get("categories") or params.get("categories")
    cases = [c for c in load_cases() if not cats or c.category in cats]
    limit = entry.get("max_cases", params.get("max_cases"))
    if isinstance(limit, int) and not isinstance(limit, bool) and 0 < limit < len(cases):
        cases = _round_robin(cases, limit)
    return cases[:MAX_REQUESTS]


if TYPE_CHECKING:
    from launchready_tui.core.context import CheckContext
    from launchready_tui.core.profile import Profile


# ---------------------------------------------------------------------------- targets


def _entries(profile: Profile, params: dict[str, Any]) -> list[dict[str, Any]]:
    raw = params.get("endpoints") or profile.get("ai_endpoints") or []
    return [e if isinstance(e, dict) else {"url": str(e)} for e in raw]


def targets(profile: Profile, params: dict[str, Any]) -> list[str]:
    es = [e for e in _entries(profile, params) if e.get("url")]
    if not es:
        raise MissingInput("ai_endpoints", "the admin app's AI assistant endpoint, if it has one")
    return [str(e["url"]) for e in es]


def deadline(params: dict[str, Any], timeout_s: float) -> float:
    return TIME_CAP_S + 2 * timeout_s + 5


def _entry(profile: Profile, params: dict[str, Any], target: str) -> dict[str, Any]:
    for e in _entries(profile, params):
        if str(e.get("url")) == target:
            return e
    return {"url": target}



# ---------------------------------------------------------------------------- the check


def _environment(ctx: CheckContext, entry: dict[str, Any]) -> str:
    return str(entry.get("environment") or "staging")


def _is_production(ctx: CheckContext, env: str) -> bool:
    if env.lower() in ("production", "prod", "live"):
        return True
    envs = ctx.profile.get("environments") or {}
    return bool(isinstance(envs.get(env), dict) and envs[env].get("production"))


async def _canary(ctx: CheckContext, entry: dict[str, Any]) -> tuple[str, str | None]:
    """(canary value or "", note when there is none)."""
    from launchready_tui.core.checks.latency import NeedsCredential, get_secret

    cid = str(entry.get("canary") or DEFAULT_CANARY_ID)
    try:
        return await get_secret(ctx, cid), None
    except NeedsCredential as e:
        why = ("the OS keyring is not available here" if "not available" in e.reason
               else f"`{cid}` has no value in the keyring")
        return "", f"no canary to look for ({why}); create one with `launchready credentials add {cid} --canary`"


async def check(ctx: CheckContext, target: str, params: dict[str, Any]) -> CheckResult:
    import httpx

    from launchready_tui.core.checks.latency import NeedsCredential, auth_headers, own_host_refusal
    from launchready_tui.core.net import DnsFailure, HostResolutionError, describe_http_error

    entry = _entry(ctx.profile, params, target)
    url = str(entry.get("url") or target)
    refusal = own_host_refusal(KIND, ctx.profile, url, "send attack prompts to")
    if refusal is not None:
        return refusal
    env = _environment(ctx, entry)
    ev: dict[str, Any] = {"url": url, "environment": env,
                          "format": str(entry.get("format") or "openai").lower(),
                          "dangerous_tools": [str(t) for t in entry.get("dangerous_tools") or []]}
    if _is_production(ctx, env) and entry.get("allow_production") is not True:
        return skipped(KIND, url, f"{url} is a production endpoint; attack prompts go to "
                       "staging unless the entry says `allow_production: true`", evidence=ev)
    try:
        headers, _token = await auth_headers(ctx, entry)
    except NeedsCredential as e:
        return skipped(KIND, url, e.reason, evidence={**ev, "credential": e.cred_id})
    headers.setdefault("Content-Type", "application/json")
    canary, canary_note = await _canary(ctx, entry)
    if canary_note:
        ev["canary"] = canary_note
    try:
        cases = select_cases(params, entry)
    except CasesError as e:
        return errored(KIND, url, f"the attack cases shipped with LaunchReady cannot be read: {e}", evidence=ev,
                       fix="Reinstall LaunchReady (`pip install --force-reinstall launchready-tui`); if you "
                       "changed ai_cases.yaml, fix the case named above.")
    rate = entry.get("rate_per_s", params.get("rate_per_s", MAX_RATE_PER_S))
    rate = min(float(rate), MAX_RATE_PER_S) if isinstance(rate, int | float) and rate > 0 else MAX_RATE_PER_S
    interval = 1.0 / rate

    verdicts: list[Verdict] = []
    client = ctx.net.client(max_connections=1)
    t0 = time.monotonic()
    sent = 0
    try:
        for i, case in enumerate(cases):
            if time.monotonic() - t0 > TIME_CAP_S:
                ev["stopped"] = f"time cap of {TIME_CAP_S:g} s reached after {sent} prompts"
                break
            due = t0 + i * interval
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            sent += 1
            try:
                r = await ctx.net.fetch(url, method="POST", headers=headers,
                                        content=build_body(entry, case.prompt),
                                        max_bytes=MAX_ANSWER_BYTES, client=client)
            except (httpx.HTTPError, HostResolutionError, DnsFailure, TimeoutError, OSError) as e:
                verdicts.append(Verdict(case, "error", [], describe_http_error(e)))
                if len(verdicts) == MAX_SILENT and all(v.verdict == "error" for v in verdicts):
                    # nothing answered yet: the endpoint is down or unreachable, stop probing it
                    ev["requests"] = sent
                    ev["cases"] = [v.to_dict() for v in verdicts]
                    ev["counts"] = {"fail": 0, "error": len(verdicts), "refused": 0, "pass": 0}
                    return errored(KIND, url, f"the assistant did not answer {MAX_SILENT} prompts in a row "
                                   f"(last: {verdicts[-1].excerpt})", evidence=ev,
                                   fix="Check that the address is the assistant's endpoint and that it answers "
                                   "a normal question, then run the check again.")
                continue
            if r.status in (401, 403):
                # a login refused at the start, or one that expired mid-run: the rest would be
                # refused too, so stop; an attack that already worked is still reported
                ev["requests"] = sent
                after = f" after {len(verdicts)} answers" if verdicts else ""
                if any(v.verdict == "fail" for v in verdicts):
                    ev["stopped"] = f"the assistant refused LaunchReady's login (HTTP {r.status}){after}"
                    return summarize(url, ev, verdicts, sent, canary_note)
                return errored(
                    KIND, url, f"the assistant refused LaunchReady's login (HTTP {r.status}){after}",
                    evidence=ev,
                    fix="Create a test admin login for staging, store its token with "
                    "`launchready credentials add ID`, and add `auth: ID` to this entry under "
                    "`ai_endpoints` in launchready.yaml. Then run the check again.",
                )
            if r.status >= 400:
                verdicts.append(Verdict(case, "error", [], f"HTTP {r.status}", r.status))
                continue
            v = judge(case, parse_answer(entry, r.body), canary)
            if r.truncated and v.verdict != "fail":
                # only part of the answer was read: what was cut off may hold the leak
                v = Verdict(case, "error", [], f"the answer was longer than {MAX_ANSWER_BYTES // 1024} KB and "
                            "was cut off", r.status)
            verdicts.append(v)
    finally:
        await client.aclose()
    return summarize(url, ev, verdicts, sent, canary_note)



CHECK_KIND = Kind(
    name="ai_probe",
    family="secrets",
    title="AI assistant",
    plain="trick prompts do not make it leak its instructions or secrets, or act without approval",
    about="the admin AI assistant resists injection, leaks nothing, acts only with approval",
    check=check,
    targets=targets,
    deadline_fn=deadline,
    schema={"ai_endpoints": ("list", {"url": "str", "format": "str", "request": ("any", "str", ("map", ("any", ("any", "str", "num", "bool"), ("map", ("any", "str", "num", "bool")), ("list", ("any", "str", "num", "bool"))))), "response": "str", "auth": "str", "dangerous_tools": ("list", "str"), "environment": "str", "allow_production": "bool", "canary": "str", "model": "str", "categories": ("list", "str"), "max_cases": "int", "rate_per_s": "num", "headers": ("map", "str"), "name": "str"})},
    handover=handover,  # the handover's AI assistant section
)
