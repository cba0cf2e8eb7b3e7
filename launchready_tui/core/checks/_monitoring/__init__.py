"""Uptime-monitor providers: one module each, named after `monitoring.provider`.

A provider module has `PERMISSIONS` (what its token needs, in its own words),
`TOKEN_HELP` (where to create a read-only key) and `async def list_monitors(api) -> list[Monitor]`
with `api` a `core.checks._accounts.Api` already holding its auth; `headers(token)` builds
that auth. A third provider is one more file here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from launchready_tui.core.checks._accounts import Api


@dataclass
class Monitor:
    name: str
    url: str
    active: bool  # not paused
    interval_s: int | None
    contacts: list[str] = field(default_factory=list)  # where alerts go (plain words, no secrets)
    up: bool | None = None  # None: not checked yet / unknown
    status: str = ""


class Provider(Protocol):
    """What `monitors` uses of a provider module (the contract above)."""

    PERMISSIONS: str
    TOKEN_HELP: str

    def headers(self, token: str) -> dict[str, str]: ...

    async def list_monitors(self, api: Api) -> list[Monitor]: ...
