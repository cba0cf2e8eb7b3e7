"""`launchready credentials add ID --canary`: a random marker, shown once on a terminal,
kept only in the keyring."""

from __future__ import annotations

import re
import sys

from launchready_tui.commands.credentials import new_canary
from launchready_tui.core import credentials as cr
from launchready_tui.core.profile import load_profile
from tests.unit import conftest_keyring, test_credentials
from tests.unit.test_credentials import cli

# The fixtures of the credentials tests, shared.
project = test_credentials.project
memory_keyring = conftest_keyring.memory_keyring


def test_canaries_are_random_and_recognizable():
    a, b = new_canary(), new_canary()
    assert a != b and re.fullmatch(r"LRC-[A-Z2-7]{24}", a)


def test_canary_is_shown_once_on_a_terminal_and_kept_in_the_keyring(project, monkeypatch, capsys, memory_keyring):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    code, out, err = cli(monkeypatch, capsys, "add", "ai-canary", "--canary", tty=True)
    assert code == 0, err
    store = cr.CredentialStore.for_profile(load_profile(project / "launchready.yaml"))
    value = store.get_value("ai-canary")
    assert value and out.count(value) == 1 and "system prompt" in out
    state = "".join(p.read_text() for p in (project / ".launchready").rglob("*.json"))
    assert value not in state and "ai-canary" in state


def test_canary_without_a_terminal_makes_nothing(project, monkeypatch, capsys, memory_keyring):
    code, out, err = cli(monkeypatch, capsys, "add", "ai-canary", "--canary")
    assert code == 2 and "needs a terminal" in err and "LRC-" not in out + err
    store = cr.CredentialStore.for_profile(load_profile(project / "launchready.yaml"))
    assert store.list() == []


def test_canary_and_stdin_are_exclusive(project, monkeypatch, capsys, memory_keyring):
    import pytest

    with pytest.raises(SystemExit) as e:
        cli(monkeypatch, capsys, "add", "ai-canary", "--canary", "--stdin", stdin="x")
    assert e.value.code == 2
