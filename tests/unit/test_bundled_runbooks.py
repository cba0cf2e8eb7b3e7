"""The bundled runbooks parse, have the shape the product relies on, and carry the
roadmap's thresholds; the example profile fills every template they use.

The TUI, the export and CI all depend on these ids: the record ids shown in the
handover (risk-list, domain-map, rollback-note, ...), the `env-vars` step CI runs, and
the deploy-failure runbook's timed rollback.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from launchready_tui.core.profile import SCHEMA, load_profile
from launchready_tui.core.runbook import (
    CheckSpec,
    Command,
    Confirm,
    Record,
    bundled_runbooks_dir,
    load_runbooks,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "launchready.yaml"
PARTS = ("Why this matters", "Do this", "Check it", "If it fails")
INCIDENTS = ("deploy-failure", "site-down", "email-in-spam")


@pytest.fixture(scope="module")
def books():
    books, errors = load_runbooks([bundled_runbooks_dir()])
    assert not errors, "\n".join(str(e) for e in errors)
    return books


@pytest.fixture(scope="module")
def by_id(books):
    return {rb.id: rb for rb in books}


@pytest.fixture(scope="module")
def stages(books):
    return {rb.stage: rb for rb in books if rb.kind == "stage"}


def _blocks(rb, cls):
    return [b for st in rb.steps for b in st.blocks if isinstance(b, cls)]


def _record(rb, rid) -> Record:
    recs = [r for r in _blocks(rb, Record) if r.id == rid]
    assert recs, f"{rb.id}: no record with id '{rid}'"
    return recs[0]


# ---------------------------------------------------------------------------- shape


def test_seven_stages_and_the_incidents(books, stages):
    assert sorted(stages) == [1, 2, 3, 4, 5, 6, 7]
    assert len([rb for rb in books if rb.kind == "stage"]) == 7
    incidents = {rb.id for rb in books if rb.kind == "incident"}
    assert len(incidents) >= 3
    assert set(INCIDENTS) <= incidents


def test_front_matter_is_complete(books):
    for rb in books:
        assert rb.title and rb.goal and rb.summary, rb.id
        assert rb.covers, f"{rb.id}: empty covers"


def test_every_step_has_an_explicit_id(books):
    for rb in books:
        heads = [ln for ln in rb.text.splitlines() if ln.startswith("## ")]
        assert len(heads) == len(rb.steps)
        bare = [h for h in heads if not re.search(r"\{#[\w-]+\}\s*$", h)]
        assert not bare, f"{rb.id}: steps without an explicit {{#id}}: {bare}"


def test_every_step_has_the_four_parts(books):
    problems = []
    for rb in books:
        for st in rb.steps:
            positions = []
            for part in PARTS:
                m = re.search(rf"^\*\*{part}[.:]?\*\*", st.markdown, flags=re.M)
                if not m:
                    problems.append(f"{rb.id}/{st.id}: missing '{part}'")
                else:
                    positions.append(m.start())
            if len(positions) == 4 and positions != sorted(positions):
                problems.append(f"{rb.id}/{st.id}: the four parts are out of order")
    assert not problems, "\n".join(problems)


def test_every_step_can_be_checked(books):
    """'Check it' holds a check, confirm or record in every step."""
    empty = [f"{rb.id}/{st.id}" for rb in books for st in rb.steps if not st.blocks]
    assert not empty, empty


def test_do_this_is_numbered(books):
    for rb in books:
        for st in rb.steps:
            do = st.markdown.split("**Do this:**", 1)[-1].split("**Check it", 1)[0]
            assert re.search(r"^1\. ", do, flags=re.M), f"{rb.id}/{st.id}: 'Do this' is not numbered"


# ---------------------------------------------------------------------------- deliverables


def test_stage_1_deliverables(stages):
    rb = stages[1]
    _record(rb, "risk-list")
    _record(rb, "launch-blockers")
    dm = _record(rb, "domain-map")
    assert "production_location" in {f.id for f in dm.fields}


def test_stage_2_deliverables_and_env_step(stages):
    rb = stages[2]
    _record(rb, "deploy-command")
    _record(rb, "rollback-note")
    step = rb.step("env-vars")
    assert step is not None, "stage 2 needs a step with id env-vars (CI runs it)"
    assert any(c.kind == "env" for c in step.checks)
    assert "deploy-failure" in rb.text


def test_stage_3_names_who_renews_certificates(stages):
    fields = {f.id for r in _blocks(stages[3], Record) for f in r.fields}
    assert "cert_renewer" in fields
    _record(stages[3], "redirect-map")
    _record(stages[3], "dns-records")


def test_stage_4_to_6_deliverables(stages):
    for rid in ("top-bottlenecks", "index-plan", "cache-rules", "background-jobs"):
        _record(stages[4], rid)
    index_fields = {f.id for f in _record(stages[4], "index-plan").fields}
    assert {"users", "subscriptions", "posts", "payouts", "events"} <= index_fields
    for rid in ("secret-inventory", "auth-review", "logging-rules", "least-privilege"):
        _record(stages[5], rid)
    for rid in ("monitors", "alert-channel", "targets", "incident-template"):
        _record(stages[6], rid)
    assert any(c.id == "alerts-reach-people" for c in _blocks(stages[6], Confirm))


def test_stage_7_deliverables(stages):
    rb = stages[7]
    _record(rb, "handover-checklist")
    _record(rb, "day-2-actions")
    log = _record(rb, "risk-log")
    assert "out_of_scope" in {f.id for f in log.fields}


# ---------------------------------------------------------------------------- thresholds


def test_thresholds_are_carried_by_the_checks(books):
    checks = [c for rb in books for st in rb.steps for c in st.checks]
    assert any(c.kind == "latency" and c.params.get("budget_ms") == 300 for c in checks)
    assert any(c.kind == "page_load" and c.params.get("budget_ms") == 2000 for c in checks)
    assert any(c.kind == "tls" and c.params.get("warn_days") == 30 for c in checks)
    kinds = {c.kind for c in checks}
    assert {"spf", "dkim", "dmarc"} <= kinds


def test_deploy_failure_is_the_six_step_decision_path(by_id):
    rb = by_id["deploy-failure"]
    assert [s.id for s in rb.steps] == [
        "confirm-deploy", "decide", "roll-back", "verify", "communicate", "incident-note",
    ]
    cmd = rb.step("roll-back").commands
    assert len(cmd) == 1
    assert cmd[0].run.strip() == "{{ deploy.rollback }}"
    assert cmd[0].budget_min == 10
    verify_kinds = {c.kind for c in rb.step("verify").checks}
    assert {"smoke", "uptime"} <= verify_kinds
    note = rb.step("incident-note").records[0]
    assert {"timeline", "cause", "follow_ups"} <= {f.id for f in note.fields}


def test_rollback_commands_have_the_10_minute_budget(books):
    for rb in books:
        for c in _blocks(rb, Command):
            if "deploy.rollback" in c.run:
                assert c.budget_min == 10, f"{rb.id}/{c.id}"


# ---------------------------------------------------------------------------- the example profile


def test_example_profile_loads_without_warnings():
    p = load_profile(EXAMPLE)
    assert p.project == "Acme Creators" and p.domain == "acme.example"
    assert not p.warnings, [w.format() for w in p.warnings]


def _unused_keys(t, v, path=""):
    out = []
    if isinstance(t, dict):
        for k, sub in t.items():
            if not isinstance(v, dict) or k not in v:
                out.append(path + k)
            else:
                out.extend(_unused_keys(sub, v[k], path + k + "."))
    elif isinstance(t, tuple) and t[0] in ("list", "map"):
        items = list((v or {}).values()) if t[0] == "map" else list(v or [])
        inner = t[1]
        if isinstance(inner, tuple) and inner[0] == "any":
            inner = next(x for x in inner[1:] if isinstance(x, dict))
        if isinstance(inner, dict):
            for k in inner:
                if not any(isinstance(i, dict) and k in i for i in items):
                    out.append(f"{path}*.{k}")
    return out


def test_example_profile_uses_every_key():
    p = load_profile(EXAMPLE)
    assert _unused_keys(SCHEMA, p.data) == []


def test_example_profile_fills_every_template_and_touches_every_stage(books):
    from launchready_tui.core.engine import plan, select

    p = load_profile(EXAMPLE)
    items = plan(select(books), p)
    missing = sorted({
        f"{i.runbook.id}/{i.step.id}/{i.spec.id}: {i.skip.evidence.get('missing_key')}"
        for i in items
        if i.skip is not None and i.skip.evidence.get("missing_key")
    })
    assert not missing, "the example profile lacks keys the runbooks use:\n" + "\n".join(missing)
    assert {i.runbook.stage for i in items if i.runbook.kind == "stage"} == set(range(1, 8))


def test_templates_in_commands_resolve_from_the_example(books):
    from launchready_tui.core.runbook import render

    p = load_profile(EXAMPLE)
    for rb in books:
        for c in _blocks(rb, Command):
            assert "{{" not in render(c.run, p), f"{rb.id}/{c.id}"


# ---------------------------------------------------------------------------- lint, through the CLI


def test_lint_passes_on_runbooks_and_example():
    proc = subprocess.run(
        [sys.executable, "-m", "launchready_tui", "lint", str(ROOT / "runbooks"), str(EXAMPLE)],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "warning" not in proc.stdout.lower()


def test_check_blocks_name_known_kinds_only(books):
    from launchready_tui.core.registry import KINDS

    for rb in books:
        for c in _blocks(rb, CheckSpec):
            assert c.kind in KINDS
