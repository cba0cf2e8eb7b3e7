"""UptimeRobot, API v2: `getMonitors` (a read, though UptimeRobot's API takes POST for every
method), paged with offset/limit. Monitor status: 0 paused, 1 not checked yet, 2 up,
8 seems down, 9 down. The key goes in the form body, never in the URL."""

from __future__ import annotations

from launchready_tui.core.checks._accounts import MAX_PAGES, ApiProblem
from launchready_tui.core.checks._monitoring import Monitor

PERMISSIONS = "a Read-Only API Key"
TOKEN_HELP = ("In UptimeRobot open Integrations & API > API > Read-Only API Key, create it, store it with "
              "`launchready credentials add uptime-api`, and set `monitoring.credential: uptime-api`.")
PAGE = 50
_CONTACT_TYPES = {1: "SMS", 2: "email", 3: "Twitter", 5: "webhook", 6: "push", 9: "Pushover", 11: "Slack",
                  14: "voice call", 15: "Splunk", 16: "PagerDuty", 18: "Telegram", 20: "Microsoft Teams",
                  21: "Google Chat", 23: "Discord"}


def headers(token: str) -> dict[str, str]:
    return {}


async def list_monitors(api) -> list[Monitor]:
    out: list[Monitor] = []
    offset = 0
    for _ in range(MAX_PAGES):
        data, _r = await api.call("/getMonitors", method="POST", form={
            "api_key": api.token, "format": "json", "alert_contacts": 1, "offset": offset, "limit": PAGE})
        if not isinstance(data, dict) or data.get("stat") != "ok":
            err = (data or {}).get("error") or {} if isinstance(data, dict) else {}
            if err.get("type") in ("invalid_parameter", "not_authorized") and err.get("parameter_name") == "api_key":
                raise ApiProblem("UptimeRobot refused the API key",
                                 "Create a new Read-Only API Key (" + TOKEN_HELP + ")", 401)
            raise ApiProblem("UptimeRobot answered with an error", "Run the check again later.")
        for m in data.get("monitors") or []:
            status = int(m.get("status") or 0)
            contacts = [f"{_CONTACT_TYPES.get(int(c.get('type') or 0), 'contact')}"
                        for c in m.get("alert_contacts") or []]
            out.append(Monitor(str(m.get("friendly_name") or m.get("url")), str(m.get("url") or ""),
                               status != 0, int(m.get("interval") or 0) or None, contacts,
                               True if status == 2 else False if status in (8, 9) else None,
                               {0: "paused", 1: "not checked yet", 2: "up", 8: "seems down", 9: "down"}.get(status, "")))
        page = data.get("pagination") or {}
        offset += PAGE
        if offset >= int(page.get("total") or 0):
            break
    return out
