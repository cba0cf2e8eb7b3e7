"""The types the email kinds share: what they need of a resolver (`query(name, rdtype)`
returning a `DnsAnswer`: core/net.py `Resolver`, spf's per-check `CachingResolver`, or a
test's fake) and the shape of a kind's `params`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from launchready_tui.core.net import DnsAnswer

Params = Mapping[str, Any] | None  # a runbook step's params; None when it gives none


class Resolver(Protocol):
    async def query(self, name: str, rdtype: str = "A") -> DnsAnswer: ...
