"""Test keyrings: an in-memory backend for unit tests, and a file backend for tests that
run the CLI in subprocesses (redaction). Neither is ever used outside tests: both refuse
to load unless LAUNCHREADY_TEST_KEYRING is set.

Use in a test module:

    from tests.unit.conftest_keyring import memory_keyring  # noqa: F401  (fixture)
    pytestmark = pytest.mark.usefixtures("memory_keyring")

or, for a subprocess, `env=file_keyring_env(path)`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from jaraco.classes import properties
from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, PasswordDeleteError

_ENABLE = "LAUNCHREADY_TEST_KEYRING"


def _test_only() -> float:
    if not os.environ.get(_ENABLE):
        raise RuntimeError("test-only keyring backend")
    return 0.1


class MemoryKeyring(KeyringBackend):
    """Values in a dict. `locked = True` makes every call raise KeyringLocked."""

    @properties.classproperty
    def priority(cls) -> float:
        return _test_only()

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}
        self.locked = False

    def _guard(self) -> None:
        if self.locked:
            raise KeyringLocked("Failed to unlock the collection!")

    def get_password(self, service, username):
        self._guard()
        return self.store.get((service, username))

    def set_password(self, service, username, password):
        self._guard()
        self.store[(service, username)] = password

    def delete_password(self, service, username):
        self._guard()
        if self.store.pop((service, username), None) is None:
            raise PasswordDeleteError("not found")


class FileTestKeyring(KeyringBackend):
    """Values in a JSON file named by LAUNCHREADY_TEST_KEYRING_FILE (subprocess tests)."""

    @properties.classproperty
    def priority(cls) -> float:
        return _test_only()

    def _path(self) -> Path:
        return Path(os.environ["LAUNCHREADY_TEST_KEYRING_FILE"])

    def _load(self) -> dict[str, str]:
        try:
            return json.loads(self._path().read_text())
        except FileNotFoundError:
            return {}

    def get_password(self, service, username):
        return self._load().get(f"{service}\n{username}")

    def set_password(self, service, username, password):
        d = self._load()
        d[f"{service}\n{username}"] = password
        self._path().write_text(json.dumps(d))

    def delete_password(self, service, username):
        d = self._load()
        if d.pop(f"{service}\n{username}", None) is None:
            raise PasswordDeleteError("not found")
        self._path().write_text(json.dumps(d))


def file_keyring_env(path: Path) -> dict[str, str]:
    """Environment for a subprocess that should use FileTestKeyring at `path`."""
    root = Path(__file__).resolve().parents[2]
    pp = os.environ.get("PYTHONPATH", "")
    return {
        _ENABLE: "1",
        "LAUNCHREADY_TEST_KEYRING_FILE": str(path),
        "PYTHON_KEYRING_BACKEND": "tests.unit.conftest_keyring.FileTestKeyring",
        "PYTHONPATH": f"{root}{os.pathsep}{pp}" if pp else str(root),
    }


@pytest.fixture
def memory_keyring(monkeypatch):
    """Select a fresh in-memory keyring for this test (restored afterwards)."""
    import keyring
    import keyring.core

    monkeypatch.setenv(_ENABLE, "1")
    kr = MemoryKeyring()
    monkeypatch.setattr(keyring.core, "_keyring_backend", kr)
    keyring.set_keyring(kr)
    return kr
