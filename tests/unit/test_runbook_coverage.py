"""Every item of the launch roadmap is covered by a runbook.

The roadmap is the source article "The backend performance Roadmap for Launch Ready"
(shared/source/000_e89e710561da6f29.txt). Its items are typed here by hand, on purpose:
the test keeps its own list, so a runbook cannot drop an item without this test
noticing, and a typo in a runbook's `covers:` does not count as coverage.

Each runbook lists the items it covers in its front matter (`covers:`). The rules:
* every item below is covered by at least one runbook;
* a stage item (`sN-...`) is covered by the stage-N runbook itself;
* every `covers:` entry is a known item (no typos, no invented items).
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from launchready_tui.core.runbook import bundled_runbooks_dir, load_runbooks

# id -> the roadmap's words (shortened where long). Grouped as in the source.
ROADMAP: dict[str, str] = {
    # --- The minimum bar -----------------------------------------------------------
    "bar-repeatable-deploy": "Production deployment exists and is repeatable",
    "bar-env-separated": "Environment variables are separated by environment",
    "bar-secrets-not-in-code-chat-docs": "Secrets are not in code, chat logs, or shared docs",
    "bar-dns-clean-redirects": "DNS points to the right place with clean redirects",
    "bar-ssl-enforced": "SSL is active and enforced",
    "bar-cloudflare-edge": "Cloudflare is protecting the edge",
    "bar-email-auth": "Email authentication is set up with SPF, DKIM, and DMARC",
    "bar-caching": "Caching exists where it reduces repeated work",
    "bar-uptime-alerts": "Uptime monitoring alerts you before customers do",
    "bar-handover-verify": "The handover checklist explains what was changed and how to verify it",
    "bar-admin-300ms-p95": "Admin actions complete in under 300 ms p95 where possible",
    "bar-pages-2s": "Page loads for key internal screens stay under 2 seconds",
    "bar-rollback-10min": "Failed deploys are reversible in under 10 minutes",
    "bar-no-secrets-logs-bundles": "No production secrets exposed in logs or frontend bundles",
    # --- Stage 1: Quick audit ------------------------------------------------------
    "s1-check-deployed-stable": "Is the app deployed anywhere stable?",
    "s1-check-dns-records": "Are DNS records correct for root domain, www, API subdomain, and app subdomain?",
    "s1-check-redirect-loops": "Are there redirect loops or mixed HTTP/HTTPS behavior?",
    "s1-check-env-present": "Are environment variables present in each environment?",
    "s1-check-secrets-stored": "Are secrets stored safely?",
    "s1-check-uptime-running": "Is uptime monitoring already running?",
    "s1-deliv-risk-list": "A short risk list ranked by business impact",
    "s1-deliv-launch-blockers": "A 'launch blockers' checklist with owners and priority",
    "s1-deliv-domain-map": "A map of current domains, subdomains, and environments",
    "s1-fail-production-unknown": "Nobody can explain where production lives",
    "s1-fail-admin-one-machine": "Admin login works only on one machine or one browser",
    "s1-fail-email-spam": "Email from the platform lands in spam because SPF/DKIM/DMARC are missing",
    # --- Stage 2: Stabilize the deployment path -------------------------------------
    "s2-check-one-command": "Can I deploy from main branch with one known command or CI job?",
    "s2-check-rollback-tested": "Is rollback documented and tested?",
    "s2-check-build-failures-visible": "Are build failures visible quickly?",
    "s2-check-env-differ": "Do environment variables differ cleanly between local, staging, and production?",
    "s2-deliv-repeatable-deploy": "A repeatable deployment path",
    "s2-deliv-rollback-note": "A rollback note with exact steps",
    "s2-deliv-deploy-fail-runbook": "A short runbook for 'what to do if deploy fails'",
    "s2-fail-three-dashboards": "Deploying requires manual edits in three dashboards",
    "s2-fail-one-env-var": "One wrong env var can take down auth or payment flows",
    "s2-fail-team-avoids-deploying": "The team avoids deploying because it feels risky",
    # --- Stage 3: Protect the edge -------------------------------------------------
    "s3-check-cloudflare-proxy": "Cloudflare proxying is enabled where appropriate",
    "s3-check-ssl-forced": "SSL is forced everywhere",
    "s3-check-ddos-waf": "DDoS protection and basic WAF rules are active",
    "s3-check-canonical-redirect": "Redirects are clean for root domain to canonical domain",
    "s3-check-subdomains-resolve": "Subdomains resolve correctly for app, API, admin, and email assets",
    "s3-deliv-dns-documented": "DNS records cleaned up and documented",
    "s3-deliv-ssl-verified": "SSL verified across all public endpoints",
    "s3-deliv-redirect-map": "Redirect map for old URLs to new URLs",
    "s3-fail-cert-warnings": "Browsers show certificate warnings",
    "s3-fail-duplicate-sites": "Users land on duplicate versions of the same site",
    "s3-fail-bots-hit-origin": "Bots hit raw origin servers directly because Cloudflare was never configured properly",
    # --- Stage 4: Fix data-path performance ----------------------------------------
    "s4-check-slow-queries-identified": "Slow queries are identified by query logs or profiling",
    "s4-check-missing-indexes": "Obvious missing indexes are added for list views, filters, search, and audit tables",
    "s4-check-cache-expensive-reads": "Repeated expensive reads are cached where safe",
    "s4-check-background-jobs": "Background jobs handle non-critical work like emails or webhooks",
    "s4-deliv-top3-bottlenecks": "Top 3 bottlenecks fixed with evidence before/after",
    "s4-deliv-index-plan": "Index plan for users, subscriptions, posts, payouts, or events",
    "s4-deliv-cache-rules": "Cache rules for stable data such as feature flags or config lookups",
    "s4-fail-admin-timeouts": "Admin pages time out when filtering by date range or creator status",
    "s4-fail-webhooks-block": "Webhook processing blocks user actions instead of running async",
    "s4-fail-duplicate-queries": "A single report page triggers dozens of duplicate queries",
    # --- Stage 5: Harden auth and secret handling ----------------------------------
    "s5-check-secrets-server-side": "Secrets live only in server-side env vars or secret managers",
    "s5-check-no-keys-frontend-logs": "No API keys appear in frontend code or logs",
    "s5-check-least-privilege": "Least privilege applies to DB users and third-party integrations",
    "s5-check-rate-limits": "Rate limits exist on login, admin actions, and public endpoints that could be abused",
    "s5-deliv-secret-inventory": "Secret inventory with rotation notes",
    "s5-deliv-auth-review": "Auth flow review for session handling, token expiry, and admin permissions",
    "s5-deliv-logging-rules": "Logging rules that avoid leaking tokens, emails, or private customer data",
    "s5-fail-plaintext-credentials": "A support engineer can see live credentials in plain text",
    "s5-fail-one-admin-exposes-all": "One compromised admin account exposes every creator account",
    "s5-fail-retry-storm": "A retry storm from an integration hammers your database",
    # --- Stage 6: Add observability that actually helps ----------------------------
    "s6-check-uptime-coverage": "Uptime monitoring covers homepage, app, API, and critical webhook endpoints",
    "s6-check-alert-channel-owner": "Alerts go to a real channel with ownership",
    "s6-check-error-tracking": "Error tracking captures stack traces plus request context without leaking secrets",
    "s6-check-perf-metrics": "Basic performance metrics exist for latency, error rate, and queue depth",
    "s6-deliv-dashboard": "A dashboard with p95 latency, error rate, and uptime targets",
    "s6-deliv-alert-thresholds": "Alert thresholds tied to customer impact, not vanity metrics",
    "s6-deliv-incident-template": "A simple incident note template for first responders",
    "s6-fail-outages-from-customers": "The team only finds outages from social media or customer emails",
    "s6-fail-noisy-alerts": "Alerts fire constantly but nobody trusts them",
    "s6-fail-cannot-locate-slowness": "No way to tell whether slowness comes from DB, cache, or external APIs",
    # --- Stage 7: Production handover ----------------------------------------------
    "s7-check-non-engineer-runbook": "Can someone non-engineering follow the runbook?",
    "s7-check-dns-documented": "Are DNS, redirects, and subdomains documented?",
    "s7-check-email-auth-verified": "Are SPF/DKIM/DMARC records verified?",
    "s7-check-rotate-secrets": "Do we know how to rotate secrets?",
    "s7-check-uptime-after-launch": "Can we confirm uptime checks after launch?",
    "s7-deliv-handover-checklist": "Handover checklist with links, credentials process, and verification steps",
    "s7-deliv-day2-list": "Short 'day 2' action list for monitoring and cleanup",
    "s7-deliv-risk-log": "A final risk log showing what remains intentionally out of scope",
    "s7-fail-dns-change-unknown": "The product launches but nobody knows how to change DNS later",
    "s7-fail-email-breaks-after-campaign": "Email deliverability breaks after the first campaign send",
    "s7-fail-tribal-knowledge": "The founder depends on tribal knowledge instead of documentation",
    # --- What I would automate -----------------------------------------------------
    "auto-ci-env-validation": "CI job that validates env vars exist before build starts",
    "auto-smoke-staging": "Smoke test against staging after deploy",
    "auto-rollback-script": "Rollback script stored next to the app",
    "auto-canonical-resolution": "Script that verifies canonical domain resolution",
    "auto-ssl-expiry-30d": "SSL expiry alert at 30 days",
    "auto-redirect-test": "Redirect test for root domain, www, app subdomain, and API subdomain",
    "auto-load-test-admin": "Simple load test against key admin routes",
    "auto-query-logging": "Query logging around top list pages",
    "auto-p95-snapshot": "p95 latency snapshot stored after each release",
    "auto-secret-scanning-ci": "Secret scanning in CI",
    "auto-dependency-audit": "Dependency audit on each merge",
    "auto-rate-limit-tests": "Rate-limit tests on login and invite endpoints",
    "auto-uptime-monitor": "Uptime monitor for homepage and critical API routes",
    "auto-error-tracking-by-release": "Error tracking alerts grouped by release version",
    "auto-status-page": "Status page only if you already have real incidents worth reporting",
    "auto-ai-prompt-injection": "Prompt injection tests if the admin app uses AI tools internally",
    "auto-ai-unsafe-tool-use": "Evaluation cases for unsafe tool use if AI can trigger refunds or invites",
    "auto-ai-red-team": "Red-team prompts that try to extract secrets from system messages or logs",
    # --- What I would not overbuild ------------------------------------------------
    "skip-multi-region": "Multi-region infrastructure",
    "skip-service-mesh": "Complex service mesh",
    "skip-custom-observability": "Custom observability stack",
    "skip-perfect-cache": "Perfect cache invalidation design",
    "skip-premature-queues": "Premature queue architecture",
    "skip-fancy-dashboards": "Fancy dashboards",
    "skip-microseconds": "Tuning microseconds off non-critical endpoints",
}

STAGE_COUNTS = {1: 12, 2: 10, 3: 11, 4: 10, 5: 10, 6: 10, 7: 11}


@pytest.fixture(scope="module")
def books():
    books, errors = load_runbooks([bundled_runbooks_dir()])
    assert not errors, "\n".join(str(e) for e in errors)
    return books


def test_the_typed_roadmap_is_complete():
    """Guard the list itself: each stage has its checks, deliverables and failure signals."""
    per_stage = defaultdict(int)
    for item in ROADMAP:
        if item[0] == "s" and item[1].isdigit():
            per_stage[int(item[1])] += 1
    assert dict(per_stage) == STAGE_COUNTS
    for n in range(1, 8):
        for part in ("check", "deliv", "fail"):
            assert any(i.startswith(f"s{n}-{part}-") for i in ROADMAP), (n, part)


def test_every_roadmap_item_is_covered(books):
    covered = {c for rb in books for c in rb.covers}
    missing = [f"{i}: {ROADMAP[i]}" for i in ROADMAP if i not in covered]
    assert not missing, "roadmap items no runbook covers:\n" + "\n".join(missing)


def test_stage_items_are_covered_by_their_own_stage(books):
    by_stage = {rb.stage: set(rb.covers) for rb in books if rb.kind == "stage"}
    wrong = []
    for item in ROADMAP:
        if item[0] == "s" and item[1].isdigit():
            n = int(item[1])
            if item not in by_stage.get(n, set()):
                wrong.append(f"{item} is not in the stage {n} runbook's covers")
    assert not wrong, "\n".join(wrong)


def test_covers_entries_are_known_items(books):
    unknown = [f"{rb.id}: {c}" for rb in books for c in rb.covers if c not in ROADMAP]
    assert not unknown, "unknown covers entries (typo?):\n" + "\n".join(unknown)


def test_coverage_count(books):
    covered = {c for rb in books for c in rb.covers}
    assert len(covered & set(ROADMAP)) == len(ROADMAP)
