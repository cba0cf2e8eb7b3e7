"""A non-editable install must find the bundled runbooks inside the wheel."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return next(out.glob("launchready_tui-*.whl"))


def test_wheel_ships_runbooks(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {Path(n).name for n in names if n.startswith("launchready_tui/runbooks/") and n.endswith(".md")}
    source = {p.name for p in (ROOT / "runbooks").glob("*.md")}
    assert source and source <= shipped


def test_installed_wheel_finds_runbooks_outside_checkout(wheel, tmp_path):
    target = tmp_path / "site"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    env = dict(os.environ, PYTHONPATH=str(target))
    code = (
        "import launchready_tui, sys\n"
        "from launchready_tui.core.runbook import load_runbooks, bundled_runbooks_dir\n"
        f"assert launchready_tui.__file__.startswith({str(target)!r}), launchready_tui.__file__\n"
        "books, errors = load_runbooks()\n"
        "print(bundled_runbooks_dir(), len(books), len(errors))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    where, n, nerr = proc.stdout.split()
    assert where.startswith(str(target)) and int(n) >= 1


def test_wheel_ships_the_glossary_and_the_app_finds_it(wheel, tmp_path):
    names = zipfile.ZipFile(wheel).namelist()
    assert "launchready_tui/docs/glossary.md" in names and "launchready_tui/docs/glossary-terms.txt" in names
    target = tmp_path / "site"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    code = (
        "from launchready_tui.core.glossary import glossary_path, load_glossary, lookup\n"
        "print(glossary_path()); assert lookup(load_glossary(), 'nxdomain')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=dict(os.environ, PYTHONPATH=str(target)),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().startswith(str(target))
