"""Cloudflare's API v4, read-only: the zone, its settings, rulesets and DNS records.

Responses come in Cloudflare's envelope (`success`, `errors`, `result`, `result_info`);
lists are paged with `page`/`per_page` and `result_info.total_pages`.
"""

from __future__ import annotations

from typing import Any

from launchready_tui.core.checks._accounts import Api, ApiProblem, api_base, token_for

PERMISSIONS = ("Zone > Zone: Read, Zone > Zone Settings: Read, Zone > Zone WAF: Read and "
               "Zone > DNS: Read (for this zone)")
TOKEN_HELP = ("In Cloudflare, open My Profile > API Tokens > Create Token > Create Custom Token. "
              f"Give it {PERMISSIONS}, and under Zone Resources pick this zone. Store it with "
              "`launchready credentials add cloudflare-api` and set `cloudflare.credential: cloudflare-api` "
              "in launchready.yaml.")


def zone_name(profile) -> str:
    return str((profile.get("cloudflare") or {}).get("zone") or profile.domain)


async def client(ctx) -> Api:
    from launchready_tui.core.guard import authorization_value

    token = await token_for(ctx, "cloudflare")
    return Api(ctx, api_base(ctx.profile, "cloudflare"), {"Authorization": authorization_value(token)},
               PERMISSIONS, token)


def _result(data: Any) -> Any:
    if not isinstance(data, dict) or data.get("success") is False:
        raise ApiProblem("Cloudflare answered with an error", "Run the check again; if it stays, check the "
                         "token's permissions (" + PERMISSIONS + ").")
    return data.get("result")


async def zone(api: Api, name: str) -> dict[str, Any]:
    data, _ = await api.call("/zones", {"name": name})
    found = _result(data) or []
    if not found:
        raise ApiProblem(f"the token sees no zone named {name}",
                         f"Check `cloudflare.zone` (default: your domain), and that the token's Zone "
                         f"Resources include {name}.")
    return found[0]


async def settings(api: Api, zone_id: str) -> dict[str, dict[str, Any]]:
    data, _ = await api.call(f"/zones/{zone_id}/settings")
    return {str(s.get("id")): s for s in _result(data) or [] if isinstance(s, dict)}


async def managed_waf(api: Api, zone_id: str) -> list[dict[str, Any]] | None:
    """The rules of the zone's managed-WAF entry point; None when none is deployed."""
    data, _ = await api.call(f"/zones/{zone_id}/rulesets/phases/http_request_firewall_managed/entrypoint",
                             allow_404=True)
    if data is None:
        return None
    return list((_result(data) or {}).get("rules") or [])


async def bot_fight_mode(api: Api, zone_id: str) -> bool | None:
    try:
        data, _ = await api.call(f"/zones/{zone_id}/bot_management", allow_404=True)
    except ApiProblem:  # optional: the token may not have Bot Management: Read
        return None
    res = _result(data) if data is not None else None
    return bool(res.get("fight_mode")) if isinstance(res, dict) else None


async def dns_records(api: Api, zone_id: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    page = 1
    from launchready_tui.core.checks._accounts import MAX_PAGES

    while page <= MAX_PAGES:
        data, _ = await api.call(f"/zones/{zone_id}/dns_records", {"page": page, "per_page": 100})
        out.extend(r for r in _result(data) or [] if isinstance(r, dict))
        info = data.get("result_info") or {}
        if page >= int(info.get("total_pages") or 1):
            break
        page += 1
    return out
