"""Cloudflare's API v4, read-only: the zone, its settings, rulesets and DNS records.

Responses come in Cloudflare's envelope (`success`, `errors`, `result`, `result_info`);
lists are paged with `page`/`per_page` and `result_info.total_pages`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from launchready_tui.core.checks._accounts import (
    MAX_PAGES,
    Api,
    ApiProblem,
    api_base,
    as_dict,
    as_int,
    as_list,
    dicts,
    token_for,
)

if TYPE_CHECKING:
    from launchready_tui.core.context import CheckContext
    from launchready_tui.core.profile import Profile

PERMISSIONS = ("Zone > Zone: Read, Zone > Zone Settings: Read, Zone > Zone WAF: Read and "
               "Zone > DNS: Read (for this zone)")
TOKEN_HELP = ("In Cloudflare, click the person icon (top right) > My Profile > API Tokens > Create Token, then "
              f"Get started next to Create Custom Token. Give it {PERMISSIONS}; under Zone Resources pick "
              "Include > Specific zone > your domain; Continue to summary > Create Token, and copy it (it is "
              "shown once). Store it with `launchready credentials add cloudflare-api` (the prompt shows nothing "
              "as you paste) and set `cloudflare.credential: cloudflare-api` in launchready.yaml. Stage 3's "
              "firewall step shows each click.")


def zone_name(profile: Profile) -> str:
    return str((profile.get("cloudflare") or {}).get("zone") or profile.domain)


async def client(ctx: CheckContext) -> Api:
    from launchready_tui.core.guard import authorization_value

    token = await token_for(ctx, "cloudflare")
    return Api(ctx, api_base(ctx.profile, "cloudflare"), {"Authorization": authorization_value(token)},
               PERMISSIONS, token)


def _zid(zone_id: str) -> str:
    """The zone id as one path segment: an id the API sent can never step to another path."""
    from urllib.parse import quote

    return quote(str(zone_id), safe="")


def _result(data: Any) -> Any:
    if not isinstance(data, dict):
        raise ApiProblem(f"Cloudflare answered {'null' if data is None else 'without its envelope'} "
                         "(no `success`/`result` object)", "Check `cloudflare.api_base` in launchready.yaml, "
                         "then run the check again.")
    if data.get("success") is False:
        raise ApiProblem("Cloudflare answered with an error", "Run the check again; if it stays, check the "
                         "token's permissions (" + PERMISSIONS + ").")
    return data.get("result")


async def zone(api: Api, name: str) -> dict[str, Any]:
    data, _ = await api.call("/zones", {"name": name})
    found = dicts(_result(data), "Cloudflare", "the zone list")
    if not found:
        raise ApiProblem(f"Cloudflare shows the token no zone named {name}",
                         f"Check `cloudflare.zone` (default: your domain), and that the token's Zone "
                         f"Resources include {name}.")
    return found[0]


async def settings(api: Api, zone_id: str) -> dict[str, dict[str, Any]]:
    data, _ = await api.call(f"/zones/{_zid(zone_id)}/settings")
    out = {str(s.get("id")): s for s in as_list(_result(data), "Cloudflare", "the zone settings")
           if isinstance(s, dict)}
    # No readable SSL mode means nothing was read: never a pass built on missing settings.
    ssl = (out.get("ssl") or {}).get("value")
    if ssl not in ("off", "flexible", "full", "strict"):
        raise ApiProblem("Cloudflare's zone settings hold no readable SSL/TLS mode (" + (
            "no settings at all" if not out else "no `ssl` setting" if "ssl" not in out else
            "an `ssl` value LaunchReady does not know") + ")",
            "Check that the token has Zone > Zone Settings: Read for this zone, then run the check again.")
    return out


async def managed_waf(api: Api, zone_id: str) -> list[dict[str, Any]] | None:
    """The rules of the zone's managed-WAF entry point; None when none is deployed."""
    data, _ = await api.call(f"/zones/{_zid(zone_id)}/rulesets/phases/http_request_firewall_managed/entrypoint",
                             allow_404=True)
    if data is None:
        return None
    res = as_dict(_result(data), "Cloudflare", "the managed WAF entry point")
    return dicts(res.get("rules"), "Cloudflare", "the WAF rules")


async def bot_fight_mode(api: Api, zone_id: str) -> bool | None:
    try:
        data, _ = await api.call(f"/zones/{_zid(zone_id)}/bot_management", allow_404=True)
    except ApiProblem:  # optional: the token may not have Bot Management: Read
        return None
    res = _result(data) if data is not None else None
    return bool(res.get("fight_mode")) if isinstance(res, dict) else None


async def dns_records(api: Api, zone_id: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    page = 1
    while True:
        data, _ = await api.call(f"/zones/{_zid(zone_id)}/dns_records", {"page": page, "per_page": 100})
        chunk = as_list(_result(data), "Cloudflare", "the DNS records")
        out.extend(r for r in chunk if isinstance(r, dict))
        info = as_dict(data.get("result_info"), "Cloudflare", "the DNS records' result_info")
        total = as_int(info.get("total_pages", 1))
        if total is None or total < 0:
            raise ApiProblem("Cloudflare sent an unreadable page count for the DNS records (`total_pages`)",
                             "Run the check again later; if it stays, check `cloudflare.api_base`.")
        if page >= total or not chunk:
            break
        if page >= MAX_PAGES:
            raise ApiProblem(f"Cloudflare says the zone's DNS records fill {total} pages; LaunchReady reads at "
                             f"most {MAX_PAGES} (2,000 records), so it could not check them all",
                             "Delete records the zone no longer needs, or check the rest by hand in Cloudflare "
                             "under DNS > Records.")
        page += 1
    return out
