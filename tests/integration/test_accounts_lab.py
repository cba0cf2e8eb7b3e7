"""The account kinds (`cloudflare_zone`, `cloudflare_dns`, `monitors`, `error_tracking`)
against local servers that answer like Cloudflare's, UptimeRobot's, Better Stack's and
Sentry's documented APIs, over the lab's HTTPS: healthy and misconfigured accounts, 401,
403, 429, pagination; and through the real CLI, with every token kept out of the output."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys

import pytest

from launchready_tui.core.checks import cloudflare_dns, cloudflare_zone, error_tracking, monitors
from launchready_tui.core.context import CheckContext
from launchready_tui.core.net import Net
from launchready_tui.core.profile import load_profile, net_config
from launchready_tui.core.state import StateStore
from launchready_tui.lab import Lab, Rule, Site, World
from launchready_tui.lab import providers as pv

pytestmark = pytest.mark.integration

D = "acme-acct.test"
CF_HOST, UR_HOST, BS_HOST, SE_HOST = "api.cloudflare.lab.test", "api.uptimerobot.lab.test", \
    "uptime.betterstack.lab.test", "sentry.lab.test"
TOKENS = {"cf": "cf-" + "tok-" + "9f8e7d6c5b4a39281706", "ur": "ur" + "1234567-" + "abcdefabcdefabcdef",
          "bs": "bs-" + "Zx9Qw8Er7Ty6Ui5Op4As", "se": "sntryu_" + "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"}


def make_world(cf: pv.CloudflareApi, ur, se: pv.SentryApi, provider: str = "uptimerobot") -> World:
    sites = {CF_HOST: Site(default=Rule(handler=cf)), UR_HOST: Site(default=Rule(handler=ur)),
             BS_HOST: Site(default=Rule(handler=ur)), SE_HOST: Site(default=Rule(handler=se))}
    records = [(h, "A", "127.0.0.1") for h in (D, CF_HOST, UR_HOST, BS_HOST, SE_HOST)]
    profile = {
        "project": "T", "domain": D, "hosts": {"app": f"app.{D}"},
        "monitor": [f"https://{D}/", f"https://app.{D}/health"],
        "cloudflare": {"zone": D, "credential": "cf", "api_base": f"https://{CF_HOST}/client/v4"},
        "monitoring": {"provider": provider, "credential": "ur" if provider == "uptimerobot" else "bs",
                       "api_base": f"https://{UR_HOST}/v2" if provider == "uptimerobot" else f"https://{BS_HOST}/api/v2"},
        "error_tracking": {"organization": "acme", "project": "web", "credential": "se",
                           "api_base": f"https://{SE_HOST}/api/0"},
        "environments": {"production": {"env_file": ".env.production"}, "staging": {"env_file": ".env.staging"}},
    }
    files = {".env.production": "SENTRY_DSN=https://pub1@o1.ingest.sentry.io/4505\n",
             ".env.staging": "SENTRY_DSN=https://pub2@o1.ingest.sentry.io/4506\n"}
    return World(records=records, sites=sites, profile=profile, files=files)


def healthy():
    cf = pv.CloudflareApi(TOKENS["cf"], zone=D, records=[
        pv.cf_record(D, "A", "198.51.100.7", True), pv.cf_record(f"www.{D}", "CNAME", D, True),
        pv.cf_record(f"app.{D}", "CNAME", D, True), pv.cf_record(f"mail.{D}", "A", "198.51.100.99", False)])
    ur = pv.UptimeRobotApi(TOKENS["ur"], monitors=[
        pv.ur_monitor(1, "Home", f"https://{D}"), pv.ur_monitor(2, "App", f"https://APP.{D}/health/"),
        pv.ur_monitor(3, "Old blog", "https://blog.example.org/")])
    se = pv.SentryApi(TOKENS["se"], events=[pv.sentry_event(i) for i in range(5)], releases=["abc123"],
                      rules=[pv.sentry_rule()])
    return cf, ur, se


def broken():
    cf = pv.CloudflareApi(TOKENS["cf"], zone=D, settings=pv.cloudflare_settings(
        ssl="flexible", always_https="off", min_tls="1.0", security_level="under_attack",
        level_modified="2026-11-20T00:00:00Z", hsts_max_age=86400), waf_rulesets=None, records=[
        pv.cf_record(D, "A", "198.51.100.7", True), pv.cf_record(f"app.{D}", "A", "198.51.100.8", False),
        pv.cf_record(f"direct.{D}", "A", "198.51.100.7", False),
        pv.cf_record(f"old.{D}", "CNAME", f"gone.nowhere.{D}", False)])
    ur = pv.UptimeRobotApi(TOKENS["ur"], monitors=[
        pv.ur_monitor(1, "Home", f"https://{D}/", status=0), pv.ur_monitor(2, "App", f"https://app.{D}/health",
                                                                          interval=900, contacts=0)])
    se = pv.SentryApi(TOKENS["se"], events=[pv.sentry_event(i, release=None) for i in range(3)],
                      releases=["old999"], rules=[pv.sentry_rule(with_action=False)])
    return cf, ur, se


class Store:
    def get_secret(self, cid):
        return TOKENS.get(cid)


def context(lab) -> CheckContext:
    prof = load_profile(lab.profile_path)
    return CheckContext(prof, Net(net_config(prof)), state=StateStore(prof.state_dir), credentials=Store())


async def run_all(lab):
    ctx = context(lab)
    return await asyncio.gather(cloudflare_zone.check(ctx, D, {}), cloudflare_dns.check(ctx, D, {}),
                                monitors.check(ctx, "uptimerobot", {}), error_tracking.check(ctx, "acme/web", {}))


def ids(r) -> set[str]:
    return {f["id"].split(":")[0] for f in r.evidence.get("findings", [])}


async def test_healthy_accounts_pass(tmp_path):
    cf, ur, se = healthy()
    with Lab(make_world(cf, ur, se), tmp_path / "lab") as lab:
        z, d, m, e = await run_all(lab)
    for r in (z, d, m, e):
        assert r.status.value == "pass", (r.check, r.summary, r.evidence.get("findings"))
    assert [x["url"] for x in m.evidence["not_in_profile"]] == ["https://blog.example.org/"]
    assert set(cf.seen_auth) == {f"Bearer {TOKENS['cf']}"}


async def test_misconfigured_accounts_name_each_wrong_switch(tmp_path):
    cf, ur, se = broken()
    with Lab(make_world(cf, ur, se), tmp_path / "lab") as lab:
        z, d, m, e = await run_all(lab)
    assert z.status.value == "fail" and ids(z) >= {"ssl-flexible", "always-use-https-off", "min-tls-old",
                                                   "hsts-short", "waf-managed-off", "under-attack-left-on"}
    assert "SSL/TLS > Overview" in z.fix and "Full (strict)" in z.fix and "error 526" in z.fix
    assert "Free Managed Ruleset" in z.fix
    assert d.status.value == "fail" and ids(d) >= {"dns-only", "origin-exposed", "dangling", "no-record"}
    assert f"direct.{D}" in d.summary or f"direct.{D}" in d.fix
    assert m.status.value == "fail" and ids(m) == {"paused", "slow-interval", "no-contact"}
    assert e.status.value == "fail" and ids(e) == {"no-release", "no-alert-rule"}
    assert "Alerts > Create Alert" in e.fix


async def test_better_stack_pages_are_followed(tmp_path):
    cf, _ur, se = healthy()
    bs = pv.BetterStackApi(TOKENS["bs"], base_url=f"https://{BS_HOST}/api/v2", monitors=[
        pv.bs_monitor(1, "Home", f"https://{D}/"), pv.bs_monitor(2, "Other", "https://x.example/"),
        pv.bs_monitor(3, "App", f"https://app.{D}/health", paused=True, status="paused")])
    with Lab(make_world(cf, bs, se, provider="betterstack"), tmp_path / "lab") as lab:
        ctx = context(lab)
        r = await monitors.check(ctx, "betterstack", {})
    assert r.status.value == "fail" and ids(r) == {"paused"} and "Better Stack" in r.fix


async def test_wrong_token_missing_permission_and_rate_limit(tmp_path):
    cf, ur, se = healthy()
    cf.permissions.discard("dns")
    se.token = "another-token"
    cf.rate_limit_first = 1  # the first call gets a 429 with Retry-After: 1, then answers
    ur.token = "nope"
    with Lab(make_world(cf, ur, se), tmp_path / "lab") as lab:
        z, d, m, e = await run_all(lab)
    assert z.status.value == "pass"  # retried after the 429
    assert d.status.value == "error" and "403" in d.summary and "DNS: Read" in d.summary
    assert e.status.value == "error" and "401" in e.summary
    assert m.status.value == "error" and "refused the API key" in m.summary
    blob = json.dumps([r.to_dict() for r in (z, d, m, e)])
    for t in TOKENS.values():
        assert t not in blob


async def test_missing_sections_skip_naming_the_key_and_permissions(tmp_path):
    from launchready_tui.core.registry import MissingInput

    prof = load_profile((tmp_path / "p.yaml").write_text("project: T\ndomain: acme.example\n") and tmp_path / "p.yaml")
    for mod, key in ((cloudflare_zone, "cloudflare.credential"), (monitors, "monitoring.provider"),
                     (error_tracking, "error_tracking.organization")):
        with pytest.raises(MissingInput) as ei:
            mod.targets(prof, {})
        assert ei.value.key == key
    with pytest.raises(MissingInput) as ei:
        cloudflare_dns.targets(prof, {})
    assert "DNS: Read" in str(ei.value)


def test_cli_tokens_never_reach_output_state_or_export(tmp_path):
    from tests.unit.conftest_keyring import file_keyring_env

    cf, ur, se = broken()
    rb = tmp_path / "rb"
    rb.mkdir()
    (rb / "a.md").write_text(
        "---\nid: a\ntitle: A\nstage: 6\ngoal: g\nsummary: s\n---\n\n## Accounts {#accounts}\n\n"
        "```check\nkind: cloudflare_zone\n```\n\n```check\nkind: cloudflare_dns\n```\n\n"
        "```check\nkind: monitors\n```\n\n```check\nkind: error_tracking\n```\n", encoding="utf-8")
    with Lab(make_world(cf, ur, se), tmp_path / "lab") as lab:
        env = {**os.environ, **file_keyring_env(tmp_path / "kr.json")}
        base = [sys.executable, "-m", "launchready_tui"]
        for cid, tok in TOKENS.items():
            add = subprocess.run(base + ["credentials", "add", cid, "--stdin", "--profile", str(lab.profile_path)],
                                 input=tok, env=env, capture_output=True, text=True, timeout=60)
            assert add.returncode == 0, add.stderr
        outs = []
        for fmt in ("json", "text", "sarif"):
            p = subprocess.run(base + ["check", "--profile", str(lab.profile_path), "--runbooks", str(rb),
                                       "--format", fmt, "-v"], env=env, capture_output=True, text=True, timeout=120)
            outs += [p.stdout, p.stderr]
        data = json.loads(outs[0])
        ex = subprocess.run(base + ["export", "--profile", str(lab.profile_path), "--runbooks", str(rb),
                                    "--format", "html", "-o", str(tmp_path / "h.html")],
                            env=env, capture_output=True, text=True, timeout=60)
        outs += [ex.stdout, ex.stderr, (tmp_path / "h.html").read_text(encoding="utf-8")]
        outs += [p.read_text(encoding="utf-8", errors="replace") for p in (lab.dir / ".launchready").rglob("*")
                 if p.is_file()]
    statuses = {r["check"]: r["status"] for r in data["results"]}
    assert statuses == {"cloudflare_zone": "fail", "cloudflare_dns": "fail", "monitors": "fail",
                        "error_tracking": "fail"}, statuses
    blob = "\n".join(outs)
    for t in TOKENS.values():
        assert t not in blob
