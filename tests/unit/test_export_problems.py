"""The handover built on the problems list (issue 15): one set of counts, one row per
problem, each unticked must-do item once, where production lives, monitoring, the
commands that re-check, secrets nobody listed, past incident notes."""

from __future__ import annotations

from launchready_tui.core.export import render_markdown
from tests.unit.export_fixtures import handover


def _md() -> str:
    return render_markdown(handover())


def _outside_stage_detail(md: str) -> str:
    """The summary parts: everything but the stage-by-stage detail and the runbooks."""
    head, _, rest = md.partition("## Stage by stage")
    _, _, tail = rest.partition("## Email authentication")
    return head + tail


def test_one_row_per_problem_with_owner_priority_and_command():
    doc = handover()
    ids = [p.id for p in doc.problems]
    assert len(ids) == len(set(ids)) and [p.rank for p in doc.problems] == list(range(1, len(ids) + 1))
    md = _md()
    log = md.split("### Problems, ranked")[1].split("###")[0]
    rows = [x for x in log.splitlines() if x.startswith("| ") and not x.startswith(("| #", "| \\#", "| ---"))]
    assert len(rows) == len(doc.problems)
    dangling = next(x for x in rows if "dangling CNAME" in x)
    assert "| Sam | P1 | 2026-03-01 |" in dangling and "launchready check --runbook audit --step domain-map" in dangling


def test_each_unticked_must_do_item_appears_once_in_the_summary_parts():
    doc = handover()
    todo = [b.text for b in doc.verdict.blockers if b.kind == "confirm"]
    assert todo
    summary = _outside_stage_detail(_md())
    for text in todo:
        assert summary.count(text) == 1, text


def test_one_set_of_counts_with_the_results_time_on_the_cover():
    doc = handover()
    cover = _md().split("## Launch blockers")[0]
    n = len(doc.problems)
    assert f"Problems: {n} (" in cover
    assert f"They come from {doc.verdict.total} check results on record" in cover
    assert "taken between 2026-01-20 08:00 UTC and 2026-03-15 09:30 UTC" in cover
    fails = sum(1 for p in doc.problems if p.status == "fail")
    assert f"Failing problems, worst first ({fails})" in _md()
    assert "Checks on record" not in cover  # the old, second set of counts is gone


def test_where_production_lives_says_once_what_to_fill_in():
    md = _md()
    assert md.count("Not written down yet: region and database.") == 1
    assert "| Host (the service and project that run the app) | Vercel, project acme-web |" in md


def test_monitoring_names_what_is_watched_what_checks_it_and_alerts():
    md = _md().split("## Monitoring")[1].split("\n## ")[0]
    assert "`https://acme.example/`" in md and "`https://status.acme.example/`" in md
    assert "See if uptime monitoring is running" in md and "`launchready check --runbook audit --step uptime`" in md
    assert "#alerts on Slack" in md.replace("\\#", "#")
    assert md.count("Not written down yet: who owns the alerts.") == 1


def test_every_verification_item_carries_its_command():
    doc = handover()
    md = _md()
    for sv in doc.stages:
        for st in sv.steps:
            if st.checks:
                assert f"launchready check --runbook {st.runbook} --step {st.id}" in md, st.id
    for p in doc.problems:
        assert p.command.startswith("launchready check --runbook ")


def test_secret_inventory_flags_required_and_leaked_secrets_nobody_listed():
    doc = handover()
    flagged = [what for what, _ in doc.unlisted_secrets]
    assert "DATABASE_URL" in flagged  # required_env, no inventory entry
    assert "STRIPE_SECRET_KEY" not in flagged  # "Stripe live secret key" is listed
    assert "POSTMARK_TOKEN" not in flagged  # its reference names it


def test_past_incident_notes_are_linked():
    md = _md()
    assert ("[.launchready/incidents/deploy-failure-20260314-140500.md]"
            "(.launchready/incidents/deploy-failure-20260314-140500.md)") in md


def test_a_found_leak_with_no_inventory_entry_is_flagged():
    from launchready_tui.core.export._model import CredentialView, ResultView
    from launchready_tui.core.export._problems import unlisted_secrets
    from tests.unit.export_fixtures import NOW, profile

    leak = ResultView.from_dict("k", {
        "check": "secrets", "target": "logs", "status": "fail", "summary": "1 secret(s) found in logs",
        "evidence": {"findings": [
            {"file": "logs/app.log", "line": 2, "rule": "github-token", "title": "GitHub token",
             "fingerprint": "ghp_:ba442c05", "severity": "fail"},
            {"file": "dist/a.js", "line": 1, "rule": "stripe-live-key", "title": "Stripe live key",
             "fingerprint": "sk_l:1234", "severity": "fail"}]}}, NOW)
    stripe = CredentialView("stripe-live", "Stripe live secret key", "1Password", "Dana", "", "", "", False, "")
    out = unlisted_secrets(profile(), [stripe], [], [leak])
    leaks = [w for w, why in out if "found by the scan" in why]
    assert leaks == ["GitHub token at logs/app.log:2 (fingerprint ghp_:ba442c05)"]


def test_monitoring_lists_what_the_uptime_service_watches():
    from launchready_tui.core.export._model import ResultView
    from launchready_tui.core.export._problems import _external_monitors
    from tests.unit.export_fixtures import NOW

    r = ResultView.from_dict("k", {"check": "monitors", "target": "uptimerobot", "status": "fail",
                                   "started_at": "2026-03-15T09:00:00+00:00", "evidence": {
                                       "provider": "uptimerobot", "watched": [
                                           {"url": "https://acme.example/", "status": "up", "interval_s": 300,
                                            "alerts": ["email"]},
                                           {"url": "https://api.acme.example/health", "status": "paused"},
                                           "odd"]}}, NOW)
    odd = ResultView.from_dict("j", {"check": "monitors", "target": "x", "evidence": {"watched": "nope"}}, NOW)
    assert _external_monitors([r, odd]) == [
        ("uptimerobot", "https://acme.example/", "up", "every 5 min", "email"),
        ("uptimerobot", "https://api.acme.example/health", "paused", "", "nobody"),
    ]


def test_a_problem_the_allowlist_accepts_by_id_leaves_the_ranked_list():
    from tests.unit.export_fixtures import ALLOW

    pid = "dns:blog.acme.example:dangling-cname"
    allow = [*ALLOW, {"id": pid, "reason": "blog moves next week", "expires": "2026-04-01"}]
    doc = handover(allowlist=allow)
    assert pid not in [p.id for p in doc.problems]
    assert [p.rank for p in doc.problems] == list(range(1, len(doc.problems) + 1))
    expired = handover(allowlist=[*ALLOW, {"id": pid, "reason": "old", "expires": "2026-01-01"}])
    assert pid in [p.id for p in expired.problems]  # an expired entry hides nothing
