"""Talking to the founder's accounts (Cloudflare, the uptime monitor, Sentry) read-only.

One small client on the project's own network layer (timeouts, body caps, no redirects
followed) instead of the providers' SDKs, which would cost the check path their import
time. Every call is a read. The token comes from the keyring (or, in CI, from the
environment variable the profile names) and goes only to the provider's API host
(`api_base`); it never appears in an error, a result, state or an export: errors are
built from the HTTP status, never from the provider's body, which can echo the key.
Pagination is followed up to a cap; a 429 is retried after its Retry-After, bounded.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlencode, urlsplit

if TYPE_CHECKING:
    from launchready_tui.core.context import CheckContext
    from launchready_tui.core.net import FetchResult
    from launchready_tui.core.profile import Profile
    from launchready_tui.core.results import CheckResult

T = TypeVar("T")

MAX_BODY = 4 * 1024 * 1024
MAX_PAGES = 20
MAX_RETRIES = 2
MAX_RETRY_WAIT_S = 10.0
MAX_TOTAL_WAIT_S = 15.0  # all 429 waits of one check together, so the check ends in its deadline


def time_budget_s(timeout_s: float) -> float:
    """How long one check may spend on its provider's API in all (requests, pages, 429
    waits): well inside every account kind's deadline (8 x timeout + 30 s at the least)."""
    return 6 * float(timeout_s) + 5

# section -> (default provider, provider -> default api_base)
API_BASES = {
    "cloudflare": "https://api.cloudflare.com/client/v4",
    "uptimerobot": "https://api.uptimerobot.com/v2",
    "betterstack": "https://uptime.betterstack.com/api/v2",
    "sentry": "https://sentry.io/api/0",
}
SECTIONS = {"cloudflare": "cloudflare", "monitoring": None, "error_tracking": "sentry"}


class ApiProblem(Exception):
    """The API could not be read: the check says `error` with this reason and fix."""

    def __init__(self, reason: str, fix: str = "", status: int | None = None) -> None:
        super().__init__(reason)
        self.reason, self.fix, self.status = reason, fix, status


class NoToken(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def provider_of(profile: Profile, section: str) -> str:
    conf = profile.get(section) or {}
    return str(conf.get("provider") or SECTIONS.get(section) or "").lower()


def api_base(profile: Profile, section: str) -> str:
    conf = profile.get(section) or {}
    base = conf.get("api_base") or API_BASES.get(provider_of(profile, section), "")
    return str(base).rstrip("/")


def api_hosts(profile: Profile) -> set[str]:
    """The hosts provider tokens may go to: each configured section's api_base host."""
    out: set[str] = set()
    for section in SECTIONS:
        if profile.get(section):
            host = (urlsplit(api_base(profile, section)).hostname or "").lower()
            if host:
                out.add(host)
    return out


async def token_for(ctx: CheckContext, section: str) -> str:
    """The section's token: `credential` from the keyring, else `credential_env` from the
    process environment (CI). NoToken says which key to fill in."""
    from launchready_tui.core.guard import NeedsCredential, get_secret

    conf = ctx.profile.get(section) or {}
    cred, env = conf.get("credential"), conf.get("credential_env")
    if cred:
        try:
            return await get_secret(ctx, str(cred))
        except NeedsCredential as e:
            if not env:
                raise NoToken(e.reason) from None
    if env:
        value = os.environ.get(str(env))
        if value:
            return value
        raise NoToken(f"the environment variable {env} (`{section}.credential_env`) is not set")
    raise NoToken(f"fill in `{section}.credential` in launchready.yaml with the keyring id of a read-only "
                  "API token")


@dataclass
class Api:
    """A read-only client for one provider: base URL, auth headers, the run's network."""

    ctx: CheckContext
    base: str
    headers: dict[str, str]
    permissions: str  # what the token needs, named in a 403
    token: str = ""
    waited_s: float = 0.0  # 429 waits so far
    started: float = field(default_factory=time.monotonic)
    requests: int = 0

    def url(self, path: str, params: dict[str, Any] | None = None) -> str:
        u = self.base + (path if path.startswith("/") else "/" + path)
        return u + ("?" + urlencode(params, doseq=True) if params else "")

    async def call(self, path: str, params: dict[str, Any] | None = None, *, method: str = "GET",
                   form: dict[str, Any] | None = None, allow_404: bool = False) -> tuple[Any, FetchResult]:
        """(decoded JSON, the FetchResult). Raises ApiProblem for anything but 2xx."""
        import httpx

        from launchready_tui.core.net import DnsFailure, HostResolutionError, describe_http_error

        url = self.url(path, params if method == "GET" else None)
        body = urlencode(form).encode() if form is not None else None
        headers = dict(self.headers)
        if form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(MAX_RETRIES + 1):
            spent = time.monotonic() - self.started
            if spent > time_budget_s(getattr(self.ctx.net, "timeout_s", 5.0)):
                raise ApiProblem(f"{urlsplit(self.base).hostname} is answering too slowly: LaunchReady gave up "
                                 f"after {self.requests} requests in {spent:.0f} s",
                                 "The provider may be having trouble (see its status page); run the check again "
                                 "later.")
            self.requests += 1
            try:
                # the token belongs to the provider's API host, and only goes there (core/guard.py)
                r = await self.ctx.net.fetch(url, method=method, headers=headers, content=body, max_bytes=MAX_BODY,
                                             credential_host=urlsplit(self.base).hostname)
            except (httpx.HTTPError, HostResolutionError, DnsFailure, TimeoutError, OSError) as e:
                raise ApiProblem(f"{urlsplit(self.base).hostname} did not answer: {describe_http_error(e)}",
                                 "Check your network connection (and `api_base` if you changed it), then "
                                 "run the check again.") from None
            wait = _retry_after(r.header("retry-after")) if r.status == 429 else 0.0
            if r.status == 429 and attempt < MAX_RETRIES and wait <= MAX_RETRY_WAIT_S \
                    and self.waited_s + wait <= MAX_TOTAL_WAIT_S \
                    and time.monotonic() - self.started + wait <= time_budget_s(getattr(self.ctx.net, "timeout_s", 5.0)):
                self.waited_s += wait
                await asyncio.sleep(wait)
                continue
            break
        host = urlsplit(self.base).hostname
        if r.status == 429 and wait > MAX_RETRY_WAIT_S:
            raise ApiProblem(f"{host} is rate limiting LaunchReady (HTTP 429) and asks it to wait "
                             f"{_duration(wait)}", "Wait that long (or until the provider's limit resets) and "
                             "run the check again.", 429)
        if r.status == 404 and allow_404:
            return None, r
        if r.status == 401:
            raise ApiProblem(f"{host} refused the token (HTTP 401: it is wrong, revoked or expired)",
                             "Create a new read-only token (see this step's instructions), store it with "
                             "`launchready credentials rotate ID`, and run the check again.", 401)
        if r.status == 403:
            raise ApiProblem(f"the token may not read this (HTTP 403): it needs {self.permissions}",
                             f"Edit the token in the provider's dashboard and add: {self.permissions}. "
                             "Then run the check again.", 403)
        if r.status == 404:
            raise ApiProblem(f"{host} has no such thing (HTTP 404 for {path.split('?')[0]})",
                             "Check the names in launchready.yaml (zone, organization, project), then "
                             "run the check again.", 404)
        if r.status == 429:
            raise ApiProblem(f"{host} is rate limiting LaunchReady (HTTP 429)",
                             "Wait a few minutes and run the check again.", 429)
        if r.status >= 400:
            raise ApiProblem(f"{host} answered HTTP {r.status}",
                             "The provider may be having trouble (see its status page); run the check "
                             "again later.", r.status)
        if r.truncated:
            raise ApiProblem(f"{host} sent more than {MAX_BODY // (1024 * 1024)} MB in one answer")
        if r.decode_error:
            raise ApiProblem(f"{host} sent a compressed answer that cannot be decompressed (HTTP {r.status})",
                             "The provider may be having trouble (see its status page); run the check again "
                             "later.")
        try:
            return json.loads(r.body or b"null"), r
        except RecursionError:
            raise ApiProblem(f"{host} answered JSON nested too deeply to read (HTTP {r.status})",
                             "Check `api_base` in launchready.yaml, then run the check again.") from None
        except ValueError:
            raise ApiProblem(f"{host} answered something that is not JSON (HTTP {r.status})",
                             "Check `api_base` in launchready.yaml, then run the check again.") from None


def _retry_after(value: str | None) -> float:
    """Seconds a 429 asks us to wait: delta-seconds or an HTTP date (RFC 9110 10.2.3);
    1 s when absent or unreadable. Not capped here: the caller gives up past the cap."""
    value = (value or "").strip()
    if not value:
        return 1.0
    if value.isascii() and value.isdigit():
        return float(min(int(value[:12]), 10 ** 9))
    try:
        import email.utils
        import time

        when = email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return 1.0
    return max(0.0, min(when - time.time(), 1e9))


def _duration(s: float) -> str:
    if s >= 2 * 86400:
        return f"{s / 86400:.0f} days"
    if s >= 7200:
        return f"{s / 3600:.0f} hours"
    if s >= 120:
        return f"{s / 60:.0f} minutes"
    return f"{s:.0f} seconds"


# What reading an answer of the wrong shape raises (a list where an object was promised,
# text where a number was): each account kind turns these into `error` naming the provider,
# never into a traceback, and never shows the exception's text (it can hold the values).
SHAPE_ERRORS = (TypeError, ValueError, AttributeError, KeyError, IndexError, RecursionError)


def shape_problem(provider: str, what: str = "") -> ApiProblem:
    return ApiProblem(f"{provider} answered{' ' + what if what else ''} in a shape its API does not document, so "
                      "LaunchReady could not read it",
                      "Check `api_base` in launchready.yaml (it must be the provider's API address); if it is "
                      "right, the provider may be having trouble: run the check again later.")


async def read_or_error(kind: str, target: str, provider: str, what: str, read: Callable[[], Awaitable[T]],
                        evidence: dict[str, Any]) -> T | CheckResult:
    """`await read()`, or the `error` result that says why the account could not be read:
    an ApiProblem's reason and fix, or an answer of the wrong shape (never its text)."""
    from launchready_tui.core.results import errored

    try:
        return await read()
    except ApiProblem as e:
        return errored(kind, target, e.reason, fix=e.fix, evidence=evidence)
    except SHAPE_ERRORS:
        problem = shape_problem(provider, what)
        return errored(kind, target, problem.reason, fix=problem.fix, evidence=evidence)


def _shape(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true/false"
    return {dict: "an object", list: "a list", str: "text", int: "a number", float: "a number"}.get(type(v), "data")


def as_list(v: Any, provider: str, what: str) -> list[Any]:
    """v when it is a list, [] for null; else ApiProblem naming what was sent."""
    if v is None:
        return []
    if isinstance(v, list):
        return v
    raise ApiProblem(f"{provider} sent {what} as {_shape(v)}, not a list",
                     "Check `api_base` in launchready.yaml, then run the check again.")


def dicts(v: Any, provider: str, what: str) -> list[dict[str, Any]]:
    """A list whose every item is an object (null is []); else ApiProblem naming what was sent."""
    items = as_list(v, provider, what)
    if any(not isinstance(x, dict) for x in items):
        odd = next(x for x in items if not isinstance(x, dict))
        raise ApiProblem(f"{provider} sent {what} with an item that is {_shape(odd)}, not an object",
                         "Check `api_base` in launchready.yaml, then run the check again.")
    return items


def as_dict(v: Any, provider: str, what: str) -> dict[str, Any]:
    """v when it is an object, {} for null; else ApiProblem naming what was sent."""
    if v is None:
        return {}
    if isinstance(v, dict):
        return v
    raise ApiProblem(f"{provider} sent {what} as {_shape(v)}, not an object",
                     "Check `api_base` in launchready.yaml, then run the check again.")


def as_int(v: Any) -> int | None:
    """A whole number from a number or a string of ASCII digits; None for anything else
    (null, a word, true/false, a fraction)."""
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return int(v)
    if isinstance(v, str) and v.strip().lstrip("-").isascii() and v.strip().lstrip("-").isdigit() \
            and len(v.strip()) <= 15:
        return int(v.strip())
    return None


def scrub(text: str, token: str) -> str:
    """A text with the token taken out."""
    if token and token in text:
        text = text.replace(token, "[token]")
    return text
