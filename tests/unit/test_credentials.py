"""Credential references: metadata in the state, values only in the keyring; the
`credentials` check; keyring problems; the CLI (in-process, with an in-memory keyring)."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import sys
import tomllib
from pathlib import Path

import pytest

from launchready_tui.core import credentials as cr
from launchready_tui.core.checks import credentials as cc
from launchready_tui.core.context import CheckContext
from launchready_tui.core.profile import parse_profile
from launchready_tui.core.state import StateStore
from tests.unit import conftest_keyring
from tests.unit.conftest_keyring import MemoryKeyring
from tests.unit.test_secrets_rules import r

memory_keyring = conftest_keyring.memory_keyring  # the fixture, used by every test here
pytestmark = pytest.mark.usefixtures("memory_keyring")

VALUE = "sk_" + "live_" + r(24)
TODAY = dt.date(2026, 1, 15)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def store(tmp_path):
    return cr.CredentialStore("Acme", StateStore(tmp_path / ".launchready"))


def state_text(tmp_path) -> str:
    return (tmp_path / ".launchready/state.json").read_text()


# -------------------------------------------------------------------------- store


def test_add_list_rotate_remove(store, tmp_path, memory_keyring):
    c = cr.Credential("stripe-live", label="Stripe live key", reference="1Password Ops > Stripe",
                      owner="Maya", rotate_every_days=90, last_rotated="2025-12-01")
    store.add(c, VALUE)
    assert memory_keyring.store[("launchready:Acme", "stripe-live")] == VALUE
    assert VALUE not in state_text(tmp_path)
    (got,) = store.list()
    assert got.has_value and got.owner == "Maya" and got.next_due() == dt.date(2026, 3, 1)
    assert store.get_value("stripe-live") == VALUE
    new = "sk_" + "live_" + r(24)
    store.rotate("stripe-live", when="2026-01-10", value=new)
    assert memory_keyring.store[("launchready:Acme", "stripe-live")] == new
    assert store.get("stripe-live").last_rotated == "2026-01-10"
    assert new not in state_text(tmp_path)
    assert store.remove("stripe-live") is True
    assert store.list() == [] and not memory_keyring.store


def test_metadata_only_needs_no_keyring(tmp_path, monkeypatch):
    import keyring.core
    from keyring.backends import fail

    monkeypatch.setattr(keyring.core, "_keyring_backend", fail.Keyring())
    s = cr.CredentialStore("Acme", StateStore(tmp_path))
    s.add(cr.Credential("db", label="Database", reference="Render dashboard"))
    assert s.get("db").has_value is False
    assert s.remove("db") is False


def test_duplicate_and_bad_input(store):
    store.add(cr.Credential("db"))
    with pytest.raises(cr.CredentialError, match="exists already"):
        store.add(cr.Credential("db"))
    with pytest.raises(cr.CredentialError, match="not a valid credential id"):
        store.add(cr.Credential("bad id!"))
    with pytest.raises(cr.CredentialError, match="no credential"):
        store.rotate("nope")
    assert cr.parse_cadence("90d") == 90 and cr.parse_cadence("3m") == 90 and cr.parse_cadence("1y") == 365
    assert cr.parse_cadence(30) == 30 and cr.parse_cadence(None) is None
    for bad in ("soon", "0d", "99y"):
        with pytest.raises(cr.CredentialError):
            cr.parse_cadence(bad)
    with pytest.raises(cr.CredentialError, match="not a date"):
        cr.parse_date("2026-02-30")


def test_failed_metadata_write_rolls_back_the_keyring(memory_keyring):
    class Broken(cr.MemoryMetadata):
        def update(self, fn):
            raise OSError(28, "No space left on device")

    s = cr.CredentialStore("Acme", Broken())
    with pytest.raises(OSError):
        s.add(cr.Credential("x"), VALUE)
    assert not memory_keyring.store


def test_inventory_for_handover(store):
    store.add(cr.Credential("a", owner="Maya", rotate_every_days=30, last_rotated="2026-01-01",
                            rotation_notes="Roll key in dashboard"), VALUE)
    inv = cr.inventory(store.state.load())
    assert inv[0]["next_due"] == "2026-01-31" and inv[0]["rotation_notes"] == "Roll key in dashboard"
    assert VALUE not in json.dumps(inv)


# ------------------------------------------------------------------- keyring problems


class _FakePlaintext:
    """Looks like keyrings.alt's PlaintextKeyring (not registered with keyring)."""

    def get_password(self, service, username):  # pragma: no cover - never reached
        return None

    def set_password(self, service, username, password):  # pragma: no cover
        raise AssertionError("a value reached a plaintext backend")


_FakePlaintext.__module__ = "keyrings.alt.file"
_FakePlaintext.__name__ = "PlaintextKeyring"


def test_plaintext_backend_is_refused(store, monkeypatch):
    import keyring.core

    monkeypatch.setattr(keyring.core, "_keyring_backend", _FakePlaintext())
    with pytest.raises(cr.PlaintextKeyringRefused) as e:
        store.add(cr.Credential("x"), VALUE)
    assert "plain file" in e.value.reason and "keyrings.alt" in e.value.fix
    assert store.list() == []  # nothing was recorded


def test_chainer_with_a_plaintext_member_is_refused():
    class Chainer:
        backends = [MemoryKeyring(), _FakePlaintext()]

    with pytest.raises(cr.PlaintextKeyringRefused):
        cr.check_backend(Chainer())


def test_no_keyring_explains_the_fix_per_os(store, monkeypatch):
    import keyring.core
    from keyring.backends import fail

    monkeypatch.setattr(keyring.core, "_keyring_backend", fail.Keyring())
    with pytest.raises(cr.KeyringUnavailable) as e:
        store.add(cr.Credential("x"), VALUE)
    assert "NoKeyringError" in e.value.reason
    assert "gnome-keyring" in cr.keyring_fix("unavailable", "linux")
    assert "Keychain" in cr.keyring_fix("locked", "darwin")
    assert "Credential Manager" in cr.keyring_fix("unavailable", "win32")


def test_locked_keyring(store, memory_keyring):
    memory_keyring.locked = True
    with pytest.raises(cr.KeyringLockedError) as e:
        store.add(cr.Credential("x"), VALUE)
    assert "locked" in e.value.reason and "unlock" in e.value.fix.lower()


def test_init_error_prompt_dismissed_is_locked():
    from keyring.errors import InitError

    assert isinstance(cr._translate(InitError("Prompt dismissed."), "b"), cr.KeyringLockedError)
    assert isinstance(cr._translate(InitError("no bus"), "b"), cr.KeyringUnavailable)


def test_keyrings_alt_is_not_a_dependency():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    deps = list(data["project"].get("dependencies", []))
    for extra in data["project"].get("optional-dependencies", {}).values():
        deps += extra
    assert not [d for d in deps if d.lower().replace("_", ".").startswith("keyrings.alt")]
    from importlib import metadata

    try:
        reqs = metadata.requires("launchready-tui") or []
    except metadata.PackageNotFoundError:  # pragma: no cover - not installed
        reqs = []
    assert not [q for q in reqs if q.lower().startswith("keyrings.alt")]


def test_no_plaintext_backend_is_available_here():
    """Every backend keyring could pick on this machine is one we accept (keyrings.alt
    would silently make a plaintext file the default)."""
    import keyring.backend

    names = [f"{type(k).__module__}.{type(k).__name__}" for k in keyring.backend.get_all_keyring()]
    assert not [n for n in names if n.startswith("keyrings.alt") or "plaintext" in n.lower()], names


# ------------------------------------------------------------------------- check


def _ctx(tmp_path, store, today=TODAY):
    p = parse_profile("project: Acme\ndomain: acme.example\n", str(tmp_path / "launchready.yaml"))
    return CheckContext(profile=p, net=None, credentials=store,
                        clock=lambda: dt.datetime.combine(today, dt.time(), dt.UTC))


def run_check(tmp_path, store, today=TODAY):
    return asyncio.run(cc.check(_ctx(tmp_path, store, today), "inventory", {}))


def test_check_empty_inventory_warns(tmp_path, store):
    res = run_check(tmp_path, store)
    assert res.status.value == "warn" and "launchready credentials add" in res.fix


def test_check_pass_warn_fail(tmp_path, store, memory_keyring):
    store.add(cr.Credential("stripe", owner="Maya", rotate_every_days=90, last_rotated="2026-01-01"), VALUE)
    res = run_check(tmp_path, store)
    assert res.status.value == "pass", res.summary
    assert res.evidence["credentials"][0]["value"] == "in keyring"
    assert VALUE not in json.dumps(res.to_dict())

    store.add(cr.Credential("db", owner="", rotate_every_days=30, last_rotated="2025-10-01"))
    res = run_check(tmp_path, store)
    assert res.status.value == "warn"
    assert res.evidence["rotation_overdue"] == ["db"] and res.evidence["no_owner"] == ["db"]
    assert "credentials rotate db" in res.fix

    memory_keyring.store.clear()  # someone deleted the entry
    res = run_check(tmp_path, store)
    assert res.status.value == "fail" and res.evidence["missing_from_keyring"] == ["stripe"]


def test_check_keyring_unavailable_is_error(tmp_path, store, memory_keyring):
    store.add(cr.Credential("stripe", owner="Maya", rotate_every_days=90, last_rotated="2026-01-01"), VALUE)
    memory_keyring.locked = True
    res = run_check(tmp_path, store)
    assert res.status.value == "error" and "locked" in res.summary and "unlock" in res.fix.lower()


def test_check_builds_its_store_from_the_profile(tmp_path, memory_keyring):
    p = parse_profile("project: Acme\ndomain: acme.example\n", str(tmp_path / "launchready.yaml"))
    s = cr.CredentialStore.for_profile(p)
    s.add(cr.Credential("a", owner="M", rotate_every_days=10, last_rotated="2026-01-10"))
    ctx = CheckContext(profile=p, net=None, state=StateStore(p.state_dir),
                       clock=lambda: dt.datetime(2026, 1, 12, tzinfo=dt.UTC))
    res = asyncio.run(cc.check(ctx, "inventory", {}))
    assert res.status.value == "pass" and res.evidence["due_within_14_days"] == ["a"]
    assert cc.targets(p, {}) == ["inventory"]


# --------------------------------------------------------------------------- CLI


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "launchready.yaml").write_text("project: Acme\ndomain: acme.example\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def cli(monkeypatch, capsys, *argv, stdin: str | None = None, tty: bool = False):
    from launchready_tui.commands import credentials as cmd

    data = stdin or ""

    class In(io.TextIOWrapper):
        def isatty(self):
            return tty

    monkeypatch.setattr(sys, "stdin", In(io.BytesIO(data.encode())))
    code = cmd.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_add_from_stdin_list_rotate_remove(project, monkeypatch, capsys, memory_keyring):
    code, out, err = cli(monkeypatch, capsys, "add", "stripe-live", "--label", "Stripe live key",
                         "--reference", "1Password Ops", "--owner", "Maya", "--rotate-every", "90d",
                         "--last-rotated", "2026-01-01", "--stdin", stdin=VALUE + "\n")
    assert code == 0, err
    assert memory_keyring.store[("launchready:Acme", "stripe-live")] == VALUE
    code, out, err = cli(monkeypatch, capsys, "list", "--format", "json")
    data = json.loads(out)
    assert data["credentials"][0]["value"] == "in keyring" and data["credentials"][0]["next_due"] == "2026-04-01"
    code, out, err = cli(monkeypatch, capsys, "list")
    assert "stripe-live" in out and "in keyring" in out and "1Password Ops" in out
    new = "sk_" + "live_" + r(24)
    code, out, err = cli(monkeypatch, capsys, "rotate", "stripe-live", "--stdin", stdin=new)
    assert code == 0 and "New value stored" in out
    assert memory_keyring.store[("launchready:Acme", "stripe-live")] == new
    code, out, err = cli(monkeypatch, capsys, "add", "stripe-live", "--update", "--owner", "Sam", "--no-value")
    assert code == 0
    code, out, err = cli(monkeypatch, capsys, "remove", "stripe-live")
    assert code == 0 and not memory_keyring.store
    state = (project / ".launchready/state.json").read_text()
    assert VALUE not in state and new not in state


def test_cli_prompt_without_echo(project, monkeypatch, capsys, memory_keyring):
    import getpass

    asked = []
    monkeypatch.setattr(getpass, "getpass", lambda prompt: asked.append(prompt) or VALUE)
    code, out, err = cli(monkeypatch, capsys, "add", "k", tty=True)
    assert code == 0 and asked and "hidden" in asked[0]
    assert memory_keyring.store[("launchready:Acme", "k")] == VALUE
    assert VALUE not in out + err


def test_cli_refuses_values_on_the_command_line(project, monkeypatch, capsys, memory_keyring):
    for argv in (("add", "k", "--value", VALUE), ("add", "k", f"--value={VALUE}"), ("add", "k", VALUE),
                 ("rotate", "k", VALUE)):
        code, out, err = cli(monkeypatch, capsys, *argv)
        assert code == 2 and "shell history" in err
        assert VALUE not in out + err
    assert not memory_keyring.store


def test_cli_no_tty_records_metadata_only(project, monkeypatch, capsys, memory_keyring):
    code, out, err = cli(monkeypatch, capsys, "add", "k", "--owner", "Maya")
    assert code == 0 and "metadata only" in err and not memory_keyring.store
    code, out, err = cli(monkeypatch, capsys, "add", "k")
    assert code == 2 and "exists already" in err


def test_cli_keyring_problem_exit_1_with_fix(project, monkeypatch, capsys, memory_keyring):
    memory_keyring.locked = True
    code, out, err = cli(monkeypatch, capsys, "add", "k", "--stdin", stdin=VALUE)
    assert code == 1 and "locked" in err and "How to fix" in err and "Nothing was changed" in err
    assert not (project / ".launchready/state.json").exists() or "\"k\"" not in (project / ".launchready/state.json").read_text()
    assert VALUE not in out + err


def test_cli_bad_input_exit_2(project, monkeypatch, capsys):
    code, out, err = cli(monkeypatch, capsys, "add", "k", "--rotate-every", "often", "--no-value")
    assert code == 2 and "rotation cadence" in err
    code, out, err = cli(monkeypatch, capsys, "rotate", "missing")
    assert code == 2 and "no credential 'missing'" in err
    code, out, err = cli(monkeypatch, capsys, "add", "k", "--stdin", stdin="")
    assert code == 2 and "stdin was empty" in err
