"""`launchready scan-secrets` (the pre-commit hook): only the named files, offline, never a value."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def run(cwd: Path, *files: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "launchready_tui", "scan-secrets", *files], cwd=cwd,
                          capture_output=True, text=True, timeout=60)


def test_scans_only_the_named_files_and_never_prints_the_value(tmp_path):
    key = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    (tmp_path / "staged.py").write_text(f"x = 1\ntoken = '{key}'\n", encoding="utf-8")
    (tmp_path / "not_staged.py").write_text(f"token = '{key}'\n", encoding="utf-8")
    (tmp_path / "clean.md").write_text("nothing here\n", encoding="utf-8")
    hit = run(tmp_path, "staged.py", "clean.md")
    assert hit.returncode == 1
    assert hit.stdout.startswith("staged.py:2: ") and "not_staged" not in hit.stdout
    assert key not in hit.stdout + hit.stderr and "rotate" in hit.stderr
    assert run(tmp_path, "clean.md").returncode == 0


def test_hook_definition_runs_the_command():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = hooks
    assert hook["id"] == "launchready-secrets" and hook["entry"] == "launchready scan-secrets"
    assert hook["language"] == "python" and hook.get("pass_filenames", True) is True
