"""What a check receives: the profile and injected dependencies.

Checks never build their own resolvers, HTTP clients, clocks or keyrings: they take them
from the `CheckContext`, so tests can inject real local servers or in-memory fakes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from launchready_tui.core.net import Net
    from launchready_tui.core.profile import Profile
    from launchready_tui.core.runbook import CheckSpec, Runbook, Step
    from launchready_tui.core.state import StateStore


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class RunOptions:
    """Options from the command line or the TUI that change how checks behave."""

    yes: bool = False  # commands may run (explicit confirmation given)
    release: str | None = None  # latency snapshots are keyed by this
    concurrency: int = 16
    output_cb: Callable[[str, str], None] | None = None  # (check key, line) for streaming


@dataclass
class CheckContext:
    profile: Profile
    net: Net
    state: StateStore | None = None
    credentials: Any = None  # core.credentials.CredentialStore, when available
    clock: Callable[[], dt.datetime] = utcnow
    options: RunOptions = field(default_factory=RunOptions)
    # Filled per check by the engine:
    spec: CheckSpec | None = None
    runbook: Runbook | None = None
    step: Step | None = None

    def __post_init__(self) -> None:
        # Credentials only go to the profile's own hosts (core/guard.py checks every request).
        if self.net is not None and getattr(self.net, "credential_scope", None) is None and self.profile is not None:
            try:
                self.net.credential_scope = self.profile.is_own_host
            except AttributeError:  # a stand-in net without the attribute
                pass

    def for_check(self, runbook, step, spec) -> CheckContext:
        return CheckContext(
            profile=self.profile,
            net=self.net,
            state=self.state,
            credentials=self.credentials,
            clock=self.clock,
            options=self.options,
            spec=spec,
            runbook=runbook,
            step=step,
        )

    def record_value(self, field_id: str) -> str | None:
        """A value the user typed into a `record` field anywhere (for fix texts such as
        "who renews this certificate"). None when not recorded."""
        if self.state is None:
            return None
        return self.state.find_record_value(field_id)
