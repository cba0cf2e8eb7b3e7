"""The problem records and the ranking rule: the eight levels of harm, which level a kind's
and a finding's problems sit at, `Finding`, `Problem` (with its owner and priority) and
`rank_key`, the rule's only implementation (see the package docstring)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from launchready_tui.core.results import Status

PAY_LOGIN, DOWN, SECRETS, TAKEOVER, SPAM, SLOW, UNKNOWN, HYGIENE = range(1, 9)

LEVELS: dict[int, str] = {
    PAY_LOGIN: "customers cannot pay or log in",
    DOWN: "the site is down or shows customers a certificate warning",
    SECRETS: "secrets are public",
    TAKEOVER: "someone can take over a name or an account",
    SPAM: "email lands in spam or can be forged in your name",
    SLOW: "pages are slow",
    UNKNOWN: "could not check",
    HYGIENE: "hygiene",
}

# Where no finding says otherwise, the level a kind's problems sit at.
_KIND_LEVEL: dict[str, int] = {
    "dns": DOWN, "uptime": DOWN, "redirects": DOWN, "tls": DOWN, "smoke": DOWN, "command": DOWN,
    "headers": HYGIENE, "cloudflare": HYGIENE, "deps": HYGIENE, "credentials": HYGIENE,
    "spf": SPAM, "dkim": SPAM, "dmarc": SPAM, "mx": SPAM,
    "secrets": SECRETS, "env": PAY_LOGIN,
    "latency": SLOW, "page_load": SLOW,
    "rate_limit": TAKEOVER, "ai_probe": SECRETS,
}
_CODE_LEVEL: dict[tuple[str, str], int] = {
    ("dns", "dangling-cname"): TAKEOVER,
    ("dns", "caa"): HYGIENE,
    ("redirects", "no_https"): HYGIENE,
    ("redirects", "downgrade"): HYGIENE,
    ("redirects", "not_canonical"): HYGIENE,
    ("redirects", "apex_hsts"): HYGIENE,
    ("redirects", "too_many"): HYGIENE,
    ("tls", "old_tls"): HYGIENE,
    ("tls", "legacy_cipher"): HYGIENE,
    ("tls", "cbc_only"): HYGIENE,
    ("redirects", "hop_hsts_missing"): HYGIENE,
    ("redirects", "http_refused"): HYGIENE,
    ("env", "shared"): SECRETS,
}


@dataclass(frozen=True)
class Finding:
    """One thing a result shows. `kind` is the kind the fact is filed under (may differ
    from the result's own check); `level` overrides the kind's default level; `fix` and
    `why`, when the check gives them per finding, replace the result's own."""

    kind: str
    target: str
    code: str
    title: str
    status: Status = Status.FAIL
    level: int | None = None
    fix: str = ""
    why: str = ""

    @property
    def id(self) -> str:
        return f"{self.kind}:{self.target}:{self.code}"


@dataclass
class Problem:
    id: str
    kind: str
    target: str
    code: str
    title: str
    level: int
    status: Status
    fix: str
    why: str
    environment: str = "production"
    audience: str = "customers"
    results: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    also: list[str] = field(default_factory=list)
    rank: int = 0
    first_seen: str = ""
    owner: str | None = None
    priority: str | None = None
    accepted_until: str = ""  # an allowlist entry accepts this problem until that date
    owned: bool = field(default=False, repr=False, compare=False)
    seen_at: str = field(default="", repr=False, compare=False)  # the oldest result that shows it

    @property
    def impact(self) -> str:
        where = "" if self.environment == "production" else f" ({self.environment})"
        who = " - internal" if self.audience == "internal" else ""
        return LEVELS[self.level][0].upper() + LEVELS[self.level][1:] + where + who

    @property
    def command(self) -> str:
        """The command that re-runs the first step that shows this problem."""
        if not self.steps:
            return "launchready check"
        rb, _, st = self.steps[0].partition("/")
        return f"launchready check --runbook {rb} --step {st}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "rank": self.rank,
            "level": self.level,
            "impact": self.impact,
            "title": self.title,
            "fix": self.fix,
            "why": self.why,
            "status": self.status.value,
            "kind": self.kind,
            "target": self.target,
            "environment": self.environment,
            "audience": self.audience,
            "results": list(self.results),
            "steps": list(self.steps),
            "also_seen": list(self.also),
            "command": self.command,
            "first_seen": self.first_seen,
            "owner": self.owner,
            "priority": self.priority,
            **({"accepted_until": self.accepted_until} if self.accepted_until else {}),
        }


def rank_key(p: Problem) -> tuple[int, int, int, int, str]:
    """The ranking rule (see the package docstring): level, then production before
    staging, customer-facing before internal, fail before warn, then id."""
    return (
        p.level,
        0 if p.environment == "production" else 1,
        0 if p.audience == "customers" else 1,
        0 if p.status == Status.FAIL else 1,
        p.id,
    )
