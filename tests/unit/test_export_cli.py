"""`launchready export` and `launchready incident ID --export` through the real CLI."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import run_cli
from tests.unit.export_fixtures import GOLDEN, INCIDENT, PROFILE_YAML, state


@pytest.fixture
def project(tmp_path):
    (tmp_path / "launchready.yaml").write_text(PROFILE_YAML, encoding="utf-8")
    sd = tmp_path / ".launchready"
    sd.mkdir()
    (sd / "state.json").write_text(json.dumps(state(), indent=2), encoding="utf-8")
    return tmp_path


def _args(project, *more):
    return ["export", "--profile", str(project / "launchready.yaml"), "--runbooks", str(GOLDEN / "runbooks"), *more]


def test_default_is_markdown_beside_the_profile(project):
    r = run_cli(*_args(project, "--author", "Dana"), cwd=project)
    assert r.returncode == 0, r.stderr
    files = list(project.glob("handover-acme-test-co-*.md"))
    assert len(files) == 1, list(project.iterdir())
    assert str(files[0]) in r.stdout
    text = files[0].read_text(encoding="utf-8")
    assert text.startswith("# Handover: Acme Test Co")
    assert "Prepared by Dana on" in text


def test_html_to_a_chosen_file_and_markdown_to_stdout(project):
    out = project / "out" / "handover.html"
    r = run_cli(*_args(project, "--format", "html", "-o", str(out)), cwd=project)
    assert r.returncode == 0, r.stderr
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and "<script" not in page.lower()
    r = run_cli(*_args(project, "-o", "-"), cwd=project)
    assert r.returncode == 0 and r.stdout.startswith("# Handover: Acme Test Co")


def test_author_defaults_to_git_user_name(project):
    subprocess.run(["git", "config", "--global", "user.name", "Grace Hopper"], check=True)
    r = run_cli(*_args(project, "-o", "-"), cwd=project)
    assert "Prepared by Grace Hopper on" in r.stdout


def test_bad_inputs_exit_2_with_one_clear_line(project, tmp_path):
    r = run_cli("export", "--profile", str(tmp_path / "missing.yaml"))
    assert r.returncode == 2 and "launchready:" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("export", "--format", "pdf", "--profile", str(project / "launchready.yaml"))
    assert r.returncode == 2
    blocker = project / "a-file"
    blocker.write_text("x")
    r = run_cli(*_args(project, "-o", str(blocker / "sub" / "x.md")), cwd=project)
    assert r.returncode == 2 and "could not write the handover" in r.stderr


def test_damaged_state_is_a_clear_error(project):
    (project / ".launchready" / "state.json").write_text("{not json", encoding="utf-8")
    r = run_cli(*_args(project, "-o", "-"), cwd=project)
    assert r.returncode == 2 and "state.json" in r.stderr and "Traceback" not in r.stderr


def test_incident_note_export(project):
    r = run_cli("incident", "deploy-failure", "--export", "--profile", str(project / "launchready.yaml"),
                "--runbooks", str(GOLDEN / "runbooks"), cwd=project)
    assert r.returncode == 0, r.stderr
    note = project / ".launchready" / "incidents" / f"{INCIDENT['id']}.md"
    text = note.read_text(encoding="utf-8")
    assert text.startswith("# Incident note: Incident: a deploy broke production")
    assert "7 min 30 s after the incident started, against the 10-minute budget: within budget" in text
    for part in ("## Customer communication", "## Cause", "## Follow-ups", "Detected", "Decision", "Verified"):
        assert part in text
    r = run_cli("incident", "site-down", "--export", "--profile", str(project / "launchready.yaml"),
                "--runbooks", str(GOLDEN / "runbooks"), cwd=project)
    assert r.returncode == 2 and "no recorded incident 'site-down'" in r.stderr


def test_export_path_does_not_import_textual():
    code = (
        "import sys\n"
        "import launchready_tui.core.export, launchready_tui.core.export._layout, launchready_tui.commands.export\n"
        "from launchready_tui.cli import build_parser\n"
        "assert 'textual' not in sys.modules, 'textual imported'\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
