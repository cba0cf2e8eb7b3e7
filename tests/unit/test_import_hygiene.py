"""The headless core and the check/export CLI paths never import Textual."""

import subprocess
import sys

import pytest

CORE_MODULES = [
    "launchready_tui",
    "launchready_tui.cli",
    "launchready_tui.core.engine",
    "launchready_tui.core.net",
    "launchready_tui.core.profile",
    "launchready_tui.core.runbook",
    "launchready_tui.core.state",
    "launchready_tui.core.report",
    "launchready_tui.core.checks.dns",
    "launchready_tui.lab",
]


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print('\\n'.join(sys.modules))"],
        capture_output=True, text=True, timeout=60,
    )
    assert out.returncode == 0, out.stderr
    return set(out.stdout.split())


@pytest.mark.parametrize("mod", CORE_MODULES)
def test_core_module_does_not_import_textual(mod):
    assert "textual" not in _modules_after(f"import {mod}")


def test_every_core_module_is_headless():
    import pkgutil

    import launchready_tui.core as core

    names = [m.name for m in pkgutil.walk_packages(core.__path__, "launchready_tui.core.")]
    code = f"import importlib\nfor n in {names!r}:\n    importlib.import_module(n)"
    loaded = _modules_after(code)
    assert "textual" not in loaded


def test_check_path_does_not_import_textual(tmp_path):
    (tmp_path / "launchready.yaml").write_text("project: X\ndomain: x.example\n")
    rb = tmp_path / "rb"
    rb.mkdir()
    (rb / "one.md").write_text("---\nid: one\ntitle: One\nstage: 1\ngoal: g\nsummary: s\n---\n## S\n```check\nkind: credentials\n```\n")
    code = (
        "import sys\nfrom launchready_tui.cli import main\n"
        f"rc = main(['check', '--profile', {str(tmp_path / 'launchready.yaml')!r}, '--runbooks', {str(rb)!r}, '--format', 'json'])\n"
        "assert 'textual' not in sys.modules, 'textual imported on the check path'\n"
    )
    loaded = _modules_after(code)
    assert "textual" not in loaded
    loaded = _modules_after("from launchready_tui.cli import build_parser; build_parser()")
    assert "textual" not in loaded
