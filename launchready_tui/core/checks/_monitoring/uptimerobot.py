"""UptimeRobot, API v2: `getMonitors` (a read, though UptimeRobot's API takes POST for every
method), paged with offset/limit. Monitor status: 0 paused, 1 not checked yet, 2 up,
8 seems down, 9 down. The key goes in the form body, never in the URL."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from launchready_tui.core.checks._accounts import (
    MAX_PAGES,
    ApiProblem,
    as_dict,
    as_int,
    as_list,
    dicts,
    scrub,
)
from launchready_tui.core.checks._monitoring import Monitor

if TYPE_CHECKING:
    from launchready_tui.core.checks._accounts import Api

PERMISSIONS = "a Read-Only API Key"
TOKEN_HELP = ("In UptimeRobot open Integrations & API > API > Read-Only API Key, create it, store it with "
              "`launchready credentials add uptime-api`, and set `monitoring.credential: uptime-api`.")
PAGE = 50
_CONTACT_TYPES = {1: "SMS", 2: "email", 3: "Twitter", 5: "webhook", 6: "push", 9: "Pushover", 11: "Slack",
                  14: "voice call", 15: "Splunk", 16: "PagerDuty", 18: "Telegram", 20: "Microsoft Teams",
                  21: "Google Chat", 23: "Discord"}
_STATUS = {0: "paused", 1: "not checked yet", 2: "up", 8: "seems down", 9: "down"}


def headers(token: str) -> dict[str, str]:
    return {}


async def list_monitors(api: Api) -> list[Monitor]:
    out: list[Monitor] = []
    offset = 0
    for _ in range(MAX_PAGES):
        data, _r = await api.call("/getMonitors", method="POST", form={
            "api_key": api.token, "format": "json", "alert_contacts": 1, "offset": offset, "limit": PAGE})
        if not isinstance(data, dict) or data.get("stat") != "ok":
            # never the body's text: UptimeRobot echoes the refused key in it
            err = data.get("error") if isinstance(data, dict) else None
            err = err if isinstance(err, dict) else {}
            if err.get("type") in ("invalid_parameter", "not_authorized") and err.get("parameter_name") == "api_key":
                raise ApiProblem("UptimeRobot refused the API key",
                                 "Create a new Read-Only API Key (" + TOKEN_HELP + ")", 401)
            raise ApiProblem("UptimeRobot answered with an error", "Run the check again later.")
        chunk = dicts(data.get("monitors"), "UptimeRobot", "the monitor list")
        for m in chunk:
            out.append(_monitor(m, api.token))
        page = as_dict(data.get("pagination"), "UptimeRobot", "the pagination")
        total = as_int(page.get("total", 0))
        if total is None or total < 0:
            raise ApiProblem("UptimeRobot sent an unreadable monitor count (`pagination.total`)",
                             "Run the check again later.")
        offset += PAGE
        if offset >= total or not chunk:
            return out
    raise ApiProblem(f"UptimeRobot says the account has {total} monitors; LaunchReady reads at most "
                     f"{MAX_PAGES * PAGE}, so it could not check them all",
                     "Delete monitors the account no longer needs, or check the rest in UptimeRobot's dashboard.")


def _monitor(m: dict[str, Any], token: str) -> Monitor:
    name = scrub(str(m.get("friendly_name") or m.get("url") or "(no name)"), token)[:200]
    status = as_int(m.get("status"))
    if status not in _STATUS:
        raise ApiProblem(f"UptimeRobot sent a status for the monitor \"{name}\" that is not one of its documented "
                         "codes (0, 1, 2, 8, 9)", "Run the check again later.")
    interval = as_int(m.get("interval"))
    if interval is None or interval <= 0:
        raise ApiProblem(f"UptimeRobot sent no usable check interval for the monitor \"{name}\"",
                         "Run the check again later; if it stays, open the monitor in UptimeRobot and save its "
                         "interval again.")
    contacts: list[str] = []
    for c in as_list(m.get("alert_contacts"), "UptimeRobot", f"the alert contacts of \"{name}\""):
        kind = as_int(c.get("type")) if isinstance(c, dict) else None
        contacts.append(_CONTACT_TYPES.get(kind or 0, "contact"))
    raw_url = m.get("url")
    return Monitor(name, scrub(raw_url if isinstance(raw_url, str) else "", token), status != 0,
                   interval, contacts, True if status == 2 else False if status in (8, 9) else None, _STATUS[status])
