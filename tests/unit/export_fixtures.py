"""A fixed state, history, allowlist, profile and runbooks for the handover export tests.

Everything is fixed (the clock too), so the rendered documents can be compared with the
golden files in tests/unit/golden/. Remote strings with markup are planted where a real
server could put them: a TXT record, HTTP headers, a page title, a redirect Location.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden"
NOW = dt.datetime(2026, 3, 15, 12, 0, tzinfo=dt.UTC)
TODAY = "2026-03-15T09:30:00+00:00"
OLD = "2026-01-20T08:00:00+00:00"  # 54 days before NOW: stale

# Strings a hostile or broken server could send back; they must come out as text.
SCRIPT_TXT = '<script>alert("txt")</script>'
SCRIPT_HEADER = "<script>alert('header')</script>"
SCRIPT_TITLE = '</title><script src="https://evil.example/x.js"></script>'
IMG_ONERROR = "<img src=x onerror=alert(1)>"
MD_LINK = "[click me](javascript:alert(1))"
PLANTED = [SCRIPT_TXT, SCRIPT_HEADER, SCRIPT_TITLE, IMG_ONERROR]

CREDENTIAL_VALUE = "sk_live_PLANTEDvalue9f8e7d6c5b4a"

PROFILE_YAML = """\
project: Acme Test Co
domain: acme.example
canonical_host: acme.example
hosts:
  www: www.acme.example
  app: app.acme.example
  blog: blog.acme.example
environments:
  production:
    url: https://app.acme.example
    env_file: .env.production
  staging:
    url: https://staging.acme.example
    env_file: .env.staging
deploy:
  command: git push origin main
  rollback: vercel rollback --yes
  smoke:
    - https://app.acme.example/health
    - url: https://acme.example/
      status: 200
      contains: Acme
email:
  domain: acme.example
  dkim_selectors: [s1]
monitor:
  - https://acme.example/
  - https://status.acme.example/
required_env: [DATABASE_URL, STRIPE_SECRET_KEY, POSTMARK_TOKEN]
performance:
  routes:
    - name: "Admin: list members"
      url: https://app.acme.example/admin/members
      budget_ms: 300
"""


def profile():
    from launchready_tui.core.profile import parse_profile

    return parse_profile(PROFILE_YAML, "launchready.yaml")


def runbooks():
    from launchready_tui.core.runbook import load_runbooks

    books, errors = load_runbooks([GOLDEN / "runbooks"])
    assert not errors, errors
    return books


def _r(runbook, stage, step, check_id, check, target, status, summary, evidence=None, *, why="", fix="",
       at=TODAY):
    if status in ("warn", "fail", "error"):
        why = why or f"Why {check} on {target} matters."
        fix = fix or f"How to fix {check} on {target}."
    return {
        "check": check, "check_id": check_id, "target": target, "status": status, "summary": summary,
        "evidence": evidence if evidence is not None else {}, "why": why, "fix": fix, "stage": stage,
        "runbook": runbook, "step": step, "started_at": at, "duration_ms": 12,
    }


def results() -> list[dict]:
    a = "audit"
    return [
        _r(a, 1, "domain-map", "names-resolve", "dns", "acme.example", "pass", "acme.example resolves to 192.0.2.10",
           {"a": ["192.0.2.10"], "aaaa": [], "cname_chain": [], "ns": ["ns1.dns.example", "ns2.dns.example"],
            "caa": ['0 issue "letsencrypt.org"'], "nameserver": "192.0.2.53",
            "map": {"acme.example": {"a": ["192.0.2.10"], "roles": ["apex"]}}}),
        _r(a, 1, "domain-map", "names-resolve", "dns", "www.acme.example", "pass",
           "www.acme.example resolves to 192.0.2.10 via acme.example",
           {"a": ["192.0.2.10"], "cname_chain": [["www.acme.example", "acme.example"]]}, at=OLD),
        _r(a, 1, "domain-map", "names-resolve", "dns", "blog.acme.example", "fail",
           "dangling CNAME: blog.acme.example is an alias to acme-blog.herokuapp.com, which does not exist",
           {"a": [], "cname_chain": [["blog.acme.example", "acme-blog.herokuapp.com"]],
            "map": {"blog.acme.example": {"provider": "Heroku"}}},
           why="Someone else could serve pages on your name.", fix="Delete the CNAME record for blog."),
        _r(a, 1, "redirects", "redirect-chains", "redirects", "acme.example", "pass",
           "http:// and https:// for acme.example end at https://acme.example/",
           {"map": {"http://acme.example/": "https://acme.example/", "https://acme.example/": "https://acme.example/"},
            "ends": {"http://acme.example/": "final", "https://acme.example/": "final"},
            "hops": {"http://acme.example/": [{"url": "http://acme.example/", "status": 301,
                                               "location": "https://acme.example/"},
                                              {"url": "https://acme.example/", "status": 200}],
                     "https://acme.example/": [{"url": "https://acme.example/", "status": 200}]}}),
        _r(a, 1, "redirects", "redirect-chains", "redirects", "app.acme.example", "fail",
           "redirect loop: http://app.acme.example/ -> https://app.acme.example/" + SCRIPT_HEADER,
           {"map": {"http://app.acme.example/": None},
            "ends": {"http://app.acme.example/": "loop"},
            "hops": {"http://app.acme.example/": [
                {"url": "http://app.acme.example/", "status": 301, "location": "https://app.acme.example/" + SCRIPT_HEADER},
                {"url": "https://app.acme.example/" + SCRIPT_HEADER, "status": 301, "location": "http://app.acme.example/"}]}}),
        _r(a, 1, "redirects", "tls", "tls", "acme.example", "pass",
           "acme.example: valid certificate from Let's Encrypt, 60 days left",
           {"certificate": {"issuer_org": "Let's Encrypt", "issuer_cn": "R11", "not_after": "2026-05-14T00:00:00+00:00",
                            "days_left": 59.5, "lifetime_days": 90}, "tls_version": "TLSv1.3", "chain_complete": True,
            "cert_renewer": "Vercel (automatic)"}),
        _r(a, 1, "redirects", "tls", "tls", "app.acme.example", "warn",
           "the certificate for app.acme.example expires in 9 days",
           {"certificate": {"issuer_org": "Let's Encrypt", "not_after": "2026-03-24T00:00:00+00:00", "days_left": 8.5},
            "findings": [{"severity": "warn", "code": "expiry", "message": "expires in 9 days"}]}),
        _r(a, 1, "redirects", "headers", "headers", "acme.example", "warn", "no Content-Security-Policy header",
           {"url": "https://acme.example/", "status": 200,
            "headers": {"server": SCRIPT_HEADER, "strict-transport-security": "max-age=31536000",
                        "x-powered-by": IMG_ONERROR},
            "title": SCRIPT_TITLE}),
        _r(a, 1, "email-auth", "spf", "spf", "acme.example", "fail", "The SPF record ends in `?all`: it protects nothing.",
           {"record": "v=spf1 include:_spf.mail.example ?all", "lookup_count": 2,
            "tree": {"domain": "acme.example", "term": "", "record": "v=spf1 include:_spf.mail.example ?all",
                     "lookups": 1, "total": 2, "total_void": 0, "problem": "",
                     "terms": [{"term": "include:_spf.mail.example", "cost": 2, "counted": True},
                               {"term": "?all", "cost": 0, "counted": True}],
                     "children": [{"domain": "_spf.mail.example", "term": "include:_spf.mail.example",
                                   "record": "v=spf1 a:" + SCRIPT_TXT + " -all", "lookups": 1, "total": 1,
                                   "total_void": 0, "problem": "", "children": [],
                                   "terms": [{"term": "a:" + SCRIPT_TXT, "cost": 1, "counted": True}]}]}}),
        _r(a, 1, "email-auth", "dkim", "dkim", "s1._domainkey.acme.example", "pass", "DKIM key s1 is RSA 2048 bits",
           {"selector": "s1", "record": "v=DKIM1; k=rsa; p=MIIB...", "key_bits": 2048}),
        _r(a, 1, "email-auth", "dmarc", "dmarc", "acme.example", "warn",
           "DMARC policy is p=none (monitoring only) for acme.example.",
           {"records": ["v=DMARC1; p=none; rua=mailto:" + SCRIPT_TXT + "@acme.example"], "effective_policy": "none",
            "rollout": [{"date": "2026-03-15", "p": "none", "record": "v=DMARC1; p=none"},
                        {"date": "2026-03-29", "p": "quarantine", "record": "v=DMARC1; p=quarantine"},
                        {"date": "2026-04-26", "p": "reject", "record": "v=DMARC1; p=reject"}]}),
        _r(a, 1, "uptime", "monitored-urls", "uptime", "https://acme.example/", "pass",
           "https://acme.example/ is up: HTTP 200 in 80 ms", {"status": 200, "time_ms": 80, "title": SCRIPT_TITLE}),
        _r(a, 1, "uptime", "monitored-urls", "uptime", "https://status.acme.example/", "error",
           "Could not check: the connection timed out after 5 s", {"reason": "timeout"}),
        _r(a, 1, "uptime", "odd", "mystery", "odd-target", "pass", "A check kind this version does not know",
           {"nested": {"deep": [[1, 2], {"x": None}]}, "flag": True, "ratio": 0.25, "items": list(range(9)),
            "note": MD_LINK + " | pipe | `tick` ** bold", "html": IMG_ONERROR}),
        _r("deploy-path", 2, "rollback", "rollback-drill", "command", "vercel rollback --yes", "pass",
           "the rollback finished in 95 s (budget 10 min)", {"exit_code": 0, "duration_s": 95.0, "budget_min": 10}),
        _r("deploy-path", 2, "latency", "admin-latency", "latency", "https://app.acme.example/admin/members", "fail",
           "Admin: list members is too slow: p95 451 ms (budget 300 ms)",
           {"p50_ms": 65.0, "p95_ms": 451.0, "p99_ms": 458.0, "budget_ms": 300, "release": "v1.3.0"}),
        _r("handover", 7, "secrets", "creds", "credentials", "inventory", "warn", "1 credential is overdue for rotation",
           {"credentials": [{"id": "stripe-live", "overdue": True, "value": "stored"}]}),
        # a result from a runbook that is not loaded any more
        _r("old-runbook", 3, "gone", "x", "dns", "legacy.acme.example", "pass", "legacy.acme.example resolves"),
    ]


def state() -> dict:
    res = {}
    for r in results():
        res[f"{r['runbook']}/{r['step']}/{r['check_id']}@{r['target']}"] = r
    # odd entries the export must survive
    res["odd/1"] = {"status": "weird", "evidence": "just text", "stage": "three", "started_at": "yesterday"}
    res["odd/2"] = {"check": "uptime", "evidence": None, "target": None}
    return {
        "version": 1,
        "position": {"runbook": "audit", "step": "uptime"},
        "confirmations": {
            "audit/domain-map/production-known": {"checked": True, "by": "Dana", "at": "2026-03-10T10:00:00+00:00"},
            "deploy-path/one-command/no-manual-edits": {"checked": False},
        },
        "records": {
            "audit/domain-map/domain-map": {
                "production_location": {"value": "Vercel, team acme-prod, region iad1; Postgres on Neon (Pro)",
                                        "by": "Dana", "at": "2026-03-10T10:05:00+00:00"},
                "names": {"value": "acme.example, Vercel, the marketing site\napp.acme.example - the product "
                                   + SCRIPT_HEADER + "\nblog.acme.example, Heroku (closed), old blog",
                          "by": "Dana", "at": "2026-03-10T10:06:00+00:00"},
            },
            "audit/domain-map/production": {
                "host": {"value": "Vercel, project acme-web", "by": "Dana", "at": "2026-03-10T10:05:00+00:00"},
                "account": {"value": "acme-prod team (Dana and Sam can log in)", "by": "Dana",
                            "at": "2026-03-10T10:05:00+00:00"},
                "owner": {"value": "Dana", "by": "Dana", "at": "2026-03-10T10:05:00+00:00"},
            },
            "observability/monitors/monitors": {
                "service": {"value": "UptimeRobot (free plan)", "by": "Sam", "at": "2026-03-13T09:00:00+00:00"},
            },
            "observability/alert-channel/alert-channel": {
                "channel": {"value": "#alerts on Slack, and Dana's phone", "by": "Sam",
                            "at": "2026-03-13T09:05:00+00:00"},
            },
            "audit/rank-risks/risk-list": {
                "risks": {"value": "1. Payments webhook has no retry\n- Admin login only works on one laptop\n# not a heading",
                          "by": "Dana", "at": "2026-03-11T09:00:00+00:00"},
            },
            "deploy-path/one-command/deploy-command": {
                "command": {"value": "push to main (Vercel deploys it)", "by": "Sam", "at": "2026-03-12T09:00:00+00:00"},
                "who_can_deploy": {"value": "Sam, Dana", "by": "Sam", "at": "2026-03-12T09:00:00+00:00"},
            },
            "deploy-path/rollback/rollback-note": {
                "steps": {"value": "1. Open Vercel > Deployments\n2. Pick the last good one\n3. Instant Rollback",
                          "by": "Sam", "at": "2026-03-12T09:10:00+00:00"},
                "database_note": {"value": "Migrations are backwards compatible for one release.", "by": "Sam",
                                  "at": "2026-03-12T09:10:00+00:00"},
                "last_tested": {"value": "2026-03-12", "by": "Sam", "at": "2026-03-12T09:11:00+00:00"},
                "minutes_taken": {"value": "4", "by": "Sam", "at": "2026-03-12T09:11:00+00:00"},
                "tested_by": {"value": "Sam", "by": "Sam", "at": "2026-03-12T09:11:00+00:00"},
            },
            "handover/risk-log/risk-log": {
                "accepted": {"value": "No staging database until April", "by": "Dana", "at": "2026-03-14T09:00:00+00:00"},
                "out_of_scope": {"value": "Mobile apps\nSOC 2", "by": "Dana", "at": "2026-03-14T09:00:00+00:00"},
            },
            "handover/day-2/day-2-actions": {
                "monitoring": {"value": "Add a queue-depth alert", "by": "Dana", "at": "2026-03-14T09:00:00+00:00"},
            },
        },
        "notes": {"audit/uptime": {"text": "Ask Sam for the UptimeRobot login </td></tr></table>" + SCRIPT_HEADER,
                                   "at": "2026-03-10T11:00:00+00:00"}},
        "steps_done": {"audit/domain-map": {"by": "Dana", "at": "2026-03-10T10:10:00+00:00"}},
        "results": res,
        "credentials": {
            "stripe-live": {"id": "stripe-live", "label": "Stripe live secret key",
                            "reference": "1Password vault Ops > Stripe live", "owner": "Dana",
                            "rotate_every_days": 90, "last_rotated": "2025-12-01",
                            "rotation_notes": "Roll the key in Stripe > Developers > API keys, then update Vercel env.",
                            "has_value": True, "value": CREDENTIAL_VALUE},
            "postmark": {"id": "postmark", "label": "Postmark server token", "reference": "Vercel env POSTMARK_TOKEN",
                         "owner": "", "rotate_every_days": 180, "last_rotated": "2026-02-01", "has_value": False},
        },
        "incidents": {
            "deploy-failure-20260314-140500": {
                **copy.deepcopy(INCIDENT),
                "note_path": ".launchready/incidents/deploy-failure-20260314-140500.md"},
        },
        "problems": {"dns:blog.acme.example:dangling-cname": {"owner": "Sam", "priority": "P1", "by": "Dana",
                                                               "at": "2026-03-14T09:00:00+00:00"}},
    }


INCIDENT = {
    "id": "deploy-failure-20260314-140500",
    "runbook": "deploy-failure",
    "title": "Incident: a deploy broke production",
    "started_at": "2026-03-14T14:05:00+00:00",
    "ended_at": "2026-03-14T14:31:00+00:00",
    "started_by": "Sam",
    "budget_min": 10,
    "events": [
        {"at": "2026-03-14T14:06:10+00:00", "type": "check", "status": "fail",
         "text": "✗ FAIL: https://app.acme.example/health answers 500", "check": "smoke"},
        {"at": "2026-03-14T14:08:00+00:00", "type": "decision", "text": "Rolling back the last deploy", "by": "Sam"},
        {"at": "2026-03-14T14:12:30+00:00", "type": "command", "text": "Ran `vercel rollback --yes`: succeeded in 45 s",
         "command": "vercel rollback --yes", "exit_code": 0, "duration_s": 45.0, "rollback": True,
         "started_at": "2026-03-14T14:11:45+00:00", "by": "Sam"},
        {"at": "2026-03-14T14:13:00+00:00", "type": "check", "status": "pass",
         "text": "✓ pass: https://app.acme.example/health is up", "check": "smoke"},
        {"at": "2026-03-14T14:20:00+00:00", "type": "step", "step": "tell-people",
         "text": "Done: Tell customers and the team", "by": "Dana"},
        {"at": "2026-03-14T14:31:00+00:00", "type": "decision", "text": "Incident closed", "by": "Sam"},
    ],
    "fields": {
        "impact": "Creators could not publish posts for 8 minutes " + SCRIPT_HEADER,
        "cause": "A migration renamed a column the old code still read.",
        "follow_ups": "- Add a smoke test for publishing (Sam, 2026-03-21)\n- Expand-contract migrations (Dana)",
        "customer_communication": "Status page post at 14:20; email to 12 affected creators.",
    },
}

HISTORY = [
    {"type": "check", "at": "2026-03-01T10:00:00+00:00", "counts": {"pass": 3},
     "problems": ["dns:blog.acme.example:dangling-cname"]},
    {"type": "latency", "release": "v1.2.0", "at": "2026-03-01T10:00:00+00:00",
     "url": "https://app.acme.example/admin/members", "method": "GET", "budget_ms": 300,
     "p50_ms": 40.0, "p95_ms": 210.0, "p99_ms": 260.0},
    {"type": "latency", "release": "v1.3.0", "at": TODAY, "url": "https://app.acme.example/admin/members",
     "method": "GET", "budget_ms": 300, "p50_ms": 65.0, "p95_ms": 451.0, "p99_ms": 458.0},
    {"type": "latency", "release": "v1.3.0", "at": TODAY, "url": "https://app.acme.example/api/login",
     "method": "POST", "p50_ms": 20.0, "p95_ms": 80.0, "p99_ms": 120.0},
]

ALLOW = [
    {"fingerprint": "sk_t:1a2b3c4d", "reason": "revoked test key kept in a fixture", "expires": "2026-06-30",
     "added_by": "Dana"},
    {"id": "GHSA-xxxx-yyyy-zzzz", "reason": "not reachable from our code", "expires": "2026-02-01"},
]


def handover(**kw):
    from launchready_tui.core.export import build_handover

    args = dict(history=copy.deepcopy(HISTORY), allowlist=copy.deepcopy(ALLOW), author="Dana Founder", now=NOW)
    args.update(kw)
    return build_handover(profile(), state(), runbooks(), **args)
