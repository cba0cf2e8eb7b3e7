"""The one gate between the profile's credentials and probes and the network.

Two rules, enforced here and nowhere else:

* probes (load, rate-limit, page-load, attack prompts) only touch the profile's own
  hosts: `own_host_refusal` turns anything else into an `error` result before a byte
  is sent;
* a stored credential is only ever sent to the host it belongs to (the profile's own
  hosts): `auth_headers` refuses to build an `Authorization` header for any other URL,
  and every HTTP request (`Net.fetch`, the httpx transport, the load generator) passes
  its headers through `check_request`, which refuses a credential-bearing request to a
  host outside the scope the context gave the `Net` - also after a redirect.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:  # pragma: no cover
    from launchready_tui.core.context import CheckContext
    from launchready_tui.core.profile import Profile
    from launchready_tui.core.results import CheckResult

# Header names that carry a credential (never sent off the profile's own hosts).
CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "x-api-key"})


class CredentialRefused(PermissionError):
    """A request would have sent a credential to a host that is not the profile's.
    An OSError, so every check's network-error handling reports it as `error`."""

    def __init__(self, host: str) -> None:
        self.host = host
        super().__init__(
            f"refused to send a credential to {host or 'an unknown host'}: it is not one of "
            "your own hosts"
        )


class NeedsCredential(Exception):
    def __init__(self, reason: str, cred_id: str) -> None:
        super().__init__(reason)
        self.reason, self.cred_id = reason, cred_id


def host_of(url: str) -> str:
    try:
        return (urlsplit(str(url)).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


def is_own_url(profile: Profile, url: str) -> bool:
    host = host_of(url)
    return bool(host) and profile.is_own_host(host)


def own_host_refusal(kind: str, profile: Profile, url: str, what: str) -> CheckResult | None:
    """An `error` result when url's host is not the profile's own, else None."""
    from launchready_tui.core.redact import clean_url
    from launchready_tui.core.results import errored

    if is_own_url(profile, url):
        return None
    host = host_of(url)
    shown = clean_url(url)
    return errored(
        kind,
        shown,
        f"refused to {what} {host or shown}: it is not under your domain {profile.domain}",
        evidence={"url": shown, "host": host, "domain": profile.domain, "refused": True},
        why="LaunchReady only sends test traffic and credentials to your own sites. Sending "
        "them to someone else's could leak your keys, get you blocked or break their terms.",
        fix=f"Use an address under {profile.domain} (or list the host under `hosts:` in "
        "launchready.yaml if it is yours), then run the check again.",
    )


def credential_scope(profile: Profile) -> Callable[[str], bool]:
    """Where a credential may go: the profile's own hosts, plus the API host of each
    account the profile connects (Cloudflare, the uptime monitor, Sentry: their
    `api_base`), which is where those tokens belong. Route and probe credentials are
    held to the profile's own hosts by `auth_headers` before this is even asked."""
    from launchready_tui.core.checks._accounts import api_hosts

    hosts = api_hosts(profile)

    def allowed(host: str) -> bool:
        return profile.is_own_host(host) or host in hosts

    return allowed


def carries_credential(headers: dict[str, str] | Iterable[tuple[Any, Any]] | None) -> bool:
    if not headers:
        return False
    items = headers.items() if isinstance(headers, dict) else headers
    for k, _v in items:
        name = k.decode("latin-1") if isinstance(k, bytes) else str(k)
        if name.lower() in CREDENTIAL_HEADERS:
            return True
    return False


def check_request(scope: Callable[[str], bool] | None, host: str,
                  headers: dict[str, str] | Iterable[tuple[Any, Any]] | None,
                  credential_host: str | None = None) -> None:
    """Raise CredentialRefused when headers carry a credential and host is outside scope.
    `credential_host` is the one other host a request's credential belongs to (a
    provider's API host for its token): exactly that host, never another one a reply
    points at. With no scope (a Net built without a profile) credentials go nowhere else."""
    if not carries_credential(headers):
        return
    host = (host or "").lower().rstrip(".")
    if host and credential_host and host == credential_host.lower().rstrip("."):
        return
    if scope is None or not host or not scope(host):
        raise CredentialRefused(host)


async def get_secret(ctx: CheckContext, cred_id: str) -> str:
    """The secret for a credential id, from the keyring (in a thread: keyring blocks).

    Works with `CredentialStore.get_value` (core/credentials.py) and with any store that
    has `get_secret`. Raises NeedsCredential when there is no store, no value, or the
    keyring cannot be used (missing or locked), with what to do in plain words."""
    store = getattr(ctx, "credentials", None)
    if store is None:
        raise NeedsCredential(
            f"credentials not available (this uses `{cred_id}` from the keyring, and no "
            "keyring is set up here)",
            cred_id,
        )
    getter = getattr(store, "get_secret", None) or getattr(store, "get_value", None)
    if getter is None:
        raise NeedsCredential("credentials not available (no way to read values)", cred_id)
    try:
        value = await asyncio.to_thread(getter, cred_id)
        if inspect.isawaitable(value):
            value = await value
    except Exception as e:  # KeyringUnavailable / KeyringLockedError carry a fix
        fix = getattr(e, "fix", "")
        reason = getattr(e, "reason", "") or str(e)
        raise NeedsCredential(
            f"credentials not available: {reason}" + (f". {fix}" if fix else ""), cred_id
        ) from None
    if not value:
        raise NeedsCredential(
            f"credential `{cred_id}` has no value in the keyring; store it with "
            f"`launchready credentials add {cred_id}` (or `--update` if it exists)",
            cred_id,
        )
    return str(value)


def authorization_value(token: str) -> str:
    """`Bearer <token>`, unless the stored value already names its scheme."""
    head = token.split(" ", 1)[0]
    if " " in token and head.lower() in ("bearer", "basic", "token", "digest", "bot"):
        return token
    return f"Bearer {token}"


async def auth_headers(ctx: CheckContext, entry: dict[str, Any], url: str | None = None) -> tuple[dict[str, str], str | None]:
    """Headers of a profile entry plus Authorization from its `auth` credential, for a
    request to `url` (default: the entry's own url). The keyring is not even read when
    url is not one of the profile's hosts: CredentialRefused.
    Returns (headers, secret or None) - the secret only for redaction, never to show."""
    headers = {str(k): str(v) for k, v in (entry.get("headers") or {}).items()}
    target = str(url or entry.get("url") or "")
    if carries_credential(headers) and not is_own_url(ctx.profile, target):
        raise CredentialRefused(host_of(target))
    cred = entry.get("auth")
    if not cred:
        return headers, None
    if not is_own_url(ctx.profile, target):
        raise CredentialRefused(host_of(target))
    token = await get_secret(ctx, str(cred))
    headers["Authorization"] = authorization_value(token)
    return headers, token
