"""Demo world, accounts part: the founder's Cloudflare, UptimeRobot and Sentry accounts,
served by the lab's stand-ins for their APIs.

Planted: the zone's SSL mode is Flexible (with HTTPS rewrites off and no managed WAF
rules), the monitor for the API health URL is paused, and the Sentry project has no alert
rule. The tokens are made up and live only in this process's environment while the demo
runs (the profile names them with `credential_env`), so the demo needs no keyring.
"""

from __future__ import annotations

import secrets

from launchready_tui.lab import Rule, Site, World
from launchready_tui.lab import providers as pv

CF_HOST = "api.cloudflare.lab.test"
UR_HOST = "api.uptimerobot.lab.test"
SENTRY_HOST = "sentry.lab.test"


def add(w: World, d: str) -> None:
    tokens = {name: f"demo-{name}-{secrets.token_hex(12)}" for name in ("cf", "ur", "sentry")}
    env = {"LAUNCHREADY_DEMO_CLOUDFLARE_TOKEN": tokens["cf"], "LAUNCHREADY_DEMO_UPTIMEROBOT_KEY": tokens["ur"],
           "LAUNCHREADY_DEMO_SENTRY_TOKEN": tokens["sentry"]}
    w.environ.update(env)
    hosts = sorted({d, f"www.{d}", *w.profile.get("hosts", {}).values()})
    records = [pv.cf_record(h, "CNAME" if h != d else "A", d if h != d else "198.51.100.20", True) for h in hosts]
    records.append(pv.cf_record(f"mail.{d}", "A", "198.51.100.40", False))
    cf = pv.CloudflareApi(tokens["cf"], zone=d, settings=pv.cloudflare_settings(ssl="flexible", rewrites="off"),
                          waf_rulesets=None, records=records)
    monitor_urls = list(w.profile.get("monitor") or [f"https://{d}/"])
    ur = pv.UptimeRobotApi(tokens["ur"], monitors=[
        pv.ur_monitor(i + 1, url.split("//", 1)[-1].rstrip("/"), url, status=0 if "/health" in url else 2)
        for i, url in enumerate(monitor_urls)])
    se = pv.SentryApi(tokens["sentry"], org="acme", project="creators",
                      base_url=f"https://{SENTRY_HOST}/api/0",
                      events=[pv.sentry_event(i, release="2026.12.01") for i in range(4)],
                      releases=[], rules=[])  # no release list: the demo's own --release varies
    for host, handler in ((CF_HOST, cf), (UR_HOST, ur), (SENTRY_HOST, se)):
        w.sites[host] = Site(default=Rule(handler=handler))
        w.records.append((host, "A", "127.0.0.1"))
    # Production and staging report to Sentry with their own DSNs (DSNs are not secrets).
    for env_file, key in ((".env.production", "a1b2c3"), (".env.staging", "d4e5f6")):
        text = w.files.get(env_file)
        if isinstance(text, str):
            w.files[env_file] = text + f"SENTRY_DSN=https://{key}@o1.ingest.sentry.lab.test/42\n"
    w.profile["cloudflare"] = {"zone": d, "credential_env": "LAUNCHREADY_DEMO_CLOUDFLARE_TOKEN",
                               "api_base": f"https://{CF_HOST}/client/v4"}
    w.profile["monitoring"] = {"provider": "uptimerobot", "credential_env": "LAUNCHREADY_DEMO_UPTIMEROBOT_KEY",
                               "api_base": f"https://{UR_HOST}/v2"}
    w.profile["error_tracking"] = {"provider": "sentry", "organization": "acme", "project": "creators",
                                   "credential_env": "LAUNCHREADY_DEMO_SENTRY_TOKEN",
                                   "api_base": f"https://{SENTRY_HOST}/api/0"}
