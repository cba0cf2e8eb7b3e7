"""What a check receives: the profile and injected dependencies.

Checks never build their own resolvers, HTTP clients, clocks or keyrings: they take them
from the `CheckContext`, so tests can inject real local servers or in-memory fakes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from launchready_tui.core.credentials import CredentialStore
    from launchready_tui.core.net import Net, NetConfig
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
    credentials: CredentialStore | None = None  # None: the keyring cannot be used
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
                from launchready_tui.core.guard import credential_scope

                self.net.credential_scope = credential_scope(self.profile)
            except AttributeError:  # a stand-in net without the attribute
                pass

    def for_check(self, runbook: Runbook | None, step: Step | None, spec: CheckSpec | None) -> CheckContext:
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


def build_context(profile: Profile, config: NetConfig | None = None, *, options: RunOptions | None = None,
                  clock: Callable[[], dt.datetime] | None = None) -> CheckContext:
    """The one way the CLI and the TUI build a run's context: the network layer from the
    profile (and `config`, a `NetConfig` with command-line overrides), the state store
    beside the profile and the keyring-backed credential store (None when the keyring
    cannot be used: checks that need it say so)."""
    from launchready_tui.core.errors import LaunchReadyError
    from launchready_tui.core.net import Net
    from launchready_tui.core.profile import net_config
    from launchready_tui.core.state import StateStore

    credentials = None
    try:
        from launchready_tui.core.credentials import CredentialStore

        credentials = CredentialStore.for_profile(profile)
    except (ImportError, AttributeError, LaunchReadyError):
        credentials = None
    ctx = CheckContext(
        profile=profile,
        net=Net(config if config is not None else net_config(profile)),
        state=StateStore(profile.state_dir),
        credentials=credentials,
        options=options or RunOptions(),
    )
    if clock is not None:
        ctx.clock = clock
    return ctx
