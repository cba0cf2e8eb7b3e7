"""Issue 13, the CLI edges: the app's commands need a terminal and say so at once (exit
2); `launchready incident --export` with no id writes the latest incident's note; the
README lists every incident runbook that `launchready runbooks` lists; each bundled
incident runbook declares its own clock."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from launchready_tui.core import incidents
from launchready_tui.core.incidents import IncidentLog
from launchready_tui.core.runbook import load_runbooks
from launchready_tui.core.state import StateStore
from tests.conftest import ROOT, run_cli


@pytest.fixture
def profile(tmp_path) -> Path:
    p = tmp_path / "launchready.yaml"
    p.write_text("project: X\ndomain: x.example\n", encoding="utf-8")
    return p


@pytest.mark.parametrize("args", [
    ("incident", "deploy-failure"),
    ("tui",),
    (),  # plain `launchready` opens the app too
])
def test_app_commands_without_a_terminal_exit_2_at_once(args, profile):
    extra = ("--profile", str(profile)) if args else ()
    t0 = time.monotonic()
    proc = run_cli(*args, *extra, cwd=profile.parent, stdin="", timeout=30)
    took = time.monotonic() - t0
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "needs a terminal" in proc.stderr
    assert took < 15, took


def test_incident_export_without_an_id_writes_the_latest_note(profile, tmp_path):
    store = StateStore(profile.parent / ".launchready")
    t = [incidents.utcnow()]

    def clock():
        return t[0]

    old = IncidentLog.start(store, "site-down", title="Site down", who="Ana", clock=clock)
    old.note("the older one")
    old.end(save_note=False)
    t[0] = t[0] + incidents.dt.timedelta(hours=2)
    new = IncidentLog.start(store, "deploy-failure", title="Bad deploy", who="Bo", clock=clock)
    new.note("the newest one")
    new.end(save_note=False)
    out = tmp_path / "note.md"
    proc = run_cli("incident", "--export", "-o", str(out), "--profile", str(profile))
    assert proc.returncode == 0, proc.stderr
    text = out.read_text()
    assert "the newest one" in text and "the older one" not in text


def test_incident_export_with_nothing_recorded_says_so(profile):
    proc = run_cli("incident", "--export", "--profile", str(profile))
    assert proc.returncode == 2 and "no incident has been recorded yet" in proc.stderr


def test_readme_lists_every_incident_runbook_as_launchready_runbooks_does():
    proc = run_cli("runbooks")
    assert proc.returncode == 0, proc.stderr
    listed = re.findall(r"^  ([a-z0-9-]+): ", proc.stdout.split("Incident runbooks", 1)[1], re.M)
    assert listed, proc.stdout
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The runbooks", 1)[1].split("\n## ", 1)[0]
    table = re.findall(r"^\| `([a-z0-9-]+)` \|", section, re.M)
    assert sorted(table) == sorted(listed), (table, listed)


def test_each_bundled_incident_runbook_declares_its_clock():
    books, errors = load_runbooks([ROOT / "runbooks"])
    assert not errors
    budgets = {b.id: incidents.runbook_budget(b) for b in books if b.kind == "incident"}
    assert budgets["deploy-failure"].minutes == 10 and budgets["deploy-failure"].rollback
    assert "roll back" in budgets["deploy-failure"].overdue
    assert budgets["secret-leaked"].minutes == 60 and not budgets["secret-leaked"].rollback
    assert "roll back" not in budgets["secret-leaked"].overdue
    assert budgets["site-down"].minutes is None
    assert budgets["email-in-spam"].minutes is None
    for rid in budgets:
        front = incidents._front_matter(next(x for x in books if x.id == rid).text)
        assert "clock" in front, f"{rid} declares no clock in its front matter"


def test_budget_parsing_rejects_nonsense_and_the_profile_wins_for_rollbacks():
    assert incidents.parse_budget(None).minutes is None
    assert incidents.parse_budget({"budget_min": "none"}).minutes is None
    with pytest.raises(ValueError):
        incidents.parse_budget({"budget_min": "soon"})
    with pytest.raises(ValueError):
        incidents.parse_budget(10)

    class Rb:
        text = "---\nid: x\nclock:\n  budget_min: 10\n  for: rollback\n---\n"

    class Profile:
        def get(self, key):
            return 5 if key == "deploy.rollback_budget_min" else None

    assert incidents.runbook_budget(Rb(), Profile()).minutes == 5


def test_one_verdict_for_the_clock():
    inc = {"started_at": "2026-11-28T12:00:00+00:00", "budget_min": 10.0, "budget_label": "Rollback budget",
           "verified_at": "2026-11-28T12:00:58+00:00", "verified_s": 58}
    assert incidents.verdict(inc) == "rolled back and verified at 00:58, within the 10-minute budget"
    late = dict(inc, verified_s=700)
    assert incidents.verdict(late).endswith("over the 10-minute budget")
    # the budget stops with the clock: nothing is blown an hour later
    later = incidents.parse_iso("2026-11-28T13:00:00+00:00")
    assert incidents.budget_left_s(inc, later) == 600 - 58
    assert incidents.budget_left_s({"started_at": inc["started_at"], "budget_min": None}, later) is None


def test_is_the_site_back_looks_only_at_what_the_deploy_serves(tmp_path):
    """deploy-failure's checks after the rollback: the smoke pages and the monitor pages on
    the deploy's own hosts, never another subdomain (a status page with its own
    certificate); and the step says so in one line."""
    from launchready_tui.core import engine
    from launchready_tui.core.profile import load_profile

    p = tmp_path / "launchready.yaml"
    p.write_text(
        "project: X\ndomain: x.example\nmonitor:\n  - https://x.example/\n  - https://app.x.example/health\n"
        "  - https://status.x.example/\nenvironments:\n  production:\n    url: https://app.x.example\n"
        "deploy:\n  rollback: ./rollback.sh\n  smoke:\n    - https://app.x.example/health\n"
        "    - {url: 'https://x.example/', status: 200}\n", encoding="utf-8")
    profile = load_profile(p)
    books, _ = load_runbooks([ROOT / "runbooks"])
    rb = next(b for b in books if b.id == "deploy-failure")
    for step_id in ("confirm-deploy", "verify"):
        st = rb.step(step_id)
        targets = {it.target for it in engine.plan([(rb, st)], profile) if it.spec.kind == "uptime"}
        assert targets == {"https://x.example/", "https://app.x.example/health"}, targets
        assert "look only at what your deploy serves" in st.markdown


def test_the_handover_times_an_incident_rollback_by_the_same_stopped_clock():
    from launchready_tui.core.export._sources import incident_rollback

    inc = {"started_at": "2026-11-28T12:00:00+00:00", "budget_min": 10.0, "verified_s": 8,
           "verified_at": "2026-11-28T12:00:08+00:00",
           "events": [{"at": "2026-11-28T12:00:07+00:00", "type": "command", "command": "./rollback.sh",
                       "exit_code": 0, "duration_s": 1.0, "rollback": True}]}
    t = incident_rollback(inc, 10.0)
    assert t is not None and round(t.minutes * 60) == 8
