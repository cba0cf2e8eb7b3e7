"""The `credentials` check: every credential has an owner, is rotated on time, and its
keyring entry (if a value was stored) is still there.

Why it exists: when a key leaks, someone must be able to replace it within minutes. That
needs an owner, a rotation habit and a value that is where the inventory says it is.
Overdue rotation and a missing owner are warnings; a keyring entry that went missing is a
failure (checks that authenticate with it will break). A keyring that cannot be reached is
"could not check", with the fix for this OS.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, TypedDict

from launchready_tui.core.checks.base import Kind
from launchready_tui.core.results import CheckResult, errored, failed, passed, warned

if TYPE_CHECKING:
    from collections.abc import Iterable

    from launchready_tui.core.context import CheckContext
    from launchready_tui.core.credentials import Credential, CredentialStore
    from launchready_tui.core.profile import Profile

KIND = "credentials"
TARGET = "inventory"


def targets(profile: Profile, params: dict[str, Any]) -> list[str]:
    return [TARGET]


def _store(ctx: CheckContext) -> CredentialStore:
    from launchready_tui.core.credentials import CredentialStore

    if ctx.credentials is not None:
        return ctx.credentials
    return CredentialStore.for_profile(ctx.profile, ctx.state)


def _keyring_status(store: CredentialStore, creds: Iterable[Credential]) -> tuple[dict[str, str], Any]:
    """id -> 'in keyring' | 'missing' | 'not stored'; plus the keyring problem, if any."""
    from launchready_tui.core.credentials import KeyringProblem

    status: dict[str, str] = {}
    problem = None
    for c in creds:
        if not c.has_value:
            status[c.id] = "not stored"
            continue
        if problem is not None:
            status[c.id] = "unknown"
            continue
        try:
            status[c.id] = "in keyring" if store.value_present(c.id) else "missing"
        except KeyringProblem as e:
            problem = e
            status[c.id] = "unknown"
    return status, problem


async def check(ctx: CheckContext, target: str, params: dict[str, Any]) -> CheckResult:
    from launchready_tui.core.errors import LaunchReadyError

    store = _store(ctx)
    try:
        creds = await asyncio.to_thread(store.list)
    except LaunchReadyError as e:
        return errored(KIND, target, f"the credential inventory cannot be read: {e}",
                       fix="Fix or move away .launchready/state.json, then run the check again.")
    today = ctx.clock().date()
    if not creds:
        return warned(
            KIND,
            target,
            "No credentials are recorded yet",
            why="Without an inventory, nobody knows which keys to replace, or who does it, when one leaks.",
            fix="Record each secret with `launchready credentials add ID --label ... --reference ... "
            "--owner ... --rotate-every 90d --last-rotated YYYY-MM-DD` (the value is optional).",
            evidence={"credentials": []},
        )
    status, problem = await asyncio.to_thread(_keyring_status, store, creds)
    rows = []
    for c in creds:
        d = c.public_dict()
        d["value"] = status[c.id]
        rows.append({k: d.get(k) for k in (
            "id", "label", "reference", "owner", "rotate_every_days", "last_rotated", "next_due", "value")})
    missing = [c.id for c in creds if status[c.id] == "missing"]
    no_owner = [c.id for c in creds if not (c.owner or "").strip()]
    overdue = [c.id for c in creds if c.overdue(today)]
    unknown_rotation = [c.id for c in creds if c.rotate_every_days and not c.last_rotated]
    no_cadence = [c.id for c in creds if not c.rotate_every_days]
    due_soon = [c.id for c in creds if c.due_soon(today)]
    ev: dict[str, Any] = {
        "credentials": rows,
        "missing_from_keyring": missing,
        "no_owner": no_owner,
        "rotation_overdue": overdue,
        "last_rotation_unknown": unknown_rotation,
        "no_rotation_cadence": no_cadence,
        "due_within_14_days": due_soon,
        "keyring_service": store.service,
    }
    if missing:
        return failed(
            KIND,
            target,
            f"{len(missing)} credential(s) lost their keyring entry: {', '.join(missing)}",
            why="Checks and people that rely on these values will fail to sign in; the value may "
            "have been deleted or this is a different computer.",
            fix=f"Store the value again: `launchready credentials rotate {missing[0]}` (you are asked "
            "for the value without echo), or `launchready credentials add ... --replace`.",
            evidence=ev,
        )
    if problem is not None:
        ev["keyring_problem"] = problem.reason
        return errored(KIND, target, problem.reason, fix=problem.fix,
                       why="Until the keyring can be read, nobody knows whether the stored values are still there.",
                       evidence=ev)
    issues, fixes = [], []
    if overdue:
        issues.append(f"rotation overdue: {', '.join(overdue)}")
        from launchready_tui.core.dashboards import rotate_where

        by_id = {c.id: c for c in creds}
        steps = []
        for cid in overdue:
            cred = by_id.get(cid)
            where = (getattr(cred, "rotation_notes", "") or "").strip() or rotate_where(
                cid, str(getattr(cred, "label", "") or ""), str(getattr(cred, "reference", "") or ""))
            steps.append(f"{cid}: {where}" if where else f"{cid}: make a new key where it was issued "
                         "(its service's API keys page) and turn the old one off")
        fixes.append(f"Rotate each overdue key ({'; '.join(steps)}), put the new value where the app reads "
                     f"it, then record it with `launchready credentials rotate {overdue[0]}`.")
    if unknown_rotation:
        issues.append(f"last rotation unknown: {', '.join(unknown_rotation)}")
        fixes.append("Record when each was last rotated (`launchready credentials rotate ID --date YYYY-MM-DD`).")
    if no_owner:
        issues.append(f"no owner: {', '.join(no_owner)}")
        fixes.append(f"Name one person for each: `launchready credentials add {no_owner[0]} --update --owner NAME`.")
    if issues:
        return warned(
            KIND,
            target,
            f"{len(creds)} credential(s); " + "; ".join(issues),
            why="A key nobody owns, or that is never rotated, stays valid long after people and "
            "laptops that had it are gone.",
            fix=" ".join(fixes),
            evidence=ev,
        )
    summary = f"{len(creds)} credential(s), each with an owner and rotated on time"
    if no_cadence:
        summary += f" ({len(no_cadence)} without a rotation cadence)"
    return passed(KIND, target, summary, evidence=ev)


class CredentialsEvidence(TypedDict, total=False):
    """What `check` puts in a result's evidence (the handover reads these keys)."""

    credentials: list[dict[str, Any]]


CHECK_KIND = Kind(
    name="credentials",
    family="secrets",
    title="Credentials",
    plain="keys have owners and get replaced on time",
    about="credential owners and rotation",
    check=check,
    targets=targets,
    schema={"owners": ("map", "str")},
    evidence=CredentialsEvidence,
    shown=("credentials",),
)

