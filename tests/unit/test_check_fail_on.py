"""`launchready check --fail-on` decides the exit status; --brief prints only the blockers
(issue 15). A runbook whose only check is skipped (its input is not in the profile) makes
no network call."""

import json
import textwrap

import pytest

from launchready_tui.cli import main

RUNBOOK = textwrap.dedent("""\
    ---
    id: drill
    title: "Stage 2: Drill"
    stage: 2
    goal: g
    summary: s
    ---

    # Stage 2: Drill

    ## Rollback drill {#rollback}

    ```check
    kind: uptime
    ```
""")


@pytest.fixture
def project(tmp_path):
    (tmp_path / "launchready.yaml").write_text("project: P\ndomain: p.example\n")
    rb = tmp_path / "rb"
    rb.mkdir()
    (rb / "stage-2-drill.md").write_text(RUNBOOK)
    return tmp_path


def _check(project, *extra):
    return main(["check", "--profile", str(project / "launchready.yaml"), "--runbooks", str(project / "rb"),
                 *extra])


def test_fail_on_skip_refuses_a_skipped_drill(project, capsys):
    assert _check(project) == 0  # a skip is not a failure by default
    assert _check(project, "--fail-on", "fail") == 0
    assert _check(project, "--fail-on", "skip") == 1
    assert _check(project, "--fail-on", "fail,skip") == 1
    assert _check(project, "--fail-on", "warn") == 0
    out = capsys.readouterr().out
    assert "Stage 2: Drill" in out and "Stage 2: Stage 2" not in out


def test_fail_on_rejects_unknown_words(project, capsys):
    with pytest.raises(SystemExit) as e:
        _check(project, "--fail-on", "pass")
    assert e.value.code == 2


def test_failing_statuses_default_keeps_could_not_check_failing():
    from launchready_tui.commands.check import failing_statuses

    assert failing_statuses(None) == {"fail", "error"}
    assert failing_statuses([["warn"]]) == {"fail", "error", "warn"}  # added, never narrowed
    assert failing_statuses([["error"]]) == {"fail", "error"}
    assert failing_statuses([["fail"], ["warn", "skip"]]) == {"fail", "error", "warn", "skip"}


def test_brief_and_json(project, capsys):
    assert _check(project, "--brief") == 0
    out = capsys.readouterr().out
    assert "Launch blockers: 0 problems" in out and "Details by stage" not in out
    assert _check(project, "--format", "json") == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["problems"] == [] and doc["counts"]["problems"] == 0 and doc["counts"]["skip"] == 1


ENV_RUNBOOK = textwrap.dedent("""\
    ---
    id: audit
    title: "Stage 1: Audit"
    stage: 1
    goal: g
    summary: s
    ---

    # Stage 1: Audit

    ## Env vars {#env}

    ```check
    kind: env
    ```
""")


def test_a_problem_accepted_by_id_in_the_allowlist_is_set_aside(tmp_path, capsys):
    """The stable id is what an accepted exception names: while the entry lasts, the
    problem leaves the blockers (listed as accepted) and its result no longer fails the run."""
    (tmp_path / "launchready.yaml").write_text(
        "project: P\ndomain: p.example\nrequired_env: [STRIPE_SECRET_KEY]\n"
        "environments:\n  production:\n    env_file: .env.production\n")
    (tmp_path / ".env.production").write_text("STRIPE_SECRET_KEY=changeme\n")
    rb = tmp_path / "rb"
    rb.mkdir()
    (rb / "stage-1-audit.md").write_text(ENV_RUNBOOK)
    args = ["check", "--profile", str(tmp_path / "launchready.yaml"), "--runbooks", str(rb)]
    assert main([*args, "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    (pid,) = [p["id"] for p in doc["problems"]]
    assert pid == "env:production:placeholder-STRIPE_SECRET_KEY"
    state = tmp_path / ".launchready"
    state.mkdir(exist_ok=True)
    (state / "allow.yaml").write_text(
        f"allow:\n  - id: \"{pid}\"\n    reason: staging-only project for now\n    expires: 2099-01-01\n")
    assert main([*args, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["problems"] == [] and doc["counts"]["problems"] == 0
    assert [p["id"] for p in doc["accepted_problems"]] == [pid]
    assert doc["accepted_problems"][0]["accepted_until"] == "2099-01-01"
    assert main([*args, "--brief"]) == 0
    out = capsys.readouterr().out
    assert "Accepted for now in .launchready/allow.yaml (1)" in out and pid in out
    (state / "allow.yaml").write_text(
        f"allow:\n  - id: \"{pid}\"\n    reason: staging-only project for now\n    expires: 2020-01-01\n")
    assert main([*args, "--format", "json"]) == 1  # an expired entry hides nothing
    assert [p["id"] for p in json.loads(capsys.readouterr().out)["problems"]] == [pid]
