"""Better Stack Uptime, API v2: GET /monitors with a Bearer token, JSON:API shaped
(`data[].attributes`), paged by `pagination.next`. A monitor alerts by email, SMS, call or
push to the team, or through an escalation policy."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from launchready_tui.core.checks._accounts import (
    MAX_PAGES,
    ApiProblem,
    as_dict,
    as_int,
    dicts,
    scrub,
)
from launchready_tui.core.checks._monitoring import Monitor

if TYPE_CHECKING:
    from launchready_tui.core.checks._accounts import Api

STATUSES = ("up", "down", "validating", "paused", "pending", "maintenance")
PERMISSIONS = "an Uptime API token (Team > API tokens)"
TOKEN_HELP = ("In Better Stack open Settings > API tokens > Uptime API tokens, create one, store it with "
              "`launchready credentials add uptime-api`, and set `monitoring.credential: uptime-api`.")


def headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def list_monitors(api: Api) -> list[Monitor]:
    out: list[Monitor] = []
    path = "/monitors?per_page=50"
    seen: set[str] = set()
    base = urlsplit(api.base)
    for _ in range(MAX_PAGES):
        seen.add(path)
        data, _r = await api.call(path)
        data = as_dict(data, "Better Stack", "the monitor list")
        for m in dicts(data.get("data"), "Better Stack", "the monitors (`data`)"):
            out.append(_monitor(as_dict(m.get("attributes"), "Better Stack", "a monitor's attributes"), api.token))
        nxt = as_dict(data.get("pagination"), "Better Stack", "the pagination").get("next")
        if not nxt:
            return out
        if not isinstance(nxt, str):
            raise ApiProblem("Better Stack sent a next-page address that is not text", "Run the check again later.")
        # Follow `next` only on the same API host and path prefix: the token goes nowhere else.
        try:
            u = urlsplit(nxt)
            host = (u.hostname or "").lower()
        except ValueError:
            raise ApiProblem("Better Stack sent an unreadable next-page address", "Run the check again later.") from None
        if u.scheme != base.scheme or host != (base.hostname or "").lower() or u.port != base.port \
                or not u.path.startswith(base.path):
            raise ApiProblem(f"Better Stack's next page is at another address ({host or 'no host'}); LaunchReady "
                             f"sends the token only to {base.hostname}, so it could not read every monitor",
                             "Check `monitoring.api_base` in launchready.yaml, then run the check again.")
        path = u.path[len(base.path):] + (f"?{u.query}" if u.query else "")
        if path in seen:
            raise ApiProblem("Better Stack's pages loop back to a page already read, so the monitor list never "
                             "ends", "Run the check again later.")
    raise ApiProblem(f"Better Stack's monitor list is longer than {MAX_PAGES} pages; LaunchReady could not read "
                     "it all", "Delete monitors the account no longer needs, or check the rest in Better Stack.")


def _monitor(a: dict[str, Any], token: str) -> Monitor:
    raw_url = a.get("url")
    url = raw_url if isinstance(raw_url, str) else ""
    name = scrub(str(a.get("pronounceable_name") or url or "(no name)"), token)[:200]
    freq = as_int(a.get("check_frequency"))
    if freq is None or freq <= 0:
        raise ApiProblem(f"Better Stack sent no usable check frequency for the monitor \"{name}\"",
                         "Run the check again later; if it stays, open the monitor in Better Stack and save it again.")
    contacts = [w for w in ("email", "sms", "call", "push") if a.get(w) is True]
    if a.get("policy_id"):
        contacts.append("escalation policy")
    status = a.get("status") if isinstance(a.get("status"), str) else ""
    status = status if status in STATUSES else ""
    return Monitor(name, scrub(url, token), a.get("paused") is not True and status != "paused", freq, contacts,
                   True if status == "up" else False if status == "down" else None, status)
