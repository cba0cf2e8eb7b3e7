"""The account kinds' pure parts: zone settings, URL matching, Sentry paging, DSN sharing."""

from __future__ import annotations

import datetime as dt

from launchready_tui.core.checks import cloudflare_dns, cloudflare_zone, error_tracking, monitors
from launchready_tui.core.profile import parse_profile
from launchready_tui.lab import providers as pv

NOW = dt.datetime(2026, 12, 3, tzinfo=dt.UTC)


def zone_ids(settings, waf=(pv.CF_FREE_MANAGED,), plan="free", bots=None):
    s = {x["id"]: x for x in settings}
    rules = None if waf is None else [{"action": "execute", "action_parameters": {"id": w}} for w in waf]
    return {f.id: f for f in cloudflare_zone.evaluate(s, rules, plan, bots, NOW)}


def test_healthy_zone_has_only_notes():
    found = zone_ids(pv.cloudflare_settings(), bots=True)
    assert {f.severity for f in found.values()} == {"note"} and "bot-fight-mode" in found


def test_full_is_a_warning_and_flexible_a_failure_whose_fix_protects_the_origin_first():
    assert zone_ids(pv.cloudflare_settings(ssl="full"))["ssl-full"].severity == "warn"
    flex = zone_ids(pv.cloudflare_settings(ssl="flexible"))["ssl-flexible"]
    assert flex.severity == "fail"
    assert flex.fix.index("certificate") < flex.fix.index("Full (strict)")  # never a 526 by following it


def test_under_attack_is_fine_for_a_day_and_flagged_after_days():
    recent = pv.cloudflare_settings(security_level="under_attack", level_modified="2026-12-02T20:00:00Z")
    old = pv.cloudflare_settings(security_level="under_attack", level_modified="2026-11-20T00:00:00Z")
    assert "under-attack-left-on" not in zone_ids(recent)
    assert "13 days" in zone_ids(old)["under-attack-left-on"].title


def test_waf_advice_follows_the_plan():
    assert "Free Managed Ruleset" in zone_ids(pv.cloudflare_settings(), waf=None)["waf-managed-off"].fix
    pro = zone_ids(pv.cloudflare_settings(), waf=None, plan="pro")["waf-managed-off"].fix
    assert "Cloudflare Managed Ruleset" in pro and "Free" not in pro
    assert "waf-managed-off" not in zone_ids(pv.cloudflare_settings(), waf=(pv.CF_MANAGED,), plan="pro")


def test_hsts_at_cloudflare_agrees_with_the_headers_minimum():
    assert "hsts-short" not in zone_ids(pv.cloudflare_settings(hsts_max_age=15552000))
    assert "hsts-short" in zone_ids(pv.cloudflare_settings(hsts_max_age=15551999))


def test_dns_only_mail_at_another_address_is_fine_but_same_address_exposes_the_origin():
    web = {"acme.example", "www.acme.example"}
    recs = [pv.cf_record("acme.example", "A", "198.51.100.1", True), pv.cf_record("www.acme.example", "CNAME",
                                                                                   "acme.example", True)]
    fine = cloudflare_dns.evaluate(recs + [pv.cf_record("mail.acme.example", "A", "198.51.100.2", False)], web, set())
    assert fine == []
    bad = cloudflare_dns.evaluate(recs + [pv.cf_record("ftp.acme.example", "A", "198.51.100.1", False)], web, set())
    assert [f.id for f in bad] == ["origin-exposed:ftp.acme.example"] and bad[0].severity == "fail"


def test_monitor_urls_match_whatever_the_case_port_or_trailing_slash():
    assert monitors.norm("HTTPS://Acme.Example:443/") == monitors.norm("https://acme.example")
    assert monitors.norm("https://acme.example/health/") == "https://acme.example/health"
    assert monitors.norm("https://acme.example:8443/") != monitors.norm("https://acme.example/")


def test_sentry_next_link_only_on_the_same_api_host():
    base = "https://sentry.io/api/0"
    ok = '<https://sentry.io/api/0/projects/a/b/events/?cursor=0:100:0>; rel="next"; results="true"'
    done = '<https://sentry.io/api/0/projects/a/b/events/?cursor=0:100:0>; rel="next"; results="false"'
    evil = '<https://evil.example/api/0/x>; rel="next"; results="true"'
    assert error_tracking._next_link(ok, base) == "/projects/a/b/events/?cursor=0:100:0"
    assert error_tracking._next_link(done, base) is None and error_tracking._next_link(evil, base) is None


def test_shared_dsn_is_found_by_hash_and_never_shown(tmp_path):
    dsn = "https://pub" + "key123@o1.ingest.sentry.io/42"
    (tmp_path / ".env.production").write_text(f"SENTRY_DSN={dsn}\n")
    (tmp_path / ".env.staging").write_text(f"SENTRY_DSN={dsn}\n")
    prof = parse_profile("project: T\ndomain: acme.example\nenvironments:\n  production:\n    env_file: .env.production\n"
                         "  staging:\n    env_file: .env.staging\n", str(tmp_path / "launchready.yaml"))
    found, ev = error_tracking.dsn_findings(prof, None)
    assert [f.id for f in found] == ["shared-dsn:production"]
    assert dsn not in repr(found) + repr(ev)
    (tmp_path / ".env.production").write_text("OTHER=1\n")
    found, _ = error_tracking.dsn_findings(prof, None)
    assert [f.id for f in found] == ["no-dsn:production"]


def test_last_recorded_release_is_the_newest():
    hist = [{"release": "a", "at": "2026-12-01"}, {"type": "check"}, {"release": "b", "at": "2026-12-02"}]
    assert error_tracking.last_recorded_release(hist) == "b"


def test_a_snapshot_keyed_by_the_date_names_no_release():
    """With no --release and no git, the p95 snapshot is keyed by today's date; the demo then
    warned "Sentry's newest release (2026.12.01) is not the last deploy LaunchReady recorded
    (2026-12-03)" after any stage 6 run."""
    hist = [{"release": "v1.4.0", "release_source": "--release", "at": "2026-12-01"},
            {"release": "2026-12-03", "release_source": "date", "at": "2026-12-03"}]
    assert error_tracking.last_recorded_release(hist) == "v1.4.0"
    assert error_tracking.last_recorded_release(hist[1:]) is None


def test_problem_levels_follow_the_harm():
    from launchready_tui.core import problems
    from launchready_tui.core.checks import ai_probe
    from launchready_tui.core.results import failed

    flexible = failed("cloudflare_zone", "acme.example", "x", why="w", fix="f", evidence={"findings": [
        {"id": "ssl-flexible", "severity": "fail", "title": "SSL/TLS mode is Flexible"},
        {"id": "waf-managed-off", "severity": "warn", "title": "no managed WAF rules are deployed"},
        {"id": "bot-fight-mode", "severity": "note", "title": "Bot Fight Mode is off"}]})
    found = {f.code: f.level for f in problems.findings_for(flexible)}
    assert found == {"ssl-flexible": problems.DOWN, "waf-managed-off": None}
    acts = failed("ai_probe", "https://s.acme.example/a", "x", why="w", fix="f",
                  evidence={"cases": [{"verdict": "fail", "hits": ["tool:issue_refund"]}]})
    leaks = failed("ai_probe", "https://s.acme.example/a", "x", why="w", fix="f",
                   evidence={"cases": [{"verdict": "fail", "hits": ["secret:stripe-live-secret-key"]}]})
    assert [f.level for f in problems.findings_for(acts)] == [problems.TAKEOVER]
    assert [f.level for f in problems.findings_for(leaks)] == [problems.SECRETS]
    assert ai_probe.problem_findings(acts)[0]["code"] == "attacks-worked"
