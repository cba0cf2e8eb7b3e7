"""The TXT reads DKIM and DMARC share: the records of one kind at a name, and the rule
that a name holds exactly one of them (RFC 6376 3.6.2.2, RFC 7489 6.6.3)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from launchready_tui.core.checks.email._types import Resolver
    from launchready_tui.core.net import DnsAnswer
    from launchready_tui.core.results import CheckResult


async def txt_records(resolver: Resolver, name: str, looks_like: Callable[[str], bool]) -> tuple[DnsAnswer, list[str]]:
    """The TXT answer at `name` and those of its records that try to be the kind's record.
    Raises DnsFailure (timeout, SERVFAIL, refused): the caller says "could not check"."""
    ans = await resolver.query(name, "TXT")
    return ans, [r for r in ans.records if looks_like(r)]


def more_than_one(kind: str, target: str, name: str, count: int, what: str, *, why: str, fix: str,
                  evidence: dict[str, Any]) -> CheckResult:
    """The fail for `count` (> 1) records of a kind at `name`: there must be one."""
    from launchready_tui.core.results import failed

    return failed(kind, target, f"{name} has {count} {what} records; there must be one.", why=why, fix=fix,
                  evidence=evidence)
