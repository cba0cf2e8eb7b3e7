"""Shared fixtures. Every test gets private user directories: no test reads or writes
the developer's real files, keyring or state."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _private_user_dirs(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("home")
    for var, sub in [
        ("HOME", ""),
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_CACHE_HOME", ".cache"),
        ("XDG_STATE_HOME", ".local/state"),
    ]:
        p = home / sub if sub else home
        p.mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(var, str(p))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    yield


@pytest.fixture(autouse=True)
def _memory_keyring(request, monkeypatch):
    """Every test gets an in-memory keyring, never the developer's real one. Tests marked
    `keyring_real` talk to a real Secret Service in subprocesses instead."""
    if request.node.get_closest_marker("keyring_real"):
        yield None
        return
    import keyring.core

    from tests.unit.conftest_keyring import MemoryKeyring

    monkeypatch.setenv("LAUNCHREADY_TEST_KEYRING", "1")
    kr = MemoryKeyring()
    monkeypatch.setattr(keyring.core, "_keyring_backend", kr)
    yield kr


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 120, stdin: str | None = None):
    """Run the real CLI in a subprocess, as a user would."""
    import subprocess

    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "launchready_tui", *args],
        cwd=cwd,
        env=e,
        capture_output=True,
        text=True,
        timeout=timeout,
        input=stdin,
    )


@pytest.fixture
def cli():
    return run_cli
