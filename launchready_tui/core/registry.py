"""The check kinds, named from day one.

Each kind maps to a module under `core/checks/`. A module provides:

    def targets(profile, params) -> list[str]          # may raise MissingInput
    async def check(ctx, target, params) -> CheckResult
    def deadline(params, timeout_s) -> float           # optional: overall time budget

A kind whose module is None is "not available yet" and returns `skip` with that reason.
Modules are imported lazily, only when a check of that kind runs.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType


@dataclass(frozen=True)
class Kind:
    name: str
    module: str | None
    family: str
    about: str


_BASE = "launchready_tui.core.checks."

KINDS: dict[str, Kind] = {
    k.name: k
    for k in [
        Kind("dns", _BASE + "dns", "edge", "host names resolve; the domain map"),
        Kind("uptime", _BASE + "uptime", "ops", "monitored URLs answer 2xx/3xx in time"),
        Kind("redirects", _BASE + "redirects", "edge", "one canonical HTTPS address, no loops"),
        Kind("tls", _BASE + "tls", "edge", "certificates valid, trusted, not expiring"),
        Kind("headers", _BASE + "headers", "edge", "HSTS and security headers, cookies"),
        Kind("cloudflare", _BASE + "cloudflare", "edge", "proxied hosts, origin exposure"),
        Kind("spf", _BASE + "email.spf", "email", "SPF record per RFC 7208"),
        Kind("dkim", _BASE + "email.dkim", "email", "DKIM keys per selector"),
        Kind("dmarc", _BASE + "email.dmarc", "email", "DMARC policy and reporting"),
        Kind("mx", _BASE + "email.mx", "email", "mail exchangers"),
        Kind("env", _BASE + "env", "secrets", "env vars present, separated, no test keys"),
        Kind("secrets", _BASE + "secrets", "secrets", "no keys in code, bundles or logs"),
        Kind("credentials", _BASE + "credentials", "secrets", "credential owners and rotation"),
        Kind("deps", _BASE + "deps", "ops", "dependency audit"),
        Kind("latency", _BASE + "latency", "perf", "p95 of key routes under budget"),
        Kind("page_load", _BASE + "page_load", "perf", "key pages load under budget"),
        Kind("rate_limit", _BASE + "rate_limit", "perf", "login and invite endpoints are limited"),
        Kind("smoke", _BASE + "smoke", "ops", "smoke test after deploy"),
        Kind("command", _BASE + "command", "ops", "run a runbook command, timed"),
        Kind("ai_probe", _BASE + "ai_probe", "secrets", "the admin AI assistant resists injection, leaks nothing, acts only with approval"),
    ]
}


class MissingInput(Exception):
    """A check's inputs are not in the profile: the check is skipped, naming the key."""

    def __init__(self, key: str, hint: str = "") -> None:
        self.key = key
        msg = f"fill in `{key}` in launchready.yaml to run this check"
        if hint:
            msg += f" ({hint})"
        super().__init__(msg)


class NotAvailable(Exception):
    pass


def load_kind(name: str) -> ModuleType:
    kind = KINDS[name]
    if kind.module is None:
        raise NotAvailable(name)
    try:
        return importlib.import_module(kind.module)
    except ModuleNotFoundError as e:
        if e.name and kind.module.startswith(e.name):
            raise NotAvailable(name) from None
        raise
