"""Issue 13: commands never run by surprise.

A `command` block runs only when the run names exactly one step (`--runbook` and
`--step`) and says `--yes`. A whole-profile or multi-step `--yes` never runs one, and its
skip says how to run that one command on its own. The same command reached twice in
one request runs once."""

from __future__ import annotations

import json
from pathlib import Path

from launchready_tui.core import engine
from launchready_tui.core.profile import load_profile
from launchready_tui.core.runbook import load_runbooks
from tests.conftest import run_cli

BUNDLED = Path(__file__).resolve().parents[2] / "runbooks"


def _setup(tmp_path: Path) -> tuple[Path, Path, Path]:
    marker = tmp_path / "ran.log"
    rb = tmp_path / "rb"
    rb.mkdir()
    # Two runbooks reach the same rollback (as stage 2's drill and the deploy-failure
    # incident do); a third step deploys.
    (rb / "stage.md").write_text(
        "---\nid: deploy-path\ntitle: Deploys\nstage: 2\ngoal: g\nsummary: s\n---\n"
        "## Deploy {#deploy}\n```command\nid: deploy\nrun: \"{{ deploy.command }}\"\n```\n"
        "## Rollback drill {#rollback}\n```command\nid: rollback-drill\nrun: \"{{ deploy.rollback }}\"\n```\n",
        encoding="utf-8")
    (rb / "incident.md").write_text(
        "---\nid: deploy-failure\ntitle: Bad deploy\nkind: incident\ngoal: g\nsummary: s\n---\n"
        "## Roll back {#roll-back}\n```command\nid: rollback\nrun: \"{{ deploy.rollback }}\"\n```\n\n"
        "```check\nid: rollback-check\nkind: command\nrollback: true\nsmoke: false\n```\n",
        encoding="utf-8")
    profile = tmp_path / "launchready.yaml"
    profile.write_text(
        "project: X\ndomain: x.example\ndeploy:\n"
        f"  command: echo deploy >> {marker}\n"
        f"  rollback: echo rollback >> {marker}\n", encoding="utf-8")
    return profile, rb, marker


def _check(profile: Path, rb: Path, *extra: str):
    proc = run_cli("check", "--profile", str(profile), "--runbooks", str(rb), "--format", "json", *extra,
                   timeout=60)
    assert proc.returncode in (0, 1), proc.stderr
    return proc, json.loads(proc.stdout)["results"]


def test_whole_profile_yes_never_runs_a_command(tmp_path):
    profile, rb, marker = _setup(tmp_path)
    _, results = _check(profile, rb, "--yes")
    assert not marker.exists(), "a whole-profile --yes ran a command"
    cmd = {(r["runbook"], r["step"], r["check_id"]): r for r in results if r["check"] == "command"}
    assert len(cmd) == 4
    for (rbid, step, _), r in cmd.items():
        assert r["status"] == "skip"
        line = f"launchready check --runbook {rbid} --step {step} --yes"
        assert line in r["summary"], r["summary"]
        assert "add --yes" not in r["summary"]


def test_stage_yes_never_runs_a_command(tmp_path):
    profile, rb, marker = _setup(tmp_path)
    _, results = _check(profile, rb, "--stage", "2", "--yes")
    assert not marker.exists()
    assert {r["status"] for r in results} == {"skip"}
    _, results = _check(profile, rb, "--runbook", "deploy-path", "--yes")  # a runbook: two steps
    assert not marker.exists()


def test_one_named_step_with_yes_runs_its_command_once(tmp_path):
    profile, rb, marker = _setup(tmp_path)
    _, results = _check(profile, rb, "--runbook", "deploy-failure", "--step", "roll-back", "--yes")
    # The block and the `kind: command` check reach the same rollback: it runs once.
    assert marker.read_text().splitlines() == ["rollback"]
    by = {r["check_id"]: r for r in results}
    statuses = sorted(r["status"] for r in results)
    assert statuses.count("skip") == 1, results
    dup = next(r for r in results if r["status"] == "skip")
    assert "runs once per request" in dup["summary"], by


def test_named_step_without_yes_says_the_exact_line(tmp_path):
    profile, rb, marker = _setup(tmp_path)
    _, results = _check(profile, rb, "--runbook", "deploy-path", "--step", "deploy")
    assert not marker.exists()
    [r] = results
    assert r["status"] == "skip"
    assert "launchready check --runbook deploy-path --step deploy --yes" in r["summary"]
    assert "add --yes" not in r["summary"]


def test_bundled_rollback_planned_once_even_when_both_runbooks_may_run(tmp_path):
    """Stage 2's drill and the incident's rollback are the same command: a plan that could
    run commands plans it once; a plan that cannot holds both."""
    p = tmp_path / "launchready.yaml"
    p.write_text("project: X\ndomain: x.example\ndeploy:\n  rollback: ./rollback.sh\n  command: ./deploy.sh\n")
    profile = load_profile(p)
    books, errors = load_runbooks([BUNDLED])
    assert not errors
    sel = engine.select(books)
    held = [it for it in engine.plan(sel, profile, include_commands=True) if it.spec.kind == "command"]
    assert held and all(it.skip is not None and "--step" in it.skip.summary for it in held)
    free = [it for it in engine.plan(sel, profile, include_commands=True, run_commands=True)
            if it.spec.kind == "command"]
    rollbacks = [it for it in free if it.skip is None and "rollback" in it.spec.id]
    assert len(rollbacks) == 1, [it.key for it in rollbacks]
