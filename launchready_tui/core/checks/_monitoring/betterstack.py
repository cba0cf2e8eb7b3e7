"""Better Stack Uptime, API v2: GET /monitors with a Bearer token, JSON:API shaped
(`data[].attributes`), paged by `pagination.next`. A monitor alerts by email, SMS, call or
push to the team, or through an escalation policy."""

from __future__ import annotations

from urllib.parse import urlsplit

from launchready_tui.core.checks._accounts import MAX_PAGES
from launchready_tui.core.checks._monitoring import Monitor

PERMISSIONS = "an Uptime API token (Team > API tokens)"
TOKEN_HELP = ("In Better Stack open Settings > API tokens > Uptime API tokens, create one, store it with "
              "`launchready credentials add uptime-api`, and set `monitoring.credential: uptime-api`.")


def headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def list_monitors(api) -> list[Monitor]:
    out: list[Monitor] = []
    path: str | None = "/monitors?per_page=50"
    for _ in range(MAX_PAGES):
        if path is None:
            break
        data, _r = await api.call(path)
        for m in (data or {}).get("data") or []:
            a = m.get("attributes") or {}
            contacts = [w for w in ("email", "sms", "call", "push") if a.get(w)]
            if a.get("policy_id"):
                contacts.append("escalation policy")
            status = str(a.get("status") or "")
            out.append(Monitor(str(a.get("pronounceable_name") or a.get("url")), str(a.get("url") or ""),
                               not a.get("paused") and status != "paused", int(a.get("check_frequency") or 0) or None,
                               contacts, True if status == "up" else False if status == "down" else None, status))
        nxt = ((data or {}).get("pagination") or {}).get("next")
        if not nxt:
            break
        # Follow `next` only on the same API host and path prefix: the token goes nowhere else.
        u, base = urlsplit(str(nxt)), urlsplit(api.base)
        if u.hostname != base.hostname or not u.path.startswith(base.path):
            break
        path = u.path[len(base.path):] + (f"?{u.query}" if u.query else "")
    return out
