"""The handover model: verdict, sections in order, stale flags, odd evidence, no secrets."""

from __future__ import annotations

import copy
import datetime as dt
import random
import re

import pytest

from launchready_tui.core.export import Redactor, build_handover, render_html, render_markdown
from launchready_tui.core.export._render import Slugger, md_escape
from tests.unit.export_fixtures import (
    ALLOW,
    CREDENTIAL_VALUE,
    HISTORY,
    NOW,
    handover,
    profile,
    runbooks,
    state,
)

SECTIONS = ["Where things live", "Stage by stage", "Email authentication", "Secret inventory", "Runbooks to keep",
            "Performance", "Risk log", "Day-2 action list"]


def test_verdict_counts_fails_and_unticked_blocker_confirms_then_warnings():
    doc = handover()
    v = doc.verdict
    fails = [b for b in v.blockers if b.kind == "fail"]
    confirms = [b for b in v.blockers if b.kind == "confirm"]
    assert len(fails) == 4  # blog dns, app redirect loop, spf, latency
    assert {b.text for b in confirms} == {
        "A deploy needs no hand edits in any dashboard.",
        "The rollback was run for real and took under 10 minutes.",
        "The new owner has read the handover checklist and accepts it.",
    }  # the ticked blocker confirm (production-known) is not counted
    assert len(v.warnings) == 4
    md = render_markdown(doc)
    assert "Not ready to launch: 7 launch blockers, then 4 warnings" in md


def test_ready_when_nothing_blocks():
    st = state()
    st["results"] = {k: dict(r, status="pass") for k, r in st["results"].items() if isinstance(r, dict)}
    for key in ("deploy-path/one-command/no-manual-edits", "deploy-path/rollback/rollback-tested",
                "handover/risk-log/owner-accepts"):
        st["confirmations"][key] = {"checked": True, "by": "Dana", "at": "2026-03-14T10:00:00+00:00"}
    doc = build_handover(profile(), st, runbooks(), now=NOW)
    assert doc.verdict.blockers == []
    assert "Ready to launch: no launch blockers, 0 warnings" in render_markdown(doc)


def test_sections_come_in_the_issue_order():
    md = render_markdown(handover())
    heads = [m.group(1) for m in re.finditer(r"^## (.+)$", md, re.M)]
    assert [h for h in heads if h in SECTIONS] == SECTIONS
    assert md.index("# Handover: Acme Test Co") < md.index("Not ready to launch")
    assert "Prepared by Dana Founder on 2026-03-15" in md


def test_stale_evidence_is_flagged():
    doc = handover()
    www = next(r for s in doc.stages for r in s.results if r.target == "www.acme.example")
    assert www.stale and www.age_days and www.age_days > 14
    fresh = next(r for s in doc.stages for r in s.results if r.target == "acme.example" and r.check == "dns")
    assert not fresh.stale
    md = render_markdown(doc)
    assert md.count("stale - re-run before relying on it") >= 2  # the table row and the host map


def test_one_current_result_per_check_and_target():
    st = state()
    newer = dict(st["results"]["audit/domain-map/names-resolve@blog.acme.example"])
    newer.update(runbook="deploy-failure", step="verify", started_at="2026-03-15T11:00:00+00:00", status="pass",
                 summary="blog.acme.example resolves now")
    st["results"]["deploy-failure/verify/names-resolve@blog.acme.example"] = newer
    doc = build_handover(profile(), st, runbooks(), now=NOW)
    assert not any("blog.acme.example" in b.text for b in doc.verdict.blockers)


def test_rollback_last_timed_run_against_the_budget():
    doc = handover()
    runs = doc.runbooks.rollback_runs
    assert runs[0].source == "drill run by LaunchReady"
    assert runs[0].minutes == pytest.approx(95 / 60)
    assert runs[0].budget_min == 10 and runs[0].ok
    assert any(r.source.startswith("incident") for r in runs)
    assert any(r.source.startswith("written down by Sam") and r.minutes == 4 for r in runs)
    md = render_markdown(doc)
    assert "1 min 35 s against the 10-minute budget — within budget" in md


def test_performance_table_per_route_and_release_with_budget():
    doc = handover()
    rows = [(r.route, r.release, r.p95, r.budget_ms, r.status) for r in doc.performance]
    assert ("https://app.acme.example/admin/members", "v1.2.0", 210.0, 300.0, "pass") in rows
    assert ("https://app.acme.example/admin/members", "v1.3.0", 451.0, 300.0, "fail") in rows
    assert ("POST https://app.acme.example/api/login", "v1.3.0", 80.0, 300.0, "pass") in rows
    admin = next(r for r in doc.performance if r.route.endswith("/admin/members"))
    assert admin.name == "Admin: list members"


def test_email_spf_tree_and_dmarc_plan():
    doc = handover()
    tree = doc.email.spf_tree
    assert tree is not None and tree.label == "acme.example"
    assert tree.children[0].label.startswith("include:_spf.mail.example")
    assert [p["step"] for p in doc.email.dmarc_plan] == ["p=none", "p=quarantine", "p=reject"]
    dmarc_actions = [a for a in doc.day2 if a.kind == "recurring" and a.what.startswith("DMARC")]
    assert [a.due for a in dmarc_actions] == ["2026-03-29", "2026-04-26"]  # p=none is where we are


def test_day2_has_open_items_then_dated_recurring_items():
    doc = handover()
    kinds = [a.kind for a in doc.day2]
    assert kinds.index("fix") < kinds.index("recurring")
    dated = [a for a in doc.day2 if a.kind == "recurring"]
    assert [a.due for a in dated] == sorted(a.due for a in dated)
    whats = " | ".join(a.what for a in dated)
    assert "Rotate Stripe live secret key (overdue)" in whats  # 2025-12-01 + 90 days < 2026-03-15
    assert "Certificate for app.acme.example expires on 2026-03-24" in whats
    assert any(a.kind == "team" and "queue-depth" in a.what for a in doc.day2)


def test_risk_log_allowlist_and_out_of_scope():
    doc = handover()
    allow = {a.what: a for a in doc.risks.allowlist}
    assert allow["GHSA-xxxx-yyyy-zzzz"].expired
    assert not allow["sk_t:1a2b3c4d"].expired
    assert "Mobile apps" in doc.risks.out_of_scope
    md = render_markdown(doc)
    assert "expired: no longer hides the finding" in md


def test_secret_inventory_never_shows_a_value():
    doc = handover()
    cred = next(c for c in doc.secrets.credentials if c.id == "stripe-live")
    assert cred.reference == "1Password vault Ops > Stripe live"
    assert cred.next_due == "2026-03-01" and cred.overdue
    assert "Stripe > Developers" in cred.how_to_rotate
    for text in (render_markdown(doc), render_html(doc)):
        assert CREDENTIAL_VALUE not in text


def test_redactor_hides_known_secret_values_everywhere_in_the_model():
    st = state()
    st["notes"]["audit/uptime"] = {"text": f"the key is {CREDENTIAL_VALUE}, keep notes short", "at": "2026-03-10"}
    st["records"]["audit/rank-risks/risk-list"]["risks"]["value"] = f"key {CREDENTIAL_VALUE} leaked in chat"
    doc = build_handover(profile(), st, runbooks(), now=NOW, redactor=Redactor([CREDENTIAL_VALUE, "short"]))
    for text in (render_markdown(doc), render_html(doc)):
        assert CREDENTIAL_VALUE not in text
        assert "redacted" in text
        assert "short" in text  # shorter than 6 characters: not treated as a secret


def test_unknown_evidence_is_shown_generically():
    md = render_markdown(handover())
    row = next(line for line in md.splitlines() if "A check kind this version does not know" in line)
    assert "flag: yes" in row and "ratio: 0.25" in row and "items: 0, 1, 2, 3, 4 (+4 more)" in row


def _garbage(rng: random.Random, depth: int = 0):
    """Random JSON-ish values, built lazily (only the chosen branch recurses)."""
    if depth >= 4:
        return rng.choice([None, True, 1.5, "", "<b>x</b>", "`", "|", "\n\n", "# h", "1. x", "ünï", -3])
    options = [
        lambda: None,
        lambda: True,
        lambda: rng.random() * 1e6,
        lambda: rng.choice(["", "<b>x</b>", "`", "|", "\n\n", "# h", "1. x", "ünï", "2026-01-01"]),
        lambda: rng.randrange(-5, 5),
        lambda: [_garbage(rng, depth + 1) for _ in range(rng.randrange(4))],
        lambda: {str(rng.randrange(99)): _garbage(rng, depth + 1) for _ in range(rng.randrange(4))},
        lambda: {"tree": _garbage(rng, depth + 1), "map": _garbage(rng, depth + 1), "hops": _garbage(rng, depth + 1),
                 "terms": _garbage(rng, depth + 1), "total": _garbage(rng, depth + 1)},
        lambda: {"certificate": _garbage(rng, depth + 1), "rollout": _garbage(rng, depth + 1),
                 "findings": _garbage(rng, depth + 1), "records": _garbage(rng, depth + 1)},
    ]
    return rng.choice(options)()


@pytest.mark.parametrize("seed", range(25))
def test_odd_state_never_crashes(seed):
    rng = random.Random(seed)
    st = state()
    for i, r in enumerate(list(st["results"].values())):
        if isinstance(r, dict):
            r["evidence"] = _garbage(rng)
            if i % 3 == 0:
                r["status"] = rng.choice(["pass", "fail", "oops", None, 3])
            if i % 4 == 0:
                r["started_at"] = rng.choice([None, "", "not a date", 12345, "2026-13-45"])
    st["credentials"]["odd"] = _garbage(rng)
    st["incidents"]["odd"] = _garbage(rng)
    st["records"]["audit/domain-map/domain-map"]["names"] = _garbage(rng)
    st["notes"]["audit/uptime"] = _garbage(rng)
    st["confirmations"]["audit/uptime/monitor-exists"] = _garbage(rng)
    history = HISTORY + [_garbage(rng) for _ in range(5)] + [{"type": "latency", "routes": _garbage(rng)}]
    allow = ALLOW + [{"reason": _garbage(rng), "expires": _garbage(rng), "fingerprint": _garbage(rng)}]
    doc = build_handover(profile(), st, runbooks(), history=history, allowlist=allow, now=NOW)
    render_markdown(doc)
    render_html(doc)


def test_empty_state_and_no_runbooks():
    from launchready_tui.core.state import empty_state

    doc = build_handover(profile(), empty_state(), [], now=NOW)
    md = render_markdown(doc)
    assert "No checks have been run for Acme Test Co yet" in md
    render_html(doc)
    doc = build_handover(profile(), {"results": "garbage", "records": [], "credentials": None}, runbooks(), now=NOW)
    render_markdown(doc)


def test_state_key_order_does_not_change_the_document():
    st = state()
    shuffled = copy.deepcopy(st)
    items = list(shuffled["results"].items())
    random.Random(3).shuffle(items)
    shuffled["results"] = dict(items)
    a = render_markdown(build_handover(profile(), st, runbooks(), now=NOW, author="x"))
    b = render_markdown(build_handover(profile(), shuffled, runbooks(), now=NOW, author="x"))
    assert a == b


def test_github_anchors():
    s = Slugger()
    assert s.slug("Stage 1: Quick audit") == "stage-1-quick-audit"
    assert s.slug("Day-2 action list") == "day-2-action-list"
    assert s.slug("Rollback") == "rollback"
    assert s.slug("Rollback") == "rollback-1"
    assert s.slug("Rollback") == "rollback-2"
    assert s.slug("What's `new`?") == "whats-new"


def test_markdown_links_point_at_headings():
    md = render_markdown(handover())
    slugger = Slugger()
    anchors = set()
    in_fence = False
    for line in md.splitlines():
        if line.startswith("```"):
            in_fence = not in_fence
        m = re.match(r"^(#{1,6}) (.+)$", line)
        if m and not in_fence:
            text = re.sub(r"\\(.)", r"\1", m.group(2))
            anchors.add(slugger.slug(text.replace("`", "")))
    links = set(re.findall(r"\]\(#([^)]+)\)", md))
    assert links and links <= anchors, links - anchors


def test_md_escape_keeps_text_literal():
    assert md_escape("<script>") == "\\<script\\>"
    assert md_escape("- not a list") == "\\- not a list"
    assert md_escape("2. not a list") == "2\\. not a list"
    assert md_escape("a|b", table=True) == "a\\|b"
    assert md_escape("line one\nline two") == "line one\\\nline two"


def test_default_output_path_is_beside_the_profile(tmp_path):
    from launchready_tui.core.export import default_output_path
    from launchready_tui.core.profile import parse_profile

    p = parse_profile("project: Acme Creators (beta)\ndomain: acme.example\n", str(tmp_path / "launchready.yaml"))
    when = dt.datetime(2026, 3, 15, tzinfo=dt.UTC)
    assert default_output_path(p, "md", when) == tmp_path / "handover-acme-creators-beta-2026-03-15.md"
    assert default_output_path(p, "html", when).name == "handover-acme-creators-beta-2026-03-15.html"


def test_env_file_values_worth_hiding(tmp_path):
    from launchready_tui.core.export import secret_values_from_env_files
    from launchready_tui.core.profile import parse_profile

    (tmp_path / ".env.production").write_text(
        "STRIPE_SECRET_KEY=sk_live_abcdefghijklmnop1234\nDATABASE_URL=postgres://app:staging@db:5432/app\n"
        "NODE_ENV=production\nAPI_URL=https://api.acme.example\nSESSION_SECRET=short\nAUTH_MODE=password\n",
        encoding="utf-8")
    p = parse_profile("project: X\ndomain: acme.example\nenvironments:\n  production:\n    env_file: .env.production\n",
                      str(tmp_path / "launchready.yaml"))
    values = secret_values_from_env_files(p)
    assert "sk_live_abcdefghijklmnop1234" in values
    assert "postgres://app:staging@db:5432/app" in values
    for word in ("staging", "production", "short", "password", "https://api.acme.example"):
        assert word not in values


def test_redaction_leaves_the_shared_runbooks_alone():
    books = runbooks()
    before = [(s.title, s.markdown) for b in books for s in b.steps]
    build_handover(profile(), state(), books, now=NOW, redactor=Redactor(["rollback"]))
    assert [(s.title, s.markdown) for b in books for s in b.steps] == before
